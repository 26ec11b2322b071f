// Crashes in the way its first argument names, for the crash report tests.
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/sysinfo.h>

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

// The end of the main thread's stack, from /proc/self/maps; nothing is
// mapped right above it.
static uintptr_t stack_end(void)
{
    char line[256];
    uintptr_t start = 0, end = 0;
    FILE *f = fopen("/proc/self/maps", "r");

    while (f && fgets(line, sizeof(line), f)) {
        if (strstr(line, "[stack]")) {
            sscanf(line, "%lx-%lx", &start, &end);
            break;
        }
    }
    if (f)
        fclose(f);
    return end;
}

// Points the saved frame pointer at unmapped memory, so that the
// backtrace of the crash that follows faults while it walks.
__attribute__((noinline)) static int crash_frames(void)
{
    uintptr_t end = stack_end();

    if (!end)
        return 3;
    *(volatile uintptr_t *)__builtin_frame_address(0) = end;
    return crash_null();
}

// Maps two regions of more than half the memory each, which the default
// overcommit policy allows, and touches every page of both.
__attribute__((noinline)) static int crash_oom(void)
{
    struct sysinfo si;
    size_t size;

    if (sysinfo(&si) != 0)
        return 3;
    size = (size_t)si.totalram * si.mem_unit / 2 + (1 << 20);
    for (int i = 0; i < 2; i++) {
        char *p = mmap(NULL, size, PROT_READ | PROT_WRITE,
                       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

        if (p == MAP_FAILED) {
            perror("crash: mmap");
            return 1;
        }
        for (size_t off = 0; off < size; off += 4096)
            p[off] = 1;
    }
    return 4;
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
    else if (strcmp(what, "frames") == 0)
        r = crash_frames();
    else if (strcmp(what, "oom") == 0)
        r = crash_oom();
    else if (strcmp(what, "abort") == 0)
        abort();
    else
        fprintf(stderr, "usage: crash null|div|ud|stack|frames|oom|abort\n");
    return r;
}
