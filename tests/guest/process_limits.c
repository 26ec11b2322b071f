// Process-wide calls that servers make at startup: resource limits,
// sysinfo, getrusage, sessions and process groups, fork and wait, interval
// timers, signals sent to the process itself, uname, the /proc files they
// read, and user and group ids. Limits and sizes differ between machines,
// so the program sets the values it prints or prints only what must hold
// on every machine. It needs root, as the tests run in CI, and drops root
// at the end.
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/fsuid.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/sysinfo.h>
#include <sys/time.h>
#include <sys/utsname.h>
#include <sys/wait.h>

// Larger than any process id Linux hands out (PID_MAX_LIMIT is 2^22).
#define NO_SUCH_PID (1 << 30)
#define BAD_POINTER ((void *)16)

static int failures;

static const char *error_name(int e)
{
    switch (e) {
    case 0:
        return "0";
    case EINVAL:
        return "EINVAL";
    case EPERM:
        return "EPERM";
    case ESRCH:
        return "ESRCH";
    case EFAULT:
        return "EFAULT";
    case EBADF:
        return "EBADF";
    case EMFILE:
        return "EMFILE";
    case ECHILD:
        return "ECHILD";
    case ENOSYS:
        return "ENOSYS";
    default:
        return strerror(e);
    }
}

static void expect_errno(long ret, int want, const char *label)
{
    int got = ret == -1 ? errno : 0;

    if (got == want) {
        printf("%s: %s\n", label, error_name(got));
    } else {
        printf("FAIL: %s: got %s, expected %s\n", label, error_name(got),
               error_name(want));
        failures++;
    }
}

static void expect_value(long got, long want, const char *label)
{
    if (got == want) {
        printf("%s: %ld\n", label, got);
    } else {
        printf("FAIL: %s: got %ld, expected %ld\n", label, got, want);
        failures++;
    }
}

static void check(int ok, const char *label)
{
    printf("%s: %s\n", label, ok ? "yes" : "FAIL");
    if (!ok)
        failures++;
}

static double seconds_now(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* --- Resource limits ---------------------------------------------------- */

static void check_nofile_limit(void)
{
    struct rlimit lim = {64, 128};
    int fd, last = -1;

    expect_errno(setrlimit(RLIMIT_NOFILE, &lim), 0, "setrlimit NOFILE 64/128");
    memset(&lim, 0, sizeof(lim));
    expect_errno(getrlimit(RLIMIT_NOFILE, &lim), 0, "getrlimit NOFILE");
    expect_value(lim.rlim_cur, 64, "NOFILE soft limit");
    expect_value(lim.rlim_max, 128, "NOFILE hard limit");

    while ((fd = open("/dev/null", O_RDONLY)) >= 0)
        last = fd;
    expect_errno(fd, EMFILE, "open past the fd limit");
    expect_value(last, 63, "highest fd opened");
    for (fd = 3; fd <= last; fd++)
        close(fd);
    expect_errno(dup2(0, 64), EBADF, "dup2 onto an fd past the limit");
    expect_errno(fcntl(0, F_DUPFD, 64), EINVAL, "F_DUPFD past the limit");

    lim = (struct rlimit){128, 128};
    expect_errno(setrlimit(RLIMIT_NOFILE, &lim), 0,
                 "raise soft NOFILE to hard");
    fd = fcntl(0, F_DUPFD, 100);
    expect_value(fd, 100, "F_DUPFD 100 after raising the limit");
    close(fd);
    lim = (struct rlimit){64, RLIM_INFINITY};
    expect_errno(setrlimit(RLIMIT_NOFILE, &lim), EPERM,
                 "NOFILE hard limit above fs.nr_open");
}

static void check_limit_errors(void)
{
    struct rlimit lim = {100, 10}, old;

    expect_errno(setrlimit(RLIMIT_CORE, &lim), EINVAL, "soft limit above hard");
    expect_errno(syscall(SYS_getrlimit, 16, &old), EINVAL,
                 "getrlimit of resource 16");
    expect_errno(syscall(SYS_setrlimit, 16, &old), EINVAL,
                 "setrlimit of resource 16");
    expect_errno(syscall(SYS_getrlimit, RLIMIT_CORE, BAD_POINTER), EFAULT,
                 "getrlimit to a bad pointer");
    expect_errno(syscall(SYS_setrlimit, RLIMIT_CORE, BAD_POINTER), EFAULT,
                 "setrlimit from a bad pointer");
    expect_errno(prlimit(NO_SUCH_PID, RLIMIT_CORE, NULL, &old), ESRCH,
                 "prlimit of a missing process");
}

static void check_prlimit(void)
{
    struct rlimit zero = {0, 0}, old, now;

    expect_errno(prlimit(0, RLIMIT_CORE, NULL, &old), 0, "prlimit get CORE");
    expect_errno(prlimit(getpid(), RLIMIT_CORE, &zero, &now), 0,
                 "prlimit set CORE 0/0 by pid");
    expect_value(now.rlim_cur == old.rlim_cur && now.rlim_max == old.rlim_max,
                 1, "prlimit returns the old limit");
    getrlimit(RLIMIT_CORE, &now);
    expect_value(now.rlim_cur, 0, "CORE soft limit after prlimit");
    expect_value(now.rlim_max, 0, "CORE hard limit after prlimit");
    old = (struct rlimit){RLIM_INFINITY, RLIM_INFINITY};
    expect_errno(setrlimit(RLIMIT_FSIZE, &old), 0, "setrlimit FSIZE infinity");
    getrlimit(RLIMIT_FSIZE, &now);
    check(now.rlim_cur == RLIM_INFINITY, "FSIZE reads back as infinity");
}

/* --- sysinfo and getrusage ---------------------------------------------- */

static void check_sysinfo(void)
{
    struct sysinfo info;
    unsigned long long unit, total, pages;

    memset(&info, 0xff, sizeof(info));
    expect_errno(sysinfo(&info), 0, "sysinfo");
    unit = info.mem_unit;
    total = info.totalram * unit;
    pages = (unsigned long long)sysconf(_SC_PHYS_PAGES) * sysconf(_SC_PAGESIZE);
    check(unit >= 1, "sysinfo mem_unit is at least 1");
    check(total >= (1ull << 20), "sysinfo totalram is at least 1 MiB");
    check(info.freeram <= info.totalram, "sysinfo freeram fits in totalram");
    check(info.procs >= 1, "sysinfo counts at least one task");
    check(info.uptime >= 0, "sysinfo uptime is not negative");
    check(total == pages, "sysinfo totalram matches _SC_PHYS_PAGES");
    expect_errno(syscall(SYS_sysinfo, BAD_POINTER), EFAULT,
                 "sysinfo to a bad pointer");
}

static long usage_us(int who)
{
    struct rusage ru;

    getrusage(who, &ru);
    return (ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1000000L +
           ru.ru_utime.tv_usec + ru.ru_stime.tv_usec;
}

static void check_getrusage(void)
{
    struct rusage ru;
    long before = usage_us(RUSAGE_SELF);
    double deadline = seconds_now() + 30;
    volatile unsigned long spin = 0;

    memset(&ru, 0xff, sizeof(ru));
    expect_errno(getrusage(RUSAGE_SELF, &ru), 0, "getrusage SELF");
    check(ru.ru_maxrss > 0, "maxrss is positive");
    while (usage_us(RUSAGE_SELF) <= before && seconds_now() < deadline)
        for (int i = 0; i < 100000; i++)
            spin++;
    check(usage_us(RUSAGE_SELF) > before, "CPU time grows while spinning");
    check(usage_us(RUSAGE_THREAD) <= usage_us(RUSAGE_SELF),
          "the thread's CPU time fits in the process's");

    memset(&ru, 0xff, sizeof(ru));
    expect_errno(getrusage(RUSAGE_CHILDREN, &ru), 0, "getrusage CHILDREN");
    check(ru.ru_utime.tv_sec == 0 && ru.ru_utime.tv_usec == 0 &&
              ru.ru_stime.tv_sec == 0 && ru.ru_stime.tv_usec == 0 &&
              ru.ru_maxrss == 0,
          "no children, no children's usage");
    expect_errno(getrusage(5, &ru), EINVAL, "getrusage of who 5");
    expect_errno(syscall(SYS_getrusage, RUSAGE_SELF, BAD_POINTER), EFAULT,
                 "getrusage to a bad pointer");
}

/* --- Sessions, fork and wait -------------------------------------------- */

static void check_sessions(void)
{
    pid_t pid = getpid();

    check(getpgid(0) == getpgrp(), "getpgid(0) is getpgrp()");
    check(getsid(0) == getsid(pid), "getsid(0) is getsid(getpid())");
    check(getsid(0) != pid, "not a session leader at first");
    expect_errno(getpgid(NO_SUCH_PID), ESRCH, "getpgid of a missing process");
    expect_errno(getsid(NO_SUCH_PID), ESRCH, "getsid of a missing process");

    check(setsid() == pid, "setsid returns the pid");
    check(getsid(0) == pid, "session id after setsid");
    check(getpgid(0) == pid, "process group after setsid");
    check(getpgrp() == pid, "getpgrp after setsid");
    expect_errno(setsid(), EPERM, "setsid of a group leader");
    expect_errno(setpgid(0, 0), EPERM, "setpgid of a session leader");
    expect_errno(setpgid(0, -1), EINVAL, "setpgid to group -1");
    expect_errno(setpgid(NO_SUCH_PID, 0), ESRCH,
                 "setpgid of a missing process");
}

// Linux forks; Pogo, which runs one process, fails with ENOSYS. Either
// way no child is left behind. The caller's child has already exited.
static int forked_or_enosys(pid_t pid)
{
    int status;

    if (pid < 0)
        return errno == ENOSYS;
    return waitpid(pid, &status, 0) == pid && WIFEXITED(status) &&
           WEXITSTATUS(status) == 7;
}

static void check_fork_and_wait(void)
{
    siginfo_t info;
    pid_t pid;

    expect_errno(waitpid(-1, NULL, WNOHANG), ECHILD,
                 "waitpid without children");
    expect_errno(wait(NULL), ECHILD, "wait without children");
    expect_errno(syscall(SYS_wait4, -1, NULL, 0x10000, NULL), EINVAL,
                 "wait4 with an unknown option");
    expect_errno(waitid(P_ALL, 0, &info, WNOHANG), EINVAL,
                 "waitid without WEXITED");
    expect_errno(waitid(P_ALL, 0, &info, WEXITED | WNOHANG), ECHILD,
                 "waitid without children");
    expect_errno(waitid(P_PID, 0, &info, WEXITED), EINVAL, "waitid of pid 0");

    pid = fork();
    if (pid == 0)
        _exit(7);
    check(forked_or_enosys(pid), "fork runs a child or fails with ENOSYS");
    pid = vfork();
    if (pid == 0)
        _exit(7);
    check(forked_or_enosys(pid), "vfork runs a child or fails with ENOSYS");
    pid = syscall(SYS_clone, SIGCHLD, 0, 0, 0, 0);
    if (pid == 0)
        _exit(7);
    check(forked_or_enosys(pid),
          "clone without CLONE_VM runs a child or fails with ENOSYS");
    expect_errno(waitpid(-1, NULL, WNOHANG), ECHILD, "no child left behind");
}

/* --- Interval timers and signals ---------------------------------------- */

static volatile sig_atomic_t alarms, usr1s, terms;

static void on_alarm(int sig)
{
    alarms++;
}

static void on_usr1(int sig)
{
    usr1s++;
}

static void on_term(int sig)
{
    terms++;
}

static void check_timer_values(void)
{
    struct itimerval v = {{0, 0}, {10, 0}}, got;

    memset(&got, 0xff, sizeof(got));
    expect_errno(getitimer(ITIMER_REAL, &got), 0, "getitimer REAL stopped");
    check(got.it_value.tv_sec == 0 && got.it_value.tv_usec == 0,
          "a stopped timer reads 0");
    expect_errno(setitimer(ITIMER_REAL, &v, NULL), 0, "setitimer REAL 10 s");
    getitimer(ITIMER_REAL, &got);
    check(got.it_value.tv_sec * 1000000L + got.it_value.tv_usec > 0 &&
              got.it_value.tv_sec * 1000000L + got.it_value.tv_usec <=
                  10000000L,
          "time left is within 10 s");
    check(got.it_interval.tv_sec == 0 && got.it_interval.tv_usec == 0,
          "a one-shot timer has no interval");
    memset(&v, 0, sizeof(v));
    expect_errno(setitimer(ITIMER_REAL, &v, &got), 0, "setitimer REAL stop");
    check(got.it_value.tv_sec * 1000000L + got.it_value.tv_usec > 0,
          "stopping returns the time that was left");

    expect_value(alarm(5), 0, "alarm 5 when none was set");
    expect_value(alarm(0), 5, "alarm 0 returns the seconds left, rounded");
    expect_value(alarm(0), 0, "alarm 0 when none was set");

    v.it_value.tv_usec = 1000000;
    expect_errno(setitimer(ITIMER_REAL, &v, NULL), EINVAL,
                 "setitimer with 1000000 microseconds");
    v.it_value = (struct timeval){-1, 0};
    expect_errno(setitimer(ITIMER_REAL, &v, NULL), EINVAL,
                 "setitimer with negative seconds");
    v.it_value = (struct timeval){0, 0};
    expect_errno(setitimer(3, &v, NULL), EINVAL, "setitimer of timer 3");
    expect_errno(getitimer(3, &got), EINVAL, "getitimer of timer 3");
    expect_errno(syscall(SYS_getitimer, ITIMER_REAL, BAD_POINTER), EFAULT,
                 "getitimer to a bad pointer");
    expect_errno(getitimer(ITIMER_VIRTUAL, &got), 0, "getitimer VIRTUAL");
    check(got.it_value.tv_sec == 0 && got.it_value.tv_usec == 0,
          "VIRTUAL timer is stopped");
    expect_errno(setitimer(ITIMER_VIRTUAL, &v, NULL), 0,
                 "setitimer VIRTUAL stop");
}

static void check_timer_signals(void)
{
    struct itimerval once = {{0, 0}, {0, 20000}};
    struct itimerval periodic = {{0, 20000}, {0, 20000}}, got;
    struct timespec wait = {10, 0};
    sigset_t set;
    double deadline = seconds_now() + 30;
    int n = 0;

    signal(SIGALRM, on_alarm);
    expect_errno(setitimer(ITIMER_REAL, &once, NULL), 0,
                 "setitimer REAL 20 ms");
    while (!alarms && seconds_now() < deadline)
        usleep(1000);
    expect_value(alarms, 1, "SIGALRM handler calls");

    sigemptyset(&set);
    sigaddset(&set, SIGALRM);
    sigprocmask(SIG_BLOCK, &set, NULL);
    setitimer(ITIMER_REAL, &periodic, NULL);
    getitimer(ITIMER_REAL, &got);
    expect_value(got.it_interval.tv_usec, 20000, "periodic timer's interval");
    for (int i = 0; i < 3; i++)
        if (sigtimedwait(&set, NULL, &wait) == SIGALRM)
            n++;
    memset(&periodic, 0, sizeof(periodic));
    setitimer(ITIMER_REAL, &periodic, NULL);
    expect_value(n, 3, "SIGALRMs of a periodic timer taken by sigtimedwait");
    sigtimedwait(&set, NULL, &(struct timespec){0, 0});
    sigprocmask(SIG_UNBLOCK, &set, NULL);
    signal(SIGALRM, SIG_DFL);
}

static void check_self_signals(void)
{
    sigset_t set, pending;

    signal(SIGUSR1, on_usr1);
    expect_errno(kill(getpid(), SIGUSR1), 0, "kill self SIGUSR1");
    expect_value(usr1s, 1, "SIGUSR1 handled before kill returns");
    expect_errno(raise(SIGUSR1), 0, "raise SIGUSR1");
    expect_value(usr1s, 2, "SIGUSR1 handled before raise returns");

    sigemptyset(&set);
    sigaddset(&set, SIGUSR1);
    sigprocmask(SIG_BLOCK, &set, NULL);
    kill(getpid(), SIGUSR1);
    sigpending(&pending);
    check(sigismember(&pending, SIGUSR1), "a blocked SIGUSR1 is pending");
    expect_value(usr1s, 2, "a blocked SIGUSR1 waits");
    sigprocmask(SIG_UNBLOCK, &set, NULL);
    expect_value(usr1s, 3, "unblocking delivers SIGUSR1");

    signal(SIGUSR2, SIG_IGN);
    expect_errno(kill(getpid(), SIGUSR2), 0, "kill self an ignored SIGUSR2");
    signal(SIGTERM, on_term);
    expect_errno(kill(getpid(), SIGTERM), 0, "kill self SIGTERM");
    expect_value(terms, 1, "SIGTERM handled");
    // Only to this process's own group, which setsid made earlier.
    if (getpgrp() == getpid())
        kill(0, SIGTERM);
    expect_value(terms, 2, "SIGTERM to the process group is handled");
    signal(SIGUSR1, SIG_DFL);
    signal(SIGUSR2, SIG_DFL);
    signal(SIGTERM, SIG_DFL);
}

/* --- uname and /proc ---------------------------------------------------- */

/* Reads the first line of a small file into buf, without its newline. */
static int read_line(const char *path, char *buf, size_t size)
{
    FILE *f = fopen(path, "r");
    int ok;

    if (!f)
        return 0;
    ok = fgets(buf, size, f) != NULL;
    fclose(f);
    buf[strcspn(buf, "\n")] = '\0';
    return ok;
}

static void check_uname(void)
{
    struct utsname u;
    char host[256] = "", line[256] = "";

    expect_errno(uname(&u), 0, "uname");
    printf("sysname: %s\nmachine: %s\n", u.sysname, u.machine);
    expect_errno(gethostname(host, sizeof(host)), 0, "gethostname");
    check(strcmp(host, u.nodename) == 0, "gethostname is uname's nodename");
    check(read_line("/proc/sys/kernel/hostname", line, sizeof(line)) &&
              strcmp(line, u.nodename) == 0,
          "/proc/sys/kernel/hostname is the nodename");
    check(read_line("/proc/sys/kernel/osrelease", line, sizeof(line)) &&
              strcmp(line, u.release) == 0,
          "/proc/sys/kernel/osrelease is the release");
    check(read_line("/proc/sys/kernel/domainname", line, sizeof(line)) &&
              strcmp(line, u.domainname) == 0,
          "/proc/sys/kernel/domainname is the domain name");
    expect_errno(syscall(SYS_uname, BAD_POINTER), EFAULT,
                 "uname to a bad pointer");
}

static void check_proc_files(void)
{
    char line[256] = "";

    check(read_line("/proc/sys/net/core/somaxconn", line, sizeof(line)) &&
              atoi(line) > 0,
          "/proc/sys/net/core/somaxconn is a positive number");
    check(read_line("/proc/sys/vm/overcommit_memory", line, sizeof(line)) &&
              (strcmp(line, "0") == 0 || strcmp(line, "1") == 0 ||
               strcmp(line, "2") == 0),
          "/proc/sys/vm/overcommit_memory is 0, 1 or 2");
}

/* --- User and group ids ------------------------------------------------- */

static void expect_ids(int (*get)(uid_t *, uid_t *, uid_t *), long real,
                       long effective, long saved, const char *label)
{
    uid_t r = -1, e = -1, s = -1;

    get(&r, &e, &s);
    if (r == real && e == effective && s == saved) {
        printf("%s: %ld %ld %ld\n", label, real, effective, saved);
    } else {
        printf("FAIL: %s: got %ld %ld %ld, expected %ld %ld %ld\n", label,
               (long)r, (long)e, (long)s, real, effective, saved);
        failures++;
    }
}

static int get_gids(uid_t *r, uid_t *e, uid_t *s)
{
    return getresgid(r, e, s);
}

static void check_groups(void)
{
    gid_t set[3] = {30, 10, 20}, got[3] = {0, 0, 0};

    expect_errno(setgroups(3, set), 0, "setgroups 30 10 20");
    expect_value(getgroups(0, NULL), 3, "getgroups count");
    expect_value(getgroups(3, got), 3, "getgroups");
    printf("groups: %u %u %u\n", got[0], got[1], got[2]);
    expect_errno(getgroups(1, got), EINVAL, "getgroups into a short list");
    expect_errno(getgroups(-1, got), EINVAL, "getgroups of size -1");
    expect_errno(syscall(SYS_setgroups, 65537, set), EINVAL,
                 "setgroups of 65537 groups");
    expect_errno(syscall(SYS_setgroups, 2, BAD_POINTER), EFAULT,
                 "setgroups from a bad pointer");
    expect_errno(setgroups(0, NULL), 0, "setgroups to none");
    expect_value(getgroups(0, NULL), 0, "getgroups count after none");
}

static void check_ids(void)
{
    check(getuid() == 0 && geteuid() == 0, "running as root");
    expect_ids(getresuid, 0, 0, 0, "user ids at start");
    expect_errno(setuid(-1), EINVAL, "setuid(-1)");
    expect_value(setfsuid(1234), 0, "setfsuid returns the old id");
    expect_value(setfsuid(-1), 1234, "setfsuid(-1) reads the id");
    setfsuid(0);
    check_groups();

    expect_errno(setresgid(100, 100, 0), 0, "setresgid 100 100 0");
    expect_ids(get_gids, 100, 100, 0, "group ids");
    expect_value(getgid(), 100, "getgid");
    expect_value(getegid(), 100, "getegid");
    expect_errno(setresuid(1000, 1000, 0), 0, "setresuid 1000 1000 0");
    expect_ids(getresuid, 1000, 1000, 0, "user ids after dropping root");
    expect_value(getuid(), 1000, "getuid");
    expect_value(geteuid(), 1000, "geteuid");

    expect_errno(setuid(2000), EPERM, "setuid to a new id without root");
    expect_errno(setgroups(0, NULL), EPERM, "setgroups without root");
    expect_errno(setresgid(200, -1, -1), EPERM, "setresgid to a new id");
    expect_errno(setgid(0), 0, "setgid to the saved id");
    expect_ids(get_gids, 100, 0, 0, "group ids after setgid 0");
    expect_value(setfsuid(5), 1000, "setfsuid to a new id without root");
    expect_value(setfsuid(-1), 1000, "the fs id did not change");

    expect_errno(seteuid(0), 0, "seteuid back to the saved root");
    expect_ids(getresuid, 1000, 0, 0, "user ids with root effective");
    expect_errno(setreuid(-1, 1000), 0, "setreuid -1 1000");
    expect_ids(getresuid, 1000, 1000, 0, "saved id kept by setreuid");
    expect_errno(setuid(0), 0, "setuid to the saved id");
    expect_ids(getresuid, 1000, 0, 0, "setuid without root sets euid only");
    expect_errno(setuid(1000), 0, "setuid as root");
    expect_ids(getresuid, 1000, 1000, 1000, "setuid as root sets all three");
    expect_errno(setrlimit(RLIMIT_NOFILE, &(struct rlimit){128, 256}), EPERM,
                 "raising a hard limit without root");
    expect_errno(setrlimit(RLIMIT_NOFILE, &(struct rlimit){64, 100}), 0,
                 "lowering a hard limit without root");
    expect_errno(seteuid(0), EPERM, "seteuid 0 after root is gone");
    expect_errno(setreuid(0, -1), EPERM, "setreuid 0 after root is gone");
    expect_errno(syscall(SYS_getresuid, BAD_POINTER, BAD_POINTER, BAD_POINTER),
                 EFAULT, "getresuid to bad pointers");
}

int main(void)
{
    setvbuf(stdout, NULL, _IONBF, 0);
    check_nofile_limit();
    check_limit_errors();
    check_prlimit();
    check_sysinfo();
    check_getrusage();
    check_sessions();
    check_fork_and_wait();
    check_timer_values();
    check_timer_signals();
    check_self_signals();
    check_uname();
    check_proc_files();
    // Last, because it gives up root.
    check_ids();
    if (failures)
        printf("%d checks failed\n", failures);
    return failures != 0;
}
