// /proc: the files that programs and libraries read. Their values differ
// between machines, so the program prints only what must hold on every
// one. maps has [stack] and [heap], stat and status describe this
// process, and comm follows thread names both ways. fd and cwd name what
// is open, and the system files have their fields.
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/utsname.h>

#define DIR "./t-procfs-self"

static int failures;

static void check(int ok, const char *what)
{
    printf("%s: %s\n", what, ok ? "ok" : "FAIL");
    if (!ok)
        failures++;
}

/* Reads a whole small file into buf; returns its length or -1. */
static int slurp(const char *path, char *buf, size_t size)
{
    int fd = open(path, O_RDONLY);
    size_t len = 0;
    ssize_t n;

    if (fd < 0)
        return -1;
    while (len < size - 1 && (n = read(fd, buf + len, size - 1 - len)) > 0)
        len += n;
    buf[len] = '\0';
    close(fd);
    return len;
}

static void maps(void)
{
    static char buf[1 << 16];

    /* musl's sbrk only reads the break, so move it with the syscall. */
    long brk = syscall(SYS_brk, 0);

    syscall(SYS_brk, brk + 8192);
    check(slurp("/proc/self/maps", buf, sizeof(buf)) > 0, "read maps");
    check(strstr(buf, "[stack]\n") != NULL, "maps has [stack]");
    check(strstr(buf, "[heap]\n") != NULL, "maps has [heap] after brk");
    check(strstr(buf, " rw-p ") != NULL, "maps has a private rw mapping");
}

static void stat_and_status(void)
{
    char buf[4096], want[64];
    int pid = getpid();

    check(slurp("/proc/self/stat", buf, sizeof(buf)) > 0, "read stat");
    snprintf(want, sizeof(want), "%d (", pid);
    check(strncmp(buf, want, strlen(want)) == 0, "stat starts with pid (");
    check(strstr(buf, ") R ") != NULL, "stat says running");
    check(slurp("/proc/self/status", buf, sizeof(buf)) > 0, "read status");
    snprintf(want, sizeof(want), "\nPid:\t%d\n", pid);
    check(strstr(buf, want) != NULL, "status has Pid");
    check(strstr(buf, "\nThreads:\t1\n") != NULL, "status has Threads 1");
    check(strstr(buf, "\nVmRSS:") != NULL, "status has VmRSS");
    check(strncmp(buf, "Name:\t", 6) == 0, "status starts with Name");
}

static void *named_thread(void *arg)
{
    while (!*(volatile int *)arg)
        usleep(1000);
    return NULL;
}

static void comm(void)
{
    char buf[64], path[64];
    pthread_t t;
    int stop = 0;

    prctl(PR_SET_NAME, "renamed");
    check(slurp("/proc/self/comm", buf, sizeof(buf)) > 0 &&
              strcmp(buf, "renamed\n") == 0,
          "comm shows PR_SET_NAME");
    snprintf(path, sizeof(path), "/proc/self/task/%ld/comm",
             (long)syscall(SYS_gettid));
    check(slurp(path, buf, sizeof(buf)) > 0 && strcmp(buf, "renamed\n") == 0,
          "task/<tid>/comm too");
    check(slurp("/proc/thread-self/comm", buf, sizeof(buf)) > 0 &&
              strcmp(buf, "renamed\n") == 0,
          "and thread-self/comm");

    pthread_create(&t, NULL, named_thread, &stop);
    check(pthread_setname_np(t, "worker-one") == 0,
          "pthread_setname_np of another thread");
    check(pthread_getname_np(t, buf, sizeof(buf)) == 0 &&
              strcmp(buf, "worker-one") == 0,
          "pthread_getname_np reads it back");
    check(pthread_setname_np(t, "a-name-too-long-for-comm") == ERANGE,
          "a name over 15 bytes gives ERANGE");
    stop = 1;
    pthread_join(t, NULL);
}

static void fds_and_cwd(void)
{
    char buf[4096], path[64], cwd[4096];
    int fd = open(DIR "/file", O_RDWR | O_CREAT, 0644);
    int again;

    write(fd, "contents", 8);
    snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
    ssize_t n = readlink(path, buf, sizeof(buf) - 1);
    buf[n > 0 ? n : 0] = '\0';
    getcwd(cwd, sizeof(cwd));
    char want[4200];
    snprintf(want, sizeof(want), "%s%st-procfs-self/file", cwd,
             strcmp(cwd, "/") ? "/" : "");
    check(n > 0 && strcmp(buf, want) == 0, "fd/N names the open file");
    again = open(path, O_RDONLY);
    check(again >= 0 && read(again, buf, 8) == 8 &&
              memcmp(buf, "contents", 8) == 0,
          "opening fd/N opens the same file");
    close(again);
    n = readlink("/proc/self/cwd", buf, sizeof(buf) - 1);
    buf[n > 0 ? n : 0] = '\0';
    check(n > 0 && strcmp(buf, cwd) == 0, "cwd names the working directory");
    check(access("/proc/self/fd/0", F_OK) == 0, "fd/0 exists");

    int o_path = open(DIR "/file", O_PATH);
    struct stat st;
    check(fchmod(o_path, 0600) == 0 && stat(DIR "/file", &st) == 0 &&
              (st.st_mode & 0777) == 0600,
          "fchmod of an O_PATH fd (through /proc/self/fd)");
    close(o_path);
    snprintf(buf, sizeof(buf), "%d", getpid());
    n = readlink("/proc/self", path, sizeof(path) - 1);
    path[n > 0 ? n : 0] = '\0';
    check(strcmp(buf, path) == 0, "/proc/self links to the pid");
    check(lstat("/proc/self/exe", &st) == 0 && S_ISLNK(st.st_mode),
          "/proc/self/exe is a symlink");
    close(fd);
    unlink(DIR "/file");
}

static void system_files(void)
{
    char buf[8192];
    struct utsname u;
    double a, b, c;

    uname(&u);
    check(slurp("/proc/meminfo", buf, sizeof(buf)) > 0 &&
              strncmp(buf, "MemTotal:", 9) == 0 && strstr(buf, "MemFree:") &&
              strstr(buf, "MemAvailable:") && strstr(buf, "SwapTotal:"),
          "meminfo has MemTotal, MemFree, MemAvailable, SwapTotal");
    check(slurp("/proc/cpuinfo", buf, sizeof(buf)) > 0 &&
              strncmp(buf, "processor\t: 0\n", 14) == 0 &&
              strstr(buf, "\nmodel name\t: ") && strstr(buf, "\nflags\t\t:"),
          "cpuinfo has processor 0, model name and flags");
    check(slurp("/proc/loadavg", buf, sizeof(buf)) > 0 &&
              sscanf(buf, "%lf %lf %lf", &a, &b, &c) == 3,
          "loadavg has three averages");
    check(slurp("/proc/uptime", buf, sizeof(buf)) > 0 &&
              sscanf(buf, "%lf %lf", &a, &b) == 2 && a > 0,
          "uptime has two numbers");
    check(slurp("/proc/stat", buf, sizeof(buf)) > 0 &&
              strncmp(buf, "cpu ", 4) == 0,
          "stat starts with the cpu line");
    check(slurp("/proc/sys/kernel/osrelease", buf, sizeof(buf)) > 0 &&
              strncmp(buf, u.release, strlen(u.release)) == 0,
          "osrelease is uname's release");
    check(slurp("/proc/sys/kernel/hostname", buf, sizeof(buf)) > 0 &&
              strncmp(buf, u.nodename, strlen(u.nodename)) == 0,
          "hostname is uname's nodename");
    check(slurp("/proc/sys/vm/overcommit_memory", buf, sizeof(buf)) > 0 &&
              buf[0] >= '0' && buf[0] <= '2',
          "overcommit_memory is a mode");
    check(slurp("/proc/sys/kernel/pid_max", buf, sizeof(buf)) > 0 &&
              atoi(buf) > 0,
          "pid_max is a number");
    check(slurp("/proc/self/mounts", buf, sizeof(buf)) > 0 &&
              strstr(buf, " /proc proc "),
          "mounts lists /proc");
    int fd = open("/proc/meminfo", O_WRONLY);
    check(fd >= 0 && write(fd, "x", 1) == -1 && errno == EIO,
          "writing a read-only proc file gives EIO");
    close(fd);
    check(open("/proc/self/nothing", O_RDONLY) == -1 && errno == ENOENT,
          "a missing proc file gives ENOENT");
}

int main(void)
{
    if (mkdir(DIR, 0755) != 0) {
        perror("mkdir " DIR);
        return 1;
    }
    maps();
    stat_and_status();
    comm();
    fds_and_cwd();
    system_files();
    check(rmdir(DIR) == 0, "cleanup");
    return failures ? 1 : 0;
}
