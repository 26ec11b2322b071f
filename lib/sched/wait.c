/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Wait queues. A waiting thread's entry lives on its own kernel stack for
 * the duration of the wait; wakers unlink entries before waking, so an
 * entry is never touched after its thread returns from pogo_wait.
 */
#include <pogo/arch.h>
#include <pogo/errno.h>
#include <pogo/sched.h>

/* cppcheck wrongly infers from the check in pogo_wait that wq may be NULL
 * here; every caller passes a queue. */
static void append(struct pogo_waitqueue *wq, struct pogo_wait_entry *e)
{
    e->next = NULL;
    // cppcheck-suppress [nullPointerRedundantCheck, ctunullpointer]
    e->prev = wq->tail;
    // cppcheck-suppress nullPointerRedundantCheck
    if (wq->tail)
        wq->tail->next = e;
    else
        wq->head = e;
    wq->tail = e;
}

static void unlink_entry(struct pogo_waitqueue *wq, struct pogo_wait_entry *e)
{
    if (e->prev)
        e->prev->next = e->next;
    else
        wq->head = e->next;
    if (e->next)
        e->next->prev = e->prev;
    else
        wq->tail = e->prev;
    e->next = e->prev = NULL;
}

static bool matches(const struct pogo_wait_entry *e, uintptr_t key,
                    uint32_t bitset)
{
    return (key == 0 || e->key == key) && (e->bitset & bitset);
}

int pogo_wait(struct pogo_waitqueue *wq, uintptr_t key, uint32_t bitset,
              uint64_t deadline_ns)
{
    struct pogo_thread *self = pogo_thread_current();
    struct pogo_wait_entry e = {.thread = self, .key = key, .bitset = bitset};
    bool irq = pogo_irq_save();
    int reason;

    append(wq, &e);
    self->waiting_on = wq;
    reason = pogo_sched_block(deadline_ns);
    /* A timeout or an interruption leaves the entry queued. The queue may
     * have changed (requeue), so unlink from where the thread is now. */
    struct pogo_waitqueue *now_on = self->waiting_on;
    if (now_on) {
        unlink_entry(now_on, &e);
        self->waiting_on = NULL;
    }
    pogo_irq_restore(irq);
    return reason;
}

int pogo_wake(struct pogo_waitqueue *wq, uintptr_t key, uint32_t bitset, int n)
{
    struct pogo_wait_entry *e = wq->head;
    bool irq = pogo_irq_save();
    int woken = 0;

    while (e && woken < n) {
        struct pogo_wait_entry *next = e->next;
        if (matches(e, key, bitset)) {
            unlink_entry(wq, e);
            e->thread->waiting_on = NULL;
            pogo_sched_wake(e->thread, 0);
            woken++;
        }
        e = next;
    }
    pogo_irq_restore(irq);
    return woken;
}

int pogo_wait_requeue(struct pogo_waitqueue *from, uintptr_t key,
                      struct pogo_waitqueue *to, uintptr_t new_key, int n)
{
    struct pogo_wait_entry *e = from->head;
    bool irq = pogo_irq_save();
    int moved = 0;

    while (e && moved < n) {
        struct pogo_wait_entry *next = e->next;
        if (e->key == key) {
            unlink_entry(from, e);
            e->key = new_key;
            append(to, e);
            e->thread->waiting_on = to;
            moved++;
        }
        e = next;
    }
    pogo_irq_restore(irq);
    return moved;
}

void pogo_wait_interrupt(struct pogo_thread *t)
{
    if (t->state == POGO_THREAD_BLOCKED)
        pogo_sched_wake(t, -EINTR);
}
