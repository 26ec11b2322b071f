/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Cooperative round robin: a thread runs until it blocks, yields or
 * exits. Cheapest switches and no timer interrupts, but a thread that
 * spins without a syscall keeps the others from running.
 */
#include "policy.h"
#include "queue.h"

static struct ready_queue queue;

void policy_enqueue(struct pogo_thread *t)
{
    ready_queue_push(&queue, t);
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
}

bool policy_should_preempt(void)
{
    return false;
}
