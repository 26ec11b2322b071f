/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * lwIP's system layer on Pogo: semaphores, mutexes and mailboxes on wait
 * queues, threads on kernel threads, time from the monotonic clock.
 * Everything runs on one CPU with interrupts off in the kernel, so the
 * counters need no atomics; waiting releases the CPU to other threads.
 */
#include <pogo/alloc.h>
#include <pogo/arch.h>
#include <pogo/errno.h>
#include <pogo/log.h>
#include <pogo/random.h>
#include <pogo/sched.h>
#include <pogo/time.h>

#include "lwip/opt.h"
#include "lwip/sys.h"

#define NS_PER_MS 1000000ULL

/* Monotonic deadline for a timeout in ms; 0 waits forever. */
static uint64_t deadline(u32_t timeout_ms)
{
    return timeout_ms ? pogo_time_monotonic_ns() + timeout_ms * NS_PER_MS : 0;
}

static u32_t elapsed_ms(uint64_t start)
{
    return (pogo_time_monotonic_ns() - start) / NS_PER_MS;
}

void sys_init(void)
{
}

u32_t sys_now(void)
{
    return pogo_time_monotonic_ns() / NS_PER_MS;
}

sys_prot_t sys_arch_protect(void)
{
    return pogo_irq_save();
}

void sys_arch_unprotect(sys_prot_t enabled)
{
    pogo_irq_restore(enabled);
}

err_t sys_sem_new(sys_sem_t *sem, u8_t count)
{
    *sem = (sys_sem_t){.count = count, .valid = true};
    return ERR_OK;
}

void sys_sem_free(sys_sem_t *sem)
{
    sem->valid = false;
}

void sys_sem_signal(sys_sem_t *sem)
{
    bool irq = pogo_irq_save();

    sem->count++;
    pogo_wake(&sem->waiters, 0, ~0u, 1);
    pogo_irq_restore(irq);
}

u32_t sys_arch_sem_wait(sys_sem_t *sem, u32_t timeout_ms)
{
    uint64_t start = pogo_time_monotonic_ns();
    uint64_t until = deadline(timeout_ms);
    bool irq = pogo_irq_save();

    while (sem->count == 0) {
        if (pogo_wait(&sem->waiters, 0, ~0u, until) == -ETIMEDOUT &&
            sem->count == 0) {
            pogo_irq_restore(irq);
            return SYS_ARCH_TIMEOUT;
        }
    }
    sem->count--;
    pogo_irq_restore(irq);
    return elapsed_ms(start);
}

err_t sys_mutex_new(sys_mutex_t *m)
{
    *m = (sys_mutex_t){.valid = true};
    return ERR_OK;
}

void sys_mutex_free(sys_mutex_t *m)
{
    m->valid = false;
}

void sys_mutex_lock(sys_mutex_t *m)
{
    bool irq = pogo_irq_save();

    while (m->locked)
        pogo_wait(&m->waiters, 0, ~0u, 0);
    m->locked = true;
    pogo_irq_restore(irq);
}

void pogo_net_core_unlocked(sys_mutex_t *m);

void sys_mutex_unlock(sys_mutex_t *m)
{
    bool irq = pogo_irq_save();

    m->locked = false;
    pogo_wake(&m->waiters, 0, ~0u, 1);
    pogo_irq_restore(irq);
    pogo_net_core_unlocked(m);
}

err_t sys_mbox_new(sys_mbox_t *mb, int size)
{
    if (size <= 0)
        size = 32;
    *mb = (sys_mbox_t){.size = size};
    mb->slots = pogo_calloc(size, sizeof(void *));
    if (!mb->slots)
        return ERR_MEM;
    mb->valid = true;
    return ERR_OK;
}

void sys_mbox_free(sys_mbox_t *mb)
{
    pogo_free(mb->slots);
    mb->slots = NULL;
    mb->valid = false;
}

static void put(sys_mbox_t *mb, void *msg)
{
    mb->slots[(mb->head + mb->count) % mb->size] = msg;
    mb->count++;
    pogo_wake(&mb->readers, 0, ~0u, 1);
}

void sys_mbox_post(sys_mbox_t *mb, void *msg)
{
    bool irq = pogo_irq_save();

    while (mb->count == mb->size)
        pogo_wait(&mb->writers, 0, ~0u, 0);
    put(mb, msg);
    pogo_irq_restore(irq);
}

err_t sys_mbox_trypost(sys_mbox_t *mb, void *msg)
{
    bool irq = pogo_irq_save();
    err_t err = ERR_MEM;

    if (mb->count < mb->size) {
        put(mb, msg);
        err = ERR_OK;
    }
    pogo_irq_restore(irq);
    return err;
}

err_t sys_mbox_trypost_fromisr(sys_mbox_t *mb, void *msg)
{
    return sys_mbox_trypost(mb, msg);
}

static void *take(sys_mbox_t *mb)
{
    void *msg = mb->slots[mb->head];

    mb->head = (mb->head + 1) % mb->size;
    mb->count--;
    pogo_wake(&mb->writers, 0, ~0u, 1);
    return msg;
}

u32_t sys_arch_mbox_fetch(sys_mbox_t *mb, void **msg, u32_t timeout_ms)
{
    uint64_t start = pogo_time_monotonic_ns();
    uint64_t until = deadline(timeout_ms);
    bool irq = pogo_irq_save();
    void *m;

    while (mb->count == 0) {
        if (pogo_wait(&mb->readers, 0, ~0u, until) == -ETIMEDOUT &&
            mb->count == 0) {
            pogo_irq_restore(irq);
            return SYS_ARCH_TIMEOUT;
        }
    }
    m = take(mb);
    if (msg)
        *msg = m;
    pogo_irq_restore(irq);
    return elapsed_ms(start);
}

u32_t sys_arch_mbox_tryfetch(sys_mbox_t *mb, void **msg)
{
    bool irq = pogo_irq_save();
    void *m;

    if (mb->count == 0) {
        pogo_irq_restore(irq);
        return SYS_MBOX_EMPTY;
    }
    m = take(mb);
    if (msg)
        *msg = m;
    pogo_irq_restore(irq);
    return 0;
}

sys_thread_t sys_thread_new(const char *name, lwip_thread_fn fn, void *arg,
                            int stacksize, int prio)
{
    struct pogo_thread *t = pogo_thread_create(name, fn, arg);

    if (!t)
        pogo_panic("net: cannot create lwIP's thread %s", name);
    return t;
}

void *pogo_lwip_malloc(size_t size)
{
    return pogo_malloc(size);
}

void *pogo_lwip_calloc(size_t n, size_t size)
{
    return pogo_calloc(n, size);
}

void pogo_lwip_free(void *p)
{
    pogo_free(p);
}

unsigned pogo_lwip_random(void)
{
    unsigned v;

    pogo_random_bytes(&v, sizeof(v));
    return v;
}

void pogo_lwip_assert(const char *msg, const char *file, int line)
{
    pogo_panic("lwip: assertion failed: %s at %s:%d", msg, file, line);
}

void pogo_lwip_diag(const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    pogo_vlog(POGO_LOG_DEBUG, fmt, ap);
    va_end(ap);
}
