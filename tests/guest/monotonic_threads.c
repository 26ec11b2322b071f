// CLOCK_MONOTONIC never goes back, within one thread or across threads that
// publish their readings, and CLOCK_REALTIME is not behind an earlier read.
#define _GNU_SOURCE
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <time.h>

#define THREADS 4
#define READS   100000

static int failures;

static int64_t now_ns(clockid_t clock)
{
    struct timespec t;

    clock_gettime(clock, &t);
    return t.tv_sec * 1000000000LL + t.tv_nsec;
}

// The latest monotonic reading any thread has published.
static _Atomic int64_t latest_published;
static int64_t realtime_before_start;

// What one thread saw.
struct readings {
    long backward_steps;
    long behind_published;
    int realtime_behind;
};

// Raises latest_published to t unless it is already later.
static void publish(int64_t t)
{
    int64_t seen = atomic_load(&latest_published);

    while (seen < t &&
           !atomic_compare_exchange_weak(&latest_published, &seen, t))
        ;
}

static void *read_clocks(void *arg)
{
    struct readings *r = arg;
    int64_t previous = now_ns(CLOCK_MONOTONIC);

    for (int i = 0; i < READS; i++) {
        int64_t published = atomic_load(&latest_published);
        int64_t t = now_ns(CLOCK_MONOTONIC);

        if (t < previous)
            r->backward_steps++;
        // The publisher read its clock before storing the value, so a
        // reading taken after loading it must not be smaller.
        if (t < published)
            r->behind_published++;
        if (i % 64 == 0)
            publish(t);
        previous = t;
    }
    r->realtime_behind = now_ns(CLOCK_REALTIME) < realtime_before_start;
    return NULL;
}

int main(void)
{
    pthread_t threads[THREADS];
    struct readings readings[THREADS] = {{0}};

    realtime_before_start = now_ns(CLOCK_REALTIME);
    publish(now_ns(CLOCK_MONOTONIC));
    for (int i = 0; i < THREADS; i++)
        pthread_create(&threads[i], NULL, read_clocks, &readings[i]);
    for (int i = 0; i < THREADS; i++) {
        struct readings *r = &readings[i];

        pthread_join(threads[i], NULL);
        if (r->backward_steps || r->behind_published || r->realtime_behind) {
            printf("FAIL: thread %d: %ld backward steps, %ld behind another "
                   "thread, realtime behind: %d\n",
                   i, r->backward_steps, r->behind_published,
                   r->realtime_behind);
            failures++;
        } else {
            printf("thread %d: monotonic ok\n", i);
        }
    }
    if (now_ns(CLOCK_REALTIME) < realtime_before_start) {
        printf("FAIL: realtime went back after the threads\n");
        failures++;
    } else {
        printf("realtime not behind the earlier read: ok\n");
    }
    printf("failures: %d\n", failures);
    return failures != 0;
}
