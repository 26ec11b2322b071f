/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ramfs file data: pages from the frame allocator in a radix tree, so
 * that a file may be sparse (holes read as zeros and take no memory) and
 * any offset up to 2^63 works. Also read, write, lseek with SEEK_DATA and
 * SEEK_HOLE, truncation, fallocate and the pages that mmap shares.
 */
#include <pogo/errno.h>
#include <pogo/mm.h>
#include <pogo/string.h>

#include "ramfs_internal.h"

#define SLOT_BITS 9
#define SLOTS     (1u << SLOT_BITS)
#define MAX_DEPTH 6 /* 512^6 pages cover every int64 offset */
#define PAGE_MASK (POGO_PAGE_SIZE - 1)

#define SEEK_SET  0
#define SEEK_CUR  1
#define SEEK_END  2
#define SEEK_DATA 3
#define SEEK_HOLE 4

static uintptr_t *slots(uintptr_t node)
{
    return (uintptr_t *)node;
}

/* Tells whether a tree of depth levels can hold page index. */
static bool covers(unsigned depth, uint64_t index)
{
    return depth >= MAX_DEPTH || (index >> (SLOT_BITS * depth)) == 0;
}

static unsigned slot_of(uint64_t index, unsigned level)
{
    return (index >> (SLOT_BITS * (level - 1))) & (SLOTS - 1);
}

/* Takes a frame for the tree or for data, keeping the ramfs reserve. */
static uintptr_t take_frame(void)
{
    if (pogo_frames_free_count() <= ramfs_reserve())
        return 0;
    return pogo_frames_alloc_zeroed(0);
}

/* Makes the tree deep enough for index. Returns 0 or -ENOSPC. */
static int deepen(struct ramfs_pages *p, uint64_t index)
{
    while (!covers(p->depth, index)) {
        uintptr_t node;

        if (!p->root) {
            p->depth++;
            continue;
        }
        node = take_frame();
        if (!node)
            return -ENOSPC;
        slots(node)[0] = p->root;
        p->root = node;
        p->depth++;
    }
    return 0;
}

/*
 * Returns the slot of page index, or NULL when it is not there and create
 * is false or no frame is left for the tree.
 */
static uintptr_t *find_slot(struct ramfs_pages *p, uint64_t index, bool create)
{
    uintptr_t *slot = &p->root;

    if (!covers(p->depth, index)) {
        if (!create || deepen(p, index) != 0)
            return NULL;
    }
    if (p->depth == 0)
        p->depth = 1;
    for (unsigned level = p->depth; level > 0; level--) {
        if (!*slot) {
            if (!create)
                return NULL;
            *slot = take_frame();
            if (!*slot)
                return NULL;
        }
        slot = &slots(*slot)[slot_of(index, level)];
    }
    return slot;
}

static uintptr_t find_page(struct ramfs_node *n, uint64_t index)
{
    uintptr_t *slot = find_slot(&n->pages, index, false);

    return slot ? *slot : 0;
}

/* Returns the page index, allocating a zeroed page for a hole. */
static uintptr_t get_page(struct ramfs_node *n, uint64_t index)
{
    uintptr_t *slot = find_slot(&n->pages, index, true);

    if (!slot)
        return 0;
    if (!*slot) {
        *slot = take_frame();
        if (!*slot)
            return 0;
        n->pages.count++;
        n->v.blocks = n->pages.count * (POGO_PAGE_SIZE / 512);
    }
    return *slot;
}

/*
 * Frees the pages with indexes in [first, last] below node, a subtree of
 * level levels that starts at page base, and returns whether node is
 * empty afterwards.
 */
static bool free_pages(struct ramfs_node *n, uintptr_t node, unsigned level,
                       uint64_t base, uint64_t first, uint64_t last)
{
    uint64_t span = 1ull << (SLOT_BITS * (level - 1));
    bool empty = true;

    for (unsigned i = 0; i < SLOTS; i++) {
        uint64_t lo = base + i * span, hi = lo + span - 1;
        uintptr_t *slot = &slots(node)[i];

        if (!*slot)
            continue;
        if (hi < first || lo > last) {
            empty = false;
            continue;
        }
        if (level == 1) {
            pogo_frames_free(*slot, 0);
            *slot = 0;
            n->pages.count--;
        } else if (free_pages(n, *slot, level - 1, lo, first, last)) {
            pogo_frames_free(*slot, 0);
            *slot = 0;
        } else {
            empty = false;
        }
    }
    return empty;
}

/* Frees the pages [first, last] and the tree nodes left empty. */
static void drop_pages(struct ramfs_node *n, uint64_t first, uint64_t last)
{
    struct ramfs_pages *p = &n->pages;

    if (!p->root)
        return;
    if (free_pages(n, p->root, p->depth, 0, first, last)) {
        pogo_frames_free(p->root, 0);
        p->root = 0;
        p->depth = 0;
    }
    n->v.blocks = p->count * (POGO_PAGE_SIZE / 512);
}

void ramfs_data_destroy(struct ramfs_node *n)
{
    drop_pages(n, 0, UINT64_MAX);
}

/* The first page index at or after index that is present (data), below
 * limit, or limit. */
static uint64_t next_present(struct ramfs_node *n, uintptr_t node,
                             unsigned level, uint64_t base, uint64_t index,
                             uint64_t limit)
{
    uint64_t span = 1ull << (SLOT_BITS * (level - 1));

    for (unsigned i = 0; i < SLOTS; i++) {
        uint64_t lo = base + i * span, hi = lo + span - 1;
        uint64_t found;

        if (lo >= limit)
            break;
        if (hi < index || !slots(node)[i])
            continue;
        if (level == 1)
            return POGO_MAX(lo, index);
        found = next_present(n, slots(node)[i], level - 1, lo, index, limit);
        if (found < limit)
            return found;
    }
    return limit;
}

/* --- Read, write, seek --------------------------------------------------- */

static long file_read(struct pogo_file *f, struct pogo_uio *u, int64_t *pos)
{
    struct ramfs_node *n = ramfs_node(f->vnode);
    uint64_t size = n->v.size;
    uint64_t at = *pos;
    size_t start = u->resid;
    int err = 0;

    while (u->resid && at < size && !err) {
        size_t off = at & PAGE_MASK;
        size_t chunk = POGO_MIN(POGO_PAGE_SIZE - off, u->resid);
        uintptr_t page = find_page(n, at >> POGO_PAGE_SHIFT);
        size_t left = u->resid;

        chunk = POGO_MIN(chunk, size - at);
        err = pogo_uio_copy_out(u, page ? (void *)(page + off) : NULL, chunk);
        at += left - u->resid;
    }
    if (err && u->resid == start)
        return err;
    *pos = at;
    /* relatime: the access time moves only when it is not newer than the
     * last change, so that a read after a change shows. */
    if (pogo_timespec_before_eq(&n->v.atime, &n->v.mtime))
        n->v.atime = pogo_vfs_now();
    return start - u->resid;
}

static long file_write(struct pogo_file *f, struct pogo_uio *u, int64_t *pos)
{
    struct ramfs_node *n = ramfs_node(f->vnode);
    uint64_t at = (f->flags & POGO_O_APPEND) ? n->v.size : (uint64_t)*pos;
    size_t start = u->resid;
    long err = 0;

    if (u->resid == 0)
        return 0;
    if (at >= (uint64_t)POGO_OFFSET_MAX)
        return -EFBIG;
    while (u->resid && !err) {
        size_t off = at & PAGE_MASK;
        size_t chunk = POGO_MIN(POGO_PAGE_SIZE - off, u->resid);
        size_t left = u->resid;
        uintptr_t page;

        chunk = POGO_MIN(chunk, (uint64_t)POGO_OFFSET_MAX - at);
        if (!chunk)
            break;
        page = get_page(n, at >> POGO_PAGE_SHIFT);
        if (!page) {
            err = -ENOSPC;
            break;
        }
        err = pogo_uio_copy_in(u, (void *)(page + off), chunk);
        at += left - u->resid;
        if (at > n->v.size)
            n->v.size = at;
    }
    if (u->resid == start)
        return err;
    pogo_vnode_touch_write(&n->v);
    *pos = at;
    return start - u->resid;
}

/*
 * SEEK_DATA and SEEK_HOLE, with pages as the unit of data. NOTE: pages
 * that fallocate made count as data, where tmpfs treats them as holes
 * until they are written.
 */
static int64_t seek_data_hole(struct ramfs_node *n, int64_t offset, bool data)
{
    uint64_t size = n->v.size;
    uint64_t pages = (size + PAGE_MASK) >> POGO_PAGE_SHIFT;
    uint64_t index = (uint64_t)offset >> POGO_PAGE_SHIFT;

    if (offset < 0 || (uint64_t)offset >= size)
        return -ENXIO;
    if (data) {
        uint64_t found = n->pages.root
                             ? next_present(n, n->pages.root, n->pages.depth, 0,
                                            index, pages)
                             : pages;

        if (found >= pages)
            return -ENXIO;
        return POGO_MAX((int64_t)(found << POGO_PAGE_SHIFT), offset);
    }
    while (index < pages && find_page(n, index))
        index++;
    if (index >= pages)
        return size;
    return POGO_MAX((int64_t)(index << POGO_PAGE_SHIFT), offset);
}

static int64_t file_llseek(struct pogo_file *f, int64_t offset, int whence)
{
    struct ramfs_node *n = ramfs_node(f->vnode);
    int64_t pos;

    switch (whence) {
    case SEEK_SET:
        pos = offset;
        break;
    case SEEK_CUR:
        if (__builtin_add_overflow(f->pos, offset, &pos))
            return -EINVAL;
        break;
    case SEEK_END:
        if (__builtin_add_overflow((int64_t)n->v.size, offset, &pos))
            return -EINVAL;
        break;
    case SEEK_DATA:
    case SEEK_HOLE:
        pos = seek_data_hole(n, offset, whence == SEEK_DATA);
        if (pos < 0)
            return pos;
        break;
    default:
        return -EINVAL;
    }
    if (pos < 0)
        return -EINVAL;
    f->pos = pos;
    return pos;
}

static int file_fsync(struct pogo_file *f)
{
    return 0;
}

const struct pogo_file_ops ramfs_file_ops = {
    .read = file_read,
    .write = file_write,
    .llseek = file_llseek,
    .fsync = file_fsync,
    .mmap = POGO_MMAP_PAGES,
};

/* --- Size changes, fallocate and mmap ------------------------------------ */

/* Zeros [from, to) of the page with index, if it exists. */
static void zero_range(struct ramfs_node *n, uint64_t index, size_t from,
                       size_t to)
{
    uintptr_t page = find_page(n, index);

    if (page && to > from)
        pogo_memset((void *)(page + from), 0, to - from);
}

int ramfs_data_truncate(struct ramfs_node *n, uint64_t size)
{
    uint64_t old = n->v.size;
    uint64_t keep = (size + PAGE_MASK) >> POGO_PAGE_SHIFT;

    if (size > (uint64_t)POGO_OFFSET_MAX)
        return -EFBIG;
    if (size < old) {
        /* Mappings must let go of the pages before they are freed. */
        pogo_vm_file_zap(&n->v, keep << POGO_PAGE_SHIFT, UINT64_MAX);
        drop_pages(n, keep, UINT64_MAX);
        if (size & PAGE_MASK)
            zero_range(n, size >> POGO_PAGE_SHIFT, size & PAGE_MASK,
                       POGO_PAGE_SIZE);
    }
    n->v.size = size;
    if (size != old)
        pogo_vnode_touch_write(&n->v);
    return 0;
}

/* Counts the holes among pages [first, last]. */
static uint64_t count_holes(struct ramfs_node *n, uint64_t first, uint64_t last)
{
    uint64_t holes = 0;

    for (uint64_t i = first; i <= last; i++) {
        if (!find_page(n, i))
            holes++;
    }
    return holes;
}

/* Zeros [start, end) and frees the pages wholly inside it. Pages past
 * the end of the file (fallocate with KEEP_SIZE) are punched too. */
static void punch_hole(struct ramfs_node *n, uint64_t start, uint64_t end)
{
    uint64_t first = (start + PAGE_MASK) >> POGO_PAGE_SHIFT;
    uint64_t stop = end >> POGO_PAGE_SHIFT; /* first page not wholly inside */

    if (start & PAGE_MASK) {
        size_t to = (start >> POGO_PAGE_SHIFT) == (end >> POGO_PAGE_SHIFT)
                        ? (end & PAGE_MASK)
                        : POGO_PAGE_SIZE;

        zero_range(n, start >> POGO_PAGE_SHIFT, start & PAGE_MASK, to);
    }
    if ((end & PAGE_MASK) && (end >> POGO_PAGE_SHIFT) >= first)
        zero_range(n, end >> POGO_PAGE_SHIFT, 0, end & PAGE_MASK);
    if (stop > first) {
        pogo_vm_file_zap(&n->v, first << POGO_PAGE_SHIFT,
                         stop << POGO_PAGE_SHIFT);
        drop_pages(n, first, stop - 1);
    }
}

/* Zeros the bytes [start, end) of the pages that exist. */
static void zero_existing(struct ramfs_node *n, uint64_t start, uint64_t end)
{
    while (start < end) {
        uint64_t index = start >> POGO_PAGE_SHIFT;
        size_t from = start & PAGE_MASK;
        size_t to = POGO_MIN((uint64_t)POGO_PAGE_SIZE, end - (start - from));

        zero_range(n, index, from, to);
        start += to - from;
    }
}

int ramfs_data_fallocate(struct ramfs_node *n, int mode, int64_t offset,
                         int64_t len)
{
    uint64_t end = (uint64_t)offset + len;
    uint64_t first = (uint64_t)offset >> POGO_PAGE_SHIFT;
    uint64_t last = (end - 1) >> POGO_PAGE_SHIFT;
    size_t free = pogo_frames_free_count();
    size_t available = free - POGO_MIN(free, ramfs_reserve());

    if (mode & ~(POGO_FALLOC_KEEP_SIZE | POGO_FALLOC_PUNCH_HOLE |
                 POGO_FALLOC_ZERO_RANGE))
        return -EOPNOTSUPP;
    if (mode & POGO_FALLOC_PUNCH_HOLE) {
        punch_hole(n, offset, end);
        pogo_vnode_touch_write(&n->v);
        return 0;
    }
    /* Check first, so that a failure allocates nothing, as tmpfs. The
     * quick test saves counting the holes of a range far too large. */
    if (last - first + 1 > available + n->pages.count ||
        count_holes(n, first, last) + MAX_DEPTH > available)
        return -ENOSPC;
    if (mode & POGO_FALLOC_ZERO_RANGE)
        zero_existing(n, offset, end);
    for (uint64_t i = first; i <= last; i++) {
        if (!get_page(n, i))
            return -ENOSPC;
    }
    if (!(mode & POGO_FALLOC_KEEP_SIZE) && end > n->v.size)
        n->v.size = end;
    if (mode & POGO_FALLOC_ZERO_RANGE || !(mode & POGO_FALLOC_KEEP_SIZE))
        pogo_vnode_touch_write(&n->v);
    return 0;
}

int ramfs_data_page(struct ramfs_node *n, uint64_t offset, bool create,
                    uintptr_t *frame)
{
    uint64_t index = offset >> POGO_PAGE_SHIFT;

    if (index >= (n->v.size + PAGE_MASK) >> POGO_PAGE_SHIFT)
        return -ENXIO;
    *frame = create ? get_page(n, index) : find_page(n, index);
    if (create && !*frame)
        return -ENOMEM;
    return 0;
}
