/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The scheduler core: threads, switching, blocking and the idle loop.
 * When no thread is ready the CPU halts until an interrupt (a timer or a
 * device) makes one ready, so a guest that sleeps costs the host almost
 * nothing.
 */
#include <pogo/alloc.h>
#include <pogo/arch.h>
#include <pogo/errno.h>
#include <pogo/format.h>
#include <pogo/init.h>
#include <pogo/log.h>
#include <pogo/mm.h>
#include <pogo/sched.h>
#include <pogo/string.h>
#include <pogo/time.h>

#include "policy.h"

#ifndef CONFIG_KSTACK_SIZE
#define CONFIG_KSTACK_SIZE 16384
#endif

#define FPU_ALIGN 64

extern char pogo_boot_stack_bottom[];
extern char pogo_boot_stack_top[];
extern const char pogo_app_name[];

static struct pogo_thread main_thread;
static struct pogo_thread *current = &main_thread;
static struct pogo_thread *all_threads = &main_thread;
static struct pogo_thread *fpu_owner = &main_thread;
static struct pogo_thread *dead; /* waiting for their stacks to be freed */
static int next_tid = 2;
static size_t app_threads = 1;
static uint64_t idle_cycles;
/* The application thread that ended the process, the only one that
 * still runs. */
static struct pogo_thread *exiting_thread;
/* Kernel threads in the ready queue, such as the network's. */
static unsigned kernel_threads_ready;

/* Puts t at the end of the ready queue. */
static void make_ready(struct pogo_thread *t)
{
    if (!t->is_app)
        kernel_threads_ready++;
    policy_enqueue(t);
}

struct pogo_thread *pogo_thread_current(void)
{
    return current;
}

struct pogo_thread *pogo_thread_find(int tid)
{
    for (struct pogo_thread *t = all_threads; t; t = t->all_next) {
        if (t->tid == tid && t->state != POGO_THREAD_DEAD)
            return t;
    }
    return NULL;
}

void pogo_thread_for_each(void (*fn)(struct pogo_thread *t, void *arg),
                          void *arg)
{
    for (struct pogo_thread *t = all_threads; t; t = t->all_next) {
        if (t->state != POGO_THREAD_DEAD)
            fn(t, arg);
    }
}

size_t pogo_thread_app_count(void)
{
    return app_threads;
}

void pogo_thread_set_name(struct pogo_thread *t, const char *name)
{
    pogo_strlcpy(t->name, name, sizeof(t->name));
}

static unsigned stack_order(void)
{
    unsigned order = 0;

    while ((POGO_PAGE_SIZE << order) < CONFIG_KSTACK_SIZE)
        order++;
    return order;
}

static struct pogo_thread *alloc_thread(const char *name, bool app)
{
    struct pogo_thread *t = pogo_calloc(1, sizeof(*t));
    unsigned order = stack_order();

    if (!t)
        return NULL;
    t->kstack = pogo_frames_alloc(order);
    if (!t->kstack) {
        pogo_free(t);
        return NULL;
    }
    t->kstack_order = order;
    t->kstack_size = POGO_PAGE_SIZE << order;
    if (app) {
        t->fpu = pogo_memalign(FPU_ALIGN, pogo_arch_fpu_size());
        if (!t->fpu) {
            pogo_frames_free(t->kstack, order);
            pogo_free(t);
            return NULL;
        }
        pogo_memset(t->fpu, 0, pogo_arch_fpu_size());
    }
    t->is_app = app;
    t->tid = next_tid++;
    t->name_ptr = t->name;
    pogo_thread_set_name(t, name);
    return t;
}

static void link_thread(struct pogo_thread *t)
{
    t->all_next = all_threads;
    all_threads = t;
    if (t->is_app)
        app_threads++;
}

struct pogo_thread *pogo_thread_create_app(void)
{
    struct pogo_thread *t = alloc_thread(current->name, true);

    if (!t)
        return NULL;
    /* A new thread starts with a copy of its creator's FPU state. */
    if (fpu_owner == current) {
        pogo_arch_fpu_save(t->fpu);
    } else {
        pogo_memcpy(t->fpu, current->fpu, pogo_arch_fpu_size());
    }
    t->sigmask = current->sigmask;
    t->nice = current->nice;
    return t;
}

void pogo_thread_start_below(struct pogo_thread *t, uintptr_t top,
                             void (*fn)(void *), void *arg)
{
    t->rsp = pogo_arch_thread_stack_init(top, fn, arg);
    link_thread(t);
    t->state = POGO_THREAD_READY;
    make_ready(t);
}

void pogo_thread_start(struct pogo_thread *t, void (*fn)(void *), void *arg)
{
    pogo_thread_start_below(t, t->kstack + t->kstack_size, fn, arg);
}

void pogo_thread_discard(struct pogo_thread *t)
{
    pogo_frames_free(t->kstack, t->kstack_order);
    pogo_free(t->fpu);
    pogo_free(t);
}

struct pogo_thread *pogo_thread_create(const char *name, void (*fn)(void *),
                                       void *arg)
{
    struct pogo_thread *t = alloc_thread(name, false);

    if (t)
        pogo_thread_start(t, fn, arg);
    return t;
}

static void free_dead(void)
{
    while (dead) {
        struct pogo_thread *t = dead;
        dead = t->run_next;
        pogo_thread_discard(t);
    }
}

static void unlink_thread(struct pogo_thread *t)
{
    for (struct pogo_thread **p = &all_threads; *p; p = &(*p)->all_next) {
        if (*p == t) {
            *p = t->all_next;
            return;
        }
    }
}

/* Switches the FPU registers to next's state if next runs app code. */
static void switch_fpu(struct pogo_thread *next)
{
    if (!next->is_app || fpu_owner == next)
        return;
    if (fpu_owner)
        pogo_arch_fpu_save(fpu_owner->fpu);
    pogo_arch_fpu_restore(next->fpu);
    fpu_owner = next;
}

static void switch_to(struct pogo_thread *next)
{
    struct pogo_thread *prev = current;
    uint64_t now = pogo_arch_cycles();

    prev->cpu_cycles += now - prev->run_start;
    next->run_start = now;
    if (prev->is_app) {
        prev->fs_base = pogo_arch_get_fs_base();
    }
    switch_fpu(next);
    if (next->is_app) {
        pogo_arch_set_fs_base(next->fs_base);
    }
    pogo_arch_set_kernel_stack(next->kstack, next->kstack + next->kstack_size);
    current = next;
    next->state = POGO_THREAD_RUNNING;
    policy_switched_in(next);
    pogo_arch_switch(&prev->rsp, next->rsp);

    /* Running again as prev. */
    free_dead();
}

/* Halts until an interrupt makes a thread ready, then returns it. */
static struct pogo_thread *wait_for_ready(void)
{
    for (;;) {
        struct pogo_thread *next = policy_dequeue();
        uint64_t start;

        if (next && !next->is_app)
            kernel_threads_ready--;

        /* After the process exit, other application threads leave the
         * queue for good; their state stays READY, so no wake-up queues
         * them again. */
        if (next && exiting_thread && next->is_app && next != exiting_thread)
            continue;
        if (next)
            return next;
        start = pogo_arch_cycles();
        pogo_arch_wait_for_interrupt();
        idle_cycles += pogo_arch_cycles() - start;
    }
}

/* Runs the next ready thread; the caller has set current's state. */
static void schedule(void)
{
    struct pogo_thread *next = wait_for_ready();

    if (next == current) {
        current->state = POGO_THREAD_RUNNING;
        return;
    }
    switch_to(next);
}

void pogo_sched_yield(void)
{
    bool irq = pogo_irq_save();

    if (policy_has_ready()) {
        current->state = POGO_THREAD_READY;
        make_ready(current);
        schedule();
    }
    pogo_irq_restore(irq);
}

void pogo_sched_stop_app_threads(void)
{
    exiting_thread = current;
}

void pogo_sched_wake(struct pogo_thread *t, int reason)
{
    if (t->state != POGO_THREAD_BLOCKED)
        return;
    pogo_timer_cancel(&t->timer);
    t->wake_reason = reason;
    t->state = POGO_THREAD_READY;
    make_ready(t);
}

static void timeout_expired(struct pogo_timer *timer)
{
    struct pogo_thread *t = pogo_container_of(timer, struct pogo_thread, timer);

    pogo_sched_wake(t, -ETIMEDOUT);
}

int pogo_sched_block(uint64_t deadline_ns)
{
    bool irq = pogo_irq_save();
    int reason;

    current->wake_reason = 0;
    current->state = POGO_THREAD_BLOCKED;
    if (deadline_ns)
        pogo_timer_start(&current->timer, deadline_ns, timeout_expired);
    schedule();
    reason = current->wake_reason;
    pogo_irq_restore(irq);
    return reason;
}

void pogo_sched_sleep_until(uint64_t deadline_ns)
{
    while (pogo_time_monotonic_ns() < deadline_ns) {
        if (pogo_sched_block(deadline_ns) == -EINTR)
            return;
    }
}

POGO_NORETURN void pogo_thread_exit(void)
{
    struct pogo_thread *t = current;

    pogo_irq_save();
    pogo_timer_cancel(&t->timer);
    t->state = POGO_THREAD_DEAD;
    unlink_thread(t);
    if (t->is_app)
        app_threads--;
    if (fpu_owner == t)
        fpu_owner = NULL;
    /* The stack is in use until the switch: the next thread frees it. */
    t->run_next = dead;
    dead = t;
    switch_to(wait_for_ready());
    __builtin_unreachable();
}

uint64_t pogo_sched_thread_cpu_ns(struct pogo_thread *t)
{
    uint64_t cycles = t->cpu_cycles;

    if (t == current)
        cycles += pogo_arch_cycles() - t->run_start;
    return pogo_time_cycles_to_ns(cycles);
}

uint64_t pogo_time_process_cpu_ns(void)
{
    uint64_t busy = pogo_arch_cycles() - pogo_time_boot_cycles() - idle_cycles;

    return pogo_time_cycles_to_ns(busy);
}

uint64_t pogo_time_thread_cpu_ns(void)
{
    return pogo_sched_thread_cpu_ns(current);
}

const char *pogo_crash_thread_name(void)
{
    static char text[POGO_THREAD_NAME_MAX + 40];

    pogo_snprintf(text, sizeof(text), "%s (tid %d%s)", current->name,
                  current->tid,
                  current == &main_thread ? ", the main thread" : "");
    return text;
}

void pogo_sched_irq_exit(struct pogo_regs *regs)
{
    if (!current->is_app || current->state != POGO_THREAD_RUNNING)
        return;
    /* Only application code is preempted: kernel code runs on the
     * thread's kernel stack and is not written to be interrupted. */
    if (regs->rsp >= current->kstack &&
        regs->rsp <= current->kstack + current->kstack_size)
        return;
    if (!policy_should_preempt())
        return;
    current->state = POGO_THREAD_READY;
    make_ready(current);
    schedule();
}

void pogo_sched_preempt_point(void)
{
    if (policy_should_preempt())
        pogo_sched_yield();
}

void pogo_sched_run_kernel_threads(void)
{
    if (kernel_threads_ready > 0)
        pogo_sched_yield();
}

POGO_WEAK void pogo_signal_return_hook(struct pogo_regs *regs)
{
}

POGO_WEAK bool pogo_signal_pending(void)
{
    return false;
}

void pogo_irq_exit(struct pogo_regs *regs)
{
    pogo_sched_irq_exit(regs);
    pogo_signal_return_hook(regs);
}

static int sched_init(void)
{
    main_thread.tid = 1;
    main_thread.is_app = true;
    main_thread.state = POGO_THREAD_RUNNING;
    main_thread.kstack = (uintptr_t)pogo_boot_stack_bottom;
    main_thread.kstack_size = pogo_boot_stack_top - pogo_boot_stack_bottom;
    main_thread.name_ptr = main_thread.name;
    main_thread.run_start = pogo_arch_cycles();
    pogo_thread_set_name(&main_thread, pogo_app_name);
    main_thread.fpu = pogo_memalign(FPU_ALIGN, pogo_arch_fpu_size());
    if (!main_thread.fpu)
        return -ENOMEM;
    pogo_memset(main_thread.fpu, 0, pogo_arch_fpu_size());
    return 0;
}
POGO_INIT(POGO_INIT_SCHED, "sched", sched_init, NULL);
