/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Interval timers: alarm, setitimer and getitimer. ITIMER_REAL runs on
 * the monotonic clock and sends SIGALRM to the process when it expires,
 * then starts again for its interval when it has one.
 */
#include <pogo/arch.h>
#include <pogo/errno.h>
#include <pogo/log.h>
#include <pogo/time.h>
#include <pogo/timer.h>
#include <pogo/uaccess.h>

#include "abi.h"
#include "posix.h"
#include "syscalls.h"

#define ITIMER_REAL    0
#define ITIMER_VIRTUAL 1
#define ITIMER_PROF    2
#define SIGALRM        14
#define NS_PER_USEC    1000

struct linux_itimerval {
    struct linux_timeval interval;
    struct linux_timeval value;
};

static struct pogo_timer real_timer;
static uint64_t real_interval_ns;

/* Runs from the timer interrupt. Periods that have already passed are
 * skipped, as Linux counts them as overruns of one signal. */
static void real_timer_expired(struct pogo_timer *t)
{
    uint64_t now = pogo_time_monotonic_ns();
    uint64_t next = t->deadline + real_interval_ns;

    posix_signal_send(NULL, SIGALRM);
    if (!real_interval_ns)
        return;
    if (next <= now)
        next = now + real_interval_ns;
    pogo_timer_start(t, next, real_timer_expired);
}

static bool valid_timeval(const struct linux_timeval *tv)
{
    return tv->tv_sec >= 0 && tv->tv_usec >= 0 && tv->tv_usec < 1000000;
}

static uint64_t timeval_ns(const struct linux_timeval *tv)
{
    uint64_t max_sec = INT64_MAX / POGO_NSEC_PER_SEC - 1;

    if ((uint64_t)tv->tv_sec > max_sec)
        return max_sec * POGO_NSEC_PER_SEC;
    return tv->tv_sec * POGO_NSEC_PER_SEC + tv->tv_usec * NS_PER_USEC;
}

static struct linux_timeval ns_timeval(uint64_t ns)
{
    return (struct linux_timeval){ns / POGO_NSEC_PER_SEC,
                                  ns % POGO_NSEC_PER_SEC / NS_PER_USEC};
}

/* The time left and the interval of ITIMER_REAL. As on Linux, a timer
 * that expired but is due to start again shows at least 1 µs. */
static struct linux_itimerval real_timer_value(void)
{
    bool irq = pogo_irq_save();
    struct linux_itimerval v = {ns_timeval(real_interval_ns), {0, 0}};
    uint64_t now = pogo_time_monotonic_ns();

    if (real_timer.armed) {
        uint64_t left =
            real_timer.deadline > now ? real_timer.deadline - now : NS_PER_USEC;
        v.value = ns_timeval(POGO_MAX(left, (uint64_t)NS_PER_USEC));
    }
    pogo_irq_restore(irq);
    return v;
}

static void set_real_timer(const struct linux_itimerval *v)
{
    uint64_t value = timeval_ns(&v->value);
    bool irq = pogo_irq_save();

    pogo_timer_cancel(&real_timer);
    real_interval_ns = value ? timeval_ns(&v->interval) : 0;
    if (value)
        pogo_timer_start(&real_timer, pogo_time_monotonic_ns() + value,
                         real_timer_expired);
    pogo_irq_restore(irq);
}

/*
 * NOTE: ITIMER_VIRTUAL and ITIMER_PROF, which count CPU time, are not
 * implemented: they read as stopped, and arming one fails with ENOSYS.
 */
static long set_cpu_timer(int which, const struct linux_itimerval *v)
{
    static bool warned;

    if (!v->value.tv_sec && !v->value.tv_usec)
        return 0;
    if (!warned) {
        warned = true;
        pogo_warn("posix: setitimer(%s) is not implemented; returning "
                  "ENOSYS\n",
                  which == ITIMER_VIRTUAL ? "ITIMER_VIRTUAL" : "ITIMER_PROF");
    }
    return -ENOSYS;
}

long sys_getitimer(int which, long user_value)
{
    struct linux_itimerval v = {{0, 0}, {0, 0}};

    if (which < ITIMER_REAL || which > ITIMER_PROF)
        return -EINVAL;
    if (which == ITIMER_REAL)
        v = real_timer_value();
    return pogo_copy_to_user((void *)user_value, &v, sizeof(v));
}

/* Linux takes a NULL new value as a stopped timer. */
long sys_setitimer(int which, long user_new, long user_old)
{
    struct linux_itimerval new = {{0, 0}, {0, 0}}, old = {{0, 0}, {0, 0}};

    if (user_new &&
        pogo_copy_from_user(&new, (const void *)user_new, sizeof(new)))
        return -EFAULT;
    if (which < ITIMER_REAL || which > ITIMER_PROF)
        return -EINVAL;
    if (!valid_timeval(&new.value) || !valid_timeval(&new.interval))
        return -EINVAL;
    if (which == ITIMER_REAL) {
        old = real_timer_value();
        set_real_timer(&new);
    } else {
        long err = set_cpu_timer(which, &new);

        if (err)
            return err;
    }
    if (user_old && pogo_copy_to_user((void *)user_old, &old, sizeof(old)))
        return -EFAULT;
    return 0;
}

/* Returns the seconds that were left, rounded to the nearest second but
 * at least 1 when the alarm was pending, as Linux does. */
long sys_alarm(unsigned int seconds)
{
    struct linux_itimerval new = {{0, 0}, {seconds, 0}};
    struct linux_itimerval old = real_timer_value();
    long left = old.value.tv_sec;

    set_real_timer(&new);
    if (old.value.tv_usec >= 500000 || (!left && old.value.tv_usec))
        left++;
    return left;
}
