/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * epoll: interest lists over the readiness interface of the VFS. Each
 * registered file gets an entry on its poll head; a notification puts the
 * item on the ready list. epoll_wait reports the items whose current
 * readiness matches, keeps level-triggered ones listed, and drops
 * edge-triggered and one-shot ones until the next change. An item goes
 * away when its file is closed for the last time, as on Linux.
 */
#include <pogo/alloc.h>
#include <pogo/errno.h>
#include <pogo/time.h>
#include <pogo/uaccess.h>
#include <pogo/vfs.h>

#include "abi.h"
#include "posix.h"
#include "syscalls.h"

#define EPOLL_CTL_ADD 1
#define EPOLL_CTL_DEL 2
#define EPOLL_CTL_MOD 3

#define EPOLLIN          0x001
#define EPOLLOUT         0x004
#define EPOLLERR         0x008
#define EPOLLHUP         0x010
#define EPOLLRDHUP       0x2000
#define EPOLLEXCLUSIVE   (1u << 28)
#define EPOLLWAKEUP      (1u << 29)
#define EPOLLONESHOT     (1u << 30)
#define EPOLLET          (1u << 31)
#define EPOLL_CLOEXEC    02000000
#define EPOLL_EVENTS_MAX (INT32_MAX / 12)

struct epoll_event_k {
    uint32_t events;
    uint64_t data;
} POGO_PACKED;

struct item {
    struct pogo_poll_entry entry; /* first: entry pointer is item pointer */
    struct epoll *ep;
    struct pogo_file *file;
    int fd;
    uint32_t events;
    uint64_t data;
    bool ready;               /* on the ready list */
    bool disabled;            /* one-shot that fired */
    struct item *next, *prev; /* all items of ep */
    struct item *ready_next, *ready_prev;
    struct item *file_next; /* items of the same file */
};

struct epoll {
    struct pogo_file *file; /* the epoll file, which outlives this */
    struct item *items;
    struct item *ready_head, *ready_tail;
    struct pogo_poll_head poll; /* waiters, and epolls watching this one */
};

/* Items by file, so that closing a file removes its items. */
#define FILE_BUCKETS 256
static struct item *by_file[FILE_BUCKETS];

static unsigned file_bucket(const struct pogo_file *f)
{
    return ((uintptr_t)f >> 6) % FILE_BUCKETS;
}

static void ready_add(struct epoll *ep, struct item *it)
{
    if (it->ready)
        return;
    it->ready = true;
    it->ready_next = NULL;
    it->ready_prev = ep->ready_tail;
    if (ep->ready_tail)
        ep->ready_tail->ready_next = it;
    else
        ep->ready_head = it;
    ep->ready_tail = it;
}

static void ready_remove(struct epoll *ep, struct item *it)
{
    if (!it->ready)
        return;
    if (it->ready_prev)
        it->ready_prev->ready_next = it->ready_next;
    else
        ep->ready_head = it->ready_next;
    if (it->ready_next)
        it->ready_next->ready_prev = it->ready_prev;
    else
        ep->ready_tail = it->ready_prev;
    it->ready = false;
}

static void on_notify(struct pogo_poll_entry *e, unsigned events)
{
    struct item *it = (struct item *)e;

    if (it->disabled)
        return;
    ready_add(it->ep, it);
    pogo_poll_notify(&it->ep->poll, POGO_POLLIN | POGO_POLLRDNORM);
}

/* The file's readiness now, limited to what the item asks for (errors
 * and hang-ups are always reported). */
static unsigned current_events(struct item *it)
{
    struct pogo_poll_head *head = NULL;
    unsigned mask = it->file->ops->poll(it->file, &head);

    return mask & (it->events | EPOLLERR | EPOLLHUP);
}

static void unlink_item(struct item *it)
{
    struct epoll *ep = it->ep;
    struct item **p = &by_file[file_bucket(it->file)];

    pogo_poll_unsubscribe(&it->entry);
    ready_remove(ep, it);
    if (it->prev)
        it->prev->next = it->next;
    else
        ep->items = it->next;
    if (it->next)
        it->next->prev = it->prev;
    while (*p && *p != it)
        p = &(*p)->file_next;
    if (*p)
        *p = it->file_next;
    pogo_free(it);
}

/* Called by the VFS when the last reference to f goes away. */
void pogo_epoll_file_closing(struct pogo_file *f)
{
    struct item **p = &by_file[file_bucket(f)];

    while (*p) {
        if ((*p)->file == f)
            unlink_item(*p);
        else
            p = &(*p)->file_next;
    }
}

static struct item *find(struct epoll *ep, struct pogo_file *f, int fd)
{
    for (struct item *it = ep->items; it; it = it->next) {
        if (it->file == f && it->fd == fd)
            return it;
    }
    return NULL;
}

static unsigned ep_poll(struct pogo_file *f, struct pogo_poll_head **head)
{
    struct epoll *ep = f->data;
    unsigned mask = 0;

    *head = &ep->poll;
    for (struct item *it = ep->ready_head; it; it = it->ready_next) {
        if (current_events(it)) {
            mask = POGO_POLLIN | POGO_POLLRDNORM;
            break;
        }
    }
    return mask;
}

static void ep_release(struct pogo_file *f)
{
    struct epoll *ep = f->data;

    while (ep->items)
        unlink_item(ep->items);
    pogo_free(ep);
}

/* Linux's epoll files accept any seek and stay at position 0. */
static int64_t ep_llseek(struct pogo_file *f, int64_t offset, int whence)
{
    return f->pos;
}

static const struct pogo_file_ops epoll_ops = {
    .llseek = ep_llseek,
    .no_positional_io = true,
    .poll = ep_poll,
    .release = ep_release,
};

long sys_epoll_create1(int flags)
{
    struct epoll *ep;
    struct pogo_vnode *v;
    struct pogo_file *f = NULL;
    int fd;

    if (flags & ~EPOLL_CLOEXEC)
        return -EINVAL;
    ep = pogo_calloc(1, sizeof(*ep));
    v = pogo_vnode_anon(POGO_S_IFREG | 0600, NULL);
    if (ep && v)
        f = pogo_file_alloc(v, &epoll_ops, POGO_O_RDWR);
    if (v)
        pogo_vnode_put(v);
    if (!f) {
        pogo_free(ep);
        return -ENOMEM;
    }
    f->data = ep;
    ep->file = f;
    fd = pogo_fd_install(f, 0, flags & EPOLL_CLOEXEC);
    if (fd < 0)
        pogo_file_put(f);
    return fd;
}

long sys_epoll_create(int size)
{
    if (size <= 0)
        return -EINVAL;
    return sys_epoll_create1(0);
}

static int add_item(struct epoll *ep, struct pogo_file *f, int fd,
                    const struct epoll_event_k *ev)
{
    struct pogo_poll_head *head = NULL;
    struct item *it = pogo_calloc(1, sizeof(*it));
    unsigned b = file_bucket(f);

    if (!it)
        return -ENOMEM;
    it->ep = ep;
    it->file = f;
    it->fd = fd;
    it->events = ev->events;
    it->data = ev->data;
    it->entry.notify = on_notify;
    it->next = ep->items;
    if (ep->items)
        ep->items->prev = it;
    ep->items = it;
    it->file_next = by_file[b];
    by_file[b] = it;

    f->ops->poll(f, &head);
    if (head)
        pogo_poll_subscribe(head, &it->entry);
    /* Report what is ready already, as a notification would. */
    if (current_events(it) || !head)
        ready_add(ep, it);
    return 0;
}

/* Nesting depth that Linux allows for epoll sets inside epoll sets. */
#define EPOLL_MAX_NESTS 4

/* The bits that an EPOLLEXCLUSIVE item may ask for, as Linux. */
#define EPOLLEXCLUSIVE_OK_BITS                                           \
    (POGO_POLLIN | POGO_POLLOUT | POGO_POLLRDNORM | POGO_POLLRDBAND |    \
     POGO_POLLWRNORM | POGO_POLLWRBAND | EPOLLERR | EPOLLHUP | EPOLLET | \
     EPOLLWAKEUP | EPOLLEXCLUSIVE)

static bool is_epoll(const struct pogo_file *f)
{
    return f->ops == &epoll_ops;
}

/*
 * The levels of epoll sets below ep (0: it contains none), as Linux's
 * ep_loop_check_proc counts them, or EPOLL_MAX_NESTS + 1 when into is
 * among them (a loop) or the nesting is deeper than Linux allows.
 */
static int depth_below(const struct epoll *ep, const struct epoll *into,
                       int depth)
{
    int result = 0;

    for (const struct item *it = ep->items; it; it = it->next) {
        const struct epoll *inner;

        if (!is_epoll(it->file))
            continue;
        inner = it->file->data;
        if (inner == into || depth > EPOLL_MAX_NESTS)
            return EPOLL_MAX_NESTS + 1;
        result = POGO_MAX(result, depth_below(inner, into, depth + 1) + 1);
        if (result > EPOLL_MAX_NESTS)
            break;
    }
    return result;
}

/* The maximum number of epoll sets above ep, each containing the next. */
static int depth_above(const struct epoll *ep)
{
    int result = 0;

    for (const struct item *it = by_file[file_bucket(ep->file)]; it;
         it = it->file_next) {
        if (it->file == ep->file)
            result = POGO_MAX(result, depth_above(it->ep) + 1);
    }
    return result;
}

/* Linux's ep_loop_check: adding the set inner to ep must not make a loop
 * or a nesting deeper than EPOLL_MAX_NESTS levels below the top. */
static bool nesting_too_deep(const struct epoll *ep, const struct epoll *inner)
{
    int below = depth_below(inner, ep, 0);

    return below > EPOLL_MAX_NESTS ||
           below + 1 + depth_above(ep) > EPOLL_MAX_NESTS;
}

/* Checks an epoll_ctl call in Linux's order, so that a call with several
 * faults gets Linux's errno. */
static long check_ctl(struct pogo_file *epf, struct pogo_file *f, int op,
                      const struct epoll_event_k *ev)
{
    /* Regular files and directories have no poll method. Linux rejects
     * them, because they are always ready. */
    if (!f->ops->poll)
        return -EPERM;
    if (!is_epoll(epf) || f == epf)
        return -EINVAL;
    if (op != EPOLL_CTL_DEL && (ev->events & EPOLLEXCLUSIVE)) {
        if (op == EPOLL_CTL_MOD)
            return -EINVAL;
        if (op == EPOLL_CTL_ADD &&
            (is_epoll(f) || (ev->events & ~EPOLLEXCLUSIVE_OK_BITS)))
            return -EINVAL;
    }
    if (op == EPOLL_CTL_ADD && is_epoll(f) &&
        nesting_too_deep(epf->data, f->data))
        return -ELOOP;
    return 0;
}

static long modify_item(struct item *it, const struct epoll_event_k *ev)
{
    /* Linux does not let an exclusive item change. */
    if (it->events & EPOLLEXCLUSIVE)
        return -EINVAL;
    it->events = ev->events;
    it->data = ev->data;
    it->disabled = false;
    if (current_events(it))
        ready_add(it->ep, it);
    return 0;
}

long sys_epoll_ctl(int epfd, int op, int fd, long uevent)
{
    struct pogo_file *epf, *f;
    struct epoll_event_k ev = {0, 0};
    struct item *it;
    long err;

    if (op != EPOLL_CTL_DEL &&
        pogo_copy_from_user(&ev, (void *)uevent, sizeof(ev)))
        return -EFAULT;
    epf = pogo_fd_get(epfd);
    if (!epf)
        return -EBADF;
    f = pogo_fd_get(fd);
    if (!f) {
        pogo_file_put(epf);
        return -EBADF;
    }
    err = check_ctl(epf, f, op, &ev);
    if (err)
        goto out;
    it = find(epf->data, f, fd);
    if (op == EPOLL_CTL_ADD)
        err = it ? -EEXIST : add_item(epf->data, f, fd, &ev);
    else if (op == EPOLL_CTL_MOD)
        err = it ? modify_item(it, &ev) : -ENOENT;
    else if (op == EPOLL_CTL_DEL && it)
        unlink_item(it);
    else
        err = op == EPOLL_CTL_DEL ? -ENOENT : -EINVAL;
out:
    pogo_file_put(f);
    pogo_file_put(epf);
    return err;
}

/* Reports up to max ready items into the application's array. Returns
 * the count or -EFAULT. */
static long harvest(struct epoll *ep, uintptr_t uevents, int max)
{
    struct item *it = ep->ready_head, *last = ep->ready_tail, *next;
    long n = 0;

    /* Level-triggered items move to the back as they are reported, so the
     * walk stops at the item that was last when it began. */
    for (bool end = !it; !end && n < max; it = next) {
        struct epoll_event_k ev;
        unsigned mask;

        end = it == last;
        next = it->ready_next;
        mask = current_events(it);
        if (!mask || it->disabled) {
            ready_remove(ep, it);
            continue;
        }
        ev.events = mask;
        ev.data = it->data;
        if (pogo_copy_to_user((void *)(uevents + n * sizeof(ev)), &ev,
                              sizeof(ev)))
            return n ? n : -EFAULT;
        n++;
        if (it->events & EPOLLONESHOT)
            it->disabled = true;
        /* Level-triggered items stay for the next wait; the others come
         * back with their next notification. */
        if (it->events & (EPOLLET | EPOLLONESHOT)) {
            ready_remove(ep, it);
        } else {
            /* Move to the back, so that busy files do not starve others. */
            ready_remove(ep, it);
            ready_add(ep, it);
        }
    }
    return n;
}

static long epoll_wait_ns(int epfd, uintptr_t uevents, int max,
                          int64_t timeout_ms)
{
    struct pogo_file *f;
    struct epoll *ep;
    uint64_t deadline = 0;
    long n;

    if (max <= 0 || max > EPOLL_EVENTS_MAX)
        return -EINVAL;
    f = pogo_fd_get(epfd);
    if (!f)
        return -EBADF;
    if (f->ops != &epoll_ops) {
        pogo_file_put(f);
        return -EINVAL;
    }
    ep = f->data;
    if (timeout_ms > 0)
        deadline = pogo_time_monotonic_ns() + timeout_ms * 1000000ULL;
    for (;;) {
        int err;

        n = harvest(ep, uevents, max);
        if (n != 0 || timeout_ms == 0)
            break;
        err = pogo_poll_wait(&ep->poll, deadline);
        if (err == -ETIMEDOUT) {
            n = 0;
            break;
        }
        /* A signal that the thread blocks wakes it too: wait on. */
        if (err == -EINTR && !pogo_signal_pending())
            continue;
        if (err) {
            n = err;
            break;
        }
    }
    pogo_file_put(f);
    return n;
}

long sys_epoll_wait(int epfd, long uevents, int max, int timeout)
{
    return epoll_wait_ns(epfd, uevents, max, timeout);
}

long sys_epoll_pwait(int epfd, long uevents, int max, int timeout, long sigmask,
                     long sigsetsize)
{
    struct pogo_thread *t = pogo_thread_current();
    uint64_t mask, saved = t->sigmask;
    long n;

    if (!sigmask)
        return epoll_wait_ns(epfd, uevents, max, timeout);
    if (sigsetsize != sizeof(mask))
        return -EINVAL;
    if (pogo_copy_from_user(&mask, (void *)sigmask, sizeof(mask)))
        return -EFAULT;
    t->sigmask = mask & ~((1ULL << 8) | (1ULL << 18));
    n = epoll_wait_ns(epfd, uevents, max, timeout);
    /* A signal that ended the wait is taken with the temporary mask;
     * sigsuspend's mechanism restores the old mask after its handler. */
    if (n == -EINTR) {
        t->saved_sigmask = saved;
        t->in_sigsuspend = true;
    } else {
        t->sigmask = saved;
    }
    return n;
}
