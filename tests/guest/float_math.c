// Floating point and SIMD state survive syscalls (which must not touch
// the application's SSE/AVX registers).
#include <math.h>
#include <stdio.h>
#include <unistd.h>

int main(void)
{
    volatile double x = 1.0;
    double acc = 0;

    for (int i = 1; i <= 100; i++) {
        acc += sqrt(x * i) / i;
        if (i % 25 == 0) {
            write(1, "", 0);
            printf("step %d: %.12f\n", i, acc);
        }
    }
    printf("%.3f %.3e %g\n", 3.14159265, 1e-300 * 1e-10, 2.5e10);
    return 0;
}
