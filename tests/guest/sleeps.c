// nanosleep, clock_nanosleep, usleep and sleep wait at least as long as
// requested, return at once for zero or past times and reject bad values.
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define MS 1000000L

static int failures;

static const char *error_name(int e)
{
    switch (e) {
    case 0:
        return "0";
    case EINVAL:
        return "EINVAL";
    case ENOTSUP:
        return "ENOTSUP";
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
static void expect_errno(int ret, int want, const char *label)
{
    expect(ret == 0 ? 0 : errno, want, label);
}

// Prints "label: 1" when cond is true and a FAIL line otherwise.
static void expect_true(int cond, const char *label)
{
    if (cond) {
        printf("%s: 1\n", label);
    } else {
        printf("FAIL: %s: 0\n", label);
        failures++;
    }
}

static long long now_ns(clockid_t clock)
{
    struct timespec t;

    clock_gettime(clock, &t);
    return t.tv_sec * 1000000000LL + t.tv_nsec;
}

static struct timespec from_ns(long long ns)
{
    struct timespec t = {ns / 1000000000, ns % 1000000000};

    return t;
}

static void check_nanosleep(void)
{
    struct timespec request = from_ns(20 * MS);
    struct timespec remaining = {-1, -1};
    long long start = now_ns(CLOCK_MONOTONIC);

    expect_errno(nanosleep(&request, &remaining), 0, "nanosleep 20 ms");
    expect_true(now_ns(CLOCK_MONOTONIC) - start >= 20 * MS,
                "nanosleep slept at least 20 ms");
    expect_true(remaining.tv_sec == -1 && remaining.tv_nsec == -1,
                "nanosleep leaves rem alone when not interrupted");

    request = from_ns(100 * MS);
    start = now_ns(CLOCK_MONOTONIC);
    expect_errno(nanosleep(&request, NULL), 0, "nanosleep 100 ms");
    expect_true(now_ns(CLOCK_MONOTONIC) - start >= 100 * MS,
                "nanosleep slept at least 100 ms");
}

static void check_nanosleep_errors(void)
{
    struct timespec bad;

    bad = (struct timespec){0, 1000000000};
    expect_errno(nanosleep(&bad, NULL), EINVAL, "nanosleep tv_nsec 1e9");
    bad = (struct timespec){0, -1};
    expect_errno(nanosleep(&bad, NULL), EINVAL, "nanosleep tv_nsec -1");
    bad = (struct timespec){-1, 0};
    expect_errno(nanosleep(&bad, NULL), EINVAL, "nanosleep tv_sec -1");
    expect_errno(nanosleep(NULL, NULL), EFAULT, "nanosleep null request");
    bad = (struct timespec){0, 1000000000};
    expect(clock_nanosleep(CLOCK_MONOTONIC, 0, &bad, NULL), EINVAL,
           "clock_nanosleep tv_nsec 1e9");
    bad = (struct timespec){0, 1000000000};
    expect(clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &bad, NULL), EINVAL,
           "clock_nanosleep absolute tv_nsec 1e9");
    bad = (struct timespec){0, MS};
    expect(clock_nanosleep(12345, 0, &bad, NULL), EINVAL,
           "clock_nanosleep bad clock");
    expect(clock_nanosleep(CLOCK_THREAD_CPUTIME_ID, 0, &bad, NULL), EINVAL,
           "clock_nanosleep thread cputime clock");
}

static void check_clock_nanosleep(clockid_t clock, const char *name)
{
    struct timespec request = from_ns(30 * MS);
    long long start = now_ns(clock);
    long long deadline;
    char label[80];

    snprintf(label, sizeof(label), "clock_nanosleep %s relative 30 ms", name);
    expect(clock_nanosleep(clock, 0, &request, NULL), 0, label);
    snprintf(label, sizeof(label), "%s relative slept at least 30 ms", name);
    expect_true(now_ns(clock) - start >= 30 * MS, label);

    deadline = now_ns(clock) + 50 * MS;
    request = from_ns(deadline);
    snprintf(label, sizeof(label), "clock_nanosleep %s absolute +50 ms", name);
    expect(clock_nanosleep(clock, TIMER_ABSTIME, &request, NULL), 0, label);
    snprintf(label, sizeof(label), "%s absolute woke after deadline", name);
    expect_true(now_ns(clock) >= deadline, label);

    request = from_ns(now_ns(clock) / 2);
    start = now_ns(CLOCK_MONOTONIC);
    snprintf(label, sizeof(label), "clock_nanosleep %s absolute past", name);
    expect(clock_nanosleep(clock, TIMER_ABSTIME, &request, NULL), 0, label);
    snprintf(label, sizeof(label), "%s absolute past returns within 100 ms",
             name);
    expect_true(now_ns(CLOCK_MONOTONIC) - start < 100 * MS, label);
}

static void check_zero_sleeps(void)
{
    struct timespec zero = {0, 0};
    long long start = now_ns(CLOCK_MONOTONIC);

    expect_errno(nanosleep(&zero, NULL), 0, "nanosleep 0");
    expect(clock_nanosleep(CLOCK_MONOTONIC, 0, &zero, NULL), 0,
           "clock_nanosleep 0");
    expect_errno(usleep(0), 0, "usleep 0");
    expect_true(sleep(0) == 0, "sleep 0 returns 0");
    expect_true(now_ns(CLOCK_MONOTONIC) - start < 100 * MS,
                "zero sleeps return within 100 ms");
}

static void check_usleep_and_sleep(void)
{
    long long start = now_ns(CLOCK_MONOTONIC);

    expect_errno(usleep(30000), 0, "usleep 30 ms");
    expect_true(now_ns(CLOCK_MONOTONIC) - start >= 30 * MS,
                "usleep slept at least 30 ms");

    start = now_ns(CLOCK_MONOTONIC);
    expect_true(sleep(1) == 0, "sleep 1 returns 0");
    expect_true(now_ns(CLOCK_MONOTONIC) - start >= 1000 * MS,
                "sleep slept at least 1 s");
}

static atomic_int worker_done;

static void *finish_work(void *arg)
{
    (void)arg;
    atomic_store(&worker_done, 1);
    return NULL;
}

// Another thread runs while main sleeps, so a sleep must not busy-wait.
static void check_others_run_during_sleep(void)
{
    struct timespec request = from_ns(50 * MS);
    pthread_t t;
    int done_after_sleep;

    pthread_create(&t, NULL, finish_work, NULL);
    nanosleep(&request, NULL);
    done_after_sleep = atomic_load(&worker_done);
    pthread_join(t, NULL);
    expect_true(done_after_sleep, "thread ran while main slept");
}

static void *sleep_in_thread(void *arg)
{
    long long ms = (long)arg;
    struct timespec request = from_ns(ms * MS);
    long long start = now_ns(CLOCK_MONOTONIC);

    nanosleep(&request, NULL);
    return (void *)(long)(now_ns(CLOCK_MONOTONIC) - start >= ms * MS);
}

// Sleeps in four threads at once each last long enough and overlap, so
// together they take less than the 1000 ms that they would one by one.
static void check_parallel_sleeps(void)
{
    long durations[] = {400, 100, 300, 200};
    pthread_t threads[4];
    long long start = now_ns(CLOCK_MONOTONIC);
    int long_enough = 0;

    for (int i = 0; i < 4; i++)
        pthread_create(&threads[i], NULL, sleep_in_thread,
                       (void *)durations[i]);
    for (int i = 0; i < 4; i++) {
        void *ok;

        pthread_join(threads[i], &ok);
        long_enough += ok != NULL;
    }
    expect_true(long_enough == 4, "thread sleeps long enough");
    expect_true(now_ns(CLOCK_MONOTONIC) - start < 900 * MS,
                "thread sleeps overlap in time");
}

int main(void)
{
    check_nanosleep();
    check_nanosleep_errors();
    check_clock_nanosleep(CLOCK_MONOTONIC, "monotonic");
    check_clock_nanosleep(CLOCK_REALTIME, "realtime");
    check_zero_sleeps();
    check_usleep_and_sleep();
    check_others_run_during_sleep();
    check_parallel_sleeps();
    printf("failures: %d\n", failures);
    return failures != 0;
}
