/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The region set of lib/mm: tree invariants under a long random sequence
 * checked against a plain sorted array, the top-down free-range search,
 * and allocation failures.
 */
#include <pogo/errno.h>

#include "../../lib/mm/regions.h"
#include "unit.h"

#define PAGE 4096UL

/* --- A counting allocator that fails on request ------------------------- */

static long live_nodes;
static bool fail_allocs;

static void *test_alloc(size_t size)
{
    if (fail_allocs)
        return NULL;
    live_nodes++;
    return malloc(size);
}

static void test_free(void *p)
{
    live_nodes--;
    free(p);
}

static struct vm_regions new_set(void)
{
    fail_allocs = false;
    return (struct vm_regions){.alloc = test_alloc, .free = test_free};
}

static struct vm_region *add(struct vm_regions *set, uintptr_t start,
                             uintptr_t end)
{
    struct vm_region proto = {.start = start, .end = end, .prot = 3};

    return regions_insert(set, &proto);
}

/* --- Invariants ---------------------------------------------------------- */

/*
 * Checks subtree n below parent: links, key order within (lo, hi), AVL
 * balance and the stored summary. Returns the subtree's height, or -1
 * after reporting the first broken invariant.
 */
static int check_subtree(const struct vm_region *n,
                         const struct vm_region *parent, uintptr_t lo,
                         uintptr_t hi, size_t *count)
{
    int hl, hr;
    uintptr_t first, last, gap = 0;

    if (!n)
        return 0;
    if (n->parent != parent || n->start >= n->end || n->start < lo ||
        n->end > hi) {
        unit_fail(__FILE__, __LINE__, "bad link or order at [%#lx, %#lx)",
                  (unsigned long)n->start, (unsigned long)n->end);
        return -1;
    }
    hl = check_subtree(n->left, n, lo, n->start, count);
    hr = check_subtree(n->right, n, n->end, hi, count);
    if (hl < 0 || hr < 0)
        return -1;
    (*count)++;

    first = n->left ? n->left->subtree_start : n->start;
    last = n->right ? n->right->subtree_end : n->end;
    if (n->left)
        gap = POGO_MAX(n->left->subtree_gap, n->start - n->left->subtree_end);
    if (n->right) {
        gap = POGO_MAX(gap, n->right->subtree_gap);
        gap = POGO_MAX(gap, n->right->subtree_start - n->end);
    }
    if (abs(hl - hr) > 1 || n->height != 1 + POGO_MAX(hl, hr) ||
        n->subtree_start != first || n->subtree_end != last ||
        n->subtree_gap != gap) {
        unit_fail(__FILE__, __LINE__, "bad balance or summary at %#lx",
                  (unsigned long)n->start);
        return -1;
    }
    return n->height;
}

/* Number of bits needed to write n. */
static int bit_length(size_t n)
{
    int bits = 0;

    for (; n; n >>= 1)
        bits++;
    return bits;
}

static bool tree_valid(const struct vm_regions *set)
{
    size_t count = 0;
    int h = check_subtree(set->root, NULL, 0, UINTPTR_MAX, &count);

    if (h < 0)
        return false;
    if (count != set->count) {
        unit_fail(__FILE__, __LINE__, "count %zu, but %zu nodes", set->count,
                  count);
        return false;
    }
    /* An AVL tree of n nodes is less than 1.45 log2(n + 2) high. */
    if (h > 1.45 * bit_length(count + 2)) {
        unit_fail(__FILE__, __LINE__, "height %d for %zu nodes", h, count);
        return false;
    }
    return true;
}

/* --- A reference: a sorted array ----------------------------------------- */

#define REF_MAX 8192

struct ref {
    uintptr_t start[REF_MAX];
    uintptr_t end[REF_MAX];
    size_t n;
};

/* Index of the first range that ends after addr, or ref->n. */
static size_t ref_first_after(const struct ref *ref, uintptr_t addr)
{
    size_t i = 0;

    while (i < ref->n && ref->end[i] <= addr)
        i++;
    return i;
}

static bool ref_overlaps(const struct ref *ref, uintptr_t start, uintptr_t end)
{
    size_t i = ref_first_after(ref, start);

    return i < ref->n && ref->start[i] < end;
}

static void ref_insert(struct ref *ref, uintptr_t start, uintptr_t end)
{
    size_t i = ref_first_after(ref, start);

    memmove(&ref->start[i + 1], &ref->start[i],
            (ref->n - i) * sizeof(uintptr_t));
    memmove(&ref->end[i + 1], &ref->end[i], (ref->n - i) * sizeof(uintptr_t));
    ref->start[i] = start;
    ref->end[i] = end;
    ref->n++;
}

static void ref_remove(struct ref *ref, size_t i)
{
    memmove(&ref->start[i], &ref->start[i + 1],
            (ref->n - i - 1) * sizeof(uintptr_t));
    memmove(&ref->end[i], &ref->end[i + 1],
            (ref->n - i - 1) * sizeof(uintptr_t));
    ref->n--;
}

static bool same_contents(const struct vm_regions *set, const struct ref *ref)
{
    const struct vm_region *r = regions_first(set);

    for (size_t i = 0; i < ref->n; i++, r = regions_next(r)) {
        if (!r || r->start != ref->start[i] || r->end != ref->end[i])
            return false;
    }
    return r == NULL && set->count == ref->n;
}

/* The highest fit for gap, by walking the free ranges from the top. */
static bool ref_find_gap(const struct ref *ref, const struct regions_gap *gap,
                         uintptr_t *addr)
{
    uintptr_t align = gap->align ? gap->align : 1;

    for (size_t i = ref->n + 1; i-- > 0;) {
        uintptr_t lo = i > 0 ? ref->end[i - 1] : 0;
        uintptr_t hi = i < ref->n ? ref->start[i] : UINTPTR_MAX;
        uintptr_t a;

        lo = POGO_MAX(lo, gap->floor);
        hi = POGO_MIN(hi, gap->limit);
        if (hi <= lo || hi - lo < gap->len)
            continue;
        a = (hi - gap->len) / align * align;
        if (a >= lo) {
            *addr = a;
            return true;
        }
    }
    return false;
}

/* --- Random operations --------------------------------------------------- */

static uint64_t rng_state;

static uint64_t rng(void)
{
    /* xorshift64*, enough for choosing test operations */
    rng_state ^= rng_state >> 12;
    rng_state ^= rng_state << 25;
    rng_state ^= rng_state >> 27;
    return rng_state * 0x2545f4914f6cdd1dULL;
}

static uint64_t below(uint64_t n)
{
    return rng() % n;
}

static struct ref ref;

static void random_insert(struct vm_regions *set)
{
    uintptr_t start = below(4096) * PAGE;
    uintptr_t end = start + (1 + below(16)) * PAGE;
    bool expected = !ref_overlaps(&ref, start, end);
    struct vm_region *r = add(set, start, end);

    CHECK_EQ(r != NULL, expected);
    if (r)
        ref_insert(&ref, start, end);
}

static void random_remove(struct vm_regions *set)
{
    size_t i;
    struct vm_region *r;

    if (ref.n == 0)
        return;
    i = below(ref.n);
    r = regions_find(set, ref.start[i]);
    CHECK(r != NULL);
    if (!r)
        return;
    CHECK_EQ_HEX(r->start, ref.start[i]);
    regions_remove(set, r);
    ref_remove(&ref, i);
}

static void random_lookup(struct vm_regions *set)
{
    uintptr_t addr = below(4200 * PAGE);
    size_t i = ref_first_after(&ref, addr);
    bool inside = i < ref.n && ref.start[i] <= addr;
    struct vm_region *found = regions_find(set, addr);
    struct vm_region *after = regions_first_after(set, addr);

    CHECK_EQ(found != NULL, inside);
    if (found)
        CHECK_EQ_HEX(found->start, ref.start[i]);
    CHECK_EQ(after != NULL, i < ref.n);
    if (!after)
        return;
    CHECK_EQ_HEX(after->start, ref.start[i]);

    struct vm_region *prev = regions_prev(after);
    struct vm_region *next = regions_next(after);
    CHECK_EQ(prev != NULL, i > 0);
    if (prev)
        CHECK_EQ_HEX(prev->start, ref.start[i - 1]);
    CHECK_EQ(next != NULL, i + 1 < ref.n);
    if (next)
        CHECK_EQ_HEX(next->start, ref.start[i + 1]);
}

/* Moves both bounds of a random region by -2 to +2 pages. */
static void random_resize(struct vm_regions *set)
{
    size_t i;
    uintptr_t start, end;
    bool expected, resized;

    if (ref.n == 0)
        return;
    i = below(ref.n);
    start = ref.start[i] + below(5) * PAGE;
    end = ref.end[i] + below(5) * PAGE;
    if (start < 2 * PAGE)
        return;
    start -= 2 * PAGE;
    end -= 2 * PAGE;
    expected = start < end && (i == 0 || ref.end[i - 1] <= start) &&
               (i + 1 == ref.n || ref.start[i + 1] >= end);
    resized = regions_resize(set, regions_find(set, ref.start[i]), start, end);
    CHECK_EQ(resized, expected);
    if (resized) {
        ref.start[i] = start;
        ref.end[i] = end;
    }
}

static void random_split(struct vm_regions *set)
{
    size_t i, pages;
    uintptr_t at;
    struct vm_region *upper;

    if (ref.n == 0)
        return;
    i = below(ref.n);
    pages = (ref.end[i] - ref.start[i]) / PAGE;
    at = ref.start[i] + below(pages + 1) * PAGE;
    upper = regions_split(set, regions_find(set, ref.start[i]), at);
    CHECK_EQ(upper != NULL, at > ref.start[i] && at < ref.end[i]);
    if (!upper)
        return;
    CHECK_EQ_HEX(upper->start, at);
    CHECK_EQ(upper->prot, 3);
    uintptr_t end = ref.end[i];

    ref.end[i] = at;
    ref_insert(&ref, at, end);
}

static void random_gap(struct vm_regions *set)
{
    struct regions_gap gap = {
        .len = (1 + below(64)) * PAGE - below(2) * below(PAGE),
        .align = below(3) ? 0 : PAGE << below(6),
        .floor = below(2000) * PAGE,
        .limit = (2000 + below(2300)) * PAGE,
    };
    uintptr_t got = 0, expected = 0;
    bool found = regions_find_gap(set, &gap, &got);

    CHECK_EQ(found, ref_find_gap(&ref, &gap, &expected));
    if (found)
        CHECK_EQ_HEX(got, expected);
}

TEST(random_operations_match_sorted_array)
{
    struct vm_regions set = new_set();
    long failures = unit_failed_checks;

    rng_state = 0x5eed1234abcdULL;
    ref.n = 0;
    for (int step = 0; step < 50000; step++) {
        unsigned op = below(100);

        if (op < 35)
            random_insert(&set);
        else if (op < 55)
            random_remove(&set);
        else if (op < 75)
            random_lookup(&set);
        else if (op < 85)
            random_resize(&set);
        else if (op < 92)
            random_split(&set);
        else
            random_gap(&set);
        if (!tree_valid(&set) || !same_contents(&set, &ref)) {
            unit_fail(__FILE__, __LINE__, "broken after step %d (op %u)", step,
                      op);
            break;
        }
        if (unit_failed_checks > failures + 20)
            break; /* one bug, reported enough */
    }
    regions_clear(&set);
    CHECK_EQ(live_nodes, 0);
}

TEST(removing_inner_node_keeps_other_pointers)
{
    struct vm_regions set = new_set();
    struct vm_region *r[15], *root;

    for (int i = 0; i < 15; i++)
        r[i] = add(&set, (uintptr_t)(i + 1) * 2 * PAGE,
                   (uintptr_t)(i + 1) * 2 * PAGE + PAGE);
    root = set.root;
    /* The root of a full tree of 15 has two children. */
    CHECK(root->left != NULL);
    CHECK(root->right != NULL);
    regions_remove(&set, root);
    CHECK(tree_valid(&set));
    CHECK_EQ(set.count, 14);
    for (int i = 0; i < 15; i++) {
        if (r[i] != root)
            CHECK(regions_find(&set, r[i]->start) == r[i]);
    }
    regions_clear(&set);
    CHECK_EQ(live_nodes, 0);
}

TEST(insert_rejects_overlap_and_empty_range)
{
    struct vm_regions set = new_set();

    CHECK(add(&set, 4 * PAGE, 8 * PAGE));
    CHECK(!add(&set, 7 * PAGE, 9 * PAGE));
    CHECK(!add(&set, 2 * PAGE, 5 * PAGE));
    CHECK(!add(&set, 5 * PAGE, 6 * PAGE));
    CHECK(!add(&set, 1 * PAGE, 10 * PAGE));
    CHECK(!add(&set, 9 * PAGE, 9 * PAGE));
    CHECK(add(&set, 8 * PAGE, 9 * PAGE));
    CHECK(add(&set, 3 * PAGE, 4 * PAGE));
    CHECK_EQ(set.count, 3);
    CHECK(tree_valid(&set));
    regions_clear(&set);
}

TEST(split_keeps_attributes_in_both_parts)
{
    struct vm_regions set = new_set();
    const char *name = "worker";
    struct vm_region proto = {
        .start = PAGE, .end = 5 * PAGE, .prot = 1, .flags = 6, .owner = &name};
    struct vm_region *lower = regions_insert(&set, &proto);
    struct vm_region *upper = regions_split(&set, lower, 3 * PAGE);

    CHECK(upper);
    CHECK_EQ_HEX(lower->end, 3 * PAGE);
    CHECK_EQ_HEX(upper->start, 3 * PAGE);
    CHECK_EQ_HEX(upper->end, 5 * PAGE);
    CHECK_EQ(upper->prot, 1);
    CHECK_EQ(upper->flags, 6);
    CHECK(upper->owner == &name);
    CHECK(!regions_split(&set, lower, PAGE));
    CHECK(!regions_split(&set, lower, 3 * PAGE));
    regions_clear(&set);
}

/* --- Free-range search --------------------------------------------------- */

static uintptr_t gap_at(struct vm_regions *set, size_t len, size_t align,
                        uintptr_t floor, uintptr_t limit)
{
    struct regions_gap gap = {
        .len = len, .align = align, .floor = floor, .limit = limit};
    uintptr_t addr;

    return regions_find_gap(set, &gap, &addr) ? addr : 1;
}

TEST(gap_search_returns_highest_range_below_limit)
{
    struct vm_regions set = new_set();

    add(&set, 10 * PAGE, 20 * PAGE);
    add(&set, 22 * PAGE, 30 * PAGE);
    add(&set, 31 * PAGE, 40 * PAGE);
    CHECK_EQ_HEX(gap_at(&set, PAGE, 0, 0, 100 * PAGE), 99 * PAGE);
    CHECK_EQ_HEX(gap_at(&set, PAGE, 0, 0, 40 * PAGE), 30 * PAGE);
    CHECK_EQ_HEX(gap_at(&set, 2 * PAGE, 0, 0, 40 * PAGE), 20 * PAGE);
    CHECK_EQ_HEX(gap_at(&set, 3 * PAGE, 0, 0, 40 * PAGE), 7 * PAGE);
    CHECK_EQ_HEX(gap_at(&set, PAGE, 0, 0, 35 * PAGE), 30 * PAGE);
    /* A limit inside a free range cuts it. */
    CHECK_EQ_HEX(gap_at(&set, PAGE, 0, 0, 21 * PAGE), 20 * PAGE);
    regions_clear(&set);
}

TEST(gap_search_stays_above_floor)
{
    struct vm_regions set = new_set();

    add(&set, 10 * PAGE, 20 * PAGE);
    add(&set, 22 * PAGE, 30 * PAGE);
    CHECK_EQ_HEX(gap_at(&set, 3 * PAGE, 0, 0, 30 * PAGE), 7 * PAGE);
    CHECK_EQ(gap_at(&set, 3 * PAGE, 0, 8 * PAGE, 30 * PAGE), 1);
    CHECK_EQ_HEX(gap_at(&set, 2 * PAGE, 0, 20 * PAGE, 30 * PAGE), 20 * PAGE);
    CHECK_EQ(gap_at(&set, 2 * PAGE, 0, 21 * PAGE, 30 * PAGE), 1);
    CHECK_EQ_HEX(gap_at(&set, 2 * PAGE, 0, 4 * PAGE, 9 * PAGE), 7 * PAGE);
    regions_clear(&set);
}

TEST(gap_search_honours_alignment)
{
    struct vm_regions set = new_set();

    add(&set, 0x11000, 0x13000);
    add(&set, 0x16000, 0x30000);
    /* [0x13000, 0x16000) fits 0x2000 bytes, but not 0x8000-aligned. */
    CHECK_EQ_HEX(gap_at(&set, 0x2000, 0, 0, 0x30000), 0x14000);
    CHECK_EQ_HEX(gap_at(&set, 0x2000, 0x8000, 0, 0x30000), 0x8000);
    CHECK_EQ_HEX(gap_at(&set, 0x1000, 0x4000, 0, 0x30000), 0x14000);
    CHECK_EQ_HEX(gap_at(&set, 0x1000, 0x10000, 0, 0x30000), 0x10000);
    CHECK_EQ_HEX(gap_at(&set, 0x1000, 0x100000, 0, 0x30000), 0);
    CHECK_EQ(gap_at(&set, 0x1000, 0x100000, 0x1000, 0x30000), 1);
    regions_clear(&set);
}

TEST(gap_search_fails_when_nothing_fits)
{
    struct vm_regions set = new_set();

    CHECK_EQ_HEX(gap_at(&set, 4 * PAGE, 0, PAGE, 5 * PAGE), PAGE);
    CHECK_EQ(gap_at(&set, 5 * PAGE, 0, PAGE, 5 * PAGE), 1);
    CHECK_EQ(gap_at(&set, 0, 0, 0, 5 * PAGE), 1);
    add(&set, 2 * PAGE, 3 * PAGE);
    CHECK_EQ(gap_at(&set, 3 * PAGE, 0, PAGE, 5 * PAGE), 1);
    CHECK_EQ_HEX(gap_at(&set, 2 * PAGE, 0, PAGE, 5 * PAGE), 3 * PAGE);
    CHECK_EQ_HEX(gap_at(&set, 2 * PAGE, 0, 0, 3 * PAGE), 0);
    regions_clear(&set);
}

TEST(gap_search_matches_scan_on_random_sets)
{
    struct vm_regions set = new_set();

    rng_state = 0xfeedfaceULL;
    for (int round = 0; round < 200; round++) {
        ref.n = 0;
        for (int i = 0; i < 300; i++)
            random_insert(&set);
        for (int i = 0; i < 100; i++)
            random_gap(&set);
        regions_clear(&set);
    }
    CHECK_EQ(live_nodes, 0);
}

/* --- Allocation failure -------------------------------------------------- */

TEST(allocation_failure_leaves_set_unchanged)
{
    struct vm_regions set = new_set();
    struct vm_region *r = add(&set, 4 * PAGE, 8 * PAGE);

    add(&set, 10 * PAGE, 12 * PAGE);
    fail_allocs = true;
    CHECK(!add(&set, 20 * PAGE, 21 * PAGE));
    CHECK(!regions_split(&set, r, 6 * PAGE));
    CHECK_EQ_HEX(r->end, 8 * PAGE);
    CHECK_EQ(set.count, 2);
    CHECK(tree_valid(&set));
    CHECK_EQ(regions_reserve(&set, 1), -ENOMEM);
    CHECK_EQ(set.spares, 0);
    regions_clear(&set);
    CHECK_EQ(live_nodes, 0);
}

TEST(reserved_nodes_survive_allocator_failure)
{
    struct vm_regions set = new_set();
    struct vm_region *r;

    CHECK_EQ(regions_reserve(&set, 3), 0);
    CHECK_EQ(regions_reserve(&set, 2), 0);
    CHECK_EQ(set.spares, 3);
    fail_allocs = true;
    r = add(&set, PAGE, 9 * PAGE);
    CHECK(r != NULL);
    if (!r)
        return;
    CHECK(regions_split(&set, r, 5 * PAGE));
    CHECK(add(&set, 10 * PAGE, 11 * PAGE));
    CHECK(!add(&set, 12 * PAGE, 13 * PAGE));
    CHECK_EQ(set.count, 3);
    CHECK(tree_valid(&set));
    regions_clear(&set);
    CHECK_EQ(live_nodes, 0);
}

TEST(partial_reserve_keeps_nodes_it_got)
{
    struct vm_regions set = new_set();

    CHECK_EQ(regions_reserve(&set, 1), 0);
    fail_allocs = true;
    CHECK_EQ(regions_reserve(&set, 3), -ENOMEM);
    CHECK_EQ(set.spares, 1);
    CHECK(add(&set, PAGE, 2 * PAGE));
    regions_clear(&set);
    CHECK_EQ(live_nodes, 0);
}
