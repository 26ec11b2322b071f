/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Attribute syscalls: the stat family, statx, statfs, access, chmod,
 * chown and the utime family. Everything runs as root, so permission
 * checks pass, except that execution needs an execute bit, as for root
 * on Linux.
 */
#include <pogo/alloc.h>
#include <pogo/errno.h>
#include <pogo/string.h>
#include <pogo/uaccess.h>

#include "files.h"
#include "syscalls.h"

#define STATX_BASIC_STATS 0x07ff
#define STATX_BTIME       0x0800
#define STATX_MNT_ID      0x1000
#define STATX_RESERVED    0x80000000u

#define F_OK 0
#define X_OK 1

#define UTIME_NOW  ((1l << 30) - 1l)
#define UTIME_OMIT ((1l << 30) - 2l)

#define NO_ID ((uint32_t)-1)

struct linux_utimbuf {
    int64_t actime;
    int64_t modtime;
};

/* --- stat ---------------------------------------------------------------- */

static long put_stat(const struct pogo_vnode *v, long buf)
{
    struct linux_stat st;

    posix_fill_stat(v, &st);
    return pogo_copy_to_user((void *)buf, &st, sizeof(st));
}

static long stat_at(int dirfd, long path, long buf, int flags,
                    bool follow_default)
{
    struct pogo_vnode *v;
    int err = posix_lookup_at(dirfd, path, flags, follow_default, &v);

    if (err)
        return err;
    err = put_stat(v, buf);
    pogo_vnode_put(v);
    return err;
}

long sys_stat(long path, long buf)
{
    return stat_at(LINUX_AT_FDCWD, path, buf, 0, true);
}

long sys_lstat(long path, long buf)
{
    return stat_at(LINUX_AT_FDCWD, path, buf, LINUX_AT_SYMLINK_NOFOLLOW, true);
}

long sys_fstat(unsigned int fd, long buf)
{
    struct pogo_file *f = pogo_fd_get_raw(fd);
    long err;

    if (!f)
        return -EBADF;
    err = put_stat(f->vnode, buf);
    pogo_file_put(f);
    return err;
}

/* Copies the path only to tell an empty one, which comes before the flag
 * check on Linux. */
static int path_is_empty(long user, bool *empty)
{
    char c;

    if (pogo_copy_from_user(&c, (const void *)user, 1))
        return -EFAULT;
    *empty = c == '\0';
    return 0;
}

long sys_newfstatat(int dirfd, long path, long buf, int flags)
{
    bool empty;
    int err = path_is_empty(path, &empty);

    if (err)
        return err;
    if (empty && !(flags & LINUX_AT_EMPTY_PATH))
        return -ENOENT;
    if (flags & ~(LINUX_AT_SYMLINK_NOFOLLOW | LINUX_AT_NO_AUTOMOUNT |
                  LINUX_AT_EMPTY_PATH))
        return -EINVAL;
    return stat_at(dirfd, path, buf, flags, true);
}

static struct linux_statx_timestamp statx_time(const struct pogo_timespec *t)
{
    struct linux_statx_timestamp s = {.sec = t->sec, .nsec = t->nsec};

    return s;
}

static void fill_statx(const struct pogo_vnode *v, struct linux_statx *sx)
{
    pogo_memset(sx, 0, sizeof(*sx));
    sx->mask = STATX_BASIC_STATS | STATX_BTIME | STATX_MNT_ID;
    sx->blksize = 4096;
    sx->nlink = v->nlink;
    sx->uid = v->uid;
    sx->gid = v->gid;
    sx->mode = v->mode;
    sx->ino = v->ino;
    sx->size = v->size;
    sx->blocks = v->blocks;
    sx->atime = statx_time(&v->atime);
    sx->btime = statx_time(&v->btime);
    sx->ctime = statx_time(&v->ctime);
    sx->mtime = statx_time(&v->mtime);
    /* The dev_t encoding of POGO_MKDEV, taken apart again. */
    sx->rdev_major = (v->rdev >> 8) & 0xfff;
    sx->rdev_minor = (v->rdev & 0xff) | ((v->rdev >> 12) & ~0xffu);
    sx->dev_major = (v->fs->dev >> 8) & 0xfff;
    sx->dev_minor = (v->fs->dev & 0xff) | ((v->fs->dev >> 12) & ~0xffu);
    sx->mnt_id = v->fs->mount_id;
}

long sys_statx(int dirfd, long path, unsigned flags, unsigned mask, long buf)
{
    struct linux_statx sx;
    struct pogo_vnode *v;
    bool empty;
    int err;

    if (flags & ~(LINUX_AT_SYMLINK_NOFOLLOW | LINUX_AT_NO_AUTOMOUNT |
                  LINUX_AT_EMPTY_PATH | LINUX_AT_STATX_SYNC_TYPE))
        return -EINVAL;
    if ((flags & LINUX_AT_STATX_SYNC_TYPE) == LINUX_AT_STATX_SYNC_TYPE)
        return -EINVAL;
    if (mask & STATX_RESERVED)
        return -EINVAL;
    err = path_is_empty(path, &empty);
    if (err)
        return err;
    if (empty && (flags & LINUX_AT_EMPTY_PATH) && dirfd != LINUX_AT_FDCWD) {
        struct pogo_file *f = pogo_fd_get_raw(dirfd);

        if (!f)
            return -EBADF;
        v = f->vnode;
        pogo_vnode_get(v);
        pogo_file_put(f);
    } else {
        err = posix_lookup_at(dirfd, path, flags, true, &v);
        if (err)
            return err;
    }
    fill_statx(v, &sx);
    pogo_vnode_put(v);
    return pogo_copy_to_user((void *)buf, &sx, sizeof(sx));
}

/* --- statfs -------------------------------------------------------------- */

static long put_statfs(struct pogo_vnode *v, long buf)
{
    struct pogo_statfs s;
    struct linux_statfs out;
    int err = pogo_vfs_statfs(v, &s);

    if (err)
        return err;
    pogo_memset(&out, 0, sizeof(out));
    out.type = s.type;
    out.bsize = s.bsize;
    out.blocks = s.blocks;
    out.bfree = s.bfree;
    out.bavail = s.bavail;
    out.files = s.files;
    out.ffree = s.ffree;
    out.fsid[0] = (int32_t)v->fs->dev;
    out.namelen = s.namelen;
    out.frsize = s.bsize;
    out.flags = s.flags;
    return pogo_copy_to_user((void *)buf, &out, sizeof(out));
}

long sys_statfs(long path, long buf)
{
    struct pogo_vnode *v;
    long err = posix_lookup_at(LINUX_AT_FDCWD, path, 0, true, &v);

    if (err)
        return err;
    err = put_statfs(v, buf);
    pogo_vnode_put(v);
    return err;
}

long sys_fstatfs(unsigned int fd, long buf)
{
    struct pogo_file *f = pogo_fd_get_raw(fd);
    long err;

    if (!f)
        return -EBADF;
    err = put_statfs(f->vnode, buf);
    pogo_file_put(f);
    return err;
}

/* --- access -------------------------------------------------------------- */

long sys_faccessat2(int dirfd, long path, int mode, int flags)
{
    struct pogo_vnode *v;
    int err;

    if (mode & ~7)
        return -EINVAL;
    if (flags &
        ~(LINUX_AT_EACCESS | LINUX_AT_SYMLINK_NOFOLLOW | LINUX_AT_EMPTY_PATH))
        return -EINVAL;
    err = posix_lookup_at(dirfd, path, flags, true, &v);
    if (err)
        return err;
    /* Root may read and write anything; it may execute a file only when
     * some execute bit is set, as on Linux. */
    if ((mode & X_OK) && !POGO_S_ISDIR(v->mode) && !(v->mode & POGO_S_IXALL))
        err = -EACCES;
    pogo_vnode_put(v);
    return err;
}

long sys_faccessat(int dirfd, long path, int mode)
{
    return sys_faccessat2(dirfd, path, mode, 0);
}

long sys_access(long path, int mode)
{
    return sys_faccessat2(LINUX_AT_FDCWD, path, mode, 0);
}

/* --- chmod and chown ----------------------------------------------------- */

static long chmod_vnode(struct pogo_vnode *v, unsigned short mode)
{
    struct pogo_attr attr = {.mask = POGO_ATTR_MODE, .mode = mode & 07777};

    return pogo_vfs_setattr(v, &attr);
}

long sys_fchmodat(int dirfd, long path, unsigned short mode)
{
    struct pogo_vnode *v;
    long err = posix_lookup_at(dirfd, path, 0, true, &v);

    if (err)
        return err;
    err = chmod_vnode(v, mode);
    pogo_vnode_put(v);
    return err;
}

long sys_chmod(long path, unsigned short mode)
{
    return sys_fchmodat(LINUX_AT_FDCWD, path, mode);
}

long sys_fchmod(unsigned int fd, unsigned short mode)
{
    struct pogo_file *f = pogo_fd_get(fd);
    long err;

    if (!f)
        return -EBADF;
    err = chmod_vnode(f->vnode, mode);
    pogo_file_put(f);
    return err;
}

/* As Linux, a change of owner clears set-user-ID, and set-group-ID when
 * group execution is allowed, on anything but a directory. */
static long chown_vnode(struct pogo_vnode *v, uint32_t uid, uint32_t gid)
{
    struct pogo_attr attr = {.uid = uid, .gid = gid};

    if (uid != NO_ID)
        attr.mask |= POGO_ATTR_UID;
    if (gid != NO_ID)
        attr.mask |= POGO_ATTR_GID;
    if (attr.mask && !POGO_S_ISDIR(v->mode)) {
        uint32_t clear = POGO_S_ISUID;

        if (v->mode & POGO_S_IXGRP)
            clear |= POGO_S_ISGID;
        if (v->mode & clear) {
            attr.mask |= POGO_ATTR_MODE;
            attr.mode = v->mode & 07777 & ~clear;
        }
    }
    return pogo_vfs_setattr(v, &attr);
}

long sys_fchownat(int dirfd, long path, uint32_t uid, uint32_t gid, int flags)
{
    struct pogo_vnode *v;
    long err;

    if (flags & ~(LINUX_AT_SYMLINK_NOFOLLOW | LINUX_AT_EMPTY_PATH))
        return -EINVAL;
    err = posix_lookup_at(dirfd, path, flags, true, &v);
    if (err)
        return err;
    err = chown_vnode(v, uid, gid);
    pogo_vnode_put(v);
    return err;
}

long sys_chown(long path, uint32_t uid, uint32_t gid)
{
    return sys_fchownat(LINUX_AT_FDCWD, path, uid, gid, 0);
}

long sys_lchown(long path, uint32_t uid, uint32_t gid)
{
    return sys_fchownat(LINUX_AT_FDCWD, path, uid, gid,
                        LINUX_AT_SYMLINK_NOFOLLOW);
}

long sys_fchown(unsigned int fd, uint32_t uid, uint32_t gid)
{
    struct pogo_file *f = pogo_fd_get(fd);
    long err;

    if (!f)
        return -EBADF;
    err = chown_vnode(f->vnode, uid, gid);
    pogo_file_put(f);
    return err;
}

/* --- utimensat and the older utime calls --------------------------------- */

static bool nsec_valid(int64_t nsec)
{
    return (nsec >= 0 && nsec < 1000000000) || nsec == UTIME_NOW ||
           nsec == UTIME_OMIT;
}

/* Sets times (NULL: both now) on v; ctime always moves. */
static long set_times(struct pogo_vnode *v, const struct linux_timespec *t)
{
    struct pogo_timespec now = pogo_vfs_now();
    struct pogo_attr attr = {
        .mask = POGO_ATTR_ATIME | POGO_ATTR_MTIME, .atime = now, .mtime = now};

    if (t) {
        if (t[0].tv_nsec == UTIME_OMIT)
            attr.mask &= ~POGO_ATTR_ATIME;
        else if (t[0].tv_nsec != UTIME_NOW)
            attr.atime = (struct pogo_timespec){t[0].tv_sec, t[0].tv_nsec};
        if (t[1].tv_nsec == UTIME_OMIT)
            attr.mask &= ~POGO_ATTR_MTIME;
        else if (t[1].tv_nsec != UTIME_NOW)
            attr.mtime = (struct pogo_timespec){t[1].tv_sec, t[1].tv_nsec};
    }
    return pogo_vfs_setattr(v, &attr);
}

/* utimensat and the others once their times are read (t NULL: now). */
static long utimes_at(int dirfd, long path, const struct linux_timespec *t,
                      int flags)
{
    struct pogo_vnode *v;
    long err;

    if (t && (!nsec_valid(t[0].tv_nsec) || !nsec_valid(t[1].tv_nsec)))
        return -EINVAL;
    if (flags & ~(LINUX_AT_SYMLINK_NOFOLLOW | LINUX_AT_EMPTY_PATH))
        return -EINVAL;
    if (!path && dirfd != LINUX_AT_FDCWD) {
        /* Linux's extension: a NULL path names dirfd itself. */
        struct pogo_file *f;

        if (flags & LINUX_AT_SYMLINK_NOFOLLOW)
            return -EINVAL;
        f = pogo_fd_get(dirfd);
        if (!f)
            return -EBADF;
        err = set_times(f->vnode, t);
        pogo_file_put(f);
        return err;
    }
    if (!path)
        return -EFAULT;
    err = posix_lookup_at(dirfd, path, flags, true, &v);
    if (err)
        return err;
    err = set_times(v, t);
    pogo_vnode_put(v);
    return err;
}

long sys_utimensat(int dirfd, long path, long times, int flags)
{
    struct linux_timespec t[2];

    if (times && pogo_copy_from_user(t, (const void *)times, sizeof(t)))
        return -EFAULT;
    return utimes_at(dirfd, path, times ? t : NULL, flags);
}

/* Reads two struct timevals into timespecs; -EINVAL for bad usec. */
static int get_timevals(long user, struct linux_timespec *t)
{
    struct linux_timeval tv[2];

    if (pogo_copy_from_user(tv, (const void *)user, sizeof(tv)))
        return -EFAULT;
    for (int i = 0; i < 2; i++) {
        if (tv[i].tv_usec < 0 || tv[i].tv_usec >= 1000000)
            return -EINVAL;
        t[i].tv_sec = tv[i].tv_sec;
        t[i].tv_nsec = tv[i].tv_usec * 1000;
    }
    return 0;
}

long sys_futimesat(int dirfd, long path, long times)
{
    struct linux_timespec t[2];

    if (times) {
        int err = get_timevals(times, t);

        if (err)
            return err;
    }
    return utimes_at(dirfd, path, times ? t : NULL, 0);
}

long sys_utimes(long path, long times)
{
    return sys_futimesat(LINUX_AT_FDCWD, path, times);
}

long sys_utime(long path, long times)
{
    struct linux_utimbuf b;
    struct linux_timespec t[2];

    if (!times)
        return utimes_at(LINUX_AT_FDCWD, path, NULL, 0);
    if (pogo_copy_from_user(&b, (const void *)times, sizeof(b)))
        return -EFAULT;
    t[0] = (struct linux_timespec){b.actime, 0};
    t[1] = (struct linux_timespec){b.modtime, 0};
    return utimes_at(LINUX_AT_FDCWD, path, t, 0);
}
