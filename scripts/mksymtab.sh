#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# Writes the assembly of the symbol table embedded in an image, from the
# function symbols of ELF $1. Layout: a count, then (address, size, name
# offset) entries sorted by address, then the NUL-terminated names.
# With --empty the table has no entries (CONFIG_CRASH_SYMBOLS is off).
set -e
elf=$1
echo '    .section .pogo_symtab, "a"'
echo '    .p2align 3'
if [ "$2" = "--empty" ]; then
    echo '    .quad 0'
    exit 0
fi
nm -n -S --defined-only "$elf" | awk '
    BEGIN { n = 0 }
    NF == 4 && $3 ~ /^[tTwW]$/ && $4 !~ /^\./ { addr[n] = $1; size[n] = $2; name[n] = $4; n++ }
    NF == 3 && $2 ~ /^[tTwW]$/ && $3 !~ /^\./ { addr[n] = $1; size[n] = "0"; name[n] = $3; n++ }
    END {
        printf "    .quad %d\n", n
        off = 0
        for (i = 0; i < n; i++) {
            printf "    .quad 0x%s, 0x%s\n    .long %d, 0\n", addr[i], size[i], off
            off += length(name[i]) + 1
        }
        for (i = 0; i < n; i++)
            printf "    .asciz \"%s\"\n", name[i]
    }'
