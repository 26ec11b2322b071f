/* SPDX-License-Identifier: BSD-3-Clause */
/* Virtual regions, shared by the files of lib/mm. */
#ifndef POGO_MM_VM_H
#define POGO_MM_VM_H

#include <pogo/compiler.h>

#include "regions.h"

/* Values of struct vm_region's flags (the struct is in regions.h). */
#define VM_NORESERVE (1u << 0) /* not charged against the commit limit */
#define VM_SHARED    (1u << 1) /* MAP_SHARED */
#define VM_STACK     (1u << 2) /* a thread's stack */
#define VM_GUARD     (1u << 3) /* the guard page below a stack */
#define VM_BRK       (1u << 4) /* the brk heap */
#define VM_NOWRITE   (1u << 5) /* shared file mapping that may not be written */

/* Returns the region that contains addr, or NULL. */
struct vm_region *vm_find(uintptr_t addr);

#endif
