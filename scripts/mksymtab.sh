#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# Writes the assembly of the symbol table embedded in an image, from the
# function symbols of ELF $1. Layout, in 32-bit words: a count, then
# (address, size, name offset) entries sorted by address, then the
# NUL-terminated names. Images are linked below 4 GiB, so an address fits
# in 32 bits. With --empty the table has no entries
# (CONFIG_CRASH_SYMBOLS is off).
set -e
elf=$1
echo '    .section .pogo_symtab, "a"'
echo '    .p2align 2'
if [ "$2" = "--empty" ]; then
    echo '    .long 0'
    exit 0
fi
nm -n -S --defined-only "$elf" | awk '
    # The low 32 bits of a hex number, or "" when it does not fit in them.
    function low32(hex) {
        if (length(hex) <= 8)
            return hex
        if (substr(hex, 1, length(hex) - 8) !~ /^0+$/)
            return ""
        return substr(hex, length(hex) - 7)
    }
    BEGIN { n = 0 }
    NF == 4 && $3 ~ /^[tTwW]$/ && $4 !~ /^\./ { addr[n] = $1; size[n] = $2; name[n] = $4; n++ }
    NF == 3 && $2 ~ /^[tTwW]$/ && $3 !~ /^\./ { addr[n] = $1; size[n] = "0"; name[n] = $3; n++ }
    END {
        printf "    .long %d\n", n
        off = 0
        for (i = 0; i < n; i++) {
            a = low32(addr[i])
            sz = low32(size[i])
            if (a == "" || sz == "") {
                printf "mksymtab: %s at 0x%s does not fit in 32 bits\n",
                       name[i], addr[i] > "/dev/stderr"
                exit 1
            }
            printf "    .long 0x%s, 0x%s, %d\n", a, sz, off
            off += length(name[i]) + 1
        }
        for (i = 0; i < n; i++)
            printf "    .asciz \"%s\"\n", name[i]
    }'
