/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * /dev: a ramfs with the device nodes of a Linux system (null, zero,
 * full, random, urandom, tty, console), the links stdin, stdout, stderr
 * and fd into /proc/self/fd, and /dev/shm. The memory devices are here;
 * the console is in console.c.
 */
#include <pogo/devfs.h>
#include <pogo/errno.h>
#include <pogo/init.h>
#include <pogo/log.h>
#include <pogo/ramfs.h>
#include <pogo/random.h>
#include <pogo/uaccess.h>
#include <pogo/vfs.h>

#include "devfs_internal.h"

/* Linux's device numbers of the memory devices. */
#define MEM_MAJOR 1

#define RNDGETENTCNT 0x80045200

/* Bytes generated per step for /dev/random and /dev/urandom. */
#define RANDOM_CHUNK 256

/* /dev/null, /dev/zero and /dev/full keep the position at 0. */
static int64_t seek_zero(struct pogo_file *f, int64_t offset, int whence)
{
    f->pos = 0;
    return 0;
}

/* /dev/random and /dev/urandom accept any seek and stay where they are. */
static int64_t seek_none(struct pogo_file *f, int64_t offset, int whence)
{
    return f->pos;
}

static long read_eof(struct pogo_file *f, struct pogo_uio *u, int64_t *pos)
{
    return 0;
}

static long write_all(struct pogo_file *f, struct pogo_uio *u, int64_t *pos)
{
    long n = u->resid;

    u->resid = 0;
    return n;
}

/* The bytes that moved since u had start left, or err when none did. */
static long moved(const struct pogo_uio *u, size_t start, int err)
{
    return (err && u->resid == start) ? err : (long)(start - u->resid);
}

static long read_zeros(struct pogo_file *f, struct pogo_uio *u, int64_t *pos)
{
    size_t start = u->resid;

    return moved(u, start, pogo_uio_copy_out(u, NULL, start));
}

/* As Linux, even an empty write gets ENOSPC. */
static long write_full(struct pogo_file *f, struct pogo_uio *u, int64_t *pos)
{
    return -ENOSPC;
}

static long read_random(struct pogo_file *f, struct pogo_uio *u, int64_t *pos)
{
    char buf[RANDOM_CHUNK];
    size_t start = u->resid;
    int err = 0;

    while (u->resid && !err) {
        size_t n = POGO_MIN(u->resid, sizeof(buf));

        pogo_random_bytes(buf, n);
        err = pogo_uio_copy_out(u, buf, n);
    }
    return moved(u, start, err);
}

/* Writes to the random devices mix the bytes in, as on Linux. */
static long write_random(struct pogo_file *f, struct pogo_uio *u, int64_t *pos)
{
    char buf[RANDOM_CHUNK];
    size_t start = u->resid;
    int err = 0;

    while (u->resid && !err) {
        size_t left = u->resid;

        err = pogo_uio_copy_in(u, buf, POGO_MIN(u->resid, sizeof(buf)));
        pogo_random_add_entropy(buf, left - u->resid);
    }
    return moved(u, start, err);
}

static long ioctl_random(struct pogo_file *f, unsigned int cmd,
                         unsigned long arg)
{
    int bits = 256; /* the pool is always full */

    if (cmd != RNDGETENTCNT)
        return -ENOTTY;
    return pogo_copy_to_user((void *)arg, &bits, sizeof(bits));
}

static const struct pogo_file_ops null_ops = {
    .read = read_eof,
    .write = write_all,
    .llseek = seek_zero,
};

static const struct pogo_file_ops zero_ops = {
    .read = read_zeros,
    .write = write_all,
    .llseek = seek_zero,
    .mmap = POGO_MMAP_ANON,
};

static const struct pogo_file_ops full_ops = {
    .read = read_zeros,
    .write = write_full,
    .llseek = seek_zero,
};

static const struct pogo_file_ops random_ops = {
    .read = read_random,
    .write = write_random,
    .llseek = seek_none,
    .ioctl = ioctl_random,
};

static int open_null(struct pogo_vnode *v, struct pogo_file *f)
{
    f->ops = &null_ops;
    return 0;
}

static int open_zero(struct pogo_vnode *v, struct pogo_file *f)
{
    f->ops = &zero_ops;
    return 0;
}

static int open_full(struct pogo_vnode *v, struct pogo_file *f)
{
    f->ops = &full_ops;
    return 0;
}

static int open_random(struct pogo_vnode *v, struct pogo_file *f)
{
    f->ops = &random_ops;
    return 0;
}

static struct pogo_chrdev mem_devices[] = {
    {.rdev = POGO_MKDEV(MEM_MAJOR, 3), .open = open_null},
    {.rdev = POGO_MKDEV(MEM_MAJOR, 5), .open = open_zero},
    {.rdev = POGO_MKDEV(MEM_MAJOR, 7), .open = open_full},
    {.rdev = POGO_MKDEV(MEM_MAJOR, 8), .open = open_random},
    {.rdev = POGO_MKDEV(MEM_MAJOR, 9), .open = open_random},
};

struct node {
    const char *path;
    uint32_t mode;
    uint64_t rdev;
};

static const struct node nodes[] = {
    {"/dev/null", POGO_S_IFCHR | 0666, POGO_MKDEV(MEM_MAJOR, 3)},
    {"/dev/zero", POGO_S_IFCHR | 0666, POGO_MKDEV(MEM_MAJOR, 5)},
    {"/dev/full", POGO_S_IFCHR | 0666, POGO_MKDEV(MEM_MAJOR, 7)},
    {"/dev/random", POGO_S_IFCHR | 0666, POGO_MKDEV(MEM_MAJOR, 8)},
    {"/dev/urandom", POGO_S_IFCHR | 0666, POGO_MKDEV(MEM_MAJOR, 9)},
    {"/dev/tty", POGO_S_IFCHR | 0666, POGO_DEV_TTY},
    {"/dev/console", POGO_S_IFCHR | 0600, POGO_DEV_CONSOLE},
    {"/dev/shm", POGO_S_IFDIR | 01777, 0},
};

static const char *const links[][2] = {
    {"/proc/self/fd/0", "/dev/stdin"},
    {"/proc/self/fd/1", "/dev/stdout"},
    {"/proc/self/fd/2", "/dev/stderr"},
    {"/proc/self/fd", "/dev/fd"},
};

static int make_nodes(void)
{
    int err = 0;

    for (size_t i = 0; i < POGO_ARRAY_SIZE(nodes) && !err; i++)
        err = pogo_vfs_mknod(NULL, nodes[i].path, nodes[i].mode, nodes[i].rdev);
    for (size_t i = 0; i < POGO_ARRAY_SIZE(links) && !err; i++)
        err = pogo_vfs_symlink(links[i][0], NULL, links[i][1]);
    return err;
}

/* Mounts /dev and opens fds 0, 1 and 2 on the console. */
static int devfs_init(void)
{
    struct pogo_fs *fs = pogo_ramfs_create(0755);
    uint32_t umask;
    int err;

    if (!fs)
        return -ENOMEM;
    for (size_t i = 0; i < POGO_ARRAY_SIZE(mem_devices); i++)
        pogo_vfs_register_chrdev(&mem_devices[i]);
    devfs_console_register();

    umask = pogo_vfs_umask(0);
    err = pogo_vfs_mkdir(NULL, "/dev", 0755);
    if (!err || err == -EEXIST)
        err = pogo_vfs_mount(fs, "/dev");
    if (!err)
        err = make_nodes();
    pogo_vfs_umask(umask);
    if (!err)
        err = devfs_console_open_std_fds();
    if (err)
        pogo_error("devfs: setting up /dev failed (error %d)\n", -err);
    return err;
}
POGO_INIT(POGO_INIT_FS_MOUNTS, "devfs", devfs_init, NULL);
