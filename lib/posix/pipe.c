/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Pipes, with Linux's buffer model: a ring of slots (16 by default, one
 * page each), where a write smaller than a page joins the last slot when
 * it fits and otherwise takes new slots. So a write of up to PIPE_BUF
 * (4096) bytes is atomic, the capacity is 64 KiB, and the counts of a
 * non-blocking writer match Linux's. O_DIRECT makes a packet pipe: each
 * write is one slot, and a read takes at most one.
 */
#include <pogo/alloc.h>
#include <pogo/errno.h>
#include <pogo/mm.h>
#include <pogo/uaccess.h>

#include "files.h"
#include "syscalls.h"

#define DEFAULT_SLOTS 16
#define MAX_SIZE      (1u << 20) /* Linux's /proc/sys/fs/pipe-max-size */
#define PAGE_MASK     (POGO_PAGE_SIZE - 1)

#define PIPE2_FLAGS (POGO_O_CLOEXEC | POGO_O_NONBLOCK | POGO_O_DIRECT)

struct slot {
    uintptr_t page;
    uint16_t offset;
    uint16_t len;
    bool can_merge;
    bool packet;
};

struct pipe {
    struct slot *slots;
    unsigned nslots; /* a power of two */
    unsigned head;   /* next slot to fill; head - tail are in use */
    unsigned tail;
    unsigned readers;
    unsigned writers;
    struct pogo_poll_head poll;
};

static const struct pogo_file_ops pipe_ops;

static struct pipe *pipe_of(struct pogo_file *f)
{
    return f->vnode->data;
}

static bool is_empty(const struct pipe *p)
{
    return p->head == p->tail;
}

static bool is_full(const struct pipe *p)
{
    return p->head - p->tail >= p->nslots;
}

static struct slot *slot_at(struct pipe *p, unsigned index)
{
    return &p->slots[index & (p->nslots - 1)];
}

static size_t bytes_in(struct pipe *p)
{
    size_t n = 0;

    for (unsigned i = p->tail; i != p->head; i++)
        n += slot_at(p, i)->len;
    return n;
}

/* Waits for the pipe to change; 0 or -EINTR. */
static int wait_change(struct pipe *p)
{
    int err = pogo_poll_wait(&p->poll, 0);

    return err == -EINTR ? -EINTR : 0;
}

/* The bits of the notifications, as Linux's wakeup keys: epoll uses
 * them to tell a reader's event from a writer's. */
#define READABLE (POGO_POLLIN | POGO_POLLRDNORM)
#define WRITABLE (POGO_POLLOUT | POGO_POLLWRNORM)

static long pipe_read(struct pogo_file *f, struct pogo_uio *u, int64_t *pos)
{
    struct pipe *p = pipe_of(f);
    bool was_full = false;
    long ret = 0;

    if (!u->resid)
        return 0;
    for (;;) {
        if (!is_empty(p)) {
            struct slot *s = slot_at(p, p->tail);
            size_t chars = POGO_MIN((size_t)s->len, u->resid);

            if (pogo_uio_copy_out(u, (void *)(s->page + s->offset), chars)) {
                if (!ret)
                    ret = -EFAULT;
                break;
            }
            ret += chars;
            s->offset += chars;
            s->len -= chars;
            if (s->packet)
                s->len = 0; /* a packet's rest is dropped, as on Linux */
            if (!s->len) {
                was_full |= is_full(p);
                pogo_frames_free(s->page, 0);
                s->page = 0;
                p->tail++;
            }
            if (!u->resid || s->packet)
                break;
            if (!is_empty(p))
                continue;
        }
        if (!p->writers || ret)
            break;
        if (f->flags & POGO_O_NONBLOCK) {
            ret = -EAGAIN;
            break;
        }
        if (wait_change(p)) {
            ret = -EINTR;
            break;
        }
    }
    /* As Linux, writers hear of a read only when it made room. */
    if (was_full)
        pogo_poll_notify(&p->poll, WRITABLE);
    return ret;
}

/* Joins the start of a short write to the last slot, as Linux does. */
static long merge_tail(struct pogo_file *f, struct pipe *p, struct pogo_uio *u)
{
    size_t chars = u->resid & PAGE_MASK;
    struct slot *last;
    size_t offset;

    if (!chars || is_empty(p))
        return 0;
    last = slot_at(p, p->head - 1);
    offset = last->offset + last->len;
    if (!last->can_merge || offset + chars > POGO_PAGE_SIZE)
        return 0;
    if (pogo_uio_copy_in(u, (void *)(last->page + offset), chars))
        return -EFAULT;
    last->len += chars;
    return chars;
}

/* Fills one new slot from u. Returns the bytes taken or an errno. */
static long fill_slot(struct pogo_file *f, struct pipe *p, struct pogo_uio *u)
{
    struct slot *s = slot_at(p, p->head);
    size_t n = POGO_MIN(u->resid, POGO_PAGE_SIZE);
    uintptr_t page = pogo_frames_alloc(0);

    if (!page)
        return -ENOMEM;
    if (pogo_uio_copy_in(u, (void *)page, n)) {
        pogo_frames_free(page, 0);
        return -EFAULT;
    }
    *s = (struct slot){
        .page = page,
        .len = n,
        .can_merge = !(f->flags & POGO_O_DIRECT),
        .packet = f->flags & POGO_O_DIRECT,
    };
    p->head++;
    return n;
}

static long pipe_write(struct pogo_file *f, struct pogo_uio *u, int64_t *pos)
{
    struct pipe *p = pipe_of(f);
    long ret, n;

    if (!u->resid)
        return 0;
    if (!p->readers) {
        posix_send_sigpipe();
        return -EPIPE;
    }
    ret = merge_tail(f, p, u);
    while (ret >= 0 && u->resid) {
        if (!p->readers) {
            posix_send_sigpipe();
            if (!ret)
                ret = -EPIPE;
            break;
        }
        if (!is_full(p)) {
            n = fill_slot(f, p, u);
            if (n < 0) {
                if (!ret)
                    ret = n;
                break;
            }
            ret += n;
            continue;
        }
        if (f->flags & POGO_O_NONBLOCK) {
            if (!ret)
                ret = -EAGAIN;
            break;
        }
        pogo_poll_notify(&p->poll, READABLE);
        if (wait_change(p)) {
            if (!ret)
                ret = -EINTR;
            break;
        }
    }
    if (ret > 0)
        pogo_poll_notify(&p->poll, READABLE);
    return ret;
}

static unsigned pipe_poll(struct pogo_file *f, struct pogo_poll_head **head)
{
    struct pipe *p = pipe_of(f);
    unsigned mask = 0;

    *head = &p->poll;
    if (pogo_file_readable(f)) {
        if (!is_empty(p))
            mask |= POGO_POLLIN | POGO_POLLRDNORM;
        if (!p->writers)
            mask |= POGO_POLLHUP;
    }
    if (pogo_file_writable(f)) {
        if (!is_full(p))
            mask |= POGO_POLLOUT | POGO_POLLWRNORM;
        if (!p->readers)
            mask |= POGO_POLLERR;
    }
    return mask;
}

static long pipe_ioctl(struct pogo_file *f, unsigned int cmd, unsigned long arg)
{
    int n;

    if (cmd != LINUX_FIONREAD)
        return -ENOTTY;
    n = bytes_in(pipe_of(f));
    return pogo_copy_to_user((void *)arg, &n, sizeof(n));
}

static void pipe_release(struct pogo_file *f)
{
    struct pipe *p = pipe_of(f);

    if (pogo_file_readable(f))
        p->readers--;
    if (pogo_file_writable(f))
        p->writers--;
    pogo_poll_notify(&p->poll,
                     READABLE | WRITABLE | POGO_POLLHUP | POGO_POLLERR);
}

static const struct pogo_file_ops pipe_ops = {
    .read = pipe_read,
    .write = pipe_write,
    .poll = pipe_poll,
    .ioctl = pipe_ioctl,
    .release = pipe_release,
};

/* An open of the pipe through /proc/self/fd adds a reader or writer. */
static int pipe_vnode_open(struct pogo_vnode *v, struct pogo_file *f)
{
    struct pipe *p = v->data;

    f->ops = &pipe_ops;
    f->flags &= ~POGO_O_LARGEFILE;
    if (pogo_file_readable(f))
        p->readers++;
    if (pogo_file_writable(f))
        p->writers++;
    return 0;
}

static void free_pipe(struct pipe *p)
{
    while (!is_empty(p)) {
        pogo_frames_free(slot_at(p, p->tail)->page, 0);
        p->tail++;
    }
    pogo_free(p->slots);
    pogo_free(p);
}

static void pipe_vnode_release(struct pogo_vnode *v)
{
    free_pipe(v->data);
    pogo_free(v);
}

static const struct pogo_vnode_ops pipe_vnode_ops = {
    .open = pipe_vnode_open,
    .release = pipe_vnode_release,
};

/* --- F_GETPIPE_SZ and F_SETPIPE_SZ --------------------------------------- */

static long set_size(struct pipe *p, unsigned int arg)
{
    unsigned long pages = ((unsigned long)arg + PAGE_MASK) >> POGO_PAGE_SHIFT;
    unsigned nslots = 1;
    struct slot *slots;

    if (arg > (1u << 31))
        return -EINVAL;
    while (nslots < pages)
        nslots *= 2;
    if ((unsigned long)nslots * POGO_PAGE_SIZE > MAX_SIZE)
        return -EPERM; /* as Linux without CAP_SYS_RESOURCE */
    if (nslots < p->head - p->tail)
        return -EBUSY;
    slots = pogo_calloc(nslots, sizeof(*slots));
    if (!slots)
        return -ENOMEM;
    for (unsigned i = 0; p->tail + i != p->head; i++)
        slots[i] = *slot_at(p, p->tail + i);
    p->head -= p->tail;
    p->tail = 0;
    pogo_free(p->slots);
    p->slots = slots;
    p->nslots = nslots;
    pogo_poll_notify(&p->poll, WRITABLE);
    return (long)nslots * POGO_PAGE_SIZE;
}

long posix_pipe_fcntl(struct pogo_file *f, bool set, unsigned long arg)
{
    struct pipe *p;

    if (f->ops != &pipe_ops)
        return -EBADF;
    p = pipe_of(f);
    if (set)
        return set_size(p, arg);
    return (long)p->nslots * POGO_PAGE_SIZE;
}

/* --- pipe and pipe2 ------------------------------------------------------ */

static struct pogo_vnode *new_pipe(void)
{
    struct pipe *p = pogo_calloc(1, sizeof(*p));
    struct pogo_vnode *v;

    if (!p)
        return NULL;
    p->nslots = DEFAULT_SLOTS;
    p->slots = pogo_calloc(DEFAULT_SLOTS, sizeof(*p->slots));
    v = p->slots ? pogo_vnode_anon(POGO_S_IFIFO | 0600, &pipe_vnode_ops) : NULL;
    if (!v) {
        pogo_free(p->slots);
        pogo_free(p);
        return NULL;
    }
    v->data = p;
    p->readers = p->writers = 1;
    return v;
}

long sys_pipe2(long fds, int flags)
{
    unsigned keep = flags & (POGO_O_NONBLOCK | POGO_O_DIRECT);
    bool cloexec = flags & POGO_O_CLOEXEC;
    struct pogo_file *rf, *wf = NULL;
    struct pogo_vnode *v;
    int pair[2];

    if (flags & ~PIPE2_FLAGS)
        return -EINVAL;
    v = new_pipe();
    if (!v)
        return -ENFILE;
    rf = pogo_file_alloc(v, &pipe_ops, POGO_O_RDONLY | keep);
    if (rf)
        wf = pogo_file_alloc(v, &pipe_ops, POGO_O_WRONLY | keep);
    pogo_vnode_put(v); /* the files hold it now */
    if (!wf) {
        if (rf)
            pogo_file_put(rf);
        return -ENFILE;
    }
    pair[0] = pogo_fd_install(rf, 0, cloexec);
    if (pair[0] < 0) {
        pogo_file_put(rf);
        pogo_file_put(wf);
        return pair[0];
    }
    pair[1] = pogo_fd_install(wf, 0, cloexec);
    if (pair[1] < 0) {
        pogo_fd_close(pair[0]);
        pogo_file_put(wf);
        return pair[1];
    }
    /* No other thread runs before this copy, so the fds are not seen
     * before it succeeds, as on Linux. */
    if (pogo_copy_to_user((void *)fds, pair, sizeof(pair))) {
        pogo_fd_close(pair[0]);
        pogo_fd_close(pair[1]);
        return -EFAULT;
    }
    return 0;
}

long sys_pipe(long fds)
{
    return sys_pipe2(fds, 0);
}
