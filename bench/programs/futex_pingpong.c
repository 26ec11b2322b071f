// Two threads hand a token back and forth through futexes; prints the TSC
// cycles per handoff (one wake and one switch), median of 7 rounds.
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <x86intrin.h>

/* From Linux's uapi/linux/futex.h; musl does not ship kernel headers. */
#define FUTEX_WAIT_PRIVATE 128
#define FUTEX_WAKE_PRIVATE 129

#define ROUNDS   7
#define HANDOFFS 5000

static atomic_int turn;

static void wait_for(int want)
{
    int v;
    while ((v = atomic_load(&turn)) != want)
        syscall(SYS_futex, &turn, FUTEX_WAIT_PRIVATE, v, NULL, NULL, 0);
}

static void give(int to)
{
    atomic_store(&turn, to);
    syscall(SYS_futex, &turn, FUTEX_WAKE_PRIVATE, 1, NULL, NULL, 0);
}

static void *partner(void *arg)
{
    for (int i = 0; i < ROUNDS * HANDOFFS; i++) {
        wait_for(1);
        give(0);
    }
    return NULL;
}

static int compare(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

int main(void)
{
    double per[ROUNDS];
    pthread_t t;

    pthread_create(&t, NULL, partner, NULL);
    for (int r = 0; r < ROUNDS; r++) {
        unsigned long long start = __rdtsc();
        for (int i = 0; i < HANDOFFS; i++) {
            give(1);
            wait_for(0);
        }
        per[r] = (double)(__rdtsc() - start) / (2.0 * HANDOFFS);
    }
    pthread_join(t, NULL);
    qsort(per, ROUNDS, sizeof(per[0]), compare);
    printf("handoff_cycles %.1f\n", per[ROUNDS / 2]);
    return 0;
}
