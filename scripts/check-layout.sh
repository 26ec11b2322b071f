#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# Checks that adding the generated tables moved nothing: every symbol that
# $1 (link pass 2) defines has the same address in $2 (the final image).
set -e
a=$(mktemp)
b=$(mktemp)
trap 'rm -f "$a" "$b"' EXIT
nm --defined-only "$1" | awk '$3 != "__pogo_image_end" { print $1, $3 }' |
    sort > "$a"
nm --defined-only "$2" | awk '{ print $1, $3 }' | sort > "$b"
missing=$(comm -23 "$a" "$b" | head -3)
if [ -n "$missing" ]; then
    echo "check-layout: the final link moved symbols of pass 2:" >&2
    echo "$missing" >&2
    exit 1
fi
