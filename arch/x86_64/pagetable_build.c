/* SPDX-License-Identifier: BSD-3-Clause */
/* The boot page-table builder (see pogo/arch/pagetable_build.h). */
#include <pogo/arch/pagetable_build.h>
#include <pogo/arch/x86.h>
#include <string.h>

#define PAGE    4096ULL
#define LARGE   (2ULL << 20)
#define ENTRIES 512

#define TABLE_FLAGS (X86_PTE_P | X86_PTE_W | X86_PTE_A)
#define DATA_FLAGS \
    (X86_PTE_P | X86_PTE_W | X86_PTE_A | X86_PTE_D | X86_PTE_G | X86_PTE_NX)

static uint64_t page_down(uint64_t a)
{
    return a & ~(PAGE - 1);
}

static uint64_t page_up(uint64_t a)
{
    return (a + PAGE - 1) & ~(PAGE - 1);
}

static bool is_hole(const struct pt_build_input *in, uint64_t page)
{
    for (size_t i = 0; i < in->nholes; i++) {
        if (page_down(in->holes[i]) == page)
            return true;
    }
    return false;
}

static uint64_t segment_flags(const struct pt_segment *s)
{
    uint64_t f = X86_PTE_P | X86_PTE_A | X86_PTE_G;

    if (s->write)
        f |= X86_PTE_W | X86_PTE_D;
    if (!s->exec)
        f |= X86_PTE_NX;
    return f;
}

/*
 * Returns the entry for the 4 KiB page at addr. Page 0 is mapped because
 * some loaders put the PVH start info there; the kernel unmaps it once the
 * start info is read, to catch null pointers.
 */
static uint64_t page_entry(const struct pt_build_input *in, uint64_t addr)
{
    if (is_hole(in, addr))
        return 0;
    for (size_t i = 0; i < in->nsegments; i++) {
        const struct pt_segment *s = &in->segments[i];
        if (addr >= page_down(s->start) && addr < page_up(s->end))
            return addr | segment_flags(s);
    }
    return addr | DATA_FLAGS;
}

static uint64_t images_end(const struct pt_build_input *in)
{
    uint64_t end = 0;

    for (size_t i = 0; i < in->nsegments; i++) {
        if (page_up(in->segments[i].end) > end)
            end = page_up(in->segments[i].end);
    }
    return end;
}

static bool valid_input(const struct pt_build_input *in, size_t npages)
{
    uint64_t tables_end = in->tables_addr + npages * PAGE;

    if (in->tables_addr == 0 || in->tables_addr % PAGE)
        return false;
    for (size_t i = 0; i < in->nsegments; i++) {
        const struct pt_segment *s = &in->segments[i];
        if (s->end < s->start)
            return false;
        if (page_up(s->end) > in->tables_addr &&
            page_down(s->start) < tables_end && s->start != s->end && !s->write)
            return false;
    }
    return tables_end <= PT_BUILD_IDENTITY_LIMIT;
}

/* The page tables must cover themselves, so their count is a fixed point. */
static size_t count_pages(const struct pt_build_input *in)
{
    size_t npages = 1;

    for (;;) {
        uint64_t end = in->tables_addr + npages * PAGE;
        uint64_t covered = images_end(in) > end ? images_end(in) : end;
        size_t need = 1 + (covered + LARGE - 1) / LARGE;
        if (need == npages)
            return npages;
        npages = need;
    }
}

size_t pt_build(const struct pt_build_input *in, uint64_t *out,
                size_t out_pages)
{
    size_t npages = count_pages(in);
    size_t npts = npages - 1;
    uint64_t *pd;

    if (!valid_input(in, npages))
        return 0;
    if (!out || out_pages < npages)
        return npages;

    memset(out, 0, npages * PAGE);
    pd = out;

    for (size_t i = 0; i < ENTRIES; i++) {
        uint64_t base = i * LARGE;
        if (i < npts) {
            uint64_t *pt = out + (1 + i) * ENTRIES;
            pd[i] = (in->tables_addr + (1 + i) * PAGE) | TABLE_FLAGS;
            for (size_t j = 0; j < ENTRIES; j++)
                pt[j] = page_entry(in, base + j * PAGE);
        } else {
            pd[i] = base | DATA_FLAGS | X86_PTE_PS;
        }
    }
    return npages;
}
