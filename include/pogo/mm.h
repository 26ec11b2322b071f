/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Memory management: physical frames, the application's virtual regions
 * (mmap, brk, stacks) and page faults. Physical memory is identity mapped,
 * so a frame's physical address is also its kernel address.
 */
#ifndef POGO_MM_H
#define POGO_MM_H

#include <pogo/compiler.h>

#define POGO_PAGE_SIZE       4096UL
#define POGO_PAGE_SHIFT      12
#define POGO_FRAME_MAX_ORDER 18 /* 1 GiB blocks */

/* Protection bits, numbered as Linux's PROT_*. */
#define POGO_PROT_NONE  0
#define POGO_PROT_READ  1
#define POGO_PROT_WRITE 2
#define POGO_PROT_EXEC  4

/* Kinds of access in a page fault. */
#define POGO_ACCESS_READ  1
#define POGO_ACCESS_WRITE 2
#define POGO_ACCESS_EXEC  4

/* --- Physical frames ------------------------------------------------------ */

/*
 * Allocates 2^order contiguous, naturally aligned frames. Returns their
 * address, or 0 when no such block is free.
 */
uintptr_t pogo_frames_alloc(unsigned order);

/* Same, with the memory zeroed. */
uintptr_t pogo_frames_alloc_zeroed(unsigned order);

/* Frees a block from pogo_frames_alloc with the same order. */
void pogo_frames_free(uintptr_t addr, unsigned order);

/* Frames free now, and frames managed in all. */
size_t pogo_frames_free_count(void);
size_t pogo_frames_total(void);

/* Highest physical address of usable RAM (exclusive). */
uintptr_t pogo_frames_ram_end(void);

/* --- Virtual regions --------------------------------------------------------
 */

/* mmap flags, numbered as Linux's MAP_*. */
#define POGO_MAP_SHARED          0x01
#define POGO_MAP_PRIVATE         0x02
#define POGO_MAP_SHARED_VALIDATE 0x03
#define POGO_MAP_TYPE            0x0f
#define POGO_MAP_FIXED           0x10
#define POGO_MAP_ANONYMOUS       0x20
#define POGO_MAP_GROWSDOWN       0x100
#define POGO_MAP_DENYWRITE       0x800
#define POGO_MAP_EXECUTABLE      0x1000
#define POGO_MAP_LOCKED          0x2000
#define POGO_MAP_NORESERVE       0x4000
#define POGO_MAP_POPULATE        0x8000
#define POGO_MAP_NONBLOCK        0x10000
#define POGO_MAP_STACK           0x20000
#define POGO_MAP_HUGETLB         0x40000
#define POGO_MAP_SYNC            0x80000
#define POGO_MAP_FIXED_NOREPLACE 0x100000

/*
 * Maps anonymous memory with Linux's mmap semantics. Returns the address
 * or a negative errno (-EINVAL, -ENOMEM, -EEXIST, -EOPNOTSUPP).
 */
long pogo_vm_mmap_anon(uintptr_t addr, size_t len, int prot, int flags);
int pogo_vm_munmap(uintptr_t addr, size_t len);
int pogo_vm_mprotect(uintptr_t addr, size_t len, int prot);

/* Linux brk: returns the new break, or the old one when it cannot move. */
uintptr_t pogo_vm_brk(uintptr_t addr);

/*
 * Maps a stack of size bytes with an unmapped guard page below it and
 * records owner (a thread name that must stay valid) for crash hints.
 * Returns the top of the stack, or 0 when memory runs out.
 */
uintptr_t pogo_vm_map_stack(size_t size, const char *const *owner);

/*
 * Handles a page fault at addr. Returns 0 when the fault was resolved
 * (a page of a mapped region was filled in), or -EFAULT when addr is not
 * in a region that allows this access.
 */
int pogo_mm_fault(uintptr_t addr, int access, bool present);

/*
 * Checks that [addr, addr + len) lies in mapped regions that allow the
 * given access. Returns 0 or -EFAULT; a cheap test for syscalls that keep
 * an application pointer instead of copying it.
 */
int pogo_vm_check(uintptr_t addr, size_t len, int access);

#endif
