/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Operations on names: mkdir, mknod, symlink, link, unlink, rmdir,
 * rename and readlink. They make the checks that Linux makes before the
 * file system's method runs, in Linux's order, so each case gets Linux's
 * errno.
 */
#include <pogo/errno.h>
#include <pogo/string.h>

#include "vfs_internal.h"

/* Tells whether v, found in dir, is the root of a file system mounted
 * there. */
static bool is_mount_point(const struct pogo_vnode *dir,
                           const struct pogo_vnode *v)
{
    return v->fs != dir->fs;
}

/*
 * Walks to the directory that will hold a new name, as Linux's
 * filename_create: "." or ".." or an existing name is -EEXIST, a
 * trailing slash on a name that is not to be a directory -ENOENT.
 */
static int create_prepare(struct nameidata *nd, struct pogo_file *dirf,
                          const char *path, bool is_dir)
{
    struct pogo_vnode *v;
    int err = nd_init(nd, dirf, path, 0, false);

    if (!err)
        err = nd_walk_parent(nd);
    if (err)
        return err;
    if (nd->last_type != LAST_NORM)
        return -EEXIST;
    err = nd_lookup_last(nd, &v);
    if (!err) {
        pogo_vnode_put(v);
        return -EEXIST;
    }
    if (err != -ENOENT)
        return err;
    if (nd->trailing && !is_dir)
        return -ENOENT;
    if (vfs_dir_removed(nd->dir))
        return -ENOENT;
    return 0;
}

int pogo_vfs_mknod(struct pogo_file *dir, const char *path, uint32_t mode,
                   uint64_t rdev)
{
    bool is_dir = POGO_S_ISDIR(mode);
    struct nameidata nd;
    struct pogo_vnode *v;
    int err = create_prepare(&nd, dir, path, is_dir);

    if (!err && !nd.dir->ops->create)
        err = -EPERM;
    if (!err) {
        uint32_t perm = mode & ~POGO_S_IFMT & ~vfs_umask_bits();

        if (is_dir)
            perm &= 01777;
        err = nd.dir->ops->create(nd.dir, nd.last, nd.last_len,
                                  POGO_S_TYPE(mode) | perm, rdev, &v);
    }
    if (!err)
        pogo_vnode_put(v);
    nd_finish(&nd);
    return err;
}

int pogo_vfs_mkdir(struct pogo_file *dir, const char *path, uint32_t mode)
{
    return pogo_vfs_mknod(dir, path, POGO_S_IFDIR | (mode & 07777), 0);
}

int pogo_vfs_symlink(const char *target, struct pogo_file *dir,
                     const char *path)
{
    struct nameidata nd;
    int err;

    if (!target[0])
        return -ENOENT;
    err = create_prepare(&nd, dir, path, false);
    if (!err && !nd.dir->ops->symlink)
        err = -EPERM;
    if (!err)
        err = nd.dir->ops->symlink(nd.dir, nd.last, nd.last_len, target);
    nd_finish(&nd);
    return err;
}

int pogo_vfs_link(struct pogo_file *old_dir, const char *old_path,
                  struct pogo_file *new_dir, const char *new_path,
                  unsigned flags)
{
    struct nameidata nd;
    struct pogo_vnode *v;
    int err = pogo_vfs_lookup(old_dir, old_path, flags, &v);

    if (err)
        return err;
    err = create_prepare(&nd, new_dir, new_path, false);
    if (!err && nd.dir->fs != v->fs)
        err = -EXDEV;
    if (!err && POGO_S_ISDIR(v->mode))
        err = -EPERM;
    if (!err && !nd.dir->ops->link)
        err = -EPERM;
    if (!err)
        err = nd.dir->ops->link(nd.dir, nd.last, nd.last_len, v);
    nd_finish(&nd);
    pogo_vnode_put(v);
    return err;
}

int pogo_vfs_unlink(struct pogo_file *dir, const char *path)
{
    struct nameidata nd;
    struct pogo_vnode *v = NULL;
    int err = nd_init(&nd, dir, path, 0, false);

    if (!err)
        err = nd_walk_parent(&nd);
    if (!err && nd.last_type != LAST_NORM)
        err = -EISDIR;
    if (!err)
        err = nd_lookup_last(&nd, &v);
    if (!err && nd.trailing)
        err = POGO_S_ISDIR(v->mode) ? -EISDIR : -ENOTDIR;
    if (!err && POGO_S_ISDIR(v->mode))
        err = -EISDIR;
    if (!err && !nd.dir->ops->unlink)
        err = -EPERM;
    if (!err)
        err = nd.dir->ops->unlink(nd.dir, nd.last, nd.last_len);
    if (v)
        pogo_vnode_put(v);
    nd_finish(&nd);
    return err;
}

static int rmdir_last_type_error(enum last_type type)
{
    switch (type) {
    case LAST_DOTDOT:
        return -ENOTEMPTY;
    case LAST_DOT:
        return -EINVAL;
    case LAST_ROOT:
        return -EBUSY;
    default:
        return 0;
    }
}

int pogo_vfs_rmdir(struct pogo_file *dir, const char *path)
{
    struct nameidata nd;
    struct pogo_vnode *v = NULL;
    int err = nd_init(&nd, dir, path, 0, false);

    if (!err)
        err = nd_walk_parent(&nd);
    if (!err)
        err = rmdir_last_type_error(nd.last_type);
    if (!err)
        err = nd_lookup_last(&nd, &v);
    if (!err && !POGO_S_ISDIR(v->mode))
        err = -ENOTDIR;
    if (!err && (is_mount_point(nd.dir, v) || v == pogo_vfs_root()))
        err = -EBUSY;
    if (!err && !nd.dir->ops->rmdir)
        err = -EPERM;
    if (!err)
        err = nd.dir->ops->rmdir(nd.dir, nd.last, nd.last_len);
    if (v)
        pogo_vnode_put(v);
    nd_finish(&nd);
    return err;
}

#define RENAME_WHITEOUT 4

static int check_rename_flags(unsigned flags)
{
    if (flags &
        ~(POGO_RENAME_NOREPLACE | POGO_RENAME_EXCHANGE | RENAME_WHITEOUT))
        return -EINVAL;
    if ((flags & POGO_RENAME_NOREPLACE) && (flags & POGO_RENAME_EXCHANGE))
        return -EINVAL;
    /* NOTE: Linux supports WHITEOUT on ramfs-like file systems for
     * overlay file systems; Pogo has none, so it is rejected. */
    if (flags & RENAME_WHITEOUT)
        return -EINVAL;
    return 0;
}

int pogo_vfs_rename(struct pogo_file *old_dir, const char *old_path,
                    struct pogo_file *new_dir, const char *new_path,
                    unsigned flags)
{
    struct nameidata old_nd, new_nd;
    int err = check_rename_flags(flags);

    pogo_memset(&new_nd, 0, sizeof(new_nd));
    if (err)
        return err;
    err = nd_init(&old_nd, old_dir, old_path, 0, false);
    if (!err)
        err = nd_walk_parent(&old_nd);
    if (!err)
        err = nd_init(&new_nd, new_dir, new_path, 0, false);
    if (!err)
        err = nd_walk_parent(&new_nd);
    if (!err && old_nd.dir->fs != new_nd.dir->fs)
        err = -EXDEV;
    if (!err && old_nd.last_type != LAST_NORM)
        err = -EBUSY;
    if (!err && new_nd.last_type != LAST_NORM)
        err = (flags & POGO_RENAME_NOREPLACE) ? -EEXIST : -EBUSY;
    if (!err && !old_nd.dir->ops->rename)
        err = -EPERM;
    if (!err) {
        if (old_nd.trailing)
            flags |= POGO_RENAME_OLD_SLASH;
        if (new_nd.trailing)
            flags |= POGO_RENAME_NEW_SLASH;
        err = old_nd.dir->ops->rename(old_nd.dir, old_nd.last, old_nd.last_len,
                                      new_nd.dir, new_nd.last, new_nd.last_len,
                                      flags);
    }
    nd_finish(&new_nd);
    nd_finish(&old_nd);
    return err;
}

long pogo_vfs_readlink(struct pogo_file *dir, const char *path, char *buf,
                       size_t size)
{
    struct pogo_vnode *v;
    long err = pogo_vfs_lookup(dir, path, POGO_LOOKUP_EMPTY, &v);

    if (err)
        return err;
    if (!POGO_S_ISLNK(v->mode) || !v->ops->readlink)
        err = path[0] ? -EINVAL : -ENOENT;
    else
        err = v->ops->readlink(v, buf, size);
    pogo_vnode_put(v);
    return err;
}

int pogo_vfs_setattr(struct pogo_vnode *v, const struct pogo_attr *attr)
{
    if (!v->ops->setattr)
        return -EPERM;
    return v->ops->setattr(v, attr);
}

int pogo_vfs_truncate(struct pogo_vnode *v, int64_t size)
{
    struct pogo_attr attr = {.mask = POGO_ATTR_SIZE, .size = size};

    if (POGO_S_ISDIR(v->mode))
        return -EISDIR;
    if (!POGO_S_ISREG(v->mode) || size < 0)
        return -EINVAL;
    return pogo_vfs_setattr(v, &attr);
}
