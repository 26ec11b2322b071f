/* SPDX-License-Identifier: BSD-3-Clause */
/* A FIFO of ready threads, linked through run_next. */
#ifndef POGO_SCHED_QUEUE_H
#define POGO_SCHED_QUEUE_H

#include <pogo/sched.h>

struct ready_queue {
    struct pogo_thread *head;
    struct pogo_thread *tail;
};

void ready_queue_push(struct ready_queue *q, struct pogo_thread *t);
struct pogo_thread *ready_queue_pop(struct ready_queue *q);

#endif
