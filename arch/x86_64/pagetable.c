/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Run-time page-table changes on the four-level x86_64 tables that the
 * image brings (see pagetable_build.c). Upper levels are always writable
 * and executable; the last level carries the permissions.
 */
#include <pogo/arch.h>
#include <pogo/arch/cpu.h>
#include <pogo/errno.h>
#include <pogo/log.h>
#include <pogo/mm.h>
#include <pogo/pagetable.h>

#define ADDR_MASK      0x000ffffffffff000ULL
#define LEVEL_SHIFT(l) (12 + 9 * ((l)-1))
#define LEVEL_SIZE(l)  (1ULL << LEVEL_SHIFT(l))
#define INDEX(va, l)   (((va) >> LEVEL_SHIFT(l)) & 511)
#define TABLE_FLAGS    (X86_PTE_P | X86_PTE_W | X86_PTE_A)
#define RAM_FLAGS \
    (X86_PTE_P | X86_PTE_W | X86_PTE_A | X86_PTE_D | X86_PTE_G | X86_PTE_NX)
#define DEVICE_FLAGS (RAM_FLAGS | X86_PTE_PCD | X86_PTE_PWT)

/* A range flush beyond this many pages reloads CR3 instead. */
#define FLUSH_PAGES_MAX 32

extern uint64_t pogo_boot_pml4[];

static uint64_t *table_of(uint64_t entry)
{
    return (uint64_t *)(uintptr_t)(entry & ADDR_MASK);
}

static uint64_t leaf_flags(int prot)
{
    uint64_t f = X86_PTE_P | X86_PTE_A;

    if (prot == POGO_PROT_NONE)
        return X86_PTE_SOFT_NONE;
    if (prot & POGO_PROT_WRITE)
        f |= X86_PTE_W | X86_PTE_D;
    if (!(prot & POGO_PROT_EXEC))
        f |= X86_PTE_NX;
    return f;
}

static int prot_of(uint64_t entry)
{
    int prot = POGO_PROT_READ;

    if (!(entry & X86_PTE_P))
        return POGO_PROT_NONE;
    if (entry & X86_PTE_W)
        prot |= POGO_PROT_WRITE;
    if (!(entry & X86_PTE_NX))
        prot |= POGO_PROT_EXEC;
    return prot;
}

static void flush_all(void)
{
    x86_write_cr3(x86_read_cr3());
}

/* Replaces a large page by a table of entries of the next level down. */
static int split_large(uint64_t *entry, int level)
{
    uintptr_t t = pogo_frames_alloc(0);
    uint64_t *table = (uint64_t *)t;
    uint64_t base = *entry & ADDR_MASK;
    uint64_t flags = *entry & ~ADDR_MASK;

    if (!t)
        return -ENOMEM;
    if (level - 1 == 1)
        flags &= ~(uint64_t)X86_PTE_PS;
    for (int i = 0; i < 512; i++)
        table[i] = (base + i * LEVEL_SIZE(level - 1)) | flags;
    *entry = t | TABLE_FLAGS;
    flush_all();
    return 0;
}

/*
 * Returns the table of the given level that covers va, creating tables
 * and splitting large pages on the way; NULL when memory runs out.
 */
static uint64_t *walk_create(uintptr_t va, int level)
{
    uint64_t *table = pogo_boot_pml4;

    for (int l = 4; l > level; l--) {
        uint64_t *e = &table[INDEX(va, l)];
        if (!(*e & X86_PTE_P)) {
            uintptr_t t = pogo_frames_alloc_zeroed(0);
            if (!t)
                return NULL;
            *e = t | TABLE_FLAGS;
        } else if (*e & X86_PTE_PS) {
            if (split_large(e, l) != 0)
                return NULL;
        }
        table = table_of(*e);
    }
    return table;
}

int pogo_arch_map_page(uintptr_t va, uintptr_t pa, int prot)
{
    uint64_t *pt = walk_create(va, 1);
    uint64_t *e;

    if (!pt)
        return -ENOMEM;
    e = &pt[INDEX(va, 1)];
    *e = pa | leaf_flags(prot);
    x86_invlpg(va);
    return 0;
}

/* Maps [start, end) identity with the largest pages that fit. */
static int map_identity_flags(uintptr_t start, uintptr_t end, uint64_t flags)
{
    while (start < end) {
        int level = 1;
        uint64_t *table;

        for (int l = 3; l > 1; l--) {
            if (l == 3 && !pogo_cpu_features.pdpe1gb)
                continue;
            if (!(start & (LEVEL_SIZE(l) - 1)) &&
                end - start >= LEVEL_SIZE(l)) {
                level = l;
                break;
            }
        }
        table = walk_create(start, level);
        if (!table)
            return -ENOMEM;
        table[INDEX(start, level)] =
            start | flags | (level > 1 ? X86_PTE_PS : 0);
        start += LEVEL_SIZE(level);
    }
    flush_all();
    return 0;
}

int pogo_arch_map_identity(uintptr_t start, uintptr_t end)
{
    return map_identity_flags(start, end, RAM_FLAGS);
}

int pogo_arch_map_device(uintptr_t start, size_t size)
{
    uintptr_t s = start & ~(POGO_PAGE_SIZE - 1);
    uintptr_t e = POGO_ALIGN_UP(start + size, POGO_PAGE_SIZE);

    /* 4 KiB pages, so that neighbouring RAM keeps its caching. */
    for (uintptr_t a = s; a < e; a += POGO_PAGE_SIZE) {
        uint64_t *pt = walk_create(a, 1);
        if (!pt)
            return -ENOMEM;
        pt[INDEX(a, 1)] = a | DEVICE_FLAGS;
    }
    flush_all();
    return 0;
}

/* An operation on the 4 KiB leaves of a range: see walk_range(). */
struct range_op {
    void (*leaf)(uint64_t *e, uintptr_t va, struct range_op *op);
    void (*release)(uintptr_t pa, void *arg);
    void *arg;
    uint64_t new_flags; /* leaf flags for protect */
    uintptr_t from;     /* move: source and destination of the range */
    uintptr_t to;
    int error;
    size_t changed;
};

/* A leaf holds a frame when present, or when kept for PROT_NONE. */
static bool holds_frame(uint64_t e)
{
    return e & (X86_PTE_P | X86_PTE_SOFT_NONE);
}

static void flush_changed(uintptr_t va, struct range_op *op)
{
    if (++op->changed <= FLUSH_PAGES_MAX)
        x86_invlpg(va);
}

static void unmap_leaf(uint64_t *e, uintptr_t va, struct range_op *op)
{
    uintptr_t pa = *e & ADDR_MASK;

    if (!holds_frame(*e))
        return;
    *e = 0;
    if (op->release)
        op->release(pa, op->arg);
    flush_changed(va, op);
}

static void protect_leaf(uint64_t *e, uintptr_t va, struct range_op *op)
{
    if (!holds_frame(*e))
        return;
    *e = (*e & ADDR_MASK) | op->new_flags;
    flush_changed(va, op);
}

/* Creates the last-level table for the destination of each mapped page. */
static void prepare_move_leaf(uint64_t *e, uintptr_t va, struct range_op *op)
{
    if (!holds_frame(*e) || op->error)
        return;
    if (!walk_create(va - op->from + op->to, 1))
        op->error = -ENOMEM;
}

static void move_leaf(uint64_t *e, uintptr_t va, struct range_op *op)
{
    uintptr_t dest = va - op->from + op->to;
    uint64_t *pt;

    if (!holds_frame(*e))
        return;
    /* prepare_move_leaf created the table, so this allocates nothing. */
    pt = walk_create(dest, 1);
    POGO_ASSERT(pt != NULL);
    pt[INDEX(dest, 1)] = *e;
    *e = 0;
    flush_changed(va, op);
}

/* Visits the 4 KiB leaves of [start, end) below table at level. */
static void walk_range(uint64_t *table, int level, uintptr_t base,
                       uintptr_t start, uintptr_t end, struct range_op *op)
{
    uint64_t size = LEVEL_SIZE(level);
    unsigned i = INDEX(start, level);
    uintptr_t va = base + i * size;

    for (; i < 512 && va < end; i++, va += size) {
        uint64_t *e = &table[i];
        uintptr_t s = POGO_MAX(va, start);
        uintptr_t n = POGO_MIN(va + size, end);

        if (level == 1) {
            op->leaf(e, va, op);
            continue;
        }
        if (!(*e & X86_PTE_P))
            continue;
        /* Region code never maps large pages in application areas. */
        if (*e & X86_PTE_PS)
            continue;
        walk_range(table_of(*e), level - 1, va, s, n, op);
    }
}

void pogo_arch_unmap_range(uintptr_t start, uintptr_t end,
                           void (*release)(uintptr_t pa, void *arg), void *arg)
{
    struct range_op op = {.leaf = unmap_leaf, .release = release, .arg = arg};

    walk_range(pogo_boot_pml4, 4, 0, start, end, &op);
    if (op.changed > FLUSH_PAGES_MAX)
        flush_all();
}

int pogo_arch_move_range(uintptr_t from, uintptr_t to, size_t len,
                         void (*release)(uintptr_t pa, void *arg), void *arg)
{
    struct range_op op = {.leaf = prepare_move_leaf, .from = from, .to = to};

    /*
     * Allocate every table the destination needs before the first change.
     * Tables made before a failure stay, empty, as unmapping leaves them.
     */
    walk_range(pogo_boot_pml4, 4, 0, from, from + len, &op);
    if (op.error)
        return op.error;
    pogo_arch_unmap_range(to, to + len, release, arg);

    /* The destination entries were not present, so only from is flushed. */
    op = (struct range_op){.leaf = move_leaf, .from = from, .to = to};
    walk_range(pogo_boot_pml4, 4, 0, from, from + len, &op);
    if (op.changed > FLUSH_PAGES_MAX)
        flush_all();
    return 0;
}

void pogo_arch_protect_range(uintptr_t start, uintptr_t end, int prot)
{
    struct range_op op = {.leaf = protect_leaf, .new_flags = leaf_flags(prot)};

    walk_range(pogo_boot_pml4, 4, 0, start, end, &op);
    if (op.changed > FLUSH_PAGES_MAX)
        flush_all();
}

bool pogo_arch_lookup(uintptr_t va, uintptr_t *pa, int *prot)
{
    uint64_t *table = pogo_boot_pml4;

    for (int l = 4; l >= 1; l--) {
        uint64_t e = table[INDEX(va, l)];
        if (l == 1 && holds_frame(e)) {
            *pa = (e & ADDR_MASK) | (va & (POGO_PAGE_SIZE - 1));
            *prot = prot_of(e);
            return true;
        }
        if (!(e & X86_PTE_P))
            return false;
        if (l == 1 || (e & X86_PTE_PS)) {
            uint64_t mask = LEVEL_SIZE(l) - 1;
            *pa = (e & ADDR_MASK & ~mask) | (va & mask);
            *prot = prot_of(e);
            return true;
        }
        table = table_of(e);
    }
    return false;
}

void pogo_arch_unmap_null_page(void)
{
    uint64_t *pt = walk_create(0, 1);

    pt[0] = 0;
    x86_invlpg(0);
}
