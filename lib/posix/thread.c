/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Thread syscalls: clone for threads (the flags musl's pthread_create
 * passes), thread exit with the clear-child-tid wake and the robust futex
 * list, thread ids, names, affinity and priorities.
 */
#include <pogo/boot.h>
#include <pogo/errno.h>
#include <pogo/log.h>
#include <pogo/mm.h>
#include <pogo/sched.h>
#include <pogo/string.h>
#include <pogo/syscall.h>
#include <pogo/uaccess.h>

#include "abi.h"
#include "posix.h"
#include "syscalls.h"

#define CLONE_VM             0x00000100
#define CLONE_FS             0x00000200
#define CLONE_FILES          0x00000400
#define CLONE_SIGHAND        0x00000800
#define CLONE_PIDFD          0x00001000
#define CLONE_PTRACE         0x00002000
#define CLONE_VFORK          0x00004000
#define CLONE_PARENT         0x00008000
#define CLONE_THREAD         0x00010000
#define CLONE_NEWNS          0x00020000
#define CLONE_SYSVSEM        0x00040000
#define CLONE_SETTLS         0x00080000
#define CLONE_PARENT_SETTID  0x00100000
#define CLONE_CHILD_CLEARTID 0x00200000
#define CLONE_DETACHED       0x00400000
#define CLONE_UNTRACED       0x00800000
#define CLONE_CHILD_SETTID   0x01000000
#define CLONE_IO             0x80000000UL
#define CLONE_NEW_MASK       0x7e020000UL /* the CLONE_NEW* namespace flags */
#define CSIGNAL              0xff

#define PR_SET_PDEATHSIG    1
#define PR_GET_PDEATHSIG    2
#define PR_GET_DUMPABLE     3
#define PR_SET_DUMPABLE     4
#define PR_SET_NAME         15
#define PR_GET_NAME         16
#define PR_SET_NO_NEW_PRIVS 38
#define PR_GET_NO_NEW_PRIVS 39

#define PRIO_PROCESS 0
#define PRIO_PGRP    1
#define PRIO_USER    2

#define FUTEX_TID_MASK    0x3fffffff
#define FUTEX_OWNER_DIED  0x40000000
#define FUTEX_WAITERS     0x80000000
#define ROBUST_LIST_LIMIT 2048

POGO_NORETURN void pogo_arch_return_to_app(struct pogo_regs *frame);

/* Flags that a thread needs, and flags that Pogo accepts and ignores
 * because a single process has nothing for them to do. */
#define THREAD_FLAGS (CLONE_VM | CLONE_SIGHAND | CLONE_THREAD)
#define IGNORED_FLAGS                                                     \
    (CLONE_FS | CLONE_FILES | CLONE_SYSVSEM | CLONE_DETACHED | CLONE_IO | \
     CLONE_PTRACE | CLONE_UNTRACED)

static void app_thread_entry(void *frame)
{
    pogo_arch_return_to_app(frame);
}

static int check_clone_flags(unsigned long flags)
{
    static bool warned;

    if ((flags & CLONE_SIGHAND) && !(flags & CLONE_VM))
        return -EINVAL;
    if ((flags & CLONE_THREAD) && !(flags & CLONE_SIGHAND))
        return -EINVAL;
    if ((flags & THREAD_FLAGS) != THREAD_FLAGS) {
        if (!warned) {
            warned = true;
            pogo_warn("posix: clone without CLONE_VM|CLONE_THREAD (fork) is "
                      "not supported: Pogo runs one process; returning "
                      "ENOSYS\n");
        }
        return -ENOSYS;
    }
    if (flags & (CLONE_NEW_MASK | CLONE_VFORK | CLONE_PARENT | CLONE_PIDFD))
        return -EINVAL;
    if (flags & CSIGNAL)
        return -EINVAL;
    return 0;
}

long sys_clone(long flags, long newsp, long parent_tid, long child_tid,
               long tls)
{
    struct pogo_thread *t;
    struct pogo_regs *frame;
    int err = check_clone_flags(flags);
    int tid;

    if (err)
        return err;
    t = pogo_thread_create_app();
    if (!t)
        return -EAGAIN;
    tid = t->tid;

    if ((flags & CLONE_PARENT_SETTID) &&
        pogo_copy_to_user((void *)parent_tid, &tid, sizeof(tid)))
        goto fault;
    if ((flags & CLONE_CHILD_SETTID) &&
        pogo_copy_to_user((void *)child_tid, &tid, sizeof(tid)))
        goto fault;
    if (flags & CLONE_CHILD_CLEARTID)
        t->clear_child_tid = child_tid;

    /* The child returns from this syscall with 0, on its own stack. */
    frame = (struct pogo_regs *)(t->kstack + t->kstack_size) - 1;
    *frame = *pogo_syscall_regs();
    frame->rax = 0;
    if (newsp)
        frame->rsp = newsp;
    t->fs_base =
        (flags & CLONE_SETTLS) ? (uint64_t)tls : pogo_arch_get_fs_base();
    pogo_vm_mark_stack(frame->rsp, &t->name_ptr);
    pogo_thread_start_below(t, (uintptr_t)frame, app_thread_entry, frame);
    return tid;

fault:
    pogo_thread_discard(t);
    return -EFAULT;
}

/* Marks the robust futexes a dying thread holds, as Linux does. */
static void release_robust_list(struct pogo_thread *t)
{
    struct {
        uintptr_t next;
        long offset;
        uintptr_t pending;
    } head;
    uintptr_t entry;
    int n = 0;

    if (!t->robust_list ||
        pogo_copy_from_user(&head, (void *)t->robust_list, sizeof(head)))
        return;
    entry = head.next;
    while (entry && entry != t->robust_list && n++ < ROBUST_LIST_LIMIT) {
        uintptr_t next;
        if (pogo_copy_from_user(&next, (void *)entry, sizeof(next)))
            return;
        posix_futex_owner_died(entry + head.offset, t->tid);
        entry = next;
    }
    if (head.pending)
        posix_futex_owner_died(head.pending + head.offset, t->tid);
}

/* Ends the current thread, or the process with the last thread. */
POGO_NORETURN static void exit_thread(int status)
{
    struct pogo_thread *t = pogo_thread_current();
    int zero = 0;

    release_robust_list(t);
    if (pogo_thread_app_count() <= 1)
        pogo_boot_exit(status & 0xff);
    if (t->clear_child_tid &&
        pogo_copy_to_user((void *)t->clear_child_tid, &zero, sizeof(zero)) == 0)
        posix_futex_wake(t->clear_child_tid, 1);
    pogo_vm_clear_owner(&t->name_ptr);
    pogo_thread_exit();
}

long sys_exit(int status)
{
    exit_thread(status);
}

long sys_exit_group(int status)
{
    pogo_boot_exit(status & 0xff);
}

long sys_gettid(void)
{
    return pogo_thread_current()->tid;
}

long sys_set_tid_address(long tidptr)
{
    struct pogo_thread *t = pogo_thread_current();

    t->clear_child_tid = tidptr;
    return t->tid;
}

long sys_set_robust_list(long head, long len)
{
    struct pogo_thread *t = pogo_thread_current();

    if (len != 3 * sizeof(long))
        return -EINVAL;
    t->robust_list = head;
    t->robust_len = len;
    return 0;
}

long sys_get_robust_list(int tid, long head_ptr, long len_ptr)
{
    struct pogo_thread *t = tid ? pogo_thread_find(tid) : pogo_thread_current();
    size_t len;

    if (!t)
        return -ESRCH;
    len = t->robust_len;
    if (pogo_copy_to_user((void *)head_ptr, &t->robust_list, sizeof(long)) ||
        pogo_copy_to_user((void *)len_ptr, &len, sizeof(len)))
        return -EFAULT;
    return 0;
}

long sys_sched_yield(void)
{
    pogo_sched_yield();
    return 0;
}

/* The thread a pid argument names: 0, the process id or a thread id. */
static struct pogo_thread *target(long pid)
{
    if (pid == 0)
        return pogo_thread_current();
    return pogo_thread_find(pid);
}

long sys_sched_getaffinity(int pid, unsigned int len, long mask)
{
    uint64_t cpus = 1;

    if (!target(pid))
        return -ESRCH;
    if (len < (long)sizeof(cpus) || (len & (sizeof(long) - 1)))
        return -EINVAL;
    if (pogo_copy_to_user((void *)mask, &cpus, sizeof(cpus)))
        return -EFAULT;
    return sizeof(cpus);
}

long sys_sched_setaffinity(int pid, unsigned int len, long mask)
{
    uint64_t cpus = 0;

    if (!target(pid))
        return -ESRCH;
    if (len <= 0)
        return -EINVAL;
    if (pogo_copy_from_user(&cpus, (void *)mask,
                            POGO_MIN((size_t)len, sizeof(cpus))))
        return -EFAULT;
    /* Only CPU 0 exists: a mask without it names no usable CPU. */
    return (cpus & 1) ? 0 : -EINVAL;
}

long sys_getpriority(int which, int who)
{
    struct pogo_thread *t;

    if (which != PRIO_PROCESS && which != PRIO_PGRP && which != PRIO_USER)
        return -EINVAL;
    t = which == PRIO_PROCESS ? target(who) : pogo_thread_current();
    if (!t || (which != PRIO_PROCESS && who != 0 && who != 1))
        return -ESRCH;
    /* The raw syscall returns 20 - nice, so that it is never negative. */
    return 20 - t->nice;
}

long sys_setpriority(int which, int who, int prio)
{
    struct pogo_thread *t;

    if (which != PRIO_PROCESS && which != PRIO_PGRP && which != PRIO_USER)
        return -EINVAL;
    t = which == PRIO_PROCESS ? target(who) : pogo_thread_current();
    if (!t || (which != PRIO_PROCESS && who != 0 && who != 1))
        return -ESRCH;
    t->nice = POGO_MAX(-20L, POGO_MIN(19L, prio));
    return 0;
}

long sys_prctl(int option, long arg2, long arg3, long arg4, long arg5)
{
    struct pogo_thread *t = pogo_thread_current();
    char name[POGO_THREAD_NAME_MAX];
    long len;

    switch (option) {
    case PR_SET_NAME:
        len = pogo_strncpy_from_user(name, (const char *)arg2, sizeof(name));
        if (len == -EFAULT)
            return -EFAULT;
        name[sizeof(name) - 1] = '\0';
        pogo_thread_set_name(t, name);
        return 0;
    case PR_GET_NAME:
        return pogo_copy_to_user((void *)arg2, t->name, sizeof(t->name));
    case PR_SET_PDEATHSIG:
    case PR_SET_DUMPABLE:
    case PR_SET_NO_NEW_PRIVS:
        return 0;
    case PR_GET_PDEATHSIG: {
        int zero = 0;
        return pogo_copy_to_user((void *)arg2, &zero, sizeof(zero));
    }
    case PR_GET_DUMPABLE:
        return 1;
    case PR_GET_NO_NEW_PRIVS:
        return 0;
    default:
        return -EINVAL;
    }
}

#define SCHED_OTHER    0
#define SCHED_FIFO     1
#define SCHED_RR       2
#define SCHED_BATCH    3
#define SCHED_IDLE     5
#define SCHED_DEADLINE 6

/* Every thread runs under SCHED_OTHER with static priority 0; the
 * real-time policies report Linux's priority ranges but cannot be set. */
long sys_sched_getscheduler(int pid)
{
    if (pid < 0)
        return -EINVAL;
    return target(pid) ? SCHED_OTHER : -ESRCH;
}

long sys_sched_getparam(int pid, long param)
{
    int priority = 0;

    if (pid < 0 || !param)
        return -EINVAL;
    if (!target(pid))
        return -ESRCH;
    return pogo_copy_to_user((void *)param, &priority, sizeof(priority));
}

long sys_sched_setscheduler(int pid, int policy, long param)
{
    int priority;

    if (pid < 0 || !param)
        return -EINVAL;
    if (!target(pid))
        return -ESRCH;
    if (pogo_copy_from_user(&priority, (void *)param, sizeof(priority)))
        return -EFAULT;
    if (policy == SCHED_OTHER || policy == SCHED_BATCH || policy == SCHED_IDLE)
        return priority == 0 ? 0 : -EINVAL;
    if (policy == SCHED_FIFO || policy == SCHED_RR)
        return priority >= 1 && priority <= 99 ? -EPERM : -EINVAL;
    return -EINVAL;
}

long sys_sched_setparam(int pid, long param)
{
    int priority;

    if (pid < 0 || !param)
        return -EINVAL;
    if (!target(pid))
        return -ESRCH;
    if (pogo_copy_from_user(&priority, (void *)param, sizeof(priority)))
        return -EFAULT;
    return priority == 0 ? 0 : -EINVAL;
}

long sys_sched_get_priority_max(int policy)
{
    if (policy == SCHED_FIFO || policy == SCHED_RR)
        return 99;
    if (policy == SCHED_OTHER || policy == SCHED_BATCH ||
        policy == SCHED_IDLE || policy == SCHED_DEADLINE)
        return 0;
    return -EINVAL;
}

long sys_sched_get_priority_min(int policy)
{
    if (policy == SCHED_FIFO || policy == SCHED_RR)
        return 1;
    return sys_sched_get_priority_max(policy);
}

long sys_getcpu(long cpu, long node, long cache)
{
    unsigned zero = 0;

    if (cpu && pogo_copy_to_user((void *)cpu, &zero, sizeof(zero)))
        return -EFAULT;
    if (node && pogo_copy_to_user((void *)node, &zero, sizeof(zero)))
        return -EFAULT;
    return 0;
}
