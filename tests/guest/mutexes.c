// Normal, error-checking, recursive and robust mutexes return the errors
// Linux gives, block other threads while held and keep a shared count exact.
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#define COUNTERS   8
#define INCREMENTS 100000

static int failures;

static const char *error_name(int e)
{
    switch (e) {
    case 0:
        return "0";
    case EBUSY:
        return "EBUSY";
    case EDEADLK:
        return "EDEADLK";
    case EPERM:
        return "EPERM";
    case EINVAL:
        return "EINVAL";
    case ETIMEDOUT:
        return "ETIMEDOUT";
    case EOWNERDEAD:
        return "EOWNERDEAD";
    case ENOTRECOVERABLE:
        return "ENOTRECOVERABLE";
    default:
        return strerror(e);
    }
}

// Prints "label: NAME" when the call returned the expected error number.
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

// Prints "label: got", or a FAIL line when got is not the expected value.
static void expect_value(long got, long want, const char *label)
{
    if (got == want) {
        printf("%s: %ld\n", label, got);
    } else {
        printf("FAIL: %s: got %ld, expected %ld\n", label, got, want);
        failures++;
    }
}

static void check(int cond, const char *label)
{
    if (cond) {
        printf("%s: ok\n", label);
    } else {
        printf("FAIL: %s\n", label);
        failures++;
    }
}

// A mutex operation run on a thread of its own, and its result.
struct remote_call {
    int (*op)(pthread_mutex_t *);
    pthread_mutex_t *mutex;
    int result;
};

static void *run_remote_call(void *arg)
{
    struct remote_call *call = arg;

    call->result = call->op(call->mutex);
    return NULL;
}

// Runs op(mutex) on a new thread, waits for it and returns its result.
static int call_in_thread(int (*op)(pthread_mutex_t *), pthread_mutex_t *m)
{
    struct remote_call call = {op, m, -1};
    pthread_t t;

    if (pthread_create(&t, NULL, run_remote_call, &call) != 0)
        return -1;
    pthread_join(t, NULL);
    return call.result;
}

static int trylock_and_unlock(pthread_mutex_t *m)
{
    int r = pthread_mutex_trylock(m);

    if (r == 0)
        pthread_mutex_unlock(m);
    return r;
}

static int lock_and_return(pthread_mutex_t *m)
{
    return pthread_mutex_lock(m);
}

// Initializes m and returns the error of pthread_mutexattr_setrobust, which
// musl takes from a get_robust_list call. On that error, m is not robust.
static int init_mutex(pthread_mutex_t *m, int type, int robust)
{
    pthread_mutexattr_t attr;
    int r = 0;

    pthread_mutexattr_init(&attr);
    pthread_mutexattr_settype(&attr, type);
    if (robust)
        r = pthread_mutexattr_setrobust(&attr, PTHREAD_MUTEX_ROBUST);
    pthread_mutex_init(m, &attr);
    pthread_mutexattr_destroy(&attr);
    return r;
}

static void check_normal(void)
{
    pthread_mutex_t m;

    init_mutex(&m, PTHREAD_MUTEX_NORMAL, 0);
    expect(pthread_mutex_lock(&m), 0, "normal lock");
    expect(pthread_mutex_trylock(&m), EBUSY, "normal trylock by owner");
    expect(call_in_thread(trylock_and_unlock, &m), EBUSY,
           "normal trylock by other thread");
    expect(pthread_mutex_unlock(&m), 0, "normal unlock");
    expect(call_in_thread(trylock_and_unlock, &m), 0,
           "normal trylock after unlock");
    expect(pthread_mutex_trylock(&m), 0, "normal trylock by main");
    expect(pthread_mutex_unlock(&m), 0, "normal unlock after trylock");
    expect(pthread_mutex_destroy(&m), 0, "normal destroy");
}

static void check_errorcheck(void)
{
    pthread_mutex_t m;

    init_mutex(&m, PTHREAD_MUTEX_ERRORCHECK, 0);
    expect(pthread_mutex_lock(&m), 0, "errorcheck lock");
    expect(pthread_mutex_lock(&m), EDEADLK, "errorcheck relock");
    expect(pthread_mutex_trylock(&m), EBUSY, "errorcheck trylock by owner");
    expect(call_in_thread(pthread_mutex_unlock, &m), EPERM,
           "errorcheck unlock by non-owner");
    expect(call_in_thread(trylock_and_unlock, &m), EBUSY,
           "errorcheck trylock by other thread");
    expect(pthread_mutex_unlock(&m), 0, "errorcheck unlock");
    expect(pthread_mutex_unlock(&m), EPERM, "errorcheck unlock when unlocked");
    expect(call_in_thread(trylock_and_unlock, &m), 0,
           "errorcheck trylock after unlock");
    expect(pthread_mutex_destroy(&m), 0, "errorcheck destroy");
}

static void check_recursive(void)
{
    pthread_mutex_t m;

    init_mutex(&m, PTHREAD_MUTEX_RECURSIVE, 0);
    expect(pthread_mutex_lock(&m), 0, "recursive lock 1");
    expect(pthread_mutex_lock(&m), 0, "recursive lock 2");
    expect(pthread_mutex_lock(&m), 0, "recursive lock 3");
    expect(call_in_thread(trylock_and_unlock, &m), EBUSY,
           "recursive trylock by other thread");
    expect(call_in_thread(pthread_mutex_unlock, &m), EPERM,
           "recursive unlock by non-owner");
    expect(pthread_mutex_unlock(&m), 0, "recursive unlock 1");
    expect(pthread_mutex_unlock(&m), 0, "recursive unlock 2");
    expect(call_in_thread(trylock_and_unlock, &m), EBUSY,
           "recursive trylock while held once");
    expect(pthread_mutex_unlock(&m), 0, "recursive unlock 3");
    expect(pthread_mutex_unlock(&m), EPERM, "recursive unlock when unlocked");
    expect(call_in_thread(trylock_and_unlock, &m), 0,
           "recursive trylock after unlock");
    expect(pthread_mutex_trylock(&m), 0, "recursive trylock by main");
    expect(pthread_mutex_trylock(&m), 0, "recursive trylock again");
    expect(pthread_mutex_unlock(&m), 0, "recursive unlock after trylock 1");
    expect(pthread_mutex_unlock(&m), 0, "recursive unlock after trylock 2");
    expect(pthread_mutex_destroy(&m), 0, "recursive destroy");
}

// The owner thread returns while it still holds the mutex. Without robust
// support, main would wait for that mutex forever, so the checks stop.
static void check_robust(void)
{
    pthread_mutex_t m, lost, tried;
    int r = init_mutex(&m, PTHREAD_MUTEX_NORMAL, 1);

    expect(r, 0, "pthread_mutexattr_setrobust");
    if (r != 0)
        return;
    expect(call_in_thread(lock_and_return, &m), 0, "robust lock by thread");
    expect(pthread_mutex_lock(&m), EOWNERDEAD, "robust lock after owner died");
    expect(pthread_mutex_consistent(&m), 0, "robust consistent");
    expect(pthread_mutex_unlock(&m), 0, "robust unlock");
    expect(pthread_mutex_lock(&m), 0, "robust lock again");
    expect(pthread_mutex_consistent(&m), EINVAL,
           "robust consistent when consistent");
    expect(pthread_mutex_unlock(&m), 0, "robust unlock again");
    expect(call_in_thread(trylock_and_unlock, &m), 0,
           "robust trylock by other thread");
    pthread_mutex_destroy(&m);

    init_mutex(&lost, PTHREAD_MUTEX_NORMAL, 1);
    call_in_thread(lock_and_return, &lost);
    expect(pthread_mutex_lock(&lost), EOWNERDEAD,
           "robust lock after second owner died");
    expect(pthread_mutex_unlock(&lost), 0, "robust unlock without consistent");
    expect(pthread_mutex_lock(&lost), ENOTRECOVERABLE,
           "robust lock after unlock without consistent");
    pthread_mutex_destroy(&lost);

    init_mutex(&tried, PTHREAD_MUTEX_ERRORCHECK, 1);
    call_in_thread(lock_and_return, &tried);
    expect(pthread_mutex_trylock(&tried), EOWNERDEAD,
           "robust errorcheck trylock after owner died");
    expect(pthread_mutex_consistent(&tried), 0, "robust errorcheck consistent");
    expect(pthread_mutex_lock(&tried), EDEADLK, "robust errorcheck relock");
    expect(pthread_mutex_unlock(&tried), 0, "robust errorcheck unlock");
    pthread_mutex_destroy(&tried);
}

static struct timespec deadline_after_ms(clockid_t clock, long ms)
{
    struct timespec t;

    clock_gettime(clock, &t);
    t.tv_nsec += ms * 1000000;
    t.tv_sec += t.tv_nsec / 1000000000;
    t.tv_nsec %= 1000000000;
    return t;
}

static int not_before(struct timespec a, struct timespec b)
{
    return a.tv_sec > b.tv_sec ||
           (a.tv_sec == b.tv_sec && a.tv_nsec >= b.tv_nsec);
}

static int timed_out_after_deadline;

static int timedlock_for_50ms(pthread_mutex_t *m)
{
    struct timespec deadline = deadline_after_ms(CLOCK_REALTIME, 50);
    struct timespec now;
    int r = pthread_mutex_timedlock(m, &deadline);

    clock_gettime(CLOCK_REALTIME, &now);
    timed_out_after_deadline = not_before(now, deadline);
    if (r == 0)
        pthread_mutex_unlock(m);
    return r;
}

static void check_timedlock(void)
{
    pthread_mutex_t m;
    struct timespec deadline;

    init_mutex(&m, PTHREAD_MUTEX_ERRORCHECK, 0);
    pthread_mutex_lock(&m);
    expect(call_in_thread(timedlock_for_50ms, &m), ETIMEDOUT,
           "timedlock on a held mutex");
    expect_value(timed_out_after_deadline, 1, "timed out after deadline");
    deadline = deadline_after_ms(CLOCK_REALTIME, 50);
    expect(pthread_mutex_timedlock(&m, &deadline), EDEADLK,
           "errorcheck timedlock by owner");
    pthread_mutex_unlock(&m);
    expect(call_in_thread(timedlock_for_50ms, &m), 0,
           "timedlock on a free mutex");
    pthread_mutex_destroy(&m);
}

static pthread_mutex_t handoff = PTHREAD_MUTEX_INITIALIZER;
static int handoff_done;

static void *lock_handoff(void *arg)
{
    (void)arg;
    pthread_mutex_lock(&handoff);
    handoff_done = 1;
    pthread_mutex_unlock(&handoff);
    return NULL;
}

// A thread that blocks on a held mutex waits until main unlocks it.
static void check_blocking(void)
{
    struct timespec pause = {0, 20 * 1000000};
    pthread_t t;
    int done_while_held;

    pthread_mutex_lock(&handoff);
    pthread_create(&t, NULL, lock_handoff, NULL);
    nanosleep(&pause, NULL);
    done_while_held = handoff_done;
    pthread_mutex_unlock(&handoff);
    pthread_join(t, NULL);
    check(!done_while_held, "thread waits while mutex held");
    check(handoff_done, "thread gets mutex after unlock");
}

// A mutex and the plain (non-atomic) counter that it protects.
struct counter {
    pthread_mutex_t mutex;
    long value;
    int lock_errors;
};

static void *increment(void *arg)
{
    struct counter *c = arg;

    for (int i = 0; i < INCREMENTS; i++) {
        if (pthread_mutex_lock(&c->mutex) != 0) {
            __atomic_fetch_add(&c->lock_errors, 1, __ATOMIC_RELAXED);
            continue;
        }
        c->value++;
        pthread_mutex_unlock(&c->mutex);
    }
    return NULL;
}

static void count_under(int type, int robust, const char *name)
{
    pthread_t threads[COUNTERS];
    struct counter c = {.value = 0};
    char label[64];

    init_mutex(&c.mutex, type, robust);
    for (int i = 0; i < COUNTERS; i++)
        pthread_create(&threads[i], NULL, increment, &c);
    for (int i = 0; i < COUNTERS; i++)
        pthread_join(threads[i], NULL);
    snprintf(label, sizeof(label), "%s counter", name);
    expect_value(c.value, (long)COUNTERS * INCREMENTS, label);
    snprintf(label, sizeof(label), "%s lock errors", name);
    expect_value(c.lock_errors, 0, label);
    pthread_mutex_destroy(&c.mutex);
}

int main(void)
{
    check_normal();
    check_errorcheck();
    check_recursive();
    check_robust();
    check_timedlock();
    check_blocking();

    count_under(PTHREAD_MUTEX_NORMAL, 0, "normal");
    count_under(PTHREAD_MUTEX_ERRORCHECK, 0, "errorcheck");
    count_under(PTHREAD_MUTEX_RECURSIVE, 0, "recursive");
    count_under(PTHREAD_MUTEX_NORMAL, 1, "robust");

    printf("failures: %d\n", failures);
    return failures != 0;
}
