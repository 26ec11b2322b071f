/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Threads, the scheduler and wait queues. Pogo runs on one CPU and kernel
 * code is not preempted: a thread switches only when it blocks, yields,
 * or (with the preemptive scheduler) when a timer interrupt arrives while
 * it runs application code. All functions here are called with
 * interrupts off, which is how syscalls and interrupt handlers run.
 */
#ifndef POGO_SCHED_H
#define POGO_SCHED_H

#include <pogo/arch.h>
#include <pogo/timer.h>

#define POGO_THREAD_NAME_MAX 16

enum pogo_thread_state {
    POGO_THREAD_RUNNING,
    POGO_THREAD_READY,
    POGO_THREAD_BLOCKED,
    POGO_THREAD_DEAD,
};

struct pogo_waitqueue;

struct pogo_thread {
    uintptr_t rsp;    /* saved kernel stack pointer while switched out */
    uintptr_t kstack; /* kernel stack: bottom address */
    size_t kstack_size;
    unsigned kstack_order; /* frames order, 0 for the boot stack */
    void *fpu;             /* FPU/SSE/AVX state, or NULL for kernel threads */
    uint64_t fs_base;
    uint64_t gs_base;
    int tid;
    enum pogo_thread_state state;
    char name[POGO_THREAD_NAME_MAX];
    const char *name_ptr; /* points at name; regions keep &name_ptr */

    /* Linux thread state kept for the syscall layer. */
    uintptr_t clear_child_tid;
    uintptr_t robust_list;
    size_t robust_len;
    uint64_t sigmask;
    uint64_t sigpending;
    uintptr_t altstack_sp; /* sigaltstack, size 0 when none */
    size_t altstack_size;
    bool in_sigsuspend; /* the next signal frame restores saved_sigmask */
    uint64_t saved_sigmask;
    int exit_status;
    int nice;

    /* Scheduling. */
    struct pogo_thread *run_next; /* ready queue link */
    struct pogo_thread *all_next; /* list of all threads */
    struct pogo_timer timer;      /* sleep and timeout */
    struct pogo_waitqueue *waiting_on;
    int wake_reason;     /* 0, -ETIMEDOUT or -EINTR */
    uint64_t cpu_cycles; /* time spent running */
    uint64_t run_start;
    bool is_app; /* runs application code */
};

struct pogo_wait_entry {
    struct pogo_thread *thread;
    uintptr_t key;
    uint32_t bitset;
    struct pogo_wait_entry *next;
    struct pogo_wait_entry *prev;
};

struct pogo_waitqueue {
    struct pogo_wait_entry *head;
    struct pogo_wait_entry *tail;
};

/* The thread running now. */
struct pogo_thread *pogo_thread_current(void);

/* Finds a live thread by id, or returns NULL. */
struct pogo_thread *pogo_thread_find(int tid);

/* Calls fn for every live thread. */
void pogo_thread_for_each(void (*fn)(struct pogo_thread *t, void *arg),
                          void *arg);

/* Number of live threads that run application code. */
size_t pogo_thread_app_count(void);

/*
 * Creates a kernel thread that runs fn(arg), ready to run. Returns it, or
 * NULL when memory runs out. The thread ends when fn returns.
 */
struct pogo_thread *pogo_thread_create(const char *name, void (*fn)(void *),
                                       void *arg);

/*
 * Creates a thread that will run application code: a kernel stack and an
 * FPU area copied from the current thread. The caller prepares its first
 * return to the application with the returned stack top, then calls
 * pogo_thread_start. Returns NULL when memory runs out.
 */
struct pogo_thread *pogo_thread_create_app(void);
void pogo_thread_start(struct pogo_thread *t, void (*fn)(void *), void *arg);

/* Starts t with its kernel stack beginning below top, so that the caller
 * can keep data (a register frame) above it. */
void pogo_thread_start_below(struct pogo_thread *t, uintptr_t top,
                             void (*fn)(void *), void *arg);

/* Frees a thread from pogo_thread_create_app that was never started. */
void pogo_thread_discard(struct pogo_thread *t);

/* Ends the current thread; its stack is freed after the switch away. */
POGO_NORETURN void pogo_thread_exit(void);

/* Sets a thread's name (truncated to 15 bytes). */
void pogo_thread_set_name(struct pogo_thread *t, const char *name);

/* Gives the CPU to the next ready thread, if any. */
void pogo_sched_yield(void);

/*
 * Keeps every application thread but the current one from running again,
 * as when a process exits while its shutdown work still blocks. Kernel
 * threads go on running.
 */
void pogo_sched_stop_app_threads(void);

/* Makes a blocked thread ready again. */
void pogo_sched_wake(struct pogo_thread *t, int reason);

/*
 * Blocks the current thread until pogo_sched_wake or, when deadline_ns
 * is not 0, until that monotonic time. Returns the wake reason: 0, or
 * -ETIMEDOUT.
 */
int pogo_sched_block(uint64_t deadline_ns);

/* Sleeps until the monotonic time deadline_ns. */
void pogo_sched_sleep_until(uint64_t deadline_ns);

/*
 * Waits on wq until woken or deadline_ns (0: no deadline). key and bitset
 * let wakers choose entries (futexes); others pass 0 and ~0u. Returns 0,
 * -ETIMEDOUT or -EINTR.
 */
int pogo_wait(struct pogo_waitqueue *wq, uintptr_t key, uint32_t bitset,
              uint64_t deadline_ns);

/*
 * Wakes up to n waiters of wq whose key equals key and whose bitset
 * shares a bit with bitset (key 0 and bitset ~0u match all). Returns the
 * number woken.
 */
int pogo_wake(struct pogo_waitqueue *wq, uintptr_t key, uint32_t bitset, int n);

/*
 * Moves up to n waiters with key from one queue to another, giving them
 * new_key. Returns the number moved.
 */
int pogo_wait_requeue(struct pogo_waitqueue *from, uintptr_t key,
                      struct pogo_waitqueue *to, uintptr_t new_key, int n);

/* Interrupts the wait of t, if it waits, with -EINTR (signal delivery). */
void pogo_wait_interrupt(struct pogo_thread *t);

/* CPU time of the whole application and of one thread, in ns. */
uint64_t pogo_sched_thread_cpu_ns(struct pogo_thread *t);

/* Gives up the CPU if the current time slice is over (syscall exit). */
void pogo_sched_preempt_point(void);

/*
 * Lets the kernel threads that an interrupt woke, such as the network's
 * receive thread, run before the caller goes on.
 */
void pogo_sched_run_kernel_threads(void);

/* Called by the interrupt exit path: may switch threads (preemption). */
void pogo_sched_irq_exit(struct pogo_regs *regs);

/*
 * Hooks of the signal code: on the way back to the application from an
 * interrupt (may change regs to run a handler), and for a CPU exception
 * in application code (returns true when a handler will run instead of a
 * crash report). The defaults do nothing.
 */
void pogo_signal_return_hook(struct pogo_regs *regs);

/* Tells whether the current thread has a signal to take, so a blocking
 * call should end with -EINTR. The default says no. */
bool pogo_signal_pending(void);
bool pogo_fault_signal(struct pogo_regs *regs, int sig, uint64_t addr);

#endif
