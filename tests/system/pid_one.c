// Prints what a process learns about itself as pid 1: its ids, and the
// errors of kill(2) aimed at processes that do not exist. A test compares
// this output with a native run as pid 1 of a new Linux pid namespace,
// where, as in Pogo, no other process is visible.
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static void print_kill(pid_t pid, int sig)
{
    int ret = kill(pid, sig);

    printf("kill(%d, %d): %s\n", pid, sig, ret == 0 ? "0" : strerror(errno));
}

static void print_ids(const char *when)
{
    printf("%s: pid %d, ppid %d, sid %d, pgrp %d\n", when, getpid(), getppid(),
           getsid(0), getpgrp());
}

static void print_kills(void)
{
    print_kill(-1, 0);
    print_kill(-1, SIGUSR1);
    print_kill(-2, 0);
    print_kill(INT_MIN, 0);
    print_kill(2, 0);
    print_kill(0, 0);
    print_kill(getpid(), 0);
}

int main(void)
{
    print_ids("at start");
    print_kills();
    printf("setsid: %d\n", setsid());
    print_ids("after setsid");
    print_kills();
    return 0;
}
