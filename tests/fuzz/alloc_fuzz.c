/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * A libFuzzer target for the heap allocators behind lib/alloc/backend.h. It
 * reads its input as a sequence of alloc, free, resize and pool operations.
 * After each one, the live blocks must not overlap or lose their fill
 * patterns, and backend_check must pass. Build it once per allocator with
 * -DALLOC_NAME=\"tlsf\" or \"buddy\" and the matching lib/alloc source.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "backend.h"

#ifndef ALLOC_NAME
#error "build with -DALLOC_NAME=\"tlsf\" or -DALLOC_NAME=\"buddy\""
#endif

#define ARENA_SIZE (192 * 1024)
#define PAGE       4096
#define MAX_LIVE   512

/* Aligned well beyond a page, so that offsets vary the pools' alignment. */
static unsigned char first_arena[ARENA_SIZE] __attribute__((aligned(65536)));
static unsigned char second_arena[ARENA_SIZE] __attribute__((aligned(65536)));

struct input {
    const uint8_t *data;
    size_t size;
    size_t pos;
};

struct live_block {
    unsigned char *p;
    size_t size; /* the usable size, all of it filled with tag */
    unsigned char tag;
};

struct range {
    unsigned char *mem;
    size_t size;
};

struct fuzz_state {
    struct heap_backend *h;
    struct range first;
    struct range second;
    bool second_added;
    bool halfway; /* the second pool was added at the input's half-way point */
    struct live_block live[MAX_LIVE];
    size_t count;
    unsigned next_tag;
    size_t step;
};

#define FUZZ_ASSERT(st, cond)          \
    do {                               \
        if (!(cond))                   \
            fail(st, __LINE__, #cond); \
    } while (0)

static void fail(const struct fuzz_state *st, int line, const char *cond)
{
    fprintf(stderr, "alloc_fuzz (%s): step %zu: line %d: %s failed\n",
            ALLOC_NAME, st->step, line, cond);
    abort();
}

static uint8_t next_byte(struct input *in)
{
    return in->pos < in->size ? in->data[in->pos++] : 0;
}

static size_t next_u16(struct input *in)
{
    size_t lo = next_byte(in);

    return lo | (size_t)next_byte(in) << 8;
}

static bool in_range(const struct range *r, const unsigned char *p, size_t n)
{
    return p >= r->mem && n <= r->size && (size_t)(p - r->mem) <= r->size - n;
}

static bool inside_pools(const struct fuzz_state *st, const unsigned char *p,
                         size_t n)
{
    return in_range(&st->first, p, n) ||
           (st->second_added && in_range(&st->second, p, n));
}

static bool overlaps_live(const struct fuzz_state *st, const unsigned char *p,
                          size_t n, size_t skip)
{
    for (size_t i = 0; i < st->count; i++) {
        const struct live_block *b = &st->live[i];

        if (i != skip && p < b->p + b->size && b->p < p + n)
            return true;
    }
    return false;
}

static bool pattern_intact(const struct live_block *b)
{
    for (size_t i = 0; i < b->size; i++) {
        if (b->p[i] != b->tag)
            return false;
    }
    return true;
}

static void check_all(struct fuzz_state *st)
{
    size_t usable = 0;

    for (size_t i = 0; i < st->count; i++) {
        FUZZ_ASSERT(st, pattern_intact(&st->live[i]));
        usable += st->live[i].size;
    }
    FUZZ_ASSERT(st, backend_used_bytes(st->h) >= usable);
}

static void track(struct fuzz_state *st, unsigned char *p, size_t size,
                  size_t align)
{
    size_t usable = backend_usable_size(st->h, p);
    struct live_block *b = &st->live[st->count];

    FUZZ_ASSERT(st, ((uintptr_t)p & (align - 1)) == 0);
    FUZZ_ASSERT(st, usable >= size);
    FUZZ_ASSERT(st, inside_pools(st, p, usable));
    FUZZ_ASSERT(st, !overlaps_live(st, p, usable, SIZE_MAX));
    b->p = p;
    b->size = usable;
    b->tag = (unsigned char)(st->next_tag++ * 67 + 3);
    memset(p, b->tag, usable);
    st->count++;
}

static void untrack(struct fuzz_state *st, size_t i)
{
    FUZZ_ASSERT(st, pattern_intact(&st->live[i]));
    backend_free(st->h, st->live[i].p);
    st->live[i] = st->live[--st->count];
}

static void do_alloc(struct fuzz_state *st, size_t size, size_t align)
{
    if (st->count == MAX_LIVE)
        return;

    unsigned char *p = backend_alloc(st->h, size, align);

    if (p)
        track(st, p, size, align);
}

static void do_free(struct fuzz_state *st, struct input *in)
{
    if (st->count > 0)
        untrack(st, next_byte(in) % st->count);
}

static void do_resize(struct fuzz_state *st, size_t i, size_t size)
{
    struct live_block *b = &st->live[i];
    size_t usable = b->size;

    FUZZ_ASSERT(st, pattern_intact(b));
    if (!backend_resize(st->h, b->p, size)) {
        /* A failed resize leaves the block as it was. */
        FUZZ_ASSERT(st, backend_usable_size(st->h, b->p) == usable);
        FUZZ_ASSERT(st, pattern_intact(b));
        return;
    }

    size_t new_usable = backend_usable_size(st->h, b->p);

    FUZZ_ASSERT(st, new_usable >= size);
    FUZZ_ASSERT(st, inside_pools(st, b->p, new_usable));
    FUZZ_ASSERT(st, !overlaps_live(st, b->p, new_usable, i));
    /* The part both sizes share keeps its contents. */
    b->size = usable < new_usable ? usable : new_usable;
    FUZZ_ASSERT(st, pattern_intact(b));
    b->size = new_usable;
    memset(b->p, b->tag, new_usable);
}

static void resize_some(struct fuzz_state *st, struct input *in, bool small)
{
    if (st->count == 0)
        return;

    size_t i = next_byte(in) % st->count;
    size_t size = small ? next_byte(in) : next_u16(in) % 16384;

    do_resize(st, i, size);
}

/* Frees that backend_free must detect and ignore without a change. */
static void do_bad_free(struct fuzz_state *st, struct input *in)
{
    static _Alignas(16) unsigned char outside[64];
    uint8_t kind = next_byte(in);
    size_t used = backend_used_bytes(st->h);

    switch (kind % 4) {
    case 0:
        backend_free(st->h, outside + 16);
        break;
    case 1:
        /* The pool range itself, where control data or a header sits. */
        backend_free(st->h, st->first.mem + 16 * (kind >> 2));
        break;
    default:
        if (st->count == 0)
            return;

        struct live_block *b = &st->live[next_byte(in) % st->count];
        size_t offset = kind % 4 == 2 ? 1 + (kind >> 5) : 16 * (kind >> 2);

        if (offset == 0 || offset >= b->size)
            return;
        backend_free(st->h, b->p + offset);
        FUZZ_ASSERT(st, pattern_intact(b));
        break;
    }
    FUZZ_ASSERT(st, backend_used_bytes(st->h) == used);
}

/* Frees a block twice: the second free must change nothing. */
static void do_double_free(struct fuzz_state *st, struct input *in)
{
    if (st->count == 0)
        return;

    size_t i = next_byte(in) % st->count;
    unsigned char *p = st->live[i].p;

    untrack(st, i);

    size_t used = backend_used_bytes(st->h);

    backend_free(st->h, p);
    FUZZ_ASSERT(st, backend_used_bytes(st->h) == used);
}

static void add_second_pool(struct fuzz_state *st)
{
    if (st->second_added)
        return;
    FUZZ_ASSERT(st,
                backend_add_pool(st->h, st->second.mem, st->second.size) == 0);
    st->second_added = true;
}

static bool second_pool_in_use(const struct fuzz_state *st)
{
    for (size_t i = 0; i < st->count; i++) {
        if (in_range(&st->second, st->live[i].p, 1))
            return true;
    }
    return false;
}

static void release_pool(struct fuzz_state *st)
{
    void *mem;
    size_t size;

    if (!backend_release_empty_pool(st->h, &mem, &size)) {
        /* The second pool, when empty, is the one pool that can go. */
        FUZZ_ASSERT(st, !st->second_added || second_pool_in_use(st));
        return;
    }
    FUZZ_ASSERT(st, st->second_added);
    FUZZ_ASSERT(st, mem == st->second.mem && size == st->second.size);
    FUZZ_ASSERT(st, !second_pool_in_use(st));
    st->second_added = false;
}

static void do_pool_op(struct fuzz_state *st)
{
    if (st->second_added)
        release_pool(st);
    else
        add_second_pool(st);
}

static void run_op(struct fuzz_state *st, struct input *in)
{
    uint8_t op = next_byte(in);

    switch (op % 10) {
    case 0:
        do_alloc(st, next_byte(in), 16);
        break;
    case 1:
        do_alloc(st, next_u16(in), 16);
        break;
    case 2:
        do_alloc(st, next_u16(in) % 4096, (size_t)16 << (next_byte(in) % 9));
        break;
    case 3:
    case 4:
        do_free(st, in);
        break;
    case 5:
        resize_some(st, in, true);
        break;
    case 6:
        resize_some(st, in, false);
        break;
    case 7:
        do_bad_free(st, in);
        break;
    case 8:
        do_double_free(st, in);
        break;
    default:
        do_pool_op(st);
        break;
    }
}

static void setup(struct fuzz_state *st, struct input *in)
{
    size_t first_offset = (next_byte(in) % 8) * PAGE;
    size_t first_size = 16 * 1024 + (next_byte(in) % 32) * PAGE;
    size_t second_offset = (next_byte(in) % 8) * PAGE;
    size_t second_size = PAGE + (next_byte(in) % 32) * PAGE;

    memset(st, 0, sizeof(*st));
    st->first = (struct range){first_arena + first_offset, first_size};
    st->second = (struct range){second_arena + second_offset, second_size};
    st->h = backend_create(st->first.mem, st->first.size);
    FUZZ_ASSERT(st, st->h != NULL);
}

static void teardown(struct fuzz_state *st)
{
    while (st->count > 0)
        untrack(st, st->count - 1);
    FUZZ_ASSERT(st, backend_used_bytes(st->h) == 0);
    FUZZ_ASSERT(st, backend_check(st->h));
    if (st->second_added)
        release_pool(st);
    FUZZ_ASSERT(st, !st->second_added);
    FUZZ_ASSERT(st, backend_check(st->h));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static struct fuzz_state st;
    struct input in = {data, size, 0};

    setup(&st, &in);
    while (in.pos < in.size) {
        if (!st.halfway && in.pos >= in.size / 2) {
            add_second_pool(&st);
            st.halfway = true;
        }
        run_op(&st, &in);
        st.step++;
        FUZZ_ASSERT(&st, backend_check(st.h));
        if (st.step % 16 == 0)
            check_all(&st);
    }
    check_all(&st);
    teardown(&st);
    return 0;
}
