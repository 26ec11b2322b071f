// Scheduling, priority, thread-signal and robust-list syscalls return what
// Linux returns for one process pinned to CPU 0.
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/resource.h>
#include <sys/syscall.h>

// Larger than any thread id Linux hands out (PID_MAX_LIMIT is 2^22).
#define NO_SUCH_TID (1 << 30)

static int failures;

static const char *error_name(int e)
{
    switch (e) {
    case 0:
        return "0";
    case EINVAL:
        return "EINVAL";
    case ESRCH:
        return "ESRCH";
    case EPERM:
        return "EPERM";
    case EFAULT:
        return "EFAULT";
    default:
        return strerror(e);
    }
}

static void expect(int got, int want, const char *label)
{
    if (got == want) {
        printf("%s: %s\n", label, error_name(got));
    } else {
        printf("FAIL: %s: got %s, expected %s\n", label, error_name(got),
               error_name(want));
        failures++;
    }
}

// Like expect, for calls that return -1 and set errno.
static void expect_errno(long ret, int want, const char *label)
{
    expect(ret == -1 ? errno : 0, want, label);
}

static void expect_value(long got, long want, const char *label)
{
    if (got == want) {
        printf("%s: %ld\n", label, got);
    } else {
        printf("FAIL: %s: got %ld, expected %ld\n", label, got, want);
        failures++;
    }
}

static void check_affinity(void)
{
    cpu_set_t set;

    CPU_ZERO(&set);
    expect_errno(sched_getaffinity(0, sizeof(set), &set), 0,
                 "sched_getaffinity");
    expect_value(CPU_COUNT(&set) >= 1, 1, "affinity has cpus");

    CPU_ZERO(&set);
    CPU_SET(0, &set);
    expect_errno(sched_setaffinity(0, sizeof(set), &set), 0,
                 "sched_setaffinity to cpu 0");
    CPU_ZERO(&set);
    sched_getaffinity(0, sizeof(set), &set);
    expect_value(CPU_COUNT(&set), 1, "cpus after setaffinity");
    expect_value(CPU_ISSET(0, &set) != 0, 1, "cpu 0 in affinity");
    expect_value(sched_getcpu(), 0, "sched_getcpu after setaffinity");

    CPU_ZERO(&set);
    expect_errno(sched_setaffinity(0, sizeof(set), &set), EINVAL,
                 "sched_setaffinity to no cpus");
    expect_errno(sched_getaffinity(NO_SUCH_TID, sizeof(set), &set), ESRCH,
                 "sched_getaffinity of a missing thread");
}

// musl 1.2.3 implements sched_getscheduler and sched_getparam as stubs that
// fail with ENOSYS, so ask the kernel directly.
static void check_policy(void)
{
    struct sched_param param = {.sched_priority = -1};

    expect_value(sched_yield(), 0, "sched_yield");
    expect_value(syscall(SYS_sched_getscheduler, 0), SCHED_OTHER,
                 "sched_getscheduler");
    expect_errno(syscall(SYS_sched_getparam, 0, &param), 0, "sched_getparam");
    expect_value(param.sched_priority, 0, "sched_getparam priority");
    expect_value(sched_get_priority_max(SCHED_OTHER), 0,
                 "priority max SCHED_OTHER");
    expect_value(sched_get_priority_min(SCHED_OTHER), 0,
                 "priority min SCHED_OTHER");
    expect_value(sched_get_priority_max(SCHED_FIFO), 99,
                 "priority max SCHED_FIFO");
    expect_value(sched_get_priority_min(SCHED_FIFO), 1,
                 "priority min SCHED_FIFO");
    expect_errno(sched_get_priority_max(12345), EINVAL,
                 "priority max of an unknown policy");
}

// The nice value only goes up here, which needs no privilege when it
// starts at 5 or below. Its starting value is not checked because a test
// runner may itself run under nice.
static void check_priority(void)
{
    expect_errno(setpriority(PRIO_PROCESS, 0, 5), 0, "setpriority 5");
    errno = 0;
    expect_value(getpriority(PRIO_PROCESS, 0), 5, "getpriority after 5");
    expect_errno(setpriority(PRIO_PROCESS, 0, 100), 0, "setpriority 100");
    errno = 0;
    expect_value(getpriority(PRIO_PROCESS, 0), 19,
                 "getpriority after 100 is clamped");
    expect_errno(setpriority(12345, 0, 0), EINVAL, "setpriority bad which");
    expect_errno(getpriority(PRIO_PROCESS, NO_SUCH_TID), ESRCH,
                 "getpriority of a missing process");
}

static pthread_mutex_t gate = PTHREAD_MUTEX_INITIALIZER;
static pid_t other_tid;

static void *wait_at_gate(void *arg)
{
    (void)arg;
    other_tid = gettid();
    pthread_mutex_lock(&gate);
    pthread_mutex_unlock(&gate);
    return NULL;
}

static void check_thread_signals(void)
{
    pid_t pid = getpid(), tid = gettid();
    pthread_t t;

    expect_errno(syscall(SYS_tgkill, pid, tid, 0), 0, "tgkill self signal 0");
    expect_errno(syscall(SYS_tkill, tid, 0), 0, "tkill self signal 0");
    expect_errno(syscall(SYS_tgkill, pid, NO_SUCH_TID, 0), ESRCH,
                 "tgkill missing thread");
    expect_errno(syscall(SYS_tkill, NO_SUCH_TID, 0), ESRCH,
                 "tkill missing thread");
    expect_errno(syscall(SYS_tgkill, NO_SUCH_TID, tid, 0), ESRCH,
                 "tgkill with another group id");
    expect_errno(syscall(SYS_tgkill, pid, 0, 0), EINVAL, "tgkill thread 0");
    expect_errno(syscall(SYS_tkill, -1, 0), EINVAL, "tkill thread -1");
    expect_errno(syscall(SYS_tgkill, pid, tid, 1000), EINVAL,
                 "tgkill signal 1000");
    expect_value(pthread_kill(pthread_self(), 0), 0, "pthread_kill self 0");

    pthread_mutex_lock(&gate);
    pthread_create(&t, NULL, wait_at_gate, NULL);
    while (__atomic_load_n(&other_tid, __ATOMIC_ACQUIRE) == 0)
        sched_yield();
    expect_errno(syscall(SYS_tgkill, pid, other_tid, 0), 0,
                 "tgkill other thread signal 0");
    expect_value(pthread_kill(t, 0), 0, "pthread_kill other thread 0");
    pthread_mutex_unlock(&gate);
    pthread_join(t, NULL);
}

// The list head layout of <linux/futex.h>: next, futex offset, pending.
struct robust_list_head {
    void *next;
    long futex_offset;
    void *pending;
};

static void check_robust_list(void)
{
    struct robust_list_head head = {&head, 0, NULL};
    void *saved = NULL, *got = NULL;
    size_t saved_len = 0, got_len = 0;

    expect_errno(syscall(SYS_get_robust_list, 0, &saved, &saved_len), 0,
                 "get_robust_list");
    expect_errno(syscall(SYS_set_robust_list, &head, sizeof(head)), 0,
                 "set_robust_list");
    expect_errno(syscall(SYS_get_robust_list, 0, &got, &got_len), 0,
                 "get_robust_list after set");
    expect_value(got == &head, 1, "robust list head read back");
    expect_value(got_len, sizeof(head), "robust list length read back");
    expect_errno(syscall(SYS_set_robust_list, &head, sizeof(head) + 1), EINVAL,
                 "set_robust_list wrong length");
    expect_errno(syscall(SYS_get_robust_list, NO_SUCH_TID, &got, &got_len),
                 ESRCH, "get_robust_list of a missing thread");
    if (saved_len)
        syscall(SYS_set_robust_list, saved, saved_len);
}

int main(void)
{
    check_affinity();
    check_policy();
    check_priority();
    check_thread_signals();
    check_robust_list();
    printf("failures: %d\n", failures);
    return failures != 0;
}
