/* SPDX-License-Identifier: BSD-3-Clause */
/* Normalization of the platform's memory map (see pogo/memmap.h). */
#include <pogo/memmap.h>

#define PAGE_SIZE 4096ULL

/* Priority of a region type where regions overlap: RAM loses to all. */
static unsigned rank(uint32_t type)
{
    return type == POGO_MEM_RAM ? 0 : type;
}

static void sort_points(uint64_t *p, size_t n)
{
    for (size_t i = 1; i < n; i++) {
        uint64_t v = p[i];
        size_t j = i;
        while (j > 0 && p[j - 1] > v) {
            p[j] = p[j - 1];
            j--;
        }
        p[j] = v;
    }
}

/* Type of the elementary interval starting at a, or 0 when uncovered. */
static uint32_t type_at(const struct pogo_mem_region *in, size_t n, uint64_t a)
{
    uint32_t best = 0;
    bool covered = false;

    for (size_t i = 0; i < n; i++) {
        if (in[i].start <= a && a < in[i].end &&
            (!covered || rank(in[i].type) > rank(best))) {
            best = in[i].type;
            covered = true;
        }
    }
    return covered ? best : 0;
}

static size_t emit(struct pogo_mem_region *out, size_t count, size_t max,
                   uint64_t start, uint64_t end, uint32_t type)
{
    if (count > 0 && count <= max && out[count - 1].end == start &&
        out[count - 1].type == type) {
        out[count - 1].end = end;
        return count;
    }
    if (count < max)
        out[count] = (struct pogo_mem_region){start, end, type};
    return count + 1;
}

size_t pogo_memmap_normalize(const struct pogo_mem_region *in, size_t n,
                             struct pogo_mem_region *out, size_t max)
{
    uint64_t points[2 * POGO_MEMMAP_MAX];
    size_t npoints = 0;
    size_t count = 0;

    if (n > POGO_MEMMAP_MAX)
        n = POGO_MEMMAP_MAX;
    for (size_t i = 0; i < n; i++) {
        if (in[i].end <= in[i].start)
            continue;
        points[npoints++] = in[i].start;
        points[npoints++] = in[i].end;
    }
    sort_points(points, npoints);

    for (size_t i = 0; i + 1 < npoints; i++) {
        uint32_t type;
        if (points[i] == points[i + 1])
            continue;
        type = type_at(in, n, points[i]);
        if (type == 0)
            continue;
        count = emit(out, count, max, points[i], points[i + 1], type);
    }
    return count;
}

size_t pogo_memmap_usable(const struct pogo_mem_region *map, size_t n,
                          struct pogo_mem_region *out, size_t max)
{
    size_t count = 0;

    for (size_t i = 0; i < n && count < max; i++) {
        uint64_t start, end;

        if (map[i].type != POGO_MEM_RAM ||
            map[i].start > UINT64_MAX - PAGE_SIZE)
            continue;
        start = (map[i].start + PAGE_SIZE - 1) & ~(PAGE_SIZE - 1);
        end = map[i].end & ~(PAGE_SIZE - 1);
        if (start < PAGE_SIZE)
            start = PAGE_SIZE;
        if (start >= end)
            continue;
        out[count++] = (struct pogo_mem_region){start, end, POGO_MEM_RAM};
    }
    return count;
}
