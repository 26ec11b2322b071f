/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The ordered set of regions behind lib/mm/vm.c: an AVL tree with parent
 * links, where each node summarises its subtree so that a free range can
 * be found top-down without visiting every region.
 */
#include <pogo/errno.h>

#include "regions.h"

static int height(const struct vm_region *n)
{
    return n ? n->height : 0;
}

static int balance(const struct vm_region *n)
{
    return height(n->left) - height(n->right);
}

/* Recomputes the height and subtree summary of n from its children. */
static void update(struct vm_region *n)
{
    const struct vm_region *l = n->left;
    const struct vm_region *r = n->right;
    uintptr_t gap = 0;

    n->height = 1 + POGO_MAX(height(l), height(r));
    n->subtree_start = l ? l->subtree_start : n->start;
    n->subtree_end = r ? r->subtree_end : n->end;
    if (l)
        gap = POGO_MAX(l->subtree_gap, n->start - l->subtree_end);
    if (r) {
        gap = POGO_MAX(gap, r->subtree_gap);
        gap = POGO_MAX(gap, r->subtree_start - n->end);
    }
    n->subtree_gap = gap;
}

/* Makes child take the place of old below parent (or at the root). */
static void replace_child(struct vm_regions *set, struct vm_region *parent,
                          struct vm_region *old, struct vm_region *child)
{
    if (!parent)
        set->root = child;
    else if (parent->left == old)
        parent->left = child;
    else
        parent->right = child;
    if (child)
        child->parent = parent;
}

/* Rotates x down to the left and returns the new root of its subtree. */
static struct vm_region *rotate_left(struct vm_regions *set,
                                     struct vm_region *x)
{
    struct vm_region *y = x->right;

    replace_child(set, x->parent, x, y);
    x->right = y->left;
    if (x->right)
        x->right->parent = x;
    y->left = x;
    x->parent = y;
    update(x);
    update(y);
    return y;
}

static struct vm_region *rotate_right(struct vm_regions *set,
                                      struct vm_region *x)
{
    struct vm_region *y = x->left;

    replace_child(set, x->parent, x, y);
    x->left = y->right;
    if (x->left)
        x->left->parent = x;
    y->right = x;
    x->parent = y;
    update(x);
    update(y);
    return y;
}

/*
 * Walks from n to the root, updating summaries and restoring the AVL
 * balance (subtree heights differ by at most one) where a change below
 * broke it.
 */
static void rebalance(struct vm_regions *set, struct vm_region *n)
{
    while (n) {
        update(n);
        if (balance(n) > 1) {
            if (balance(n->left) < 0)
                rotate_left(set, n->left);
            n = rotate_right(set, n);
        } else if (balance(n) < -1) {
            if (balance(n->right) > 0)
                rotate_right(set, n->right);
            n = rotate_left(set, n);
        }
        n = n->parent;
    }
}

static struct vm_region *leftmost(struct vm_region *n)
{
    while (n && n->left)
        n = n->left;
    return n;
}

static struct vm_region *rightmost(struct vm_region *n)
{
    while (n && n->right)
        n = n->right;
    return n;
}

static struct vm_region *new_node(struct vm_regions *set)
{
    if (set->spares > 0)
        return set->spare[--set->spares];
    return set->alloc(sizeof(struct vm_region));
}

int regions_reserve(struct vm_regions *set, unsigned n)
{
    n = POGO_MIN(n, (unsigned)REGIONS_SPARE_MAX);
    while (set->spares < n) {
        struct vm_region *node = set->alloc(sizeof(*node));

        if (!node)
            return -ENOMEM;
        set->spare[set->spares++] = node;
    }
    return 0;
}

static void free_subtree(struct vm_regions *set, struct vm_region *n)
{
    while (n) {
        struct vm_region *right = n->right;

        free_subtree(set, n->left);
        set->free(n);
        n = right;
    }
}

void regions_clear(struct vm_regions *set)
{
    free_subtree(set, set->root);
    set->root = NULL;
    set->count = 0;
    while (set->spares > 0)
        set->free(set->spare[--set->spares]);
}

struct vm_region *regions_find(const struct vm_regions *set, uintptr_t addr)
{
    struct vm_region *n = set->root;

    while (n) {
        if (addr < n->start)
            n = n->left;
        else if (addr >= n->end)
            n = n->right;
        else
            return n;
    }
    return NULL;
}

struct vm_region *regions_first_after(const struct vm_regions *set,
                                      uintptr_t addr)
{
    struct vm_region *n = set->root;
    struct vm_region *found = NULL;

    /* Regions are disjoint, so their ends are sorted as their starts. */
    while (n) {
        if (n->end > addr) {
            found = n;
            n = n->left;
        } else {
            n = n->right;
        }
    }
    return found;
}

struct vm_region *regions_first(const struct vm_regions *set)
{
    return leftmost(set->root);
}

struct vm_region *regions_next(const struct vm_region *r)
{
    if (r->right)
        return leftmost(r->right);
    while (r->parent && r->parent->right == r)
        r = r->parent;
    return r->parent;
}

struct vm_region *regions_prev(const struct vm_region *r)
{
    if (r->left)
        return rightmost(r->left);
    while (r->parent && r->parent->left == r)
        r = r->parent;
    return r->parent;
}

/*
 * Finds where a region [start, end) would hang as a leaf. Returns false
 * when it overlaps a region. Checking the path is enough, because the two
 * regions next to a leaf position in address order are both on it.
 */
static bool find_slot(const struct vm_regions *set, uintptr_t start,
                      uintptr_t end, struct vm_region **parent)
{
    struct vm_region *n = set->root;

    *parent = NULL;
    while (n) {
        if (start < n->end && n->start < end)
            return false;
        *parent = n;
        n = start < n->start ? n->left : n->right;
    }
    return true;
}

/* Links node, whose bounds are set, below parent as found by find_slot. */
static void link_node(struct vm_regions *set, struct vm_region *node,
                      struct vm_region *parent)
{
    node->parent = parent;
    node->left = NULL;
    node->right = NULL;
    if (!parent)
        set->root = node;
    else if (node->start < parent->start)
        parent->left = node;
    else
        parent->right = node;
    set->count++;
    update(node);
    rebalance(set, parent);
}

struct vm_region *regions_insert(struct vm_regions *set,
                                 const struct vm_region *proto)
{
    struct vm_region *parent, *node;

    if (proto->start >= proto->end)
        return NULL;
    if (!find_slot(set, proto->start, proto->end, &parent))
        return NULL;
    node = new_node(set);
    if (!node)
        return NULL;

    *node = (struct vm_region){
        .start = proto->start,
        .end = proto->end,
        .prot = proto->prot,
        .flags = proto->flags,
        .owner = proto->owner,
        .file = proto->file,
        .file_base = proto->file_base,
    };
    link_node(set, node, parent);
    return node;
}

/*
 * Unlinks n, which has two children, by moving its successor s (the
 * leftmost node of its right subtree, which has no left child) into its
 * place. Nodes are moved rather than their contents copied, because the
 * caller may hold pointers to either.
 */
static void unlink_inner(struct vm_regions *set, struct vm_region *n)
{
    struct vm_region *s = leftmost(n->right);
    struct vm_region *fix = s;

    if (s->parent != n) {
        fix = s->parent;
        replace_child(set, s->parent, s, s->right);
        s->right = n->right;
        s->right->parent = s;
    }
    s->left = n->left;
    s->left->parent = s;
    replace_child(set, n->parent, n, s);
    rebalance(set, fix);
}

void regions_remove(struct vm_regions *set, struct vm_region *r)
{
    if (r->left && r->right) {
        unlink_inner(set, r);
    } else {
        struct vm_region *parent = r->parent;

        replace_child(set, parent, r, r->left ? r->left : r->right);
        rebalance(set, parent);
    }
    set->count--;
    set->free(r);
}

bool regions_resize(struct vm_regions *set, struct vm_region *r,
                    uintptr_t start, uintptr_t end)
{
    const struct vm_region *prev = regions_prev(r);
    const struct vm_region *next = regions_next(r);

    if (start >= end)
        return false;
    if ((prev && prev->end > start) || (next && next->start < end))
        return false;
    r->start = start;
    r->end = end;
    /* The order is unchanged, so only the summaries above r change. */
    rebalance(set, r);
    return true;
}

struct vm_region *regions_split(struct vm_regions *set, struct vm_region *r,
                                uintptr_t addr)
{
    struct vm_region *node, *parent;

    if (addr <= r->start || addr >= r->end)
        return NULL;
    node = new_node(set);
    if (!node)
        return NULL;

    *node = (struct vm_region){
        .start = addr,
        .end = r->end,
        .prot = r->prot,
        .flags = r->flags,
        .owner = r->owner,
        .file = r->file,
        .file_base = r->file_base,
    };
    r->end = addr;
    rebalance(set, r);
    /* The slot is free: the range was r's a moment ago. */
    find_slot(set, node->start, node->end, &parent);
    link_node(set, node, parent);
    return node;
}

/* Tries to place the request in the free range [lo, hi). */
static bool fit(uintptr_t lo, uintptr_t hi, const struct regions_gap *gap,
                uintptr_t *addr)
{
    uintptr_t a, align = gap->align ? gap->align : 1;

    lo = POGO_MAX(lo, gap->floor);
    hi = POGO_MIN(hi, gap->limit);
    if (hi <= lo || hi - lo < gap->len)
        return false;
    a = POGO_ALIGN_DOWN(hi - gap->len, align);
    if (a < lo)
        return false;
    *addr = a;
    return true;
}

/* Tells whether the free space around subtree n in [lo, hi) may fit. */
static bool may_fit(const struct vm_region *n, uintptr_t lo, uintptr_t hi,
                    const struct regions_gap *gap)
{
    uintptr_t clipped_lo = POGO_MAX(lo, gap->floor);
    uintptr_t clipped_hi = POGO_MIN(hi, gap->limit);
    uintptr_t largest = n->subtree_gap;

    if (clipped_hi <= clipped_lo || clipped_hi - clipped_lo < gap->len)
        return false;
    largest = POGO_MAX(largest, n->subtree_start - lo);
    largest = POGO_MAX(largest, hi - n->subtree_end);
    return largest >= gap->len;
}

/*
 * Searches the free space in [lo, hi) around the regions of subtree n,
 * highest first. lo and hi are the end and start of the regions just
 * outside the subtree, so every free range met is maximal. The recursion
 * is as deep as the tree, which stays under 1.45 log2(n + 2).
 */
static bool search(const struct vm_region *n, uintptr_t lo, uintptr_t hi,
                   const struct regions_gap *gap, uintptr_t *addr)
{
    if (!n)
        return fit(lo, hi, gap, addr);
    if (!may_fit(n, lo, hi, gap))
        return false;
    if (search(n->right, n->end, hi, gap, addr))
        return true;
    return search(n->left, lo, n->start, gap, addr);
}

bool regions_find_gap(const struct vm_regions *set,
                      const struct regions_gap *gap, uintptr_t *addr)
{
    if (gap->len == 0)
        return false;
    return search(set->root, 0, UINTPTR_MAX, gap, addr);
}
