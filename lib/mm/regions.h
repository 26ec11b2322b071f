/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * An ordered set of non-overlapping address ranges (regions) kept in an AVL
 * tree keyed by start address. Each node also stores a summary of its
 * subtree (lowest start, highest end, largest free range between its
 * regions), so that lookups, updates and a top-down search for a free range
 * all take O(log n). The set takes node memory from callbacks and never
 * calls the kernel heap itself, so host tests can inject failures.
 */
#ifndef POGO_MM_REGIONS_H
#define POGO_MM_REGIONS_H

#include <pogo/compiler.h>

/* Maximum number of spare nodes that regions_reserve() keeps. */
#define REGIONS_SPARE_MAX 4

/*
 * One region. The set orders regions by start and keeps them disjoint. It
 * copies prot, flags, owner, file and file_base but does not interpret
 * them.
 */
struct vm_region {
    uintptr_t start;
    uintptr_t end;            /* exclusive */
    int prot;                 /* POGO_PROT_* */
    unsigned flags;           /* VM_* from vm.h */
    const char *const *owner; /* thread name, for stacks and guards */
    void *file;               /* file mappings: what vm.c maps */
    uintptr_t file_base;      /* address of file offset 0 (may wrap) */

    /* Tree links and subtree summary, maintained by regions.c only. */
    struct vm_region *parent;
    struct vm_region *left;
    struct vm_region *right;
    uintptr_t subtree_start; /* lowest start in this subtree */
    uintptr_t subtree_end;   /* highest end in this subtree */
    uintptr_t subtree_gap;   /* largest free range between its regions */
    int height;              /* of this subtree; 1 for a leaf */
};

struct vm_regions {
    struct vm_region *root;
    size_t count;
    void *(*alloc)(size_t size); /* returns NULL when memory runs out */
    void (*free)(void *p);
    struct vm_region *spare[REGIONS_SPARE_MAX];
    unsigned spares;
};

/* A request for a free range: see regions_find_gap(). */
struct regions_gap {
    size_t len;      /* bytes, at least 1 */
    size_t align;    /* a power of two, or 0 for no alignment */
    uintptr_t floor; /* lowest address the range may start at */
    uintptr_t limit; /* the range must end at or below this address */
};

/* Empties set and frees every node, spares included. */
void regions_clear(struct vm_regions *set);

/*
 * Makes sure that the next n node allocations (n at most
 * REGIONS_SPARE_MAX) succeed without calling alloc. Returns 0, or -ENOMEM
 * when alloc fails (the nodes allocated so far stay spare).
 */
int regions_reserve(struct vm_regions *set, unsigned n);

/* Returns the region that contains addr, or NULL. */
struct vm_region *regions_find(const struct vm_regions *set, uintptr_t addr);

/* Returns the first region that ends after addr, or NULL. */
struct vm_region *regions_first_after(const struct vm_regions *set,
                                      uintptr_t addr);

/* Return the lowest region, or NULL when set is empty. */
struct vm_region *regions_first(const struct vm_regions *set);

/* Return the neighbours of r in address order, or NULL at either end. */
struct vm_region *regions_next(const struct vm_region *r);
struct vm_region *regions_prev(const struct vm_region *r);

/*
 * Inserts a copy of the start, end, prot, flags, owner, file and
 * file_base of proto.
 * Returns the new region, or NULL, leaving set unchanged, when no node can
 * be allocated or when [start, end) is empty or overlaps a region.
 */
struct vm_region *regions_insert(struct vm_regions *set,
                                 const struct vm_region *proto);

/* Removes r from set and frees it. */
void regions_remove(struct vm_regions *set, struct vm_region *r);

/*
 * Changes the bounds of r to [start, end). Returns false, changing
 * nothing, when the range is empty or would overlap a neighbour of r.
 */
bool regions_resize(struct vm_regions *set, struct vm_region *r,
                    uintptr_t start, uintptr_t end);

/*
 * Splits r at addr, which must lie strictly inside it: r keeps
 * [start, addr) and a new region with the same prot, flags, owner, file
 * and file_base gets
 * [addr, end). Returns the new upper region, or NULL, leaving set
 * unchanged, when addr is outside r or no node can be allocated.
 */
struct vm_region *regions_split(struct vm_regions *set, struct vm_region *r,
                                uintptr_t addr);

/*
 * Finds the highest address a, aligned to gap->align, such that
 * [a, a + gap->len) lies inside [gap->floor, gap->limit) and overlaps no
 * region. Stores it in *addr and returns true, or returns false when there
 * is no such range. Takes O(log n) steps. With an alignment, each free
 * range that is long enough but cannot contain an aligned start adds up
 * to O(log n) more.
 */
bool regions_find_gap(const struct vm_regions *set,
                      const struct regions_gap *gap, uintptr_t *addr);

#endif
