/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Host stand-ins for the kernel services that lib/mm/vm.c uses, so that
 * it runs unchanged in a unit test. Frames come from malloc, and a frame's
 * address is its host pointer, as with the kernel's identity map. The
 * page table is a hash table keyed by page address, the kernel heap is
 * malloc, and a crash or panic aborts the test.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <pogo/alloc.h>
#include <pogo/crash.h>
#include <pogo/errno.h>
#include <pogo/log.h>
#include <pogo/mm.h>
#include <pogo/pagetable.h>

#include "fake_mm.h"

#define PAGE_MASK (POGO_PAGE_SIZE - 1)
#define BUCKETS   (1u << 16)

size_t fake_frame_limit = 1u << 20;
bool fake_malloc_fails;
bool fake_move_fails;

/* --- Kernel heap, log and crash ------------------------------------------ */

void *pogo_malloc(size_t size)
{
    return fake_malloc_fails ? NULL : malloc(size);
}

void pogo_free(void *p)
{
    free(p);
}

int pogo_log_level = POGO_LOG_WARN;

void pogo_log(int level, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
}

void pogo_panic(const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    fprintf(stderr, "panic: ");
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
    abort();
}

void pogo_crash(const struct pogo_crash *crash)
{
    fprintf(stderr, "crash: %s\n", crash->what);
    abort();
}

/* --- Frames -------------------------------------------------------------- */

static size_t frames_used;

size_t fake_frames_used(void)
{
    return frames_used;
}

uintptr_t pogo_frames_alloc(unsigned order)
{
    void *frame;

    if (order != 0) {
        fprintf(stderr, "fake_mm: frames of order %u are not faked\n", order);
        abort();
    }
    if (frames_used >= fake_frame_limit)
        return 0;
    frame = aligned_alloc(POGO_PAGE_SIZE, POGO_PAGE_SIZE);
    if (!frame)
        return 0;
    frames_used++;
    return (uintptr_t)frame;
}

uintptr_t pogo_frames_alloc_zeroed(unsigned order)
{
    uintptr_t frame = pogo_frames_alloc(order);

    if (frame)
        memset((void *)frame, 0, POGO_PAGE_SIZE);
    return frame;
}

void pogo_frames_free(uintptr_t addr, unsigned order)
{
    free((void *)addr);
    frames_used--;
}

size_t pogo_frames_free_count(void)
{
    return frames_used < fake_frame_limit ? fake_frame_limit - frames_used : 0;
}

size_t pogo_frames_total(void)
{
    return fake_frame_limit;
}

/* --- Page table ---------------------------------------------------------- */

struct pte {
    uintptr_t va;
    uintptr_t pa;
    int prot;
    struct pte *next;
};

static struct pte *buckets[BUCKETS];
static size_t entries;

size_t fake_pages_mapped(void)
{
    return entries;
}

static struct pte **slot_of(uintptr_t va)
{
    struct pte **p = &buckets[(va >> POGO_PAGE_SHIFT) % BUCKETS];

    while (*p && (*p)->va != va)
        p = &(*p)->next;
    return p;
}

int pogo_arch_map_page(uintptr_t va, uintptr_t pa, int prot)
{
    struct pte **p = slot_of(va);

    if (!*p) {
        *p = calloc(1, sizeof(**p));
        if (!*p)
            return -ENOMEM;
        (*p)->va = va;
        entries++;
    }
    (*p)->pa = pa;
    (*p)->prot = prot;
    return 0;
}

bool pogo_arch_lookup(uintptr_t va, uintptr_t *pa, int *prot)
{
    struct pte *e = *slot_of(va & ~PAGE_MASK);

    if (!e)
        return false;
    *pa = e->pa | (va & PAGE_MASK);
    *prot = e->prot;
    return true;
}

/*
 * Calls fn for every entry in [start, end), either page by page or by
 * scanning all entries, whichever is fewer steps. fn may unlink the entry
 * it is given from *link.
 */
static void for_range(uintptr_t start, uintptr_t end,
                      void (*fn)(struct pte **link, void *arg), void *arg)
{
    if ((end - start) / POGO_PAGE_SIZE <= entries) {
        for (uintptr_t va = start; va < end; va += POGO_PAGE_SIZE) {
            struct pte **p = slot_of(va);

            if (*p)
                fn(p, arg);
        }
        return;
    }
    for (size_t b = 0; b < BUCKETS; b++) {
        struct pte **p = &buckets[b];

        while (*p) {
            struct pte *e = *p;

            if (e->va >= start && e->va < end)
                fn(p, arg);
            if (*p == e)
                p = &e->next;
        }
    }
}

struct release {
    void (*fn)(uintptr_t pa, void *arg);
    void *arg;
};

static void unmap_one(struct pte **link, void *arg)
{
    struct release *release = arg;
    struct pte *e = *link;

    *link = e->next;
    entries--;
    if (release->fn)
        release->fn(e->pa, release->arg);
    free(e);
}

void pogo_arch_unmap_range(uintptr_t start, uintptr_t end,
                           void (*release)(uintptr_t pa, void *arg), void *arg)
{
    struct release r = {release, arg};

    for_range(start, end, unmap_one, &r);
}

static void protect_one(struct pte **link, void *arg)
{
    (*link)->prot = *(int *)arg;
}

void pogo_arch_protect_range(uintptr_t start, uintptr_t end, int prot)
{
    for_range(start, end, protect_one, &prot);
}

/* Entries taken out of the table by a move, to put back at new addresses. */
struct moving {
    struct pte *list;
};

static void take_one(struct pte **link, void *arg)
{
    struct moving *m = arg;
    struct pte *e = *link;

    *link = e->next;
    e->next = m->list;
    m->list = e;
}

int pogo_arch_move_range(uintptr_t from, uintptr_t to, size_t len,
                         void (*release)(uintptr_t pa, void *arg), void *arg)
{
    struct moving m = {NULL};

    if (fake_move_fails)
        return -ENOMEM;
    pogo_arch_unmap_range(to, to + len, release, arg);
    for_range(from, from + len, take_one, &m);
    while (m.list) {
        struct pte *e = m.list;
        struct pte **p;

        m.list = e->next;
        e->va = e->va - from + to;
        p = slot_of(e->va);
        e->next = NULL;
        *p = e;
    }
    return 0;
}
