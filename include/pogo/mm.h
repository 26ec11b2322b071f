/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Memory management: physical frames, the application's virtual regions
 * (mmap, brk, stacks) and page faults. Physical memory is identity mapped,
 * so a frame's physical address is also its kernel address.
 */
#ifndef POGO_MM_H
#define POGO_MM_H

#include <pogo/compiler.h>

#define POGO_PAGE_SIZE       4096UL
#define POGO_PAGE_SHIFT      12
#define POGO_FRAME_MAX_ORDER 18 /* 1 GiB blocks */

/* Protection bits, numbered as Linux's PROT_*. */
#define POGO_PROT_NONE  0
#define POGO_PROT_READ  1
#define POGO_PROT_WRITE 2
#define POGO_PROT_EXEC  4

/* Kinds of access in a page fault. */
#define POGO_ACCESS_READ  1
#define POGO_ACCESS_WRITE 2
#define POGO_ACCESS_EXEC  4

/* --- Physical frames ------------------------------------------------------ */

/*
 * Allocates 2^order contiguous, naturally aligned frames. Returns their
 * address, or 0 when no such block is free.
 */
uintptr_t pogo_frames_alloc(unsigned order);

/* Same, with the memory zeroed. */
uintptr_t pogo_frames_alloc_zeroed(unsigned order);

/* Frees a block from pogo_frames_alloc with the same order. */
void pogo_frames_free(uintptr_t addr, unsigned order);

/* Frames free now, and frames managed in all. */
size_t pogo_frames_free_count(void);
size_t pogo_frames_total(void);

/* Highest physical address of usable RAM (exclusive). */
uintptr_t pogo_frames_ram_end(void);

/* --- Virtual regions --------------------------------------------------------
 */

/* mmap flags, numbered as Linux's MAP_*. */
#define POGO_MAP_SHARED          0x01
#define POGO_MAP_PRIVATE         0x02
#define POGO_MAP_SHARED_VALIDATE 0x03
#define POGO_MAP_TYPE            0x0f
#define POGO_MAP_FIXED           0x10
#define POGO_MAP_ANONYMOUS       0x20
#define POGO_MAP_GROWSDOWN       0x100
#define POGO_MAP_DENYWRITE       0x800
#define POGO_MAP_EXECUTABLE      0x1000
#define POGO_MAP_LOCKED          0x2000
#define POGO_MAP_NORESERVE       0x4000
#define POGO_MAP_POPULATE        0x8000
#define POGO_MAP_NONBLOCK        0x10000
#define POGO_MAP_STACK           0x20000
#define POGO_MAP_HUGETLB         0x40000
#define POGO_MAP_SYNC            0x80000
#define POGO_MAP_FIXED_NOREPLACE 0x100000

/* The overcommit policy: which mappings are refused for their size, as
 * with Linux's vm.overcommit_memory sysctl. */
enum pogo_vm_overcommit {
    /* The default: only a mapping larger than all memory is refused, and
     * a page fault with no free frame ends the application, as Linux's
     * out-of-memory killer would. */
    POGO_OVERCOMMIT_GUESS = 0,
    POGO_OVERCOMMIT_ALWAYS = 1, /* no mapping is refused for its size */
    /* Private writable memory is charged when mapped, and a mapping that
     * does not fit in the free memory, less a reserve, fails with ENOMEM.
     * Page faults then never run out of frames. */
    POGO_OVERCOMMIT_NEVER = 2,
};

/* Sets the overcommit policy; returns 0 or -EINVAL for another value. */
int pogo_vm_set_overcommit(int mode);

/* The overcommit policy in force. */
enum pogo_vm_overcommit pogo_vm_overcommit(void);

/*
 * Maps anonymous memory with Linux's mmap semantics. Returns the address
 * or a negative errno (-EINVAL, -ENOMEM, -EEXIST, -EOPNOTSUPP).
 */
long pogo_vm_mmap_anon(uintptr_t addr, size_t len, int prot, int flags);
int pogo_vm_munmap(uintptr_t addr, size_t len);
int pogo_vm_mprotect(uintptr_t addr, size_t len, int prot);

/* mremap flags, numbered as Linux's MREMAP_*. */
#define POGO_MREMAP_MAYMOVE   1
#define POGO_MREMAP_FIXED     2
#define POGO_MREMAP_DONTUNMAP 4

/*
 * Resizes or moves the mapping at old with Linux's mremap semantics. A
 * shrink unmaps the tail; a grow extends in place when the range after the
 * mapping is free, and otherwise moves it if MAYMOVE allows. FIXED (which
 * needs MAYMOVE) moves to new_addr, replacing what is mapped there;
 * DONTUNMAP (same size, needs MAYMOVE) moves and leaves the old range
 * mapped but empty. Moving moves page-table entries, never data. Returns
 * the new address, or -EINVAL (bad flags, unaligned address, new_len 0,
 * overlapping ranges), -EFAULT (old_len bytes at old are not one mapping)
 * or -ENOMEM (cannot grow and may not move, or the commit limit), and
 * changes nothing on error.
 */
long pogo_vm_mremap(uintptr_t old, size_t old_len, size_t new_len, int flags,
                    uintptr_t new_addr);

/* madvise advice, numbered as Linux's MADV_*. */
#define POGO_MADV_NORMAL      0
#define POGO_MADV_RANDOM      1
#define POGO_MADV_SEQUENTIAL  2
#define POGO_MADV_WILLNEED    3
#define POGO_MADV_DONTNEED    4
#define POGO_MADV_FREE        8
#define POGO_MADV_REMOVE      9
#define POGO_MADV_DONTFORK    10
#define POGO_MADV_DOFORK      11
#define POGO_MADV_MERGEABLE   12
#define POGO_MADV_UNMERGEABLE 13
#define POGO_MADV_HUGEPAGE    14
#define POGO_MADV_NOHUGEPAGE  15
#define POGO_MADV_DONTDUMP    16
#define POGO_MADV_DODUMP      17
#define POGO_MADV_WIPEONFORK  18
#define POGO_MADV_KEEPONFORK  19
#define POGO_MADV_COLD        20
#define POGO_MADV_PAGEOUT     21

/*
 * Linux madvise. DONTNEED and FREE drop the pages of private memory, so
 * that the next touch reads zeros; REMOVE does the same for shared memory.
 * The other advice above is accepted and changes nothing. Returns 0,
 * -EINVAL (unknown advice, unaligned addr, or advice that does not suit a
 * mapping in the range), or -ENOMEM when part of the range is unmapped,
 * after applying the advice to the mapped parts.
 */
int pogo_vm_madvise(uintptr_t addr, size_t len, int advice);

/* Linux brk: returns the new break, or the old one when it cannot move. */
uintptr_t pogo_vm_brk(uintptr_t addr);

/*
 * mincore: stores 1 in vec for each page of [addr, addr + len) that has a
 * frame, 0 otherwise; vec is a kernel buffer of len / 4096 bytes rounded
 * up. Returns 0, -EINVAL (unaligned) or -ENOMEM (part not mapped).
 */
int pogo_vm_mincore(uintptr_t addr, size_t len, uint8_t *vec);

/* msync flags, numbered as Linux's MS_*. */
#define POGO_MS_ASYNC      1
#define POGO_MS_INVALIDATE 2
#define POGO_MS_SYNC       4

/* msync of anonymous memory: checks the arguments and the mapping. */
int pogo_vm_msync(uintptr_t addr, size_t len, int flags);

/*
 * Maps a stack of size bytes with an unmapped guard page below it and
 * records owner (a thread name that must stay valid) for crash hints.
 * Returns the top of the stack, or 0 when memory runs out.
 */
uintptr_t pogo_vm_map_stack(size_t size, const char *const *owner);

/*
 * Marks the mapping that contains sp (or ends at sp) as the stack of the
 * thread whose name is *owner. A PROT_NONE mapping directly below it
 * becomes its guard, so that a fault there is reported as a stack
 * overflow in that thread. owner must stay valid until the mapping is
 * unmapped or pogo_vm_clear_owner(owner) is called, but *owner may change.
 */
void pogo_vm_mark_stack(uintptr_t sp, const char *const *owner);

/* Forgets owner on every mapping marked with it; O(number of mappings). */
void pogo_vm_clear_owner(const char *const *owner);

/* --- File mappings -------------------------------------------------------- */

/* The operations of the file behind a mapping, for the memory manager. */
struct pogo_vm_file_ops {
    /*
     * Finds the frame of the file's page at offset (page aligned). With
     * create, a hole gets a zeroed page that stays the file's; without,
     * a hole gives *frame = 0. Returns 0, -ENXIO when offset is at or
     * past the end of the file rounded up to a page, or -ENOMEM.
     */
    int (*page)(void *file, uint64_t offset, bool create, uintptr_t *frame);
    /* Take and drop a reference on file while a mapping uses it. */
    void (*hold)(void *file);
    void (*release)(void *file);
};

/* A request to map a file. */
struct pogo_vm_file_map {
    const struct pogo_vm_file_ops *ops;
    void *file;
    const void *object; /* the memory behind file, for pogo_vm_file_zap */
    uint64_t offset;    /* page aligned */
    bool may_write;     /* a shared mapping may get PROT_WRITE */
};

/*
 * Maps len bytes of a file with Linux's mmap semantics. MAP_SHARED maps
 * the file's own pages, so that writes through the mapping and writes to
 * the file see each other. MAP_PRIVATE copies each page of the file when
 * it is first touched. Returns the address or a negative errno, as
 * pogo_vm_mmap_anon, or -EACCES for a writable shared mapping of a file
 * that may not be written.
 */
long pogo_vm_mmap_file(uintptr_t addr, size_t len, int prot, int flags,
                       const struct pogo_vm_file_map *map);

/*
 * Unmaps the pages at file offsets [start, end) of object from every
 * mapping, before the file frees them (truncation, hole punching). The
 * next touch faults them in again, or finds that they are gone.
 */
void pogo_vm_file_zap(const void *object, uint64_t start, uint64_t end);

enum pogo_vm_kind {
    POGO_VM_ANON,  /* anonymous memory from mmap */
    POGO_VM_HEAP,  /* the brk heap */
    POGO_VM_STACK, /* a thread's stack */
    POGO_VM_FILE,  /* a file mapping */
};

/* One mapping, as /proc/self/maps shows it. */
struct pogo_vm_info {
    uintptr_t start;
    uintptr_t end; /* exclusive */
    int prot;      /* POGO_PROT_* */
    bool shared;   /* MAP_SHARED */
    enum pogo_vm_kind kind;
    const struct pogo_vm_file_ops *file_ops; /* file mappings: the file */
    void *file;
    uint64_t offset; /* of start in the file */
};

/* The number of frames in the application's private memory now: its
 * RSS, without the pages of shared file mappings. */
size_t pogo_vm_resident_pages(void);

/*
 * Calls fn for each mapping in address order. fn must not map, unmap or
 * change mappings.
 */
void pogo_vm_for_each(void (*fn)(const struct pogo_vm_info *info, void *arg),
                      void *arg);

/*
 * Handles a page fault at addr. Returns 0 when the fault was resolved
 * (a page of a mapped region was filled in), or -EFAULT when addr is not
 * in a region that allows this access. Returns -ENOMEM when no frame is
 * left: the caller then ends the application, as Linux's OOM killer would.
 */
int pogo_mm_fault(uintptr_t addr, int access, bool present);

/*
 * Checks that [addr, addr + len) lies in mapped regions that allow the
 * given access. Returns 0 or -EFAULT; a cheap test for syscalls that keep
 * an application pointer instead of copying it.
 */
int pogo_vm_check(uintptr_t addr, size_t len, int access);

#endif
