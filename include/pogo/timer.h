/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Timer events: a callback at a monotonic time, run from the timer
 * interrupt with interrupts off. The caller owns the struct and keeps it
 * alive until the callback ran or pogo_timer_cancel returned.
 */
#ifndef POGO_TIMER_H
#define POGO_TIMER_H

#include <pogo/compiler.h>

struct pogo_timer {
    uint64_t deadline; /* monotonic ns */
    void (*fn)(struct pogo_timer *t);
    struct pogo_timer *next;
    struct pogo_timer *prev;
    bool armed;
};

/* Arms t to call fn at or after deadline_ns (monotonic). */
void pogo_timer_start(struct pogo_timer *t, uint64_t deadline_ns,
                      void (*fn)(struct pogo_timer *t));

/* Disarms t if it has not fired; returns whether it was armed. */
bool pogo_timer_cancel(struct pogo_timer *t);

/* Deadline of the earliest armed timer, or UINT64_MAX when none is. */
uint64_t pogo_timer_next_deadline(void);

#endif
