/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The kernel heap. The allocator behind it is chosen in Kconfig (TLSF or
 * buddy); both take their memory from the physical frame allocator in
 * pools and give it back when a pool is empty again.
 */
#ifndef POGO_ALLOC_H
#define POGO_ALLOC_H

#include <pogo/compiler.h>

/* Return NULL when memory runs out; never panic. Alignment is 16 bytes. */
void *pogo_malloc(size_t size);
void *pogo_calloc(size_t n, size_t size);
void *pogo_realloc(void *p, size_t size);
/* align must be a power of two. */
void *pogo_memalign(size_t align, size_t size);
void pogo_free(void *p);
size_t pogo_malloc_usable_size(void *p);

struct pogo_heap_stats {
    size_t pool_bytes; /* memory taken from the frame allocator */
    size_t used_bytes; /* bytes in live allocations, with overhead */
    size_t pools;
};

void pogo_heap_stats(struct pogo_heap_stats *st);

#endif
