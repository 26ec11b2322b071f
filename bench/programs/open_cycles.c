// Prints the median cost of one open(2) of an existing file, in TSC
// cycles, over 15 rounds of 2,000 opens. Each open is followed by a close
// that is not counted. The file is DIR/open-bench.PID/b/file (DIR is
// /tmp unless given), so the lookup walks three components below DIR.
// Under QEMU's TCG with -icount shift=0 the TSC counts guest instructions.
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>
#include <x86intrin.h>

#define ROUNDS 15
#define OPENS  2000

static int compare(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;

    return (x > y) - (x < y);
}

int main(int argc, char **argv)
{
    const char *dir = argc > 1 ? argv[1] : "/tmp";
    char a[256], b[256], path[256];
    double per_open[ROUNDS];
    int fd;

    snprintf(a, sizeof(a), "%s/open-bench.%d", dir, (int)getpid());
    snprintf(b, sizeof(b), "%s/b", a);
    snprintf(path, sizeof(path), "%s/file", b);
    if (mkdir(a, 0755) || mkdir(b, 0755)) {
        perror("open_cycles: mkdir");
        return 1;
    }
    fd = open(path, O_CREAT | O_WRONLY, 0644);
    if (fd < 0 || close(fd)) {
        perror("open_cycles: creating the file");
        return 1;
    }
    for (int r = 0; r < ROUNDS; r++) {
        unsigned long long total = 0;

        for (int i = 0; i < OPENS; i++) {
            unsigned long long start = __rdtsc();

            fd = open(path, O_RDONLY);
            total += __rdtsc() - start;
            if (fd < 0) {
                perror("open_cycles: open");
                return 1;
            }
            close(fd);
        }
        per_open[r] = (double)total / OPENS;
    }
    unlink(path);
    rmdir(b);
    rmdir(a);
    qsort(per_open, ROUNDS, sizeof(per_open[0]), compare);
    printf("open_cycles %.1f\n", per_open[ROUNDS / 2]);
    return 0;
}
