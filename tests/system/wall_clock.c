// Sleeps 1.5 s, long enough for the RTC to count a new second, then
// prints the wall-clock time, for a test that compares it with the host's.
#include <stdio.h>
#include <time.h>

int main(void)
{
    struct timespec pause = {1, 500000000}, now;

    nanosleep(&pause, NULL);
    clock_gettime(CLOCK_REALTIME, &now);
    printf("%lld.%09ld\n", (long long)now.tv_sec, now.tv_nsec);
    fflush(stdout);
    return 0;
}
