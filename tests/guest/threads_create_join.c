// Threads are created and joined in bulk and return their values. Each has
// its own id, stack, thread-local storage and key values with destructors.
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#define THREADS      1000
#define BATCH        50
#define DETACHED     100
#define ONCE_CALLERS 8
#define BIG_STACK    (256 * 1024)

static int failures;

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

static void *return_square(void *arg)
{
    uintptr_t n = (uintptr_t)arg;

    return (void *)(n * n + 1);
}

static void create_and_join_all(void)
{
    pthread_t threads[BATCH];
    int created = 0, correct = 0;

    for (uintptr_t base = 0; base < THREADS; base += BATCH) {
        int started[BATCH] = {0};

        for (int i = 0; i < BATCH; i++) {
            void *arg = (void *)(base + i);

            started[i] =
                pthread_create(&threads[i], NULL, return_square, arg) == 0;
            created += started[i];
        }
        for (int i = 0; i < BATCH; i++) {
            uintptr_t n = base + i;
            void *result;

            if (!started[i] || pthread_join(threads[i], &result) != 0)
                continue;
            correct += (uintptr_t)result == n * n + 1;
        }
    }
    expect_value(created, THREADS, "threads created");
    expect_value(correct, THREADS, "return values correct");
}

// State that one batch of live threads fills in, read after the joins.
struct identity {
    pthread_t self;
    pid_t tid;
    int self_is_not_main;
    void *tls_address;
    int tls_initial_ok;
    int tls_kept;
    int tls_aligned;
    int specific_initially_null;
};

static pthread_t main_thread;
static pthread_barrier_t identity_barrier;
static __thread int tls_value = 7;
static __thread char tls_zeroed[256];
static __thread _Alignas(64) char tls_aligned[64];
static pthread_key_t key;
static atomic_int destructor_runs;
static atomic_int destructor_bad_values;

static void count_destructor(void *value)
{
    struct identity *id = value;

    atomic_fetch_add(&destructor_runs, 1);
    if (!id || !pthread_equal(id->self, pthread_self()))
        atomic_fetch_add(&destructor_bad_values, 1);
}

static int all_zero(const char *p, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (p[i])
            return 0;
    }
    return 1;
}

static void *record_identity(void *arg)
{
    struct identity *id = arg;

    id->self = pthread_self();
    id->tid = gettid();
    id->self_is_not_main = !pthread_equal(id->self, main_thread);
    id->tls_initial_ok = tls_value == 7 && all_zero(tls_zeroed, 256);
    id->tls_aligned = (uintptr_t)tls_aligned % 64 == 0;
    id->tls_address = &tls_value;
    id->specific_initially_null = pthread_getspecific(key) == NULL;
    tls_value = id->tid;
    memset(tls_zeroed, id->tid & 0xff, sizeof(tls_zeroed));
    pthread_setspecific(key, id);

    // Every thread of the batch has now written its own copy.
    pthread_barrier_wait(&identity_barrier);
    id->tls_kept = tls_value == id->tid &&
                   tls_zeroed[255] == (char)(id->tid & 0xff) &&
                   pthread_getspecific(key) == id;
    return NULL;
}

static int count_distinct_tids(struct identity *ids, int n, pid_t main_tid)
{
    int distinct = 0;

    for (int i = 0; i < n; i++) {
        int unique = ids[i].tid > 0 && ids[i].tid != main_tid;

        for (int j = 0; j < i && unique; j++)
            unique = ids[j].tid != ids[i].tid;
        distinct += unique;
    }
    return distinct;
}

static int count_distinct_tls(struct identity *ids, int n)
{
    int distinct = 0;

    for (int i = 0; i < n; i++) {
        int unique = ids[i].tls_address != &tls_value;

        for (int j = 0; j < i && unique; j++)
            unique = ids[j].tls_address != ids[i].tls_address;
        distinct += unique;
    }
    return distinct;
}

static void check_identities(void)
{
    struct identity ids[BATCH];
    pthread_t threads[BATCH];
    int self_ok = 0, not_main = 0, tls_initial = 0, tls_kept = 0;
    int aligned = 0, null_specific = 0;

    memset(ids, 0, sizeof(ids));
    tls_value = 99;
    pthread_barrier_init(&identity_barrier, NULL, BATCH);
    for (int i = 0; i < BATCH; i++)
        pthread_create(&threads[i], NULL, record_identity, &ids[i]);
    for (int i = 0; i < BATCH; i++) {
        pthread_join(threads[i], NULL);
        self_ok += pthread_equal(ids[i].self, threads[i]) != 0;
        not_main += ids[i].self_is_not_main;
        tls_initial += ids[i].tls_initial_ok;
        tls_kept += ids[i].tls_kept;
        aligned += ids[i].tls_aligned;
        null_specific += ids[i].specific_initially_null;
    }
    pthread_barrier_destroy(&identity_barrier);

    expect_value(self_ok, BATCH, "pthread_self matches pthread_create");
    expect_value(not_main, BATCH, "pthread_self differs from main");
    expect_value(count_distinct_tids(ids, BATCH, gettid()), BATCH,
                 "distinct gettid among live threads");
    expect_value(count_distinct_tls(ids, BATCH), BATCH,
                 "distinct __thread addresses");
    expect_value(tls_initial, BATCH, "__thread starts from its initializer");
    expect_value(tls_kept, BATCH, "__thread keeps its own value");
    expect_value(aligned, BATCH, "__thread _Alignas(64) aligned");
    expect_value(null_specific, BATCH, "pthread_getspecific starts null");
    expect_value(atomic_load(&destructor_runs), BATCH, "key destructor runs");
    check(atomic_load(&destructor_bad_values) == 0,
          "key destructor gets the thread's value");
    check(tls_value == 99, "main __thread value untouched");
    check(pthread_getspecific(key) == NULL, "main key value untouched");
}

// Whether the address of a local of the caller lies inside the stack that
// pthread_getattr_np reports for the calling thread.
struct stack_report {
    int getattr;
    size_t size;
    int contains_local;
};

static struct stack_report report_own_stack(void)
{
    struct stack_report report = {0};
    pthread_attr_t attr;
    void *low;
    char local;

    report.getattr = pthread_getattr_np(pthread_self(), &attr);
    if (report.getattr != 0)
        return report;
    pthread_attr_getstack(&attr, &low, &report.size);
    report.contains_local =
        (char *)low <= &local && &local < (char *)low + report.size;
    pthread_attr_destroy(&attr);
    return report;
}

static void *stack_reporter(void *arg)
{
    *(struct stack_report *)arg = report_own_stack();
    return NULL;
}

static void check_stacks(void)
{
    struct stack_report main_stack = report_own_stack();
    struct stack_report plain = {0}, big = {0};
    pthread_attr_t attr;
    pthread_t t;

    check(main_stack.getattr == 0, "pthread_getattr_np on main");
    check(main_stack.size > 0, "main stack size non-zero");
    check(main_stack.contains_local, "main stack contains a local");

    pthread_create(&t, NULL, stack_reporter, &plain);
    pthread_join(t, NULL);
    check(plain.getattr == 0, "pthread_getattr_np on a new thread");
    check(plain.size > 0, "new thread stack size non-zero");
    check(plain.contains_local, "new thread stack contains a local");

    pthread_attr_init(&attr);
    pthread_attr_setstacksize(&attr, BIG_STACK);
    pthread_create(&t, &attr, stack_reporter, &big);
    pthread_attr_destroy(&attr);
    pthread_join(t, NULL);
    check(big.size >= BIG_STACK, "requested stack size reported");
    check(big.contains_local, "requested stack contains a local");
}

static pthread_once_t once = PTHREAD_ONCE_INIT;
static atomic_int once_runs;

static void run_once(void)
{
    atomic_fetch_add(&once_runs, 1);
}

static void *call_once(void *arg)
{
    (void)arg;
    pthread_once(&once, run_once);
    return NULL;
}

static void check_once(void)
{
    pthread_t threads[ONCE_CALLERS];

    for (int i = 0; i < ONCE_CALLERS; i++)
        pthread_create(&threads[i], NULL, call_once, NULL);
    for (int i = 0; i < ONCE_CALLERS; i++)
        pthread_join(threads[i], NULL);
    pthread_once(&once, run_once);
    expect_value(atomic_load(&once_runs), 1, "pthread_once runs");
}

static pthread_mutex_t finished_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t finished_cond = PTHREAD_COND_INITIALIZER;
static int finished;
static atomic_int detached_seen_by_getattr;

static void *finish_detached(void *arg)
{
    pthread_attr_t attr;
    int state = -1;

    if (arg)
        pthread_detach(pthread_self());
    if (pthread_getattr_np(pthread_self(), &attr) == 0) {
        pthread_attr_getdetachstate(&attr, &state);
        pthread_attr_destroy(&attr);
    }
    if (state == PTHREAD_CREATE_DETACHED)
        atomic_fetch_add(&detached_seen_by_getattr, 1);

    pthread_mutex_lock(&finished_lock);
    finished++;
    pthread_cond_signal(&finished_cond);
    pthread_mutex_unlock(&finished_lock);
    return NULL;
}

// Half the threads start detached, and the other half detach themselves.
static void check_detached(void)
{
    pthread_attr_t attr;
    pthread_t t;
    int created = 0;

    pthread_attr_init(&attr);
    pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
    for (int i = 0; i < DETACHED; i++) {
        int self_detach = i % 2;
        pthread_attr_t *a = self_detach ? NULL : &attr;

        void *arg = (void *)(uintptr_t)self_detach;

        if (pthread_create(&t, a, finish_detached, arg) == 0)
            created++;
    }
    pthread_attr_destroy(&attr);

    pthread_mutex_lock(&finished_lock);
    while (finished < created)
        pthread_cond_wait(&finished_cond, &finished_lock);
    pthread_mutex_unlock(&finished_lock);
    expect_value(created, DETACHED, "detached threads created");
    expect_value(finished, DETACHED, "detached threads finished");
    expect_value(atomic_load(&detached_seen_by_getattr), DETACHED,
                 "getattr reports detached");
}

static void exit_from_helper(void)
{
    pthread_exit((void *)42);
}

static void *exit_early(void *arg)
{
    (void)arg;
    exit_from_helper();
    return NULL;
}

static void check_pthread_exit(void)
{
    pthread_t t;
    void *result = NULL;

    pthread_create(&t, NULL, exit_early, NULL);
    pthread_join(t, &result);
    check(result == (void *)42, "pthread_exit value reaches join");
}

int main(void)
{
    main_thread = pthread_self();
    check(pthread_equal(pthread_self(), main_thread), "pthread_equal on self");
    check(gettid() == getpid(), "main gettid equals getpid");
    check(pthread_key_create(&key, count_destructor) == 0,
          "pthread_key_create");

    create_and_join_all();
    check_identities();
    check_stacks();
    check_once();
    check_pthread_exit();
    check_detached();

    check(pthread_key_delete(key) == 0, "pthread_key_delete");
    printf("failures: %d\n", failures);
    return failures != 0;
}
