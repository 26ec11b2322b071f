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

/*
 * Pipe buffers, shared by pipes and AF_UNIX socket pairs. A new buffer has
 * one reader and one writer, and its waiters use one poll head of its own
 * until posix_pipe_set_heads gives them the two ends' heads.
 */
struct pipe;

#define POSIX_PIPE_NONBLOCK 0x1  /* -EAGAIN instead of waiting */
#define POSIX_PIPE_PACKET   0x2  /* each write is a packet, as O_DIRECT */
#define POSIX_PIPE_PEEK     0x4  /* a read leaves the data in the buffer */
#define POSIX_PIPE_NOSIGNAL 0x8  /* -EPIPE without SIGPIPE */
#define POSIX_PIPE_MESSAGE  0x10 /* a write of any length is one packet */

/* The bytes of messages that a buffer queues, unless one message is longer:
 * Linux's default socket send buffer. */
#define POSIX_PIPE_MESSAGE_BYTES 212992

/* Returns a new empty buffer, or NULL when memory is short. */
struct pipe *posix_pipe_new(void);
void posix_pipe_free(struct pipe *p);
void posix_pipe_set_heads(struct pipe *p, struct pogo_poll_head *read_head,
                          struct pogo_poll_head *write_head);

/*
 * Reads and writes with pipe(7) rules and POSIX_PIPE_ flags: a read waits
 * for data and returns 0 once no writer is left, and a write to a buffer
 * without a reader or writer fails with -EPIPE and raises SIGPIPE. A read
 * of a packet stores its whole length in *packet_len when that is not
 * NULL, so that the caller can tell that it was cut.
 */
long posix_pipe_read(struct pipe *p, struct pogo_uio *u, int flags,
                     size_t *packet_len);
long posix_pipe_write(struct pipe *p, struct pogo_uio *u, int flags);

/* Drops every reader, every writer or both, as a socket pair's shutdown
 * does, and wakes the waiters. */
void posix_pipe_shut(struct pipe *p, bool reading, bool writing);
void posix_pipe_notify_all(struct pipe *p);
bool posix_pipe_has_writer(const struct pipe *p);
bool posix_pipe_is_empty(const struct pipe *p);
bool posix_pipe_is_full(const struct pipe *p);
size_t posix_pipe_bytes(struct pipe *p);
size_t posix_pipe_capacity(const struct pipe *p);

/*
 * Installs two new files at the lowest free fds and stores the two fds at
 * user_fds, as pipe2 and socketpair do. Takes the references to both
 * files. Returns 0, or an errno with nothing installed.
 */
long posix_install_fd_pair(struct pogo_file *first, struct pogo_file *second,
                           bool cloexec, long user_fds);

/* F_GETPIPE_SZ and F_SETPIPE_SZ (set): -EBADF unless f is a pipe. */
long posix_pipe_fcntl(struct pogo_file *f, bool set, unsigned long arg);

/* mmap of the file fd, once off is known to be page aligned. */
long posix_mmap_file(long addr, long len, long prot, long flags, int fd,
                     long off);

/* Sends SIGPIPE to the current thread, as a write to a broken pipe does. */
void posix_send_sigpipe(void);

#endif
