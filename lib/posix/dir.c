/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Directory and name syscalls: getdents64 and getdents, mkdir, rmdir,
 * unlink, rename, link, symlink, readlink, getcwd, chdir, fchdir and
 * umask.
 */
#include <pogo/alloc.h>
#include <pogo/errno.h>
#include <pogo/string.h>
#include <pogo/uaccess.h>

#include "files.h"
#include "syscalls.h"

/* The fixed part of struct linux_dirent64 and of the old linux_dirent. */
#define DIRENT64_HEADER 19
#define DIRENT_HEADER   18

/* Writes directory entries into the application's buffer. */
struct dirent_writer {
    struct pogo_dir_ctx ctx;
    uintptr_t buf;
    size_t room;
    size_t used;
    bool wide; /* getdents64 */
    int error;
};

static void put_le(uint8_t *p, uint64_t v, size_t n)
{
    for (size_t i = 0; i < n; i++)
        p[i] = v >> (8 * i);
}

static bool write_dirent(struct pogo_dir_ctx *ctx, const char *name, size_t len,
                         uint64_t ino, unsigned type, int64_t next_pos)
{
    struct dirent_writer *w = (struct dirent_writer *)ctx;
    uint8_t rec[DIRENT64_HEADER + POGO_NAME_MAX + 9];
    size_t header = w->wide ? DIRENT64_HEADER : DIRENT_HEADER;
    size_t size = POGO_ALIGN_UP(header + len + (w->wide ? 1 : 2), 8);

    if (size > w->room - w->used) {
        if (!w->used)
            w->error = -EINVAL; /* not even one entry fits the buffer */
        return false;
    }
    pogo_memset(rec, 0, size);
    put_le(rec, ino, 8);
    put_le(rec + 8, next_pos, 8);
    put_le(rec + 16, size, 2);
    if (w->wide)
        rec[18] = type;
    else
        rec[size - 1] = type;
    pogo_memcpy(rec + header, name, len);
    if (pogo_copy_to_user((void *)(w->buf + w->used), rec, size)) {
        w->error = -EFAULT;
        return false;
    }
    w->used += size;
    return true;
}

static long read_dir(unsigned int fd, long buf, unsigned int count, bool wide)
{
    struct pogo_file *f = pogo_fd_get(fd);
    struct dirent_writer w = {
        .ctx.emit = write_dirent, .buf = buf, .room = count, .wide = wide};
    int err;

    if (!f)
        return -EBADF;
    if (!f->ops->readdir) {
        pogo_file_put(f);
        return -ENOTDIR;
    }
    /* A removed directory lists nothing, not even "." and "..". */
    err = f->vnode->nlink ? f->ops->readdir(f, &w.ctx) : 0;
    pogo_file_put(f);
    if (err)
        return err;
    /* As Linux: the entries written count, else the error (0 at the
     * end of the directory). */
    return w.used ? (long)w.used : w.error;
}

long sys_getdents64(unsigned int fd, long dirent, unsigned int count)
{
    return read_dir(fd, dirent, count, true);
}

long sys_getdents(unsigned int fd, long dirent, unsigned int count)
{
    return read_dir(fd, dirent, count, false);
}

/* --- Names --------------------------------------------------------------- */

/* Copies path and finds the directory it starts from. */
static int get_at(int dirfd, long user_path, char **path,
                  struct pogo_file **dir)
{
    int err = posix_get_path(user_path, path);

    if (err)
        return err;
    err = posix_at_dir(dirfd, *path, dir);
    if (err)
        pogo_free(*path);
    return err;
}

static void put_at(char *path, struct pogo_file *dir)
{
    posix_put_dir(dir);
    pogo_free(path);
}

long sys_mkdirat(int dirfd, long user_path, unsigned short mode)
{
    struct pogo_file *dir;
    char *path;
    int err = get_at(dirfd, user_path, &path, &dir);

    if (err)
        return err;
    err = pogo_vfs_mkdir(dir, path, mode);
    put_at(path, dir);
    return err;
}

long sys_mkdir(long path, unsigned short mode)
{
    return sys_mkdirat(LINUX_AT_FDCWD, path, mode);
}

long sys_unlinkat(int dirfd, long user_path, int flags)
{
    struct pogo_file *dir;
    char *path;
    int err;

    if (flags & ~LINUX_AT_REMOVEDIR)
        return -EINVAL;
    err = get_at(dirfd, user_path, &path, &dir);
    if (err)
        return err;
    if (flags & LINUX_AT_REMOVEDIR)
        err = pogo_vfs_rmdir(dir, path);
    else
        err = pogo_vfs_unlink(dir, path);
    put_at(path, dir);
    return err;
}

long sys_unlink(long path)
{
    return sys_unlinkat(LINUX_AT_FDCWD, path, 0);
}

long sys_rmdir(long path)
{
    return sys_unlinkat(LINUX_AT_FDCWD, path, LINUX_AT_REMOVEDIR);
}

long sys_renameat2(int old_dirfd, long old_path, int new_dirfd, long new_path,
                   unsigned int flags)
{
    struct pogo_file *old_dir, *new_dir;
    char *old_name, *new_name;
    int err = get_at(old_dirfd, old_path, &old_name, &old_dir);

    if (err)
        return err;
    err = get_at(new_dirfd, new_path, &new_name, &new_dir);
    if (!err) {
        err = pogo_vfs_rename(old_dir, old_name, new_dir, new_name, flags);
        put_at(new_name, new_dir);
    }
    put_at(old_name, old_dir);
    return err;
}

long sys_renameat(int old_dirfd, long old_path, int new_dirfd, long new_path)
{
    return sys_renameat2(old_dirfd, old_path, new_dirfd, new_path, 0);
}

long sys_rename(long old_path, long new_path)
{
    return sys_renameat2(LINUX_AT_FDCWD, old_path, LINUX_AT_FDCWD, new_path, 0);
}

long sys_linkat(int old_dirfd, long old_path, int new_dirfd, long new_path,
                int flags)
{
    struct pogo_file *old_dir, *new_dir;
    char *old_name, *new_name;
    unsigned lookup = 0;
    int err;

    if (flags & ~(LINUX_AT_SYMLINK_FOLLOW | LINUX_AT_EMPTY_PATH))
        return -EINVAL;
    if (flags & LINUX_AT_SYMLINK_FOLLOW)
        lookup |= POGO_LOOKUP_FOLLOW;
    if (flags & LINUX_AT_EMPTY_PATH)
        lookup |= POGO_LOOKUP_EMPTY;
    err = get_at(old_dirfd, old_path, &old_name, &old_dir);
    if (err)
        return err;
    err = get_at(new_dirfd, new_path, &new_name, &new_dir);
    if (!err) {
        err = pogo_vfs_link(old_dir, old_name, new_dir, new_name, lookup);
        put_at(new_name, new_dir);
    }
    put_at(old_name, old_dir);
    return err;
}

long sys_link(long old_path, long new_path)
{
    return sys_linkat(LINUX_AT_FDCWD, old_path, LINUX_AT_FDCWD, new_path, 0);
}

long sys_symlinkat(long user_target, int new_dirfd, long new_path)
{
    struct pogo_file *dir;
    char *target, *path;
    int err = posix_get_path(user_target, &target);

    if (err)
        return err;
    err = get_at(new_dirfd, new_path, &path, &dir);
    if (!err) {
        err = pogo_vfs_symlink(target, dir, path);
        put_at(path, dir);
    }
    pogo_free(target);
    return err;
}

long sys_symlink(long target, long path)
{
    return sys_symlinkat(target, LINUX_AT_FDCWD, path);
}

long sys_readlinkat(int dirfd, long user_path, long buf, int size)
{
    struct pogo_file *dir;
    char *path, *target;
    long n;

    if (size <= 0)
        return -EINVAL;
    n = get_at(dirfd, user_path, &path, &dir);
    if (n)
        return n;
    target = pogo_malloc(POGO_PATH_MAX);
    n = target ? pogo_vfs_readlink(dir, path, target,
                                   POGO_MIN((size_t)size, POGO_PATH_MAX))
               : -ENOMEM;
    if (n > 0 && pogo_copy_to_user((void *)buf, target, n))
        n = -EFAULT;
    pogo_free(target);
    put_at(path, dir);
    return n;
}

long sys_readlink(long path, long buf, int size)
{
    return sys_readlinkat(LINUX_AT_FDCWD, path, buf, size);
}

/* --- The working directory ----------------------------------------------- */

long sys_getcwd(long buf, unsigned long size)
{
    char *path = pogo_malloc(POGO_PATH_MAX);
    long n;

    if (!path)
        return -ENOMEM;
    n = pogo_vfs_getcwd(path, POGO_MIN(size, (unsigned long)POGO_PATH_MAX));
    if (n == -ERANGE && size > POGO_PATH_MAX)
        n = -ENAMETOOLONG;
    if (n > 0 && pogo_copy_to_user((void *)buf, path, n))
        n = -EFAULT;
    pogo_free(path);
    return n;
}

long sys_chdir(long user_path)
{
    struct pogo_file *f;
    char *path;
    int err = posix_get_path(user_path, &path);

    if (err)
        return err;
    err = pogo_vfs_open(NULL, path, POGO_O_PATH | POGO_O_DIRECTORY, 0, &f);
    pogo_free(path);
    if (err)
        return err;
    err = pogo_vfs_chdir(f->vnode, f->path);
    pogo_file_put(f);
    return err;
}

long sys_fchdir(unsigned int fd)
{
    struct pogo_file *f = pogo_fd_get_raw(fd);
    int err;

    if (!f)
        return -EBADF;
    err = pogo_vfs_chdir(f->vnode, f->path);
    pogo_file_put(f);
    return err;
}

long sys_umask(int mask)
{
    return pogo_vfs_umask(mask);
}
