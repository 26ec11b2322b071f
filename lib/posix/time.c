/* SPDX-License-Identifier: BSD-3-Clause */
/* Clock syscalls: clock_gettime, clock_getres, gettimeofday and time. */
#include <pogo/errno.h>
#include <pogo/time.h>
#include <pogo/uaccess.h>

#include "abi.h"
#include "syscalls.h"

/* Resolution Linux reports for its coarse clocks with HZ=250. */
#define COARSE_RES_NS 4000000

static int read_clock(long clock, int64_t *ns)
{
    switch (clock) {
    case LINUX_CLOCK_REALTIME:
    case LINUX_CLOCK_REALTIME_COARSE:
    case LINUX_CLOCK_REALTIME_ALARM:
        *ns = pogo_time_realtime_ns();
        return 0;
    case LINUX_CLOCK_TAI:
        *ns = pogo_time_realtime_ns() + 37 * POGO_NSEC_PER_SEC;
        return 0;
    case LINUX_CLOCK_MONOTONIC:
    case LINUX_CLOCK_MONOTONIC_RAW:
    case LINUX_CLOCK_MONOTONIC_COARSE:
    case LINUX_CLOCK_BOOTTIME:
    case LINUX_CLOCK_BOOTTIME_ALARM:
        *ns = pogo_time_monotonic_ns();
        return 0;
    case LINUX_CLOCK_PROCESS_CPUTIME_ID:
        *ns = pogo_time_process_cpu_ns();
        return 0;
    case LINUX_CLOCK_THREAD_CPUTIME_ID:
        *ns = pogo_time_thread_cpu_ns();
        return 0;
    default:
        return -EINVAL;
    }
}

static int put_timespec(long user, int64_t ns)
{
    struct linux_timespec ts = {ns / POGO_NSEC_PER_SEC, ns % POGO_NSEC_PER_SEC};

    return pogo_copy_to_user((void *)user, &ts, sizeof(ts));
}

long sys_clock_gettime(long clock, long tp)
{
    int64_t ns;
    int err = read_clock(clock, &ns);

    if (err)
        return err;
    return put_timespec(tp, ns);
}

long sys_clock_getres(long clock, long tp)
{
    int64_t ns;
    int err = read_clock(clock, &ns);

    if (err)
        return err;
    if (!tp)
        return 0;
    if (clock == LINUX_CLOCK_REALTIME_COARSE ||
        clock == LINUX_CLOCK_MONOTONIC_COARSE)
        return put_timespec(tp, COARSE_RES_NS);
    return put_timespec(tp, 1);
}

long sys_gettimeofday(long tv, long tz)
{
    int64_t ns = pogo_time_realtime_ns();
    struct linux_timeval v = {ns / POGO_NSEC_PER_SEC,
                              (ns % POGO_NSEC_PER_SEC) / 1000};
    int zone[2] = {0, 0};

    if (tv && pogo_copy_to_user((void *)tv, &v, sizeof(v)))
        return -EFAULT;
    if (tz && pogo_copy_to_user((void *)tz, zone, sizeof(zone)))
        return -EFAULT;
    return 0;
}

long sys_time(long tloc)
{
    int64_t t = pogo_time_realtime_ns() / POGO_NSEC_PER_SEC;

    if (tloc && pogo_copy_to_user((void *)tloc, &t, sizeof(t)))
        return -EFAULT;
    return t;
}
