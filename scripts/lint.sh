#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# Checks Pogo's own C files: formatting against .clang-format, then
# cppcheck for bugs the compiler does not warn about. Prints each problem
# and exits non-zero if there is one.
set -u
status=0
if [ $# -eq 0 ]; then
    echo "lint: no files given" >&2
    exit 2
fi
for tool in clang-format cppcheck; do
    if ! command -v $tool >/dev/null 2>&1; then
        echo "lint: $tool is missing; run: apt-get install $tool" >&2
        exit 2
    fi
done

unformatted=""
for f in "$@"; do
    if ! clang-format --dry-run -Werror "$f" >/dev/null 2>&1; then
        unformatted="$unformatted $f"
    fi
done
if [ -n "$unformatted" ]; then
    echo "lint: these files differ from .clang-format (run make format):"
    for f in $unformatted; do echo "  $f"; done
    status=1
fi

if ! cppcheck --quiet --error-exitcode=1 --std=c11 --inline-suppr \
    --enable=warning,portability --suppress=missingIncludeSystem --suppress=comparePointers \
    --suppress='nullPointerRedundantCheck:tests/*' \
    -D__x86_64__ -DALLOC_NAME='"tlsf"' -Iinclude -Iarch/x86_64/include -Itests/unit/include \
    "$@"; then
    status=1
fi
exit $status
