/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The interface between the scheduler core (thread.c) and a scheduling
 * policy, chosen in Kconfig: coop.c (round robin, switches only when a
 * thread blocks or yields) or preempt.c (round robin with time slices).
 */
#ifndef POGO_SCHED_POLICY_H
#define POGO_SCHED_POLICY_H

#include <pogo/sched.h>

/* Adds a ready thread at the back of the queue. */
void policy_enqueue(struct pogo_thread *t);

/* Takes the next thread to run off the queue, or returns NULL. */
struct pogo_thread *policy_dequeue(void);

/* Tells whether any thread is ready. */
bool policy_has_ready(void);

/* Called when t starts running. */
void policy_switched_in(struct pogo_thread *t);

/* Called when an interrupt returns to application code of the current
 * thread: returns true when the thread should give up the CPU now. */
bool policy_should_preempt(void);

#endif
