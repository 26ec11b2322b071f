// Syscalls given unmapped or read-only pointers fail with EFAULT, and
// arch_prctl refuses thread-pointer bases outside user space.
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/random.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/utsname.h>

static const char rodata[64] = "read-only";

static void show(const char *what, long r)
{
    printf("%s: %ld %s\n", what, r, r < 0 ? strerror(errno) : "ok");
}

int main(void)
{
    struct iovec iov = {(void *)8, 10};

    show("write from null", write(1, NULL, 10));
    show("write from address 1", write(1, (void *)1, 10));
    show("writev with a bad iovec array",
         syscall(SYS_writev, 1, (void *)16, 1));
    show("writev with a bad buffer", writev(1, &iov, 1));
    show("clock_gettime into null",
         syscall(SYS_clock_gettime, CLOCK_MONOTONIC, NULL));
    show("uname into read-only data", syscall(SYS_uname, rodata));
    show("getrandom into address 64", getrandom((void *)64, 8, 0));
    show("getrandom with bad flags", syscall(SYS_getrandom, rodata, 8, 0x100));
    show("write of 0 bytes from null", write(1, NULL, 0));
    show("ARCH_SET_FS to a non-canonical address",
         syscall(SYS_arch_prctl, 0x1002, 0x8000000000000000UL));
    show("ARCH_SET_FS to the last user page",
         syscall(SYS_arch_prctl, 0x1002, 0x00007ffffffff000UL));
    show("ARCH_SET_GS to a kernel address",
         syscall(SYS_arch_prctl, 0x1001, 0xffffffff80000000UL));
    return 0;
}
