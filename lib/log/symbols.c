/* SPDX-License-Identifier: BSD-3-Clause */
/* Lookup in the function table that scripts/mksymtab.sh embeds. */
#include <pogo/crash.h>

/* 32-bit fields: the image is linked below 4 GiB. */
struct symbol {
    uint32_t addr;
    uint32_t size;
    uint32_t name;
};

struct symtab {
    uint32_t count;
    struct symbol entries[];
};

extern const char __pogo_symtab_start[];
extern const char __pogo_symtab_end[];

const char *pogo_symbol_lookup(uintptr_t addr, uintptr_t *offset)
{
    const struct symtab *t = (const void *)__pogo_symtab_start;
    const char *names;
    size_t lo = 0, hi;

    if ((uintptr_t)__pogo_symtab_end - (uintptr_t)__pogo_symtab_start <
            sizeof(*t) ||
        t->count == 0)
        return NULL;
    names = (const char *)&t->entries[t->count];

    /* Find the last entry whose address is at most addr. */
    hi = t->count;
    while (hi - lo > 1) {
        size_t mid = lo + (hi - lo) / 2;
        if (t->entries[mid].addr <= addr)
            lo = mid;
        else
            hi = mid;
    }
    if (t->entries[lo].addr > addr)
        return NULL;
    if (t->entries[lo].size &&
        addr >= t->entries[lo].addr + t->entries[lo].size)
        return NULL;
    *offset = addr - t->entries[lo].addr;
    return names + t->entries[lo].name;
}
