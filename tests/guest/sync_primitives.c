// Read-write locks, barriers, unnamed semaphores and spinlocks share and
// exclude as POSIX specifies and return the errors that Linux returns.
#define _GNU_SOURCE
#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <semaphore.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#define READERS         4
#define WRITERS         4
#define RW_ROUNDS       20000
#define BARRIER_THREADS 4
#define BARRIER_ROUNDS  3
#define PING_PONGS      10000
#define POSTERS         4
#define POSTS           1000
#define SPINNERS        4
#define SPIN_INCREMENTS 50000

static int failures;

static const char *error_name(int e)
{
    switch (e) {
    case 0:
        return "0";
    case EBUSY:
        return "EBUSY";
    case EAGAIN:
        return "EAGAIN";
    case EINVAL:
        return "EINVAL";
    case ETIMEDOUT:
        return "ETIMEDOUT";
    case EOVERFLOW:
        return "EOVERFLOW";
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

static struct timespec now(clockid_t clock)
{
    struct timespec t;

    clock_gettime(clock, &t);
    return t;
}

static struct timespec deadline_after_ms(long ms)
{
    struct timespec t = now(CLOCK_REALTIME);

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

static void sleep_ms(long ms)
{
    struct timespec t = {ms / 1000, ms % 1000 * 1000000};

    nanosleep(&t, NULL);
}

static pthread_rwlock_t rw = PTHREAD_RWLOCK_INITIALIZER;

// An rwlock operation that rw_op_in_thread runs on a new thread.
enum rw_op { TRY_READ, TRY_WRITE, TIMED_READ, TIMED_WRITE };

static int timed_out_after_deadline;

static void *run_rw_op(void *arg)
{
    enum rw_op op = *(enum rw_op *)arg;
    struct timespec deadline = deadline_after_ms(50);
    int r = -1;

    if (op == TRY_READ)
        r = pthread_rwlock_tryrdlock(&rw);
    else if (op == TRY_WRITE)
        r = pthread_rwlock_trywrlock(&rw);
    else if (op == TIMED_READ)
        r = pthread_rwlock_timedrdlock(&rw, &deadline);
    else if (op == TIMED_WRITE)
        r = pthread_rwlock_timedwrlock(&rw, &deadline);
    timed_out_after_deadline = not_before(now(CLOCK_REALTIME), deadline);
    if (r == 0)
        pthread_rwlock_unlock(&rw);
    *(enum rw_op *)arg = r;
    return NULL;
}

// Runs op on rw from a new thread and returns the error number it got.
static int rw_op_in_thread(enum rw_op op)
{
    int slot = op;
    pthread_t t;

    pthread_create(&t, NULL, run_rw_op, &slot);
    pthread_join(t, NULL);
    return slot;
}

static atomic_int readers_inside, max_readers_inside;

static void *read_until_all_inside(void *arg)
{
    struct timespec give_up = now(CLOCK_MONOTONIC);
    int inside;

    (void)arg;
    give_up.tv_sec += 5;
    pthread_rwlock_rdlock(&rw);
    atomic_fetch_add(&readers_inside, 1);
    while ((inside = atomic_load(&readers_inside)) < READERS &&
           !not_before(now(CLOCK_MONOTONIC), give_up))
        sched_yield();
    if (inside > atomic_load(&max_readers_inside))
        atomic_store(&max_readers_inside, inside);
    pthread_rwlock_unlock(&rw);
    return NULL;
}

static void check_shared_readers(void)
{
    pthread_t threads[READERS];

    for (int i = 0; i < READERS; i++)
        pthread_create(&threads[i], NULL, read_until_all_inside, NULL);
    for (int i = 0; i < READERS; i++)
        pthread_join(threads[i], NULL);
    expect_value(atomic_load(&max_readers_inside), READERS,
                 "readers holding the rwlock at once");
}

static void check_rwlock_errors(void)
{
    expect(pthread_rwlock_wrlock(&rw), 0, "wrlock");
    expect(pthread_rwlock_trywrlock(&rw), EBUSY, "trywrlock by writer");
    expect(rw_op_in_thread(TRY_READ), EBUSY, "tryrdlock while written");
    expect(rw_op_in_thread(TRY_WRITE), EBUSY, "trywrlock while written");
    expect(rw_op_in_thread(TIMED_READ), ETIMEDOUT, "timedrdlock while written");
    expect_value(timed_out_after_deadline, 1,
                 "timedrdlock timed out after deadline");
    expect(pthread_rwlock_unlock(&rw), 0, "unlock writer");

    expect(pthread_rwlock_rdlock(&rw), 0, "rdlock");
    expect(pthread_rwlock_tryrdlock(&rw), 0, "tryrdlock by reader");
    expect(rw_op_in_thread(TRY_READ), 0, "tryrdlock while read");
    expect(rw_op_in_thread(TRY_WRITE), EBUSY, "trywrlock while read");
    expect(rw_op_in_thread(TIMED_WRITE), ETIMEDOUT, "timedwrlock while read");
    expect_value(timed_out_after_deadline, 1,
                 "timedwrlock timed out after deadline");
    expect(pthread_rwlock_unlock(&rw), 0, "unlock reader 1");
    expect(pthread_rwlock_unlock(&rw), 0, "unlock reader 2");
    expect(rw_op_in_thread(TRY_WRITE), 0, "trywrlock when free");
}

// Two counters that writers change together, so a reader must never see
// them differ.
static volatile long pair_a, pair_b;
static atomic_int torn_reads;

static void *write_pair(void *arg)
{
    (void)arg;
    for (int i = 0; i < RW_ROUNDS; i++) {
        pthread_rwlock_wrlock(&rw);
        pair_a++;
        if (i % 64 == 0)
            sched_yield();
        pair_b++;
        pthread_rwlock_unlock(&rw);
    }
    return NULL;
}

static void *read_pair(void *arg)
{
    (void)arg;
    for (int i = 0; i < RW_ROUNDS; i++) {
        pthread_rwlock_rdlock(&rw);
        if (pair_a != pair_b)
            atomic_fetch_add(&torn_reads, 1);
        pthread_rwlock_unlock(&rw);
    }
    return NULL;
}

static void check_writer_exclusion(void)
{
    pthread_t writers[WRITERS], readers[READERS];

    for (int i = 0; i < WRITERS; i++)
        pthread_create(&writers[i], NULL, write_pair, NULL);
    for (int i = 0; i < READERS; i++)
        pthread_create(&readers[i], NULL, read_pair, NULL);
    for (int i = 0; i < WRITERS; i++)
        pthread_join(writers[i], NULL);
    for (int i = 0; i < READERS; i++)
        pthread_join(readers[i], NULL);
    expect_value(pair_a, WRITERS * RW_ROUNDS, "first counter under wrlock");
    expect_value(pair_b, WRITERS * RW_ROUNDS, "second counter under wrlock");
    expect_value(atomic_load(&torn_reads), 0,
                 "reads that saw a half-done write");
}

static pthread_barrier_t barrier;
static atomic_int arrived[BARRIER_ROUNDS];
static atomic_int serial_returns[BARRIER_ROUNDS];
static atomic_int early_leavers, bad_returns;

static void *cross_barrier(void *arg)
{
    (void)arg;
    for (int round = 0; round < BARRIER_ROUNDS; round++) {
        int r;

        atomic_fetch_add(&arrived[round], 1);
        r = pthread_barrier_wait(&barrier);
        if (r == PTHREAD_BARRIER_SERIAL_THREAD)
            atomic_fetch_add(&serial_returns[round], 1);
        else if (r != 0)
            atomic_fetch_add(&bad_returns, 1);
        if (atomic_load(&arrived[round]) != BARRIER_THREADS)
            atomic_fetch_add(&early_leavers, 1);
    }
    return NULL;
}

static void check_barrier(void)
{
    pthread_t threads[BARRIER_THREADS];
    pthread_barrier_t empty;

    expect(pthread_barrier_init(&empty, NULL, 0), EINVAL,
           "barrier with count 0");
    expect(pthread_barrier_init(&barrier, NULL, BARRIER_THREADS), 0,
           "barrier init");
    for (int i = 0; i < BARRIER_THREADS; i++)
        pthread_create(&threads[i], NULL, cross_barrier, NULL);
    for (int i = 0; i < BARRIER_THREADS; i++)
        pthread_join(threads[i], NULL);
    for (int round = 0; round < BARRIER_ROUNDS; round++) {
        char label[64];

        snprintf(label, sizeof(label), "barrier round %d serial returns",
                 round);
        expect_value(atomic_load(&serial_returns[round]), 1, label);
    }
    expect_value(atomic_load(&early_leavers), 0,
                 "barrier left before all arrived");
    expect_value(atomic_load(&bad_returns), 0, "barrier other returns");
    expect(pthread_barrier_destroy(&barrier), 0, "barrier destroy");
}

static sem_t ping, pong, gate, tally;
static atomic_int passed_gate;

static void *return_pongs(void *arg)
{
    (void)arg;
    for (int i = 0; i < PING_PONGS; i++) {
        sem_wait(&ping);
        sem_post(&pong);
    }
    return NULL;
}

static void *pass_gate(void *arg)
{
    (void)arg;
    sem_wait(&gate);
    atomic_store(&passed_gate, 1);
    return NULL;
}

static void *post_tally(void *arg)
{
    (void)arg;
    for (int i = 0; i < POSTS; i++)
        sem_post(&tally);
    return NULL;
}

static void check_semaphore_errors(void)
{
    struct timespec deadline;
    sem_t s;
    int value = -1;

    expect_errno(sem_init(&s, 0, (unsigned)SEM_VALUE_MAX + 1), EINVAL,
                 "sem_init above SEM_VALUE_MAX");
    expect_errno(sem_init(&s, 0, 0), 0, "sem_init");
    expect_errno(sem_trywait(&s), EAGAIN, "sem_trywait on 0");
    expect_errno(sem_post(&s), 0, "sem_post");
    sem_getvalue(&s, &value);
    expect_value(value, 1, "sem_getvalue after post");
    expect_errno(sem_trywait(&s), 0, "sem_trywait on 1");

    deadline = deadline_after_ms(50);
    expect_errno(sem_timedwait(&s, &deadline), ETIMEDOUT, "sem_timedwait");
    expect_value(not_before(now(CLOCK_REALTIME), deadline), 1,
                 "sem_timedwait timed out after deadline");
    deadline.tv_nsec = 1000000000;
    expect_errno(sem_timedwait(&s, &deadline), EINVAL,
                 "sem_timedwait with tv_nsec 1e9");
    sem_post(&s);
    expect_errno(sem_timedwait(&s, &deadline), 0,
                 "sem_timedwait on 1 with tv_nsec 1e9");
    sem_destroy(&s);

    sem_init(&s, 0, SEM_VALUE_MAX);
    expect_errno(sem_post(&s), EOVERFLOW, "sem_post at SEM_VALUE_MAX");
    sem_destroy(&s);
}

static void check_semaphore_threads(void)
{
    pthread_t t, posters[POSTERS];
    int pongs = 0, passed_early, taken = 0, value = -1;

    sem_init(&ping, 0, 0);
    sem_init(&pong, 0, 0);
    pthread_create(&t, NULL, return_pongs, NULL);
    for (int i = 0; i < PING_PONGS; i++) {
        sem_post(&ping);
        pongs += sem_wait(&pong) == 0;
    }
    pthread_join(t, NULL);
    expect_value(pongs, PING_PONGS, "semaphore ping-pongs");

    sem_init(&gate, 0, 0);
    pthread_create(&t, NULL, pass_gate, NULL);
    sleep_ms(20);
    passed_early = atomic_load(&passed_gate);
    sem_post(&gate);
    pthread_join(t, NULL);
    check(!passed_early, "sem_wait blocks until a post");
    check(atomic_load(&passed_gate), "sem_wait returns after a post");

    sem_init(&tally, 0, 0);
    for (int i = 0; i < POSTERS; i++)
        pthread_create(&posters[i], NULL, post_tally, NULL);
    for (int i = 0; i < POSTERS * POSTS; i++)
        taken += sem_wait(&tally) == 0;
    for (int i = 0; i < POSTERS; i++)
        pthread_join(posters[i], NULL);
    sem_getvalue(&tally, &value);
    expect_value(taken, POSTERS * POSTS, "semaphore posts taken");
    expect_value(value, 0, "semaphore value after taking all");
}

static pthread_spinlock_t spin;
static long spin_counter;

static void *spin_increment(void *arg)
{
    (void)arg;
    for (int i = 0; i < SPIN_INCREMENTS; i++) {
        pthread_spin_lock(&spin);
        spin_counter++;
        pthread_spin_unlock(&spin);
    }
    return NULL;
}

static void check_spinlock(void)
{
    pthread_t threads[SPINNERS];

    expect(pthread_spin_init(&spin, PTHREAD_PROCESS_PRIVATE), 0, "spin_init");
    expect(pthread_spin_lock(&spin), 0, "spin_lock");
    expect(pthread_spin_trylock(&spin), EBUSY, "spin_trylock while held");
    expect(pthread_spin_unlock(&spin), 0, "spin_unlock");
    expect(pthread_spin_trylock(&spin), 0, "spin_trylock when free");
    expect(pthread_spin_unlock(&spin), 0, "spin_unlock after trylock");
    for (int i = 0; i < SPINNERS; i++)
        pthread_create(&threads[i], NULL, spin_increment, NULL);
    for (int i = 0; i < SPINNERS; i++)
        pthread_join(threads[i], NULL);
    expect_value(spin_counter, SPINNERS * SPIN_INCREMENTS, "spinlock counter");
    expect(pthread_spin_destroy(&spin), 0, "spin_destroy");
}

int main(void)
{
    check_shared_readers();
    check_rwlock_errors();
    check_writer_exclusion();
    check_barrier();
    check_semaphore_errors();
    check_semaphore_threads();
    check_spinlock();
    printf("failures: %d\n", failures);
    return failures != 0;
}
