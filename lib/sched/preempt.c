/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Preemptive round robin: like the cooperative policy, but while other
 * threads are ready, a timer ends the running thread's time slice and the
 * next interrupt that returns to application code switches threads.
 * Kernel code itself is never preempted.
 */
#include <pogo/config.h>
#include <pogo/time.h>
#include <pogo/timer.h>

#include "policy.h"
#include "queue.h"

#ifndef CONFIG_SCHED_SLICE_US
#define CONFIG_SCHED_SLICE_US 10000
#endif

static struct ready_queue queue;
static struct pogo_timer slice_timer;
static bool slice_over;

/* How soon to try again when a slice ended while the thread ran kernel
 * code, which is not preempted. */
#define RETRY_NS 1000000ULL

static void slice_expired(struct pogo_timer *t)
{
    slice_over = true;
    if (queue.head)
        pogo_timer_start(&slice_timer, pogo_time_monotonic_ns() + RETRY_NS,
                         slice_expired);
}

static void start_slice(void)
{
    slice_over = false;
    pogo_timer_start(&slice_timer,
                     pogo_time_monotonic_ns() + CONFIG_SCHED_SLICE_US * 1000ULL,
                     slice_expired);
}

void policy_enqueue(struct pogo_thread *t)
{
    ready_queue_push(&queue, t);
    /* A thread running alone has no slice; now it needs one. */
    if (!slice_timer.armed)
        start_slice();
}

struct pogo_thread *policy_dequeue(void)
{
    return ready_queue_pop(&queue);
}

bool policy_has_ready(void)
{
    return queue.head != NULL;
}

void policy_switched_in(struct pogo_thread *t)
{
    if (queue.head)
        start_slice();
    else
        pogo_timer_cancel(&slice_timer);
}

bool policy_should_preempt(void)
{
    return slice_over && queue.head;
}
