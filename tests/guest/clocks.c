// Clocks answer for every id Linux has and reject bad ones.
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <sys/time.h>

int main(void)
{
    clockid_t ids[] = {CLOCK_REALTIME,           CLOCK_MONOTONIC,
                       CLOCK_PROCESS_CPUTIME_ID, CLOCK_THREAD_CPUTIME_ID,
                       CLOCK_MONOTONIC_RAW,      CLOCK_REALTIME_COARSE,
                       CLOCK_MONOTONIC_COARSE,   CLOCK_BOOTTIME};
    struct timespec a, b, res;
    struct timeval tv;

    for (unsigned i = 0; i < sizeof(ids) / sizeof(ids[0]); i++) {
        int r = clock_gettime(ids[i], &a);
        int s = clock_getres(ids[i], &res);
        printf("clock %d: gettime=%d getres=%d res_nonzero=%d\n", ids[i], r, s,
               res.tv_sec > 0 || res.tv_nsec > 0);
    }
    printf("bad clock: %d %s\n", clock_gettime(12345, &a), strerror(errno));
    clock_gettime(CLOCK_MONOTONIC, &a);
    clock_gettime(CLOCK_MONOTONIC, &b);
    printf("monotonic does not go back: %d\n",
           b.tv_sec > a.tv_sec ||
               (b.tv_sec == a.tv_sec && b.tv_nsec >= a.tv_nsec));
    gettimeofday(&tv, NULL);
    printf("realtime after 2020: %d\n", tv.tv_sec > 1577836800);
    printf("time agrees: %d\n", time(NULL) - tv.tv_sec <= 1);
    return 0;
}
