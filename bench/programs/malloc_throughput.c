// malloc/free pairs per second of TSC time for one block size (argument
// in bytes): 64 live blocks replaced in a ring, median of 7 rounds.
// Prints cycles per malloc+free pair.
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <x86intrin.h>

#define ROUNDS 7
#define LIVE   64

static int compare(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

int main(int argc, char **argv)
{
    size_t size = argc > 1 ? strtoul(argv[1], NULL, 0) : 16;
    int pairs = size >= 65536 ? 5000 : 50000;
    void *live[LIVE] = {0};
    double per[ROUNDS];

    for (int r = 0; r < ROUNDS; r++) {
        unsigned long long start = __rdtsc();
        for (int i = 0; i < pairs; i++) {
            int k = i % LIVE;
            free(live[k]);
            live[k] = malloc(size);
            ((volatile char *)live[k])[0] = 1;
        }
        per[r] = (double)(__rdtsc() - start) / pairs;
    }
    qsort(per, ROUNDS, sizeof(per[0]), compare);
    printf("malloc_free_cycles %.1f\n", per[ROUNDS / 2]);
    return 0;
}
