/* SPDX-License-Identifier: BSD-3-Clause */
/* Memory syscalls: brk, mmap, munmap, mprotect and the rest. */
#include <pogo/errno.h>
#include <pogo/mm.h>
#include <pogo/uaccess.h>

#include "files.h"
#include "syscalls.h"

/* Without the VFS there are no files to map. */
POGO_WEAK long posix_mmap_file(long addr, long len, long prot, long flags,
                               int fd, long off)
{
    return -ENODEV;
}

long sys_brk(long addr)
{
    return pogo_vm_brk(addr);
}

long sys_mmap(long addr, long len, long prot, long flags, long fd, long off)
{
    if (off & (POGO_PAGE_SIZE - 1))
        return -EINVAL;
    if (!(flags & POGO_MAP_ANONYMOUS))
        return posix_mmap_file(addr, len, prot, flags, fd, off);
    return pogo_vm_mmap_anon(addr, len, prot, flags);
}

long sys_munmap(long addr, long len)
{
    return pogo_vm_munmap(addr, len);
}

long sys_mprotect(long addr, long len, long prot)
{
    return pogo_vm_mprotect(addr, len, prot);
}

long sys_mremap(long old, long old_len, long new_len, long flags, long new_addr)
{
    return pogo_vm_mremap(old, old_len, new_len, flags, new_addr);
}

long sys_madvise(long addr, long len, int advice)
{
    return pogo_vm_madvise(addr, len, advice);
}

long sys_msync(long addr, long len, int flags)
{
    return pogo_vm_msync(addr, len, flags);
}

/*
 * mincore, in chunks so that a large range needs no large kernel buffer.
 * As on Linux, chunks before an unmapped part are written.
 */
long sys_mincore(long addr, long len, long vec)
{
    uint8_t chunk[256];
    size_t pages;
    int err = 0;

    if (addr & (POGO_PAGE_SIZE - 1))
        return -EINVAL;
    if ((unsigned long)len > ~0UL - POGO_PAGE_SIZE)
        return -ENOMEM;
    pages = POGO_ALIGN_UP((unsigned long)len, POGO_PAGE_SIZE) / POGO_PAGE_SIZE;
    for (size_t p = 0; p < pages && !err; p += sizeof(chunk)) {
        size_t n = POGO_MIN(pages - p, sizeof(chunk));
        err = pogo_vm_mincore(addr + p * POGO_PAGE_SIZE, n * POGO_PAGE_SIZE,
                              chunk);
        if (!err && pogo_copy_to_user((uint8_t *)vec + p, chunk, n))
            err = -EFAULT;
    }
    return err;
}
