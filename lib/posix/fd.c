/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * fd syscalls: close, close_range, dup, dup2, dup3, fcntl (with record
 * locks), ioctl and flock, and the helpers that the file syscalls share.
 */
#include <pogo/alloc.h>
#include <pogo/errno.h>
#include <pogo/sched.h>
#include <pogo/string.h>
#include <pogo/time.h>
#include <pogo/uaccess.h>

#include "files.h"
#include "posix.h"
#include "syscalls.h"

#define F_DUPFD         0
#define F_GETFD         1
#define F_SETFD         2
#define F_GETFL         3
#define F_SETFL         4
#define F_GETLK         5
#define F_SETLK         6
#define F_SETLKW        7
#define F_SETOWN        8
#define F_GETOWN        9
#define F_GETLEASE      1025
#define F_DUPFD_CLOEXEC 1030
#define F_SETPIPE_SZ    1031
#define F_GETPIPE_SZ    1032
#define FD_CLOEXEC      1

#define FIONBIO   0x5421
#define FIONCLEX  0x5450
#define FIOCLEX   0x5451
#define FIOASYNC  0x5452
#define FIOQSIZE  0x5460
#define FIGETBSZ  2
#define BLOCKSIZE 4096

#define CLOSE_RANGE_UNSHARE 2
#define CLOSE_RANGE_CLOEXEC 4

#define LOCK_SH   1
#define LOCK_EX   2
#define LOCK_NB   4
#define LOCK_UN   8
#define LOCK_MAND 32

/* The flags F_SETFL may change. */
#define SETFL_MASK                                                   \
    (POGO_O_APPEND | POGO_O_ASYNC | POGO_O_DIRECT | POGO_O_NOATIME | \
     POGO_O_NONBLOCK)

/* --- Helpers of the file syscalls ---------------------------------------- */

int posix_get_path(long user, char **out)
{
    char *buf = pogo_malloc(POGO_PATH_MAX);
    long n;

    if (!buf)
        return -ENOMEM;
    n = pogo_strncpy_from_user(buf, (const char *)user, POGO_PATH_MAX);
    if (n < 0) {
        pogo_free(buf);
        return n;
    }
    *out = buf;
    return 0;
}

int posix_at_dir(int dirfd, const char *path, struct pogo_file **out)
{
    *out = NULL;
    if (path[0] == '/' || dirfd == LINUX_AT_FDCWD)
        return 0;
    *out = pogo_fd_get_raw(dirfd);
    return *out ? 0 : -EBADF;
}

void posix_put_dir(struct pogo_file *dir)
{
    if (dir)
        pogo_file_put(dir);
}

int posix_lookup_at(int dirfd, long user_path, int at_flags,
                    bool follow_default, struct pogo_vnode **out)
{
    unsigned flags = 0;
    struct pogo_file *dir;
    char *path = NULL;
    int err = posix_get_path(user_path, &path);

    if (err)
        return err;
    if (follow_default ? !(at_flags & LINUX_AT_SYMLINK_NOFOLLOW)
                       : (at_flags & LINUX_AT_SYMLINK_FOLLOW))
        flags |= POGO_LOOKUP_FOLLOW;
    if (at_flags & LINUX_AT_EMPTY_PATH)
        flags |= POGO_LOOKUP_EMPTY;
    err = posix_at_dir(dirfd, path, &dir);
    if (!err)
        err = pogo_vfs_lookup(dir, path, flags, out);
    posix_put_dir(dir);
    pogo_free(path);
    return err;
}

int posix_get_iovec(long user, unsigned long count, struct pogo_iovec **out,
                    size_t *total)
{
    struct pogo_iovec *iov;
    size_t sum = 0;

    *out = NULL;
    *total = 0;
    if (count > LINUX_IOV_MAX)
        return -EINVAL;
    if (count == 0)
        return 0;
    iov = pogo_malloc(count * sizeof(*iov));
    if (!iov)
        return -ENOMEM;
    if (pogo_copy_from_user(iov, (const void *)user, count * sizeof(*iov))) {
        pogo_free(iov);
        return -EFAULT;
    }
    for (unsigned long i = 0; i < count; i++) {
        /* As Linux: a length over SSIZE_MAX or a sum past it is EINVAL,
         * and the total is capped at MAX_RW_COUNT. */
        if ((long)iov[i].len < 0 || iov[i].len > INT64_MAX - sum) {
            pogo_free(iov);
            return -EINVAL;
        }
        if (iov[i].len > LINUX_MAX_RW_COUNT - POGO_MIN(sum, LINUX_MAX_RW_COUNT))
            iov[i].len = LINUX_MAX_RW_COUNT - POGO_MIN(sum, LINUX_MAX_RW_COUNT);
        sum += iov[i].len;
    }
    *out = iov;
    *total = sum;
    return 0;
}

uint64_t posix_deadline_ms(int ms)
{
    if (ms < 0)
        return 0;
    if (ms == 0)
        return 1; /* a deadline that has passed: do not wait */
    return pogo_time_monotonic_ns() + (uint64_t)ms * 1000000;
}

void posix_send_sigpipe(void)
{
    posix_signal_send(pogo_thread_current(), LINUX_SIGPIPE);
}

void posix_fill_stat(const struct pogo_vnode *v, struct linux_stat *st)
{
    pogo_memset(st, 0, sizeof(*st));
    st->dev = v->fs->dev;
    st->ino = v->ino;
    st->nlink = v->nlink;
    st->mode = v->mode;
    st->uid = v->uid;
    st->gid = v->gid;
    st->rdev = v->rdev;
    st->size = v->size;
    st->blksize = BLOCKSIZE;
    st->blocks = v->blocks;
    st->atime = v->atime.sec;
    st->atime_nsec = v->atime.nsec;
    st->mtime = v->mtime.sec;
    st->mtime_nsec = v->mtime.nsec;
    st->ctime = v->ctime.sec;
    st->ctime_nsec = v->ctime.nsec;
}

/* --- close and dup ------------------------------------------------------- */

long sys_close(unsigned int fd)
{
    return pogo_fd_close(fd);
}

long sys_close_range(unsigned int first, unsigned int last, unsigned int flags)
{
    int end;

    if (flags & ~(CLOSE_RANGE_UNSHARE | CLOSE_RANGE_CLOEXEC))
        return -EINVAL;
    if (first > last)
        return -EINVAL;
    end = pogo_fd_table_size();
    /* One process has one table: UNSHARE has nothing to unshare. */
    for (unsigned int fd = first; fd <= last && fd < (unsigned)end; fd++) {
        if (flags & CLOSE_RANGE_CLOEXEC)
            pogo_fd_set_cloexec(fd, true);
        else
            pogo_fd_close(fd);
    }
    return 0;
}

long sys_dup(unsigned int fd)
{
    struct pogo_file *f = pogo_fd_get_raw(fd);
    int newfd;

    if (!f)
        return -EBADF;
    newfd = pogo_fd_install(f, 0, false);
    if (newfd < 0)
        pogo_file_put(f);
    return newfd;
}

long sys_dup2(unsigned int oldfd, unsigned int newfd)
{
    struct pogo_file *f;

    if (oldfd == newfd) {
        f = pogo_fd_get_raw(oldfd);
        if (!f)
            return -EBADF;
        pogo_file_put(f);
        return newfd;
    }
    return pogo_fd_dup2(oldfd, newfd, false);
}

long sys_dup3(unsigned int oldfd, unsigned int newfd, int flags)
{
    if (flags & ~POGO_O_CLOEXEC)
        return -EINVAL;
    if (oldfd == newfd)
        return -EINVAL;
    return pogo_fd_dup2(oldfd, newfd, flags & POGO_O_CLOEXEC);
}

/* --- fcntl --------------------------------------------------------------- */

static long dup_from(struct pogo_file *f, unsigned long min, bool cloexec)
{
    int fd;

    if (min >= (unsigned long)pogo_fd_limit())
        return -EINVAL;
    pogo_file_get(f);
    fd = pogo_fd_install(f, min, cloexec);
    if (fd < 0)
        pogo_file_put(f);
    return fd;
}

/* Converts a struct flock to an inclusive byte range, as Linux does. */
static int lock_range(struct pogo_file *f, const struct linux_flock *l,
                      int64_t *start, int64_t *end)
{
    int64_t base;

    switch (l->whence) {
    case 0:
        base = 0;
        break;
    case 1:
        base = f->pos;
        break;
    case 2:
        base = f->vnode->size;
        break;
    default:
        return -EINVAL;
    }
    if (l->start > POGO_OFFSET_MAX - base)
        return -EOVERFLOW;
    *start = base + l->start;
    if (*start < 0)
        return -EINVAL;
    if (l->len > 0) {
        if (l->len - 1 > POGO_OFFSET_MAX - *start)
            return -EOVERFLOW;
        *end = *start + l->len - 1;
    } else if (l->len < 0) {
        if (*start + l->len < 0)
            return -EINVAL;
        *end = *start - 1;
        *start += l->len;
    } else {
        *end = POGO_OFFSET_MAX;
    }
    return 0;
}

static long get_lock(struct pogo_file *f, unsigned long arg)
{
    struct linux_flock l;
    int64_t start, end;
    int err;

    if (pogo_copy_from_user(&l, (const void *)arg, sizeof(l)))
        return -EFAULT;
    if (l.type != POGO_F_RDLCK && l.type != POGO_F_WRLCK)
        return -EINVAL;
    err = lock_range(f, &l, &start, &end);
    if (err)
        return err;
    /* The only process never conflicts with its own locks. */
    l.type = POGO_F_UNLCK;
    return pogo_copy_to_user((void *)arg, &l, sizeof(l));
}

static long set_lock(struct pogo_file *f, unsigned long arg)
{
    struct linux_flock l;
    int64_t start, end;
    int err;

    if (pogo_copy_from_user(&l, (const void *)arg, sizeof(l)))
        return -EFAULT;
    err = lock_range(f, &l, &start, &end);
    if (err)
        return err;
    switch (l.type) {
    case POGO_F_RDLCK:
        if (!pogo_file_readable(f))
            return -EBADF;
        break;
    case POGO_F_WRLCK:
        if (!pogo_file_writable(f))
            return -EBADF;
        break;
    case POGO_F_UNLCK:
        break;
    default:
        return -EINVAL;
    }
    return pogo_lock_set(f->vnode, l.type, start, end);
}

/* Commands that an O_PATH file allows, as Linux's check_fcntl_cmd. */
static bool path_allows(unsigned int cmd)
{
    return cmd == F_DUPFD || cmd == F_DUPFD_CLOEXEC || cmd == F_GETFD ||
           cmd == F_SETFD || cmd == F_GETFL;
}

static long do_fcntl(int fd, struct pogo_file *f, unsigned int cmd,
                     unsigned long arg)
{
    switch (cmd) {
    case F_DUPFD:
        return dup_from(f, arg, false);
    case F_DUPFD_CLOEXEC:
        return dup_from(f, arg, true);
    case F_GETFD:
        return pogo_fd_get_cloexec(fd) ? FD_CLOEXEC : 0;
    case F_SETFD:
        return pogo_fd_set_cloexec(fd, arg & FD_CLOEXEC);
    case F_GETFL:
        return f->flags;
    case F_SETFL:
        f->flags = (f->flags & ~SETFL_MASK) | (arg & SETFL_MASK);
        return 0;
    case F_GETLK:
        return get_lock(f, arg);
    case F_SETLK:
    case F_SETLKW:
        return set_lock(f, arg);
    case F_GETOWN:
        return 0;
    case F_SETOWN:
        /* NOTE: SIGIO is never sent, so the owner is not kept. */
        return 0;
    case F_GETLEASE:
        return POGO_F_UNLCK;
    case F_GETPIPE_SZ:
    case F_SETPIPE_SZ:
        return posix_pipe_fcntl(f, cmd == F_SETPIPE_SZ, arg);
    default:
        /* NOTE: this includes the OFD locks (F_OFD_*), leases and seals,
         * which get -EINVAL as on kernels without them. */
        return -EINVAL;
    }
}

long sys_fcntl(unsigned int fd, unsigned int cmd, unsigned long arg)
{
    struct pogo_file *f = pogo_fd_get_raw(fd);
    long ret;

    if (!f)
        return -EBADF;
    if ((f->flags & POGO_O_PATH) && !path_allows(cmd))
        ret = -EBADF;
    else
        ret = do_fcntl(fd, f, cmd, arg);
    pogo_file_put(f);
    return ret;
}

/* --- ioctl and flock ----------------------------------------------------- */

static long put_int(unsigned long arg, int value)
{
    return pogo_copy_to_user((void *)arg, &value, sizeof(value));
}

/* Handles the requests that Linux handles for every kind of file, and
 * returns 1 for the others. */
static long generic_ioctl(int fd, struct pogo_file *f, unsigned int cmd,
                          unsigned long arg)
{
    uint32_t type = POGO_S_TYPE(f->vnode->mode);
    int on;

    switch (cmd) {
    case FIOCLEX:
        return pogo_fd_set_cloexec(fd, true);
    case FIONCLEX:
        return pogo_fd_set_cloexec(fd, false);
    case FIONBIO:
    case FIOASYNC:
        if (pogo_copy_from_user(&on, (const void *)arg, sizeof(on)))
            return -EFAULT;
        if (on)
            f->flags |= cmd == FIONBIO ? POGO_O_NONBLOCK : POGO_O_ASYNC;
        else
            f->flags &= ~(cmd == FIONBIO ? POGO_O_NONBLOCK : POGO_O_ASYNC);
        return 0;
    case FIGETBSZ:
        return put_int(arg, BLOCKSIZE);
    case FIOQSIZE:
        if (type != POGO_S_IFREG && type != POGO_S_IFDIR &&
            type != POGO_S_IFLNK)
            return -ENOTTY;
        return pogo_copy_to_user((void *)arg, &f->vnode->size,
                                 sizeof(f->vnode->size));
    case LINUX_FIONREAD:
        if (type != POGO_S_IFREG)
            return 1;
        /* As Linux, the difference goes out as an int, negative past the
         * end of the file. */
        return put_int(arg, (int)(f->vnode->size - f->pos));
    default:
        return 1;
    }
}

long sys_ioctl(unsigned int fd, unsigned int cmd, unsigned long arg)
{
    struct pogo_file *f = pogo_fd_get(fd);
    long ret;

    if (!f)
        return -EBADF;
    ret = generic_ioctl(fd, f, cmd, arg);
    if (ret == 1)
        ret = f->ops->ioctl ? f->ops->ioctl(f, cmd, arg) : -ENOTTY;
    pogo_file_put(f);
    return ret;
}

long sys_flock(unsigned int fd, unsigned int cmd)
{
    struct pogo_file *f = pogo_fd_get(fd);
    unsigned int op = cmd & ~LOCK_NB;

    if (!f)
        return -EBADF;
    pogo_file_put(f);
    /* Linux ignores the old mandatory locks. */
    if (cmd & LOCK_MAND)
        return 0;
    if (op != LOCK_SH && op != LOCK_EX && op != LOCK_UN)
        return -EINVAL;
    /* NOTE: flock locks belong to open files, so on Linux two open files
     * of one process conflict. These locks are not kept, so such a
     * conflict is not reported. */
    return 0;
}
