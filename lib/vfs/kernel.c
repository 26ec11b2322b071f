/* SPDX-License-Identifier: BSD-3-Clause */
/* Path helpers for kernel code that builds files at boot (the initrd). */
#include <pogo/errno.h>
#include <pogo/vfs.h>

static int set_mode(const char *path, unsigned mode, unsigned lookup)
{
    struct pogo_attr attr = {.mask = POGO_ATTR_MODE, .mode = mode & 07777};
    struct pogo_vnode *v;
    int err = pogo_vfs_lookup(NULL, path, lookup, &v);

    if (err)
        return err;
    err = pogo_vfs_setattr(v, &attr);
    pogo_vnode_put(v);
    return err;
}

int pogo_vfs_mkdir_path(const char *path, unsigned mode)
{
    int err = pogo_vfs_mkdir(NULL, path, mode);

    return err ? err : set_mode(path, mode, 0);
}

int pogo_vfs_create_file(const char *path, unsigned mode, const void *data,
                         size_t size)
{
    struct pogo_file *f;
    struct pogo_attr attr = {.mask = POGO_ATTR_MODE, .mode = mode & 07777};
    size_t done = 0;
    int err = pogo_vfs_open(NULL, path,
                            POGO_O_WRONLY | POGO_O_CREAT | POGO_O_TRUNC |
                                POGO_O_NOFOLLOW,
                            mode, &f);

    if (err)
        return err;
    while (done < size) {
        long n = pogo_file_write_kernel(f, (const char *)data + done,
                                        size - done, &f->pos);

        if (n <= 0) {
            err = n ? (int)n : -ENOSPC;
            break;
        }
        done += n;
    }
    if (!err)
        err = pogo_vfs_setattr(f->vnode, &attr);
    pogo_file_put(f);
    return err;
}

int pogo_vfs_symlink_path(const char *target, const char *path)
{
    return pogo_vfs_symlink(target, NULL, path);
}

int pogo_vfs_chown_path(const char *path, unsigned uid, unsigned gid)
{
    struct pogo_attr attr = {
        .mask = POGO_ATTR_UID | POGO_ATTR_GID, .uid = uid, .gid = gid};
    struct pogo_vnode *v;
    int err = pogo_vfs_lookup(NULL, path, 0, &v);

    if (err)
        return err;
    err = pogo_vfs_setattr(v, &attr);
    pogo_vnode_put(v);
    return err;
}

int pogo_vfs_set_mtime(const char *path, int64_t seconds)
{
    struct pogo_attr attr = {
        .mask = POGO_ATTR_ATIME | POGO_ATTR_MTIME,
        .atime = {seconds, 0},
        .mtime = {seconds, 0},
    };
    struct pogo_vnode *v;
    int err = pogo_vfs_lookup(NULL, path, 0, &v);

    if (err)
        return err;
    err = pogo_vfs_setattr(v, &attr);
    pogo_vnode_put(v);
    return err;
}
