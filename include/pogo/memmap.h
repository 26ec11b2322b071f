/* SPDX-License-Identifier: BSD-3-Clause */
/* The physical memory map as the platform reports it, and its cleanup. */
#ifndef POGO_MEMMAP_H
#define POGO_MEMMAP_H

#include <pogo/compiler.h>

/* Region types, numbered as in the E820 and PVH memory maps. */
#define POGO_MEM_RAM      1
#define POGO_MEM_RESERVED 2
#define POGO_MEM_ACPI     3
#define POGO_MEM_NVS      4
#define POGO_MEM_UNUSABLE 5

#define POGO_MEMMAP_MAX 64

struct pogo_mem_region {
    uint64_t start;
    uint64_t end; /* exclusive */
    uint32_t type;
};

/*
 * Normalizes a memory map that may be unsorted, overlapping or contain
 * empty regions: the result is sorted, disjoint and without empty
 * regions; where regions overlap, any other type wins over RAM and the
 * larger type number wins otherwise; touching regions of one type are
 * merged. Writes at most max regions to out and returns the number of
 * regions the full result has (more than max means out was too small).
 */
size_t pogo_memmap_normalize(const struct pogo_mem_region *in, size_t n,
                             struct pogo_mem_region *out, size_t max);

/*
 * Writes the usable RAM of a normalized map to out: RAM regions shrunk to
 * whole pages, without the first page (which stays unmapped to catch null
 * pointers). Returns the number of regions written.
 */
size_t pogo_memmap_usable(const struct pogo_mem_region *map, size_t n,
                          struct pogo_mem_region *out, size_t max);

#endif
