/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The application's virtual address space: regions created by mmap, brk
 * and stacks, filled with zeroed frames on first touch. Regions live
 * between USER_MIN and USER_MAX, away from the identity map of physical
 * memory below. Private writable memory is charged against a commit limit
 * when it is mapped, so that running out of memory shows up as ENOMEM from
 * mmap or brk rather than as a failed page fault later.
 */
#include <pogo/alloc.h>
#include <pogo/crash.h>
#include <pogo/errno.h>
#include <pogo/log.h>
#include <pogo/mm.h>
#include <pogo/pagetable.h>
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

#define PROT_ALL (POGO_PROT_READ | POGO_PROT_WRITE | POGO_PROT_EXEC)

static struct vm_region *regions; /* sorted by address */
static size_t committed;          /* pages charged */
static size_t resident;           /* frames mapped into regions */
static uintptr_t brk_start = BRK_BASE;
static uintptr_t brk_end = BRK_BASE;

static size_t pages(size_t len)
{
    return len >> POGO_PAGE_SHIFT;
}

static bool charged(const struct vm_region *r)
{
    return (r->prot & POGO_PROT_WRITE) && !(r->flags & VM_NORESERVE);
}

static size_t reserve(void)
{
    return POGO_MAX(pogo_frames_total() / 32, (size_t)COMMIT_RESERVE_MIN);
}

/* Tells whether n more pages may be charged. */
static bool can_commit(size_t n, size_t released)
{
    size_t limit = pogo_frames_free_count() + resident;

    limit = limit > reserve() ? limit - reserve() : 0;
    return committed - released + n <= limit;
}

struct vm_region *vm_find(uintptr_t addr)
{
    for (struct vm_region *r = regions; r && r->start <= addr; r = r->next) {
        if (addr < r->end)
            return r;
    }
    return NULL;
}

/* First region that ends after addr, or NULL. */
static struct vm_region *first_after(uintptr_t addr)
{
    struct vm_region *r = regions;

    while (r && r->end <= addr)
        r = r->next;
    return r;
}

static bool range_free(uintptr_t start, uintptr_t end)
{
    struct vm_region *r = first_after(start);

    return !r || r->start >= end;
}

static void link_region(struct vm_region *n)
{
    struct vm_region **p = &regions;
    struct vm_region *prev = NULL;

    while (*p && (*p)->start < n->start) {
        prev = *p;
        p = &(*p)->next;
    }
    n->prev = prev;
    n->next = *p;
    if (*p)
        (*p)->prev = n;
    *p = n;
}

static void unlink_region(struct vm_region *r)
{
    if (r->prev)
        r->prev->next = r->next;
    else
        regions = r->next;
    if (r->next)
        r->next->prev = r->prev;
}

static bool same_kind(const struct vm_region *a, const struct vm_region *b)
{
    return a->prot == b->prot && a->flags == b->flags && a->owner == b->owner;
}

/* Merges r with its neighbours where they touch and are alike. */
static void merge(struct vm_region *r)
{
    struct vm_region *p = r->prev;
    struct vm_region *n = r->next;

    if (n && n->start == r->end && same_kind(r, n)) {
        r->end = n->end;
        unlink_region(n);
        pogo_free(n);
    }
    if (p && p->end == r->start && same_kind(p, r)) {
        p->end = r->end;
        unlink_region(r);
        pogo_free(r);
    }
}

/* Splits r at addr, which lies inside it. Returns the upper part. */
static struct vm_region *split(struct vm_region *r, uintptr_t addr)
{
    struct vm_region *upper = pogo_malloc(sizeof(*upper));

    if (!upper)
        return NULL;
    *upper = *r;
    upper->start = addr;
    r->end = addr;
    upper->prev = r;
    upper->next = r->next;
    if (r->next)
        r->next->prev = upper;
    r->next = upper;
    return upper;
}

/* Makes region boundaries at start and end. Returns 0 or -ENOMEM. */
static int split_at(uintptr_t start, uintptr_t end)
{
    struct vm_region *r = vm_find(start);

    if (r && r->start < start && !split(r, start))
        return -ENOMEM;
    r = vm_find(end - 1);
    if (r && r->end > end && !split(r, end))
        return -ENOMEM;
    return 0;
}

static void release_frame(uintptr_t pa, void *arg)
{
    pogo_frames_free(pa, 0);
    resident--;
}

/* Pages charged by the regions overlapping [start, end). */
static size_t charge_in(uintptr_t start, uintptr_t end)
{
    size_t n = 0;

    for (struct vm_region *r = first_after(start); r && r->start < end;
         r = r->next) {
        if (charged(r))
            n += pages(POGO_MIN(r->end, end) - POGO_MAX(r->start, start));
    }
    return n;
}

/* Removes every region part inside [start, end) and frees its frames. */
static int remove_range(uintptr_t start, uintptr_t end)
{
    struct vm_region *r, *next;
    int err = split_at(start, end);

    if (err)
        return err;
    for (r = first_after(start); r && r->start < end; r = next) {
        next = r->next;
        if (charged(r))
            committed -= pages(r->end - r->start);
        pogo_arch_unmap_range(r->start, r->end, release_frame, NULL);
        unlink_region(r);
        pogo_free(r);
    }
    return 0;
}

/* Inserts a new region; the range must be free. Returns it or NULL. */
static struct vm_region *insert(uintptr_t start, uintptr_t end, int prot,
                                unsigned flags)
{
    struct vm_region *r = pogo_malloc(sizeof(*r));

    if (!r)
        return NULL;
    *r = (struct vm_region){
        .start = start, .end = end, .prot = prot, .flags = flags};
    link_region(r);
    if (charged(r))
        committed += pages(end - start);
    return r;
}

/* Finds a free range of len bytes, searching down from MMAP_TOP. */
static uintptr_t find_gap(size_t len)
{
    struct vm_region *r = regions;
    uintptr_t top = MMAP_TOP;

    /* Walk to the last region below MMAP_TOP, then look at gaps downward. */
    while (r && r->next && r->next->start < MMAP_TOP)
        r = r->next;
    for (; r; r = r->prev) {
        if (r->start >= top)
            continue;
        if (r->end <= top && top - r->end >= len)
            return top - len;
        top = POGO_MIN(top, r->start);
    }
    if (top - USER_MIN >= len)
        return top - len;
    return 0;
}

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
        return -ENOMEM; /* Linux with no huge pages reserved says so too */
    return 0;
}

static void populate(uintptr_t start, uintptr_t end, int prot)
{
    int access =
        (prot & POGO_PROT_WRITE) ? POGO_ACCESS_WRITE : POGO_ACCESS_READ;

    for (uintptr_t a = start; a < end; a += POGO_PAGE_SIZE) {
        if (pogo_mm_fault(a, access, false) != 0)
            break;
    }
}

/* Chooses the address of a new mapping, or returns a negative errno. */
static long place(uintptr_t addr, size_t len, int flags)
{
    bool fixed = flags & (POGO_MAP_FIXED | POGO_MAP_FIXED_NOREPLACE);

    if (fixed) {
        if (addr & (POGO_PAGE_SIZE - 1))
            return -EINVAL;
        if (addr < USER_MIN)
            return -EPERM;
        if (addr > USER_MAX || len > USER_MAX - addr)
            return -ENOMEM;
        if ((flags & POGO_MAP_FIXED_NOREPLACE) && !(flags & POGO_MAP_FIXED) &&
            !range_free(addr, addr + len))
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

long pogo_vm_mmap_anon(uintptr_t addr, size_t len, int prot, int flags)
{
    unsigned rflags = 0;
    size_t released = 0;
    long start;
    int err;

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

    start = place(addr, len, flags);
    if (start < 0)
        return start;
    if (flags & POGO_MAP_NORESERVE)
        rflags |= VM_NORESERVE;
    if ((flags & POGO_MAP_TYPE) != POGO_MAP_PRIVATE)
        rflags |= VM_SHARED;
    if ((flags & POGO_MAP_FIXED))
        released = charge_in(start, start + len);
    if ((prot & POGO_PROT_WRITE) && !(rflags & VM_NORESERVE) &&
        !can_commit(pages(len), released))
        return -ENOMEM;

    if ((flags & POGO_MAP_FIXED) && remove_range(start, start + len) != 0)
        return -ENOMEM;
    struct vm_region *r = insert(start, start + len, prot, rflags);
    if (!r)
        return -ENOMEM;
    merge(r);
    if (flags & POGO_MAP_POPULATE)
        populate(start, start + len, prot);
    return start;
}

int pogo_vm_munmap(uintptr_t addr, size_t len)
{
    if ((addr & (POGO_PAGE_SIZE - 1)) || len == 0)
        return -EINVAL;
    if (addr < USER_MIN || addr > USER_MAX || len > USER_MAX - addr)
        return -EINVAL;
    len = POGO_ALIGN_UP(len, POGO_PAGE_SIZE);
    return remove_range(addr, addr + len);
}

/* Tells whether regions cover [start, end) without a hole. */
static bool fully_mapped(uintptr_t start, uintptr_t end)
{
    uintptr_t at = start;

    for (struct vm_region *r = first_after(start); r && at < end; r = r->next) {
        if (r->start > at)
            return false;
        at = r->end;
    }
    return at >= end;
}

int pogo_vm_mprotect(uintptr_t addr, size_t len, int prot)
{
    uintptr_t end;
    size_t more = 0;
    struct vm_region *r, *next;

    if ((addr & (POGO_PAGE_SIZE - 1)) || check_prot(prot))
        return -EINVAL;
    if (len == 0)
        return 0;
    if (len > USER_MAX)
        return -ENOMEM;
    end = addr + POGO_ALIGN_UP(len, POGO_PAGE_SIZE);
    if (addr < USER_MIN || end > USER_MAX || !fully_mapped(addr, end))
        return -ENOMEM;

    for (r = first_after(addr); r && r->start < end; r = r->next) {
        bool now = charged(r);
        struct vm_region test = *r;
        test.prot = prot;
        if (!now && charged(&test))
            more += pages(POGO_MIN(r->end, end) - POGO_MAX(r->start, addr));
    }
    if (more && !can_commit(more, 0))
        return -ENOMEM;
    if (split_at(addr, end) != 0)
        return -ENOMEM;

    for (r = first_after(addr); r && r->start < end; r = next) {
        next = r->next;
        if (charged(r))
            committed -= pages(r->end - r->start);
        r->prot = prot;
        if (charged(r))
            committed += pages(r->end - r->start);
        pogo_arch_protect_range(r->start, r->end, prot);
    }
    r = vm_find(addr);
    if (r)
        merge(r);
    r = vm_find(end - 1);
    if (r)
        merge(r);
    return 0;
}

uintptr_t pogo_vm_brk(uintptr_t addr)
{
    uintptr_t old = POGO_ALIGN_UP(brk_end, POGO_PAGE_SIZE);
    uintptr_t new = POGO_ALIGN_UP(addr, POGO_PAGE_SIZE);

    if (addr < brk_start || addr > BRK_LIMIT)
        return brk_end;
    if (new > old) {
        if (!range_free(old, new) || !can_commit(pages(new - old), 0))
            return brk_end;
        struct vm_region *r =
            insert(old, new, POGO_PROT_READ | POGO_PROT_WRITE, VM_BRK);
        if (!r)
            return brk_end;
        merge(r);
    } else if (new < old && remove_range(new, old) != 0) {
        return brk_end;
    }
    brk_end = addr;
    return brk_end;
}

uintptr_t pogo_vm_map_stack(size_t size, const char *const *owner)
{
    size_t len = POGO_ALIGN_UP(size, POGO_PAGE_SIZE) + POGO_PAGE_SIZE;
    uintptr_t base = find_gap(len);
    struct vm_region *guard, *stack;

    /* Like Linux, a stack is not charged up front: it grows on demand. */
    if (!base)
        return 0;
    guard = insert(base, base + POGO_PAGE_SIZE, POGO_PROT_NONE, VM_GUARD);
    if (!guard)
        return 0;
    stack = insert(base + POGO_PAGE_SIZE, base + len,
                   POGO_PROT_READ | POGO_PROT_WRITE, VM_STACK | VM_NORESERVE);
    if (!stack) {
        remove_range(base, base + POGO_PAGE_SIZE);
        return 0;
    }
    guard->owner = owner;
    stack->owner = owner;
    return base + len;
}

static bool allows(const struct vm_region *r, int access)
{
    if (access == POGO_ACCESS_WRITE)
        return r->prot & POGO_PROT_WRITE;
    if (access == POGO_ACCESS_EXEC)
        return r->prot & POGO_PROT_EXEC;
    return r->prot != POGO_PROT_NONE;
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
        return pogo_arch_map_page(page, pa & ~(POGO_PAGE_SIZE - 1), r->prot);
    }
    frame = pogo_frames_alloc_zeroed(0);
    if (!frame) {
        pogo_error("mm: out of memory: no frame for address %#lx; "
                   "ending the application\n",
                   addr);
        pogo_crash(&(struct pogo_crash){.what = "out of memory (page fault)",
                                        .signal = 9});
    }
    if (pogo_arch_map_page(page, frame, r->prot) != 0) {
        pogo_frames_free(frame, 0);
        pogo_crash(&(struct pogo_crash){
            .what = "out of memory (page table)",
            .signal = 9,
        });
    }
    resident++;
    return 0;
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

    if (!r)
        r = first_after(addr);
    if (!r || !r->owner)
        return false;
    if ((r->flags & VM_GUARD) && addr >= r->start && addr < r->end) {
        pogo_snprintf(buf, size,
                      "stack overflow in thread '%s': the "
                      "access hit the guard page below its stack",
                      *r->owner);
        return true;
    }
    return false;
}

struct vm_region *vm_first(void)
{
    return regions;
}
