/* SPDX-License-Identifier: BSD-3-Clause */
/* Lookup in the exception table that uaccess.S builds. */
#include <pogo/uaccess.h>

struct extable_entry {
    uintptr_t fault;
    uintptr_t fixup;
};

extern const struct extable_entry __pogo_extable_start[];
extern const struct extable_entry __pogo_extable_end[];

uintptr_t pogo_uaccess_fixup(uintptr_t rip)
{
    for (const struct extable_entry *e = __pogo_extable_start;
         e < __pogo_extable_end; e++) {
        if (e->fault == rip)
            return e->fixup;
    }
    return 0;
}
