/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Page-table operations that the memory manager needs from the
 * architecture. All take page-aligned addresses; prot uses POGO_PROT_*.
 * Callers hold off interrupts (syscalls and fault handlers run that way).
 */
#ifndef POGO_PAGETABLE_H
#define POGO_PAGETABLE_H

#include <pogo/compiler.h>

/* The boot page tables identity-map this much; the rest is mapped at boot. */
#define PT_BOOT_IDENTITY_LIMIT (1UL << 30)

/* Unmaps page 0, so that null pointers fault. */
void pogo_arch_unmap_null_page(void);

/* Identity-maps RAM [start, end) read-write, not executable. */
int pogo_arch_map_identity(uintptr_t start, uintptr_t end);

/* Identity-maps device memory [start, start + size) uncached. */
int pogo_arch_map_device(uintptr_t start, size_t size);

/*
 * Maps the 4 KiB page va to the frame pa with prot. Returns 0, or -ENOMEM
 * when a page table cannot be allocated.
 */
int pogo_arch_map_page(uintptr_t va, uintptr_t pa, int prot);

/*
 * Unmaps [start, end) and calls release(pa, arg) for each 4 KiB page that
 * was mapped, so the caller can free its frame. Absent tables are skipped
 * quickly, so a large reservation costs little.
 */
void pogo_arch_unmap_range(uintptr_t start, uintptr_t end,
                           void (*release)(uintptr_t pa, void *arg), void *arg);

/*
 * Moves the page-table entries of [from, from + len) to [to, to + len),
 * which must not overlap, so that the frames appear at the new addresses
 * and the old ones are unmapped. Whatever was mapped in the destination
 * is unmapped first, with release(pa, arg) called for each of its 4 KiB
 * pages. Returns 0, or -ENOMEM when a page table cannot be allocated, in
 * which case no mapping has changed.
 */
int pogo_arch_move_range(uintptr_t from, uintptr_t to, size_t len,
                         void (*release)(uintptr_t pa, void *arg), void *arg);

/* Changes the protection of the mapped pages of [start, end). */
void pogo_arch_protect_range(uintptr_t start, uintptr_t end, int prot);

/* Finds the frame mapped at va. Returns false when va is not mapped. */
bool pogo_arch_lookup(uintptr_t va, uintptr_t *pa, int *prot);

#endif
