/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The fd table of the one process: an array of open files that grows as
 * fds are used, up to the limit, with a close-on-exec flag per fd. New
 * fds take the lowest free number, as POSIX requires.
 */
#include <pogo/alloc.h>
#include <pogo/errno.h>
#include <pogo/string.h>
#include <pogo/vfs.h>

#define TABLE_MIN 16

static struct pogo_file **files;
static bool *cloexec_flags;
static int table_size;
static int fd_limit = POGO_FD_LIMIT;
static int lowest_free; /* no free fd below this one */

int pogo_fd_limit(void)
{
    return fd_limit;
}

int pogo_fd_table_size(void)
{
    return table_size;
}

int pogo_fd_set_limit(int limit)
{
    if (limit < 1)
        return -EINVAL;
    fd_limit = limit;
    return 0;
}

/* Grows the table to hold at least fd + 1 entries. */
static int grow(int fd)
{
    int size = table_size ? table_size : TABLE_MIN;
    struct pogo_file **new_files;
    bool *new_flags;

    while (size <= fd)
        size *= 2;
    /* fd is below the limit, but a lowered limit may be below the size. */
    size = POGO_MAX(POGO_MIN(size, fd_limit), table_size);
    if (size <= fd)
        return -EMFILE;
    new_files = pogo_calloc(size, sizeof(*new_files));
    new_flags = pogo_calloc(size, sizeof(*new_flags));
    if (!new_files || !new_flags) {
        pogo_free(new_files);
        pogo_free(new_flags);
        return -ENOMEM;
    }
    if (table_size) {
        pogo_memcpy(new_files, files, table_size * sizeof(*files));
        pogo_memcpy(new_flags, cloexec_flags,
                    table_size * sizeof(*cloexec_flags));
    }
    pogo_free(files);
    pogo_free(cloexec_flags);
    files = new_files;
    cloexec_flags = new_flags;
    table_size = size;
    return 0;
}

static int find_free(int min)
{
    int fd = POGO_MAX(min, lowest_free);

    while (fd < table_size && files[fd])
        fd++;
    return fd;
}

int pogo_fd_lowest_free(int min)
{
    int fd = find_free(min);

    return fd < fd_limit ? fd : -EMFILE;
}

int pogo_fd_install(struct pogo_file *f, int min, bool cloexec)
{
    int fd;

    if (min < 0 || min >= fd_limit)
        return -EINVAL;
    fd = find_free(min);
    if (fd >= fd_limit)
        return -EMFILE;
    if (fd >= table_size && grow(fd) != 0)
        return -ENOMEM;
    files[fd] = f;
    cloexec_flags[fd] = cloexec;
    if (min <= lowest_free)
        lowest_free = fd + 1;
    return fd;
}

static struct pogo_file *lookup(int fd)
{
    if (fd < 0 || fd >= table_size)
        return NULL;
    return files[fd];
}

struct pogo_file *pogo_fd_get_raw(int fd)
{
    struct pogo_file *f = lookup(fd);

    if (f)
        pogo_file_get(f);
    return f;
}

struct pogo_file *pogo_fd_get(int fd)
{
    struct pogo_file *f = lookup(fd);

    if (!f || (f->flags & POGO_O_PATH))
        return NULL;
    pogo_file_get(f);
    return f;
}

/* Empties slot fd and drops its reference, with POSIX's lock release. */
static void clear_slot(int fd)
{
    struct pogo_file *f = files[fd];

    files[fd] = NULL;
    cloexec_flags[fd] = false;
    if (fd < lowest_free)
        lowest_free = fd;
    pogo_lock_release_all(f->vnode);
    pogo_file_put(f);
}

int pogo_fd_close(int fd)
{
    if (!lookup(fd))
        return -EBADF;
    clear_slot(fd);
    return 0;
}

int pogo_fd_dup2(int oldfd, int newfd, bool cloexec)
{
    struct pogo_file *f = lookup(oldfd);

    if (!f)
        return -EBADF;
    if (newfd < 0 || newfd >= fd_limit)
        return -EBADF;
    if (newfd >= table_size && grow(newfd) != 0)
        return -ENOMEM;
    pogo_file_get(f);
    if (files[newfd])
        clear_slot(newfd);
    files[newfd] = f;
    cloexec_flags[newfd] = cloexec;
    if (newfd == lowest_free)
        lowest_free = find_free(newfd);
    return newfd;
}

int pogo_fd_get_cloexec(int fd)
{
    if (!lookup(fd))
        return -EBADF;
    return cloexec_flags[fd];
}

int pogo_fd_set_cloexec(int fd, bool cloexec)
{
    if (!lookup(fd))
        return -EBADF;
    cloexec_flags[fd] = cloexec;
    return 0;
}

void pogo_fd_for_each(void (*fn)(int fd, struct pogo_file *f, void *arg),
                      void *arg)
{
    for (int fd = 0; fd < table_size; fd++) {
        if (files[fd])
            fn(fd, files[fd], arg);
    }
}
