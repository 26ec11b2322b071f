/* SPDX-License-Identifier: BSD-3-Clause */
/* eventfd: a 64-bit counter as a file, with Linux's read and write rules. */
#include <pogo/alloc.h>
#include <pogo/errno.h>
#include <pogo/uaccess.h>
#include <pogo/vfs.h>

#include "syscalls.h"

#define EFD_SEMAPHORE 1
#define EFD_CLOEXEC   02000000
#define EFD_NONBLOCK  04000
#define COUNT_MAX     0xfffffffffffffffeULL

struct eventfd {
    uint64_t count;
    bool semaphore;
    struct pogo_poll_head poll;
};

static unsigned readiness(const struct eventfd *e)
{
    unsigned mask = 0;

    if (e->count > 0)
        mask |= POGO_POLLIN | POGO_POLLRDNORM;
    if (e->count < COUNT_MAX)
        mask |= POGO_POLLOUT | POGO_POLLWRNORM;
    return mask;
}

static long efd_read(struct pogo_file *f, struct pogo_uio *u, int64_t *pos)
{
    struct eventfd *e = f->data;
    uint64_t value;
    int err;

    if (u->resid < sizeof(value))
        return -EINVAL;
    while (e->count == 0) {
        if (f->flags & POGO_O_NONBLOCK)
            return -EAGAIN;
        err = pogo_poll_wait(&e->poll, 0);
        if (err)
            return err;
    }
    value = e->semaphore ? 1 : e->count;
    if (pogo_uio_copy_out(u, &value, sizeof(value)))
        return -EFAULT;
    e->count -= value;
    pogo_poll_notify(&e->poll, readiness(e));
    return sizeof(value);
}

static long efd_write(struct pogo_file *f, struct pogo_uio *u, int64_t *pos)
{
    struct eventfd *e = f->data;
    uint64_t value;
    int err;

    if (u->resid < sizeof(value))
        return -EINVAL;
    if (pogo_uio_copy_in(u, &value, sizeof(value)))
        return -EFAULT;
    if (value == UINT64_MAX)
        return -EINVAL;
    while (COUNT_MAX - e->count < value) {
        if (f->flags & POGO_O_NONBLOCK)
            return -EAGAIN;
        err = pogo_poll_wait(&e->poll, 0);
        if (err)
            return err;
    }
    e->count += value;
    pogo_poll_notify(&e->poll, readiness(e));
    return sizeof(value);
}

static unsigned efd_poll(struct pogo_file *f, struct pogo_poll_head **head)
{
    struct eventfd *e = f->data;

    *head = &e->poll;
    return readiness(e);
}

/* Linux's eventfd accepts any seek and stays at position 0. */
static int64_t efd_llseek(struct pogo_file *f, int64_t offset, int whence)
{
    return f->pos;
}

static void efd_release(struct pogo_file *f)
{
    pogo_free(f->data);
}

static const struct pogo_file_ops eventfd_ops = {
    .read = efd_read,
    .write = efd_write,
    .llseek = efd_llseek,
    .no_positional_io = true,
    .poll = efd_poll,
    .release = efd_release,
};

long sys_eventfd2(unsigned int initval, int flags)
{
    struct eventfd *e;
    struct pogo_vnode *v;
    struct pogo_file *f = NULL;
    int fd;

    if (flags & ~(EFD_SEMAPHORE | EFD_CLOEXEC | EFD_NONBLOCK))
        return -EINVAL;
    e = pogo_calloc(1, sizeof(*e));
    v = pogo_vnode_anon(POGO_S_IFREG | 0600, NULL);
    if (e && v)
        f = pogo_file_alloc(v, &eventfd_ops,
                            POGO_O_RDWR |
                                ((flags & EFD_NONBLOCK) ? POGO_O_NONBLOCK : 0));
    if (v)
        pogo_vnode_put(v);
    if (!f) {
        pogo_free(e);
        return -ENOMEM;
    }
    e->count = initval;
    e->semaphore = flags & EFD_SEMAPHORE;
    f->data = e;
    fd = pogo_fd_install(f, 0, flags & EFD_CLOEXEC);
    if (fd < 0)
        pogo_file_put(f);
    return fd;
}

long sys_eventfd(unsigned int initval)
{
    return sys_eventfd2(initval, 0);
}
