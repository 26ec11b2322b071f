/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The builder of the boot page tables, run on the host when an image is
 * linked. It identity-maps the low memory with 2 MiB pages and the image
 * with 4 KiB pages that carry each segment's permissions.
 */
#ifndef POGO_ARCH_PAGETABLE_BUILD_H
#define POGO_ARCH_PAGETABLE_BUILD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define PT_BUILD_IDENTITY_LIMIT (1ULL << 30)

struct pt_segment {
    uint64_t start; /* rounded down to a page by the builder */
    uint64_t end;   /* exclusive, rounded up to a page */
    bool write;
    bool exec;
};

struct pt_build_input {
    uint64_t tables_addr; /* page-aligned address the tables are loaded at */
    const struct pt_segment *segments;
    size_t nsegments;
    const uint64_t *holes; /* pages left unmapped, such as stack guards */
    size_t nholes;
};

/*
 * Computes the tables: the first table page is the PML4, page 1 the PDPT, page
 * 2 the page directory of the first GiB, then one page table per 2 MiB from
 * address 0 to the end of the tables themselves. Returns the number of
 * 4 KiB pages the tables need, and writes them to out (512 entries a page,
 * zeroed first) only when out_pages is at least that. Returns 0 when the
 * input is invalid: an unaligned table address, a segment that overlaps
 * the tables, or an image that does not fit below 1 GiB.
 */
size_t pt_build(const struct pt_build_input *in, uint64_t *out,
                size_t out_pages);

#endif
