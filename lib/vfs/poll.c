/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Readiness notification: subscribers of a poll head, and a wait that
 * sleeps until the head is notified.
 */
#include <pogo/errno.h>
#include <pogo/sched.h>
#include <pogo/vfs.h>

void pogo_poll_subscribe(struct pogo_poll_head *head, struct pogo_poll_entry *e)
{
    e->head = head;
    e->prev = NULL;
    e->next = head->first;
    if (head->first)
        head->first->prev = e;
    head->first = e;
}

void pogo_poll_unsubscribe(struct pogo_poll_entry *e)
{
    if (!e->head)
        return;
    if (e->prev)
        e->prev->next = e->next;
    else
        e->head->first = e->next;
    if (e->next)
        e->next->prev = e->prev;
    e->head = NULL;
    e->next = e->prev = NULL;
}

void pogo_poll_notify(struct pogo_poll_head *head, unsigned events)
{
    struct pogo_poll_entry *e = head->first;
    bool irq = pogo_irq_save();

    while (e) {
        /* notify may unsubscribe e. */
        struct pogo_poll_entry *next = e->next;

        e->notify(e, events);
        e = next;
    }
    pogo_irq_restore(irq);
}

struct thread_waiter {
    struct pogo_poll_entry entry;
    struct pogo_thread *thread;
};

static void wake_thread(struct pogo_poll_entry *e, unsigned events)
{
    struct thread_waiter *w = pogo_container_of(e, struct thread_waiter, entry);

    pogo_sched_wake(w->thread, 0);
}

int pogo_poll_wait(struct pogo_poll_head *head, uint64_t deadline_ns)
{
    struct thread_waiter w = {
        .entry.notify = wake_thread,
        .thread = pogo_thread_current(),
    };
    bool irq;
    int reason;

    if (pogo_signal_pending())
        return -EINTR;
    irq = pogo_irq_save();
    pogo_poll_subscribe(head, &w.entry);
    reason = pogo_sched_block(deadline_ns);
    pogo_poll_unsubscribe(&w.entry);
    pogo_irq_restore(irq);
    return reason;
}
