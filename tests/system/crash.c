// Crashes in the way its first argument names, for the crash report tests.
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

__attribute__((noinline)) static int crash_null(void)
{
    volatile int *p = NULL;
    // cppcheck-suppress nullPointer
    return *p;
}

__attribute__((noinline)) static int crash_div(void)
{
    volatile int zero = 0;
    // cppcheck-suppress zerodiv
    return 10 / zero;
}

__attribute__((noinline)) static int crash_ud(void)
{
    __asm__ volatile("ud2");
    return 0;
}

__attribute__((noinline)) static int crash_stack(int n)
{
    volatile char frame[256];
    frame[0] = (char)n;
    return crash_stack(n + 1) + frame[0];
}

int main(int argc, char **argv)
{
    const char *what = argc > 1 ? argv[1] : "";
    volatile int r = 2;

    /* Not tail calls: main stays on the stack for the backtrace. */
    if (strcmp(what, "null") == 0)
        r = crash_null();
    else if (strcmp(what, "div") == 0)
        r = crash_div();
    else if (strcmp(what, "ud") == 0)
        r = crash_ud();
    else if (strcmp(what, "stack") == 0)
        r = crash_stack(0);
    else if (strcmp(what, "abort") == 0)
        abort();
    else
        fprintf(stderr, "usage: crash null|div|ud|stack|abort\n");
    return r;
}
