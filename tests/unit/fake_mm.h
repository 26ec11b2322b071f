/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Controls of the host stand-ins (fake_mm.c) for what lib/mm/vm.c needs:
 * frames from malloc, a page table in a hash table, the kernel heap.
 */
#ifndef POGO_FAKE_MM_H
#define POGO_FAKE_MM_H

#include <pogo/compiler.h>

/* Frames that pogo_frames_total() reports and that may be in use. */
extern size_t fake_frame_limit;

/* When set, pogo_malloc() returns NULL. */
extern bool fake_malloc_fails;

/* When set, pogo_arch_move_range() fails with -ENOMEM, changing nothing. */
extern bool fake_move_fails;

/* Frames allocated now. */
size_t fake_frames_used(void);

/* Pages with an entry in the fake page table now. */
size_t fake_pages_mapped(void);

#endif
