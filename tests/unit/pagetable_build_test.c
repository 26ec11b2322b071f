/* SPDX-License-Identifier: BSD-3-Clause */
/* The boot page-table builder on synthetic image layouts. */
#include <pogo/arch/pagetable_build.h>
#include <pogo/arch/x86.h>

#include "unit.h"

#define PAGE    4096ULL
#define MiB     (1ULL << 20)
#define ADDR(e) ((e)&0x000ffffffffff000ULL)

static const struct pt_segment image[] = {
    {MiB, MiB + 0x3000, false, true},           /* text */
    {MiB + 0x3000, MiB + 0x4800, false, false}, /* rodata */
    {MiB + 0x5000, MiB + 0x9000, true, false},  /* data and bss */
};

static uint64_t *build(const struct pt_build_input *in, size_t *npages)
{
    uint64_t *t;

    *npages = pt_build(in, NULL, 0);
    if (*npages == 0)
        return NULL;
    t = calloc(*npages, PAGE);
    CHECK_EQ(pt_build(in, t, *npages), *npages);
    return t;
}

/* Returns the leaf entry for va (below 1 GiB) in tables loaded at base. */
static uint64_t leaf(const uint64_t *t, uint64_t base, uint64_t va)
{
    const uint64_t *pd = t;
    uint64_t pde = pd[(va >> 21) & 511];
    const uint64_t *pt;

    if (pde & X86_PTE_PS)
        return pde;
    pt = t + (ADDR(pde) - base) / 8;
    return pt[(va >> 12) & 511];
}

static struct pt_build_input input(uint64_t tables, const uint64_t *holes,
                                   size_t nholes)
{
    return (struct pt_build_input){
        .tables_addr = tables,
        .segments = image,
        .nsegments = 3,
        .holes = holes,
        .nholes = nholes,
    };
}

TEST(segments_get_their_permissions)
{
    struct pt_build_input in = input(MiB + 0xa000, NULL, 0);
    size_t n;
    uint64_t *t = build(&in, &n);
    uint64_t text = leaf(t, in.tables_addr, MiB + 0x1000);
    uint64_t ro = leaf(t, in.tables_addr, MiB + 0x4000);
    uint64_t data = leaf(t, in.tables_addr, MiB + 0x6000);

    CHECK_EQ(n, 2);
    CHECK(text & X86_PTE_P);
    CHECK(!(text & X86_PTE_W));
    CHECK(!(text & X86_PTE_NX));
    CHECK(ro & X86_PTE_P);
    CHECK(!(ro & X86_PTE_W));
    CHECK(ro & X86_PTE_NX);
    CHECK(data & X86_PTE_W);
    CHECK(data & X86_PTE_NX);
    CHECK_EQ_HEX(ADDR(data), MiB + 0x6000);
    free(t);
}

TEST(partial_last_page_of_a_segment_keeps_its_permissions)
{
    struct pt_build_input in = input(MiB + 0xa000, NULL, 0);
    size_t n;
    uint64_t *t = build(&in, &n);
    uint64_t ro_tail = leaf(t, in.tables_addr, MiB + 0x4000);

    CHECK(!(ro_tail & X86_PTE_W));
    free(t);
}

TEST(low_memory_and_gaps_are_writable_data)
{
    struct pt_build_input in = input(MiB + 0xa000, NULL, 0);
    size_t n;
    uint64_t *t = build(&in, &n);
    uint64_t page0 = leaf(t, in.tables_addr, 0);
    uint64_t low = leaf(t, in.tables_addr, 0x8000);
    uint64_t after = leaf(t, in.tables_addr, MiB + 0x100000);

    CHECK(page0 & X86_PTE_P);
    CHECK(low & X86_PTE_W);
    CHECK(low & X86_PTE_NX);
    CHECK(after & X86_PTE_W);
    CHECK(after & X86_PTE_NX);
    free(t);
}

TEST(holes_are_not_mapped)
{
    uint64_t hole = MiB + 0x7000;
    struct pt_build_input in = input(MiB + 0xa000, &hole, 1);
    size_t n;
    uint64_t *t = build(&in, &n);

    CHECK_EQ(leaf(t, in.tables_addr, hole), 0);
    CHECK(leaf(t, in.tables_addr, hole + PAGE) & X86_PTE_P);
    free(t);
}

TEST(memory_beyond_the_image_uses_2mib_pages_up_to_1gib)
{
    struct pt_build_input in = input(MiB + 0xa000, NULL, 0);
    size_t n;
    uint64_t *t = build(&in, &n);
    uint64_t big = leaf(t, in.tables_addr, 512 * MiB);
    uint64_t last = leaf(t, in.tables_addr, 1024 * MiB - PAGE);

    CHECK(big & X86_PTE_PS);
    CHECK(big & X86_PTE_NX);
    CHECK_EQ_HEX(ADDR(big), 512 * MiB);
    CHECK(last & X86_PTE_PS);
    free(t);
}

TEST(tables_that_cross_2mib_cover_themselves)
{
    /* Tables starting just below 2 MiB need a second page table. */
    struct pt_build_input in = input(2 * MiB - PAGE, NULL, 0);
    size_t n;
    uint64_t *t = build(&in, &n);
    uint64_t end = in.tables_addr + n * PAGE;

    CHECK_EQ(n, 3);
    for (uint64_t a = in.tables_addr; a < end; a += PAGE) {
        uint64_t e = leaf(t, in.tables_addr, a);
        CHECK(e & X86_PTE_P);
        CHECK(e & X86_PTE_W);
        CHECK(!(e & X86_PTE_PS));
    }
    free(t);
}

TEST(invalid_layouts_are_rejected)
{
    struct pt_build_input unaligned = input(MiB + 0xa010, NULL, 0);
    struct pt_build_input over_rodata = input(MiB + 0x3000, NULL, 0);
    struct pt_build_input too_high = input(1024 * MiB - PAGE, NULL, 0);

    CHECK_EQ(pt_build(&unaligned, NULL, 0), 0);
    CHECK_EQ(pt_build(&over_rodata, NULL, 0), 0);
    CHECK_EQ(pt_build(&too_high, NULL, 0), 0);
}

TEST(small_output_buffer_is_not_written)
{
    struct pt_build_input in = input(MiB + 0xa000, NULL, 0);
    uint64_t sentinel[512];
    size_t n;

    memset(sentinel, 0xab, sizeof(sentinel));
    n = pt_build(&in, sentinel, 1);
    CHECK_EQ(n, 2);
    CHECK_EQ_HEX(sentinel[0], 0xababababababababULL);
}
