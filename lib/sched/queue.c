/* SPDX-License-Identifier: BSD-3-Clause */
/* The first-in first-out ready queue that both policies use. */
#include "policy.h"
#include "queue.h"

void ready_queue_push(struct ready_queue *q, struct pogo_thread *t)
{
    t->run_next = NULL;
    if (q->tail)
        q->tail->run_next = t;
    else
        q->head = t;
    q->tail = t;
}

struct pogo_thread *ready_queue_pop(struct ready_queue *q)
{
    struct pogo_thread *t = q->head;

    if (!t)
        return NULL;
    q->head = t->run_next;
    if (!q->head)
        q->tail = NULL;
    t->run_next = NULL;
    return t;
}
