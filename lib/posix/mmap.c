/* SPDX-License-Identifier: BSD-3-Clause */
/* mmap of files: the checks of Linux's do_mmap that need the file. */
#include <pogo/errno.h>
#include <pogo/mm.h>

#include "files.h"

long posix_mmap_file(long addr, long len, long prot, long flags, int fd,
                     long off)
{
    struct pogo_file *f = pogo_fd_get(fd);
    struct pogo_vm_file_map map;
    long ret;

    if (!f)
        return -EBADF;
    if (len == 0)
        ret = -EINVAL;
    else if (!pogo_file_readable(f))
        ret = -EACCES;
    else if (f->ops->mmap == POGO_MMAP_ANON)
        ret = pogo_vm_mmap_anon(addr, len, prot, flags);
    else if (f->ops->mmap == POGO_MMAP_EIO)
        ret = -EIO;
    else if (f->ops->mmap != POGO_MMAP_PAGES)
        ret = -ENODEV;
    else {
        map = (struct pogo_vm_file_map){
            .ops = &pogo_vfs_vm_ops,
            .file = f,
            .object = f->vnode,
            .offset = off,
            .may_write = pogo_file_writable(f),
        };
        ret = pogo_vm_mmap_file(addr, len, prot, flags, &map);
    }
    pogo_file_put(f);
    return ret;
}
