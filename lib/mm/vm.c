/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The application's virtual address space: regions created by mmap, brk
 * and stacks, filled with zeroed frames on first touch. Regions live
 * between USER_MIN and USER_MAX, away from the identity map of physical
 * memory below, in a balanced tree (regions.c), so a fault or an mmap
 * costs O(log n) in the number of regions. Private writable memory is
 * charged when it is mapped. As on Linux by default, only a mapping larger
 * than all memory fails for its size, and a page fault that finds no free
 * frame ends the application. The kernel option vm.overcommit_memory=2
 * enforces the charge instead, so that running out of memory shows up as
 * ENOMEM from mmap or brk rather than as a failed page fault later. A
 * file mapping gets its pages from the file: a shared
 * one maps the file's own frames, a private one copies them.
 *
 * Each call checks everything that can fail, reserves the tree nodes it
 * may need, and only then changes regions and page tables, so an error
 * leaves the address space as it was.
 */
#include <pogo/alloc.h>
#include <pogo/crash.h>
#include <pogo/errno.h>
#include <pogo/log.h>
#include <pogo/mm.h>
#include <pogo/pagetable.h>
#include <pogo/param.h>
#include <pogo/string.h>

#include "vm.h"

#define USER_MIN  0x0000008000000000UL /* above the physical identity map */
#define USER_MAX  0x00007ff000000000UL
#define BRK_BASE  0x0000010000000000UL
#define BRK_LIMIT 0x0000100000000000UL
#define MMAP_TOP  0x00007f0000000000UL /* top-down allocation starts here */
#define STACK_TOP USER_MAX

/* Frames kept back from the commit limit for the kernel's own needs. */
#define COMMIT_RESERVE_MIN 64

#define PAGE_MASK (POGO_PAGE_SIZE - 1)
#define PROT_ALL  (POGO_PROT_READ | POGO_PROT_WRITE | POGO_PROT_EXEC)
#define PROT_RW   (POGO_PROT_READ | POGO_PROT_WRITE)

#define MREMAP_KNOWN \
    (POGO_MREMAP_MAYMOVE | POGO_MREMAP_FIXED | POGO_MREMAP_DONTUNMAP)

/* A file that regions map, shared by the regions split from one mmap. */
struct vm_file {
    const struct pogo_vm_file_ops *ops;
    void *file;
    const void *object;
    unsigned refs; /* regions that point here */
};

static struct vm_regions regions = {.alloc = pogo_malloc, .free = pogo_free};
static size_t committed; /* pages charged */
static size_t resident;  /* frames mapped into regions */
static uintptr_t brk_start = BRK_BASE;
static uintptr_t brk_end = BRK_BASE;

static size_t pages(size_t len)
{
    return len >> POGO_PAGE_SHIFT;
}

/* Tells whether r maps a file's own frames, which unmapping keeps. */
static bool shares_file(const struct vm_region *r)
{
    return r->file && (r->flags & VM_SHARED);
}

/* A shared file mapping uses the file's memory, so it is not charged. */
static bool charged(const struct vm_region *r)
{
    return (r->prot & POGO_PROT_WRITE) && !(r->flags & VM_NORESERVE) &&
           !shares_file(r);
}

static void file_hold(struct vm_region *r)
{
    struct vm_file *f = r->file;

    if (f)
        f->refs++;
}

/* Drops r's reference on its file; the last one releases the file. */
static void file_drop(struct vm_region *r)
{
    struct vm_file *f = r->file;

    r->file = NULL;
    if (!f || --f->refs)
        return;
    f->ops->release(f->file);
    pogo_free(f);
}

static void release_frame(uintptr_t pa, void *arg);

static void keep_frame(uintptr_t pa, void *arg)
{
}

/* The release function for unmapping pages of r. */
static void (*release_for(const struct vm_region *r))(uintptr_t, void *)
{
    return shares_file(r) ? keep_frame : release_frame;
}

static enum pogo_vm_overcommit overcommit = POGO_OVERCOMMIT_GUESS;

int pogo_vm_set_overcommit(int mode)
{
    if (mode < POGO_OVERCOMMIT_GUESS || mode > POGO_OVERCOMMIT_NEVER)
        return -EINVAL;
    overcommit = mode;
    return 0;
}

enum pogo_vm_overcommit pogo_vm_overcommit(void)
{
    return overcommit;
}

static int set_overcommit_option(const char *value)
{
    uint64_t mode;

    if (pogo_parse_u64(value, false, &mode) != 0 || mode > 2) {
        pogo_error("mm: invalid vm.overcommit_memory '%s': expected 0, 1 "
                   "or 2\n",
                   value);
        return -EINVAL;
    }
    return pogo_vm_set_overcommit((int)mode);
}
POGO_PARAM("vm.overcommit_memory", set_overcommit_option);

static size_t commit_reserve(void)
{
    return POGO_MAX(pogo_frames_total() / 32, (size_t)COMMIT_RESERVE_MIN);
}

/* Tells whether n more pages may be charged once released are uncharged. */
static bool can_commit(size_t n, size_t released)
{
    size_t limit = pogo_frames_free_count() + resident;

    if (overcommit == POGO_OVERCOMMIT_ALWAYS)
        return true;
    if (overcommit == POGO_OVERCOMMIT_GUESS)
        return n <= pogo_frames_total();

    limit = limit > commit_reserve() ? limit - commit_reserve() : 0;
    return committed - released + n <= limit;
}

struct vm_region *vm_find(uintptr_t addr)
{
    return regions_find(&regions, addr);
}

static bool range_free(uintptr_t start, uintptr_t end)
{
    struct vm_region *r = regions_first_after(&regions, start);

    return !r || r->start >= end;
}

/* Tells whether regions cover [start, end) without a hole. */
/* End of the mapped range that starts at start without a hole, capped at
 * end; start itself when start is not mapped. */
static uintptr_t mapped_prefix(uintptr_t start, uintptr_t end)
{
    uintptr_t at = start;
    struct vm_region *r = regions_first_after(&regions, start);

    for (; r && at < end; r = regions_next(r)) {
        if (r->start > at)
            break;
        at = r->end;
    }
    return POGO_MIN(at, end);
}

static bool fully_mapped(uintptr_t start, uintptr_t end)
{
    return mapped_prefix(start, end) >= end;
}

/* Pages charged by the regions overlapping [start, end). */
static size_t charge_in(uintptr_t start, uintptr_t end)
{
    size_t n = 0;
    struct vm_region *r = regions_first_after(&regions, start);

    for (; r && r->start < end; r = regions_next(r)) {
        if (charged(r))
            n += pages(POGO_MIN(r->end, end) - POGO_MAX(r->start, start));
    }
    return n;
}

/*
 * The region changes below cannot fail once the caller has reserved
 * nodes, so they assert that they succeed.
 */
static struct vm_region *insert_region(const struct vm_region *proto)
{
    struct vm_region *r = regions_insert(&regions, proto);

    POGO_ASSERT(r != NULL);
    file_hold(r);
    if (charged(r))
        committed += pages(r->end - r->start);
    return r;
}

static void resize(struct vm_region *r, uintptr_t start, uintptr_t end)
{
    bool resized = regions_resize(&regions, r, start, end);

    POGO_ASSERT(resized);
}

static void split(struct vm_region *r, uintptr_t addr)
{
    struct vm_region *upper = regions_split(&regions, r, addr);

    POGO_ASSERT(upper != NULL);
    file_hold(upper);
}

/* Makes region boundaries at start and end. Needs two reserved nodes. */
static void split_at(uintptr_t start, uintptr_t end)
{
    struct vm_region *r = vm_find(start);

    if (r && r->start < start)
        split(r, start);
    r = vm_find(end - 1);
    if (r && r->end > end)
        split(r, end);
}

static bool same_file(const struct vm_region *a, const struct vm_region *b)
{
    const struct vm_file *fa = a->file, *fb = b->file;

    if (!fa || !fb)
        return fa == fb;
    return fa->file == fb->file && fa->ops == fb->ops &&
           a->file_base == b->file_base;
}

static bool same_kind(const struct vm_region *a, const struct vm_region *b)
{
    return a->prot == b->prot && a->flags == b->flags && a->owner == b->owner &&
           same_file(a, b);
}

/* Merges alike regions that touch each other in [start, end]. */
static void merge_range(uintptr_t start, uintptr_t end)
{
    /* start - 1: the region that ends at start is a candidate too. */
    struct vm_region *r = regions_first_after(&regions, start - 1);

    while (r && r->start <= end) {
        struct vm_region *next = regions_next(r);

        if (next && next->start == r->end && same_kind(r, next)) {
            uintptr_t merged_end = next->end;

            file_drop(next);
            regions_remove(&regions, next);
            resize(r, r->start, merged_end);
        } else {
            r = next;
        }
    }
}

static void release_frame(uintptr_t pa, void *arg)
{
    pogo_frames_free(pa, 0);
    resident--;
}

/*
 * Removes the parts of regions inside [start, end) with their charge, and
 * with free_pages also their frames. Needs one reserved node, for a range
 * strictly inside one region.
 */
static void drop_regions(uintptr_t start, uintptr_t end, bool free_pages)
{
    struct vm_region *r = regions_first_after(&regions, start);

    if (start >= end)
        return;
    while (r && r->start < end) {
        struct vm_region *next = regions_next(r);
        uintptr_t s = POGO_MAX(r->start, start);
        uintptr_t e = POGO_MIN(r->end, end);

        if (charged(r))
            committed -= pages(e - s);
        if (free_pages)
            pogo_arch_unmap_range(s, e, release_for(r), NULL);
        if (r->start < s && r->end > e) {
            split(r, e);
            resize(r, r->start, s);
        } else if (r->start < s) {
            resize(r, r->start, s);
        } else if (r->end > e) {
            resize(r, e, r->end);
        } else {
            file_drop(r);
            regions_remove(&regions, r);
        }
        r = next;
    }
}

/* Unmaps [start, end): regions, charge and frames. */
static void remove_range(uintptr_t start, uintptr_t end)
{
    drop_regions(start, end, true);
}

/* Removes the regions of [start, end) whose pages have been moved away. */
static void forget_range(uintptr_t start, uintptr_t end)
{
    drop_regions(start, end, false);
}

/* Finds a free range of len bytes, searching down from MMAP_TOP. */
static uintptr_t find_gap(size_t len)
{
    struct regions_gap gap = {
        .len = len,
        .align = POGO_PAGE_SIZE,
        .floor = USER_MIN,
        .limit = MMAP_TOP,
    };
    uintptr_t addr;

    return regions_find_gap(&regions, &gap, &addr) ? addr : 0;
}

/* --- mmap, munmap, mprotect ---------------------------------------------- */

static int check_prot(int prot)
{
    return (prot & ~PROT_ALL) ? -EINVAL : 0;
}

static int check_flags(int flags)
{
    int type = flags & POGO_MAP_TYPE;
    int known = POGO_MAP_TYPE | POGO_MAP_FIXED | POGO_MAP_ANONYMOUS |
                POGO_MAP_GROWSDOWN | POGO_MAP_DENYWRITE | POGO_MAP_EXECUTABLE |
                POGO_MAP_LOCKED | POGO_MAP_NORESERVE | POGO_MAP_POPULATE |
                POGO_MAP_NONBLOCK | POGO_MAP_STACK | POGO_MAP_HUGETLB |
                POGO_MAP_SYNC | POGO_MAP_FIXED_NOREPLACE;

    if (type != POGO_MAP_SHARED && type != POGO_MAP_PRIVATE &&
        type != POGO_MAP_SHARED_VALIDATE)
        return -EINVAL;
    if (type == POGO_MAP_SHARED_VALIDATE && (flags & ~known))
        return -EOPNOTSUPP;
    if (flags & POGO_MAP_HUGETLB)
        return -ENOMEM; /* as Linux when no huge pages are reserved */
    return 0;
}

static void populate(uintptr_t start, uintptr_t end, int prot)
{
    int access =
        (prot & POGO_PROT_WRITE) ? POGO_ACCESS_WRITE : POGO_ACCESS_READ;

    for (uintptr_t a = start; a < end; a += POGO_PAGE_SIZE) {
        int err = pogo_mm_fault(a, access, false);

        if (err == -ENOMEM)
            pogo_crash(&(struct pogo_crash){
                .what = "out of memory (MAP_POPULATE)", .signal = 9});
        if (err)
            break;
    }
}

/* Chooses the address of a new mapping, or returns a negative errno. */
static long place(uintptr_t addr, size_t len, int flags)
{
    bool fixed = flags & (POGO_MAP_FIXED | POGO_MAP_FIXED_NOREPLACE);

    if (fixed) {
        if (addr & PAGE_MASK)
            return -EINVAL;
        if (addr < USER_MIN)
            return -EPERM;
        if (addr > USER_MAX || len > USER_MAX - addr)
            return -ENOMEM;
        /* Since Linux 4.17, NOREPLACE wins when FIXED is also set. */
        if ((flags & POGO_MAP_FIXED_NOREPLACE) && !range_free(addr, addr + len))
            return -EEXIST;
        return addr;
    }
    addr = POGO_ALIGN_DOWN(addr, POGO_PAGE_SIZE);
    if (addr >= USER_MIN && addr <= USER_MAX && len <= USER_MAX - addr &&
        range_free(addr, addr + len))
        return addr;
    addr = find_gap(len);
    return addr ? (long)addr : -ENOMEM;
}

/* Makes the file part of a mapping request: -EOVERFLOW, -ENOMEM. */
static long new_file(const struct pogo_vm_file_map *map, size_t len,
                     struct vm_file **out)
{
    struct vm_file *f;

    *out = NULL;
    if (!map)
        return 0;
    if (map->offset + len < map->offset)
        return -EOVERFLOW;
    f = pogo_malloc(sizeof(*f));
    if (!f)
        return -ENOMEM;
    *f = (struct vm_file){
        .ops = map->ops, .file = map->file, .object = map->object};
    *out = f;
    return 0;
}

/*
 * mmap of anonymous memory (map NULL) or of a file. The file part is
 * made before the checks that need it, and freed if one fails.
 */
static long do_mmap(uintptr_t addr, size_t len, int prot, int flags,
                    const struct pogo_vm_file_map *map)
{
    bool replace =
        (flags & POGO_MAP_FIXED) && !(flags & POGO_MAP_FIXED_NOREPLACE);
    bool shared = (flags & POGO_MAP_TYPE) != POGO_MAP_PRIVATE;
    struct vm_region proto = {.prot = prot};
    struct vm_file *file;
    size_t released = 0;
    long start;
    long err;

    if (len == 0)
        return -EINVAL;
    if (len > USER_MAX - POGO_PAGE_SIZE)
        return -ENOMEM;
    len = POGO_ALIGN_UP(len, POGO_PAGE_SIZE);
    err = check_prot(prot);
    if (!err)
        err = check_flags(flags);
    if (err)
        return err;
    if (map && (map->offset & PAGE_MASK))
        return -EINVAL;

    start = place(addr, len, flags);
    if (start < 0)
        return start;
    if (map && shared && (prot & POGO_PROT_WRITE) && !map->may_write)
        return -EACCES;
    err = new_file(map, len, &file);
    if (err)
        return err;
    proto.start = start;
    proto.end = start + len;
    if (flags & POGO_MAP_NORESERVE)
        proto.flags |= VM_NORESERVE;
    if (shared)
        proto.flags |= VM_SHARED;
    if (file) {
        proto.file = file;
        proto.file_base = start - map->offset;
        if (shared && !map->may_write)
            proto.flags |= VM_NOWRITE;
    }
    if (replace)
        released = charge_in(proto.start, proto.end);
    if ((charged(&proto) && !can_commit(pages(len), released)) ||
        regions_reserve(&regions, 2) != 0) {
        pogo_free(file);
        return -ENOMEM;
    }

    if (file)
        file->ops->hold(file->file);
    if (replace)
        remove_range(proto.start, proto.end);
    insert_region(&proto);
    merge_range(proto.start, proto.end);
    if (flags & POGO_MAP_POPULATE)
        populate(proto.start, proto.end, prot);
    return start;
}

long pogo_vm_mmap_anon(uintptr_t addr, size_t len, int prot, int flags)
{
    return do_mmap(addr, len, prot, flags, NULL);
}

long pogo_vm_mmap_file(uintptr_t addr, size_t len, int prot, int flags,
                       const struct pogo_vm_file_map *map)
{
    return do_mmap(addr, len, prot, flags, map);
}

int pogo_vm_munmap(uintptr_t addr, size_t len)
{
    if ((addr & PAGE_MASK) || len == 0)
        return -EINVAL;
    if (addr < USER_MIN || addr > USER_MAX || len > USER_MAX - addr)
        return -EINVAL;
    len = POGO_ALIGN_UP(len, POGO_PAGE_SIZE);
    if (regions_reserve(&regions, 1) != 0)
        return -ENOMEM;
    remove_range(addr, addr + len);
    return 0;
}

/* Pages of [start, end) that prot would newly charge. */
static size_t newly_charged(uintptr_t start, uintptr_t end, int prot)
{
    size_t n = 0;
    struct vm_region *r = regions_first_after(&regions, start);

    for (; r && r->start < end; r = regions_next(r)) {
        struct vm_region changed = *r;

        changed.prot = prot;
        if (!charged(r) && charged(&changed))
            n += pages(POGO_MIN(r->end, end) - POGO_MAX(r->start, start));
    }
    return n;
}

static void set_prot(struct vm_region *r, int prot)
{
    if (charged(r))
        committed -= pages(r->end - r->start);
    r->prot = prot;
    if (charged(r))
        committed += pages(r->end - r->start);
    pogo_arch_protect_range(r->start, r->end, prot);
}

/* Tells whether [start, end) has a shared mapping of a file opened
 * without write access, which may never become writable. */
static bool forbids_write(uintptr_t start, uintptr_t end)
{
    struct vm_region *r = regions_first_after(&regions, start);

    for (; r && r->start < end; r = regions_next(r)) {
        if (r->flags & VM_NOWRITE)
            return true;
    }
    return false;
}

/*
 * As on Linux, a range with a hole is changed up to the hole and then
 * fails with ENOMEM; a range that starts in a hole is not changed.
 */
int pogo_vm_mprotect(uintptr_t addr, size_t len, int prot)
{
    uintptr_t end, stop;
    size_t more;

    if ((addr & PAGE_MASK) || check_prot(prot))
        return -EINVAL;
    if (len == 0)
        return 0;
    if (len > USER_MAX)
        return -ENOMEM;
    end = addr + POGO_ALIGN_UP(len, POGO_PAGE_SIZE);
    if (addr < USER_MIN || end > USER_MAX)
        return -ENOMEM;
    stop = mapped_prefix(addr, end);
    if (stop == addr)
        return -ENOMEM;
    if (stop < end) {
        int err = pogo_vm_mprotect(addr, stop - addr, prot);
        return err ? err : -ENOMEM;
    }
    if ((prot & POGO_PROT_WRITE) && forbids_write(addr, end))
        return -EACCES;
    more = newly_charged(addr, end, prot);
    if (more && !can_commit(more, 0))
        return -ENOMEM;
    if (regions_reserve(&regions, 2) != 0)
        return -ENOMEM;

    split_at(addr, end);
    for (struct vm_region *r = vm_find(addr); r && r->start < end;
         r = regions_next(r))
        set_prot(r, prot);
    merge_range(addr, end);
    return 0;
}

/* --- mremap -------------------------------------------------------------- */

/* An mremap request, with lengths rounded up to pages. */
struct remap {
    uintptr_t old;
    size_t old_len;
    size_t new_len; /* not 0 */
    int flags;
    uintptr_t new_addr;
    struct vm_region *region; /* the region that contains old */
};

/* Tells whether [a, a + alen) and [b, b + blen) overlap, without overflow. */
static bool ranges_overlap(uintptr_t a, size_t alen, uintptr_t b, size_t blen)
{
    return a < b ? b - a < alen : a - b < blen;
}

/* Makes the checks that Linux makes before looking at mappings. */
static int check_remap_args(uintptr_t old, size_t old_len, size_t new_len,
                            int flags)
{
    if (flags & ~MREMAP_KNOWN)
        return -EINVAL;
    if ((flags & POGO_MREMAP_FIXED) && !(flags & POGO_MREMAP_MAYMOVE))
        return -EINVAL;
    /* DONTUNMAP always moves, and Linux compares the lengths as given. */
    if ((flags & POGO_MREMAP_DONTUNMAP) &&
        (!(flags & POGO_MREMAP_MAYMOVE) || old_len != new_len))
        return -EINVAL;
    if (old & PAGE_MASK)
        return -EINVAL;
    /* new_len 0, or so large that rounding it up wraps to 0 */
    if (POGO_ALIGN_UP(new_len, POGO_PAGE_SIZE) == 0)
        return -EINVAL;
    return 0;
}

/*
 * Checks the part of the old mapping that is kept. As on Linux, the tail
 * that a shrink unmaps may cross mappings, but the rest must be one region.
 */
static int check_kept(const struct remap *m)
{
    size_t kept_len = POGO_MIN(m->old_len, m->new_len);

    /*
     * NOTE: Linux duplicates a shared mapping when old_len is 0. Pogo has
     * no shared memory object to map twice, so it returns -EINVAL, which
     * is what Linux returns for a private mapping.
     */
    if (m->old_len == 0)
        return -EINVAL;
    if (kept_len > m->region->end - m->old)
        return -EFAULT;
    return 0;
}

/* Tells whether the tail that a shrink unmaps is a valid munmap range. */
static bool tail_in_bounds(const struct remap *m)
{
    return m->new_len >= m->old_len || m->old_len <= USER_MAX - m->old;
}

/* Unmaps, keeping the frames, the pages of shared file mappings in
 * [start, end). */
static void unmap_shared_files(uintptr_t start, uintptr_t end)
{
    struct vm_region *r = regions_first_after(&regions, start);

    for (; r && r->start < end; r = regions_next(r)) {
        if (shares_file(r))
            pogo_arch_unmap_range(POGO_MAX(r->start, start),
                                  POGO_MIN(r->end, end), keep_frame, NULL);
    }
}

/*
 * Moves the kept part of the old mapping to dest, where it becomes new_len
 * bytes long, once every argument has been checked. The page-table entries
 * move, so the data is not copied.
 */
static long move_mapping(const struct remap *m, uintptr_t dest)
{
    struct vm_region proto = *m->region;
    size_t kept_len = POGO_MIN(m->old_len, m->new_len);
    bool keep_old = m->flags & POGO_MREMAP_DONTUNMAP;
    bool replace = m->flags & POGO_MREMAP_FIXED;
    size_t released = charge_in(m->old + kept_len, m->old + m->old_len);
    int err;

    if (replace)
        released += charge_in(dest, dest + m->new_len);
    if (!keep_old && charged(&proto))
        released += pages(kept_len);
    if (charged(&proto) && !can_commit(pages(m->new_len), released))
        return -ENOMEM;
    if (regions_reserve(&regions, 3) != 0)
        return -ENOMEM;
    /*
     * NOTE: the move frees the frames it finds at dest, which is wrong
     * for a file's own frames, so those are unmapped first. If the move
     * then fails for want of a page table, that part of dest is left
     * unmapped (its file data is safe) instead of unchanged.
     */
    if (replace)
        unmap_shared_files(dest, dest + m->new_len);
    err = pogo_arch_move_range(m->old, dest, kept_len, release_frame, NULL);
    if (err)
        return err;

    /* The file must outlive the old regions, which may hold its last
     * reference, until the new one holds it. */
    file_hold(&proto);
    remove_range(m->old + kept_len, m->old + m->old_len);
    if (replace)
        forget_range(dest, dest + m->new_len);
    if (!keep_old)
        forget_range(m->old, m->old + kept_len);
    proto.start = dest;
    proto.end = dest + m->new_len;
    proto.file_base += dest - m->old;
    proto.flags &= ~VM_BRK; /* the heap is the range at brk_start */
    insert_region(&proto);
    file_drop(&proto);
    merge_range(proto.start, proto.end);
    return dest;
}

/* mremap with FIXED or DONTUNMAP: always a move. */
static long remap_to(const struct remap *m)
{
    uintptr_t dest = m->new_addr;
    int err;

    if (dest & PAGE_MASK)
        return -EINVAL;
    if (m->new_len > USER_MAX || dest > USER_MAX - m->new_len)
        return -EINVAL;
    if (ranges_overlap(m->old, m->old_len, dest, m->new_len))
        return -EINVAL;
    if (!tail_in_bounds(m))
        return -EINVAL;
    err = check_kept(m);
    if (err)
        return err;
    /*
     * NOTE: Linux 5.13 and later also accept a shared mapping, whose old
     * range then keeps showing the same memory. Pogo's shared memory has
     * no object behind the page tables, so the old range would read zeros.
     * Pogo returns -EINVAL instead, as Linux 5.7 to 5.12 do.
     */
    if ((m->flags & POGO_MREMAP_DONTUNMAP) && (m->region->flags & VM_SHARED))
        return -EINVAL;

    if (m->flags & POGO_MREMAP_FIXED) {
        if (dest < USER_MIN)
            return -EPERM;
    } else if (dest < USER_MIN || !range_free(dest, dest + m->new_len)) {
        dest = find_gap(m->new_len); /* new_addr is only a hint */
        if (!dest)
            return -ENOMEM;
    }
    return move_mapping(m, dest);
}

static long shrink_in_place(const struct remap *m)
{
    if (m->new_len == m->old_len)
        return m->old;
    if (!tail_in_bounds(m))
        return -EINVAL;
    if (regions_reserve(&regions, 1) != 0)
        return -ENOMEM;
    remove_range(m->old + m->new_len, m->old + m->old_len);
    return m->old;
}

/* Tells whether region r could grow by delta bytes where it is. */
static bool can_extend(const struct vm_region *r, size_t delta)
{
    return delta <= USER_MAX - r->end && range_free(r->end, r->end + delta);
}

static long grow(const struct remap *m)
{
    struct vm_region *r = m->region;
    size_t delta = m->new_len - m->old_len;
    uintptr_t dest;
    int err = check_kept(m);

    if (err)
        return err;
    if (m->old + m->old_len == r->end && can_extend(r, delta)) {
        /* As on Linux, a grow in place that cannot be charged fails. */
        if (charged(r) && !can_commit(pages(delta), 0))
            return -ENOMEM;
        if (charged(r))
            committed += pages(delta);
        resize(r, r->start, r->end + delta);
        merge_range(r->start, r->end);
        return m->old;
    }
    if (!(m->flags & POGO_MREMAP_MAYMOVE))
        return -ENOMEM;
    dest = find_gap(m->new_len);
    if (!dest)
        return -ENOMEM;
    return move_mapping(m, dest);
}

long pogo_vm_mremap(uintptr_t old, size_t old_len, size_t new_len, int flags,
                    uintptr_t new_addr)
{
    struct remap m = {
        .old = old,
        .old_len = POGO_ALIGN_UP(old_len, POGO_PAGE_SIZE),
        .new_len = POGO_ALIGN_UP(new_len, POGO_PAGE_SIZE),
        .flags = flags,
        .new_addr = new_addr,
    };
    int err = check_remap_args(old, old_len, new_len, flags);

    if (err)
        return err;
    m.region = vm_find(old);
    if (!m.region)
        return -EFAULT;
    if (flags & (POGO_MREMAP_FIXED | POGO_MREMAP_DONTUNMAP))
        return remap_to(&m);
    if (m.new_len <= m.old_len)
        return shrink_in_place(&m);
    return grow(&m);
}

/* --- madvise ------------------------------------------------------------- */

static bool advice_known(int advice)
{
    switch (advice) {
    case POGO_MADV_NORMAL:
    case POGO_MADV_RANDOM:
    case POGO_MADV_SEQUENTIAL:
    case POGO_MADV_WILLNEED:
    case POGO_MADV_DONTNEED:
    case POGO_MADV_FREE:
    case POGO_MADV_REMOVE:
    case POGO_MADV_DONTFORK:
    case POGO_MADV_DOFORK:
    case POGO_MADV_MERGEABLE:
    case POGO_MADV_UNMERGEABLE:
    case POGO_MADV_HUGEPAGE:
    case POGO_MADV_NOHUGEPAGE:
    case POGO_MADV_DONTDUMP:
    case POGO_MADV_DODUMP:
    case POGO_MADV_WIPEONFORK:
    case POGO_MADV_KEEPONFORK:
    case POGO_MADV_COLD:
    case POGO_MADV_PAGEOUT:
        return true;
    default:
        /*
         * NOTE: this includes POPULATE_READ, POPULATE_WRITE,
         * DONTNEED_LOCKED and COLLAPSE (Linux 5.14 to 6.1), which get
         * -EINVAL as on older kernels.
         */
        return false;
    }
}

/*
 * Tells whether advice suits region r. As on Linux, FREE and WIPEONFORK
 * need private memory, and REMOVE needs shared memory.
 */
static bool advice_suits(int advice, const struct vm_region *r)
{
    bool shared = r->flags & VM_SHARED;

    if (advice == POGO_MADV_FREE || advice == POGO_MADV_WIPEONFORK)
        return !shared;
    if (advice == POGO_MADV_REMOVE)
        return shared;
    return true;
}

/*
 * Tells whether advice drops the pages of r. DONTNEED on shared memory
 * keeps them: on Linux the data stays in the shared object and the next
 * touch maps it again.
 */
static bool advice_drops(int advice, const struct vm_region *r)
{
    bool shared = r->flags & VM_SHARED;

    if (advice == POGO_MADV_DONTNEED || advice == POGO_MADV_FREE)
        return !shared;
    /* NOTE: on Linux, REMOVE on a shared file mapping also punches a
     * hole in the file; here it only unmaps, and the data stays. */
    return advice == POGO_MADV_REMOVE;
}

int pogo_vm_madvise(uintptr_t addr, size_t len, int advice)
{
    size_t aligned = POGO_ALIGN_UP(len, POGO_PAGE_SIZE);
    uintptr_t end = addr + aligned;
    struct vm_region *first, *r;

    if (!advice_known(advice) || (addr & PAGE_MASK))
        return -EINVAL;
    if ((len && !aligned) || end < addr)
        return -EINVAL;
    if (end == addr)
        return 0;

    first = regions_first_after(&regions, addr);
    for (r = first; r && r->start < end; r = regions_next(r)) {
        if (!advice_suits(advice, r))
            return -EINVAL;
    }
    for (r = first; r && r->start < end; r = regions_next(r)) {
        if (advice_drops(advice, r))
            pogo_arch_unmap_range(POGO_MAX(r->start, addr),
                                  POGO_MIN(r->end, end), release_for(r), NULL);
    }
    return fully_mapped(addr, end) ? 0 : -ENOMEM;
}

/* --- brk and stacks ------------------------------------------------------ */

uintptr_t pogo_vm_brk(uintptr_t addr)
{
    uintptr_t old = POGO_ALIGN_UP(brk_end, POGO_PAGE_SIZE);
    uintptr_t new = POGO_ALIGN_UP(addr, POGO_PAGE_SIZE);
    struct vm_region proto = {
        .start = old, .end = new, .prot = PROT_RW, .flags = VM_BRK};

    if (addr < brk_start || addr > BRK_LIMIT)
        return brk_end;
    if (regions_reserve(&regions, 1) != 0)
        return brk_end;
    if (new > old) {
        if (!range_free(old, new) || !can_commit(pages(new - old), 0))
            return brk_end;
        insert_region(&proto);
        merge_range(old, new);
    } else if (new < old) {
        remove_range(new, old);
    }
    brk_end = addr;
    return brk_end;
}

uintptr_t pogo_vm_map_stack(size_t size, const char *const *owner)
{
    size_t len = POGO_ALIGN_UP(size, POGO_PAGE_SIZE) + POGO_PAGE_SIZE;
    uintptr_t base;
    struct vm_region guard = {
        .prot = POGO_PROT_NONE, .flags = VM_GUARD, .owner = owner};
    /* Like Linux, a stack is not charged up front: it grows on demand. */
    struct vm_region stack = {
        .prot = PROT_RW, .flags = VM_STACK | VM_NORESERVE, .owner = owner};

    if (size > USER_MAX)
        return 0;
    base = find_gap(len);
    if (!base || regions_reserve(&regions, 2) != 0)
        return 0;
    guard.start = base;
    guard.end = base + POGO_PAGE_SIZE;
    stack.start = guard.end;
    stack.end = base + len;
    insert_region(&guard);
    insert_region(&stack);
    return stack.end;
}

void pogo_vm_mark_stack(uintptr_t sp, const char *const *owner)
{
    /* sp - 1: a new thread's sp may be the very top of its stack. */
    struct vm_region *stack = vm_find(sp - 1);
    struct vm_region *guard;

    if (!stack)
        return;
    stack->flags |= VM_STACK;
    stack->owner = owner;
    guard = regions_prev(stack);
    if (guard && guard->end == stack->start && guard->prot == POGO_PROT_NONE) {
        guard->flags |= VM_GUARD;
        guard->owner = owner;
    }
}

void pogo_vm_clear_owner(const char *const *owner)
{
    struct vm_region *r = regions_first(&regions);

    while (r) {
        if (r->owner == owner) {
            uintptr_t end = r->end;

            r->owner = NULL;
            r->flags &= ~(VM_STACK | VM_GUARD);
            /* Merging may free r: continue after the region at end - 1. */
            merge_range(r->start, end);
            r = vm_find(end - 1);
        }
        r = regions_next(r);
    }
}

size_t pogo_vm_resident_pages(void)
{
    return resident;
}

void pogo_vm_for_each(void (*fn)(const struct pogo_vm_info *info, void *arg),
                      void *arg)
{
    for (struct vm_region *r = regions_first(&regions); r;
         r = regions_next(r)) {
        struct pogo_vm_info info = {
            .start = r->start,
            .end = r->end,
            .prot = r->prot,
            .shared = r->flags & VM_SHARED,
            .kind = POGO_VM_ANON,
        };

        if (r->flags & VM_BRK)
            info.kind = POGO_VM_HEAP;
        else if (r->flags & VM_STACK)
            info.kind = POGO_VM_STACK;
        if (r->file) {
            const struct vm_file *f = r->file;

            info.kind = POGO_VM_FILE;
            info.file_ops = f->ops;
            info.file = f->file;
            info.offset = r->start - r->file_base;
        }
        fn(&info, arg);
    }
}

/* --- Faults -------------------------------------------------------------- */

static bool allows(const struct vm_region *r, int access)
{
    if (access == POGO_ACCESS_WRITE)
        return r->prot & POGO_PROT_WRITE;
    if (access == POGO_ACCESS_EXEC)
        return r->prot & POGO_PROT_EXEC;
    return r->prot != POGO_PROT_NONE;
}

/* Logs that no frame is left for addr and returns -ENOMEM, which makes
 * the page-fault handler end the application. */
static int out_of_memory(uintptr_t addr)
{
    pogo_error("mm: out of memory: no frame for address %#lx; "
               "ending the application\n",
               addr);
    return -ENOMEM;
}

/* Maps a frame that the caller allocated, or frees it. 0 or -ENOMEM. */
static int map_new_frame(uintptr_t page, uintptr_t frame, int prot)
{
    if (pogo_arch_map_page(page, frame, prot) != 0) {
        pogo_frames_free(frame, 0);
        return out_of_memory(page);
    }
    resident++;
    return 0;
}

/*
 * Fills page of the file mapping r: the file's own frame for a shared
 * mapping, a copy of it (or zeros, for a hole) for a private one.
 */
static int file_fault(struct vm_region *r, uintptr_t page)
{
    struct vm_file *f = r->file;
    bool shared = r->flags & VM_SHARED;
    uintptr_t src = 0, frame;
    int err = f->ops->page(f->file, page - r->file_base, shared, &src);

    /* NOTE: Linux sends SIGBUS for a page past the end of the file; the
     * fault handler has only SIGSEGV for now. */
    if (err == -ENXIO)
        return -EFAULT;
    if (err)
        return out_of_memory(page);
    /* NOTE: a private page is copied at the first touch, read or write,
     * so later writes to the file do not show in it; on Linux they show
     * until the page is first written. */
    if (shared) {
        if (pogo_arch_map_page(page, src, r->prot) != 0)
            return out_of_memory(page);
        return 0;
    }
    frame = src ? pogo_frames_alloc(0) : pogo_frames_alloc_zeroed(0);
    if (!frame)
        return out_of_memory(page);
    if (src)
        pogo_memcpy((void *)frame, (const void *)src, POGO_PAGE_SIZE);
    return map_new_frame(page, frame, r->prot);
}

int pogo_mm_fault(uintptr_t addr, int access, bool present)
{
    struct vm_region *r = vm_find(addr);
    uintptr_t page = POGO_ALIGN_DOWN(addr, POGO_PAGE_SIZE);
    uintptr_t frame, pa;
    int prot;

    if (!r || !allows(r, access))
        return -EFAULT;
    if (pogo_arch_lookup(page, &pa, &prot)) {
        /* Already mapped: a stale TLB entry, or a protection change. */
        return pogo_arch_map_page(page, pa & ~PAGE_MASK, r->prot);
    }
    if (r->file)
        return file_fault(r, page);
    frame = pogo_frames_alloc_zeroed(0);
    if (!frame)
        return out_of_memory(addr);
    return map_new_frame(page, frame, r->prot);
}

void pogo_vm_file_zap(const void *object, uint64_t start, uint64_t end)
{
    for (struct vm_region *r = regions_first(&regions); r;
         r = regions_next(r)) {
        const struct vm_file *f = r->file;
        uint64_t first, last;

        if (!f || f->object != object)
            continue;
        first = POGO_MAX((uint64_t)(r->start - r->file_base), start);
        last = POGO_MIN((uint64_t)(r->end - r->file_base), end);
        if (first < last)
            pogo_arch_unmap_range(r->file_base + first, r->file_base + last,
                                  release_for(r), NULL);
    }
}

int pogo_vm_check(uintptr_t addr, size_t len, int access)
{
    uintptr_t end = addr + len;

    if (end < addr)
        return -EFAULT;
    while (addr < end) {
        struct vm_region *r = vm_find(addr);
        if (!r || !allows(r, access))
            return -EFAULT;
        addr = r->end;
    }
    return 0;
}

bool pogo_crash_hint(uint64_t addr, char *buf, size_t size)
{
    struct vm_region *r = vm_find(addr);

    if (!r || !(r->flags & VM_GUARD) || !r->owner)
        return false;
    pogo_snprintf(buf, size,
                  "stack overflow in thread '%s': the "
                  "access hit the guard page below its stack",
                  *r->owner ? *r->owner : "(unnamed)");
    return true;
}

int pogo_vm_mincore(uintptr_t addr, size_t len, uint8_t *vec)
{
    uintptr_t end;
    size_t i = 0;

    if (addr & PAGE_MASK)
        return -EINVAL;
    if (len > USER_MAX)
        return -ENOMEM;
    end = addr + POGO_ALIGN_UP(len, POGO_PAGE_SIZE);
    if (addr < USER_MIN || end > USER_MAX || !fully_mapped(addr, end))
        return -ENOMEM;
    for (uintptr_t a = addr; a < end; a += POGO_PAGE_SIZE) {
        uintptr_t pa;
        int prot;
        vec[i++] = pogo_arch_lookup(a, &pa, &prot) ? 1 : 0;
    }
    return 0;
}

int pogo_vm_msync(uintptr_t addr, size_t len, int flags)
{
    uintptr_t end;

    if ((addr & PAGE_MASK) ||
        (flags & ~(POGO_MS_ASYNC | POGO_MS_INVALIDATE | POGO_MS_SYNC)))
        return -EINVAL;
    if ((flags & POGO_MS_ASYNC) && (flags & POGO_MS_SYNC))
        return -EINVAL;
    if (len > USER_MAX)
        return -ENOMEM;
    end = addr + POGO_ALIGN_UP(len, POGO_PAGE_SIZE);
    if (end == addr)
        return 0;
    if (addr < USER_MIN || end > USER_MAX || !fully_mapped(addr, end))
        return -ENOMEM;
    /* Anonymous memory has no file behind it: there is nothing to write. */
    return 0;
}
