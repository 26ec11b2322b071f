// Condition variables carry a producer/consumer queue, wake every waiter on
// broadcast and time out no earlier than the deadline on both clocks.
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#define SLOTS              8
#define PRODUCERS          3
#define CONSUMERS          3
#define ITEMS_PER_PRODUCER 20000
#define WAITERS            6

static int failures;

static const char *error_name(int e)
{
    switch (e) {
    case 0:
        return "0";
    case EINVAL:
        return "EINVAL";
    case ETIMEDOUT:
        return "ETIMEDOUT";
    case EPERM:
        return "EPERM";
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

// A bounded queue. A consumer stops when it takes a zero item.
static struct {
    pthread_mutex_t lock;
    pthread_cond_t not_empty;
    pthread_cond_t not_full;
    long items[SLOTS];
    int head, count;
} queue = {.lock = PTHREAD_MUTEX_INITIALIZER,
           .not_empty = PTHREAD_COND_INITIALIZER,
           .not_full = PTHREAD_COND_INITIALIZER};

static void put(long item)
{
    pthread_mutex_lock(&queue.lock);
    while (queue.count == SLOTS)
        pthread_cond_wait(&queue.not_full, &queue.lock);
    queue.items[(queue.head + queue.count) % SLOTS] = item;
    queue.count++;
    pthread_cond_signal(&queue.not_empty);
    pthread_mutex_unlock(&queue.lock);
}

static long take(void)
{
    long item;

    pthread_mutex_lock(&queue.lock);
    while (queue.count == 0)
        pthread_cond_wait(&queue.not_empty, &queue.lock);
    item = queue.items[queue.head];
    queue.head = (queue.head + 1) % SLOTS;
    queue.count--;
    pthread_cond_signal(&queue.not_full);
    pthread_mutex_unlock(&queue.lock);
    return item;
}

static void *produce(void *arg)
{
    long first = (long)arg * ITEMS_PER_PRODUCER + 1;

    for (long i = 0; i < ITEMS_PER_PRODUCER; i++)
        put(first + i);
    return NULL;
}

// Totals of what one consumer took.
struct consumed {
    long count;
    long sum;
};

static void *consume(void *arg)
{
    struct consumed *c = arg;
    long item;

    while ((item = take()) != 0) {
        c->count++;
        c->sum += item;
    }
    return NULL;
}

static void check_queue(void)
{
    pthread_t producers[PRODUCERS], consumers[CONSUMERS];
    struct consumed totals[CONSUMERS] = {{0, 0}};
    long n = (long)PRODUCERS * ITEMS_PER_PRODUCER;
    long count = 0, sum = 0;

    for (int i = 0; i < CONSUMERS; i++)
        pthread_create(&consumers[i], NULL, consume, &totals[i]);
    for (long i = 0; i < PRODUCERS; i++)
        pthread_create(&producers[i], NULL, produce, (void *)i);
    for (int i = 0; i < PRODUCERS; i++)
        pthread_join(producers[i], NULL);
    for (int i = 0; i < CONSUMERS; i++)
        put(0);
    for (int i = 0; i < CONSUMERS; i++) {
        pthread_join(consumers[i], NULL);
        count += totals[i].count;
        sum += totals[i].sum;
    }
    expect_value(count, n, "items consumed");
    expect_value(sum, n * (n + 1) / 2, "sum of items");
    check(queue.count == 0, "queue empty at the end");
}

static pthread_mutex_t gate_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t gate_open = PTHREAD_COND_INITIALIZER;
static pthread_cond_t waiter_ready = PTHREAD_COND_INITIALIZER;
static int gate_is_open, waiting, woken;

static void *wait_at_gate(void *arg)
{
    (void)arg;
    pthread_mutex_lock(&gate_lock);
    waiting++;
    pthread_cond_signal(&waiter_ready);
    while (!gate_is_open)
        pthread_cond_wait(&gate_open, &gate_lock);
    woken++;
    pthread_mutex_unlock(&gate_lock);
    return NULL;
}

static void check_broadcast(void)
{
    pthread_t threads[WAITERS];

    for (int i = 0; i < WAITERS; i++)
        pthread_create(&threads[i], NULL, wait_at_gate, NULL);

    pthread_mutex_lock(&gate_lock);
    while (waiting < WAITERS)
        pthread_cond_wait(&waiter_ready, &gate_lock);
    gate_is_open = 1;
    pthread_cond_broadcast(&gate_open);
    pthread_mutex_unlock(&gate_lock);

    for (int i = 0; i < WAITERS; i++)
        pthread_join(threads[i], NULL);
    expect_value(waiting, WAITERS, "waiters before broadcast");
    expect_value(woken, WAITERS, "waiters woken by broadcast");
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
    if (a.tv_sec != b.tv_sec)
        return a.tv_sec > b.tv_sec;
    return a.tv_nsec >= b.tv_nsec;
}

// Waits on a condition that is never signalled until the deadline, 50 ms
// ahead on clock, has passed. A spurious wakeup only repeats the wait.
static void check_timeout(pthread_cond_t *cond, clockid_t clock,
                          const char *name)
{
    pthread_mutex_t m;
    pthread_mutexattr_t attr;
    struct timespec deadline, now;
    char label[80];
    int r;

    pthread_mutexattr_init(&attr);
    pthread_mutexattr_settype(&attr, PTHREAD_MUTEX_ERRORCHECK);
    pthread_mutex_init(&m, &attr);
    pthread_mutexattr_destroy(&attr);

    pthread_mutex_lock(&m);
    deadline = deadline_after_ms(clock, 50);
    do {
        r = pthread_cond_timedwait(cond, &m, &deadline);
    } while (r == 0);
    clock_gettime(clock, &now);
    snprintf(label, sizeof(label), "%s timedwait", name);
    expect(r, ETIMEDOUT, label);
    snprintf(label, sizeof(label), "%s timed out after deadline", name);
    expect_value(not_before(now, deadline), 1, label);
    snprintf(label, sizeof(label), "%s mutex held after timeout", name);
    expect(pthread_mutex_unlock(&m), 0, label);

    pthread_mutex_lock(&m);
    deadline = deadline_after_ms(clock, 0);
    deadline.tv_sec -= 1;
    snprintf(label, sizeof(label), "%s timedwait with past deadline", name);
    expect(pthread_cond_timedwait(cond, &m, &deadline), ETIMEDOUT, label);
    deadline.tv_nsec = 1000000000;
    snprintf(label, sizeof(label), "%s timedwait with tv_nsec 1e9", name);
    expect(pthread_cond_timedwait(cond, &m, &deadline), EINVAL, label);
    pthread_mutex_unlock(&m);
    pthread_mutex_destroy(&m);
}

static pthread_mutex_t ready_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t ready_cond;
static int ready;
static int timedwait_result = -1;

static void *wait_for_ready(void *arg)
{
    struct timespec deadline = deadline_after_ms(CLOCK_MONOTONIC, 10000);
    int r = 0;

    (void)arg;
    pthread_mutex_lock(&ready_lock);
    while (!ready && r == 0)
        r = pthread_cond_timedwait(&ready_cond, &ready_lock, &deadline);
    timedwait_result = r;
    pthread_mutex_unlock(&ready_lock);
    return NULL;
}

// A timed wait that is signalled long before its deadline returns 0.
static void check_signal_before_deadline(void)
{
    struct timespec pause = {0, 20 * 1000000};
    pthread_t t;

    pthread_create(&t, NULL, wait_for_ready, NULL);
    nanosleep(&pause, NULL);
    pthread_mutex_lock(&ready_lock);
    ready = 1;
    pthread_cond_signal(&ready_cond);
    pthread_mutex_unlock(&ready_lock);
    pthread_join(t, NULL);
    expect(timedwait_result, 0, "monotonic timedwait signalled in time");
}

int main(void)
{
    pthread_condattr_t attr;
    pthread_cond_t realtime_cond = PTHREAD_COND_INITIALIZER;
    pthread_cond_t monotonic_cond;
    clockid_t clock = -1;

    check_queue();
    check_broadcast();

    pthread_condattr_init(&attr);
    pthread_condattr_getclock(&attr, &clock);
    check(clock == CLOCK_REALTIME, "default condattr clock is realtime");
    expect(pthread_condattr_setclock(&attr, CLOCK_PROCESS_CPUTIME_ID), EINVAL,
           "condattr clock cputime");
    expect(pthread_condattr_setclock(&attr, CLOCK_MONOTONIC), 0,
           "condattr clock monotonic");
    pthread_cond_init(&monotonic_cond, &attr);
    pthread_cond_init(&ready_cond, &attr);
    pthread_condattr_destroy(&attr);

    check_timeout(&realtime_cond, CLOCK_REALTIME, "realtime");
    check_timeout(&monotonic_cond, CLOCK_MONOTONIC, "monotonic");
    check_signal_before_deadline();

    pthread_cond_destroy(&realtime_cond);
    pthread_cond_destroy(&monotonic_cond);
    pthread_cond_destroy(&ready_cond);
    printf("failures: %d\n", failures);
    return failures != 0;
}
