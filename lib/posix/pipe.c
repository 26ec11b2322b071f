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
    uintptr_t page; /* a frame, or a heap buffer for a message */
    uint32_t offset;
    uint32_t len;
    bool can_merge;
    bool packet;
    bool heap;
};

struct pipe {
    struct slot *slots;
    unsigned nslots; /* a power of two */
    unsigned head;   /* next slot to fill; head - tail are in use */
    unsigned tail;
    unsigned readers;
    unsigned writers;
    struct pogo_poll_head poll;
    /* Readers wait on and hear of new data on read_head, writers of room
     * on write_head: both are poll for a pipe, and the two ends' heads
     * for a direction of a socket pair. */
    struct pogo_poll_head *read_head;
    struct pogo_poll_head *write_head;
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

/* Waits for head to be notified; 0 or -EINTR. */
static int wait_change(struct pogo_poll_head *head)
{
    int err = pogo_poll_wait(head, 0);

    return err == -EINTR ? -EINTR : 0;
}

/* The bits of the notifications, as Linux's wakeup keys: epoll uses
 * them to tell a reader's event from a writer's. */
#define READABLE (POGO_POLLIN | POGO_POLLRDNORM)
#define WRITABLE (POGO_POLLOUT | POGO_POLLWRNORM)

static void free_slot(struct slot *s)
{
    if (s->heap)
        pogo_free((void *)s->page);
    else
        pogo_frames_free(s->page, 0);
    s->page = 0;
}

/* Copies the data at the front of p to u without taking it: one packet, or
 * the bytes of every slot up to u's size. */
static long peek(struct pipe *p, struct pogo_uio *u, size_t *packet_len)
{
    long ret = 0;

    for (unsigned i = p->tail; i != p->head && u->resid; i++) {
        struct slot *s = slot_at(p, i);
        size_t chars = POGO_MIN((size_t)s->len, u->resid);

        if (packet_len)
            *packet_len = s->len;
        if (pogo_uio_copy_out(u, (void *)(s->page + s->offset), chars))
            return ret ? ret : -EFAULT;
        ret += chars;
        if (s->packet)
            break;
    }
    return ret;
}

long posix_pipe_read(struct pipe *p, struct pogo_uio *u, int flags,
                     size_t *packet_len)
{
    bool was_full = false;
    long ret = 0;

    if (!u->resid)
        return 0;
    for (;;) {
        if (!is_empty(p) && (flags & POSIX_PIPE_PEEK))
            return peek(p, u, packet_len);
        if (!is_empty(p)) {
            struct slot *s = slot_at(p, p->tail);
            size_t chars = POGO_MIN((size_t)s->len, u->resid);

            if (packet_len)
                *packet_len = s->len;
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
                free_slot(s);
                p->tail++;
            }
            if (!u->resid || s->packet)
                break;
            if (!is_empty(p))
                continue;
        }
        if (!p->writers || ret)
            break;
        if (flags & POSIX_PIPE_NONBLOCK) {
            ret = -EAGAIN;
            break;
        }
        if (wait_change(p->read_head)) {
            ret = -EINTR;
            break;
        }
    }
    /* As Linux, writers hear of a read only when it made room. */
    if (was_full)
        pogo_poll_notify(p->write_head, WRITABLE);
    return ret;
}

/* The POSIX_PIPE_ flags of an access through f. */
static int access_flags(struct pogo_file *f)
{
    return ((f->flags & POGO_O_NONBLOCK) ? POSIX_PIPE_NONBLOCK : 0) |
           ((f->flags & POGO_O_DIRECT) ? POSIX_PIPE_PACKET : 0);
}

static long pipe_read(struct pogo_file *f, struct pogo_uio *u, int64_t *pos)
{
    return posix_pipe_read(pipe_of(f), u, access_flags(f), NULL);
}

/* Joins the start of a short write to the last slot, as Linux does. */
static long merge_tail(struct pipe *p, struct pogo_uio *u)
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
static long fill_slot(struct pipe *p, struct pogo_uio *u, int flags)
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
        .can_merge = !(flags & POSIX_PIPE_PACKET),
        .packet = flags & POSIX_PIPE_PACKET,
    };
    p->head++;
    return n;
}

/* Whether a write finds no one to read: the readers are gone, or, in a
 * socket pair, the direction was shut down. */
static bool is_broken(const struct pipe *p)
{
    return !p->readers || !p->writers;
}

static void raise_sigpipe(int flags)
{
    if (!(flags & POSIX_PIPE_NOSIGNAL))
        posix_send_sigpipe();
}

/* Whether a message of len bytes may join the queue: a slot is free, and
 * the bytes queued stay within POSIX_PIPE_MESSAGE_BYTES unless it is alone. */
static bool has_room_for(struct pipe *p, size_t len)
{
    return !is_full(p) &&
           (is_empty(p) || bytes_in(p) + len <= POSIX_PIPE_MESSAGE_BYTES);
}

/* Queues all of u as one message in a heap buffer, waiting for room. */
static long write_message(struct pipe *p, struct pogo_uio *u, int flags)
{
    size_t len = u->resid;
    struct slot *s;
    void *buf;

    for (;;) {
        if (is_broken(p)) {
            raise_sigpipe(flags);
            return -EPIPE;
        }
        if (has_room_for(p, len))
            break;
        if (flags & POSIX_PIPE_NONBLOCK)
            return -EAGAIN;
        if (wait_change(p->write_head))
            return -EINTR;
    }
    buf = pogo_malloc(len ? len : 1);
    if (!buf)
        return -ENOBUFS;
    if (pogo_uio_copy_in(u, buf, len)) {
        pogo_free(buf);
        return -EFAULT;
    }
    s = slot_at(p, p->head);
    *s = (struct slot){
        .page = (uintptr_t)buf, .len = len, .packet = true, .heap = true};
    p->head++;
    pogo_poll_notify(p->read_head, READABLE);
    return len;
}

long posix_pipe_write(struct pipe *p, struct pogo_uio *u, int flags)
{
    long ret, n;

    if (flags & POSIX_PIPE_MESSAGE)
        return write_message(p, u, flags);
    if (!u->resid)
        return 0;
    if (is_broken(p)) {
        raise_sigpipe(flags);
        return -EPIPE;
    }
    ret = merge_tail(p, u);
    while (ret >= 0 && u->resid) {
        if (is_broken(p)) {
            raise_sigpipe(flags);
            if (!ret)
                ret = -EPIPE;
            break;
        }
        if (!is_full(p)) {
            n = fill_slot(p, u, flags);
            if (n < 0) {
                if (!ret)
                    ret = n;
                break;
            }
            ret += n;
            continue;
        }
        if (flags & POSIX_PIPE_NONBLOCK) {
            if (!ret)
                ret = -EAGAIN;
            break;
        }
        pogo_poll_notify(p->read_head, READABLE);
        if (wait_change(p->write_head)) {
            if (!ret)
                ret = -EINTR;
            break;
        }
    }
    if (ret > 0)
        pogo_poll_notify(p->read_head, READABLE);
    return ret;
}

static long pipe_write(struct pogo_file *f, struct pogo_uio *u, int64_t *pos)
{
    return posix_pipe_write(pipe_of(f), u, access_flags(f));
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

size_t posix_pipe_bytes(struct pipe *p)
{
    return bytes_in(p);
}

size_t posix_pipe_capacity(const struct pipe *p)
{
    return (size_t)p->nslots * POGO_PAGE_SIZE;
}

bool posix_pipe_is_empty(const struct pipe *p)
{
    return is_empty(p);
}

bool posix_pipe_is_full(const struct pipe *p)
{
    return is_full(p);
}

static long pipe_ioctl(struct pogo_file *f, unsigned int cmd, unsigned long arg)
{
    int n;

    if (cmd != LINUX_FIONREAD)
        return -ENOTTY;
    n = bytes_in(pipe_of(f));
    return pogo_copy_to_user((void *)arg, &n, sizeof(n));
}

void posix_pipe_notify_all(struct pipe *p)
{
    unsigned all =
        READABLE | WRITABLE | POGO_POLLHUP | POGO_POLLERR | POGO_POLLRDHUP;

    pogo_poll_notify(p->read_head, all);
    if (p->write_head != p->read_head)
        pogo_poll_notify(p->write_head, all);
}

static void pipe_release(struct pogo_file *f)
{
    struct pipe *p = pipe_of(f);

    if (pogo_file_readable(f))
        p->readers--;
    if (pogo_file_writable(f))
        p->writers--;
    posix_pipe_notify_all(p);
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

void posix_pipe_free(struct pipe *p)
{
    while (!is_empty(p)) {
        free_slot(slot_at(p, p->tail));
        p->tail++;
    }
    pogo_free(p->slots);
    pogo_free(p);
}

static void pipe_vnode_release(struct pogo_vnode *v)
{
    posix_pipe_free(v->data);
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
    pogo_poll_notify(p->write_head, WRITABLE);
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

struct pipe *posix_pipe_new(void)
{
    struct pipe *p = pogo_calloc(1, sizeof(*p));

    if (!p)
        return NULL;
    p->nslots = DEFAULT_SLOTS;
    p->slots = pogo_calloc(DEFAULT_SLOTS, sizeof(*p->slots));
    if (!p->slots) {
        pogo_free(p);
        return NULL;
    }
    p->readers = p->writers = 1;
    p->read_head = p->write_head = &p->poll;
    return p;
}

void posix_pipe_set_heads(struct pipe *p, struct pogo_poll_head *read_head,
                          struct pogo_poll_head *write_head)
{
    p->read_head = read_head;
    p->write_head = write_head;
}

void posix_pipe_shut(struct pipe *p, bool reading, bool writing)
{
    if (reading)
        p->readers = 0;
    if (writing)
        p->writers = 0;
    posix_pipe_notify_all(p);
}

bool posix_pipe_has_writer(const struct pipe *p)
{
    return p->writers;
}

static struct pogo_vnode *new_pipe(void)
{
    struct pipe *p = posix_pipe_new();
    struct pogo_vnode *v;

    if (!p)
        return NULL;
    v = pogo_vnode_anon(POGO_S_IFIFO | 0600, &pipe_vnode_ops);
    if (!v) {
        posix_pipe_free(p);
        return NULL;
    }
    v->data = p;
    return v;
}

long posix_install_fd_pair(struct pogo_file *first, struct pogo_file *second,
                           bool cloexec, long user_fds)
{
    int fds[2];

    fds[0] = pogo_fd_install(first, 0, cloexec);
    if (fds[0] < 0) {
        pogo_file_put(first);
        pogo_file_put(second);
        return fds[0];
    }
    fds[1] = pogo_fd_install(second, 0, cloexec);
    if (fds[1] < 0) {
        pogo_fd_close(fds[0]);
        pogo_file_put(second);
        return fds[1];
    }
    /* No other thread runs before this copy, so the fds are not seen
     * before it succeeds, as on Linux. */
    if (pogo_copy_to_user((void *)user_fds, fds, sizeof(fds))) {
        pogo_fd_close(fds[0]);
        pogo_fd_close(fds[1]);
        return -EFAULT;
    }
    return 0;
}

long sys_pipe2(long fds, int flags)
{
    unsigned keep = flags & (POGO_O_NONBLOCK | POGO_O_DIRECT);
    bool cloexec = flags & POGO_O_CLOEXEC;
    struct pogo_file *rf, *wf = NULL;
    struct pogo_vnode *v;

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
    return posix_install_fd_pair(rf, wf, cloexec, fds);
}

long sys_pipe(long fds)
{
    return sys_pipe2(fds, 0);
}
