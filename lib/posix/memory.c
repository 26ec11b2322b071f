/* SPDX-License-Identifier: BSD-3-Clause */
/* Memory syscalls: brk and anonymous mmap, munmap and mprotect. */
#include <pogo/errno.h>
#include <pogo/mm.h>

#include "syscalls.h"

long sys_brk(long addr)
{
    return pogo_vm_brk(addr);
}

long sys_mmap(long addr, long len, long prot, long flags, long fd, long off)
{
    if (!(flags & POGO_MAP_ANONYMOUS))
        return -ENODEV; /* no file systems in this image */
    if (off & (POGO_PAGE_SIZE - 1))
        return -EINVAL;
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
