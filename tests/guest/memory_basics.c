// malloc, brk and anonymous mmap behave as on Linux for simple uses.
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/syscall.h>

int main(void)
{
    char *small = malloc(100);
    char *big = malloc(8 << 20);
    /* musl's sbrk only reports the break, so grow it with the syscall. */
    char *cur = (char *)syscall(SYS_brk, 0);
    char *m;

    memset(small, 'a', 100);
    memset(big, 'b', 8 << 20);
    printf("malloc: %c %c\n", small[99], big[(8 << 20) - 1]);
    free(small);
    free(big);

    printf("brk grows: %d\n",
           (char *)syscall(SYS_brk, cur + 4096) == cur + 4096 &&
               (char *)syscall(SYS_brk, 0) == cur + 4096);
    m = mmap(NULL, 1 << 20, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
             -1, 0);
    printf("mmap: %s zero=%d\n", m == MAP_FAILED ? "failed" : "ok",
           m[12345] == 0);
    m[0] = 1;
    printf("mprotect read-only: %d\n", mprotect(m, 4096, PROT_READ));
    printf("munmap: %d\n", munmap(m, 1 << 20));
    printf("munmap unaligned: %d %s\n", munmap(m + 1, 4096), strerror(errno));
    printf("mmap zero length: %p %s\n",
           mmap(NULL, 0, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0),
           strerror(errno));
    printf("mmap bad flags: %p %s\n",
           mmap(NULL, 4096, PROT_READ, MAP_ANONYMOUS, -1, 0), strerror(errno));
    return 0;
}
