#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# Writes pogo/syscall_nr.h (POGO_NR_<name> numbers and the table of names)
# from musl's list of x86_64 Linux syscall numbers, the ABI applications
# are built against. Usage: gen-syscalls.sh OUT_DIR
set -e
src=/usr/include/x86_64-linux-musl/bits/syscall.h
out=$1/pogo/syscall_nr.h
if [ ! -r "$src" ]; then
    echo "gen-syscalls: $src not found; run: apt-get install musl-dev" >&2
    exit 1
fi
mkdir -p "$1/pogo"
tmp=$out.tmp
{
    echo "/* Generated from $src. */"
    echo "#ifndef POGO_SYSCALL_NR_H"
    echo "#define POGO_SYSCALL_NR_H"
    sed -n 's/^#define __NR_\([a-z0-9_]*\)[ \t]*\([0-9]*\)$/#define POGO_NR_\1 \2/p' "$src"
    # The names as one string, "read\0write\0...", in number order with an
    # empty name for each unused number.
    printf '#define POGO_SYSCALL_NAMES "'
    sed -n 's/^#define __NR_\([a-z0-9_]*\)[ \t]*\([0-9]*\)$/\2 \1/p' "$src" |
        sort -n | awk '{ while (n < $1) { printf "\\0"; n++ } printf "%s\\0", $2; n++ }'
    echo '"'
    echo "#endif"
} > "$tmp"
if cmp -s "$tmp" "$out"; then rm -f "$tmp"; else mv "$tmp" "$out"; fi
