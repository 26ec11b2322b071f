/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The syscall dispatcher: a table indexed by syscall number, built at
 * compile time from the families this image is configured with. A number
 * without an entry answers -ENOSYS and is logged once.
 */
#include <pogo/arch/percpu.h>
#include <pogo/errno.h>
#include <pogo/log.h>
#include <pogo/sched.h>
#include <pogo/string.h>
#include <pogo/syscall.h>
#include <pogo/syscall_nr.h>

#include "posix.h"
#include "syscalls.h"

#define NSYSCALLS 512

/* The bodies take fewer than six arguments; the ABI passes the rest in
 * registers that they ignore. */
#define SYSCALL(name) \
    [POGO_NR_##name] = (pogo_syscall_fn)(void (*)(void))sys_##name

/* ./pogo inspect finds this array in the image by its input section,
 * .rodata.table, so a new name needs a change in scripts/pogo_inspect. */
static const pogo_syscall_fn table[NSYSCALLS] = {
    POGO_SYSCALLS_PROCESS,
    POGO_SYSCALLS_CREDS,
    POGO_SYSCALLS_ITIMER,
    POGO_SYSCALLS_THREAD,
    POGO_SYSCALLS_SIGNAL,
    POGO_SYSCALLS_MEMORY,
    POGO_SYSCALLS_FILE,
    POGO_SYSCALLS_TIME,
    POGO_SYSCALLS_RANDOM POGO_SYSCALLS_EVENTS POGO_SYSCALLS_NET,
};

/* Names for messages, NUL-separated in number order. */
static const char names[] = POGO_SYSCALL_NAMES;

/* The entry code stores this in the error slot of a syscall frame. */
#define FRAME_FAST_RETURN ((uint64_t)-1)

/* Numbers already logged: a bitmap below NSYSCALLS, a short list above. */
static uint64_t logged[NSYSCALLS / 64];
static unsigned long logged_high[8];

const char *pogo_syscall_name(unsigned long nr)
{
    const char *p = names;

    for (unsigned long i = 0; i < nr; i++) {
        p += pogo_strlen(p) + 1;
        if (p >= names + sizeof(names))
            return NULL;
    }
    return p[0] ? p : NULL;
}

/* The entry code builds the frame at the top of the thread's kernel stack. */
struct pogo_regs *pogo_syscall_regs(void)
{
    return (struct pogo_regs *)pogo_percpu.kstack_top - 1;
}

void pogo_syscall_set_full_return(void)
{
    pogo_syscall_regs()->error = 0;
}

/* Records nr as logged; returns false if it was already. */
static bool first_time(unsigned long nr)
{
    if (nr < NSYSCALLS) {
        bool seen = logged[nr / 64] & (1ULL << (nr % 64));
        logged[nr / 64] |= 1ULL << (nr % 64);
        return !seen;
    }
    for (size_t i = 0; i < POGO_ARRAY_SIZE(logged_high); i++) {
        if (logged_high[i] == nr + 1)
            return false;
        if (logged_high[i] == 0) {
            logged_high[i] = nr + 1;
            return true;
        }
    }
    return false; /* the list is full: stay quiet rather than flood */
}

static long not_implemented(unsigned long nr)
{
    const char *name = pogo_syscall_name(nr);

    if (first_time(nr))
        pogo_warn("posix: syscall %lu (%s) is not implemented; returning "
                  "ENOSYS\n",
                  nr, name ? name : "unknown");
    return -ENOSYS;
}

/* Tells whether a call that returned ret was a poll, select or
 * epoll_wait that found nothing ready. */
static bool found_nothing(unsigned long nr, long ret)
{
    if (ret != 0)
        return false;
    return nr == POGO_NR_poll || nr == POGO_NR_ppoll || nr == POGO_NR_select ||
           nr == POGO_NR_pselect6 || nr == POGO_NR_epoll_wait ||
           nr == POGO_NR_epoll_pwait;
}

int pogo_syscall(struct pogo_regs *r)
{
    unsigned long nr = r->vector;
    long ret;

    if (nr < NSYSCALLS && table[nr])
        ret = table[nr](r->rdi, r->rsi, r->rdx, r->r10, r->r8, r->r9);
    else
        ret = not_implemented(nr);
    r->rax = ret;
    /* An application that polls without blocking waits for the network
     * as much as one that blocks. Under the cooperative scheduler it
     * would keep the receive thread that an interrupt woke from running,
     * and so never see the data it waits for; Linux does this work
     * between system calls. Redis polls so while a script runs.
     * NOTE: a loop of non-blocking reads that return EAGAIN, with no
     * poll between them, still waits forever. Yielding after EAGAIN too
     * let nginx serve its busy connections for tens of ms before it
     * accepted new ones. */
    if (found_nothing(nr, ret))
        pogo_sched_run_kernel_threads();
    pogo_sched_preempt_point();
    if (posix_signal_pending() && posix_signal_deliver(r, ret))
        return 1;
    return r->error != FRAME_FAST_RETURN;
}
