// Anonymous mmap, munmap, mprotect, mremap, madvise and brk place, split,
// move and protect mappings as Linux does, with Linux's errors.
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/syscall.h>

#define PAGE       4096UL
#define GIB        (1024UL * 1024 * 1024)
#define RW         (PROT_READ | PROT_WRITE)
#define MAPS       100
#define EXTRA_MAPS 40

static int failures;

static const char *error_name(int e)
{
    switch (e) {
    case 0:
        return "0";
    case EINVAL:
        return "EINVAL";
    case ENOMEM:
        return "ENOMEM";
    case EEXIST:
        return "EEXIST";
    case EFAULT:
        return "EFAULT";
    default:
        return strerror(e);
    }
}

static void expect(int got, int want, const char *label)
{
    if (got == want) {
        printf("%s: %s\n", label, error_name(got));
    } else {
        printf("FAIL: %s: got %s, expected %s\n", label, error_name(got),
               error_name(want));
        failures++;
    }
}

// Like expect, for calls that return -1 and set errno.
static void expect_errno(long ret, int want, const char *label)
{
    expect(ret == -1 ? errno : 0, want, label);
}

// Like expect, for calls that return MAP_FAILED and set errno.
static void expect_map_errno(void *ret, int want, const char *label)
{
    expect(ret == MAP_FAILED ? errno : 0, want, label);
}

// Prints "label: 1" when cond is true and a FAIL line otherwise.
static void expect_true(int cond, const char *label)
{
    if (cond) {
        printf("%s: 1\n", label);
    } else {
        printf("FAIL: %s: 0\n", label);
        failures++;
    }
}

static char *map(void *addr, size_t len, int prot, int flags)
{
    return mmap(addr, len, prot, flags | MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
}

static unsigned char residency[1 << 20];

// Whether every page of the range is mapped: mincore fails with ENOMEM
// when any part is not, whatever the protection.
static int is_mapped(void *addr, size_t len)
{
    return mincore(addr, len, residency) == 0;
}

// Whether the kernel can read 8 bytes at addr, found without faulting by
// passing them to rt_sigprocmask as a set to block (then restored).
static int is_readable(const void *addr)
{
    uint64_t old;
    long r = syscall(SYS_rt_sigprocmask, SIG_BLOCK, addr, &old, 8);

    if (r == 0)
        syscall(SYS_rt_sigprocmask, SIG_SETMASK, &old, NULL, 8);
    return r == 0;
}

// Whether the kernel can write 8 bytes at addr. It stores the current
// signal mask there, so those bytes become zero.
static int is_writable(void *addr)
{
    return syscall(SYS_rt_sigprocmask, SIG_BLOCK, NULL, addr, 8) == 0;
}

static void fill_pages(char *p, int first, int count)
{
    for (int i = first; i < first + count; i++)
        memset(p + i * PAGE, 'A' + i, PAGE);
}

static int pages_hold(char *p, int first, int count)
{
    for (int i = first; i < first + count; i++) {
        for (size_t j = 0; j < PAGE; j++) {
            if (p[i * PAGE + j] != 'A' + i)
                return 0;
        }
    }
    return 1;
}

static int pages_zero(char *p, int first, int count)
{
    for (size_t j = first * PAGE; j < (first + count) * PAGE; j++) {
        if (p[j])
            return 0;
    }
    return 1;
}

// Returns an address where len bytes are free right now.
static char *free_address(size_t len)
{
    char *p = map(NULL, len, PROT_NONE, 0);

    munmap(p, len);
    return p;
}

static int overlaps(char *a, size_t alen, char *b, size_t blen)
{
    return a < b + blen && b < a + alen;
}

static void check_hints(void)
{
    char *hint = free_address(16 * PAGE);
    char *p = map(hint, 16 * PAGE, RW, 0);
    char *q;

    expect_true(p == hint, "free hint honoured");
    q = map(p + 4 * PAGE, 4 * PAGE, RW, 0);
    expect_true(q != MAP_FAILED && !overlaps(q, 4 * PAGE, p, 16 * PAGE),
                "occupied hint placed elsewhere");
    munmap(p, 16 * PAGE);
    munmap(q, 4 * PAGE);
}

static void check_fixed(void)
{
    char *p = map(NULL, 8 * PAGE, RW, 0);
    char *q;

    fill_pages(p, 0, 8);
    q = map(p + 3 * PAGE, 2 * PAGE, RW, MAP_FIXED);
    expect_true(q == p + 3 * PAGE, "MAP_FIXED returns the address");
    expect_true(pages_zero(p, 3, 2), "MAP_FIXED middle is zero");
    expect_true(pages_hold(p, 0, 3), "MAP_FIXED keeps the head");
    expect_true(pages_hold(p, 5, 3), "MAP_FIXED keeps the tail");

    expect_map_errno(map(p + 2 * PAGE, PAGE, RW, MAP_FIXED_NOREPLACE), EEXIST,
                     "MAP_FIXED_NOREPLACE over a mapping");
    expect_map_errno(map(p + 7 * PAGE, 2 * PAGE, RW, MAP_FIXED_NOREPLACE),
                     EEXIST, "MAP_FIXED_NOREPLACE over a mapping's end");
    expect_true(pages_hold(p, 0, 3) && pages_hold(p, 5, 3),
                "MAP_FIXED_NOREPLACE leaves contents");
    munmap(p, 8 * PAGE);
    q = map(p, 2 * PAGE, RW, MAP_FIXED_NOREPLACE);
    expect_true(q == p, "MAP_FIXED_NOREPLACE on a free range");
    munmap(q, 2 * PAGE);

    expect_map_errno(map((char *)q + 1, PAGE, RW, MAP_FIXED), EINVAL,
                     "MAP_FIXED unaligned address");
}

static void check_noreserve(void)
{
    char *p = map(NULL, GIB, RW, MAP_NORESERVE);

    expect_map_errno(p, 0, "MAP_NORESERVE 1 GiB");
    if (p == MAP_FAILED)
        return;
    p[0] = 1;
    p[GIB / 2] = 2;
    p[GIB - 1] = 3;
    expect_true(p[0] == 1 && p[GIB / 2] == 2 && p[GIB - 1] == 3,
                "MAP_NORESERVE pages hold values");
    expect_true(p[PAGE] == 0 && p[GIB - PAGE - 1] == 0,
                "MAP_NORESERVE untouched pages are zero");
    expect_errno(munmap(p, GIB), 0, "munmap 1 GiB");
}

static void check_prot_none_commit(void)
{
    char *p = map(NULL, 64 * PAGE, PROT_NONE, 0);
    char *q;

    expect_true(!is_readable(p), "PROT_NONE not readable");
    expect_true(is_mapped(p, 64 * PAGE), "PROT_NONE is mapped");

    expect_errno(mprotect(p, 4 * PAGE, RW), 0, "commit with mprotect");
    expect_true(is_readable(p) && is_writable(p + 3 * PAGE),
                "mprotect commit is accessible");
    expect_true(pages_zero(p, 0, 4), "mprotect commit is zero");
    p[0] = 'x';
    expect_true(!is_readable(p + 4 * PAGE), "page after mprotect still none");

    q = map(p + 16 * PAGE, 4 * PAGE, RW, MAP_FIXED);
    expect_true(q == p + 16 * PAGE, "commit with MAP_FIXED");
    expect_true(is_writable(q) && pages_zero(q, 0, 4),
                "MAP_FIXED commit is accessible and zero");
    expect_true(!is_readable(p + 15 * PAGE) && !is_readable(p + 20 * PAGE),
                "pages around MAP_FIXED commit still none");
    expect_true(p[0] == 'x', "mprotect commit kept value");

    expect_errno(mprotect(p, 4 * PAGE, PROT_NONE), 0, "uncommit with mprotect");
    expect_true(!is_readable(p), "uncommitted page not readable");
    munmap(p, 64 * PAGE);
}

static void check_partial_munmap(void)
{
    char *p = map(NULL, 8 * PAGE, RW, 0);

    fill_pages(p, 0, 8);
    expect_errno(munmap(p + 2 * PAGE, 2 * PAGE), 0, "munmap middle");
    expect_true(!is_mapped(p + 2 * PAGE, PAGE), "unmapped middle is gone");
    expect_true(!is_mapped(p, 8 * PAGE), "range across the hole not mapped");
    expect_true(is_mapped(p, 2 * PAGE), "head still mapped");
    expect_true(is_mapped(p + 4 * PAGE, 4 * PAGE), "tail still mapped");
    expect_true(pages_hold(p, 0, 2) && pages_hold(p, 4, 4),
                "head and tail keep contents");
    expect_errno(msync(p + 2 * PAGE, PAGE, MS_ASYNC), ENOMEM,
                 "msync on the hole");
    expect_errno(madvise(p + 3 * PAGE, PAGE, MADV_DONTNEED), ENOMEM,
                 "madvise on the hole");
    expect_errno(munmap(p + 2 * PAGE, 2 * PAGE), 0, "munmap the hole again");

    expect_errno(munmap(p, PAGE), 0, "munmap first page");
    expect_errno(munmap(p + 7 * PAGE, PAGE), 0, "munmap last page");
    expect_true(!is_mapped(p, PAGE) && !is_mapped(p + 7 * PAGE, PAGE),
                "first and last page gone");
    expect_true(is_mapped(p + PAGE, PAGE) && is_mapped(p + 4 * PAGE, 3 * PAGE),
                "inner pieces still mapped");
    expect_true(pages_hold(p, 1, 1) && pages_hold(p, 4, 3),
                "inner pieces keep contents");
    munmap(p, 8 * PAGE);
}

// Linux changes the protection of the part before the first hole and then
// fails, so that part ends up PROT_NONE here.
static void check_mprotect_hole(void)
{
    char *p = map(NULL, 8 * PAGE, RW, 0);

    munmap(p + 3 * PAGE, PAGE);
    expect_errno(mprotect(p, 8 * PAGE, PROT_NONE), ENOMEM,
                 "mprotect over a hole");
    expect_true(!is_readable(p + 2 * PAGE),
                "mprotect over a hole changed the part before it");
    expect_true(is_readable(p + 4 * PAGE),
                "mprotect over a hole left the part after it");
    expect_errno(mprotect(p + 3 * PAGE, 2 * PAGE, PROT_NONE), ENOMEM,
                 "mprotect starting in a hole");
    expect_true(is_readable(p + 4 * PAGE),
                "mprotect starting in a hole changed nothing");
    munmap(p, 8 * PAGE);
}

static void check_mremap_grow_in_place(void)
{
    char *p = map(NULL, 8 * PAGE, RW, 0);
    char *q;

    munmap(p + 4 * PAGE, 4 * PAGE);
    fill_pages(p, 0, 4);
    q = mremap(p, 4 * PAGE, 8 * PAGE, 0);
    expect_true(q == p, "mremap grows in place");
    expect_true(pages_hold(p, 0, 4), "mremap grow keeps contents");
    expect_true(pages_zero(p, 4, 4), "mremap grown part is zero");
    fill_pages(p, 4, 4);
    expect_true(is_mapped(p, 8 * PAGE), "mremap grown part is mapped");
    munmap(p, 8 * PAGE);
}

static void check_mremap_move_and_shrink(void)
{
    char *p = map(NULL, 8 * PAGE, RW, 0);
    char *q, *r, *target;

    fill_pages(p, 0, 8);
    // musl's pthread_getattr_np measures the main thread's stack by growing
    // one page at a time with mremap until the error is not ENOMEM.
    expect_map_errno(mremap(p, 4 * PAGE, 6 * PAGE, 0), ENOMEM,
                     "mremap grow blocked by the rest of the mapping");
    expect_map_errno(mremap(free_address(PAGE), PAGE, 2 * PAGE, 0), EFAULT,
                     "mremap of an unmapped address");

    q = mremap(p, 4 * PAGE, 6 * PAGE, MREMAP_MAYMOVE);
    expect_true(q != MAP_FAILED && q != p, "MREMAP_MAYMOVE moves");
    if (q == MAP_FAILED) {
        munmap(p, 8 * PAGE);
        return;
    }
    expect_true(pages_hold(q, 0, 4), "moved mapping keeps contents");
    expect_true(pages_zero(q, 4, 2), "moved mapping's new part is zero");
    expect_true(!is_mapped(p, 4 * PAGE), "old range is gone after move");
    expect_true(pages_hold(p, 4, 4), "rest of the old mapping kept");

    r = mremap(q, 6 * PAGE, 2 * PAGE, 0);
    expect_true(r == q, "mremap shrink stays in place");
    expect_true(pages_hold(q, 0, 2), "shrunk mapping keeps contents");
    expect_true(!is_mapped(q + 2 * PAGE, 4 * PAGE), "shrunk tail is gone");

    target = free_address(2 * PAGE);
    r = mremap(q, 2 * PAGE, 2 * PAGE, MREMAP_MAYMOVE | MREMAP_FIXED, target);
    expect_true(r == target, "MREMAP_FIXED moves to the target");
    expect_true(pages_hold(target, 0, 2), "MREMAP_FIXED keeps contents");
    expect_true(!is_mapped(q, 2 * PAGE), "MREMAP_FIXED source is gone");
    munmap(target, 2 * PAGE);
    munmap(p + 4 * PAGE, 4 * PAGE);
}

static void check_mremap_errors(void)
{
    char *p = map(NULL, 4 * PAGE, RW, 0);

    expect_map_errno(mremap(p + 1, PAGE, 2 * PAGE, 0), EINVAL,
                     "mremap unaligned address");
    expect_map_errno(mremap(p, PAGE, 0, 0), EINVAL, "mremap new length 0");
    expect_map_errno(mremap(p, PAGE, PAGE, MREMAP_FIXED, p + 8 * PAGE), EINVAL,
                     "MREMAP_FIXED without MREMAP_MAYMOVE");
    expect_map_errno(mremap(p, 8 * PAGE, 10 * PAGE, MREMAP_MAYMOVE), EFAULT,
                     "mremap old length past the mapping");
    munmap(p, 4 * PAGE);
}

static void check_madvise(void)
{
    char *p = map(NULL, 2 * PAGE, RW, 0);

    memset(p, 0x5a, 2 * PAGE);
    expect_errno(madvise(p, PAGE, MADV_DONTNEED), 0, "MADV_DONTNEED");
    expect_true(p[0] == 0 && p[PAGE - 1] == 0, "MADV_DONTNEED page is zero");
    expect_true(p[PAGE] == 0x5a, "MADV_DONTNEED leaves the next page");
    p[0] = 1;
    expect_true(p[0] == 1, "MADV_DONTNEED page is writable again");
    expect_errno(madvise(p, PAGE, MADV_WILLNEED), 0, "MADV_WILLNEED");
    expect_errno(madvise(p, 0, MADV_DONTNEED), 0, "madvise length 0");
    expect_errno(madvise(p + 1, PAGE, MADV_DONTNEED), EINVAL,
                 "madvise unaligned address");
    expect_errno(madvise(p, PAGE, 12345), EINVAL, "madvise unknown advice");
    munmap(p, 2 * PAGE);
}

// A Java VM reserves its heap as PROT_NONE without swap reservation and
// commits pieces of it with MAP_FIXED.
static void check_reservations(void)
{
    size_t size = 4 * GIB;
    char *heap = map(NULL, size, PROT_NONE, MAP_NORESERVE);
    char *other, *pieces[3];

    expect_map_errno(heap, 0, "reserve 4 GiB");
    if (heap == MAP_FAILED)
        return;
    pieces[0] = heap;
    pieces[1] = heap + size / 2;
    pieces[2] = heap + size - 64 * 1024;
    for (int i = 0; i < 3; i++) {
        char *q = map(pieces[i], 64 * 1024, RW, MAP_FIXED);

        if (q == pieces[i]) {
            q[0] = 'a' + i;
            q[64 * 1024 - 1] = 'A' + i;
        }
        pieces[i] = q;
    }
    expect_true(pieces[0] == heap && pieces[1] == heap + size / 2 &&
                    pieces[2] == heap + size - 64 * 1024,
                "commit three pieces with MAP_FIXED");
    for (int i = 0; i < 3 && pieces[i] != MAP_FAILED; i++) {
        char label[64];

        snprintf(label, sizeof(label), "committed piece %d holds values", i);
        expect_true(pieces[i][0] == 'a' + i &&
                        pieces[i][64 * 1024 - 1] == 'A' + i,
                    label);
    }
    expect_true(!is_readable(heap + 64 * 1024), "between pieces still none");

    other = map(NULL, size, PROT_NONE, MAP_NORESERVE);
    expect_map_errno(other, 0, "second 4 GiB reservation");
    expect_true(other == MAP_FAILED || !overlaps(heap, size, other, size),
                "reservations are disjoint");
    expect_errno(munmap(heap, size), 0, "release the first reservation");
    expect_true(!is_mapped(heap, PAGE) && !is_mapped(pieces[1], PAGE),
                "released reservation is gone");
    if (other != MAP_FAILED)
        munmap(other, size);
}

static char *maps[MAPS + EXTRA_MAPS];
static size_t map_lengths[MAPS + EXTRA_MAPS];

static int count_overlapping_pairs(int n)
{
    int pairs = 0;

    for (int i = 0; i < n; i++) {
        for (int j = 0; j < i; j++) {
            if (maps[i] && maps[j] &&
                overlaps(maps[i], map_lengths[i], maps[j], map_lengths[j]))
                pairs++;
        }
    }
    return pairs;
}

// Non-fixed mappings, also those made after holes were punched, never
// overlap a live mapping.
static void check_no_overlap(void)
{
    int failed = 0, unaligned = 0;

    for (int i = 0; i < MAPS + EXTRA_MAPS; i++) {
        if (i == MAPS) {
            for (int j = 0; j < MAPS; j += 3) {
                munmap(maps[j], map_lengths[j]);
                maps[j] = NULL;
            }
        }
        map_lengths[i] = (1 + i % 7) * PAGE;
        maps[i] = map(NULL, map_lengths[i], i % 2 ? RW : PROT_NONE, 0);
        if (maps[i] == MAP_FAILED) {
            maps[i] = NULL;
            failed++;
        } else if ((uintptr_t)maps[i] % PAGE) {
            unaligned++;
        }
    }
    expect_true(failed == 0, "140 mappings made");
    expect_true(unaligned == 0, "mappings are page-aligned");
    expect_true(count_overlapping_pairs(MAPS + EXTRA_MAPS) == 0,
                "no two live mappings overlap");
    for (int i = 0; i < MAPS + EXTRA_MAPS; i++) {
        if (maps[i])
            munmap(maps[i], map_lengths[i]);
    }
}

static void check_argument_errors(void)
{
    char *p = map(NULL, 2 * PAGE, RW, 0);

    expect_map_errno(map(NULL, 0, RW, 0), EINVAL, "mmap length 0");
    expect_map_errno(map(NULL, -PAGE, RW, 0), ENOMEM, "mmap length near 2^64");
    expect_map_errno(map(NULL, 1UL << 47, PROT_NONE, MAP_NORESERVE), ENOMEM,
                     "mmap 128 TiB");
    expect_map_errno(mmap(NULL, PAGE, RW, MAP_ANONYMOUS, -1, 0), EINVAL,
                     "mmap without MAP_PRIVATE or MAP_SHARED");
    expect_map_errno(mmap(NULL, PAGE, RW, MAP_PRIVATE | MAP_ANONYMOUS, -1, 1),
                     EINVAL, "mmap unaligned offset");
    expect_errno(munmap(p, 0), EINVAL, "munmap length 0");
    expect_errno(munmap(p + 1, PAGE), EINVAL, "munmap unaligned address");
    // musl's mprotect rounds the address down, so ask the kernel directly.
    expect_errno(syscall(SYS_mprotect, p + 1, PAGE, PROT_READ), EINVAL,
                 "mprotect unaligned address");
    expect_errno(mprotect(p, PAGE, 0x100), EINVAL, "mprotect unknown prot");
    expect_errno(mprotect(p, 0, PROT_READ), 0, "mprotect length 0");
    expect_errno(mprotect(p, PAGE, PROT_READ), 0, "mprotect read-only");
    expect_true(is_readable(p) && !is_writable(p), "read-only page");
    munmap(p, 2 * PAGE);
    expect_errno(mprotect(p, PAGE, PROT_READ), ENOMEM, "mprotect unmapped");
}

static char *brk_to(char *addr)
{
    return (char *)syscall(SYS_brk, addr);
}

// The raw syscall returns the new break, or the old one when it rejects
// the request.
// This program calls no malloc, so nothing else uses the heap above start.
static void check_brk(void)
{
    char *start = brk_to(NULL);

    expect_true((uintptr_t)start % PAGE == 0, "initial break page-aligned");
    expect_true(brk_to(start + 64 * 1024) == start + 64 * 1024, "brk grows");
    memset(start, 0xab, 64 * 1024);
    expect_true(brk_to(start + 16 * 1024) == start + 16 * 1024, "brk shrinks");
    expect_true(start[0] == (char)0xab && start[16 * 1024 - 1] == (char)0xab,
                "brk shrink keeps the rest");
    expect_true(!is_mapped(start + 16 * 1024, PAGE),
                "brk shrink unmaps the tail");
    expect_true(brk_to(start + 64 * 1024) == start + 64 * 1024,
                "brk grows again");
    expect_true(pages_zero(start, 4, 12), "brk regrown part is zero");
    expect_true(start[16 * 1024 - 1] == (char)0xab,
                "brk regrow keeps the rest");
    expect_true(brk_to(NULL) == start + 64 * 1024, "brk 0 reports the break");
    expect_true(brk_to((char *)PAGE) == start + 64 * 1024,
                "brk below heap start rejected");
    expect_true(brk_to(start) == start, "brk back to the start");
}

int main(void)
{
    check_brk();
    check_hints();
    check_fixed();
    check_noreserve();
    check_prot_none_commit();
    check_partial_munmap();
    check_mprotect_hole();
    check_mremap_grow_in_place();
    check_mremap_move_and_shrink();
    check_mremap_errors();
    check_madvise();
    check_reservations();
    check_no_overlap();
    check_argument_errors();
    printf("failures: %d\n", failures);
    return failures != 0;
}
