/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * A TLSF (two-level segregated fit) allocator behind backend.h, following
 * the design published by Masmano et al. Free blocks sit in size-class lists
 * found through a two-level bitmap, so alloc and free take constant time,
 * except that finding the pool of a freed pointer is linear in the pools.
 */
#include <pogo/compiler.h>
#include <pogo/errno.h>
#include <pogo/string.h>

#include "backend.h"

/*
 * Size classes: spans below SMALL_SPAN get one list per 16-byte step, and
 * above it each range [2^n, 2^(n+1)) is split into SL_COUNT equal parts. A
 * block's span is its header plus its payload. Spans stay below SPAN_LIMIT,
 * which bounds the size of a pool.
 */
#define ALIGN_LOG2      4
#define ALIGN_SIZE      (1ull << ALIGN_LOG2)
#define SL_LOG2         5
#define SL_COUNT        (1u << SL_LOG2)
#define FL_SHIFT        (SL_LOG2 + ALIGN_LOG2)
#define SMALL_SPAN      (1ull << FL_SHIFT)
#define SPAN_LIMIT_LOG2 47
#define SPAN_LIMIT      (1ull << SPAN_LIMIT_LOG2)
#define MAX_SPAN        (SPAN_LIMIT - ALIGN_SIZE)
#define FL_COUNT        (SPAN_LIMIT_LOG2 - FL_SHIFT + 1)
#define MAX_POOL_SIZE   (SPAN_LIMIT - BACKEND_POOL_ALIGN)

/*
 * The info word of a block header: bit 0 marks a free block, bits 4..46 hold
 * the span (a multiple of 16), bits 48..63 hold BLOCK_MAGIC. Any other bit
 * set means the header was overwritten.
 */
#define BLOCK_FREE    1ull
#define SPAN_MASK     ((SPAN_LIMIT - 1) & ~(ALIGN_SIZE - 1))
#define MAGIC_MASK    (0xffffull << 48)
#define BLOCK_MAGIC   (0x7a5full << 48)
#define RESERVED_BITS (~(MAGIC_MASK | SPAN_MASK | BLOCK_FREE))

/*
 * A block: a 16-byte header, then the payload, which is therefore 16-byte
 * aligned. prev_phys always points to the physically previous block (NULL
 * for the first block of a pool), so free can coalesce in both directions
 * and a pointer handed to free can be checked against both neighbours. A
 * free block keeps its list links in the first 16 bytes of its payload.
 */
struct block {
    struct block *prev_phys;
    uint64_t info;
    struct block *next_free;
    struct block *prev_free;
};

#define HEADER_SIZE offsetof(struct block, next_free)
#define MIN_SPAN    sizeof(struct block)

/*
 * The descriptor at the start of each pool. The blocks follow it and end in
 * a sentinel: a used header of span 0 that stops coalescing at the pool end.
 */
struct pool {
    struct pool *next;
    uintptr_t base; /* the range the caller gave, returned on release */
    size_t size;
    struct block *first;
    struct block *sentinel;
} POGO_ALIGNED(16);

/* Smallest region that holds a pool descriptor, one block and a sentinel. */
#define MIN_POOL_REGION (sizeof(struct pool) + MIN_SPAN + HEADER_SIZE)

struct heap_backend {
    uint64_t fl_bitmap;           /* bit f: some list in row f is non-empty */
    uint32_t sl_bitmap[FL_COUNT]; /* bit s of row f: heads[f][s] non-empty */
    struct block *heads[FL_COUNT][SL_COUNT];
    struct pool *pools; /* the first pool, then the others */
    size_t pool_count;
    size_t used;
} POGO_ALIGNED(16);

POGO_STATIC_ASSERT(sizeof(struct block) == 32, "block header layout");
POGO_STATIC_ASSERT(sizeof(struct pool) % ALIGN_SIZE == 0, "pool alignment");
POGO_STATIC_ASSERT(FL_COUNT <= 64, "fl_bitmap has one bit per row");

static size_t span_of(const struct block *b)
{
    return b->info & SPAN_MASK;
}

static bool is_free(const struct block *b)
{
    return b->info & BLOCK_FREE;
}

static bool header_is_valid(const struct block *b)
{
    return (b->info & (MAGIC_MASK | RESERVED_BITS)) == BLOCK_MAGIC;
}

static void set_header(struct block *b, size_t span, bool free)
{
    b->info = BLOCK_MAGIC | span | (free ? BLOCK_FREE : 0);
}

static struct block *next_phys(const struct block *b)
{
    return (struct block *)((uintptr_t)b + span_of(b));
}

static struct block *block_at(uintptr_t addr)
{
    return (struct block *)addr;
}

static void *payload_of(struct block *b)
{
    return (char *)b + HEADER_SIZE;
}

/* Span of a block with size payload bytes, for a size of at most MAX_SPAN. */
static size_t request_span(size_t size)
{
    return POGO_ALIGN_UP(POGO_MAX(size, ALIGN_SIZE), ALIGN_SIZE) + HEADER_SIZE;
}

static unsigned floor_log2(uint64_t x)
{
    return 63 - (unsigned)__builtin_clzll(x);
}

static void map_span(size_t span, unsigned *fl, unsigned *sl)
{
    if (span < SMALL_SPAN) {
        *fl = 0;
        *sl = span >> ALIGN_LOG2;
        return;
    }

    unsigned top = floor_log2(span);

    *fl = top - FL_SHIFT + 1;
    *sl = (span >> (top - SL_LOG2)) - SL_COUNT;
}

static void insert_free(struct heap_backend *h, struct block *b)
{
    unsigned fl, sl;

    map_span(span_of(b), &fl, &sl);
    b->prev_free = NULL;
    b->next_free = h->heads[fl][sl];
    if (b->next_free)
        b->next_free->prev_free = b;
    h->heads[fl][sl] = b;
    h->sl_bitmap[fl] |= 1u << sl;
    h->fl_bitmap |= 1ull << fl;
}

static void remove_free(struct heap_backend *h, struct block *b)
{
    unsigned fl, sl;

    map_span(span_of(b), &fl, &sl);
    if (b->prev_free)
        b->prev_free->next_free = b->next_free;
    else
        h->heads[fl][sl] = b->next_free;
    if (b->next_free)
        b->next_free->prev_free = b->prev_free;

    if (h->heads[fl][sl])
        return;
    h->sl_bitmap[fl] &= ~(1u << sl);
    if (!h->sl_bitmap[fl])
        h->fl_bitmap &= ~(1ull << fl);
}

/*
 * Finds a free block of at least span bytes. The request is rounded up to
 * the next class boundary first, so that every block in the list found is
 * large enough and the first one can be taken without a search.
 */
static struct block *find_free(struct heap_backend *h, size_t span)
{
    unsigned fl, sl;

    if (span >= SMALL_SPAN) {
        span += (1ull << (floor_log2(span) - SL_LOG2)) - 1;
    }
    if (span >= SPAN_LIMIT)
        return NULL;
    map_span(span, &fl, &sl);

    uint32_t sl_map = h->sl_bitmap[fl] & (~0u << sl);

    if (!sl_map) {
        uint64_t fl_map = h->fl_bitmap & (~0ull << (fl + 1));

        if (!fl_map)
            return NULL;
        fl = __builtin_ctzll(fl_map);
        sl_map = h->sl_bitmap[fl];
    }
    sl = __builtin_ctz(sl_map);
    return h->heads[fl][sl];
}

static struct block *take_free(struct heap_backend *h, size_t span)
{
    struct block *b = find_free(h, span);

    if (b)
        remove_free(h, b);
    return b;
}

/*
 * Takes a free block in which a payload aligned to align can start with span
 * bytes behind it. The leading gap becomes a free block of its own, so it
 * needs at least MIN_SPAN bytes. A gap of 16 is therefore widened by one more
 * align step, and the extra align + 16 bytes in the request pay for that.
 */
static struct block *take_aligned(struct heap_backend *h, size_t span,
                                  size_t align)
{
    struct block *b = take_free(h, span + align + HEADER_SIZE);

    if (!b)
        return NULL;

    uintptr_t data = (uintptr_t)payload_of(b);
    size_t gap = POGO_ALIGN_UP(data, align) - data;

    if (gap == 0)
        return b;
    if (gap < MIN_SPAN)
        gap += align;

    struct block *rest = block_at((uintptr_t)b + gap);

    /* b's physical neighbours are both used, so the gap cannot merge. */
    set_header(rest, span_of(b) - gap, true);
    rest->prev_phys = b;
    next_phys(rest)->prev_phys = rest;
    set_header(b, gap, true);
    insert_free(h, b);
    return rest;
}

/*
 * Marks b used with a span of at least span bytes and gives the excess back
 * as a free block when it is large enough to be one, merged with the next
 * block when that is free.
 */
static void trim_used(struct heap_backend *h, struct block *b, size_t span)
{
    size_t excess = span_of(b) - span;

    if (excess < MIN_SPAN) {
        set_header(b, span_of(b), false);
        return;
    }

    struct block *tail = block_at((uintptr_t)b + span);
    struct block *next = next_phys(b);

    set_header(b, span, false);
    tail->prev_phys = b;
    if (is_free(next)) {
        remove_free(h, next);
        excess += span_of(next);
    }
    set_header(tail, excess, true);
    next_phys(tail)->prev_phys = tail;
    insert_free(h, tail);
}

/* Grows used block b over its free successor when that gives need bytes. */
static bool absorb_next(struct heap_backend *h, struct block *b, size_t need)
{
    struct block *next = next_phys(b);

    if (!is_free(next) || span_of(b) + span_of(next) < need)
        return false;

    remove_free(h, next);
    set_header(b, span_of(b) + span_of(next), false);
    next_phys(b)->prev_phys = b;
    return true;
}

/* The pool whose blocks (sentinel excluded) contain addr, or NULL. */
static struct pool *pool_of(struct heap_backend *h, uintptr_t addr)
{
    for (struct pool *pool = h->pools; pool; pool = pool->next) {
        if (addr >= (uintptr_t)pool->first && addr < (uintptr_t)pool->sentinel)
            return pool;
    }
    return NULL;
}

/*
 * Checks that block b of pool, whose header is valid, is where its
 * neighbours record it: inside the pool, pointed at by the next block's
 * prev_phys, and right after its own prev_phys.
 */
static bool links_are_consistent(const struct pool *pool, const struct block *b)
{
    uintptr_t addr = (uintptr_t)b;
    uintptr_t first = (uintptr_t)pool->first;
    size_t span = span_of(b);

    if (span < MIN_SPAN || span > (uintptr_t)pool->sentinel - addr)
        return false;

    const struct block *next = next_phys(b);

    if (!header_is_valid(next) || next->prev_phys != b)
        return false;
    if (addr == first)
        return b->prev_phys == NULL;

    uintptr_t prev = (uintptr_t)b->prev_phys;

    if (prev < first || prev >= addr || (prev & (ALIGN_SIZE - 1)))
        return false;
    return header_is_valid(block_at(prev)) &&
           prev + span_of(block_at(prev)) == addr;
}

/*
 * The used block whose payload starts at p, or NULL when p is not one: a
 * pointer from outside the pools, into the middle of a block, or to a block
 * that is already free.
 */
static struct block *used_block_of(struct heap_backend *h, void *p)
{
    uintptr_t data = (uintptr_t)p;

    if (!p || (data & (ALIGN_SIZE - 1)))
        return NULL;

    struct pool *pool = pool_of(h, data - HEADER_SIZE);

    if (!pool)
        return NULL;

    struct block *b = block_at(data - HEADER_SIZE);

    if (!header_is_valid(b) || is_free(b))
        return NULL;
    if (!links_are_consistent(pool, b))
        return NULL;
    return b;
}

static bool overlaps_pool(struct heap_backend *h, uintptr_t base, size_t size)
{
    for (struct pool *pool = h->pools; pool; pool = pool->next) {
        if (base < pool->base + pool->size && pool->base < base + size)
            return true;
    }
    return false;
}

/*
 * Lays out a pool in [start, start + size), which has at least
 * MIN_POOL_REGION bytes and starts 16-byte aligned, and records [base,
 * base + base_size) as the range to hand back on release.
 */
static void init_pool(struct heap_backend *h, uintptr_t start, size_t size,
                      uintptr_t base, size_t base_size)
{
    struct pool *pool = (struct pool *)start;
    uintptr_t end = POGO_ALIGN_DOWN(start + size, ALIGN_SIZE);
    struct block *first = block_at(start + sizeof(*pool));
    struct block *sentinel = block_at(end - HEADER_SIZE);

    first->prev_phys = NULL;
    set_header(first, (uintptr_t)sentinel - (uintptr_t)first, true);
    sentinel->prev_phys = first;
    set_header(sentinel, 0, false);

    pool->base = base;
    pool->size = base_size;
    pool->first = first;
    pool->sentinel = sentinel;
    if (h->pools) {
        pool->next = h->pools->next;
        h->pools->next = pool;
    } else {
        pool->next = NULL;
        h->pools = pool;
    }
    h->pool_count++;
    insert_free(h, first);
}

/*
 * The control data takes the start of the first pool. Memory beyond
 * MAX_POOL_SIZE is left unused, but the whole range counts as the pool.
 */
struct heap_backend *backend_create(void *mem, size_t size)
{
    uintptr_t base = (uintptr_t)mem;
    size_t control = POGO_ALIGN_UP(sizeof(struct heap_backend), ALIGN_SIZE);

    if (!mem || (base & (BACKEND_POOL_ALIGN - 1)))
        return NULL;
    if (size > UINTPTR_MAX - base || size < control + MIN_POOL_REGION)
        return NULL;

    struct heap_backend *h = mem;

    pogo_memset(h, 0, sizeof(*h));
    init_pool(h, base + control, POGO_MIN(size, MAX_POOL_SIZE) - control, base,
              size);
    return h;
}

/*
 * Rejects with -EINVAL, and uses none of it, a pool larger than
 * MAX_POOL_SIZE (just under 128 TiB) or one that overlaps a pool already
 * added.
 */
int backend_add_pool(struct heap_backend *h, void *mem, size_t size)
{
    uintptr_t base = (uintptr_t)mem;

    if (!mem || (base & (BACKEND_POOL_ALIGN - 1)))
        return -EINVAL;
    if (size < BACKEND_MIN_POOL || size > MAX_POOL_SIZE)
        return -EINVAL;
    if (size > UINTPTR_MAX - base || overlaps_pool(h, base, size))
        return -EINVAL;

    init_pool(h, base, size, base, size);
    return 0;
}

/* An align below 16 is served as 16. One not a power of two fails. */
void *backend_alloc(struct heap_backend *h, size_t size, size_t align)
{
    if (align < ALIGN_SIZE)
        align = ALIGN_SIZE;
    if (align & (align - 1))
        return NULL;
    if (size > MAX_SPAN || align > MAX_SPAN)
        return NULL;

    size_t span = request_span(size);
    struct block *b;

    if (align == ALIGN_SIZE)
        b = take_free(h, span);
    else
        b = take_aligned(h, span, align);
    if (!b)
        return NULL;

    trim_used(h, b, span);
    h->used += span_of(b);
    return payload_of(b);
}

/* A pointer that is not a live block (double free, foreign) is ignored. */
void backend_free(struct heap_backend *h, void *p)
{
    struct block *b = used_block_of(h, p);

    if (!b)
        return;

    size_t span = span_of(b);

    h->used -= span;
    /* Left behind inside a merged block, the header must still read free. */
    set_header(b, span, true);

    struct block *next = next_phys(b);
    struct block *prev = b->prev_phys;

    if (is_free(next)) {
        remove_free(h, next);
        span += span_of(next);
    }
    if (prev && is_free(prev)) {
        remove_free(h, prev);
        span += span_of(prev);
        b = prev;
    }
    set_header(b, span, true);
    next_phys(b)->prev_phys = b;
    insert_free(h, b);
}

bool backend_resize(struct heap_backend *h, void *p, size_t size)
{
    struct block *b = used_block_of(h, p);

    if (!b || size > MAX_SPAN)
        return false;

    size_t need = request_span(size);
    size_t old = span_of(b);

    if (need > old && !absorb_next(h, b, need))
        return false;

    trim_used(h, b, need);
    h->used = h->used - old + span_of(b);
    return true;
}

/* Returns 0 for a pointer that is not a live block. */
size_t backend_usable_size(struct heap_backend *h, void *p)
{
    struct block *b = used_block_of(h, p);

    return b ? span_of(b) - HEADER_SIZE : 0;
}

bool backend_release_empty_pool(struct heap_backend *h, void **mem,
                                size_t *size)
{
    if (!mem || !size)
        return false;

    for (struct pool **link = &h->pools->next; *link; link = &(*link)->next) {
        struct pool *pool = *link;
        struct block *first = pool->first;

        if (!is_free(first) || next_phys(first) != pool->sentinel)
            continue;

        remove_free(h, first);
        *link = pool->next;
        h->pool_count--;
        *mem = (void *)pool->base;
        *size = pool->size;
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
    size_t free_blocks;
    size_t used;
};

static bool class_is_marked(const struct heap_backend *h, size_t span)
{
    unsigned fl, sl;

    map_span(span, &fl, &sl);
    return (h->sl_bitmap[fl] >> sl) & 1;
}

static bool check_block(const struct heap_backend *h, const struct pool *pool,
                        const struct block *b, const struct block *prev)
{
    uintptr_t addr = (uintptr_t)b;
    size_t span = span_of(b);

    if (!header_is_valid(b) || b->prev_phys != prev)
        return false;
    if (span < MIN_SPAN || span > (uintptr_t)pool->sentinel - addr)
        return false;
    if (!is_free(b))
        return true;
    /* Two free neighbours mean a free that did not coalesce. */
    if (prev && is_free(prev))
        return false;
    return class_is_marked(h, span);
}

static bool check_pool(const struct heap_backend *h, const struct pool *pool,
                       struct tally *t)
{
    uintptr_t first = (uintptr_t)pool->first;
    uintptr_t sentinel = (uintptr_t)pool->sentinel;

    if (first != (uintptr_t)(pool + 1) || sentinel <= first)
        return false;
    if (sentinel + HEADER_SIZE > pool->base + pool->size)
        return false;

    const struct block *prev = NULL;
    const struct block *b = pool->first;

    while (b != pool->sentinel) {
        if (!check_block(h, pool, b, prev))
            return false;
        if (is_free(b))
            t->free_blocks++;
        else
            t->used += span_of(b);
        prev = b;
        b = next_phys(b);
    }
    return header_is_valid(b) && b->info == BLOCK_MAGIC && b->prev_phys == prev;
}

static bool check_listed_block(struct heap_backend *h, const struct block *b,
                               const struct block *prev, unsigned fl,
                               unsigned sl)
{
    unsigned block_fl, block_sl;

    /* Test the address before reading through it. */
    if (((uintptr_t)b & (ALIGN_SIZE - 1)) || !pool_of(h, (uintptr_t)b))
        return false;
    if (!header_is_valid(b) || !is_free(b) || b->prev_free != prev)
        return false;
    map_span(span_of(b), &block_fl, &block_sl);
    return block_fl == fl && block_sl == sl;
}

/* Walks one list. A list longer than the free blocks counted is a cycle. */
static bool check_list(struct heap_backend *h, unsigned fl, unsigned sl,
                       size_t free_blocks, size_t *seen)
{
    const struct block *b = h->heads[fl][sl];
    const struct block *prev = NULL;
    bool marked = (h->sl_bitmap[fl] >> sl) & 1;

    if (marked != (b != NULL))
        return false;
    for (; b; prev = b, b = b->next_free) {
        if (++*seen > free_blocks)
            return false;
        if (!check_listed_block(h, b, prev, fl, sl))
            return false;
    }
    return true;
}

static bool check_free_lists(struct heap_backend *h, const struct tally *t)
{
    size_t seen = 0;

    if (h->fl_bitmap >> FL_COUNT)
        return false;
    for (unsigned fl = 0; fl < FL_COUNT; fl++) {
        bool marked = (h->fl_bitmap >> fl) & 1;

        if (marked != (h->sl_bitmap[fl] != 0))
            return false;
        for (unsigned sl = 0; sl < SL_COUNT; sl++) {
            if (!check_list(h, fl, sl, t->free_blocks, &seen))
                return false;
        }
    }
    return seen == t->free_blocks;
}

bool backend_check(struct heap_backend *h)
{
    struct tally t = {0, 0};
    size_t pools = 0;

    for (const struct pool *pool = h->pools; pool; pool = pool->next) {
        if (++pools > h->pool_count)
            return false;
        if (!check_pool(h, pool, &t))
            return false;
    }
    if (pools != h->pool_count)
        return false;
    if (!check_free_lists(h, &t))
        return false;
    return t.used == h->used;
}
