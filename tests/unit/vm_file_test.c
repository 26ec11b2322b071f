/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * File mappings of lib/mm/vm.c on the host, over the fakes of fake_mm.c
 * and a fake file of page frames. Shared mappings use the file's frames
 * and private ones copy them. The file stays referenced while mapped,
 * zapping unmaps its pages, and moving a mapping keeps its offsets.
 */
#include <pogo/errno.h>
#include <pogo/mm.h>
#include <pogo/pagetable.h>

#include "fake_mm.h"
#include "unit.h"

#define PAGE   POGO_PAGE_SIZE
#define AREA   0x0000200000000000UL
#define RW     (POGO_PROT_READ | POGO_PROT_WRITE)
#define SHARED (POGO_MAP_SHARED | POGO_MAP_FIXED)
#define PRIV   (POGO_MAP_PRIVATE | POGO_MAP_FIXED)

#define FILE_PAGES 8

/* A file of up to FILE_PAGES pages, with holes until a page is made. */
struct fake_file {
    uintptr_t pages[FILE_PAGES];
    size_t size;
    int holds;
};

static int file_page(void *file, uint64_t offset, bool create, uintptr_t *frame)
{
    struct fake_file *f = file;
    size_t index = offset / PAGE;

    if (offset >= (f->size + PAGE - 1) / PAGE * PAGE)
        return -ENXIO;
    if (!f->pages[index] && create)
        f->pages[index] = pogo_frames_alloc_zeroed(0);
    *frame = f->pages[index];
    return 0;
}

static void file_hold(void *file)
{
    ((struct fake_file *)file)->holds++;
}

static void file_release(void *file)
{
    ((struct fake_file *)file)->holds--;
}

static const struct pogo_vm_file_ops ops = {
    .page = file_page,
    .hold = file_hold,
    .release = file_release,
};

static void file_init(struct fake_file *f, size_t pages)
{
    memset(f, 0, sizeof(*f));
    f->size = pages * PAGE;
    for (size_t i = 0; i < pages; i++) {
        f->pages[i] = pogo_frames_alloc_zeroed(0);
        memset((void *)f->pages[i], 'a' + (int)i, PAGE);
    }
}

static void file_free(struct fake_file *f)
{
    for (size_t i = 0; i < FILE_PAGES; i++) {
        if (f->pages[i])
            pogo_frames_free(f->pages[i], 0);
    }
}

static long map(struct fake_file *f, uintptr_t addr, size_t len, int prot,
                int flags, uint64_t offset, bool may_write)
{
    struct pogo_vm_file_map m = {
        .ops = &ops,
        .file = f,
        .object = f,
        .offset = offset,
        .may_write = may_write,
    };

    return pogo_vm_mmap_file(addr, len, prot, flags, &m);
}

/* The frame mapped at va after a fault with access, or 0. */
static uintptr_t touch(uintptr_t va, int access)
{
    uintptr_t pa;
    int prot;

    if (pogo_mm_fault(va, access, false) != 0)
        return 0;
    if (!pogo_arch_lookup(va, &pa, &prot))
        return 0;
    return pa & ~(PAGE - 1);
}

TEST(shared_mapping_uses_file_frames)
{
    struct fake_file f;
    size_t used;

    file_init(&f, 2);
    used = fake_frames_used();
    CHECK_EQ(map(&f, AREA, 2 * PAGE, RW, SHARED, 0, true), AREA);
    CHECK_EQ(f.holds, 1);
    CHECK_EQ_HEX(touch(AREA + PAGE + 5, POGO_ACCESS_WRITE), f.pages[1]);
    CHECK_EQ(fake_frames_used(), used);
    CHECK_EQ(pogo_vm_munmap(AREA, 2 * PAGE), 0);
    CHECK_EQ(fake_frames_used(), used);
    CHECK_EQ(f.holds, 0);
    file_free(&f);
}

TEST(private_mapping_copies_pages)
{
    struct fake_file f;
    uintptr_t pa;
    size_t used;

    file_init(&f, 1);
    used = fake_frames_used();
    CHECK_EQ(map(&f, AREA, PAGE, RW, PRIV, 0, false), AREA);
    pa = touch(AREA, POGO_ACCESS_WRITE);
    CHECK(pa != 0);
    CHECK(pa != f.pages[0]);
    CHECK_EQ(((char *)pa)[100], 'a');
    ((char *)pa)[100] = 'z';
    CHECK_EQ(((char *)f.pages[0])[100], 'a');
    CHECK_EQ(fake_frames_used(), used + 1);
    CHECK_EQ(pogo_vm_munmap(AREA, PAGE), 0);
    CHECK_EQ(fake_frames_used(), used);
    file_free(&f);
}

TEST(private_hole_reads_zeros_unfilled)
{
    struct fake_file f;
    uintptr_t pa;

    file_init(&f, 0);
    f.size = 3 * PAGE;
    CHECK_EQ(map(&f, AREA, 3 * PAGE, POGO_PROT_READ, PRIV, 0, true), AREA);
    pa = touch(AREA + PAGE, POGO_ACCESS_READ);
    CHECK(pa != 0);
    CHECK_EQ(((char *)pa)[7], 0);
    CHECK_EQ(f.pages[1], 0);
    CHECK_EQ(pogo_vm_munmap(AREA, 3 * PAGE), 0);
    file_free(&f);
}

TEST(page_past_end_of_file_faults)
{
    struct fake_file f;

    file_init(&f, 1);
    f.size = PAGE + 1;
    f.pages[1] = pogo_frames_alloc_zeroed(0);
    CHECK_EQ(map(&f, AREA, 4 * PAGE, POGO_PROT_READ, SHARED, 0, false), AREA);
    CHECK(touch(AREA + PAGE + 100, POGO_ACCESS_READ) != 0);
    CHECK_EQ(pogo_mm_fault(AREA + 2 * PAGE, POGO_ACCESS_READ, false), -EFAULT);
    CHECK_EQ(pogo_vm_munmap(AREA, 4 * PAGE), 0);
    file_free(&f);
}

TEST(offset_selects_file_page)
{
    struct fake_file f;

    file_init(&f, 4);
    CHECK_EQ(map(&f, AREA, PAGE, POGO_PROT_READ, SHARED, 2 * PAGE, false),
             AREA);
    CHECK_EQ_HEX(touch(AREA, POGO_ACCESS_READ), f.pages[2]);
    CHECK_EQ(pogo_vm_munmap(AREA, PAGE), 0);
    CHECK_EQ(map(&f, AREA, PAGE, POGO_PROT_READ, SHARED, 100, false), -EINVAL);
    file_free(&f);
}

TEST(split_mapping_keeps_file_referenced)
{
    struct fake_file f;

    file_init(&f, 4);
    CHECK_EQ(map(&f, AREA, 4 * PAGE, RW, SHARED, 0, true), AREA);
    CHECK_EQ(pogo_vm_mprotect(AREA + PAGE, PAGE, POGO_PROT_READ), 0);
    CHECK_EQ(pogo_vm_munmap(AREA, PAGE), 0);
    CHECK_EQ(f.holds, 1);
    CHECK_EQ_HEX(touch(AREA + 3 * PAGE, POGO_ACCESS_READ), f.pages[3]);
    CHECK_EQ(pogo_vm_munmap(AREA + PAGE, PAGE), 0);
    CHECK_EQ(f.holds, 1);
    CHECK_EQ(pogo_vm_munmap(AREA + 2 * PAGE, 2 * PAGE), 0);
    CHECK_EQ(f.holds, 0);
    file_free(&f);
}

TEST(zap_unmaps_file_pages)
{
    struct fake_file f;
    size_t used;
    uintptr_t pa;
    int prot;

    file_init(&f, 4);
    CHECK_EQ(map(&f, AREA, 4 * PAGE, RW, SHARED, 0, true), AREA);
    CHECK_EQ(map(&f, AREA + 8 * PAGE, 4 * PAGE, RW, PRIV, 0, true),
             AREA + 8 * PAGE);
    for (int i = 0; i < 4; i++) {
        touch(AREA + i * PAGE, POGO_ACCESS_READ);
        touch(AREA + (8 + i) * PAGE, POGO_ACCESS_WRITE);
    }
    used = fake_frames_used();
    pogo_vm_file_zap(&f, 2 * PAGE, UINT64_MAX);
    CHECK(pogo_arch_lookup(AREA + PAGE, &pa, &prot));
    CHECK(!pogo_arch_lookup(AREA + 2 * PAGE, &pa, &prot));
    CHECK(!pogo_arch_lookup(AREA + 11 * PAGE, &pa, &prot));
    CHECK_EQ(fake_frames_used(), used - 2);
    f.size = 2 * PAGE;
    CHECK_EQ(pogo_mm_fault(AREA + 3 * PAGE, POGO_ACCESS_READ, false), -EFAULT);
    CHECK_EQ(pogo_vm_munmap(AREA, 12 * PAGE), 0);
    CHECK_EQ(f.holds, 0);
    file_free(&f);
}

TEST(read_only_file_rejects_shared_write)
{
    struct fake_file f;

    file_init(&f, 1);
    CHECK_EQ(map(&f, AREA, PAGE, RW, SHARED, 0, false), -EACCES);
    CHECK_EQ(f.holds, 0);
    CHECK_EQ(map(&f, AREA, PAGE, POGO_PROT_READ, SHARED, 0, false), AREA);
    CHECK_EQ(pogo_vm_mprotect(AREA, PAGE, RW), -EACCES);
    CHECK_EQ(pogo_vm_munmap(AREA, PAGE), 0);
    CHECK_EQ(map(&f, AREA, PAGE, POGO_PROT_READ, PRIV, 0, false), AREA);
    CHECK_EQ(pogo_vm_mprotect(AREA, PAGE, RW), 0);
    CHECK_EQ(pogo_vm_munmap(AREA, PAGE), 0);
    file_free(&f);
}

TEST(shared_file_mapping_is_not_charged)
{
    struct fake_file f;
    size_t limit = fake_frame_limit;

    file_init(&f, 1);
    f.size = UINT64_MAX / 2;
    fake_frame_limit = 1024;
    CHECK_EQ(map(&f, AREA, 64 * 1024 * PAGE, RW, SHARED, 0, true), AREA);
    CHECK_EQ(map(&f, AREA + (1ul << 32), 64 * 1024 * PAGE, RW, PRIV, 0, true),
             -ENOMEM);
    CHECK_EQ(pogo_vm_munmap(AREA, 64 * 1024 * PAGE), 0);
    fake_frame_limit = limit;
    file_free(&f);
}

TEST(moved_mapping_keeps_offsets)
{
    struct fake_file f;
    long moved;

    file_init(&f, 4);
    CHECK_EQ(map(&f, AREA, 2 * PAGE, POGO_PROT_READ, SHARED, PAGE, false),
             AREA);
    CHECK_EQ_HEX(touch(AREA, POGO_ACCESS_READ), f.pages[1]);
    moved = pogo_vm_mremap(AREA, 2 * PAGE, 3 * PAGE,
                           POGO_MREMAP_MAYMOVE | POGO_MREMAP_FIXED,
                           AREA + 16 * PAGE);
    CHECK_EQ(moved, AREA + 16 * PAGE);
    CHECK_EQ_HEX(touch(AREA + 18 * PAGE, POGO_ACCESS_READ), f.pages[3]);
    CHECK_EQ_HEX(touch(AREA + 16 * PAGE, POGO_ACCESS_READ), f.pages[1]);
    CHECK_EQ(f.holds, 1);
    CHECK_EQ(pogo_vm_munmap(AREA + 16 * PAGE, 3 * PAGE), 0);
    CHECK_EQ(f.holds, 0);
    file_free(&f);
}

struct seen {
    int files;
    uint64_t offset;
    void *file;
};

static void note(const struct pogo_vm_info *info, void *arg)
{
    struct seen *s = arg;

    if (info->kind == POGO_VM_FILE) {
        s->files++;
        s->offset = info->offset;
        s->file = info->file;
    }
}

TEST(for_each_reports_file_offset)
{
    struct fake_file f;
    struct seen s = {0};

    file_init(&f, 4);
    CHECK_EQ(map(&f, AREA, 3 * PAGE, POGO_PROT_READ, SHARED, PAGE, false),
             AREA);
    CHECK_EQ(pogo_vm_munmap(AREA, PAGE), 0);
    pogo_vm_for_each(note, &s);
    CHECK_EQ(s.files, 1);
    CHECK_EQ(s.offset, 2 * PAGE);
    CHECK(s.file == &f);
    CHECK_EQ(pogo_vm_munmap(AREA, 3 * PAGE), 0);
    file_free(&f);
}
