/* SPDX-License-Identifier: BSD-3-Clause */
/* Virtual regions, shared by the files of lib/mm. */
#ifndef POGO_MM_VM_H
#define POGO_MM_VM_H

#include <pogo/compiler.h>

#define VM_NORESERVE (1u << 0) /* not charged against the commit limit */
#define VM_SHARED    (1u << 1) /* MAP_SHARED */
#define VM_STACK     (1u << 2) /* a thread's stack */
#define VM_GUARD     (1u << 3) /* the guard page below a stack */
#define VM_BRK       (1u << 4) /* the brk heap */

struct vm_region {
    uintptr_t start;
    uintptr_t end; /* exclusive */
    int prot;
    unsigned flags;
    const char *const *owner; /* thread name, for stacks and guards */
    struct vm_region *prev;
    struct vm_region *next;
};

struct vm_region *vm_find(uintptr_t addr);
struct vm_region *vm_first(void);

#endif
