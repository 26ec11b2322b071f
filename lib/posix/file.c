/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * File syscalls: open, read and write in all their forms, lseek,
 * sendfile, copy_file_range, truncate, fsync and fallocate. Each checks
 * its arguments in Linux's order before it calls the file's method.
 */
#include <pogo/alloc.h>
#include <pogo/errno.h>
#include <pogo/uaccess.h>

#include "files.h"
#include "syscalls.h"

#define SEEK_MAX 4 /* SEEK_HOLE */

#define RWF_HIPRI  0x01
#define RWF_DSYNC  0x02
#define RWF_SYNC   0x04
#define RWF_NOWAIT 0x08
#define RWF_APPEND 0x10
#define RWF_KNOWN  (RWF_HIPRI | RWF_DSYNC | RWF_SYNC | RWF_NOWAIT | RWF_APPEND)

#define FALLOC_KNOWN 0x7f /* the modes Linux 6.1 defines */

/* Bytes copied per step by sendfile and copy_file_range. */
#define COPY_CHUNK (64 * 1024)

/* --- open ---------------------------------------------------------------- */

long sys_openat(int dirfd, long user_path, int flags, unsigned short mode)
{
    struct pogo_file *dir, *f;
    char *path;
    int err = pogo_vfs_check_open_flags(flags);
    int fd;

    if (err)
        return err;
    err = posix_get_path(user_path, &path);
    if (err)
        return err;
    fd = pogo_fd_lowest_free(0);
    err = fd < 0 ? fd : posix_at_dir(dirfd, path, &dir);
    if (!err) {
        err = pogo_vfs_open(dir, path, flags, mode, &f);
        posix_put_dir(dir);
    }
    pogo_free(path);
    if (err)
        return err;
    fd = pogo_fd_install(f, 0, flags & POGO_O_CLOEXEC);
    if (fd < 0)
        pogo_file_put(f);
    return fd;
}

long sys_open(long path, int flags, unsigned short mode)
{
    return sys_openat(LINUX_AT_FDCWD, path, flags, mode);
}

long sys_creat(long path, unsigned short mode)
{
    return sys_openat(LINUX_AT_FDCWD, path,
                      POGO_O_CREAT | POGO_O_WRONLY | POGO_O_TRUNC, mode);
}

/* --- read and write ------------------------------------------------------ */

/* Tells whether the file has positions, so pread and pwrite work. */
static bool positional(const struct pogo_file *f)
{
    return f->ops->llseek != NULL && !f->ops->no_positional_io;
}

static long do_read(struct pogo_file *f, struct pogo_uio *u, int64_t *pos)
{
    if (!pogo_file_readable(f))
        return -EBADF;
    if (POGO_S_ISDIR(f->vnode->mode))
        return -EISDIR;
    if (!f->ops->read)
        return -EINVAL;
    return f->ops->read(f, u, pos);
}

static long do_write(struct pogo_file *f, struct pogo_uio *u, int64_t *pos)
{
    if (!pogo_file_writable(f))
        return -EBADF;
    if (!f->ops->write)
        return -EINVAL;
    return f->ops->write(f, u, pos);
}

static long rw_one(unsigned int fd, long buf, size_t count, int64_t *at,
                   bool write)
{
    struct pogo_file *f = pogo_fd_get(fd);
    struct pogo_iovec iov;
    struct pogo_uio u;
    int64_t *pos;
    long ret;

    if (!f)
        return -EBADF;
    pos = at ? at : &f->pos;
    if (at && !positional(f)) {
        pogo_file_put(f);
        return -ESPIPE;
    }
    pogo_uio_init(&u, &iov, buf, POGO_MIN(count, (size_t)LINUX_MAX_RW_COUNT),
                  false);
    ret = write ? do_write(f, &u, pos) : do_read(f, &u, pos);
    pogo_file_put(f);
    return ret;
}

long sys_read(unsigned int fd, long buf, size_t count)
{
    return rw_one(fd, buf, count, NULL, false);
}

long sys_write(unsigned int fd, long buf, size_t count)
{
    return rw_one(fd, buf, count, NULL, true);
}

long sys_pread64(unsigned int fd, long buf, size_t count, int64_t pos)
{
    if (pos < 0)
        return -EINVAL;
    return rw_one(fd, buf, count, &pos, false);
}

long sys_pwrite64(unsigned int fd, long buf, size_t count, int64_t pos)
{
    if (pos < 0)
        return -EINVAL;
    return rw_one(fd, buf, count, &pos, true);
}

/*
 * The vector forms. at is the position (NULL: the file's); flags are
 * preadv2/pwritev2 RWF_ flags.
 */
static long rw_vec(unsigned long fd, long user_iov, unsigned long count,
                   int64_t *at, int flags, bool write)
{
    struct pogo_file *f = pogo_fd_get(fd);
    struct pogo_iovec *iov;
    struct pogo_uio u;
    size_t total;
    long ret;

    if (!f)
        return -EBADF;
    ret = write ? (pogo_file_writable(f) ? 0 : -EBADF)
                : (pogo_file_readable(f) ? 0 : -EBADF);
    if (!ret && at && !positional(f))
        ret = -ESPIPE;
    if (!ret && (flags & ~RWF_KNOWN))
        ret = -EOPNOTSUPP;
    /* NOTE: RWF_NOWAIT is rejected, as by files that cannot promise not
     * to block; the other flags change nothing for these files. */
    if (!ret && (flags & RWF_NOWAIT))
        ret = -EOPNOTSUPP;
    if (!ret)
        ret = posix_get_iovec(user_iov, count, &iov, &total);
    if (ret) {
        pogo_file_put(f);
        return ret;
    }
    u = (struct pogo_uio){.iov = iov, .count = count, .resid = total};
    if (total == 0)
        ret = 0;
    else if (write && (flags & RWF_APPEND) && POGO_S_ISREG(f->vnode->mode)) {
        int64_t end = f->vnode->size;

        ret = do_write(f, &u, at ? &end : &f->pos);
    } else
        ret = write ? do_write(f, &u, at ? at : &f->pos)
                    : do_read(f, &u, at ? at : &f->pos);
    pogo_free(iov);
    pogo_file_put(f);
    return ret;
}

long sys_readv(unsigned long fd, long iov, unsigned long count)
{
    return rw_vec(fd, iov, count, NULL, 0, false);
}

long sys_writev(unsigned long fd, long iov, unsigned long count)
{
    return rw_vec(fd, iov, count, NULL, 0, true);
}

long sys_preadv(unsigned long fd, long iov, unsigned long count, long pos_l,
                long pos_h)
{
    int64_t pos = pos_l; /* pos_h is the upper half only on 32-bit */

    if (pos < 0)
        return -EINVAL;
    return rw_vec(fd, iov, count, &pos, 0, false);
}

long sys_pwritev(unsigned long fd, long iov, unsigned long count, long pos_l,
                 long pos_h)
{
    int64_t pos = pos_l;

    if (pos < 0)
        return -EINVAL;
    return rw_vec(fd, iov, count, &pos, 0, true);
}

/* preadv2 and pwritev2: a position of -1 means the file's own. */
long sys_preadv2(unsigned long fd, long iov, unsigned long count, long pos_l,
                 long pos_h, int flags)
{
    int64_t pos = pos_l;

    if (pos < -1)
        return -EINVAL;
    return rw_vec(fd, iov, count, pos == -1 ? NULL : &pos, flags, false);
}

long sys_pwritev2(unsigned long fd, long iov, unsigned long count, long pos_l,
                  long pos_h, int flags)
{
    int64_t pos = pos_l;

    if (pos < -1)
        return -EINVAL;
    return rw_vec(fd, iov, count, pos == -1 ? NULL : &pos, flags, true);
}

long sys_lseek(unsigned int fd, long offset, unsigned int whence)
{
    struct pogo_file *f = pogo_fd_get(fd);
    long ret;

    if (!f)
        return -EBADF;
    if (whence > SEEK_MAX)
        ret = -EINVAL;
    else if (!f->ops->llseek)
        ret = -ESPIPE;
    else
        ret = f->ops->llseek(f, offset, whence);
    pogo_file_put(f);
    return ret;
}

/* --- Copies between files ------------------------------------------------ */

/*
 * Copies up to count bytes from in at *in_pos to out at *out_pos through
 * a kernel buffer. Returns the bytes written, or an errno when none were.
 */
static long copy_between(struct pogo_file *in, int64_t *in_pos,
                         struct pogo_file *out, int64_t *out_pos, size_t count)
{
    char *buf = pogo_malloc(COPY_CHUNK);
    long done = 0, err = 0;

    if (!buf)
        return -ENOMEM;
    while ((size_t)done < count) {
        int64_t at = *in_pos;
        long n = pogo_file_read_kernel(in, buf,
                                       POGO_MIN(count - done, COPY_CHUNK), &at);
        long w;

        if (n <= 0) {
            err = n;
            break;
        }
        w = pogo_file_write_kernel(out, buf, n, out_pos);
        if (w <= 0) {
            err = w;
            break;
        }
        *in_pos += w;
        done += w;
        if (w < n)
            break;
    }
    pogo_free(buf);
    return done ? done : err;
}

static int read_offset(long user, int64_t *pos)
{
    if (pogo_copy_from_user(pos, (const void *)user, sizeof(*pos)))
        return -EFAULT;
    return *pos < 0 ? -EINVAL : 0;
}

static long sendfile_files(struct pogo_file *in, struct pogo_file *out,
                           long user_off, size_t count)
{
    int64_t pos = in->pos;
    long ret;

    if (!pogo_file_readable(in))
        return -EBADF;
    if (user_off) {
        int err = read_offset(user_off, &pos);

        if (err)
            return err;
        if (!positional(in))
            return -ESPIPE;
    }
    if (!out || !pogo_file_writable(out))
        return -EBADF;
    if (out->flags & POGO_O_APPEND)
        return -EINVAL;
    if (POGO_S_ISDIR(in->vnode->mode) || !in->ops->read)
        return -EINVAL;
    /* Into anything but a pipe, Linux reads only regular files and block
     * devices, so a socket or an eventfd as the source is invalid. */
    if (POGO_S_TYPE(out->vnode->mode) != POGO_S_IFIFO &&
        ((!POGO_S_ISREG(in->vnode->mode) &&
          POGO_S_TYPE(in->vnode->mode) != POGO_S_IFBLK) ||
         in->ops->no_positional_io))
        return -EINVAL;
    count = POGO_MIN(count, (size_t)LINUX_MAX_RW_COUNT);
    if ((uint64_t)pos + count > (uint64_t)POGO_OFFSET_MAX)
        count = POGO_OFFSET_MAX - pos;
    ret = copy_between(in, &pos, out, &out->pos, count);
    if (ret < 0)
        return ret;
    if (user_off && pogo_copy_to_user((void *)user_off, &pos, sizeof(pos)))
        return -EFAULT;
    if (!user_off)
        in->pos = pos;
    return ret;
}

long sys_sendfile(int out_fd, int in_fd, long offset, size_t count)
{
    struct pogo_file *in = pogo_fd_get(in_fd);
    struct pogo_file *out;
    long ret;

    if (!in)
        return -EBADF;
    out = pogo_fd_get(out_fd);
    ret = sendfile_files(in, out, offset, count);
    if (out)
        pogo_file_put(out);
    pogo_file_put(in);
    return ret;
}

static int check_copy_files(struct pogo_file *in, struct pogo_file *out)
{
    uint32_t min = in->vnode->mode, mout = out->vnode->mode;

    if (POGO_S_ISDIR(min) || POGO_S_ISDIR(mout))
        return -EISDIR;
    if (!POGO_S_ISREG(min) || !POGO_S_ISREG(mout))
        return -EINVAL;
    if (!pogo_file_readable(in) || !pogo_file_writable(out) ||
        (out->flags & POGO_O_APPEND))
        return -EBADF;
    if (in->vnode->fs != out->vnode->fs)
        return -EXDEV;
    return 0;
}

static long copy_range(struct pogo_file *in, long off_in, struct pogo_file *out,
                       long off_out, size_t len)
{
    int64_t pos_in = in->pos, pos_out = out->pos;
    uint64_t size_in = in->vnode->size;
    int err = check_copy_files(in, out);
    long ret;

    if (!err && off_in)
        err = read_offset(off_in, &pos_in);
    if (!err && off_out)
        err = read_offset(off_out, &pos_out);
    if (err)
        return err;
    len = POGO_MIN(len, (size_t)LINUX_MAX_RW_COUNT);
    if ((uint64_t)pos_in + len > (uint64_t)POGO_OFFSET_MAX ||
        (uint64_t)pos_out + len > (uint64_t)POGO_OFFSET_MAX)
        return -EOVERFLOW;
    if (in->vnode == out->vnode && pos_out < pos_in + (int64_t)len &&
        pos_in < pos_out + (int64_t)len)
        return -EINVAL;
    len = (uint64_t)pos_in >= size_in ? 0 : POGO_MIN(len, size_in - pos_in);
    if (len == 0)
        return 0;
    ret = copy_between(in, &pos_in, out, &pos_out, len);
    if (ret < 0)
        return ret;
    if (off_in && pogo_copy_to_user((void *)off_in, &pos_in, sizeof(pos_in)))
        return -EFAULT;
    if (off_out &&
        pogo_copy_to_user((void *)off_out, &pos_out, sizeof(pos_out)))
        return -EFAULT;
    if (!off_in)
        in->pos = pos_in;
    if (!off_out)
        out->pos = pos_out;
    return ret;
}

long sys_copy_file_range(int fd_in, long off_in, int fd_out, long off_out,
                         size_t len, unsigned int flags)
{
    struct pogo_file *in, *out;
    long ret;

    if (flags)
        return -EINVAL;
    in = pogo_fd_get(fd_in);
    out = pogo_fd_get(fd_out);
    ret = (in && out) ? copy_range(in, off_in, out, off_out, len) : -EBADF;
    if (in)
        pogo_file_put(in);
    if (out)
        pogo_file_put(out);
    return ret;
}

/* --- Size, sync, allocation ---------------------------------------------- */

long sys_truncate(long user_path, long length)
{
    struct pogo_vnode *v;
    int err;

    if (length < 0)
        return -EINVAL;
    err = posix_lookup_at(LINUX_AT_FDCWD, user_path, 0, true, &v);
    if (err)
        return err;
    err = pogo_vfs_truncate(v, length);
    pogo_vnode_put(v);
    return err;
}

long sys_ftruncate(unsigned int fd, long length)
{
    struct pogo_file *f;
    int err;

    if (length < 0)
        return -EINVAL;
    f = pogo_fd_get(fd);
    if (!f)
        return -EBADF;
    if (!POGO_S_ISREG(f->vnode->mode) || !pogo_file_writable(f))
        err = -EINVAL;
    else
        err = pogo_vfs_truncate(f->vnode, length);
    pogo_file_put(f);
    return err;
}

long sys_fsync(unsigned int fd)
{
    struct pogo_file *f = pogo_fd_get(fd);
    int err;

    if (!f)
        return -EBADF;
    err = f->ops->fsync ? f->ops->fsync(f) : -EINVAL;
    pogo_file_put(f);
    return err;
}

long sys_fdatasync(unsigned int fd)
{
    return sys_fsync(fd);
}

/* Memory file systems have nothing to write back. */
long sys_sync(void)
{
    return 0;
}

long sys_syncfs(int fd)
{
    struct pogo_file *f = pogo_fd_get(fd);

    if (!f)
        return -EBADF;
    pogo_file_put(f);
    return 0;
}

static int check_fallocate_mode(int mode)
{
    if (mode & ~FALLOC_KNOWN)
        return -EOPNOTSUPP;
    if ((mode & POGO_FALLOC_PUNCH_HOLE) && (mode & POGO_FALLOC_ZERO_RANGE))
        return -EOPNOTSUPP;
    if ((mode & POGO_FALLOC_PUNCH_HOLE) && !(mode & POGO_FALLOC_KEEP_SIZE))
        return -EOPNOTSUPP;
    return 0;
}

static int fallocate_file(struct pogo_file *f, int mode, int64_t offset,
                          int64_t len)
{
    struct pogo_vnode *v = f->vnode;

    if (!pogo_file_writable(f))
        return -EBADF;
    if (POGO_S_TYPE(v->mode) == POGO_S_IFIFO)
        return -ESPIPE;
    if (POGO_S_ISDIR(v->mode))
        return -EISDIR;
    if (!POGO_S_ISREG(v->mode))
        return -ENODEV;
    if (offset > POGO_OFFSET_MAX - len)
        return -EFBIG;
    if (!v->ops->fallocate)
        return -EOPNOTSUPP;
    return v->ops->fallocate(v, mode, offset, len);
}

long sys_fallocate(int fd, int mode, int64_t offset, int64_t len)
{
    struct pogo_file *f;
    int err;

    if (offset < 0 || len <= 0)
        return -EINVAL;
    err = check_fallocate_mode(mode);
    if (err)
        return err;
    f = pogo_fd_get(fd);
    if (!f)
        return -EBADF;
    err = fallocate_file(f, mode, offset, len);
    pogo_file_put(f);
    return err;
}

/* posix_fadvise and readahead are hints; the memory is the file. */
long sys_fadvise64(int fd, int64_t offset, int64_t len, int advice)
{
    struct pogo_file *f = pogo_fd_get(fd);
    long ret = 0;

    if (!f)
        return -EBADF;
    if (POGO_S_TYPE(f->vnode->mode) == POGO_S_IFIFO)
        ret = -ESPIPE;
    else if (len < 0 || advice < 0 || advice > 5)
        ret = -EINVAL;
    pogo_file_put(f);
    return ret;
}

long sys_readahead(int fd, int64_t offset, size_t count)
{
    struct pogo_file *f = pogo_fd_get(fd);
    long ret = 0;

    if (!f)
        return -EBADF;
    if (!POGO_S_ISREG(f->vnode->mode) || offset < 0)
        ret = -EINVAL;
    pogo_file_put(f);
    return ret;
}
