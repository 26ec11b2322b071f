// poll, ppoll, select and pselect6 on pipes, files and devices: the
// readiness bits of each end, hang-up and error states, timeouts, wakeup
// by another thread, interruption by a signal, the temporary signal mask
// of ppoll and pselect6, and Linux's errors.
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/select.h>
#include <sys/stat.h>

#define DIR "./t-poll-select"

static int failures;
static volatile sig_atomic_t handled;
static pthread_t main_thread;

static void check(int ok, const char *what)
{
    printf("%s: %s\n", what, ok ? "ok" : "FAIL");
    if (!ok)
        failures++;
}

static long now_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static short poll_one(int fd, short events, int timeout)
{
    struct pollfd p = {.fd = fd, .events = events};
    int n = poll(&p, 1, timeout);

    return n < 0 ? -1 : p.revents;
}

static void pipe_readiness(void)
{
    int p[2];

    pipe(p);
    check(poll_one(p[0], POLLIN, 0) == 0, "an empty pipe is not readable");
    check(poll_one(p[1], POLLOUT, 0) == POLLOUT, "its write end is writable");
    write(p[1], "x", 1);
    check(poll_one(p[0], POLLIN | POLLOUT, 0) == POLLIN,
          "after a write it is readable (and the read end never writable)");
    close(p[1]);
    check(poll_one(p[0], POLLIN, 0) == (POLLIN | POLLHUP),
          "closing the writer adds POLLHUP");
    check(poll_one(p[0], 0, 0) == POLLHUP, "POLLHUP comes unasked");
    close(p[0]);

    pipe(p);
    close(p[0]);
    check(poll_one(p[1], POLLOUT, 0) == (POLLOUT | POLLERR),
          "closing the reader gives POLLERR on the writer");
    close(p[1]);

    pipe(p);
    fcntl(p[1], F_SETFL, O_NONBLOCK);
    while (write(p[1], "0123456789abcdef", 16) == 16)
        ;
    check(poll_one(p[1], POLLOUT, 0) == 0, "a full pipe is not writable");
    close(p[0]);
    close(p[1]);
}

static void files_and_devices(void)
{
    int f = open(DIR "/file", O_RDWR | O_CREAT, 0644);
    int null = open("/dev/null", O_RDWR);
    struct pollfd fds[4] = {
        {.fd = f, .events = POLLIN | POLLOUT},
        {.fd = null, .events = POLLIN | POLLOUT},
        {.fd = -1, .events = POLLIN},
        {.fd = 999, .events = POLLIN},
    };

    check(poll(fds, 4, 1000) == 3, "poll counts the fds with events");
    check(fds[0].revents == (POLLIN | POLLOUT),
          "a file is always readable and writable");
    check(fds[1].revents == (POLLIN | POLLOUT), "so is /dev/null");
    check(fds[2].revents == 0, "a negative fd is skipped");
    check(fds[3].revents == POLLNVAL, "a closed fd gives POLLNVAL");
    close(f);
    close(null);
    unlink(DIR "/file");
}

static void timeouts(void)
{
    int p[2];
    long t0;
    struct timespec ts = {0, 30 * 1000000};
    struct timeval tv = {0, 30000};
    fd_set in;

    pipe(p);
    t0 = now_ms();
    check(poll_one(p[0], POLLIN, 30) == 0, "poll times out");
    check(now_ms() - t0 >= 25, "after its timeout");
    struct pollfd pfd = {.fd = p[0], .events = POLLIN};
    t0 = now_ms();
    check(ppoll(&pfd, 1, &ts, NULL) == 0, "ppoll times out");
    check(now_ms() - t0 >= 25, "after its timeout");
    FD_ZERO(&in);
    FD_SET(p[0], &in);
    t0 = now_ms();
    check(select(p[0] + 1, &in, NULL, NULL, &tv) == 0, "select times out");
    check(now_ms() - t0 >= 25 && !FD_ISSET(p[0], &in),
          "after its timeout, with the set cleared");
    t0 = now_ms();
    check(poll(NULL, 0, 30) == 0 && now_ms() - t0 >= 25,
          "poll of no fds sleeps");
    close(p[0]);
    close(p[1]);
}

static void select_sets(void)
{
    int a[2], b[2];
    fd_set in, out, ex;
    struct timeval tv = {0, 0};

    pipe(a);
    pipe(b);
    write(b[1], "y", 1);
    FD_ZERO(&in);
    FD_ZERO(&out);
    FD_ZERO(&ex);
    FD_SET(a[0], &in);
    FD_SET(b[0], &in);
    FD_SET(a[1], &out);
    FD_SET(b[0], &ex);
    check(select(b[1] + 1, &in, &out, &ex, &tv) == 2, "select counts bits");
    check(!FD_ISSET(a[0], &in) && FD_ISSET(b[0], &in), "readable set");
    check(FD_ISSET(a[1], &out), "writable set");
    check(!FD_ISSET(b[0], &ex), "no exceptions on a pipe");
    close(a[0]);
    FD_ZERO(&in);
    FD_SET(a[0], &in);
    check(select(a[0] + 1, &in, NULL, NULL, &tv) == -1 && errno == EBADF,
          "select of a closed fd gives EBADF");
    check(select(-1, NULL, NULL, NULL, &tv) == -1 && errno == EINVAL,
          "select of a negative count gives EINVAL");
    tv.tv_usec = -1;
    check(select(0, NULL, NULL, NULL, &tv) == -1 && errno == EINVAL,
          "select with a negative timeout gives EINVAL");
    close(a[1]);
    close(b[0]);
    close(b[1]);
}

static void *write_later(void *arg)
{
    usleep(50000);
    write(*(int *)arg, "w", 1);
    return NULL;
}

static void *signal_later(void *arg)
{
    usleep(50000);
    pthread_kill(main_thread, SIGUSR1);
    return NULL;
}

static void on_usr1(int sig)
{
    handled++;
}

static void wakeups(void)
{
    int p[2];
    pthread_t t;
    sigset_t usr1, old, now;
    struct sigaction sa = {.sa_handler = on_usr1};

    pipe(p);
    pthread_create(&t, NULL, write_later, &p[1]);
    check(poll_one(p[0], POLLIN, -1) == POLLIN,
          "poll wakes when another thread writes");
    pthread_join(t, NULL);

    sigaction(SIGUSR1, &sa, NULL);
    main_thread = pthread_self();
    handled = 0;
    pthread_create(&t, NULL, signal_later, NULL);
    errno = 0;
    check(poll_one(p[0], POLLOUT | POLLRDNORM, 5000) == POLLRDNORM,
          "data still there: poll does not block");
    char c;
    read(p[0], &c, 1);
    check(poll_one(p[0], POLLIN, 5000) == -1 && errno == EINTR,
          "a signal interrupts poll with EINTR");
    check(handled == 1, "and its handler ran");
    pthread_join(t, NULL);

    sigemptyset(&usr1);
    sigaddset(&usr1, SIGUSR1);
    sigprocmask(SIG_BLOCK, &usr1, &old);
    handled = 0;
    pthread_create(&t, NULL, signal_later, NULL);
    fd_set in;
    FD_ZERO(&in);
    FD_SET(p[0], &in);
    struct timespec ts = {5, 0};
    check(pselect(p[0] + 1, &in, NULL, NULL, &ts, &old) == -1 && errno == EINTR,
          "pselect with a mask that unblocks the signal: EINTR");
    check(handled == 1, "the handler ran during pselect");
    sigprocmask(SIG_BLOCK, NULL, &now);
    check(sigismember(&now, SIGUSR1), "the old mask is back afterwards");
    pthread_join(t, NULL);
    sigprocmask(SIG_SETMASK, &old, NULL);
    close(p[0]);
    close(p[1]);
}

int main(void)
{
    if (mkdir(DIR, 0755) != 0) {
        perror("mkdir " DIR);
        return 1;
    }
    pipe_readiness();
    files_and_devices();
    timeouts();
    select_sets();
    wakeups();
    check(rmdir(DIR) == 0, "cleanup");
    return failures ? 1 : 0;
}
