// /dev: the memory devices read and write as on Linux (null, zero, full
// with ENOSPC, random and urandom), their nodes have Linux's numbers, the
// standard links point into /proc/self/fd, and /dev/shm takes files.
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

static int failures;

static void check(int ok, const char *what)
{
    printf("%s: %s\n", what, ok ? "ok" : "FAIL");
    if (!ok)
        failures++;
}

static void node(const char *path, unsigned major_nr, unsigned minor_nr)
{
    struct stat st;
    char what[64];

    snprintf(what, sizeof(what), "%s is char device %u:%u", path, major_nr,
             minor_nr);
    check(stat(path, &st) == 0 && S_ISCHR(st.st_mode) &&
              major(st.st_rdev) == major_nr && minor(st.st_rdev) == minor_nr &&
              (st.st_mode & 0777) == 0666,
          what);
}

static void link_to(const char *path, const char *target)
{
    char buf[64], what[96];
    ssize_t n = readlink(path, buf, sizeof(buf) - 1);

    buf[n > 0 ? n : 0] = '\0';
    snprintf(what, sizeof(what), "%s -> %s", path, target);
    check(n > 0 && strcmp(buf, target) == 0, what);
}

static void memory_devices(void)
{
    char buf[4096];
    int null = open("/dev/null", O_RDWR);
    int zero = open("/dev/zero", O_RDWR);
    int full = open("/dev/full", O_RDWR);
    int ok = 1;

    check(read(null, buf, sizeof(buf)) == 0, "/dev/null reads end of file");
    check(write(null, buf, sizeof(buf)) == sizeof(buf),
          "/dev/null takes every write");
    check(lseek(null, 100, SEEK_SET) == 0, "/dev/null seeks to 0");
    memset(buf, 'x', sizeof(buf));
    check(read(zero, buf, sizeof(buf)) == sizeof(buf), "/dev/zero reads");
    for (size_t i = 0; i < sizeof(buf); i++)
        ok &= buf[i] == 0;
    check(ok, "zeros");
    check(write(zero, buf, 10) == 10, "/dev/zero takes writes");
    check(write(full, buf, 1) == -1 && errno == ENOSPC,
          "/dev/full gives ENOSPC on write");
    check(write(full, buf, 0) == -1 && errno == ENOSPC,
          "even for an empty write");
    check(read(full, buf, 16) == 16 && buf[15] == 0, "/dev/full reads zeros");
    check(pread(null, buf, 1, 5) == 0, "pread of /dev/null");
    check(fsync(null) == -1 && errno == EINVAL, "fsync of a device: EINVAL");
    close(null);
    close(zero);
    close(full);
}

static void random_devices(void)
{
    unsigned char a[64], b[64];
    int r = open("/dev/urandom", O_RDONLY);
    int same = 1, zeros = 0;

    check(read(r, a, sizeof(a)) == sizeof(a), "/dev/urandom reads");
    check(read(r, b, sizeof(b)) == sizeof(b), "twice");
    for (size_t i = 0; i < sizeof(a); i++) {
        same &= a[i] == b[i];
        zeros += a[i] == 0;
    }
    check(!same && zeros < 16, "different random bytes each time");
    close(r);
    r = open("/dev/random", O_RDWR);
    check(read(r, a, 16) == 16, "/dev/random reads without blocking");
    check(write(r, a, 16) == 16, "writes to /dev/random are taken");
    close(r);
}

static void shm(void)
{
    struct stat st;
    int fd;

    check(stat("/dev/shm", &st) == 0 && S_ISDIR(st.st_mode) &&
              (st.st_mode & 07777) == 01777,
          "/dev/shm is a sticky directory for everyone");
    fd = open("/dev/shm/t-devfs-nodes", O_RDWR | O_CREAT | O_EXCL, 0600);
    check(fd >= 0 && write(fd, "shm", 3) == 3, "a file in /dev/shm");
    close(fd);
    check(unlink("/dev/shm/t-devfs-nodes") == 0, "removed again");
}

int main(void)
{
    node("/dev/null", 1, 3);
    node("/dev/zero", 1, 5);
    node("/dev/full", 1, 7);
    node("/dev/random", 1, 8);
    node("/dev/urandom", 1, 9);
    link_to("/dev/stdin", "/proc/self/fd/0");
    link_to("/dev/stdout", "/proc/self/fd/1");
    link_to("/dev/stderr", "/proc/self/fd/2");
    link_to("/dev/fd", "/proc/self/fd");
    memory_devices();
    random_devices();
    shm();
    return failures ? 1 : 0;
}
