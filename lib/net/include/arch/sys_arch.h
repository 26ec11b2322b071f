/* SPDX-License-Identifier: BSD-3-Clause */
/* lwIP's operating-system types on Pogo's threads and wait queues. */
#ifndef POGO_LWIP_SYS_ARCH_H
#define POGO_LWIP_SYS_ARCH_H

#include <pogo/sched.h>

struct sys_sem {
    int count;
    bool valid;
    struct pogo_waitqueue waiters;
};

struct sys_mutex {
    bool locked;
    bool valid;
    struct pogo_waitqueue waiters;
};

struct sys_mbox {
    void **slots;
    int size, head, count;
    bool valid;
    struct pogo_waitqueue readers;
    struct pogo_waitqueue writers;
};

typedef struct sys_sem sys_sem_t;
typedef struct sys_mutex sys_mutex_t;
typedef struct sys_mbox sys_mbox_t;
typedef struct pogo_thread *sys_thread_t;
typedef int sys_prot_t;

#define sys_sem_valid(s)         ((s)->valid)
#define sys_sem_set_invalid(s)   ((s)->valid = false)
#define sys_mutex_valid(m)       ((m)->valid)
#define sys_mutex_set_invalid(m) ((m)->valid = false)
#define sys_mbox_valid(m)        ((m)->valid)
#define sys_mbox_set_invalid(m)  ((m)->valid = false)

#endif
