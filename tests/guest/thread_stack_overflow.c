// A thread named deep-worker overflows its stack and dies with SIGSEGV.
// test: status=139
#define _GNU_SOURCE
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>

// Each frame keeps 1 KiB alive across the call, so that the compiler can
// neither turn the recursion into a loop nor skip the guard page.
__attribute__((noinline)) static unsigned recurse(unsigned depth)
{
    volatile unsigned char frame[1024];

    // Never true, because the stack ends long before. The check only keeps
    // GCC from warning about infinite recursion.
    if (depth == UINT_MAX)
        return 0;
    memset((void *)frame, (int)depth, sizeof(frame));
    return recurse(depth + 1) + frame[depth % sizeof(frame)];
}

static void *deep_worker(void *arg)
{
    (void)arg;
    pthread_setname_np(pthread_self(), "deep-worker");
    return (void *)(unsigned long)recurse(0);
}

int main(void)
{
    pthread_t t;
    int r;

    printf("starting deep-worker\n");
    // Nothing may sit in the stdout buffer when the process dies.
    fflush(stdout);
    r = pthread_create(&t, NULL, deep_worker, NULL);
    if (r != 0) {
        printf("FAIL: pthread_create: %s\n", strerror(r));
        return 1;
    }
    pthread_join(t, NULL);
    printf("FAIL: deep-worker returned\n");
    return 1;
}
