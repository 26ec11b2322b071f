/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Host tests for the heap allocators behind lib/alloc/backend.h. The file
 * is built once per implementation (ALLOC_NAME is "tlsf" or "buddy"), and
 * both must pass every case.
 */
#include <pogo/compiler.h>
#include <pogo/errno.h>

#include "backend.h"
#include "unit.h"

#ifndef ALLOC_NAME
#error "build with -DALLOC_NAME=\"tlsf\" or -DALLOC_NAME=\"buddy\""
#endif

#define KIB 1024u
#define MIB (1024u * 1024u)

/* Enough for the control data of either allocator plus some blocks. */
#define SMALL_POOL (16 * KIB)

#define MAX_LIVE 4096

/*
 * Pool memory from the host heap. A power-of-two size is aligned to itself,
 * so the buddy allocator can use it as one block.
 */
static void *pool_memory(size_t size)
{
    size_t align = (size & (size - 1)) ? BACKEND_POOL_ALIGN : size;
    void *mem = aligned_alloc(align, size);

    if (!mem) {
        fprintf(stderr, "alloc_test: out of host memory for a %zu-byte pool\n",
                size);
        exit(2);
    }
    return mem;
}

static struct heap_backend *heap_create(size_t size, void **mem)
{
    *mem = pool_memory(size);
    return backend_create(*mem, size);
}

/* splitmix64: a small seeded generator, so failures replay exactly. */
static uint64_t next_random(uint64_t *state)
{
    uint64_t z = (*state += 0x9e3779b97f4a7c15ull);

    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

static size_t random_below(uint64_t *state, size_t n)
{
    return next_random(state) % n;
}

/* The live blocks of a test, with the byte each one is filled with. */
struct live_block {
    unsigned char *p;
    size_t size; /* bytes filled: the usable size */
    unsigned char tag;
};

struct live_set {
    struct live_block blocks[MAX_LIVE];
    size_t count;
    unsigned next_tag;
};

static bool ranges_overlap(const unsigned char *a, size_t an,
                           const unsigned char *b, size_t bn)
{
    return a < b + bn && b < a + an;
}

static bool overlaps_live(const struct live_set *set, const unsigned char *p,
                          size_t n, size_t skip)
{
    for (size_t i = 0; i < set->count; i++) {
        const struct live_block *b = &set->blocks[i];

        if (i != skip && ranges_overlap(p, n, b->p, b->size))
            return true;
    }
    return false;
}

static bool pattern_intact(const unsigned char *p, size_t n, unsigned char tag)
{
    for (size_t i = 0; i < n; i++) {
        if (p[i] != tag)
            return false;
    }
    return true;
}

/* Records p, checks it against the other live blocks, and fills it. */
static void track(struct heap_backend *h, struct live_set *set, void *p)
{
    struct live_block *b = &set->blocks[set->count];
    size_t usable = backend_usable_size(h, p);

    CHECK(!overlaps_live(set, p, usable, SIZE_MAX));
    b->p = p;
    b->size = usable;
    b->tag = (unsigned char)(set->next_tag++ * 37 + 1);
    memset(b->p, b->tag, b->size);
    set->count++;
}

static void untrack(struct heap_backend *h, struct live_set *set, size_t i)
{
    struct live_block *b = &set->blocks[i];

    CHECK(pattern_intact(b->p, b->size, b->tag));
    backend_free(h, b->p);
    set->blocks[i] = set->blocks[--set->count];
}

static void untrack_all(struct heap_backend *h, struct live_set *set)
{
    while (set->count > 0)
        untrack(h, set, set->count - 1);
}

static bool all_patterns_intact(const struct live_set *set)
{
    for (size_t i = 0; i < set->count; i++) {
        const struct live_block *b = &set->blocks[i];

        if (!pattern_intact(b->p, b->size, b->tag))
            return false;
    }
    return true;
}

/* Allocates size-byte blocks until the heap is full; returns how many. */
static size_t fill_heap(struct heap_backend *h, struct live_set *set,
                        size_t size)
{
    size_t n = 0;
    void *p;

    while (set->count < MAX_LIVE && (p = backend_alloc(h, size, 16))) {
        track(h, set, p);
        n++;
    }
    return n;
}

/* The largest size that backend_alloc can serve right now. */
static size_t largest_alloc(struct heap_backend *h, size_t limit)
{
    size_t lo = 0, hi = limit;

    while (lo < hi) {
        size_t mid = lo + (hi - lo + 1) / 2;
        void *p = backend_alloc(h, mid, 16);

        if (p) {
            backend_free(h, p);
            lo = mid;
        } else {
            hi = mid - 1;
        }
    }
    return lo;
}

static bool inside(const void *p, size_t n, const void *mem, size_t size)
{
    const unsigned char *c = p, *m = mem;

    return c >= m && n <= size && c - m <= (ptrdiff_t)(size - n);
}

TEST(create_rejects_too_small_memory)
{
    void *mem = pool_memory(4096);

    CHECK(backend_create(mem, 0) == NULL);
    CHECK(backend_create(mem, 64) == NULL);
    free(mem);
}

TEST(create_rejects_unaligned_memory)
{
    unsigned char *mem = pool_memory(64 * KIB);

    CHECK(backend_create(mem + 16, 32 * KIB) == NULL);
    CHECK(backend_create(NULL, 32 * KIB) == NULL);
    free(mem);
}

TEST(new_heap_passes_check_with_no_bytes_used)
{
    void *mem;
    struct heap_backend *h = heap_create(64 * KIB, &mem);

    CHECK(h != NULL);
    CHECK(backend_check(h));
    CHECK_EQ(backend_used_bytes(h), 0);
    free(mem);
}

TEST(alloc_returns_aligned_blocks)
{
    static const size_t sizes[] = {0, 1, 15, 16, 17, 31, 33, 100, 255, 1000};
    void *mem;
    struct heap_backend *h = heap_create(256 * KIB, &mem);

    for (size_t align = 16; align <= 1024; align *= 2) {
        for (size_t i = 0; i < POGO_ARRAY_SIZE(sizes); i++) {
            void *p = backend_alloc(h, sizes[i], align);

            CHECK(p != NULL);
            CHECK_EQ((uintptr_t)p % align, 0);
            CHECK(inside(p, sizes[i], mem, 256 * KIB));
        }
    }
    CHECK(backend_check(h));
    free(mem);
}

TEST(page_aligned_alloc_returns_page_aligned_blocks)
{
    struct live_set *set = calloc(1, sizeof(*set));
    void *mem;
    struct heap_backend *h = heap_create(256 * KIB, &mem);
    void *p;

    while ((p = backend_alloc(h, 100 + set->count * 512, 4096))) {
        CHECK_EQ((uintptr_t)p % 4096, 0);
        CHECK(backend_usable_size(h, p) >= 100 + set->count * 512);
        track(h, set, p);
    }
    CHECK(set->count >= 8);
    CHECK(backend_check(h));
    CHECK(all_patterns_intact(set));
    untrack_all(h, set);
    CHECK(backend_check(h));
    CHECK_EQ(backend_used_bytes(h), 0);
    free(mem);
    free(set);
}

TEST(alloc_rejects_invalid_requests)
{
    void *mem;
    struct heap_backend *h = heap_create(64 * KIB, &mem);

    CHECK(backend_alloc(h, 16, 24) == NULL);
    CHECK(backend_alloc(h, 16, 48) == NULL);
    CHECK(backend_alloc(h, 16, (size_t)1 << 63) == NULL);
    CHECK(backend_alloc(h, SIZE_MAX, 16) == NULL);
    CHECK(backend_alloc(h, SIZE_MAX - 15, 16) == NULL);
    CHECK(backend_alloc(h, SIZE_MAX / 2, 4096) == NULL);
    CHECK(backend_alloc(h, 128 * KIB, 16) == NULL);
    CHECK(backend_check(h));
    CHECK_EQ(backend_used_bytes(h), 0);
    free(mem);
}

TEST(usable_size_is_at_least_requested)
{
    void *mem;
    struct heap_backend *h = heap_create(1 * MIB, &mem);

    for (size_t size = 0; size <= 4096; size += 7) {
        void *p = backend_alloc(h, size, 16);

        CHECK(p != NULL);
        CHECK(backend_usable_size(h, p) >= size);
        memset(p, 0xa5, backend_usable_size(h, p));
        backend_free(h, p);
    }
    for (size_t align = 32; align <= 4096; align *= 2) {
        void *p = backend_alloc(h, 300, align);

        CHECK(p != NULL);
        CHECK(backend_usable_size(h, p) >= 300);
        backend_free(h, p);
    }
    CHECK(backend_check(h));
    free(mem);
}

TEST(zero_size_gives_unique_blocks)
{
    struct live_set *set = calloc(1, sizeof(*set));
    void *mem;
    struct heap_backend *h = heap_create(64 * KIB, &mem);

    for (int i = 0; i < 100; i++) {
        void *p = backend_alloc(h, 0, 16);

        CHECK(p != NULL);
        if (!p)
            break;
        /* track() fails the case if this block overlaps an earlier one. */
        track(h, set, p);
    }
    CHECK_EQ(set->count, 100);
    CHECK(backend_check(h));
    untrack_all(h, set);
    CHECK_EQ(backend_used_bytes(h), 0);
    free(mem);
    free(set);
}

TEST(allocations_never_overlap)
{
    struct live_set *set = calloc(1, sizeof(*set));
    uint64_t seed = 42;
    void *mem;
    struct heap_backend *h = heap_create(512 * KIB, &mem);

    for (int round = 0; round < 4; round++) {
        void *p;

        do {
            size_t size = random_below(&seed, 700);
            size_t align = (size_t)16 << random_below(&seed, 6);

            p = backend_alloc(h, size, align);
            if (p) {
                CHECK(inside(p, backend_usable_size(h, p), mem, 512 * KIB));
                track(h, set, p);
            }
        } while (p && set->count < MAX_LIVE);

        /* Free every other block, so the next round fills holes. */
        for (size_t i = set->count; i-- > 0;) {
            if (random_below(&seed, 2))
                untrack(h, set, i);
        }
        CHECK(backend_check(h));
    }
    CHECK(all_patterns_intact(set));
    untrack_all(h, set);
    CHECK_EQ(backend_used_bytes(h), 0);
    free(mem);
    free(set);
}

TEST(full_pool_returns_null)
{
    struct live_set *set = calloc(1, sizeof(*set));
    void *mem;
    struct heap_backend *h = heap_create(64 * KIB, &mem);

    CHECK(fill_heap(h, set, 100) > 100);
    CHECK(set->count < MAX_LIVE);
    CHECK(backend_alloc(h, 100, 16) == NULL);
    CHECK(backend_check(h));

    untrack(h, set, set->count / 2);
    void *p = backend_alloc(h, 100, 16);

    CHECK(p != NULL);
    backend_free(h, p);
    untrack_all(h, set);
    free(mem);
    free(set);
}

TEST(freed_neighbours_coalesce)
{
    struct live_set *set = calloc(1, sizeof(*set));
    void *mem;
    struct heap_backend *h = heap_create(64 * KIB, &mem);
    size_t largest = largest_alloc(h, 64 * KIB);

    CHECK(largest >= 16 * KIB);
    CHECK(fill_heap(h, set, 48) > 100);
    CHECK(largest_alloc(h, 64 * KIB) < 48);

    /* Free from both ends inwards, so blocks merge on either side. */
    for (size_t i = 0; i < set->count; i += 2)
        backend_free(h, set->blocks[i].p);
    CHECK(backend_check(h));
    for (size_t i = 1; i < set->count; i += 2)
        backend_free(h, set->blocks[i].p);
    set->count = 0;

    CHECK(backend_check(h));
    CHECK_EQ(backend_used_bytes(h), 0);
    CHECK_EQ(largest_alloc(h, 64 * KIB), largest);
    free(mem);
    free(set);
}

TEST(used_bytes_track_live_blocks)
{
    void *mem;
    struct heap_backend *h = heap_create(64 * KIB, &mem);
    void *a = backend_alloc(h, 100, 16);
    size_t after_a = backend_used_bytes(h);
    void *b = backend_alloc(h, 1000, 64);

    CHECK(after_a >= 100);
    CHECK(backend_used_bytes(h) >= after_a + 1000);
    backend_free(h, b);
    CHECK_EQ(backend_used_bytes(h), after_a);
    backend_free(h, a);
    CHECK_EQ(backend_used_bytes(h), 0);
    free(mem);
}

TEST(second_pool_serves_when_first_is_full)
{
    struct live_set *set = calloc(1, sizeof(*set));
    void *mem;
    struct heap_backend *h = heap_create(SMALL_POOL, &mem);
    void *more = pool_memory(64 * KIB);

    CHECK(fill_heap(h, set, 100) > 0);
    CHECK(backend_alloc(h, 100, 16) == NULL);
    CHECK_EQ(backend_add_pool(h, more, 64 * KIB), 0);
    CHECK(backend_check(h));

    void *p = backend_alloc(h, 100, 16);

    CHECK(p != NULL);
    CHECK(inside(p, 100, more, 64 * KIB));
    track(h, set, p);
    CHECK(fill_heap(h, set, 100) > 100);
    CHECK(backend_check(h));
    untrack_all(h, set);
    CHECK_EQ(backend_used_bytes(h), 0);
    CHECK(backend_check(h));
    free(mem);
    free(more);
    free(set);
}

TEST(add_pool_rejects_invalid_ranges)
{
    void *mem;
    struct heap_backend *h = heap_create(64 * KIB, &mem);
    unsigned char *more = pool_memory(64 * KIB);

    CHECK_EQ(backend_add_pool(h, more, BACKEND_MIN_POOL - 16), -EINVAL);
    CHECK_EQ(backend_add_pool(h, more + 16, 32 * KIB), -EINVAL);
    CHECK_EQ(backend_add_pool(h, NULL, 32 * KIB), -EINVAL);
    CHECK_EQ(backend_add_pool(h, mem, 32 * KIB), -EINVAL);
    CHECK_EQ(backend_add_pool(h, (char *)mem + 32 * KIB, 32 * KIB), -EINVAL);
    CHECK_EQ(backend_add_pool(h, (void *)(UINTPTR_MAX & ~4095ull), 8192),
             -EINVAL);
    CHECK_EQ(backend_add_pool(h, more, 32 * KIB), 0);
    CHECK_EQ(backend_add_pool(h, more + 16 * KIB, 32 * KIB), -EINVAL);
    CHECK(backend_check(h));
    free(mem);
    free(more);
}

TEST(odd_sized_pool_is_fully_used)
{
    struct live_set *set = calloc(1, sizeof(*set));
    size_t odd = 7 * 4096;
    void *mem;
    struct heap_backend *h = heap_create(SMALL_POOL, &mem);
    void *more = pool_memory(odd);

    fill_heap(h, set, 64);
    size_t before = backend_used_bytes(h);

    CHECK_EQ(backend_add_pool(h, more, odd), 0);
    CHECK(fill_heap(h, set, 64) > 0);
    CHECK(set->count < MAX_LIVE);
    CHECK(backend_used_bytes(h) - before >= odd * 95 / 100);
    CHECK(backend_check(h));
    untrack_all(h, set);
    free(mem);
    free(more);
    free(set);
}

/*
 * A heap whose first pool is full, so that new blocks come in address order
 * from a fresh 64 KiB pool aligned to its size.
 */
static struct heap_backend *heap_with_fresh_pool(struct live_set *set,
                                                 void **mem, void **more)
{
    struct heap_backend *h = heap_create(SMALL_POOL, mem);

    fill_heap(h, set, 0);
    *more = pool_memory(64 * KIB);
    CHECK_EQ(backend_add_pool(h, *more, 64 * KIB), 0);
    return h;
}

TEST(resize_grows_in_place_when_next_is_free)
{
    struct live_set *set = calloc(1, sizeof(*set));
    void *mem, *more;
    struct heap_backend *h = heap_with_fresh_pool(set, &mem, &more);
    unsigned char *a = backend_alloc(h, 16, 16);
    unsigned char *b = backend_alloc(h, 16, 16);
    unsigned char *c = backend_alloc(h, 16, 16);

    CHECK(a != NULL);
    CHECK(b != NULL);
    CHECK(c != NULL);
    memset(a, 0x3c, 16);
    backend_free(h, b);

    bool grown = backend_resize(h, a, 40);

    CHECK(grown);
    CHECK(backend_usable_size(h, a) >= 40);
    CHECK(pattern_intact(a, 16, 0x3c));
    if (grown)
        memset(a, 0x3d, 40);
    CHECK(backend_check(h));

    /* The grown block took b's place: a new block must not land on it. */
    unsigned char *d = backend_alloc(h, 16, 16);

    CHECK(d != NULL);
    CHECK(!ranges_overlap(d, 16, a, 40));
    CHECK(backend_check(h));
    free(mem);
    free(more);
    free(set);
}

TEST(resize_fails_when_next_is_used)
{
    void *mem;
    struct heap_backend *h = heap_create(64 * KIB, &mem);
    unsigned char *a = backend_alloc(h, 16, 16);
    unsigned char *b = backend_alloc(h, 16, 16);
    size_t usable = backend_usable_size(h, a);
    size_t used = backend_used_bytes(h);

    CHECK(a != NULL);
    CHECK(b != NULL);
    memset(a, 0x11, usable);
    memset(b, 0x22, backend_usable_size(h, b));
    CHECK(!backend_resize(h, a, 1000));
    CHECK_EQ(backend_usable_size(h, a), usable);
    CHECK_EQ(backend_used_bytes(h), used);
    CHECK(pattern_intact(a, usable, 0x11));
    CHECK(pattern_intact(b, backend_usable_size(h, b), 0x22));
    CHECK(backend_check(h));
    free(mem);
}

TEST(resize_shrinks_in_place_and_frees_tail)
{
    struct live_set *set = calloc(1, sizeof(*set));
    void *mem, *more;
    struct heap_backend *h = heap_with_fresh_pool(set, &mem, &more);
    unsigned char *p = backend_alloc(h, 8192, 16);
    size_t used = backend_used_bytes(h);

    CHECK(p != NULL);
    memset(p, 0x77, 8192);
    CHECK(backend_resize(h, p, 100));
    CHECK(backend_usable_size(h, p) >= 100);
    CHECK(backend_usable_size(h, p) < 8192);
    CHECK(backend_used_bytes(h) < used);
    CHECK(pattern_intact(p, 100, 0x77));
    CHECK(backend_check(h));

    /* Nothing took the freed tail, so the block grows back in place. */
    CHECK(backend_resize(h, p, 8192));
    CHECK(backend_usable_size(h, p) >= 8192);
    CHECK(pattern_intact(p, 100, 0x77));
    CHECK(backend_check(h));
    backend_free(h, p);
    untrack_all(h, set);
    CHECK_EQ(backend_used_bytes(h), 0);
    free(mem);
    free(more);
    free(set);
}

TEST(resize_keeps_aligned_block_aligned)
{
    void *mem;
    struct heap_backend *h = heap_create(256 * KIB, &mem);
    unsigned char *p = backend_alloc(h, 100, 4096);

    CHECK(p != NULL);
    memset(p, 0x44, 100);
    CHECK(backend_resize(h, p, 50));
    CHECK(backend_resize(h, p, 100));
    CHECK(backend_usable_size(h, p) >= 100);
    CHECK(pattern_intact(p, 50, 0x44));
    CHECK(backend_check(h));
    backend_free(h, p);
    CHECK_EQ(backend_used_bytes(h), 0);
    CHECK(backend_check(h));
    free(mem);
}

TEST(empty_pool_is_released)
{
    void *mem;
    struct heap_backend *h = heap_create(SMALL_POOL, &mem);
    void *more = pool_memory(64 * KIB);
    void *released = NULL;
    size_t released_size = 0;

    CHECK_EQ(backend_add_pool(h, more, 64 * KIB), 0);

    /* Too large for the first pool, so it comes from the second. */
    void *p = backend_alloc(h, 20000, 16);

    CHECK(p != NULL);
    CHECK(inside(p, 20000, more, 64 * KIB));
    CHECK(!backend_release_empty_pool(h, &released, &released_size));

    backend_free(h, p);
    CHECK(backend_release_empty_pool(h, &released, &released_size));
    CHECK(released == more);
    CHECK_EQ(released_size, 64 * KIB);
    CHECK(backend_check(h));
    CHECK(backend_alloc(h, 20000, 16) == NULL);
    CHECK(!backend_release_empty_pool(h, &released, &released_size));

    /* A stale pointer into the released pool must not reach it. */
    backend_free(h, p);
    CHECK(backend_check(h));
    free(mem);
    free(more);
}

TEST(first_pool_is_never_released)
{
    void *mem;
    struct heap_backend *h = heap_create(64 * KIB, &mem);
    void *released = NULL;
    size_t released_size = 0;

    CHECK(!backend_release_empty_pool(h, &released, &released_size));
    CHECK(released == NULL);
    CHECK(backend_alloc(h, 100, 16) != NULL);
    free(mem);
}

TEST(released_pool_can_be_added_again)
{
    void *mem;
    struct heap_backend *h = heap_create(SMALL_POOL, &mem);
    void *more = pool_memory(64 * KIB);
    void *released;
    size_t released_size;

    for (int i = 0; i < 3; i++) {
        CHECK_EQ(backend_add_pool(h, more, 64 * KIB), 0);
        void *p = backend_alloc(h, 20000, 16);

        CHECK(inside(p, 20000, more, 64 * KIB));
        backend_free(h, p);
        CHECK(backend_release_empty_pool(h, &released, &released_size));
        CHECK(backend_check(h));
    }
    free(mem);
    free(more);
}

TEST(many_pools_are_added_and_released)
{
    enum { POOLS = 200 };
    struct live_set *set = calloc(1, sizeof(*set));
    unsigned char *arena = pool_memory(POOLS * 4096);
    void *mem;
    struct heap_backend *h = heap_create(SMALL_POOL, &mem);
    void *blocks[POOLS];
    size_t added = 0;

    fill_heap(h, set, 0);

    /* An allocator with a pool table may stop at its limit with -ENOMEM. */
    for (size_t i = 0; i < POOLS; i++) {
        int err = backend_add_pool(h, arena + i * 4096, 4096);

        CHECK(err == 0 || err == -ENOMEM);
        CHECK(err == 0 || i > 0);
        if (err != 0)
            break;
        added++;
    }
    CHECK(added >= 64);
    CHECK(backend_check(h));

    /* The first pool is full, so these blocks come from the added ones. */
    for (size_t i = 0; i < added; i++) {
        blocks[i] = backend_alloc(h, 1024, 16);
        CHECK(inside(blocks[i], 1024, arena, POOLS * 4096));
    }
    CHECK(backend_check(h));
    for (size_t i = 0; i < added; i++)
        backend_free(h, blocks[i]);

    void *released;
    size_t released_size, count = 0;

    while (backend_release_empty_pool(h, &released, &released_size)) {
        CHECK(inside(released, released_size, arena, POOLS * 4096));
        CHECK_EQ(released_size, 4096);
        count++;
    }
    CHECK_EQ(count, added);
    untrack_all(h, set);
    CHECK_EQ(backend_used_bytes(h), 0);
    CHECK(backend_check(h));
    free(mem);
    free(arena);
    free(set);
}

TEST(double_free_is_ignored)
{
    void *mem;
    struct heap_backend *h = heap_create(64 * KIB, &mem);
    void *a = backend_alloc(h, 100, 16);
    unsigned char *b = backend_alloc(h, 100, 16);
    void *aligned = backend_alloc(h, 100, 256);

    CHECK(a != NULL);
    CHECK(b != NULL);
    CHECK(aligned != NULL);
    memset(b, 0x5b, 100);
    backend_free(h, a);
    backend_free(h, aligned);
    size_t used = backend_used_bytes(h);

    backend_free(h, a);
    backend_free(h, aligned);
    CHECK_EQ(backend_used_bytes(h), used);
    CHECK(backend_check(h));

    /* A free list corrupted by the second free would hand a block out twice. */
    void *c = backend_alloc(h, 100, 16);
    void *d = backend_alloc(h, 100, 16);

    CHECK(c != NULL);
    CHECK(d != NULL);
    CHECK(c != d);
    CHECK(pattern_intact(b, 100, 0x5b));
    CHECK(backend_check(h));
    free(mem);
}

TEST(foreign_pointer_is_ignored)
{
    _Alignas(16) unsigned char local[64];
    void *mem;
    struct heap_backend *h = heap_create(64 * KIB, &mem);
    unsigned char *outside = aligned_alloc(16, 64);
    unsigned char *a = backend_alloc(h, 256, 16);
    size_t used = backend_used_bytes(h);
    unsigned char *bad[] = {local + 16,
                            outside + 16,
                            a + 1,
                            a + 16,
                            a + 32,
                            a + 128,
                            (unsigned char *)mem,
                            (unsigned char *)mem + 16};

    CHECK(a != NULL);
    memset(a, 0x6c, 256);
    for (size_t i = 0; i < POGO_ARRAY_SIZE(bad); i++) {
        backend_free(h, bad[i]);
        CHECK(!backend_resize(h, bad[i], 8));
        CHECK_EQ(backend_usable_size(h, bad[i]), 0);
    }
    CHECK_EQ(backend_used_bytes(h), used);
    CHECK(pattern_intact(a, 256, 0x6c));
    CHECK(backend_check(h));
    free(outside);
    free(mem);
}

/*
 * Plants a copy of the header in front of p at every 16-byte step inside
 * the live block host, frees through each copy, and checks that nothing
 * changed: a header is only believed where the heap's own links agree.
 */
static void check_copied_header_is_ignored(struct heap_backend *h,
                                           unsigned char *p,
                                           unsigned char *host)
{
    size_t host_size = backend_usable_size(h, host);
    size_t used = backend_used_bytes(h);

    for (size_t k = 16; k + 16 <= host_size; k += 16) {
        memset(host, 0x2e, host_size);
        memcpy(host + k - 16, p - 16, 16);
        backend_free(h, host + k);
        CHECK_EQ(backend_used_bytes(h), used);
        CHECK_EQ(backend_usable_size(h, host), host_size);
    }
    memset(host, 0x2e, host_size);
    CHECK(backend_check(h));
}

TEST(copied_header_is_ignored)
{
    void *mem;
    struct heap_backend *h = heap_create(256 * KIB, &mem);
    unsigned char *host = backend_alloc(h, 16 * KIB, 16);
    unsigned char *plain = backend_alloc(h, 100, 16);
    unsigned char *aligned = backend_alloc(h, 100, 256);

    CHECK(host != NULL);
    CHECK(plain != NULL);
    CHECK(aligned != NULL);
    check_copied_header_is_ignored(h, plain, host);
    check_copied_header_is_ignored(h, aligned, host);
    backend_free(h, plain);
    backend_free(h, aligned);
    backend_free(h, host);
    CHECK_EQ(backend_used_bytes(h), 0);
    CHECK(backend_check(h));
    free(mem);
}

TEST(check_detects_overwritten_header)
{
    void *mem;
    struct heap_backend *h = heap_create(64 * KIB, &mem);
    unsigned char *a = backend_alloc(h, 64, 16);
    unsigned char *b = backend_alloc(h, 64, 16);
    unsigned char saved[16];

    CHECK(a != NULL);
    CHECK(b != NULL);
    CHECK(backend_check(h));

    /* An overflow out of a into the header of b. */
    memcpy(saved, b - 16, 16);
    memset(b - 16, 0xaa, 16);
    CHECK(!backend_check(h));
    memcpy(b - 16, saved, 16);
    CHECK(backend_check(h));
    free(mem);
}

TEST(check_detects_write_after_free)
{
    void *mem;
    struct heap_backend *h = heap_create(64 * KIB, &mem);
    unsigned char *a = backend_alloc(h, 16, 16);
    unsigned char *b = backend_alloc(h, 16, 16);
    unsigned char *c = backend_alloc(h, 16, 16);
    unsigned char saved[16];

    CHECK(a != NULL);
    CHECK(b != NULL);
    CHECK(c != NULL);
    /* b's neighbours stay used, so b keeps its own free-list links. */
    backend_free(h, b);
    CHECK(backend_check(h));
    memcpy(saved, b, 16);
    memset(b, 0xaa, 16);
    CHECK(!backend_check(h));
    memcpy(b, saved, 16);
    CHECK(backend_check(h));
    free(mem);
}

/* Moves a block as a realloc would when it cannot resize in place. */
static void move_block(struct heap_backend *h, struct live_set *set, size_t i,
                       size_t size)
{
    struct live_block *b = &set->blocks[i];
    unsigned char *p = backend_alloc(h, size, 16);

    if (!p)
        return;
    CHECK(pattern_intact(b->p, b->size, b->tag));
    memcpy(p, b->p, POGO_MIN(b->size, size));
    backend_free(h, b->p);
    set->blocks[i] = set->blocks[--set->count];
    track(h, set, p);
}

static void resize_block(struct heap_backend *h, struct live_set *set, size_t i,
                         size_t size)
{
    struct live_block *b = &set->blocks[i];
    size_t usable = backend_usable_size(h, b->p);

    CHECK_EQ(usable, b->size);
    if (!backend_resize(h, b->p, size)) {
        CHECK_EQ(backend_usable_size(h, b->p), usable);
        move_block(h, set, i, size);
        return;
    }

    size_t new_usable = backend_usable_size(h, b->p);

    CHECK(new_usable >= size);
    CHECK(pattern_intact(b->p, POGO_MIN(usable, new_usable), b->tag));
    CHECK(!overlaps_live(set, b->p, new_usable, i));
    b->size = new_usable;
    memset(b->p, b->tag, b->size);
}

/* Mostly small sizes, with a few up to 32 KiB. */
static size_t random_size(uint64_t *seed)
{
    size_t kind = random_below(seed, 100);

    if (kind < 70)
        return random_below(seed, 129);
    if (kind < 95)
        return 129 + random_below(seed, 2048);
    return 2177 + random_below(seed, 30 * KIB);
}

static void random_alloc(struct heap_backend *h, struct live_set *set,
                         uint64_t *seed)
{
    size_t size = random_size(seed);
    size_t align = 16;

    if (random_below(seed, 10) == 0)
        align = (size_t)32 << random_below(seed, 8);

    void *p = backend_alloc(h, size, align);

    if (!p) {
        /* Full: make room instead. */
        if (set->count > 0)
            untrack(h, set, random_below(seed, set->count));
        return;
    }
    CHECK_EQ((uintptr_t)p % align, 0);
    CHECK(backend_usable_size(h, p) >= size);
    track(h, set, p);
}

TEST(random_sequence_keeps_invariants)
{
    struct live_set *set = calloc(1, sizeof(*set));
    uint64_t seed = 0x706f676f;
    size_t second_size = 3 * 128 * KIB + 5 * 4096;
    void *mem;
    struct heap_backend *h = heap_create(1 * MIB, &mem);
    void *second = pool_memory(second_size);
    int failed_before = unit_failed_checks;

    for (int op = 0; op < 100000; op++) {
        size_t kind = random_below(&seed, 100);

        if (op == 50000)
            CHECK_EQ(backend_add_pool(h, second, second_size), 0);
        if (kind < 45 && set->count < MAX_LIVE)
            random_alloc(h, set, &seed);
        else if (kind < 80 && set->count > 0)
            untrack(h, set, random_below(&seed, set->count));
        else if (set->count > 0)
            resize_block(h, set, random_below(&seed, set->count),
                         random_size(&seed));
        if (op % 1000 == 0) {
            CHECK(backend_check(h));
            CHECK(all_patterns_intact(set));
        }
        /* One broken invariant floods the output: stop at the first. */
        if (unit_failed_checks != failed_before) {
            printf("  first failure at operation %d\n", op);
            break;
        }
    }
    CHECK(backend_check(h));
    CHECK(all_patterns_intact(set));
    untrack_all(h, set);
    CHECK_EQ(backend_used_bytes(h), 0);
    CHECK(backend_check(h));

    void *released;
    size_t released_size;

    CHECK(backend_release_empty_pool(h, &released, &released_size));
    CHECK(released == second);
    CHECK_EQ(released_size, second_size);
    free(mem);
    free(second);
    free(set);
}
