/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The application's address space (lib/mm/vm.c) on the host, over the
 * fakes of fake_mm.c: mmap, munmap, mprotect, mremap, madvise, brk, the
 * commit limit, stacks and their guard pages. Memory is read and written
 * through an emulated MMU that calls pogo_mm_fault() as the CPU would.
 */
#include <pogo/crash.h>
#include <pogo/errno.h>
#include <pogo/mm.h>
#include <pogo/pagetable.h>

#include "fake_mm.h"
#include "unit.h"

#define PAGE     POGO_PAGE_SIZE
#define USER_MIN 0x0000008000000000UL /* as in vm.c */
#define USER_MAX 0x00007ff000000000UL
/* A free area for MAP_FIXED tests, far from brk and from top-down mmap. */
#define AREA 0x0000200000000000UL

#define NONE   POGO_PROT_NONE
#define R      POGO_PROT_READ
#define RW     (POGO_PROT_READ | POGO_PROT_WRITE)
#define ANON   (POGO_MAP_PRIVATE | POGO_MAP_ANONYMOUS)
#define SHARED (POGO_MAP_SHARED | POGO_MAP_ANONYMOUS)
#define FIXED  (ANON | POGO_MAP_FIXED)

#define MAYMOVE   POGO_MREMAP_MAYMOVE
#define RFIXED    (POGO_MREMAP_MAYMOVE | POGO_MREMAP_FIXED)
#define DONTUNMAP (POGO_MREMAP_MAYMOVE | POGO_MREMAP_DONTUNMAP)

/* vm.c keeps max(total / 32, 64) frames back from the commit limit. */
#define SMALL_RAM    1024
#define SMALL_COMMIT (SMALL_RAM - 64)

/* --- An emulated MMU ----------------------------------------------------- */

static bool prot_allows(int prot, int access)
{
    if (access == POGO_ACCESS_WRITE)
        return prot & POGO_PROT_WRITE;
    return prot != POGO_PROT_NONE;
}

/* Returns the host address of the byte at va, or NULL for a SIGSEGV. */
static unsigned char *touch(uintptr_t va, int access)
{
    for (int tries = 0; tries < 2; tries++) {
        uintptr_t pa;
        int prot;
        bool present = pogo_arch_lookup(va, &pa, &prot);

        if (present && prot_allows(prot, access))
            return (unsigned char *)pa;
        if (pogo_mm_fault(va, access, present) != 0)
            return NULL;
    }
    return NULL;
}

/* Reads the byte at va, or returns -1 when the read faults. */
static int peek(uintptr_t va)
{
    unsigned char *p = touch(va, POGO_ACCESS_READ);

    return p ? *p : -1;
}

static bool poke(uintptr_t va, unsigned char value)
{
    unsigned char *p = touch(va, POGO_ACCESS_WRITE);

    if (p)
        *p = value;
    return p != NULL;
}

/* Frame that backs va now, or 0. */
static uintptr_t frame_at(uintptr_t va)
{
    uintptr_t pa;
    int prot;

    return pogo_arch_lookup(va, &pa, &prot) ? pa & ~(PAGE - 1) : 0;
}

/* --- Snapshots of the region list ---------------------------------------- */

#define SNAPSHOT_MAX 4096

struct snapshot {
    size_t n;
    struct pogo_vm_info info[SNAPSHOT_MAX];
};

static void add_info(const struct pogo_vm_info *info, void *arg)
{
    struct snapshot *s = arg;

    if (s->n < SNAPSHOT_MAX)
        s->info[s->n] = *info;
    s->n++;
}

static void take(struct snapshot *s)
{
    s->n = 0;
    pogo_vm_for_each(add_info, s);
}

static bool same(const struct snapshot *a, const struct snapshot *b)
{
    if (a->n != b->n)
        return false;
    for (size_t i = 0; i < a->n && i < SNAPSHOT_MAX; i++) {
        const struct pogo_vm_info *x = &a->info[i], *y = &b->info[i];

        if (x->start != y->start || x->end != y->end || x->prot != y->prot ||
            x->shared != y->shared || x->kind != y->kind)
            return false;
    }
    return true;
}

static struct snapshot before, after;

/* Regions that overlap [start, end). */
static size_t regions_in(uintptr_t start, uintptr_t end)
{
    size_t n = 0;

    take(&after);
    for (size_t i = 0; i < after.n; i++)
        n += after.info[i].start < end && after.info[i].end > start;
    return n;
}

/* The region that contains addr, or one with start == end. */
static struct pogo_vm_info region_at(uintptr_t addr)
{
    take(&after);
    for (size_t i = 0; i < after.n; i++) {
        if (after.info[i].start <= addr && addr < after.info[i].end)
            return after.info[i];
    }
    return (struct pogo_vm_info){0};
}

/* Unmaps everything and checks that no frame or page-table entry leaked. */
static void reset(void)
{
    static struct snapshot all;

    take(&all);
    for (size_t i = 0; i < all.n; i++)
        pogo_vm_munmap(all.info[i].start, all.info[i].end - all.info[i].start);
    CHECK_EQ(fake_frames_used(), 0);
    CHECK_EQ(fake_pages_mapped(), 0);
    fake_frame_limit = 1u << 20;
    fake_malloc_fails = false;
    fake_move_fails = false;
    /* Most tests check the charge, which only this policy enforces. */
    CHECK_EQ(pogo_vm_set_overcommit(POGO_OVERCOMMIT_NEVER), 0);
}

static long map_at(uintptr_t addr, size_t pages, int prot)
{
    return pogo_vm_mmap_anon(addr, pages * PAGE, prot, FIXED);
}

/* --- mmap ---------------------------------------------------------------- */

TEST(free_hint_is_used)
{
    reset();
    CHECK_EQ_HEX(pogo_vm_mmap_anon(AREA, 3 * PAGE, RW, ANON), AREA);
}

TEST(taken_hint_gets_other_free_range)
{
    long a;

    reset();
    CHECK_EQ_HEX(map_at(AREA, 3, RW), AREA);
    a = pogo_vm_mmap_anon(AREA + PAGE, 2 * PAGE, RW, ANON);
    CHECK(a > 0);
    CHECK_EQ(a & (PAGE - 1), 0);
    CHECK((uintptr_t)a >= USER_MIN);
    CHECK((uintptr_t)a + 2 * PAGE <= AREA || (uintptr_t)a >= AREA + 3 * PAGE);
}

TEST(fixed_map_checks_address)
{
    reset();
    CHECK_EQ(pogo_vm_mmap_anon(AREA + 1, PAGE, RW, FIXED), -EINVAL);
    CHECK_EQ(pogo_vm_mmap_anon(0x1000, PAGE, RW, FIXED), -EPERM);
    CHECK_EQ(pogo_vm_mmap_anon(USER_MAX, 2 * PAGE, RW, FIXED), -ENOMEM);
    CHECK_EQ(pogo_vm_mmap_anon(AREA, 0, RW, FIXED), -EINVAL);
    CHECK_EQ(pogo_vm_mmap_anon(AREA, PAGE, 8, FIXED), -EINVAL);
    CHECK_EQ(pogo_vm_mmap_anon(AREA, PAGE, RW, POGO_MAP_FIXED), -EINVAL);
    CHECK_EQ(regions_in(0, UINTPTR_MAX), 0);
}

TEST(noreplace_fails_with_eexist_over_mapping)
{
    int noreplace = ANON | POGO_MAP_FIXED_NOREPLACE;

    reset();
    map_at(AREA, 2, RW);
    take(&before);
    CHECK_EQ(pogo_vm_mmap_anon(AREA + PAGE, PAGE, RW, noreplace), -EEXIST);
    CHECK_EQ(
        pogo_vm_mmap_anon(AREA + PAGE, PAGE, R, noreplace | POGO_MAP_FIXED),
        -EEXIST);
    take(&after);
    CHECK(same(&before, &after));
    CHECK_EQ_HEX(pogo_vm_mmap_anon(AREA + 2 * PAGE, PAGE, R, noreplace),
                 AREA + 2 * PAGE);
}

TEST(noreserve_mapping_is_not_charged)
{
    reset();
    fake_frame_limit = SMALL_RAM;
    CHECK(pogo_vm_mmap_anon(0, 100000 * PAGE, RW, ANON | POGO_MAP_NORESERVE) >
          0);
    CHECK_EQ(pogo_vm_mmap_anon(0, 100000 * PAGE, RW, ANON), -ENOMEM);
}

TEST(populate_maps_every_page)
{
    reset();
    CHECK(pogo_vm_mmap_anon(0, 5 * PAGE, RW, ANON | POGO_MAP_POPULATE) > 0);
    CHECK_EQ(fake_frames_used(), 5);
}

TEST(fixed_map_keeps_both_ends)
{
    reset();
    map_at(AREA, 8, RW);
    for (int i = 0; i < 8; i++)
        poke(AREA + i * PAGE, i + 1);
    CHECK_EQ_HEX(map_at(AREA + 3 * PAGE, 2, R), AREA + 3 * PAGE);
    CHECK_EQ(fake_frames_used(), 6);
    for (int i = 0; i < 8; i++) {
        int expected = (i == 3 || i == 4) ? 0 : i + 1;

        CHECK_EQ(peek(AREA + i * PAGE), expected);
    }
    CHECK_EQ(regions_in(AREA, AREA + 8 * PAGE), 3);
    CHECK_EQ(region_at(AREA + 3 * PAGE).prot, R);
}

TEST(alike_neighbours_merge)
{
    reset();
    map_at(AREA, 2, RW);
    map_at(AREA + 4 * PAGE, 2, RW);
    map_at(AREA + 2 * PAGE, 2, RW);
    CHECK_EQ(regions_in(AREA, AREA + 6 * PAGE), 1);
    map_at(AREA + 6 * PAGE, 1, R);
    CHECK_EQ(regions_in(AREA, AREA + 7 * PAGE), 2);
}

TEST(non_fixed_mmaps_never_overlap)
{
    static uintptr_t start[512];
    static size_t len[512];
    size_t live = 0;
    uint64_t state = 0x1234567;

    reset();
    for (int step = 0; step < 3000; step++) {
        state = state * 6364136223846793005ULL + 1442695040888963407ULL;
        unsigned pick = (state >> 33) % 100;

        if ((pick < 60 && live < 512) || live == 0) {
            size_t n = 1 + (state >> 40) % 64;
            uintptr_t hint =
                (state >> 20) % 2 ? AREA + (state >> 45) % 256 * PAGE : 0;
            long a = pogo_vm_mmap_anon(hint, n * PAGE,
                                       (state >> 50) % 2 ? RW : R, ANON);

            CHECK(a > 0);
            CHECK_EQ(a & (PAGE - 1), 0);
            for (size_t i = 0; i < live; i++) {
                if ((uintptr_t)a < start[i] + len[i] &&
                    start[i] < (uintptr_t)a + n * PAGE) {
                    unit_fail(__FILE__, __LINE__, "step %d: %#lx overlaps %#lx",
                              step, (unsigned long)a, (unsigned long)start[i]);
                    return;
                }
            }
            start[live] = a;
            len[live++] = n * PAGE;
        } else {
            size_t i = (state >> 40) % live;

            CHECK_EQ(pogo_vm_munmap(start[i], len[i]), 0);
            start[i] = start[--live];
            len[i] = len[live];
        }
    }
    take(&after);
    for (size_t i = 1; i < after.n; i++)
        CHECK(after.info[i - 1].end <= after.info[i].start);
}

/* --- munmap and mprotect ------------------------------------------------- */

TEST(partial_munmap_splits_mapping)
{
    reset();
    map_at(AREA, 6, RW);
    for (int i = 0; i < 6; i++)
        poke(AREA + i * PAGE, 10 + i);
    CHECK_EQ(pogo_vm_munmap(AREA + 2 * PAGE, 2 * PAGE), 0);
    CHECK_EQ(regions_in(AREA, AREA + 6 * PAGE), 2);
    CHECK_EQ(fake_frames_used(), 4);
    CHECK_EQ(peek(AREA + 2 * PAGE), -1);
    CHECK_EQ(peek(AREA + 3 * PAGE), -1);
    CHECK_EQ(peek(AREA + 1 * PAGE), 11);
    CHECK_EQ(peek(AREA + 4 * PAGE), 14);
}

TEST(munmap_checks_arguments)
{
    reset();
    CHECK_EQ(pogo_vm_munmap(AREA + 1, PAGE), -EINVAL);
    CHECK_EQ(pogo_vm_munmap(AREA, 0), -EINVAL);
    CHECK_EQ(pogo_vm_munmap(USER_MAX - PAGE, 2 * PAGE), -EINVAL);
    CHECK_EQ(pogo_vm_munmap(AREA, PAGE), 0);
}

TEST(munmap_across_mappings_trims_both)
{
    reset();
    map_at(AREA, 4, RW);
    map_at(AREA + 4 * PAGE, 4, R);
    CHECK_EQ(pogo_vm_munmap(AREA + 2 * PAGE, 4 * PAGE), 0);
    CHECK_EQ(region_at(AREA).end, AREA + 2 * PAGE);
    CHECK_EQ(region_at(AREA + 6 * PAGE).start, AREA + 6 * PAGE);
    CHECK_EQ(regions_in(AREA, AREA + 8 * PAGE), 2);
}

TEST(mprotect_splits_and_merges_back)
{
    reset();
    map_at(AREA, 5, RW);
    poke(AREA + PAGE, 42);
    CHECK_EQ(pogo_vm_mprotect(AREA + PAGE, 2 * PAGE, R), 0);
    CHECK_EQ(regions_in(AREA, AREA + 5 * PAGE), 3);
    CHECK(!poke(AREA + PAGE, 1));
    CHECK_EQ(peek(AREA + PAGE), 42);
    CHECK(poke(AREA, 1));
    CHECK_EQ(pogo_vm_mprotect(AREA + PAGE, 2 * PAGE, RW), 0);
    CHECK_EQ(regions_in(AREA, AREA + 5 * PAGE), 1);
    CHECK(poke(AREA + PAGE, 43));
}

TEST(mprotect_merges_every_alike_region_in_range)
{
    reset();
    for (int i = 0; i < 6; i++)
        map_at(AREA + i * PAGE, 1, i % 2 ? R : RW);
    CHECK_EQ(regions_in(AREA, AREA + 6 * PAGE), 6);
    CHECK_EQ(pogo_vm_mprotect(AREA, 6 * PAGE, R), 0);
    CHECK_EQ(regions_in(AREA, AREA + 6 * PAGE), 1);
}

TEST(mprotect_over_hole_changes_up_to_hole)
{
    reset();
    map_at(AREA, 2, RW);
    map_at(AREA + 3 * PAGE, 2, RW);
    CHECK_EQ(pogo_vm_mprotect(AREA, 5 * PAGE, R), -ENOMEM);
    /* As on Linux: the part before the hole changed, the part after not. */
    CHECK(!poke(AREA, 1));
    CHECK(!poke(AREA + PAGE, 1));
    CHECK(poke(AREA + 3 * PAGE, 1));
}

TEST(mprotect_starting_in_hole_changes_nothing)
{
    reset();
    map_at(AREA + PAGE, 2, RW);
    take(&before);
    CHECK_EQ(pogo_vm_mprotect(AREA, 3 * PAGE, R), -ENOMEM);
    take(&after);
    CHECK(same(&before, &after));
    CHECK(poke(AREA + PAGE, 1));
    CHECK_EQ(pogo_vm_mprotect(AREA + 1, PAGE, R), -EINVAL);
    CHECK_EQ(pogo_vm_mprotect(AREA, PAGE, 16), -EINVAL);
    CHECK_EQ(pogo_vm_mprotect(AREA, 0, R), 0);
}

TEST(prot_none_reservation_commits_on_mprotect)
{
    size_t gib = 1UL << 30;
    long a;

    reset();
    fake_frame_limit = SMALL_RAM;
    a = pogo_vm_mmap_anon(0, gib, NONE, ANON);
    CHECK(a > 0);
    CHECK_EQ(peek(a), -1);
    CHECK_EQ(pogo_vm_mprotect(a, gib, RW), -ENOMEM);
    CHECK_EQ(pogo_vm_mprotect(a, 16 * PAGE, RW), 0);
    CHECK(poke(a + 15 * PAGE, 7));
    CHECK_EQ(peek(a + 16 * PAGE), -1);
    CHECK_EQ(regions_in(a, a + gib), 2);
}

/* --- The commit limit ---------------------------------------------------- */

TEST(commit_limit_failure_changes_nothing)
{
    uintptr_t brk;

    reset();
    fake_frame_limit = SMALL_RAM;
    CHECK_EQ_HEX(map_at(AREA, SMALL_COMMIT - 60, RW), AREA);
    map_at(AREA + 2048 * PAGE, 61, R);
    brk = pogo_vm_brk(0);
    take(&before);

    CHECK_EQ(pogo_vm_mmap_anon(0, 61 * PAGE, RW, ANON), -ENOMEM);
    CHECK_EQ(pogo_vm_mprotect(AREA + 2048 * PAGE, 61 * PAGE, RW), -ENOMEM);
    CHECK_EQ(pogo_vm_mremap(AREA, (SMALL_COMMIT - 60) * PAGE,
                            (SMALL_COMMIT + 1) * PAGE, MAYMOVE, 0),
             -ENOMEM);
    CHECK_EQ(pogo_vm_brk(brk + 61 * PAGE), brk);
    take(&after);
    CHECK(same(&before, &after));

    /* Replacing charged memory reuses its charge. */
    CHECK_EQ_HEX(map_at(AREA, 100, RW), AREA);
    CHECK_EQ(pogo_vm_mmap_anon(0, 60 * PAGE, RW, ANON) > 0, 1);
    CHECK_EQ(pogo_vm_mmap_anon(0, PAGE, RW, ANON), -ENOMEM);
    CHECK_EQ(pogo_vm_mmap_anon(0, PAGE, R, ANON) > 0, 1);
}

TEST(touched_pages_do_not_lower_commit_limit)
{
    long a;

    reset();
    fake_frame_limit = SMALL_RAM;
    a = pogo_vm_mmap_anon(0, 100 * PAGE, RW, ANON);
    for (int i = 0; i < 100; i++)
        poke(a + i * PAGE, 1);
    CHECK(pogo_vm_mmap_anon(0, (SMALL_COMMIT - 100) * PAGE, RW, ANON) > 0);
    CHECK_EQ(pogo_vm_mmap_anon(0, PAGE, RW, ANON), -ENOMEM);
}

TEST(overcommit_guess_refuses_only_more_than_all_memory)
{
    reset();
    fake_frame_limit = SMALL_RAM;
    CHECK_EQ(pogo_vm_set_overcommit(POGO_OVERCOMMIT_GUESS), 0);
    CHECK(pogo_vm_mmap_anon(0, SMALL_RAM * PAGE, RW, ANON) > 0);
    CHECK(pogo_vm_mmap_anon(0, SMALL_RAM * PAGE, RW, ANON) > 0);
    CHECK_EQ(pogo_vm_mmap_anon(0, (SMALL_RAM + 1) * PAGE, RW, ANON), -ENOMEM);
    CHECK_EQ(fake_frames_used(), 0);
}

TEST(overcommit_guess_keeps_pages_lazy)
{
    long a;

    reset();
    fake_frame_limit = SMALL_RAM;
    CHECK_EQ(pogo_vm_set_overcommit(POGO_OVERCOMMIT_GUESS), 0);
    a = pogo_vm_mmap_anon(0, SMALL_RAM * PAGE, RW, ANON);
    CHECK(a > 0);
    CHECK(poke(a, 1));
    CHECK(poke(a + (SMALL_RAM - 1) * PAGE, 2));
    CHECK_EQ(fake_frames_used(), 2);
    CHECK_EQ(peek(a + (SMALL_RAM - 1) * PAGE), 2);
}

TEST(overcommit_always_refuses_nothing)
{
    reset();
    fake_frame_limit = SMALL_RAM;
    CHECK_EQ(pogo_vm_set_overcommit(POGO_OVERCOMMIT_ALWAYS), 0);
    CHECK(pogo_vm_mmap_anon(0, 100 * SMALL_RAM * PAGE, RW, ANON) > 0);
}

TEST(overcommit_policy_rejects_unknown_values)
{
    reset();
    CHECK_EQ(pogo_vm_set_overcommit(3), -EINVAL);
    CHECK_EQ(pogo_vm_set_overcommit(-1), -EINVAL);
    CHECK_EQ(pogo_vm_overcommit(), POGO_OVERCOMMIT_NEVER);
}

/* --- mremap -------------------------------------------------------------- */

TEST(mremap_grows_in_place_when_next_range_free)
{
    reset();
    map_at(AREA, 2, RW);
    poke(AREA + PAGE, 5);
    CHECK_EQ_HEX(pogo_vm_mremap(AREA, 2 * PAGE, 4 * PAGE, 0, 0), AREA);
    CHECK_EQ(peek(AREA + PAGE), 5);
    CHECK_EQ(peek(AREA + 3 * PAGE), 0);
    CHECK_EQ(regions_in(AREA, AREA + 4 * PAGE), 1);
    CHECK_EQ_HEX(region_at(AREA).end, AREA + 4 * PAGE);
}

TEST(mremap_moves_pages_when_next_range_taken)
{
    uintptr_t frame;
    long moved;

    reset();
    map_at(AREA, 2, RW);
    map_at(AREA + 2 * PAGE, 1, R);
    poke(AREA, 1);
    poke(AREA + PAGE, 2);
    frame = frame_at(AREA + PAGE);
    moved = pogo_vm_mremap(AREA, 2 * PAGE, 4 * PAGE, MAYMOVE, 0);
    CHECK(moved > 0);
    CHECK((uintptr_t)moved != AREA);
    /* The frame moved with its page: nothing was copied. */
    CHECK_EQ_HEX(frame_at(moved + PAGE), frame);
    CHECK_EQ(fake_frames_used(), 2);
    CHECK_EQ(peek(moved), 1);
    CHECK_EQ(peek(moved + PAGE), 2);
    CHECK_EQ(peek(moved + 3 * PAGE), 0);
    CHECK_EQ(peek(AREA), -1);
    CHECK_EQ(region_at(AREA + 2 * PAGE).prot, R);
    CHECK_EQ_HEX(region_at(moved).end, moved + 4 * PAGE);
}

TEST(mremap_grow_of_prefix_moves_it)
{
    long moved;

    reset();
    map_at(AREA, 4, RW);
    poke(AREA + PAGE, 4);
    take(&before);
    /* As on Linux, only a range that ends with its mapping grows there. */
    CHECK_EQ(pogo_vm_mremap(AREA, 2 * PAGE, 3 * PAGE, 0, 0), -ENOMEM);
    take(&after);
    CHECK(same(&before, &after));
    moved = pogo_vm_mremap(AREA, 2 * PAGE, 3 * PAGE, MAYMOVE, 0);
    CHECK(moved > 0);
    CHECK((uintptr_t)moved != AREA);
    CHECK_EQ(peek(moved + PAGE), 4);
    CHECK_EQ_HEX(region_at(AREA + 2 * PAGE).start, AREA + 2 * PAGE);
    CHECK_EQ(peek(AREA), -1);
}

TEST(mremap_move_reuses_old_charge)
{
    reset();
    fake_frame_limit = SMALL_RAM;
    map_at(AREA, SMALL_COMMIT - 100, RW);
    map_at(AREA + (SMALL_COMMIT - 100) * PAGE, 1, R);
    /* The move charges the new size and releases the old one. */
    CHECK(pogo_vm_mremap(AREA, (SMALL_COMMIT - 100) * PAGE, SMALL_COMMIT * PAGE,
                         MAYMOVE, 0) > 0);
    CHECK_EQ(pogo_vm_mmap_anon(0, PAGE, RW, ANON), -ENOMEM);
}

TEST(mremap_dontunmap_of_middle_keeps_one_mapping)
{
    reset();
    map_at(AREA, 6, RW);
    CHECK(pogo_vm_mremap(AREA + 2 * PAGE, 2 * PAGE, 2 * PAGE, DONTUNMAP, 0) >
          0);
    CHECK_EQ(regions_in(AREA, AREA + 6 * PAGE), 1);
}

TEST(mremap_of_heap_leaves_heap_range)
{
    uintptr_t base;

    reset();
    base = POGO_ALIGN_UP(pogo_vm_brk(0), PAGE);
    pogo_vm_brk(base + 2 * PAGE);
    CHECK_EQ(region_at(base).kind, POGO_VM_HEAP);
    CHECK_EQ_HEX(pogo_vm_mremap(base, 2 * PAGE, 2 * PAGE, RFIXED, AREA), AREA);
    CHECK_EQ(region_at(AREA).kind, POGO_VM_ANON);
    pogo_vm_brk(base);
}

TEST(mremap_without_maymove_fails_when_blocked)
{
    reset();
    map_at(AREA, 2, RW);
    map_at(AREA + 2 * PAGE, 1, R);
    take(&before);
    CHECK_EQ(pogo_vm_mremap(AREA, 2 * PAGE, 4 * PAGE, 0, 0), -ENOMEM);
    /* A part that does not end at the mapping's end cannot grow in place. */
    CHECK_EQ(pogo_vm_mremap(AREA, PAGE, 2 * PAGE, 0, 0), -ENOMEM);
    take(&after);
    CHECK(same(&before, &after));
}

TEST(mremap_shrink_unmaps_tail)
{
    reset();
    map_at(AREA, 4, RW);
    for (int i = 0; i < 4; i++)
        poke(AREA + i * PAGE, 1);
    CHECK_EQ_HEX(pogo_vm_mremap(AREA, 4 * PAGE, PAGE, 0, 0), AREA);
    CHECK_EQ(fake_frames_used(), 1);
    CHECK_EQ(peek(AREA + PAGE), -1);
    CHECK_EQ_HEX(pogo_vm_mremap(AREA, PAGE, PAGE, 0, 0), AREA);
}

TEST(mremap_shrink_may_cross_mappings)
{
    reset();
    map_at(AREA, 2, RW);
    map_at(AREA + 2 * PAGE, 2, R);
    /* As on Linux, only the kept part must lie in one mapping. */
    CHECK_EQ_HEX(pogo_vm_mremap(AREA, 4 * PAGE, PAGE, 0, 0), AREA);
    CHECK_EQ(regions_in(AREA, AREA + 4 * PAGE), 1);
    CHECK_EQ(pogo_vm_mremap(AREA, USER_MAX, PAGE, 0, 0), -EINVAL);
}

TEST(mremap_dontunmap_leaves_old_range_empty)
{
    long moved;

    reset();
    map_at(AREA, 2, RW);
    poke(AREA, 7);
    moved = pogo_vm_mremap(AREA, 2 * PAGE, 2 * PAGE, DONTUNMAP, 0);
    CHECK(moved > 0);
    CHECK((uintptr_t)moved != AREA);
    CHECK_EQ(peek(moved), 7);
    CHECK_EQ(peek(AREA), 0);
    CHECK(poke(AREA + PAGE, 1));
    CHECK_EQ(region_at(AREA).prot, RW);
}

TEST(mremap_dontunmap_uses_free_hint)
{
    uintptr_t hint = AREA + 64 * PAGE;
    long moved;

    reset();
    map_at(AREA, 2, RW);
    CHECK_EQ_HEX(pogo_vm_mremap(AREA, 2 * PAGE, 2 * PAGE, DONTUNMAP, hint),
                 hint);
    /* A taken hint is passed over, as mmap passes over one. */
    moved = pogo_vm_mremap(AREA, 2 * PAGE, 2 * PAGE, DONTUNMAP, hint);
    CHECK(moved > 0);
    CHECK((uintptr_t)moved + 2 * PAGE <= hint ||
          (uintptr_t)moved >= hint + 2 * PAGE);
}

TEST(mremap_fixed_replaces_destination)
{
    uintptr_t dest = AREA + 16 * PAGE;

    reset();
    map_at(AREA, 2, RW);
    map_at(dest, 3, RW);
    poke(AREA, 1);
    for (int i = 0; i < 3; i++)
        poke(dest + i * PAGE, 9);
    CHECK_EQ_HEX(pogo_vm_mremap(AREA, 2 * PAGE, 2 * PAGE, RFIXED, dest), dest);
    CHECK_EQ(peek(dest), 1);
    CHECK_EQ(peek(dest + PAGE), 0);
    CHECK_EQ(peek(dest + 2 * PAGE), 9);
    CHECK_EQ(peek(AREA), -1);
    CHECK_EQ(fake_frames_used(), 3);
}

TEST(mremap_fixed_moves_middle_of_mapping)
{
    uintptr_t dest = AREA + 32 * PAGE;

    reset();
    map_at(AREA, 6, RW);
    for (int i = 0; i < 6; i++)
        poke(AREA + i * PAGE, 20 + i);
    CHECK_EQ_HEX(
        pogo_vm_mremap(AREA + 2 * PAGE, 2 * PAGE, 3 * PAGE, RFIXED, dest),
        dest);
    CHECK_EQ(regions_in(AREA, AREA + 6 * PAGE), 2);
    CHECK_EQ(peek(AREA + PAGE), 21);
    CHECK_EQ(peek(AREA + 2 * PAGE), -1);
    CHECK_EQ(peek(AREA + 4 * PAGE), 24);
    CHECK_EQ(peek(dest), 22);
    CHECK_EQ(peek(dest + PAGE), 23);
    CHECK_EQ(peek(dest + 2 * PAGE), 0);
}

TEST(mremap_rejects_bad_arguments)
{
    long shared;

    reset();
    map_at(AREA, 2, RW);
    map_at(AREA + 2 * PAGE, 2, R);
    shared = pogo_vm_mmap_anon(0, 2 * PAGE, RW, SHARED);
    take(&before);

    CHECK_EQ(pogo_vm_mremap(AREA + 1, PAGE, PAGE, 0, 0), -EINVAL);
    CHECK_EQ(pogo_vm_mremap(AREA, PAGE, PAGE, 8, 0), -EINVAL);
    CHECK_EQ(pogo_vm_mremap(AREA, PAGE, PAGE, POGO_MREMAP_FIXED, AREA),
             -EINVAL);
    CHECK_EQ(pogo_vm_mremap(AREA, PAGE, 0, MAYMOVE, 0), -EINVAL);
    CHECK_EQ(pogo_vm_mremap(AREA, PAGE, -(size_t)1, MAYMOVE, 0), -EINVAL);
    CHECK_EQ(pogo_vm_mremap(AREA, PAGE, 2 * PAGE, DONTUNMAP, 0), -EINVAL);
    CHECK_EQ(pogo_vm_mremap(AREA, PAGE, PAGE, POGO_MREMAP_DONTUNMAP, 0),
             -EINVAL);
    CHECK_EQ(pogo_vm_mremap(AREA, 2 * PAGE, 2 * PAGE, RFIXED, AREA + PAGE),
             -EINVAL);
    CHECK_EQ(pogo_vm_mremap(AREA, 2 * PAGE, 2 * PAGE, RFIXED, AREA + 100),
             -EINVAL);
    CHECK_EQ(pogo_vm_mremap(AREA, PAGE, PAGE, RFIXED, USER_MAX), -EINVAL);
    CHECK_EQ(pogo_vm_mremap(AREA, PAGE, PAGE, RFIXED, 0x1000), -EPERM);
    CHECK_EQ(pogo_vm_mremap(AREA + 8 * PAGE, PAGE, 2 * PAGE, MAYMOVE, 0),
             -EFAULT);
    CHECK_EQ(pogo_vm_mremap(AREA, 3 * PAGE, 5 * PAGE, MAYMOVE, 0), -EFAULT);
    CHECK_EQ(pogo_vm_mremap(AREA, 3 * PAGE, 3 * PAGE, RFIXED, AREA + 64 * PAGE),
             -EFAULT);
    CHECK_EQ(pogo_vm_mremap(AREA, USER_MAX, PAGE, RFIXED, AREA - 64 * PAGE),
             -EINVAL);
    CHECK_EQ(pogo_vm_mremap(AREA, 0, PAGE, MAYMOVE, 0), -EINVAL);
    CHECK_EQ(pogo_vm_mremap(shared, 0, PAGE, MAYMOVE, 0), -EINVAL);
    CHECK_EQ(pogo_vm_mremap(shared, PAGE, PAGE, DONTUNMAP, 0), -EINVAL);

    take(&after);
    CHECK(same(&before, &after));
}

TEST(mremap_grow_beyond_commit_limit_fails)
{
    reset();
    fake_frame_limit = SMALL_RAM;
    map_at(AREA, SMALL_COMMIT - 10, RW);
    take(&before);
    CHECK_EQ(pogo_vm_mremap(AREA, (SMALL_COMMIT - 10) * PAGE,
                            (SMALL_COMMIT + 1) * PAGE, 0, 0),
             -ENOMEM);
    CHECK_EQ(pogo_vm_mremap(AREA, 20 * PAGE, 20 * PAGE, DONTUNMAP, 0), -ENOMEM);
    take(&after);
    CHECK(same(&before, &after));
    CHECK_EQ_HEX(pogo_vm_mremap(AREA, (SMALL_COMMIT - 10) * PAGE,
                                SMALL_COMMIT * PAGE, 0, 0),
                 AREA);
}

TEST(mremap_page_table_failure_changes_nothing)
{
    reset();
    map_at(AREA, 2, RW);
    map_at(AREA + 2 * PAGE, 1, R);
    poke(AREA, 3);
    take(&before);
    fake_move_fails = true;
    CHECK_EQ(pogo_vm_mremap(AREA, 2 * PAGE, 4 * PAGE, MAYMOVE, 0), -ENOMEM);
    CHECK_EQ(pogo_vm_mremap(AREA, PAGE, PAGE, RFIXED, AREA + 8 * PAGE),
             -ENOMEM);
    fake_move_fails = false;
    take(&after);
    CHECK(same(&before, &after));
    CHECK_EQ(peek(AREA), 3);
}

/* --- madvise ------------------------------------------------------------- */

TEST(madvise_dontneed_zeroes_private_pages)
{
    reset();
    map_at(AREA, 3, RW);
    for (int i = 0; i < 3; i++)
        poke(AREA + i * PAGE, 5);
    CHECK_EQ(pogo_vm_madvise(AREA, 3 * PAGE, POGO_MADV_DONTNEED), 0);
    CHECK_EQ(fake_frames_used(), 0);
    CHECK_EQ(peek(AREA + PAGE), 0);
    CHECK_EQ(regions_in(AREA, AREA + 3 * PAGE), 1);

    poke(AREA, 6);
    CHECK_EQ(pogo_vm_madvise(AREA, PAGE, POGO_MADV_FREE), 0);
    CHECK_EQ(peek(AREA), 0);
}

TEST(madvise_dontneed_keeps_shared_pages)
{
    long a;

    reset();
    a = pogo_vm_mmap_anon(0, 2 * PAGE, RW, SHARED);
    poke(a, 5);
    CHECK_EQ(pogo_vm_madvise(a, 2 * PAGE, POGO_MADV_DONTNEED), 0);
    CHECK_EQ(peek(a), 5);
    CHECK_EQ(pogo_vm_madvise(a, 2 * PAGE, POGO_MADV_FREE), -EINVAL);
    CHECK_EQ(pogo_vm_madvise(a, 2 * PAGE, POGO_MADV_REMOVE), 0);
    CHECK_EQ(peek(a), 0);
}

TEST(madvise_over_hole_applies_then_fails_with_enomem)
{
    reset();
    map_at(AREA, 2, RW);
    map_at(AREA + 3 * PAGE, 2, RW);
    poke(AREA, 1);
    poke(AREA + 4 * PAGE, 1);
    CHECK_EQ(pogo_vm_madvise(AREA, 5 * PAGE, POGO_MADV_DONTNEED), -ENOMEM);
    CHECK_EQ(fake_frames_used(), 0);
    CHECK_EQ(pogo_vm_madvise(AREA, 5 * PAGE, POGO_MADV_NORMAL), -ENOMEM);
    CHECK_EQ(pogo_vm_madvise(AREA + 16 * PAGE, PAGE, POGO_MADV_NORMAL),
             -ENOMEM);
}

TEST(madvise_checks_advice_and_address)
{
    static const int harmless[] = {
        POGO_MADV_NORMAL,     POGO_MADV_RANDOM,      POGO_MADV_SEQUENTIAL,
        POGO_MADV_WILLNEED,   POGO_MADV_DONTFORK,    POGO_MADV_DOFORK,
        POGO_MADV_MERGEABLE,  POGO_MADV_UNMERGEABLE, POGO_MADV_HUGEPAGE,
        POGO_MADV_NOHUGEPAGE, POGO_MADV_DONTDUMP,    POGO_MADV_DODUMP,
        POGO_MADV_WIPEONFORK, POGO_MADV_KEEPONFORK,  POGO_MADV_COLD,
        POGO_MADV_PAGEOUT,
    };

    reset();
    map_at(AREA, 2, RW);
    poke(AREA, 9);
    for (size_t i = 0; i < POGO_ARRAY_SIZE(harmless); i++)
        CHECK_EQ(pogo_vm_madvise(AREA, 2 * PAGE, harmless[i]), 0);
    CHECK_EQ(peek(AREA), 9);
    CHECK_EQ(pogo_vm_madvise(AREA, PAGE, 5), -EINVAL);
    CHECK_EQ(pogo_vm_madvise(AREA, PAGE, 22), -EINVAL);
    CHECK_EQ(pogo_vm_madvise(AREA, PAGE, 100), -EINVAL);
    CHECK_EQ(pogo_vm_madvise(AREA, PAGE, POGO_MADV_REMOVE), -EINVAL);
    CHECK_EQ(pogo_vm_madvise(AREA + 1, PAGE, POGO_MADV_DONTNEED), -EINVAL);
    CHECK_EQ(pogo_vm_madvise(AREA, -(size_t)1, POGO_MADV_DONTNEED), -EINVAL);
    CHECK_EQ(pogo_vm_madvise(AREA, 0, POGO_MADV_DONTNEED), 0);
    CHECK_EQ(peek(AREA), 9);
}

/* --- brk ----------------------------------------------------------------- */

TEST(brk_grows_and_shrinks)
{
    uintptr_t base;

    reset();
    base = POGO_ALIGN_UP(pogo_vm_brk(0), PAGE);
    CHECK_EQ_HEX(pogo_vm_brk(base), base);
    CHECK_EQ_HEX(pogo_vm_brk(base + 3 * PAGE + 100), base + 3 * PAGE + 100);
    CHECK(poke(base + 3 * PAGE + 50, 1));
    CHECK_EQ(region_at(base).kind, POGO_VM_HEAP);
    CHECK_EQ_HEX(pogo_vm_brk(base + PAGE), base + PAGE);
    CHECK_EQ(peek(base + 2 * PAGE), -1);
    CHECK_EQ(fake_frames_used(), 0);
    CHECK_EQ_HEX(pogo_vm_brk(1), base + PAGE);
    CHECK_EQ_HEX(pogo_vm_brk(base), base);
    CHECK_EQ(regions_in(base, base + 4 * PAGE), 0);
}

TEST(brk_stops_at_mapping_above)
{
    uintptr_t base;

    reset();
    base = POGO_ALIGN_UP(pogo_vm_brk(0), PAGE);
    pogo_vm_brk(base);
    map_at(base + 2 * PAGE, 1, R);
    CHECK_EQ_HEX(pogo_vm_brk(base + 3 * PAGE), base);
    CHECK_EQ_HEX(pogo_vm_brk(base + 2 * PAGE), base + 2 * PAGE);
    pogo_vm_brk(base);
}

/* --- Stacks and crash hints ---------------------------------------------- */

/* Maps a stack as musl's pthread_create does: guard page, then stack. */
static uintptr_t map_thread_stack(size_t pages, const char *const *name)
{
    long base = pogo_vm_mmap_anon(0, (pages + 1) * PAGE, NONE, ANON);

    if (base < 0)
        return 0;
    if (pogo_vm_mprotect(base + PAGE, pages * PAGE, RW) != 0)
        return 0;
    /* musl puts the thread's TLS at the top, so sp starts a little below. */
    pogo_vm_mark_stack(base + (pages + 1) * PAGE - 256, name);
    return base;
}

static bool hint(uintptr_t addr, char *buf, size_t size)
{
    buf[0] = 0;
    return pogo_crash_hint(addr, buf, size);
}

TEST(guard_page_fault_names_thread)
{
    const char *name = "worker-1";
    char buf[160];
    uintptr_t base;

    reset();
    base = map_thread_stack(16, &name);
    CHECK(base != 0);
    CHECK(poke(base + 2 * PAGE, 1));
    CHECK_EQ(peek(base + 10), -1);
    CHECK(hint(base + 10, buf, sizeof(buf)));
    CHECK(strstr(buf, "stack overflow in thread 'worker-1'") != NULL);
    name = "renamed";
    CHECK(hint(base + 10, buf, sizeof(buf)));
    CHECK(strstr(buf, "thread 'renamed'") != NULL);
    CHECK(!hint(base + 2 * PAGE, buf, sizeof(buf)));
    CHECK(!hint(base - PAGE, buf, sizeof(buf)));
    CHECK_EQ(region_at(base + PAGE).kind, POGO_VM_STACK);

    pogo_vm_clear_owner(&name);
    CHECK(!hint(base + 10, buf, sizeof(buf)));
    CHECK_EQ(region_at(base + PAGE).kind, POGO_VM_ANON);
}

TEST(main_stack_has_named_guard)
{
    const char *name = "main";
    char buf[160];
    uintptr_t top;

    reset();
    top = pogo_vm_map_stack(64 * 1024, &name);
    CHECK(top != 0);
    CHECK(poke(top - 8, 1));
    CHECK(hint(top - 64 * 1024 - 1, buf, sizeof(buf)));
    CHECK(strstr(buf, "thread 'main'") != NULL);
    CHECK_EQ(region_at(top - 1).kind, POGO_VM_STACK);
}

TEST(clear_owner_merges_alike_neighbours)
{
    const char *name = "t";

    reset();
    map_at(AREA, 2, RW);
    map_at(AREA + 2 * PAGE, 2, RW);
    pogo_vm_mark_stack(AREA + 3 * PAGE, &name);
    CHECK_EQ(regions_in(AREA, AREA + 4 * PAGE), 1);
    CHECK_EQ(region_at(AREA).kind, POGO_VM_STACK);
    map_at(AREA + 4 * PAGE, 2, RW);
    CHECK_EQ(regions_in(AREA, AREA + 6 * PAGE), 2);
    pogo_vm_clear_owner(&name);
    CHECK_EQ(regions_in(AREA, AREA + 6 * PAGE), 1);
}

TEST(stacks_of_different_threads_stay_apart)
{
    const char *first = "first", *second = "second";

    reset();
    map_at(AREA, 2, RW);
    pogo_vm_mark_stack(AREA + 2 * PAGE, &first);
    map_at(AREA + 2 * PAGE, 2, RW);
    pogo_vm_mark_stack(AREA + 4 * PAGE, &second);
    CHECK_EQ(pogo_vm_mprotect(AREA, 4 * PAGE, RW), 0);
    CHECK_EQ(regions_in(AREA, AREA + 4 * PAGE), 2);
}

TEST(only_prot_none_below_stack_becomes_guard)
{
    const char *name = "t";
    char buf[160];

    reset();
    map_at(AREA, 1, R);
    map_at(AREA + PAGE, 2, RW);
    pogo_vm_mark_stack(AREA + 3 * PAGE, &name);
    CHECK(!hint(AREA, buf, sizeof(buf)));
    CHECK_EQ(region_at(AREA).kind, POGO_VM_ANON);
}

TEST(thousand_stacks_with_guards_resolve)
{
    static char names[1000][24];
    static const char *name_of[1000];
    static uintptr_t base[1000];
    char buf[160], expected[64];

    reset();
    for (int i = 0; i < 1000; i++) {
        snprintf(names[i], sizeof(names[i]), "thread-%d", i);
        name_of[i] = names[i];
        base[i] = map_thread_stack(8, &name_of[i]);
        CHECK(base[i] != 0);
    }
    CHECK_EQ(regions_in(0, UINTPTR_MAX), 2000);
    for (int i = 0; i < 1000; i++) {
        snprintf(expected, sizeof(expected), "thread '%s'", names[i]);
        CHECK(poke(base[i] + 8 * PAGE, i & 0xff));
        CHECK(hint(base[i] + 100, buf, sizeof(buf)));
        CHECK(strstr(buf, expected) != NULL);
        CHECK(!hint(base[i] + PAGE, buf, sizeof(buf)));
    }
    for (int i = 0; i < 1000; i++)
        CHECK_EQ(peek(base[i] + 8 * PAGE), i & 0xff);
    for (int i = 0; i < 1000; i += 2)
        pogo_vm_munmap(base[i], 9 * PAGE);
    CHECK_EQ(regions_in(0, UINTPTR_MAX), 1000);
    CHECK(!hint(base[0] + 100, buf, sizeof(buf)));
    CHECK(hint(base[1] + 100, buf, sizeof(buf)));
}

/* --- Iteration, checks and failures -------------------------------------- */

TEST(for_each_reports_kind_and_sharing)
{
    long shared;
    struct pogo_vm_info info;

    reset();
    shared = pogo_vm_mmap_anon(0, PAGE, R, SHARED);
    info = region_at(shared);
    CHECK_EQ(info.shared, true);
    CHECK_EQ(info.kind, POGO_VM_ANON);
    CHECK_EQ(info.prot, R);
    CHECK_EQ(info.end - info.start, PAGE);
    map_at(AREA, 1, RW);
    CHECK_EQ(region_at(AREA).shared, false);
}

TEST(access_check_follows_regions)
{
    reset();
    map_at(AREA, 2, RW);
    map_at(AREA + 2 * PAGE, 2, R);
    CHECK_EQ(pogo_vm_check(AREA + 10, 3 * PAGE, POGO_ACCESS_READ), 0);
    CHECK_EQ(pogo_vm_check(AREA + 10, 3 * PAGE, POGO_ACCESS_WRITE), -EFAULT);
    CHECK_EQ(pogo_vm_check(AREA, 5 * PAGE, POGO_ACCESS_READ), -EFAULT);
    CHECK_EQ(pogo_vm_check(AREA, -(size_t)1, POGO_ACCESS_READ), -EFAULT);
    CHECK_EQ(pogo_mm_fault(AREA + 5 * PAGE, POGO_ACCESS_READ, false), -EFAULT);
}

TEST(node_allocation_failure_changes_nothing)
{
    int failed_at = -1;

    reset();
    map_at(AREA, 64, RW);
    fake_malloc_fails = true;
    for (int i = 0; i < 32 && failed_at < 0; i++) {
        int err;

        take(&before);
        err = pogo_vm_mprotect(AREA + (2 * i + 1) * PAGE, PAGE, R);
        if (err == 0)
            continue;
        CHECK_EQ(err, -ENOMEM);
        take(&after);
        CHECK(same(&before, &after));
        failed_at = i;
    }
    fake_malloc_fails = false;
    CHECK(failed_at >= 0);
    if (failed_at >= 0)
        CHECK_EQ(pogo_vm_mprotect(AREA + (2 * failed_at + 1) * PAGE, PAGE, R),
                 0);
}

TEST(mremap_node_failure_changes_nothing)
{
    uintptr_t dest = AREA + 128 * PAGE;
    int failed_at = -1;

    reset();
    map_at(AREA, 64, RW);
    map_at(dest, 64, RW);
    fake_malloc_fails = true;
    /* Each call splits the source, splits the destination and inserts. */
    for (int i = 0; i < 8 && failed_at < 0; i++) {
        uintptr_t at = (4 * i + 1) * PAGE;
        long moved;

        take(&before);
        moved = pogo_vm_mremap(AREA + at, 2 * PAGE, PAGE, RFIXED, dest + at);
        if (moved > 0)
            continue;
        CHECK_EQ(moved, -ENOMEM);
        take(&after);
        CHECK(same(&before, &after));
        failed_at = i;
    }
    fake_malloc_fails = false;
    CHECK(failed_at >= 0);
}
