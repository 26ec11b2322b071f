/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Linux x86_64 structures and constants of the file syscalls, and the
 * helpers that their files share.
 */
#ifndef POGO_POSIX_FILES_H
#define POGO_POSIX_FILES_H

#include <pogo/vfs.h>

#include "abi.h"

#define LINUX_AT_FDCWD            (-100)
#define LINUX_AT_SYMLINK_NOFOLLOW 0x100
#define LINUX_AT_EACCESS          0x200
#define LINUX_AT_REMOVEDIR        0x200
#define LINUX_AT_SYMLINK_FOLLOW   0x400
#define LINUX_AT_NO_AUTOMOUNT     0x800
#define LINUX_AT_EMPTY_PATH       0x1000
#define LINUX_AT_STATX_SYNC_TYPE  0x6000

#define LINUX_SEEK_SET 0
#define LINUX_SEEK_CUR 1

/* The maximum count of one read or write, as Linux's MAX_RW_COUNT. */
#define LINUX_MAX_RW_COUNT 0x7ffff000L

#define LINUX_SIGPIPE 13

struct linux_stat {
    uint64_t dev;
    uint64_t ino;
    uint64_t nlink;
    uint32_t mode;
    uint32_t uid;
    uint32_t gid;
    uint32_t pad0;
    uint64_t rdev;
    int64_t size;
    int64_t blksize;
    int64_t blocks;
    uint64_t atime, atime_nsec;
    uint64_t mtime, mtime_nsec;
    uint64_t ctime, ctime_nsec;
    int64_t unused[3];
};

struct linux_statx_timestamp {
    int64_t sec;
    uint32_t nsec;
    int32_t reserved;
};

struct linux_statx {
    uint32_t mask;
    uint32_t blksize;
    uint64_t attributes;
    uint32_t nlink;
    uint32_t uid;
    uint32_t gid;
    uint16_t mode;
    uint16_t spare0;
    uint64_t ino;
    uint64_t size;
    uint64_t blocks;
    uint64_t attributes_mask;
    struct linux_statx_timestamp atime, btime, ctime, mtime;
    uint32_t rdev_major, rdev_minor;
    uint32_t dev_major, dev_minor;
    uint64_t mnt_id;
    uint32_t dio_mem_align, dio_offset_align;
    uint64_t spare3[12];
};

struct linux_statfs {
    int64_t type;
    int64_t bsize;
    uint64_t blocks, bfree, bavail, files, ffree;
    int32_t fsid[2];
    int64_t namelen;
    int64_t frsize;
    int64_t flags;
    int64_t spare[4];
};

struct linux_flock {
    int16_t type;
    int16_t whence;
    int32_t pad0;
    int64_t start;
    int64_t len;
    int32_t pid;
    int32_t pad1;
};

struct linux_pollfd {
    int32_t fd;
    int16_t events;
    int16_t revents;
};

POGO_STATIC_ASSERT(sizeof(struct linux_stat) == 144, "Linux struct stat");
POGO_STATIC_ASSERT(sizeof(struct linux_statx) == 256, "Linux struct statx");
POGO_STATIC_ASSERT(sizeof(struct linux_statfs) == 120, "Linux statfs");
POGO_STATIC_ASSERT(sizeof(struct linux_flock) == 32, "Linux struct flock");

/*
 * Copies a path from the application. Returns a heap copy in *out (free
 * it with pogo_free), -EFAULT or -ENAMETOOLONG.
 */
int posix_get_path(long user, char **out);

/*
 * The directory that a *at syscall's relative path starts from: NULL for
 * AT_FDCWD or an absolute path, else a new reference to the file of
 * dirfd (-EBADF when it is not open). O_PATH files count.
 */
int posix_at_dir(int dirfd, const char *path, struct pogo_file **out);

/* Drops what posix_at_dir returned. */
void posix_put_dir(struct pogo_file *dir);

/*
 * Looks up path from dirfd as the *at syscalls do, with AT_ flags
 * (AT_SYMLINK_NOFOLLOW, AT_EMPTY_PATH, or AT_SYMLINK_FOLLOW when follow
 * is not the default).
 */
int posix_lookup_at(int dirfd, long user_path, int at_flags,
                    bool follow_default, struct pogo_vnode **out);

/* Fills a Linux struct stat from v. */
void posix_fill_stat(const struct pogo_vnode *v, struct linux_stat *st);

/* Copies an iovec array of the application, checking Linux's limits. Sets
 * *total; returns the kernel copy in *out (pogo_free it) or an errno. */
int posix_get_iovec(long user, unsigned long count, struct pogo_iovec **out,
                    size_t *total);

/* Converts a timeout in ms (negative: none) to a monotonic deadline:
 * 0 for none, 1 (passed) for a timeout of 0. */
uint64_t posix_deadline_ms(int ms);

/* F_GETPIPE_SZ and F_SETPIPE_SZ (set): -EBADF unless f is a pipe. */
long posix_pipe_fcntl(struct pogo_file *f, bool set, unsigned long arg);

/* mmap of the file fd, once off is known to be page aligned. */
long posix_mmap_file(long addr, long len, long prot, long flags, int fd,
                     long off);

/* Sends SIGPIPE to the current thread, as a write to a broken pipe does. */
void posix_send_sigpipe(void);

#endif
