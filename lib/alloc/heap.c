/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The kernel heap front end: pogo_malloc and friends on top of the
 * allocator chosen in Kconfig (see backend.h). Pools come from the frame
 * allocator; each new pool is at least as large as the last one, so a
 * growing heap needs few pools, and a pool that empties is given back.
 */
#include <pogo/alloc.h>
#include <pogo/arch.h>
#include <pogo/errno.h>
#include <pogo/init.h>
#include <pogo/log.h>
#include <pogo/mm.h>
#include <pogo/string.h>

#include "backend.h"

#define MIN_ALIGN        16
#define FIRST_POOL_ORDER 3 /* 32 KiB */
#define MAX_POOLS        128
/* Pools grow by doubling up to this order (4 MiB); larger pools are made
 * only for blocks that need them. */
#define GROWTH_MAX_ORDER 10
/* Freeing a block at least this large looks for a pool to give back. */
#define RELEASE_THRESHOLD (64 * 1024)

struct pool {
    uintptr_t addr;
    unsigned order;
};

static struct heap_backend *heap;
static struct pool pools[MAX_POOLS];
static size_t npools;
static unsigned next_order = FIRST_POOL_ORDER;

static unsigned order_for(size_t bytes)
{
    unsigned order = 0;

    while ((POGO_PAGE_SIZE << order) < bytes && order < POGO_FRAME_MAX_ORDER)
        order++;
    return order;
}

/*
 * Adds a pool that can hold a block of size bytes: as large as the growth
 * plan says, or smaller (down to what the block needs) when memory is
 * fragmented. Returns 0 or -ENOMEM.
 */
static int grow(size_t size)
{
    /* Room for the block, its alignment and the allocator's overhead. */
    unsigned need = order_for(size + size / 8 + 4096);
    unsigned order = POGO_MAX(next_order, need);
    uintptr_t mem = 0;

    if (npools == MAX_POOLS)
        return -ENOMEM;
    for (;;) {
        mem = pogo_frames_alloc(order);
        if (mem || order == need)
            break;
        order--;
    }
    if (!mem)
        return -ENOMEM;
    if (backend_add_pool(heap, (void *)mem, POGO_PAGE_SIZE << order) != 0) {
        pogo_frames_free(mem, order);
        return -ENOMEM;
    }
    pools[npools++] = (struct pool){mem, order};
    if (order >= next_order && order < GROWTH_MAX_ORDER)
        next_order = order + 1;
    return 0;
}

static void release_pools(void)
{
    void *mem;
    size_t size;

    while (backend_release_empty_pool(heap, &mem, &size)) {
        for (size_t i = 0; i < npools; i++) {
            if (pools[i].addr != (uintptr_t)mem)
                continue;
            pogo_frames_free(pools[i].addr, pools[i].order);
            pools[i] = pools[--npools];
            break;
        }
    }
}

void *pogo_memalign(size_t align, size_t size)
{
    bool irq;
    void *p;

    if (align < MIN_ALIGN)
        align = MIN_ALIGN;
    if (align & (align - 1))
        return NULL;
    if (size > (POGO_PAGE_SIZE << POGO_FRAME_MAX_ORDER) / 2)
        return NULL;
    irq = pogo_irq_save();
    p = backend_alloc(heap, size, align);
    if (!p && grow(size + align) == 0)
        p = backend_alloc(heap, size, align);
    pogo_irq_restore(irq);
    return p;
}

void *pogo_malloc(size_t size)
{
    return pogo_memalign(MIN_ALIGN, size);
}

void *pogo_calloc(size_t n, size_t size)
{
    void *p;

    if (size && n > SIZE_MAX / size)
        return NULL;
    p = pogo_malloc(n * size);
    if (p)
        pogo_memset(p, 0, n * size);
    return p;
}

void pogo_free(void *p)
{
    bool irq;
    size_t size;

    if (!p)
        return;
    irq = pogo_irq_save();
    size = backend_usable_size(heap, p);
    backend_free(heap, p);
    if (size >= RELEASE_THRESHOLD)
        release_pools();
    pogo_irq_restore(irq);
}

void *pogo_realloc(void *p, size_t size)
{
    size_t old;
    void *n;
    bool irq;
    bool resized;

    if (!p)
        return pogo_malloc(size);
    irq = pogo_irq_save();
    old = backend_usable_size(heap, p);
    resized = backend_resize(heap, p, size);
    pogo_irq_restore(irq);
    if (resized)
        return p;

    n = pogo_malloc(size);
    if (!n)
        return NULL;
    pogo_memcpy(n, p, POGO_MIN(old, size));
    pogo_free(p);
    return n;
}

size_t pogo_malloc_usable_size(void *p)
{
    return p ? backend_usable_size(heap, p) : 0;
}

void pogo_heap_stats(struct pogo_heap_stats *st)
{
    st->pool_bytes = 0;
    for (size_t i = 0; i < npools; i++)
        st->pool_bytes += POGO_PAGE_SIZE << pools[i].order;
    st->used_bytes = backend_used_bytes(heap);
    st->pools = npools;
}

static int heap_init(void)
{
    uintptr_t mem = pogo_frames_alloc(FIRST_POOL_ORDER);

    if (!mem) {
        pogo_error("alloc: no memory for the first heap pool\n");
        return -ENOMEM;
    }
    heap = backend_create((void *)mem, POGO_PAGE_SIZE << FIRST_POOL_ORDER);
    if (!heap)
        return -ENOMEM;
    pools[npools++] = (struct pool){mem, FIRST_POOL_ORDER};
    return 0;
}
POGO_INIT(POGO_INIT_ALLOC, "heap", heap_init, NULL);
