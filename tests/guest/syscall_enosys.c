// An unknown syscall answers ENOSYS and the program carries on.
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/syscall.h>

int main(void)
{
    for (int i = 0; i < 2; i++) {
        long r = syscall(999, 1, 2, 3);
        printf("syscall 999: %ld errno=%s\n", r, strerror(errno));
    }
    printf("still running\n");
    return 0;
}
