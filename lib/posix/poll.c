/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * poll, ppoll, select and pselect6 over the readiness interface of the
 * VFS. Each round calls every file's poll method and subscribes to its
 * poll head. With nothing ready, the thread sleeps until a head notifies,
 * the timeout (on CLOCK_MONOTONIC) passes or a signal comes (-EINTR).
 */
#include <pogo/alloc.h>
#include <pogo/errno.h>
#include <pogo/sched.h>
#include <pogo/string.h>
#include <pogo/time.h>
#include <pogo/uaccess.h>

#include "files.h"
#include "posix.h"
#include "syscalls.h"

/* The bits that select counts as readable, writable and exceptional, as
 * Linux. */
#define POLLIN_SET                                                    \
    (POGO_POLLRDNORM | POGO_POLLRDBAND | POGO_POLLIN | POGO_POLLHUP | \
     POGO_POLLERR)
#define POLLOUT_SET \
    (POGO_POLLWRBAND | POGO_POLLWRNORM | POGO_POLLOUT | POGO_POLLERR)
#define POLLEX_SET POGO_POLLPRI

/* The sets of select that an fd is in, as bits of poll_item.events. */
#define SELECT_IN  1u
#define SELECT_OUT 2u
#define SELECT_EX  4u

/* The poll bits that put an fd into each set of select. */
static const unsigned select_bits[3] = {POLLIN_SET, POLLOUT_SET, POLLEX_SET};

#define LINUX_SIGKILL_BIT (1ull << (LINUX_SIGKILL - 1))
#define LINUX_SIGSTOP_BIT (1ull << (LINUX_SIGSTOP - 1))

/* One fd being polled, with its subscription to the file's head. */
struct poll_item {
    int fd;
    unsigned events;  /* poll: the request; select: SELECT_IN and so on */
    unsigned revents; /* readiness found, or POGO_POLLNVAL */
    struct pogo_poll_entry entry;
    struct pogo_file *file; /* held while subscribed */
    struct pogo_thread *thread;
};

struct poll_round {
    struct poll_item *items;
    size_t count;
    bool select; /* count set bits, not fds */
};

/*
 * How many events item contributes to the result. For select, POLLERR
 * counts in both the read and the write set, so membership is kept apart
 * from the poll bits.
 */
static int score(const struct poll_round *r, const struct poll_item *it)
{
    unsigned m = it->revents;
    int n = 0;

    if (!r->select)
        return (m & (it->events | POGO_POLLERR | POGO_POLLHUP |
                     POGO_POLLNVAL)) != 0;
    for (int k = 0; k < 3; k++) {
        if ((it->events & (1u << k)) && (m & select_bits[k]))
            n++;
    }
    return n;
}

/* Checks every item once, subscribing on the first round. */
static int scan(struct poll_round *r)
{
    int ready = 0;

    for (size_t i = 0; i < r->count; i++) {
        struct poll_item *it = &r->items[i];
        struct pogo_poll_head *head = NULL;
        struct pogo_file *f;

        it->revents = 0;
        if (it->fd < 0)
            continue;
        f = it->file ? it->file : pogo_fd_get(it->fd);
        if (!f) {
            it->revents = POGO_POLLNVAL;
            ready += score(r, it);
            continue;
        }
        it->revents = f->ops->poll ? f->ops->poll(f, &head) : POGO_POLL_ALWAYS;
        if (head && !it->file) {
            it->file = f;
            pogo_poll_subscribe(head, &it->entry);
        } else if (!it->file) {
            pogo_file_put(f);
        }
        ready += score(r, it);
    }
    return ready;
}

static void unsubscribe_all(struct poll_round *r)
{
    for (size_t i = 0; i < r->count; i++) {
        struct poll_item *it = &r->items[i];

        if (it->file) {
            pogo_poll_unsubscribe(&it->entry);
            pogo_file_put(it->file);
            it->file = NULL;
        }
    }
}

/*
 * Polls until something is ready, the monotonic deadline passes (0:
 * none, 1: do not wait) or a signal comes. Returns the count or -EINTR.
 */
static int run_rounds(struct poll_round *r, uint64_t deadline)
{
    int ready;

    for (;;) {
        ready = scan(r);
        if (ready)
            break;
        if (deadline && pogo_time_monotonic_ns() >= deadline)
            break;
        if (posix_signal_pending()) {
            ready = -EINTR;
            break;
        }
        pogo_sched_block(deadline);
    }
    unsubscribe_all(r);
    return ready;
}

static void item_notify(struct pogo_poll_entry *e, unsigned events)
{
    struct poll_item *it = pogo_container_of(e, struct poll_item, entry);

    pogo_sched_wake(it->thread, 0);
}

static struct poll_item *new_items(size_t n)
{
    struct poll_item *items = pogo_calloc(n ? n : 1, sizeof(*items));

    for (size_t i = 0; items && i < n; i++) {
        items[i].entry.notify = item_notify;
        items[i].thread = pogo_thread_current();
    }
    return items;
}

/* --- Signal masks of ppoll and pselect6 ---------------------------------- */

/*
 * Sets the temporary mask of ppoll or pselect6. A signal that ends the
 * wait runs its handler with this mask, and the handler's frame records
 * the old one, as sigsuspend does.
 */
static int set_temp_mask(long user_mask, size_t size, uint64_t *old)
{
    struct pogo_thread *t = pogo_thread_current();
    uint64_t mask;

    *old = t->sigmask;
    if (!user_mask)
        return 0;
    if (size != sizeof(mask))
        return -EINVAL;
    if (pogo_copy_from_user(&mask, (const void *)user_mask, sizeof(mask)))
        return -EFAULT;
    t->sigmask = mask & ~(LINUX_SIGKILL_BIT | LINUX_SIGSTOP_BIT);
    return 1;
}

static void end_temp_mask(int set, uint64_t old, long result)
{
    struct pogo_thread *t = pogo_thread_current();

    if (set != 1)
        return;
    if (result == -EINTR) {
        t->saved_sigmask = old;
        t->in_sigsuspend = true;
    } else {
        t->sigmask = old;
    }
}

/* --- poll and ppoll ------------------------------------------------------ */

static long do_poll(long ufds, unsigned int nfds, uint64_t deadline,
                    long user_mask, size_t mask_size)
{
    struct poll_round r = {0};
    struct linux_pollfd *pfds = NULL;
    uint64_t old_mask;
    long ret;
    int set;

    if (nfds > (unsigned)pogo_fd_limit())
        return -EINVAL;
    pfds = pogo_calloc(nfds ? nfds : 1, sizeof(*pfds));
    r.items = new_items(nfds);
    ret = (pfds && r.items) ? 0 : -ENOMEM;
    if (!ret &&
        pogo_copy_from_user(pfds, (const void *)ufds, nfds * sizeof(*pfds)))
        ret = -EFAULT;
    set = ret ? 0 : set_temp_mask(user_mask, mask_size, &old_mask);
    if (set < 0)
        ret = set;
    if (!ret) {
        r.count = nfds;
        for (unsigned i = 0; i < nfds; i++) {
            r.items[i].fd = pfds[i].fd;
            r.items[i].events = (uint16_t)pfds[i].events;
        }
        ret = run_rounds(&r, deadline);
        end_temp_mask(set, old_mask, ret);
    }
    if (ret >= 0) {
        for (unsigned i = 0; i < nfds; i++) {
            struct poll_item *it = &r.items[i];
            unsigned filter = it->events | POGO_POLLERR | POGO_POLLHUP;

            pfds[i].revents = it->revents & (filter | POGO_POLLNVAL);
        }
        if (pogo_copy_to_user((void *)ufds, pfds, nfds * sizeof(*pfds)))
            ret = -EFAULT;
    }
    pogo_free(pfds);
    pogo_free(r.items);
    return ret;
}

long sys_poll(long ufds, unsigned int nfds, int timeout_ms)
{
    return do_poll(ufds, nfds, posix_deadline_ms(timeout_ms), 0, 0);
}

/* Reads a relative timespec timeout into a deadline (0: none). */
static int timeout_deadline(long user, uint64_t *deadline)
{
    struct linux_timespec ts;
    int err;

    *deadline = 0;
    if (!user)
        return 0;
    err = posix_read_timespec(user, &ts);
    if (err)
        return err;
    if (ts.tv_sec == 0 && ts.tv_nsec == 0)
        *deadline = 1;
    else
        *deadline = pogo_time_monotonic_ns() + posix_timespec_ns(&ts);
    return 0;
}

/* Writes back the time left, as Linux does for ppoll and pselect6; a
 * failed write is ignored, as there. */
static void put_time_left(long user, uint64_t deadline, bool timeval)
{
    uint64_t now = pogo_time_monotonic_ns();
    uint64_t left = deadline > now ? deadline - now : 0;

    if (!user || deadline <= 1)
        return;
    if (timeval) {
        struct linux_timeval tv = {left / POGO_NSEC_PER_SEC,
                                   (left % POGO_NSEC_PER_SEC) / 1000};

        pogo_copy_to_user((void *)user, &tv, sizeof(tv));
    } else {
        struct linux_timespec ts = {left / POGO_NSEC_PER_SEC,
                                    left % POGO_NSEC_PER_SEC};

        pogo_copy_to_user((void *)user, &ts, sizeof(ts));
    }
}

long sys_ppoll(long ufds, unsigned int nfds, long timeout, long sigmask,
               size_t sigsetsize)
{
    uint64_t deadline;
    int err = timeout_deadline(timeout, &deadline);
    long ret;

    if (err)
        return err;
    ret = do_poll(ufds, nfds, deadline, sigmask, sigsetsize);
    put_time_left(timeout, deadline, false);
    return ret;
}

/* --- select and pselect6 ------------------------------------------------- */

#define BITS_PER_WORD 64

struct fd_sets {
    uint64_t *in, *out, *ex; /* each words long, or NULL */
    size_t words;
};

static bool bit(const uint64_t *set, int fd)
{
    return set && (set[fd / BITS_PER_WORD] >> (fd % BITS_PER_WORD) & 1);
}

static void set_bit(uint64_t *set, int fd)
{
    set[fd / BITS_PER_WORD] |= 1ull << (fd % BITS_PER_WORD);
}

static int get_set(long user, size_t words, uint64_t **out)
{
    *out = NULL;
    if (!user)
        return 0;
    *out = pogo_calloc(words, sizeof(uint64_t));
    if (!*out)
        return -ENOMEM;
    if (pogo_copy_from_user(*out, (const void *)user, words * 8))
        return -EFAULT;
    return 0;
}

/* Makes the items of the fds in the sets; -EBADF for a closed one. */
static long select_items(const struct fd_sets *s, int n, struct poll_round *r)
{
    r->items = new_items(n);
    if (!r->items)
        return -ENOMEM;
    for (int fd = 0; fd < n; fd++) {
        unsigned events = (bit(s->in, fd) ? SELECT_IN : 0) |
                          (bit(s->out, fd) ? SELECT_OUT : 0) |
                          (bit(s->ex, fd) ? SELECT_EX : 0);
        struct pogo_file *f;

        if (!events)
            continue;
        f = pogo_fd_get(fd);
        if (!f)
            return -EBADF;
        pogo_file_put(f);
        r->items[r->count].fd = fd;
        r->items[r->count].events = events;
        r->count++;
    }
    return 0;
}

/* Stores the ready fds of the round in the sets the caller gave. */
static void fill_sets(const struct poll_round *r, struct fd_sets *s)
{
    uint64_t *sets[3] = {s->in, s->out, s->ex};

    for (int k = 0; k < 3; k++) {
        if (sets[k])
            pogo_memset(sets[k], 0, s->words * 8);
    }
    for (size_t i = 0; i < r->count; i++) {
        const struct poll_item *it = &r->items[i];

        for (int k = 0; k < 3; k++) {
            if (sets[k] && (it->events & (1u << k)) &&
                (it->revents & select_bits[k]))
                set_bit(sets[k], it->fd);
        }
    }
}

static int put_sets(const struct fd_sets *s, long in, long out, long ex)
{
    if ((in && pogo_copy_to_user((void *)in, s->in, s->words * 8)) ||
        (out && pogo_copy_to_user((void *)out, s->out, s->words * 8)) ||
        (ex && pogo_copy_to_user((void *)ex, s->ex, s->words * 8)))
        return -EFAULT;
    return 0;
}

struct select_args {
    int n;
    long in, out, ex;
    uint64_t deadline;
    long sigmask;
    size_t sigsetsize;
};

static long do_select(const struct select_args *a)
{
    struct poll_round r = {.select = true};
    int n = POGO_MIN(a->n, POGO_MAX(pogo_fd_table_size(), BITS_PER_WORD));
    struct fd_sets s = {.words = (n + BITS_PER_WORD - 1) / BITS_PER_WORD};
    uint64_t old_mask;
    long ret;
    int set = 0;

    if (a->n < 0)
        return -EINVAL;
    ret = get_set(a->in, s.words, &s.in);
    if (!ret)
        ret = get_set(a->out, s.words, &s.out);
    if (!ret)
        ret = get_set(a->ex, s.words, &s.ex);
    if (!ret)
        ret = select_items(&s, n, &r);
    if (!ret) {
        set = set_temp_mask(a->sigmask, a->sigsetsize, &old_mask);
        ret = set < 0 ? set : run_rounds(&r, a->deadline);
        end_temp_mask(set, old_mask, ret);
    }
    if (ret >= 0) {
        fill_sets(&r, &s);
        if (put_sets(&s, a->in, a->out, a->ex))
            ret = -EFAULT;
    }
    pogo_free(s.in);
    pogo_free(s.out);
    pogo_free(s.ex);
    pogo_free(r.items);
    return ret;
}

long sys_select(int n, long in, long out, long ex, long timeout)
{
    struct select_args a = {.n = n, .in = in, .out = out, .ex = ex};
    struct linux_timeval tv;
    long ret;

    if (timeout) {
        if (pogo_copy_from_user(&tv, (const void *)timeout, sizeof(tv)))
            return -EFAULT;
        if (tv.tv_sec < 0 || tv.tv_usec < 0)
            return -EINVAL;
        /* Linux takes microseconds past a second and carries them. */
        a.deadline = (tv.tv_sec == 0 && tv.tv_usec == 0)
                         ? 1
                         : pogo_time_monotonic_ns() +
                               (uint64_t)tv.tv_sec * POGO_NSEC_PER_SEC +
                               (uint64_t)tv.tv_usec * 1000;
    }
    ret = do_select(&a);
    put_time_left(timeout, a.deadline, true);
    return ret;
}

long sys_pselect6(int n, long in, long out, long ex, long timeout, long sig)
{
    struct select_args a = {.n = n, .in = in, .out = out, .ex = ex};
    struct {
        uint64_t mask;
        uint64_t size;
    } sigdata;
    int err = timeout_deadline(timeout, &a.deadline);
    long ret;

    if (err)
        return err;
    if (sig) {
        if (pogo_copy_from_user(&sigdata, (const void *)sig, sizeof(sigdata)))
            return -EFAULT;
        a.sigmask = sigdata.mask;
        a.sigsetsize = sigdata.size;
    }
    ret = do_select(&a);
    put_time_left(timeout, a.deadline, false);
    return ret;
}
