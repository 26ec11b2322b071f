/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * open(2): the flag rules, the walk to the file (creating it with
 * O_CREAT, following a final symlink to create its target), and the
 * opening of the vnode found.
 */
#include <pogo/alloc.h>
#include <pogo/errno.h>
#include <pogo/format.h>
#include <pogo/string.h>

#include "vfs_internal.h"

/* The flags open(2) accepts; it drops the others, as Linux does. */
#define VALID_FLAGS                                                       \
    (POGO_O_ACCMODE | POGO_O_CREAT | POGO_O_EXCL | POGO_O_NOCTTY |        \
     POGO_O_TRUNC | POGO_O_APPEND | POGO_O_NONBLOCK | POGO_O_DSYNC |      \
     POGO_O_ASYNC | POGO_O_DIRECT | POGO_O_LARGEFILE | POGO_O_DIRECTORY | \
     POGO_O_NOFOLLOW | POGO_O_NOATIME | POGO_O_CLOEXEC | POGO_O_SYNC |    \
     POGO_O_PATH | POGO_O_TMPFILE)
#define PATH_FLAGS (POGO_O_DIRECTORY | POGO_O_NOFOLLOW | POGO_O_PATH)
#define NOT_KEPT \
    (POGO_O_CREAT | POGO_O_EXCL | POGO_O_NOCTTY | POGO_O_TRUNC | POGO_O_CLOEXEC)
#define TMPFILE_MASK (POGO_O_TMPFILE | POGO_O_CREAT)

/* An O_PATH file: every method is missing, and fdget skips it anyway. */
static const struct pogo_file_ops path_ops;

int pogo_vfs_check_open_flags(unsigned flags)
{
    unsigned acc = flags & POGO_O_ACCMODE;

    flags &= VALID_FLAGS;
    if (flags & POGO_O_PATH)
        return 0;
    if ((flags & POGO_O_TMPFILE) & ~POGO_O_DIRECTORY) {
        if ((flags & TMPFILE_MASK) != POGO_O_TMPFILE)
            return -EINVAL;
        if (acc != POGO_O_WRONLY && acc != POGO_O_RDWR)
            return -EINVAL;
    }
    if ((flags & (POGO_O_CREAT | POGO_O_DIRECTORY)) ==
        (POGO_O_CREAT | POGO_O_DIRECTORY))
        return -EINVAL;
    return 0;
}

/* The flags a new file keeps, as F_GETFL reports them. */
static unsigned kept_flags(unsigned flags)
{
    if (flags & POGO_O_PATH)
        return flags & PATH_FLAGS;
    return (flags & ~NOT_KEPT) | POGO_O_LARGEFILE;
}

static char *dup_path(const char *path)
{
    size_t len;
    char *copy;

    if (!path)
        return NULL;
    len = pogo_strlen(path);
    copy = pogo_malloc(len + 1);
    if (copy)
        pogo_memcpy(copy, path, len + 1);
    return copy;
}

static int check_type(const struct pogo_vnode *v, unsigned flags)
{
    unsigned acc = flags & POGO_O_ACCMODE;

    if (flags & POGO_O_PATH)
        return 0;
    switch (POGO_S_TYPE(v->mode)) {
    case POGO_S_IFLNK:
        return -ELOOP;
    case POGO_S_IFDIR:
        if (acc != POGO_O_RDONLY || (flags & POGO_O_TRUNC))
            return -EISDIR;
        return 0;
    case POGO_S_IFSOCK:
        return -ENXIO;
    default:
        return 0;
    }
}

static int call_open(struct pogo_vnode *v, struct pogo_file *f)
{
    if (POGO_S_ISCHR(v->mode)) {
        const struct pogo_chrdev *dev = vfs_find_chrdev(v->rdev);

        return dev ? dev->open(v, f) : -ENXIO;
    }
    if (!v->ops->open)
        return -ENXIO;
    return v->ops->open(v, f);
}

/*
 * Opens v once found. via is the open file that a magic link named, so
 * that reopening a device through /proc/self/fd keeps its variant (the
 * error channel of fd 2). path becomes the file's name.
 */
static int open_found(struct pogo_vnode *v, unsigned flags, bool created,
                      struct pogo_file *via, const char *path,
                      struct pogo_file **out)
{
    struct pogo_file *f;
    int err = check_type(v, flags);

    if (err)
        return err;
    f = pogo_file_alloc(v, NULL, kept_flags(flags));
    if (!f)
        return -ENOMEM;
    f->path = dup_path(path);
    if (flags & POGO_O_PATH) {
        f->ops = &path_ops;
        *out = f;
        return 0;
    }
    err = call_open(v, f);
    if (!err && via && POGO_S_ISCHR(v->mode) && via->vnode == v)
        f->ops = via->ops;
    if (!err && (flags & POGO_O_TRUNC) && !created && POGO_S_ISREG(v->mode))
        err = pogo_vfs_truncate(v, 0);
    if (err) {
        pogo_file_put(f);
        return err;
    }
    *out = f;
    return 0;
}

int pogo_vfs_open_vnode(struct pogo_vnode *v, unsigned flags,
                        struct pogo_file **out)
{
    return open_found(v, flags & VALID_FLAGS, false, NULL, NULL, out);
}

/* open without O_CREAT: a lookup. */
static int open_existing(struct nameidata *nd, unsigned flags,
                         struct pogo_file **out)
{
    unsigned lookup = 0;
    int err;

    if (!(flags & POGO_O_NOFOLLOW))
        lookup |= POGO_LOOKUP_FOLLOW;
    if (flags & POGO_O_DIRECTORY)
        lookup |= POGO_LOOKUP_DIRECTORY;
    err = nd_walk(nd, lookup);
    if (err)
        return err;
    return open_found(nd->dir, flags, false, nd->file, nd->canon, out);
}

/* Creates the last component of nd as a regular file. */
static int create_last(struct nameidata *nd, uint32_t mode,
                       struct pogo_vnode **out)
{
    uint32_t perm = mode & 07777 & ~vfs_umask_bits();

    if (vfs_dir_removed(nd->dir))
        return -ENOENT;
    if (!nd->dir->ops->create)
        return -EACCES;
    return nd->dir->ops->create(nd->dir, nd->last, nd->last_len,
                                POGO_S_IFREG | perm, 0, out);
}

/*
 * open with O_CREAT: walks to the parent, creates the file or opens the
 * existing one, and follows a final symlink (unless O_EXCL or O_NOFOLLOW)
 * so that its target is created.
 */
static int open_create(struct nameidata *nd, unsigned flags, uint32_t mode,
                       struct pogo_file **out)
{
    for (;;) {
        struct pogo_vnode *v;
        bool resolved;
        int err = nd_walk_parent(nd);

        if (err)
            return err;
        if (nd->last_type != LAST_NORM || nd->trailing)
            return -EISDIR;
        err = nd_lookup_last(nd, &v);
        if (err == -ENOENT) {
            err = create_last(nd, mode, &v);
            if (err)
                return err;
            nd_canon_append_last(nd);
            err = open_found(v, flags, true, NULL, nd->canon, out);
            pogo_vnode_put(v);
            return err;
        }
        if (err)
            return err;
        if (flags & POGO_O_EXCL) {
            pogo_vnode_put(v);
            return -EEXIST;
        }
        if (!POGO_S_ISLNK(v->mode)) {
            nd_canon_append_last(nd);
            err = POGO_S_ISDIR(v->mode)
                      ? -EISDIR
                      : open_found(v, flags, false, NULL, nd->canon, out);
            pogo_vnode_put(v);
            return err;
        }
        if (flags & POGO_O_NOFOLLOW) {
            pogo_vnode_put(v);
            return -ELOOP;
        }
        err = nd_follow_last(nd, v, &resolved);
        if (err)
            return err;
        if (resolved)
            return POGO_S_ISDIR(nd->dir->mode)
                       ? -EISDIR
                       : open_found(nd->dir, flags, false, nd->file, nd->canon,
                                    out);
    }
}

/* O_TMPFILE: an unnamed file in the directory path. NOTE: with O_EXCL,
 * Linux forbids giving the file a name with linkat; here it may get one. */
static int open_tmpfile(struct nameidata *nd, unsigned flags, uint32_t mode,
                        struct pogo_file **out)
{
    uint32_t perm = mode & 07777 & ~vfs_umask_bits();
    struct pogo_vnode *v;
    char name[24];
    int err = nd_walk(nd, POGO_LOOKUP_FOLLOW | POGO_LOOKUP_DIRECTORY);

    if (err)
        return err;
    if (!nd->dir->ops->tmpfile)
        return -EOPNOTSUPP;
    err = nd->dir->ops->tmpfile(nd->dir, POGO_S_IFREG | perm, &v);
    if (err)
        return err;
    /* Linux names such a file "#inode" in its directory. */
    pogo_snprintf(name, sizeof(name), "#%lu", (unsigned long)v->ino);
    nd->last = name;
    nd->last_len = pogo_strlen(name);
    nd->last_type = LAST_NORM;
    nd_canon_append_last(nd);
    err = open_found(v, flags & ~POGO_O_TRUNC, true, NULL, nd->canon, out);
    pogo_vnode_put(v);
    return err;
}

int pogo_vfs_open(struct pogo_file *dir, const char *path, unsigned flags,
                  uint32_t mode, struct pogo_file **out)
{
    struct nameidata nd;
    int err;

    flags &= VALID_FLAGS;
    if (flags & POGO_O_PATH)
        flags &= PATH_FLAGS;
    err = pogo_vfs_check_open_flags(flags);
    if (err)
        return err;
    err = nd_init(&nd, dir, path, 0, true);
    if (err)
        goto out;
    if ((flags & POGO_O_TMPFILE) & ~POGO_O_DIRECTORY)
        err = open_tmpfile(&nd, flags, mode, out);
    else if (flags & POGO_O_CREAT)
        err = open_create(&nd, flags, mode, out);
    else
        err = open_existing(&nd, flags, out);
out:
    nd_finish(&nd);
    return err;
}
