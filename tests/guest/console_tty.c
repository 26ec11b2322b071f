// Terminals: isatty and the terminal ioctls fail with ENOTTY for files,
// pipes and /dev/null. For fds 0-2, isatty, tcgetattr and TIOCGWINSZ
// agree. These fds are the console in Pogo but vary on the host, so only
// the agreement is printed.
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <termios.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/stat.h>

#define DIR "./t-console-tty"

static int failures;

static void check(int ok, const char *what)
{
    printf("%s: %s\n", what, ok ? "ok" : "FAIL");
    if (!ok)
        failures++;
}

static void not_a_tty(int fd, const char *what)
{
    struct termios t;
    struct winsize ws;
    char line[96];

    snprintf(line, sizeof(line), "%s is not a tty", what);
    errno = 0;
    check(!isatty(fd) && errno == ENOTTY, line);
    snprintf(line, sizeof(line), "tcgetattr of %s gives ENOTTY", what);
    check(tcgetattr(fd, &t) == -1 && errno == ENOTTY, line);
    snprintf(line, sizeof(line), "TIOCGWINSZ of %s gives ENOTTY", what);
    check(ioctl(fd, TIOCGWINSZ, &ws) == -1 && errno == ENOTTY, line);
}

static void std_fd_agrees(int fd)
{
    struct termios t = {0};
    struct winsize ws;
    int tty = isatty(fd);
    char line[64];

    snprintf(line, sizeof(line), "fd %d: tcgetattr agrees with isatty", fd);
    check((tcgetattr(fd, &t) == 0) == tty, line);
    snprintf(line, sizeof(line), "fd %d: TIOCGWINSZ agrees with isatty", fd);
    check((ioctl(fd, TIOCGWINSZ, &ws) == 0) == tty, line);
    snprintf(line, sizeof(line), "fd %d: tcsetattr agrees with isatty", fd);
    check((tcsetattr(fd, TCSANOW, &t) == 0) == tty, line);
}

int main(void)
{
    int p[2], fd, null;

    if (mkdir(DIR, 0755) != 0) {
        perror("mkdir " DIR);
        return 1;
    }
    fd = open(DIR "/file", O_RDWR | O_CREAT, 0644);
    null = open("/dev/null", O_RDWR);
    pipe(p);
    not_a_tty(fd, "a file");
    not_a_tty(p[0], "a pipe");
    not_a_tty(null, "/dev/null");
    errno = 0;
    check(!isatty(99) && errno == EBADF, "isatty of a closed fd: EBADF");
    for (int i = 0; i < 3; i++)
        std_fd_agrees(i);
    close(fd);
    close(null);
    close(p[0]);
    close(p[1]);
    unlink(DIR "/file");
    check(rmdir(DIR) == 0, "cleanup");
    return failures ? 1 : 0;
}
