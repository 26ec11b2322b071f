/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The physical frame allocator: a binary buddy system over all usable RAM,
 * from 4 KiB frames up to 1 GiB blocks. Free blocks are linked through
 * their own first bytes; a bitmap per order marks which blocks are free,
 * so that a block can tell whether its buddy may be merged with it.
 */
#include <pogo/pagetable.h>
#include <pogo/arch.h>
#include <pogo/errno.h>
#include <pogo/init.h>
#include <pogo/log.h>
#include <pogo/mm.h>
#include <pogo/plat.h>
#include <pogo/string.h>

#define NORDERS (POGO_FRAME_MAX_ORDER + 1)

struct free_block {
    struct free_block *next;
    struct free_block *prev;
};

static struct free_block *free_lists[NORDERS];
static uint64_t *bitmaps[NORDERS];
static uintptr_t max_pfn;
static size_t free_frames;
static size_t total_frames;

extern char __pogo_image_start[];
extern char __pogo_image_end[];

static size_t bit_index(uintptr_t addr, unsigned order)
{
    return (addr >> POGO_PAGE_SHIFT) >> order;
}

static bool test_free(uintptr_t addr, unsigned order)
{
    size_t i = bit_index(addr, order);

    return bitmaps[order][i / 64] & (1ULL << (i % 64));
}

static void set_free(uintptr_t addr, unsigned order, bool is_free)
{
    size_t i = bit_index(addr, order);

    if (is_free)
        bitmaps[order][i / 64] |= 1ULL << (i % 64);
    else
        bitmaps[order][i / 64] &= ~(1ULL << (i % 64));
}

static void push(uintptr_t addr, unsigned order)
{
    struct free_block *b = (struct free_block *)addr;

    b->prev = NULL;
    b->next = free_lists[order];
    if (b->next)
        b->next->prev = b;
    free_lists[order] = b;
    set_free(addr, order, true);
}

static void unlink_block(uintptr_t addr, unsigned order)
{
    struct free_block *b = (struct free_block *)addr;

    if (b->prev)
        b->prev->next = b->next;
    else
        free_lists[order] = b->next;
    if (b->next)
        b->next->prev = b->prev;
    set_free(addr, order, false);
}

static void free_block(uintptr_t addr, unsigned order)
{
    while (order < POGO_FRAME_MAX_ORDER) {
        uintptr_t buddy = addr ^ (POGO_PAGE_SIZE << order);

        if ((buddy >> POGO_PAGE_SHIFT) >= max_pfn || !test_free(buddy, order))
            break;
        unlink_block(buddy, order);
        addr &= ~(POGO_PAGE_SIZE << order);
        order++;
    }
    push(addr, order);
}

uintptr_t pogo_frames_alloc(unsigned order)
{
    unsigned k = order;
    uintptr_t addr;
    bool irq;

    if (order > POGO_FRAME_MAX_ORDER)
        return 0;
    irq = pogo_irq_save();
    while (k < NORDERS && !free_lists[k])
        k++;
    if (k == NORDERS) {
        pogo_irq_restore(irq);
        return 0;
    }
    addr = (uintptr_t)free_lists[k];
    unlink_block(addr, k);
    /* Give back the upper halves until the block has the size asked for. */
    while (k > order) {
        k--;
        push(addr + (POGO_PAGE_SIZE << k), k);
    }
    free_frames -= 1UL << order;
    pogo_irq_restore(irq);
    return addr;
}

uintptr_t pogo_frames_alloc_zeroed(unsigned order)
{
    uintptr_t addr = pogo_frames_alloc(order);

    if (addr)
        pogo_memset((void *)addr, 0, POGO_PAGE_SIZE << order);
    return addr;
}

void pogo_frames_free(uintptr_t addr, unsigned order)
{
    bool irq;

    POGO_ASSERT(order <= POGO_FRAME_MAX_ORDER);
    POGO_ASSERT(addr && !(addr & ((POGO_PAGE_SIZE << order) - 1)));
    POGO_ASSERT((addr >> POGO_PAGE_SHIFT) < max_pfn);
    irq = pogo_irq_save();
    POGO_ASSERT(!test_free(addr, order));
    free_block(addr, order);
    free_frames += 1UL << order;
    pogo_irq_restore(irq);
}

size_t pogo_frames_free_count(void)
{
    return free_frames;
}

size_t pogo_frames_total(void)
{
    return total_frames;
}

uintptr_t pogo_frames_ram_end(void)
{
    return max_pfn << POGO_PAGE_SHIFT;
}

/* Adds [start, end) to the free lists in maximal aligned blocks. */
static void add_range(uintptr_t start, uintptr_t end)
{
    while (start < end) {
        unsigned order = 0;

        while (order < POGO_FRAME_MAX_ORDER &&
               !(start & ((POGO_PAGE_SIZE << (order + 1)) - 1)) &&
               start + (POGO_PAGE_SIZE << (order + 1)) <= end)
            order++;
        free_block(start, order);
        start += POGO_PAGE_SIZE << order;
        free_frames += 1UL << order;
        total_frames += 1UL << order;
    }
}

/* Adds a usable region without the parts that hold the image or initrd. */
static void add_region(uintptr_t start, uintptr_t end)
{
    uintptr_t holes[2][2] = {
        {(uintptr_t)__pogo_image_start, (uintptr_t)__pogo_image_end},
        {0, 0},
    };
    size_t initrd_size;

    if (pogo_plat_initrd(&holes[1][0], &initrd_size)) {
        holes[1][1] = POGO_ALIGN_UP(holes[1][0] + initrd_size, POGO_PAGE_SIZE);
        holes[1][0] = POGO_ALIGN_DOWN(holes[1][0], POGO_PAGE_SIZE);
    }
    for (size_t i = 0; i < 2 && start < end; i++) {
        uintptr_t hs = holes[i][0], he = holes[i][1];
        if (he <= start || hs >= end)
            continue;
        if (hs > start)
            add_region(start, hs);
        start = he;
    }
    if (start < end)
        add_range(start, end);
}

/*
 * Takes the bitmaps' memory from the start of the first region that has
 * room outside the image; returns its address, or 0 if none has.
 */
static uintptr_t carve_bitmaps(struct pogo_mem_region *ram, size_t n,
                               size_t bytes)
{
    uintptr_t image_end = (uintptr_t)__pogo_image_end;

    for (size_t i = 0; i < n; i++) {
        uintptr_t start = ram[i].start;
        if (start < image_end && ram[i].end > (uintptr_t)__pogo_image_start)
            start = image_end;
        if (start + bytes <= ram[i].end &&
            start + bytes <= PT_BOOT_IDENTITY_LIMIT) {
            ram[i].start = POGO_ALIGN_UP(start + bytes, POGO_PAGE_SIZE);
            return start;
        }
    }
    return 0;
}

static int frames_init(void)
{
    const struct pogo_mem_region *map;
    size_t nmap = pogo_plat_memmap(&map);
    struct pogo_mem_region ram[POGO_MEMMAP_MAX];
    size_t n = pogo_memmap_usable(map, nmap, ram, POGO_MEMMAP_MAX);
    size_t bytes = 0, usable = 0;
    uintptr_t mem;

    if (n == 0) {
        pogo_error("mm: the memory map has no usable RAM\n");
        return -ENOMEM;
    }
    max_pfn = ram[n - 1].end >> POGO_PAGE_SHIFT;
    for (size_t i = 0; i < n; i++)
        usable += ram[i].end - ram[i].start;
    for (unsigned k = 0; k < NORDERS; k++)
        bytes += ((max_pfn >> k) / 64 + 1) * sizeof(uint64_t);
    mem = carve_bitmaps(ram, n, bytes);
    if (!mem) {
        pogo_error("mm: no room for the frame bitmaps (%zu bytes)\n", bytes);
        return -ENOMEM;
    }
    pogo_memset((void *)mem, 0, bytes);
    for (unsigned k = 0; k < NORDERS; k++) {
        bitmaps[k] = (uint64_t *)mem;
        mem += ((max_pfn >> k) / 64 + 1) * sizeof(uint64_t);
    }

    /* RAM below the boot tables' limit is mapped already; the rest is
     * mapped before its frames are handed out. */
    for (size_t i = 0; i < n; i++) {
        uintptr_t end = POGO_MIN(ram[i].end, PT_BOOT_IDENTITY_LIMIT);
        if (ram[i].start < end)
            add_region(ram[i].start, end);
    }
    for (size_t i = 0; i < n; i++) {
        uintptr_t start = POGO_MAX(ram[i].start, PT_BOOT_IDENTITY_LIMIT);
        if (start >= ram[i].end)
            continue;
        if (pogo_arch_map_identity(start, ram[i].end) != 0) {
            pogo_warn("mm: cannot map RAM at %#lx-%#lx; it stays unused\n",
                      start, ram[i].end);
            continue;
        }
        add_region(start, ram[i].end);
    }
    pogo_info("mm: %zu KiB usable RAM in %zu regions up to %#lx, %zu KiB "
              "free after the image\n",
              usable / 1024, n, (uintptr_t)ram[n - 1].end, free_frames * 4);
    return 0;
}
POGO_INIT(POGO_INIT_MM, "frames", frames_init, NULL);
