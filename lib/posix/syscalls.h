/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Prototypes of the syscall bodies and the table entries of each family.
 * A family that is not configured contributes no entries, so its numbers
 * answer -ENOSYS.
 */
#ifndef POGO_POSIX_SYSCALLS_H
#define POGO_POSIX_SYSCALLS_H

#include <pogo/config.h>
#include <pogo/compiler.h>

/* process.c */
long sys_getpid(void);
long sys_getppid(void);
long sys_uname(long buf);
long sys_arch_prctl(int code, long addr);
long sys_getuid(void);
long sys_geteuid(void);
long sys_getgid(void);
long sys_getegid(void);

#define POGO_SYSCALLS_PROCESS                                               \
    SYSCALL(getpid), SYSCALL(getppid), SYSCALL(uname), SYSCALL(arch_prctl), \
        SYSCALL(getuid), SYSCALL(geteuid), SYSCALL(getgid), SYSCALL(getegid)

/* thread.c, futex.c */
long sys_clone(long flags, long newsp, long parent_tid, long child_tid,
               long tls);
long sys_exit(int status);
long sys_exit_group(int status);
long sys_gettid(void);
long sys_set_tid_address(long tidptr);
long sys_set_robust_list(long head, long len);
long sys_get_robust_list(int tid, long head_ptr, long len_ptr);
long sys_sched_yield(void);
long sys_sched_getaffinity(int pid, unsigned int len, long mask);
long sys_sched_setaffinity(int pid, unsigned int len, long mask);
long sys_getpriority(int which, int who);
long sys_setpriority(int which, int who, int prio);
long sys_prctl(int option, long arg2, long arg3, long arg4, long arg5);
long sys_futex(long uaddr, int op, unsigned int val, long timeout, long uaddr2,
               unsigned int val3);
long sys_sched_getscheduler(int pid);
long sys_sched_setscheduler(int pid, int policy, long param);
long sys_sched_getparam(int pid, long param);
long sys_sched_setparam(int pid, long param);
long sys_sched_get_priority_max(int policy);
long sys_sched_get_priority_min(int policy);
long sys_getcpu(long cpu, long node, long cache);

#define POGO_SYSCALLS_THREAD                                             \
    SYSCALL(clone), SYSCALL(exit), SYSCALL(exit_group), SYSCALL(gettid), \
        SYSCALL(set_tid_address), SYSCALL(set_robust_list),              \
        SYSCALL(get_robust_list), SYSCALL(sched_yield),                  \
        SYSCALL(sched_getaffinity), SYSCALL(sched_setaffinity),          \
        SYSCALL(getpriority), SYSCALL(setpriority), SYSCALL(prctl),      \
        SYSCALL(futex), SYSCALL(sched_getscheduler),                     \
        SYSCALL(sched_setscheduler), SYSCALL(sched_getparam),            \
        SYSCALL(sched_setparam), SYSCALL(sched_get_priority_max),        \
        SYSCALL(sched_get_priority_min), SYSCALL(getcpu)

/* signal.c */
long sys_rt_sigaction(int sig, long act, long oldact, long sigsetsize);
long sys_rt_sigprocmask(int how, long set, long oldset, long sigsetsize);
long sys_rt_sigreturn(void);
long sys_rt_sigpending(long set, long sigsetsize);
long sys_rt_sigsuspend(long set, long sigsetsize);
long sys_rt_sigtimedwait(long set, long info, long timeout, long sigsetsize);
long sys_sigaltstack(long ss, long old);
long sys_kill(int pid, int sig);
long sys_tkill(int tid, int sig);
long sys_tgkill(int tgid, int tid, int sig);

#define POGO_SYSCALLS_SIGNAL                                               \
    SYSCALL(rt_sigaction), SYSCALL(rt_sigprocmask), SYSCALL(rt_sigreturn), \
        SYSCALL(rt_sigpending), SYSCALL(rt_sigsuspend),                    \
        SYSCALL(rt_sigtimedwait), SYSCALL(sigaltstack), SYSCALL(kill),     \
        SYSCALL(tkill), SYSCALL(tgkill)

/* memory.c */
long sys_brk(long addr);
long sys_mmap(long addr, long len, long prot, long flags, long fd, long off);
long sys_munmap(long addr, long len);
long sys_mprotect(long addr, long len, long prot);
long sys_mremap(long old, long old_len, long new_len, long flags,
                long new_addr);
long sys_madvise(long addr, long len, int advice);
long sys_msync(long addr, long len, int flags);
long sys_mincore(long addr, long len, long vec);

#define POGO_SYSCALLS_MEMORY                                         \
    SYSCALL(brk), SYSCALL(mmap), SYSCALL(munmap), SYSCALL(mprotect), \
        SYSCALL(mremap), SYSCALL(madvise), SYSCALL(msync), SYSCALL(mincore)

/* io.c: the console on fds 0-2 until a file system is configured. */
long sys_read(unsigned int fd, long buf, long count);
long sys_write(unsigned int fd, long buf, long count);
long sys_writev(long fd, long iov, long iovcnt);
long sys_ioctl(unsigned int fd, unsigned int request, long arg);

#define POGO_SYSCALLS_IO \
    SYSCALL(read), SYSCALL(write), SYSCALL(writev), SYSCALL(ioctl)

/* time.c */
long sys_clock_gettime(int clock, long tp);
long sys_clock_getres(int clock, long tp);
long sys_gettimeofday(long tv, long tz);
long sys_time(long tloc);
long sys_nanosleep(long req, long rem);
long sys_clock_nanosleep(int clock, int flags, long req, long rem);

#define POGO_SYSCALLS_TIME                                                \
    SYSCALL(clock_gettime), SYSCALL(clock_getres), SYSCALL(gettimeofday), \
        SYSCALL(time), SYSCALL(nanosleep), SYSCALL(clock_nanosleep)

/* random.c */
long sys_getrandom(long buf, long count, unsigned int flags);

#define POGO_SYSCALLS_RANDOM SYSCALL(getrandom)

#endif
