/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Timer events on the one-shot hardware timer: armed timers are kept
 * sorted by deadline, and the hardware is programmed for the earliest.
 * Insertion walks from the latest deadline, where most new timers go.
 */
#include <pogo/arch.h>
#include <pogo/init.h>
#include <pogo/irq.h>
#include <pogo/time.h>
#include <pogo/timer.h>

static struct pogo_timer *head;
static struct pogo_timer *tail;
static bool handler_installed;

static void program_hardware(void)
{
    if (!head) {
        pogo_arch_timer_disarm();
        return;
    }
    pogo_arch_timer_arm(pogo_time_ns_to_cycles(head->deadline) +
                        pogo_time_boot_cycles());
}

static void unlink_timer(struct pogo_timer *t)
{
    if (t->prev)
        t->prev->next = t->next;
    else
        head = t->next;
    if (t->next)
        t->next->prev = t->prev;
    else
        tail = t->prev;
    t->armed = false;
}

/* Runs every expired timer, then programs the next one. */
static void expire(void *arg)
{
    uint64_t now = pogo_time_monotonic_ns();

    while (head && head->deadline <= now) {
        struct pogo_timer *t = head;
        unlink_timer(t);
        t->fn(t);
        now = pogo_time_monotonic_ns();
    }
    program_hardware();
}

void pogo_timer_start(struct pogo_timer *t, uint64_t deadline_ns,
                      void (*fn)(struct pogo_timer *t))
{
    bool irq = pogo_irq_save();
    struct pogo_timer *after;

    if (!handler_installed) {
        pogo_irq_register(POGO_IRQ_VECTOR_TIMER, expire, NULL);
        handler_installed = true;
    }
    if (t->armed)
        unlink_timer(t);
    t->deadline = deadline_ns;
    t->fn = fn;
    t->armed = true;

    after = tail;
    while (after && after->deadline > deadline_ns)
        after = after->prev;
    t->prev = after;
    t->next = after ? after->next : head;
    if (t->next)
        t->next->prev = t;
    else
        tail = t;
    if (after)
        after->next = t;
    else
        head = t;

    if (head == t)
        program_hardware();
    pogo_irq_restore(irq);
}

bool pogo_timer_cancel(struct pogo_timer *t)
{
    bool irq = pogo_irq_save();
    bool was = t->armed;

    if (was) {
        bool first = head == t;
        unlink_timer(t);
        if (first)
            program_hardware();
    }
    pogo_irq_restore(irq);
    return was;
}

uint64_t pogo_timer_next_deadline(void)
{
    return head ? head->deadline : UINT64_MAX;
}
