// Spinning threads are preempted, so a sleeper on the same CPU stops them.
// test: variants=preempt timeout=60
#define _GNU_SOURCE
#include <pthread.h>
#include <stdio.h>
#include <time.h>

#define TURNS 20

static volatile int stop;
static volatile int turn;

static void sleep_100ms(void)
{
    struct timespec t = {0, 100 * 1000000L};

    nanosleep(&t, NULL);
}

static void *spin_until_stopped(void *arg)
{
    (void)arg;
    while (!stop)
        ;
    return NULL;
}

static void *stop_after_sleep(void *arg)
{
    (void)arg;
    sleep_100ms();
    stop = 1;
    return NULL;
}

// Each thread busy-waits for its turn and passes it to the other, so every
// turn needs the scheduler to take the CPU from a spinning thread.
static void *take_turns(void *arg)
{
    int me = (int)(long)arg;

    for (int i = 0; i < TURNS; i++) {
        while (turn % 2 != me)
            ;
        turn = turn + 1;
    }
    return NULL;
}

int main(void)
{
    pthread_t t, u;

    pthread_create(&t, NULL, spin_until_stopped, NULL);
    sleep_100ms();
    stop = 1;
    pthread_join(t, NULL);
    printf("spinner stopped\n");
    fflush(stdout);

    stop = 0;
    pthread_create(&t, NULL, stop_after_sleep, NULL);
    while (!stop)
        ;
    pthread_join(t, NULL);
    printf("main spinner stopped\n");
    fflush(stdout);

    pthread_create(&t, NULL, take_turns, (void *)0L);
    pthread_create(&u, NULL, take_turns, (void *)1L);
    pthread_join(t, NULL);
    pthread_join(u, NULL);
    printf("spinning turns taken: %d\n", turn);
    if (turn != 2 * TURNS) {
        printf("FAIL: spinning turns: expected %d\n", 2 * TURNS);
        return 1;
    }
    return 0;
}
