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
long sys_exit(long status);
long sys_exit_group(long status);
long sys_getpid(void);
long sys_getppid(void);
long sys_gettid(void);
long sys_set_tid_address(long tidptr);
long sys_uname(long buf);
long sys_arch_prctl(long code, long addr);
long sys_getuid(void);
long sys_geteuid(void);
long sys_getgid(void);
long sys_getegid(void);

#define POGO_SYSCALLS_PROCESS                                              \
    SYSCALL(exit), SYSCALL(exit_group), SYSCALL(getpid), SYSCALL(getppid), \
        SYSCALL(gettid), SYSCALL(set_tid_address), SYSCALL(uname),         \
        SYSCALL(arch_prctl), SYSCALL(getuid), SYSCALL(geteuid),            \
        SYSCALL(getgid), SYSCALL(getegid)

/* signal.c */
long sys_rt_sigaction(long sig, long act, long oldact, long sigsetsize);
long sys_rt_sigprocmask(long how, long set, long oldset, long sigsetsize);

#define POGO_SYSCALLS_SIGNAL SYSCALL(rt_sigaction), SYSCALL(rt_sigprocmask)

/* memory.c */
long sys_brk(long addr);
long sys_mmap(long addr, long len, long prot, long flags, long fd, long off);
long sys_munmap(long addr, long len);
long sys_mprotect(long addr, long len, long prot);

#define POGO_SYSCALLS_MEMORY \
    SYSCALL(brk), SYSCALL(mmap), SYSCALL(munmap), SYSCALL(mprotect)

/* io.c: the console on fds 0-2 until a file system is configured. */
long sys_read(long fd, long buf, long count);
long sys_write(long fd, long buf, long count);
long sys_writev(long fd, long iov, long iovcnt);
long sys_ioctl(long fd, long request, long arg);

#define POGO_SYSCALLS_IO \
    SYSCALL(read), SYSCALL(write), SYSCALL(writev), SYSCALL(ioctl)

/* time.c */
long sys_clock_gettime(long clock, long tp);
long sys_clock_getres(long clock, long tp);
long sys_gettimeofday(long tv, long tz);
long sys_time(long tloc);

#define POGO_SYSCALLS_TIME                                                \
    SYSCALL(clock_gettime), SYSCALL(clock_getres), SYSCALL(gettimeofday), \
        SYSCALL(time)

/* random.c */
long sys_getrandom(long buf, long count, long flags);

#define POGO_SYSCALLS_RANDOM SYSCALL(getrandom)

#endif
