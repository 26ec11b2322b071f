/* SPDX-License-Identifier: BSD-3-Clause */
/* Clock syscalls: clock_gettime, clock_getres, gettimeofday and time. */
#include <pogo/errno.h>
#include <pogo/time.h>
#include <pogo/uaccess.h>

#include <pogo/sched.h>

#include "abi.h"
#include "posix.h"
#include "syscalls.h"

#define TIMER_ABSTIME 1

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

long sys_clock_gettime(int clock, long tp)
{
    int64_t ns;
    int err = read_clock(clock, &ns);

    if (err)
        return err;
    return put_timespec(tp, ns);
}

long sys_clock_getres(int clock, long tp)
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

int posix_read_timespec(uintptr_t user, struct linux_timespec *ts)
{
    if (pogo_copy_from_user(ts, (const void *)user, sizeof(*ts)))
        return -EFAULT;
    if (ts->tv_sec < 0 || ts->tv_nsec < 0 || ts->tv_nsec >= POGO_NSEC_PER_SEC)
        return -EINVAL;
    return 0;
}

int64_t posix_timespec_ns(const struct linux_timespec *ts)
{
    if (ts->tv_sec >= INT64_MAX / POGO_NSEC_PER_SEC)
        return INT64_MAX;
    return ts->tv_sec * POGO_NSEC_PER_SEC + ts->tv_nsec;
}

uint64_t posix_deadline(long clock, int64_t abs_ns)
{
    int64_t now_clock, now_mono = (int64_t)pogo_time_monotonic_ns();

    if (read_clock(clock, &now_clock) != 0)
        now_clock = now_mono;
    if (abs_ns <= now_clock)
        return 1; /* in the past: a deadline that has passed */
    if (abs_ns - now_clock > INT64_MAX - now_mono)
        return UINT64_MAX;
    return now_mono + (abs_ns - now_clock);
}

static int put_remaining(long rem, uint64_t deadline)
{
    uint64_t now = pogo_time_monotonic_ns();

    if (!rem)
        return 0;
    return put_timespec(rem, deadline > now ? deadline - now : 0);
}

/* Sleeps until the monotonic deadline; -EINTR if a signal came first. */
static long sleep_until(uint64_t deadline)
{
    while (pogo_time_monotonic_ns() < deadline) {
        if (posix_signal_pending())
            return -EINTR;
        if (pogo_sched_block(deadline) == -EINTR)
            return -EINTR;
    }
    return 0;
}

long sys_nanosleep(long req, long rem)
{
    struct linux_timespec ts;
    int err = posix_read_timespec(req, &ts);
    uint64_t deadline;
    long ret;

    if (err)
        return err;
    deadline = pogo_time_monotonic_ns() + posix_timespec_ns(&ts);
    ret = sleep_until(deadline);
    if (ret == -EINTR && put_remaining(rem, deadline))
        return -EFAULT;
    return ret;
}

long sys_clock_nanosleep(int clock, int flags, long req, long rem)
{
    struct linux_timespec ts;
    uint64_t deadline;
    int64_t ns;
    long ret;
    int err;

    if (clock == LINUX_CLOCK_THREAD_CPUTIME_ID)
        return -EINVAL;
    if (read_clock(clock, &ns) != 0)
        return -EINVAL;
    if (flags & ~TIMER_ABSTIME)
        return -EINVAL;
    err = posix_read_timespec(req, &ts);
    if (err)
        return err;
    if (flags & TIMER_ABSTIME)
        deadline = posix_deadline(clock, posix_timespec_ns(&ts));
    else
        deadline = pogo_time_monotonic_ns() + posix_timespec_ns(&ts);
    ret = sleep_until(deadline);
    if (ret == -EINTR && !(flags & TIMER_ABSTIME) &&
        put_remaining(rem, deadline))
        return -EFAULT;
    return ret;
}
