/* SPDX-License-Identifier: BSD-3-Clause */
/* Linux x86_64 ABI structures and constants used by the syscall bodies. */
#ifndef POGO_POSIX_ABI_H
#define POGO_POSIX_ABI_H

#include <pogo/compiler.h>

struct linux_timespec {
    int64_t tv_sec;
    int64_t tv_nsec;
};

struct linux_timeval {
    int64_t tv_sec;
    int64_t tv_usec;
};

struct linux_iovec {
    uintptr_t base;
    size_t len;
};

struct linux_utsname {
    char sysname[65];
    char nodename[65];
    char release[65];
    char version[65];
    char machine[65];
    char domainname[65];
};

struct linux_winsize {
    uint16_t rows, cols, xpixel, ypixel;
};

/* struct sigaction as the kernel sees it (not libc's layout). */
struct linux_sigaction {
    uintptr_t handler;
    uint64_t flags;
    uintptr_t restorer;
    uint64_t mask;
};

#define LINUX_NSIG        64
#define LINUX_SIGKILL     9
#define LINUX_SIGSTOP     19
#define LINUX_SIG_BLOCK   0
#define LINUX_SIG_UNBLOCK 1
#define LINUX_SIG_SETMASK 2

#define LINUX_ARCH_SET_GS 0x1001
#define LINUX_ARCH_SET_FS 0x1002
#define LINUX_ARCH_GET_FS 0x1003
#define LINUX_ARCH_GET_GS 0x1004

/* The end of Linux's user address space with 4-level paging, less a page:
 * arch_prctl takes no base at or above it. */
#define LINUX_TASK_SIZE_MAX 0x00007ffffffff000UL

#define LINUX_TCGETS     0x5401
#define LINUX_TIOCGWINSZ 0x5413
#define LINUX_FIONREAD   0x541b

#define LINUX_CLOCK_REALTIME           0
#define LINUX_CLOCK_MONOTONIC          1
#define LINUX_CLOCK_PROCESS_CPUTIME_ID 2
#define LINUX_CLOCK_THREAD_CPUTIME_ID  3
#define LINUX_CLOCK_MONOTONIC_RAW      4
#define LINUX_CLOCK_REALTIME_COARSE    5
#define LINUX_CLOCK_MONOTONIC_COARSE   6
#define LINUX_CLOCK_BOOTTIME           7
#define LINUX_CLOCK_REALTIME_ALARM     8
#define LINUX_CLOCK_BOOTTIME_ALARM     9
#define LINUX_CLOCK_TAI                11

#define LINUX_GRND_NONBLOCK 1
#define LINUX_GRND_RANDOM   2
#define LINUX_GRND_INSECURE 4

#define LINUX_IOV_MAX 1024

#endif
