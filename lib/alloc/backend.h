/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The interface between the heap front end (heap.c) and an allocator
 * implementation (tlsf.c or buddy.c). An allocator manages any number of
 * pools, each a contiguous range of memory given to it by the front end.
 * It keeps all its state inside the pools and in one caller-provided
 * struct, so that host unit tests can run it on malloc'd memory.
 *
 * Usage:
 *     struct heap_backend *h = backend_create(mem, size);  (first pool)
 *     backend_add_pool(h, more, more_size);
 *     p = backend_alloc(h, 100, 16);
 *     backend_free(h, p);
 */
#ifndef POGO_ALLOC_BACKEND_H
#define POGO_ALLOC_BACKEND_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct heap_backend;

/* Smallest pool worth adding, and the pool alignment callers provide. */
#define BACKEND_MIN_POOL   4096
#define BACKEND_POOL_ALIGN 4096

/*
 * Creates an allocator whose control data and first pool live in
 * [mem, mem + size). mem is BACKEND_POOL_ALIGN-aligned. Returns NULL if
 * size is too small.
 */
struct heap_backend *backend_create(void *mem, size_t size);

/*
 * Adds the pool [mem, mem + size). Returns 0, or -EINVAL when it is
 * smaller than BACKEND_MIN_POOL, unaligned, or too large for the
 * implementation (which then uses what it can: see its file).
 */
int backend_add_pool(struct heap_backend *h, void *mem, size_t size);

/*
 * Returns a block of at least size bytes aligned to align (a power of two,
 * at least 16), or NULL. size 0 gives a unique minimal block.
 */
void *backend_alloc(struct heap_backend *h, size_t size, size_t align);

/* Frees a block from backend_alloc; NULL is ignored. */
void backend_free(struct heap_backend *h, void *p);

/*
 * Resizes in place when possible: returns true if the block now holds
 * at least size bytes, false if it must be moved (the block is unchanged).
 */
bool backend_resize(struct heap_backend *h, void *p, size_t size);

/* Usable size of a block from backend_alloc. */
size_t backend_usable_size(struct heap_backend *h, void *p);

/*
 * Finds a pool with no live allocation, removes it from the allocator and
 * stores its range; returns false when every pool is in use. The first
 * pool, which holds the control data, is never released.
 */
bool backend_release_empty_pool(struct heap_backend *h, void **mem,
                                size_t *size);

/* Bytes in live blocks, counting per-block overhead. */
size_t backend_used_bytes(struct heap_backend *h);

/*
 * Checks the allocator's internal invariants (free lists, block headers,
 * bitmaps). Returns true when they hold. For tests and CONFIG_DEBUG_ASSERT.
 */
bool backend_check(struct heap_backend *h);

#endif
