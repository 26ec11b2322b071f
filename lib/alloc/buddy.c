/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * A binary buddy allocator behind backend.h: blocks of 2^order bytes, from
 * 32 bytes up, each aligned to its own size, split on alloc and merged with
 * their buddy on free.
 */
#include <pogo/compiler.h>
#include <pogo/errno.h>
#include <pogo/string.h>

#include "backend.h"

#define MIN_ORDER    5
#define MAX_ORDER    47
#define MIN_BLOCK    (1ull << MIN_ORDER)
#define HEADER_SHIFT 4
#define HEADER_SIZE  (1u << HEADER_SHIFT)
#define MIN_DATA     16 /* the data of a zero-size block, to keep it unique */

/* Largest size or alignment that still fits a block of MAX_ORDER. */
#define MAX_REQUEST (1ull << (MAX_ORDER - 1))

/*
 * Pools are described in a table inside the control data, not inside the
 * pools, so that a pool of 2^n bytes aligned to 2^n is one block of 2^n.
 * The table bounds the number of pools, and costs 32 bytes per entry.
 */
#define MAX_POOLS 128

#define BLOCK_MAGIC 0x42554459b10c4ea0ull
#define BLOCK_FREE  1u

/*
 * The header at the start of every block. The data of a used block starts
 * 2^data_shift bytes into it: 16, or the alignment requested when that is
 * larger, in which case a copy of the header sits right before the data.
 * The magic word includes the header's own address, so a header that was
 * copied elsewhere (by a program or as stale data) is not taken for one.
 */
struct block_header {
    uint64_t magic;
    uint16_t order;
    uint16_t flags;
    uint32_t data_shift;
};

struct free_block {
    struct block_header header;
    struct free_block *next;
    struct free_block *prev;
};

struct pool {
    uintptr_t base; /* the range the caller gave, returned on release */
    size_t size;
    uintptr_t start; /* the managed range, MIN_BLOCK-aligned */
    uintptr_t end;
};

struct heap_backend {
    struct free_block *free_lists[MAX_ORDER + 1];
    uint64_t nonempty; /* bit k set when free_lists[k] is not empty */
    size_t used;
    size_t pool_count;
    struct pool pools[MAX_POOLS]; /* pools[0] contains this struct */
};

POGO_STATIC_ASSERT(sizeof(struct block_header) == HEADER_SIZE,
                   "data after the header stays 16-byte aligned");
POGO_STATIC_ASSERT(sizeof(struct free_block) <= MIN_BLOCK,
                   "a free block of MIN_ORDER has room for its list links");

#define CONTROL_SIZE POGO_ALIGN_UP(sizeof(struct heap_backend), MIN_BLOCK)

static size_t order_size(unsigned order)
{
    return (size_t)1 << order;
}

static struct block_header *header_at(uintptr_t addr)
{
    return (struct block_header *)addr;
}

static uint64_t magic_for(const struct block_header *hd)
{
    return BLOCK_MAGIC ^ (uintptr_t)hd;
}

/* Also checks data_shift, so that data_offset_of() cannot overflow. */
static bool header_is_valid(const struct block_header *hd)
{
    return hd->magic == magic_for(hd) && hd->order >= MIN_ORDER &&
           hd->order <= MAX_ORDER && !(hd->flags & ~BLOCK_FREE) &&
           hd->data_shift >= HEADER_SHIFT && hd->data_shift < hd->order;
}

static size_t data_offset_of(const struct block_header *hd)
{
    return (size_t)1 << hd->data_shift;
}

static bool is_free_of_order(uintptr_t addr, unsigned order)
{
    const struct block_header *hd = header_at(addr);

    return header_is_valid(hd) && (hd->flags & BLOCK_FREE) &&
           hd->order == order;
}

static void write_header(uintptr_t addr, unsigned order, bool free,
                         unsigned data_shift)
{
    struct block_header *hd = header_at(addr);

    hd->magic = magic_for(hd);
    hd->order = order;
    hd->flags = free ? BLOCK_FREE : 0;
    hd->data_shift = data_shift;
}

/* Smallest order of a block of at least n bytes, for n <= 2^MAX_ORDER. */
static unsigned order_for(size_t n)
{
    if (n <= MIN_BLOCK)
        return MIN_ORDER;
    return 64 - __builtin_clzll(n - 1);
}

/* Order of the largest aligned block that starts at start and ends by end. */
static unsigned area_order(uintptr_t start, uintptr_t end)
{
    unsigned order = MAX_ORDER;
    unsigned fit = 63 - __builtin_clzll(end - start);

    if (start)
        order = POGO_MIN(order, (unsigned)__builtin_ctzll(start));
    return POGO_MIN(order, fit);
}

static void push_free(struct heap_backend *h, uintptr_t addr, unsigned order)
{
    struct free_block *fb = (struct free_block *)addr;

    write_header(addr, order, true, HEADER_SHIFT);
    fb->prev = NULL;
    fb->next = h->free_lists[order];
    if (fb->next)
        fb->next->prev = fb;
    h->free_lists[order] = fb;
    h->nonempty |= 1ull << order;
}

static void unlink_free(struct heap_backend *h, uintptr_t addr)
{
    struct free_block *fb = (struct free_block *)addr;
    unsigned order = fb->header.order;

    if (fb->prev)
        fb->prev->next = fb->next;
    else
        h->free_lists[order] = fb->next;
    if (fb->next)
        fb->next->prev = fb->prev;
    if (!h->free_lists[order])
        h->nonempty &= ~(1ull << order);
}

/* Takes a free block of order, split from a larger one if needed, or 0. */
static uintptr_t take_block(struct heap_backend *h, unsigned order)
{
    uint64_t candidates = h->nonempty & (~0ull << order);

    if (!candidates)
        return 0;

    unsigned k = __builtin_ctzll(candidates);
    uintptr_t addr = (uintptr_t)h->free_lists[k];

    unlink_free(h, addr);
    while (k > order) {
        k--;
        push_free(h, addr + order_size(k), k);
    }
    return addr;
}

static void mark_used(uintptr_t block, unsigned order, unsigned data_shift)
{
    size_t offset = (size_t)1 << data_shift;

    write_header(block, order, false, data_shift);
    if (offset > HEADER_SIZE)
        write_header(block + offset - HEADER_SIZE, order, false, data_shift);
}

/*
 * The buddy of the block at addr when the two can merge: the pair lies in
 * the pool and the buddy is free and whole. Returns 0 otherwise. Because
 * pools are cut into maximal aligned areas, a pair inside the pool is
 * inside one area, so a block header starts at the buddy's address.
 */
static uintptr_t free_buddy(const struct pool *pool, uintptr_t addr,
                            unsigned order)
{
    if (order >= MAX_ORDER)
        return 0;

    size_t size = order_size(order);
    uintptr_t pair = addr & ~(2 * size - 1);

    if (pair < pool->start || 2 * size > pool->end - pair)
        return 0;

    uintptr_t buddy = addr ^ size;

    return is_free_of_order(buddy, order) ? buddy : 0;
}

static const struct pool *pool_of(const struct heap_backend *h, uintptr_t addr)
{
    for (size_t i = 0; i < h->pool_count; i++) {
        const struct pool *pool = &h->pools[i];

        if (addr >= pool->start && addr < pool->end)
            return pool;
    }
    return NULL;
}

static bool headers_match(const struct block_header *a,
                          const struct block_header *b)
{
    return a->order == b->order && a->flags == b->flags &&
           a->data_shift == b->data_shift;
}

/*
 * Address of the used block whose data starts at p, or 0 when p is not
 * one: a pointer from outside the pools, into the middle of a block, or to
 * a block that is already free. Stores the block's pool in *poolp.
 */
static uintptr_t used_block_of(const struct heap_backend *h, void *p,
                               const struct pool **poolp)
{
    uintptr_t data = (uintptr_t)p;

    if (!p || (data & (HEADER_SIZE - 1)))
        return 0;

    const struct pool *pool = pool_of(h, data - HEADER_SIZE);

    if (!pool)
        return 0;

    const struct block_header *hd = header_at(data - HEADER_SIZE);

    if (!header_is_valid(hd) || (hd->flags & BLOCK_FREE))
        return 0;

    size_t size = order_size(hd->order);
    size_t offset = data_offset_of(hd);

    if (data - pool->start < offset)
        return 0;

    uintptr_t block = data - offset;

    if ((block & (size - 1)) || size > pool->end - block)
        return 0;
    if (offset > HEADER_SIZE && !(header_is_valid(header_at(block)) &&
                                  headers_match(header_at(block), hd)))
        return 0;
    *poolp = pool;
    return block;
}

/* Cuts [start, end) into maximal aligned areas and frees each whole. */
static void add_areas(struct heap_backend *h, uintptr_t start, uintptr_t end)
{
    while (start < end) {
        unsigned order = area_order(start, end);

        push_free(h, start, order);
        start += order_size(order);
    }
}

static void add_pool(struct heap_backend *h, uintptr_t base, size_t size,
                     uintptr_t start)
{
    struct pool *pool = &h->pools[h->pool_count++];

    pool->base = base;
    pool->size = size;
    pool->start = POGO_ALIGN_UP(start, MIN_BLOCK);
    pool->end = POGO_ALIGN_DOWN(base + size, MIN_BLOCK);
    add_areas(h, pool->start, pool->end);
}

static bool overlaps_pool(const struct heap_backend *h, uintptr_t base,
                          size_t size)
{
    for (size_t i = 0; i < h->pool_count; i++) {
        const struct pool *pool = &h->pools[i];

        if (base < pool->base + pool->size && pool->base < base + size)
            return true;
    }
    return false;
}

static bool pool_is_empty(const struct pool *pool)
{
    uintptr_t addr = pool->start;

    while (addr < pool->end) {
        unsigned order = area_order(addr, pool->end);

        if (!is_free_of_order(addr, order))
            return false;
        addr += order_size(order);
    }
    return true;
}

static void remove_areas(struct heap_backend *h, const struct pool *pool)
{
    uintptr_t addr = pool->start;

    while (addr < pool->end) {
        unsigned order = area_order(addr, pool->end);

        unlink_free(h, addr);
        addr += order_size(order);
    }
}

/* The control data takes the start of the first pool. */
struct heap_backend *backend_create(void *mem, size_t size)
{
    uintptr_t base = (uintptr_t)mem;

    if (!mem || (base & (BACKEND_POOL_ALIGN - 1)))
        return NULL;
    if (size > UINTPTR_MAX - base || size < CONTROL_SIZE + MIN_BLOCK)
        return NULL;

    struct heap_backend *h = mem;

    pogo_memset(h, 0, sizeof(*h));
    add_pool(h, base, size, base + CONTROL_SIZE);
    return h;
}

/*
 * Any pool size is usable, because a large pool becomes several areas of at
 * most 2^MAX_ORDER bytes. Returns -EINVAL for an overlapping pool, and
 * -ENOMEM when the pool table is full with MAX_POOLS pools.
 */
int backend_add_pool(struct heap_backend *h, void *mem, size_t size)
{
    uintptr_t base = (uintptr_t)mem;

    if (!mem || (base & (BACKEND_POOL_ALIGN - 1)) || size < BACKEND_MIN_POOL)
        return -EINVAL;
    if (size > UINTPTR_MAX - base || overlaps_pool(h, base, size))
        return -EINVAL;
    if (h->pool_count == MAX_POOLS)
        return -ENOMEM;

    add_pool(h, base, size, base);
    return 0;
}

/*
 * The data starts align bytes into a block of more than align bytes, which
 * is itself aligned to its size, so the data is aligned too. An align below
 * 16 is served as 16, and one that is not a power of two fails.
 */
void *backend_alloc(struct heap_backend *h, size_t size, size_t align)
{
    if (align < HEADER_SIZE)
        align = HEADER_SIZE;
    if (align & (align - 1))
        return NULL;
    if (size > MAX_REQUEST || align > MAX_REQUEST)
        return NULL;

    unsigned order = order_for(align + POGO_MAX(size, MIN_DATA));
    uintptr_t block = take_block(h, order);

    if (!block)
        return NULL;

    mark_used(block, order, __builtin_ctzll(align));
    h->used += order_size(order);
    return (void *)(block + align);
}

/* A pointer that is not a live block (double free, foreign) is ignored. */
void backend_free(struct heap_backend *h, void *p)
{
    const struct pool *pool;
    uintptr_t block = used_block_of(h, p, &pool);

    if (!block)
        return;

    struct block_header *hd = header_at(block);
    unsigned order = hd->order;

    h->used -= order_size(order);
    /*
     * Left behind inside a merged block, the header must still read free.
     * A copy before aligned data then no longer matches it, which is
     * enough to reject a second free through the copy.
     */
    hd->flags = BLOCK_FREE;

    uintptr_t buddy;

    while ((buddy = free_buddy(pool, block, order))) {
        unlink_free(h, buddy);
        block = POGO_MIN(block, buddy);
        order++;
    }
    push_free(h, block, order);
}

/*
 * Checks, without changing anything, that the block at addr can grow from
 * order to target by absorbing free upper buddies: growing over a lower
 * buddy would move the data.
 */
static bool can_absorb(const struct pool *pool, uintptr_t addr, unsigned order,
                       unsigned target)
{
    for (unsigned k = order; k < target; k++) {
        if (addr & order_size(k))
            return false;
        if (!free_buddy(pool, addr, k))
            return false;
    }
    return true;
}

static void absorb(struct heap_backend *h, uintptr_t addr, unsigned order,
                   unsigned target)
{
    for (unsigned k = order; k < target; k++)
        unlink_free(h, addr + order_size(k));
}

/* Frees the upper halves of a block shrinking from order to target. */
static void split_off(struct heap_backend *h, uintptr_t addr, unsigned order,
                      unsigned target)
{
    for (unsigned k = order; k > target; k--)
        push_free(h, addr + order_size(k - 1), k - 1);
}

bool backend_resize(struct heap_backend *h, void *p, size_t size)
{
    const struct pool *pool;
    uintptr_t block = used_block_of(h, p, &pool);

    if (!block || size > MAX_REQUEST)
        return false;

    struct block_header *hd = header_at(block);
    unsigned shift = hd->data_shift;
    unsigned order = hd->order;
    unsigned target = order_for(data_offset_of(hd) + POGO_MAX(size, MIN_DATA));

    if (target > order) {
        if (!can_absorb(pool, block, order, target))
            return false;
        absorb(h, block, order, target);
    } else {
        split_off(h, block, order, target);
    }

    mark_used(block, target, shift);
    h->used = h->used - order_size(order) + order_size(target);
    return true;
}

/* Returns 0 for a pointer that is not a live block. */
size_t backend_usable_size(struct heap_backend *h, void *p)
{
    const struct pool *pool;
    uintptr_t block = used_block_of(h, p, &pool);

    if (!block)
        return 0;

    const struct block_header *hd = header_at(block);

    return order_size(hd->order) - data_offset_of(hd);
}

bool backend_release_empty_pool(struct heap_backend *h, void **mem,
                                size_t *size)
{
    if (!mem || !size)
        return false;

    for (size_t i = 1; i < h->pool_count; i++) {
        struct pool *pool = &h->pools[i];

        if (!pool_is_empty(pool))
            continue;

        remove_areas(h, pool);
        *mem = (void *)pool->base;
        *size = pool->size;
        /* Only pools[0] must keep its slot, as it contains this struct. */
        h->pool_count--;
        *pool = h->pools[h->pool_count];
        return true;
    }
    return false;
}

size_t backend_used_bytes(struct heap_backend *h)
{
    return h->used;
}

/* Counts gathered by the physical walk, checked against the free lists. */
struct tally {
    size_t free_blocks[MAX_ORDER + 1];
    size_t used;
};

/* A used block with aligned data also needs a matching copy of its header. */
static bool check_used_block(uintptr_t addr, const struct block_header *hd)
{
    size_t offset = data_offset_of(hd);
    const struct block_header *copy = header_at(addr + offset - HEADER_SIZE);

    return offset == HEADER_SIZE ||
           (header_is_valid(copy) && headers_match(copy, hd));
}

/* Walks the blocks of one area, which starts at addr and has area_order. */
static bool check_area(uintptr_t addr, unsigned area_order, struct tally *t)
{
    uintptr_t end = addr + order_size(area_order);

    while (addr < end) {
        const struct block_header *hd = header_at(addr);

        if (!header_is_valid(hd) || hd->order > area_order)
            return false;

        unsigned order = hd->order;
        size_t size = order_size(order);

        if ((addr & (size - 1)) || size > end - addr)
            return false;
        if (!(hd->flags & BLOCK_FREE)) {
            if (!check_used_block(addr, hd))
                return false;
            t->used += size;
        } else if (order < area_order && is_free_of_order(addr ^ size, order)) {
            /* Two free buddies mean a free that did not merge. */
            return false;
        } else {
            t->free_blocks[order]++;
        }
        addr += size;
    }
    return true;
}

static bool check_pool(const struct pool *pool, struct tally *t)
{
    uintptr_t addr = pool->start;

    if ((addr | pool->end) & (MIN_BLOCK - 1))
        return false;
    if (addr < pool->base || addr >= pool->end)
        return false;
    if (pool->end - pool->base > pool->size)
        return false;

    while (addr < pool->end) {
        unsigned order = area_order(addr, pool->end);

        if (!check_area(addr, order, t))
            return false;
        addr += order_size(order);
    }
    return true;
}

static bool check_listed_block(const struct heap_backend *h,
                               const struct free_block *fb,
                               const struct free_block *prev, unsigned order)
{
    uintptr_t addr = (uintptr_t)fb;

    /* Test the address before reading through it. */
    if ((addr & (order_size(order) - 1)) || !pool_of(h, addr))
        return false;
    return is_free_of_order(addr, order) && fb->prev == prev;
}

/* Walks one list. More entries than free blocks counted means a cycle. */
static bool check_list(const struct heap_backend *h, unsigned order,
                       size_t free_blocks)
{
    const struct free_block *fb = h->free_lists[order];
    const struct free_block *prev = NULL;
    bool marked = (h->nonempty >> order) & 1;
    size_t seen = 0;

    if (marked != (fb != NULL))
        return false;
    for (; fb; prev = fb, fb = fb->next) {
        if (++seen > free_blocks)
            return false;
        if (!check_listed_block(h, fb, prev, order))
            return false;
    }
    return seen == free_blocks;
}

bool backend_check(struct heap_backend *h)
{
    struct tally t;

    pogo_memset(&t, 0, sizeof(t));
    if (h->pool_count == 0 || h->pool_count > MAX_POOLS)
        return false;
    for (size_t i = 0; i < h->pool_count; i++) {
        if (!check_pool(&h->pools[i], &t))
            return false;
    }
    for (unsigned order = 0; order <= MAX_ORDER; order++) {
        if (!check_list(h, order, t.free_blocks[order]))
            return false;
    }
    if (h->nonempty & ~(~0ull << MIN_ORDER))
        return false;
    return t.used == h->used;
}
