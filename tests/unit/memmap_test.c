/* SPDX-License-Identifier: BSD-3-Clause */
/* Normalization of memory maps as monitors and firmware report them. */
#include <pogo/memmap.h>

#include "unit.h"

#define RAM  POGO_MEM_RAM
#define RES  POGO_MEM_RESERVED
#define ACPI POGO_MEM_ACPI
#define MiB  (1ULL << 20)

static size_t normalize(const struct pogo_mem_region *in, size_t n,
                        struct pogo_mem_region *out)
{
    return pogo_memmap_normalize(in, n, out, POGO_MEMMAP_MAX);
}

static void check_region(const struct pogo_mem_region *r, uint64_t start,
                         uint64_t end, uint32_t type)
{
    CHECK_EQ_HEX(r->start, start);
    CHECK_EQ_HEX(r->end, end);
    CHECK_EQ(r->type, type);
}

TEST(unsorted_regions_come_out_sorted)
{
    struct pogo_mem_region in[] = {
        {16 * MiB, 32 * MiB, RAM},
        {0, 0x9fc00, RAM},
        {MiB, 8 * MiB, RAM},
    };
    struct pogo_mem_region out[POGO_MEMMAP_MAX];

    CHECK_EQ(normalize(in, 3, out), 3);
    check_region(&out[0], 0, 0x9fc00, RAM);
    check_region(&out[1], MiB, 8 * MiB, RAM);
    check_region(&out[2], 16 * MiB, 32 * MiB, RAM);
}

TEST(reserved_wins_where_it_overlaps_ram)
{
    struct pogo_mem_region in[] = {
        {0, 64 * MiB, RAM},
        {0x9fc00, MiB, RES},
    };
    struct pogo_mem_region out[POGO_MEMMAP_MAX];

    CHECK_EQ(normalize(in, 2, out), 3);
    check_region(&out[0], 0, 0x9fc00, RAM);
    check_region(&out[1], 0x9fc00, MiB, RES);
    check_region(&out[2], MiB, 64 * MiB, RAM);
}

TEST(higher_type_wins_between_non_ram_types)
{
    struct pogo_mem_region in[] = {
        {0, 2 * MiB, RES},
        {MiB, 3 * MiB, ACPI},
    };
    struct pogo_mem_region out[POGO_MEMMAP_MAX];

    CHECK_EQ(normalize(in, 2, out), 2);
    check_region(&out[0], 0, MiB, RES);
    check_region(&out[1], MiB, 3 * MiB, ACPI);
}

TEST(zero_length_and_inverted_regions_are_dropped)
{
    struct pogo_mem_region in[] = {
        {MiB, MiB, RAM},
        {8 * MiB, 4 * MiB, RES},
        {2 * MiB, 3 * MiB, RAM},
    };
    struct pogo_mem_region out[POGO_MEMMAP_MAX];

    CHECK_EQ(normalize(in, 3, out), 1);
    check_region(&out[0], 2 * MiB, 3 * MiB, RAM);
}

TEST(adjacent_regions_of_one_type_merge)
{
    struct pogo_mem_region in[] = {
        {0, MiB, RAM},
        {MiB, 2 * MiB, RAM},
        {2 * MiB, 3 * MiB, RES},
        {3 * MiB, 4 * MiB, RAM},
    };
    struct pogo_mem_region out[POGO_MEMMAP_MAX];

    CHECK_EQ(normalize(in, 4, out), 3);
    check_region(&out[0], 0, 2 * MiB, RAM);
    check_region(&out[1], 2 * MiB, 3 * MiB, RES);
    check_region(&out[2], 3 * MiB, 4 * MiB, RAM);
}

TEST(duplicate_regions_collapse)
{
    struct pogo_mem_region in[] = {
        {MiB, 2 * MiB, RAM},
        {MiB, 2 * MiB, RAM},
    };
    struct pogo_mem_region out[POGO_MEMMAP_MAX];

    CHECK_EQ(normalize(in, 2, out), 1);
    check_region(&out[0], MiB, 2 * MiB, RAM);
}

TEST(small_output_reports_the_full_count)
{
    struct pogo_mem_region in[] = {
        {0, MiB, RAM},
        {2 * MiB, 3 * MiB, RAM},
        {4 * MiB, 5 * MiB, RAM},
    };
    struct pogo_mem_region out[2];

    CHECK_EQ(pogo_memmap_normalize(in, 3, out, 2), 3);
    check_region(&out[1], 2 * MiB, 3 * MiB, RAM);
}

TEST(usable_ram_is_page_aligned_and_skips_page_zero)
{
    struct pogo_mem_region map[] = {
        {0, 0x9fc00, RAM},
        {0x9fc00, MiB, RES},
        {MiB + 100, 64 * MiB - 100, RAM},
        {64 * MiB, 64 * MiB + 0x800, RAM},
    };
    struct pogo_mem_region out[POGO_MEMMAP_MAX];

    CHECK_EQ(pogo_memmap_usable(map, 4, out, POGO_MEMMAP_MAX), 2);
    check_region(&out[0], 0x1000, 0x9f000, RAM);
    check_region(&out[1], MiB + 0x1000, 64 * MiB - 0x1000, RAM);
}

TEST(ram_above_4g_is_kept)
{
    struct pogo_mem_region in[] = {
        {0, 0x9fc00, RAM},
        {MiB, 3072 * MiB, RAM},
        {4096 * MiB, 6144 * MiB, RAM},
        {0xfeffc000, 0xff000000, RES},
    };
    struct pogo_mem_region out[POGO_MEMMAP_MAX];
    struct pogo_mem_region usable[POGO_MEMMAP_MAX];
    size_t n = normalize(in, 4, out);

    CHECK_EQ(n, 4);
    CHECK_EQ(pogo_memmap_usable(out, n, usable, POGO_MEMMAP_MAX), 3);
    check_region(&usable[2], 4096 * MiB, 6144 * MiB, RAM);
}

TEST(region_at_the_top_of_the_address_space_does_not_wrap)
{
    struct pogo_mem_region map[] = {
        {UINT64_MAX - 0x1800, UINT64_MAX, RAM},
    };
    struct pogo_mem_region out[POGO_MEMMAP_MAX];
    size_t n = pogo_memmap_usable(map, 1, out, POGO_MEMMAP_MAX);

    for (size_t i = 0; i < n; i++)
        CHECK(out[i].start < out[i].end);
}
