// fds: dup, dup2, dup3 and F_DUPFD take the lowest free fd and share the
// open file (offset and flags), close-on-exec flags, F_GETFL and F_SETFL,
// record locks of one process, pipe sizes, the generic ioctls and
// close_range, with Linux's errors.
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>

#define DIR  "./t-fcntl-dup"
#define FILE DIR "/f"

static int failures;

static void check(int ok, const char *what)
{
    printf("%s: %s\n", what, ok ? "ok" : "FAIL");
    if (!ok)
        failures++;
}

// Checks that a call failed with errno want.
static void check_errno(long ret, int want, const char *what)
{
    int ok = ret == -1 && errno == want;

    printf("%s: %s\n", what, ok ? "ok" : "FAIL");
    if (!ok) {
        printf("  got %ld, errno %s\n", ret, strerror(errno));
        failures++;
    }
}

static void dup_takes_lowest_fd(void)
{
    int fd = open(FILE, O_RDWR | O_CREAT | O_TRUNC, 0644);
    int a, b;
    char buf[4];

    printf("first fd: %d\n", fd);
    a = dup(fd);
    printf("dup: %d\n", a);
    close(a);
    b = fcntl(fd, F_DUPFD, 10);
    printf("F_DUPFD from 10: %d\n", b);
    printf("dup again: %d\n", dup(fd));
    check(write(fd, "abcd", 4) == 4, "write through the first fd");
    check(lseek(b, 0, SEEK_CUR) == 4, "a dup shares the offset");
    lseek(b, 1, SEEK_SET);
    check(read(fd, buf, 2) == 2 && memcmp(buf, "bc", 2) == 0,
          "a seek through the dup moves both");
    int other = open(FILE, O_RDONLY);
    check(lseek(other, 0, SEEK_CUR) == 0, "another open has its own offset");
    close(other);
    close(b);
    close(4);
    close(fd);
}

static void dup2_and_dup3(void)
{
    int fd = open(FILE, O_RDONLY);
    int p[2];

    pipe(p);
    check(dup2(fd, p[0]) == p[0], "dup2 onto an open fd replaces it");
    check(lseek(p[0], 0, SEEK_CUR) == 0, "which is now the file");
    check(dup2(fd, fd) == fd, "dup2 onto itself returns the fd");
    check_errno(dup2(99, 20), EBADF, "dup2 of a closed fd");
    check_errno(dup2(fd, -1), EBADF, "dup2 onto a negative fd");
    check_errno(dup3(fd, fd, 0), EINVAL, "dup3 onto itself");
    check_errno(syscall(SYS_dup3, fd, 20, 1), EINVAL, "dup3 with a bad flag");
    check(dup3(fd, 20, O_CLOEXEC) == 20, "dup3 with O_CLOEXEC");
    check(fcntl(20, F_GETFD) == FD_CLOEXEC, "sets close-on-exec");
    check(fcntl(fd, F_GETFD) == 0, "on the new fd only");
    check(fcntl(20, F_SETFD, 0) == 0 && fcntl(20, F_GETFD) == 0,
          "F_SETFD clears it");
    int c = fcntl(fd, F_DUPFD_CLOEXEC, 0);
    printf("F_DUPFD_CLOEXEC from 0: %d\n", c);
    check(fcntl(c, F_GETFD) == FD_CLOEXEC, "F_DUPFD_CLOEXEC sets the flag");
    check_errno(fcntl(fd, F_DUPFD, -1), EINVAL, "F_DUPFD below 0");
    close(c);
    close(20);
    close(p[0]);
    close(p[1]);
    close(fd);
}

static void status_flags(void)
{
    int fd = open(FILE, O_RDWR | O_APPEND | O_CLOEXEC);
    int mask = O_ACCMODE | O_APPEND | O_NONBLOCK | O_DIRECTORY | O_PATH;
    int p[2];
    char c;

    printf("F_GETFL O_RDWR|O_APPEND: %#o\n", fcntl(fd, F_GETFL) & mask);
    check(fcntl(fd, F_SETFL, O_NONBLOCK | O_RDONLY | O_CREAT) == 0, "F_SETFL");
    printf("after F_SETFL O_NONBLOCK: %#o\n", fcntl(fd, F_GETFL) & mask);
    close(fd);
    fd = open(DIR, O_RDONLY | O_DIRECTORY);
    printf("directory: %#o\n", fcntl(fd, F_GETFL) & mask);
    close(fd);
    fd = open(FILE, O_PATH);
    printf("O_PATH: %#o\n", fcntl(fd, F_GETFL) & mask);
    check_errno(fcntl(fd, F_SETFL, 0), EBADF, "F_SETFL on an O_PATH fd");
    check_errno(read(fd, &c, 1), EBADF, "read of an O_PATH fd");
    close(fd);

    pipe(p);
    printf("pipe ends: %#o %#o\n", fcntl(p[0], F_GETFL) & mask,
           fcntl(p[1], F_GETFL) & mask);
    fcntl(p[0], F_SETFL, O_NONBLOCK);
    check_errno(read(p[0], &c, 1), EAGAIN, "a non-blocking empty pipe");
    close(p[0]);
    close(p[1]);
    check_errno(fcntl(99, F_GETFL), EBADF, "F_GETFL of a closed fd");
    check_errno(fcntl(0, 12345), EINVAL, "an unknown command");
}

static void record_locks(void)
{
    int fd = open(FILE, O_RDWR);
    int ro = open(FILE, O_RDONLY);
    struct flock l = {.l_type = F_WRLCK, .l_whence = SEEK_SET, .l_len = 10};

    check(fcntl(fd, F_SETLK, &l) == 0, "F_SETLK write lock");
    check(fcntl(fd, F_SETLKW, &l) == 0, "F_SETLKW again, as the owner");
    l.l_type = F_RDLCK;
    l.l_start = 5;
    check(fcntl(ro, F_SETLK, &l) == 0, "a read lock over it");
    l.l_type = F_WRLCK;
    l.l_start = 0;
    l.l_len = 0;
    check(fcntl(fd, F_GETLK, &l) == 0 && l.l_type == F_UNLCK,
          "F_GETLK: the process's own locks never conflict");
    check(l.l_start == 0 && l.l_len == 0 && l.l_whence == SEEK_SET,
          "F_GETLK leaves the rest");
    l.l_type = F_WRLCK;
    check_errno(fcntl(ro, F_SETLK, &l), EBADF, "a write lock needs writing");
    l.l_type = F_UNLCK;
    check_errno(fcntl(fd, F_GETLK, &l), EINVAL, "F_GETLK of F_UNLCK");
    l.l_whence = 7;
    l.l_type = F_RDLCK;
    check_errno(fcntl(fd, F_SETLK, &l), EINVAL, "a bad l_whence");
    l.l_whence = SEEK_SET;
    l.l_start = -5;
    check_errno(fcntl(fd, F_SETLK, &l), EINVAL, "a negative start");
    l.l_start = 5;
    l.l_len = -5;
    check(fcntl(fd, F_SETLK, &l) == 0, "a negative length locks before");
    l.l_type = F_UNLCK;
    l.l_start = 0;
    l.l_len = 0;
    check(fcntl(fd, F_SETLK, &l) == 0, "unlock all");
    l.l_type = 9;
    check_errno(fcntl(fd, F_SETLK, &l), EINVAL, "a bad lock type");
    close(ro);
    close(fd);
}

static void pipe_sizes(void)
{
    int p[2];

    pipe(p);
    printf("F_GETPIPE_SZ: %d\n", fcntl(p[0], F_GETPIPE_SZ));
    printf("F_SETPIPE_SZ 0: %d\n", fcntl(p[0], F_SETPIPE_SZ, 0));
    printf("F_SETPIPE_SZ 5000: %d\n", fcntl(p[1], F_SETPIPE_SZ, 5000));
    printf("F_GETPIPE_SZ: %d\n", fcntl(p[0], F_GETPIPE_SZ));
    static char page[4096];
    check(write(p[1], page, sizeof(page)) == sizeof(page) &&
              write(p[1], "x", 1) == 1,
          "a page and a byte take both slots");
    check_errno(fcntl(p[0], F_SETPIPE_SZ, 4096), EBUSY,
                "shrinking below the data in use");
    int fd = open(FILE, O_RDONLY);
    check_errno(fcntl(fd, F_GETPIPE_SZ), EBADF, "F_GETPIPE_SZ of a file");
    close(fd);
    close(p[0]);
    close(p[1]);
}

static void generic_ioctls(void)
{
    int fd = open(FILE, O_RDWR | O_TRUNC);
    int p[2], n = -1, on = 1;
    char c;

    write(fd, "hello", 5);
    lseek(fd, 1, SEEK_SET);
    check(ioctl(fd, FIONREAD, &n) == 0 && n == 4,
          "FIONREAD on a file: bytes after the offset");
    pipe(p);
    write(p[1], "xyz", 3);
    check(ioctl(p[0], FIONREAD, &n) == 0 && n == 3, "FIONREAD on a pipe");
    check(ioctl(p[0], FIONBIO, &on) == 0 && (fcntl(p[0], F_GETFL) & O_NONBLOCK),
          "FIONBIO sets O_NONBLOCK");
    read(p[0], &c, 3);
    check_errno(read(p[0], &c, 1), EAGAIN, "so reads no longer block");
    check(ioctl(fd, FIOCLEX) == 0 && fcntl(fd, F_GETFD) == FD_CLOEXEC,
          "FIOCLEX");
    check(ioctl(fd, FIONCLEX) == 0 && fcntl(fd, F_GETFD) == 0, "FIONCLEX");
    check_errno(ioctl(fd, TCGETS, &n), ENOTTY, "TCGETS on a file");
    check_errno(ioctl(p[0], TIOCGWINSZ, &n), ENOTTY, "TIOCGWINSZ on a pipe");
    check_errno(ioctl(99, FIONREAD, &n), EBADF, "ioctl of a closed fd");
    close(p[0]);
    close(p[1]);
    close(fd);
}

static void close_range_closes(void)
{
    int base = open(FILE, O_RDONLY);

    for (int i = 0; i < 4; i++)
        dup(base);
    check(syscall(SYS_close_range, base + 1, base + 2, 4) == 0,
          "close_range with CLOSE_RANGE_CLOEXEC");
    check(fcntl(base + 1, F_GETFD) == FD_CLOEXEC, "marks the range");
    check(syscall(SYS_close_range, base, ~0u, 0) == 0, "close_range to ~0");
    check_errno(fcntl(base + 4, F_GETFD), EBADF, "closes the range");
    check_errno(syscall(SYS_close_range, 5, 4, 0), EINVAL,
                "close_range backwards");
    check_errno(close(base), EBADF, "close of a closed fd");
}

int main(void)
{
    if (mkdir(DIR, 0755) != 0) {
        perror("mkdir " DIR);
        return 1;
    }
    dup_takes_lowest_fd();
    dup2_and_dup3();
    status_flags();
    record_locks();
    pipe_sizes();
    generic_ioctls();
    close_range_closes();
    unlink(FILE);
    check(rmdir(DIR) == 0, "cleanup");
    return failures ? 1 : 0;
}
