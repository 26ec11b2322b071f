/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The virtual file system: vnodes of mounted file systems, open files
 * with an operations table, the process's fd table, path lookup, mounts
 * and the readiness (poll) interface that pipes, devices and later
 * sockets, eventfds and epoll share. Everything runs with interrupts off
 * on one CPU, so nothing here takes a lock. Only the functions documented
 * as blocking may block.
 *
 * Errors are negative Linux errno values. Mode bits, open flags and poll
 * bits are numbered as on Linux x86_64, so the syscall layer passes them
 * through unchanged.
 */
#ifndef POGO_VFS_H
#define POGO_VFS_H

#include <pogo/compiler.h>
#include <pogo/mm.h>

/* --- Linux numbers ------------------------------------------------------- */

#define POGO_S_IFMT   0170000
#define POGO_S_IFSOCK 0140000
#define POGO_S_IFLNK  0120000
#define POGO_S_IFREG  0100000
#define POGO_S_IFBLK  0060000
#define POGO_S_IFDIR  0040000
#define POGO_S_IFCHR  0020000
#define POGO_S_IFIFO  0010000
#define POGO_S_ISUID  04000
#define POGO_S_ISGID  02000
#define POGO_S_ISVTX  01000
#define POGO_S_IXGRP  00010
#define POGO_S_IXALL  00111

#define POGO_S_TYPE(m)  ((m)&POGO_S_IFMT)
#define POGO_S_ISDIR(m) (POGO_S_TYPE(m) == POGO_S_IFDIR)
#define POGO_S_ISREG(m) (POGO_S_TYPE(m) == POGO_S_IFREG)
#define POGO_S_ISLNK(m) (POGO_S_TYPE(m) == POGO_S_IFLNK)
#define POGO_S_ISCHR(m) (POGO_S_TYPE(m) == POGO_S_IFCHR)

#define POGO_O_ACCMODE   03
#define POGO_O_RDONLY    00
#define POGO_O_WRONLY    01
#define POGO_O_RDWR      02
#define POGO_O_CREAT     0100
#define POGO_O_EXCL      0200
#define POGO_O_NOCTTY    0400
#define POGO_O_TRUNC     01000
#define POGO_O_APPEND    02000
#define POGO_O_NONBLOCK  04000
#define POGO_O_DSYNC     010000
#define POGO_O_ASYNC     020000
#define POGO_O_DIRECT    040000
#define POGO_O_LARGEFILE 0100000
#define POGO_O_DIRECTORY 0200000
#define POGO_O_NOFOLLOW  0400000
#define POGO_O_NOATIME   01000000
#define POGO_O_CLOEXEC   02000000
#define POGO_O_SYNC      04010000
#define POGO_O_PATH      010000000
#define POGO_O_TMPFILE   020200000

#define POGO_POLLIN     0x0001
#define POGO_POLLPRI    0x0002
#define POGO_POLLOUT    0x0004
#define POGO_POLLERR    0x0008
#define POGO_POLLHUP    0x0010
#define POGO_POLLNVAL   0x0020
#define POGO_POLLRDNORM 0x0040
#define POGO_POLLRDBAND 0x0080
#define POGO_POLLWRNORM 0x0100
#define POGO_POLLWRBAND 0x0200
#define POGO_POLLRDHUP  0x2000

/* The bits that poll reports for files without a poll method, as Linux. */
#define POGO_POLL_ALWAYS \
    (POGO_POLLIN | POGO_POLLOUT | POGO_POLLRDNORM | POGO_POLLWRNORM)

/* d_type values of getdents64. */
#define POGO_DT_UNKNOWN 0
#define POGO_DT_FIFO    1
#define POGO_DT_CHR     2
#define POGO_DT_DIR     4
#define POGO_DT_REG     8
#define POGO_DT_LNK     10
#define POGO_DT_SOCK    12

/* renameat2 flags, and two that the VFS adds for the rename method: the
 * old or new path ended with a slash. */
#define POGO_RENAME_NOREPLACE 1
#define POGO_RENAME_EXCHANGE  2
#define POGO_RENAME_OLD_SLASH (1u << 30)
#define POGO_RENAME_NEW_SLASH (1u << 31)

#define POGO_NAME_MAX    255  /* bytes in one path component */
#define POGO_PATH_MAX    4096 /* bytes in a path, with its NUL */
#define POGO_SYMLOOP_MAX 40   /* symlinks followed in one lookup */
#define POGO_FD_LIMIT    1024 /* default RLIMIT_NOFILE */

/* Largest file offset, as Linux's MAX_LFS_FILESIZE on 64-bit. */
#define POGO_OFFSET_MAX INT64_MAX

/* Linux's dev_t encoding, as stat reports it. */
#define POGO_MKDEV(major, minor)                          \
    ((uint64_t)(((minor)&0xff) | (((major)&0xfff) << 8) | \
                (((uint64_t)(minor) & ~0xffull) << 12) |  \
                (((uint64_t)(major) & ~0xfffull) << 32)))

/* The init level of file systems mounted below the root (/dev, /proc). */
#define POGO_INIT_FS_MOUNTS 71

struct pogo_vnode;
struct pogo_file;
struct pogo_fs;
struct pogo_poll_head;

struct pogo_timespec {
    int64_t sec;
    int64_t nsec;
};

static inline bool pogo_timespec_before_eq(const struct pogo_timespec *a,
                                           const struct pogo_timespec *b)
{
    return a->sec < b->sec || (a->sec == b->sec && a->nsec <= b->nsec);
}

/* --- Buffers of a read or write ------------------------------------------ */

/* One buffer, laid out as Linux's struct iovec. */
struct pogo_iovec {
    uintptr_t base;
    size_t len;
};

/*
 * The buffers of one read or write: application memory, or kernel memory
 * when kernel is set (sendfile, the kernel's own reads). The copy
 * functions advance it.
 */
struct pogo_uio {
    const struct pogo_iovec *iov;
    size_t count;  /* buffers left, iov[0] being the current one */
    size_t offset; /* bytes of iov[0] already used */
    size_t resid;  /* bytes left in all buffers */
    bool kernel;
};

/* Sets up u for one buffer. */
void pogo_uio_init(struct pogo_uio *u, struct pogo_iovec *iov, uintptr_t base,
                   size_t len, bool kernel);

/*
 * Copies n bytes (at most u->resid) from src into the buffers of u, or
 * zeros when src is NULL. Returns 0, or -EFAULT when a buffer is not
 * writable. After -EFAULT, u has advanced past the bytes that were
 * copied, so that a caller can return that count as Linux does.
 */
int pogo_uio_copy_out(struct pogo_uio *u, const void *src, size_t n);

/* Copies n bytes (at most u->resid) from the buffers of u into dst. */
int pogo_uio_copy_in(struct pogo_uio *u, void *dst, size_t n);

/* --- Readiness ----------------------------------------------------------- */

/*
 * Readiness of files, for poll, select, blocking reads and epoll. A file
 * that can change readiness owns a pogo_poll_head, which its poll method
 * returns with the current POGO_POLL* bits. The file calls
 * pogo_poll_notify on the head whenever those bits may have changed. A waiter
 * subscribes an entry with a notify function, checks readiness again, and
 * sleeps until notified. Interrupt handlers and timer callbacks may notify.
 *
 * Recipe for a new kind of file (socket, eventfd):
 *
 *     struct thing { struct pogo_poll_head poll; ... };
 *
 *     static unsigned thing_poll(struct pogo_file *f,
 *                                struct pogo_poll_head **head)
 *     {
 *         struct thing *t = f->data;
 *         *head = &t->poll;
 *         return readable(t) ? POGO_POLLIN | POGO_POLLRDNORM : 0;
 *     }
 *
 *     data arrived:   pogo_poll_notify(&t->poll, POGO_POLLIN);
 *     blocking read:  while (!readable(t)) {
 *                         if (f->flags & POGO_O_NONBLOCK)
 *                             return -EAGAIN;
 *                         err = pogo_poll_wait(&t->poll, 0);
 *                         if (err)
 *                             return err;   (-EINTR on a signal)
 *                     }
 *
 * epoll subscribes its own entry whose notify function puts the file on
 * its ready list instead of waking a thread.
 */
struct pogo_poll_entry {
    struct pogo_poll_entry *next;
    struct pogo_poll_entry *prev;
    struct pogo_poll_head *head;
    /* Called with the bits that may have changed; must not block. */
    void (*notify)(struct pogo_poll_entry *e, unsigned events);
};

struct pogo_poll_head {
    struct pogo_poll_entry *first;
};

void pogo_poll_subscribe(struct pogo_poll_head *head,
                         struct pogo_poll_entry *e);
void pogo_poll_unsubscribe(struct pogo_poll_entry *e);
void pogo_poll_notify(struct pogo_poll_head *head, unsigned events);

/*
 * Blocks the current thread until head is notified, the monotonic time
 * deadline_ns passes (0: no deadline) or a signal arrives (see
 * pogo_signal_pending). Returns 0, -ETIMEDOUT or -EINTR.
 */
int pogo_poll_wait(struct pogo_poll_head *head, uint64_t deadline_ns);

/* --- Files --------------------------------------------------------------- */

/* Receives the entries of a directory read (see readdir below). */
struct pogo_dir_ctx {
    /*
     * Adds one entry; next_pos is the file position just after it.
     * Returns false when the buffer is full, and the entry is then not
     * taken.
     */
    bool (*emit)(struct pogo_dir_ctx *ctx, const char *name, size_t len,
                 uint64_t ino, unsigned type, int64_t next_pos);
};

/*
 * The operations of an open file. Only the methods a kind of file has are
 * set, and the VFS handles the others as Linux does (a NULL read is
 * -EINVAL, a NULL llseek -ESPIPE, a NULL poll POGO_POLL_ALWAYS, a NULL
 * ioctl -ENOTTY, a NULL fsync -EINVAL).
 */
struct pogo_file_ops {
    /*
     * Move up to u->resid bytes at *pos (which they advance) and return
     * the count, or a negative errno when nothing moved. Pipes and
     * devices ignore pos. May block unless f->flags has O_NONBLOCK.
     */
    long (*read)(struct pogo_file *f, struct pogo_uio *u, int64_t *pos);
    long (*write)(struct pogo_file *f, struct pogo_uio *u, int64_t *pos);

    /* Sets and returns f->pos for SEEK_SET, CUR, END, DATA or HOLE. */
    int64_t (*llseek)(struct pogo_file *f, int64_t offset, int whence);

    /*
     * Set for files whose llseek only returns the position, as Linux's
     * noop_llseek does for eventfd and epoll: pread, pwrite and sendfile
     * with an offset then give -ESPIPE, as for a NULL llseek.
     */
    bool no_positional_io;

    /* Emits directory entries from f->pos on, advancing f->pos. */
    int (*readdir)(struct pogo_file *f, struct pogo_dir_ctx *ctx);

    long (*ioctl)(struct pogo_file *f, unsigned int cmd, unsigned long arg);

    /* Returns the POGO_POLL* bits now and the head that notifies. */
    unsigned (*poll)(struct pogo_file *f, struct pogo_poll_head **head);

    int (*fsync)(struct pogo_file *f);

    /* The way mmap maps the file: POGO_MMAP_*. */
    int mmap;

    /* Called when the last reference to f goes away. */
    void (*release)(struct pogo_file *f);
};

#define POGO_MMAP_NONE  0 /* mmap fails with -ENODEV */
#define POGO_MMAP_PAGES 1 /* the vnode's page method gives the pages */
#define POGO_MMAP_ANON  2 /* anonymous memory, as for /dev/zero */
#define POGO_MMAP_EIO   3 /* mmap fails with -EIO, as for proc files */

/*
 * An open file description, shared by the fds that dup made from it. It
 * holds a reference on its vnode.
 */
struct pogo_file {
    const struct pogo_file_ops *ops;
    struct pogo_vnode *vnode;
    void *data;     /* the file kind's own state */
    unsigned flags; /* POGO_O_* as F_GETFL reports them */
    int64_t pos;
    unsigned refs;
    /*
     * The absolute path at open, or NULL; see pogo_file_name. A heap
     * string that pogo_file_put frees, so an anonymous file may set its
     * own name ("anon_inode:[eventfd]"). NOTE: a later rename of the file
     * or of a directory above it does not change this name, while
     * Linux's /proc/self/fd follows renames.
     */
    char *path;
};

/* Tells whether f was opened for reading or writing. */
bool pogo_file_readable(const struct pogo_file *f);
bool pogo_file_writable(const struct pogo_file *f);

/*
 * Creates a file on vnode v (taking a new reference on it) with ops and
 * flags, with one reference. Returns NULL when memory runs out.
 */
struct pogo_file *pogo_file_alloc(struct pogo_vnode *v,
                                  const struct pogo_file_ops *ops,
                                  unsigned flags);
void pogo_file_get(struct pogo_file *f);
void pogo_file_put(struct pogo_file *f);

/*
 * Called when the last reference to f goes away, before its release
 * method, so that epoll drops f from its interest lists. The syscall
 * layer provides it when epoll is built; the default does nothing.
 */
void pogo_epoll_file_closing(struct pogo_file *f);

/*
 * Writes the name that /proc/self/fd shows for f: its path (with
 * " (deleted)" once unlinked) or, for pipes, sockets and anonymous files,
 * "pipe:[ino]" and the like. Returns the length, truncated to size - 1.
 */
size_t pogo_file_name(const struct pogo_file *f, char *buf, size_t size);

/*
 * The memory-manager side of mapping an open file (pogo_vm_mmap_file):
 * the file is a struct pogo_file, its pages come from the vnode's page
 * method, and the vnode is the object that truncation zaps.
 */
extern const struct pogo_vm_file_ops pogo_vfs_vm_ops;

/* Reads or writes one kernel buffer; the same as the ops with a uio. */
long pogo_file_read_kernel(struct pogo_file *f, void *buf, size_t len,
                           int64_t *pos);
long pogo_file_write_kernel(struct pogo_file *f, const void *buf, size_t len,
                            int64_t *pos);

/* --- Vnodes -------------------------------------------------------------- */

/* Attribute changes for the setattr method. */
#define POGO_ATTR_MODE  (1u << 0)
#define POGO_ATTR_UID   (1u << 1)
#define POGO_ATTR_GID   (1u << 2)
#define POGO_ATTR_SIZE  (1u << 3)
#define POGO_ATTR_ATIME (1u << 4)
#define POGO_ATTR_MTIME (1u << 5)

struct pogo_attr {
    unsigned mask; /* POGO_ATTR_* to change; ctime changes with any */
    uint32_t mode; /* permission bits only */
    uint32_t uid, gid;
    uint64_t size;
    struct pogo_timespec atime, mtime;
};

/* statfs numbers, as Linux's struct statfs has them. */
struct pogo_statfs {
    int64_t type; /* magic number of the file system */
    int64_t bsize;
    uint64_t blocks, bfree, bavail;
    uint64_t files, ffree;
    int64_t namelen;
    int64_t flags;
};

/* fallocate modes. */
#define POGO_FALLOC_KEEP_SIZE  0x01
#define POGO_FALLOC_PUNCH_HOLE 0x02
#define POGO_FALLOC_ZERO_RANGE 0x10

/*
 * Operations of a vnode, set by its file system. Names are not
 * NUL-terminated: name and len. Methods a vnode lacks are NULL, and the
 * VFS then returns what Linux returns for such a file system (-EPERM to
 * create in procfs, for example).
 */
struct pogo_vnode_ops {
    /* Finds name in directory dir and returns a new reference in *out,
     * or -ENOENT. Never called with "." or "..". */
    int (*lookup)(struct pogo_vnode *dir, const char *name, size_t len,
                  struct pogo_vnode **out);
    /* Returns a new reference to the parent of directory dir. */
    struct pogo_vnode *(*parent)(struct pogo_vnode *dir);

    /* Create name in dir (which the VFS checked does not have it) and,
     * for create and mkdir, return a new reference to it in *out. mode
     * has the type bits. rdev is the device of a character device. */
    int (*create)(struct pogo_vnode *dir, const char *name, size_t len,
                  uint32_t mode, uint64_t rdev, struct pogo_vnode **out);
    int (*symlink)(struct pogo_vnode *dir, const char *name, size_t len,
                   const char *target);
    int (*link)(struct pogo_vnode *dir, const char *name, size_t len,
                struct pogo_vnode *v);
    /* Remove name, a non-directory (unlink) or an empty directory
     * (rmdir); the VFS has checked the type. */
    int (*unlink)(struct pogo_vnode *dir, const char *name, size_t len);
    int (*rmdir)(struct pogo_vnode *dir, const char *name, size_t len);
    /* Rename with renameat2 flags; checks everything that needs both
     * names (see pogo_vfs_rename). */
    int (*rename)(struct pogo_vnode *old_dir, const char *old_name,
                  size_t old_len, struct pogo_vnode *new_dir,
                  const char *new_name, size_t new_len, unsigned flags);
    /* Creates an unnamed regular file in dir's file system (O_TMPFILE). */
    int (*tmpfile)(struct pogo_vnode *dir, uint32_t mode,
                   struct pogo_vnode **out);

    /* Copies at most size bytes of a symlink's target and returns the
     * count copied. */
    long (*readlink)(struct pogo_vnode *v, char *buf, size_t size);
    /*
     * For magic links such as /proc/self/fd/N, which lookup follows to
     * what they name instead of reading a text: stores a new reference to
     * that vnode in *out. When the link names an open file, *file gets a
     * new reference to it, else NULL. NULL for ordinary symlinks.
     */
    int (*follow)(struct pogo_vnode *v, struct pogo_vnode **out,
                  struct pogo_file **file);

    /* Sets f->ops and f->data for a new open of v. */
    int (*open)(struct pogo_vnode *v, struct pogo_file *f);
    int (*setattr)(struct pogo_vnode *v, const struct pogo_attr *attr);
    int (*fallocate)(struct pogo_vnode *v, int mode, int64_t offset,
                     int64_t len);
    /*
     * For mmap: finds the frame with the page at offset (page aligned).
     * With create, a hole gets a zeroed page; without, *frame is 0 for a
     * hole. Returns 0, -ENXIO past the last page, or -ENOMEM.
     */
    int (*page)(struct pogo_vnode *v, uint64_t offset, bool create,
                uintptr_t *frame);
    /*
     * Writes the name of directory v in its parent, truncated to size;
     * returns its length, or -ENOENT once removed. For getcwd.
     */
    long (*dir_name)(struct pogo_vnode *v, char *buf, size_t size);

    /* Called when the last reference goes away; may free v. */
    void (*release)(struct pogo_vnode *v);
};

/* A record lock held by the process (fcntl F_SETLK). */
struct pogo_lock {
    struct pogo_lock *next;
    int64_t start;
    int64_t end; /* inclusive; POGO_OFFSET_MAX: to the end of the file */
    int type;    /* F_RDLCK or F_WRLCK */
};

/*
 * A file, directory, symlink or device of a file system, or an anonymous
 * object (a pipe). The attributes are those stat reports; the file system
 * keeps them current.
 */
struct pogo_vnode {
    const struct pogo_vnode_ops *ops;
    struct pogo_fs *fs;
    void *data; /* the file system's own */
    uint64_t ino;
    uint32_t mode; /* type and permission bits */
    uint32_t nlink;
    uint32_t uid, gid;
    uint64_t rdev;
    uint64_t size;
    uint64_t blocks; /* 512-byte units allocated */
    struct pogo_timespec atime, mtime, ctime, btime;
    unsigned refs;
    struct pogo_fs *mounted; /* file system mounted on this directory */
    struct pogo_lock *locks;
};

/* Fills the common fields of a new vnode of fs: one reference, times now
 * and a fresh inode number. */
void pogo_vnode_init(struct pogo_vnode *v, struct pogo_fs *fs, uint32_t mode,
                     const struct pogo_vnode_ops *ops);
void pogo_vnode_get(struct pogo_vnode *v);
void pogo_vnode_put(struct pogo_vnode *v);

/* Current wall-clock time for timestamps. */
struct pogo_timespec pogo_vfs_now(void);

/* Sets mtime and ctime (a write) or ctime (a metadata change) to now. */
void pogo_vnode_touch_write(struct pogo_vnode *v);
void pogo_vnode_touch_change(struct pogo_vnode *v);

/*
 * Creates a vnode outside any directory, for pipes and sockets, with one
 * reference; its fs is the anonymous file system. With ops NULL the vnode
 * is freed with its last reference; otherwise ops->release must free it
 * with pogo_free. Returns NULL when memory runs out.
 */
struct pogo_vnode *pogo_vnode_anon(uint32_t mode,
                                   const struct pogo_vnode_ops *ops);

/* --- File systems and mounts --------------------------------------------- */

struct pogo_fs {
    const char *type;  /* "ramfs", "proc", as /proc/mounts shows them */
    const char *where; /* mount point, for /proc/mounts */
    uint64_t dev;      /* st_dev of its vnodes */
    int mount_id;
    struct pogo_vnode *root;
    struct pogo_vnode *covered; /* the vnode it is mounted on */
    struct pogo_fs *next;       /* list of mounted file systems */
    uint64_t next_ino;
    int (*statfs)(struct pogo_fs *fs, struct pogo_statfs *st);
    void *data;
};

/*
 * Gives fs a device number and mount id. A file system calls this before
 * it creates vnodes.
 */
void pogo_fs_init(struct pogo_fs *fs, const char *type);

/*
 * Mounts fs: at "/" when no root exists yet, otherwise on the directory
 * path. Returns 0, -ENOENT, -ENOTDIR or -EBUSY (already a mount point).
 */
int pogo_vfs_mount(struct pogo_fs *fs, const char *path);

/* The root directory, or NULL before the root is mounted. */
struct pogo_vnode *pogo_vfs_root(void);

/* The first mounted file system, for /proc/mounts; follow fs->next. */
struct pogo_fs *pogo_vfs_mounts(void);

/* Character devices, opened through device nodes with this rdev. */
struct pogo_chrdev {
    uint64_t rdev;
    /* Sets f->ops and f->data. */
    int (*open)(struct pogo_vnode *v, struct pogo_file *f);
    struct pogo_chrdev *next;
};

/* Registers dev; the struct must stay valid. */
void pogo_vfs_register_chrdev(struct pogo_chrdev *dev);

/* --- The fd table -------------------------------------------------------- */

/*
 * Puts f in the lowest free fd at or above min, taking over the caller's
 * reference. Returns the fd, -EMFILE when all fds below the limit are in
 * use, -EINVAL when min is at or above the limit, or -ENOMEM.
 */
int pogo_fd_install(struct pogo_file *f, int min, bool cloexec);

/*
 * Returns a new reference to the file of fd, or NULL when fd is not open.
 * pogo_fd_get skips O_PATH files, as Linux's fdget does; raw does not.
 */
struct pogo_file *pogo_fd_get(int fd);
struct pogo_file *pogo_fd_get_raw(int fd);

/* Returns the fd that pogo_fd_install would take, or -EMFILE. */
int pogo_fd_lowest_free(int min);

/* Closes fd. Returns 0 or -EBADF. Drops the process's record locks on
 * the file, as POSIX requires of any close. */
int pogo_fd_close(int fd);

/*
 * Makes newfd refer to the file of oldfd, closing what newfd had open.
 * Returns newfd, -EBADF or -EINVAL (newfd out of range).
 */
int pogo_fd_dup2(int oldfd, int newfd, bool cloexec);

/* Gets or sets the close-on-exec flag. Return 0/1 or -EBADF. */
int pogo_fd_get_cloexec(int fd);
int pogo_fd_set_cloexec(int fd, bool cloexec);

/* Calls fn for each open fd in order; fn must not change the table. */
void pogo_fd_for_each(void (*fn)(int fd, struct pogo_file *f, void *arg),
                      void *arg);

/* The fd limit (RLIMIT_NOFILE) and the table size now. */
int pogo_fd_limit(void);
int pogo_fd_table_size(void);

/* Sets the fd limit, for setrlimit; open fds above it stay open.
 * Returns 0, or -EINVAL for a limit below 1. */
int pogo_fd_set_limit(int limit);

/* --- Paths and operations on them ---------------------------------------- */

/*
 * The operations below take a path (a kernel string) and the directory
 * a relative path starts from: the file of a directory fd, or NULL for
 * the working directory. They follow Linux's lookup rules for "." and
 * "..", and for symlinks (-ELOOP after POGO_SYMLOOP_MAX). A component
 * over POGO_NAME_MAX bytes gives -ENAMETOOLONG, an empty path -ENOENT,
 * and a non-directory used as one -ENOTDIR. A trailing slash means that
 * the last component must be a directory.
 */

/* Lookup flags. */
#define POGO_LOOKUP_FOLLOW    (1u << 0) /* follow a symlink at the end */
#define POGO_LOOKUP_DIRECTORY (1u << 1) /* the result must be a directory */
#define POGO_LOOKUP_EMPTY     (1u << 2) /* "" names dir itself */

/* Looks path up and returns a new reference to its vnode in *out. */
int pogo_vfs_lookup(struct pogo_file *dir, const char *path, unsigned flags,
                    struct pogo_vnode **out);

/* Checks open(2) flags alone, as Linux does before anything else:
 * -EINVAL for a bad O_TMPFILE combination or O_CREAT | O_DIRECTORY. */
int pogo_vfs_check_open_flags(unsigned flags);

/*
 * Opens path with open(2) flags (POGO_O_*) and mode (for O_CREAT; the
 * umask is applied here) and returns the new file in *out.
 */
int pogo_vfs_open(struct pogo_file *dir, const char *path, unsigned flags,
                  uint32_t mode, struct pogo_file **out);

/* Opens the vnode v as open(2) would once found (type checks, O_TRUNC). */
int pogo_vfs_open_vnode(struct pogo_vnode *v, unsigned flags,
                        struct pogo_file **out);

int pogo_vfs_mkdir(struct pogo_file *dir, const char *path, uint32_t mode);
int pogo_vfs_mknod(struct pogo_file *dir, const char *path, uint32_t mode,
                   uint64_t rdev);
int pogo_vfs_symlink(const char *target, struct pogo_file *dir,
                     const char *path);
int pogo_vfs_link(struct pogo_file *old_dir, const char *old_path,
                  struct pogo_file *new_dir, const char *new_path,
                  unsigned flags);
int pogo_vfs_unlink(struct pogo_file *dir, const char *path);
int pogo_vfs_rmdir(struct pogo_file *dir, const char *path);

/*
 * Renames with renameat2 flags (POGO_RENAME_*), with POSIX's rules:
 * -EISDIR (a file onto a directory), -ENOTDIR, -ENOTEMPTY, -EINVAL (a
 * directory into itself), -EXDEV, -EBUSY (a mount point, "." or ".."),
 * -EEXIST (NOREPLACE). Renaming a name onto another name of the same file
 * does nothing. A replaced file stays readable through open fds.
 */
int pogo_vfs_rename(struct pogo_file *old_dir, const char *old_path,
                    struct pogo_file *new_dir, const char *new_path,
                    unsigned flags);

/* Copies the target of the symlink path (not followed). */
long pogo_vfs_readlink(struct pogo_file *dir, const char *path, char *buf,
                       size_t size);

/* Changes attributes of v (chmod, chown, utimens, truncate). */
int pogo_vfs_setattr(struct pogo_vnode *v, const struct pogo_attr *attr);

/* Truncates or extends the regular file v. -EISDIR, -EINVAL, -EFBIG. */
int pogo_vfs_truncate(struct pogo_vnode *v, int64_t size);

int pogo_vfs_statfs(struct pogo_vnode *v, struct pogo_statfs *st);

/*
 * Changes the working directory to v (a directory), named path for
 * getcwd's fallback. Takes a new reference on v.
 */
int pogo_vfs_chdir(struct pogo_vnode *v, const char *path);

/* A new reference to the working directory. */
struct pogo_vnode *pogo_vfs_cwd(void);

/* Writes the working directory's path; -ENOENT once it was removed,
 * -ERANGE when it does not fit. Returns the length with the NUL. */
long pogo_vfs_getcwd(char *buf, size_t size);

/* The file-creation mask, applied by open, mkdir and mknod. */
uint32_t pogo_vfs_umask(uint32_t mask);

/*
 * Path helpers for kernel code that builds a tree at boot (the initrd).
 * Paths are absolute or relative to the working directory, and modes are
 * applied exactly, without the umask. chown and set_mtime do not follow a
 * final symlink; set_mtime sets the access time too, as Linux's initramfs
 * does. create_file replaces the contents of an existing file.
 */
int pogo_vfs_mkdir_path(const char *path, unsigned mode);
int pogo_vfs_create_file(const char *path, unsigned mode, const void *data,
                         size_t size);
int pogo_vfs_symlink_path(const char *target, const char *path);
int pogo_vfs_chown_path(const char *path, unsigned uid, unsigned gid);
int pogo_vfs_set_mtime(const char *path, int64_t seconds);

/* --- Record locks -------------------------------------------------------- */

#define POGO_F_RDLCK 0
#define POGO_F_WRLCK 1
#define POGO_F_UNLCK 2

/*
 * Sets (F_RDLCK, F_WRLCK) or removes (F_UNLCK) the process's lock on the
 * inclusive byte range [start, end] of v, merging and splitting ranges as
 * POSIX requires. Returns 0 or -ENOLCK when memory runs out.
 */
int pogo_lock_set(struct pogo_vnode *v, int type, int64_t start, int64_t end);

/* Drops every lock of the process on v. */
void pogo_lock_release_all(struct pogo_vnode *v);

#endif
