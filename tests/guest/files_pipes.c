// Pipe rules as Linux has them: blocking and non-blocking reads and
// writes, EAGAIN, and partial and atomic writes around PIPE_BUF with two
// writer threads. A write without a reader gives EPIPE, with SIGPIPE
// ignored and with a handler that counts; a read without a writer gives
// end of file. FIONREAD and poll report the pipe's state.
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "check.h"

#define POGO_MIN(a, b) ((a) < (b) ? (a) : (b))

#define RECORDS   1000 // per writer thread
#define BIG_WRITE 200000
#define CAPACITY  65536 // Linux's default pipe size

// Makes a pipe, or stops the test: the checks after it would read and
// write whatever fds the array held.
static void make_pipe(int p[2], int flags)
{
    if (pipe2(p, flags) == 0)
        return;
    expect_errno(-1, 0, label("pipe2 with flags %#x", flags));
    exit(finish());
}

static void check_basics(void)
{
    char buf[16] = {0};
    struct stat st;
    int p[2], avail = -1;

    expect_errno(pipe(p), 0, "pipe");
    if (failures)
        exit(finish());
    expect_long(write(p[1], "hello", 5), 5, "write 5 bytes");
    expect_errno(ioctl(p[0], FIONREAD, &avail), 0, "FIONREAD");
    expect_long(avail, 5, "FIONREAD after writing 5 bytes");
    expect_long(read(p[0], buf, sizeof(buf)), 5, "read returns what is there");
    expect_str(buf, "hello", "the bytes read");
    ioctl(p[0], FIONREAD, &avail);
    expect_long(avail, 0, "FIONREAD after reading them");
    expect_long(write(p[1], buf, 0), 0, "write of 0 bytes");
    expect_long(read(p[0], buf, 0), 0, "read of 0 bytes from an empty pipe");

    fstat(p[0], &st);
    expect_true(S_ISFIFO(st.st_mode), "fstat: the read end is a FIFO");
    fstat(p[1], &st);
    expect_true(S_ISFIFO(st.st_mode), "fstat: the write end is a FIFO");
    expect_errno(lseek(p[0], 0, SEEK_SET), ESPIPE, "lseek of a pipe");
    expect_errno(pread(p[0], buf, 1, 0), ESPIPE, "pread of a pipe");
    expect_errno(pwrite(p[1], "x", 1, 0), ESPIPE, "pwrite of a pipe");
    expect_errno(write(p[0], "x", 1), EBADF, "write to the read end");
    expect_errno(read(p[1], buf, 1), EBADF, "read from the write end");
    close(p[0]);
    close(p[1]);

    make_pipe(p, O_CLOEXEC | O_NONBLOCK);
    expect_long(fcntl(p[0], F_GETFD), FD_CLOEXEC, "read end: FD_CLOEXEC");
    expect_long(fcntl(p[1], F_GETFD), FD_CLOEXEC, "write end: FD_CLOEXEC");
    expect_true((fcntl(p[0], F_GETFL) & (O_ACCMODE | O_NONBLOCK)) ==
                    (O_RDONLY | O_NONBLOCK),
                "read end: O_RDONLY|O_NONBLOCK");
    expect_true((fcntl(p[1], F_GETFL) & (O_ACCMODE | O_NONBLOCK)) ==
                    (O_WRONLY | O_NONBLOCK),
                "write end: O_WRONLY|O_NONBLOCK");
    close(p[0]);
    close(p[1]);
    expect_errno(pipe2(p, O_APPEND), EINVAL, "pipe2 with O_APPEND");
}

static void check_nonblocking(void)
{
    static char buf[8192];
    long total = 0, n;
    int p[2], avail = 0;

    make_pipe(p, O_NONBLOCK);
    expect_errno(read(p[0], buf, 1), EAGAIN, "read from an empty pipe");
    // Bounded, in case the pipe never fills.
    for (int i = 0; i < 1000 && (n = write(p[1], buf, 4096)) > 0; i++)
        total += n;
    expect_errno(n, EAGAIN, "write to a full pipe");
    expect_long(total, CAPACITY, "bytes a pipe takes in 4096-byte writes");
    expect_long(fcntl(p[1], F_GETPIPE_SZ), CAPACITY, "F_GETPIPE_SZ");
    ioctl(p[0], FIONREAD, &avail);
    expect_long(avail, CAPACITY, "FIONREAD of a full pipe");
    expect_errno(write(p[1], buf, 1), EAGAIN, "write of 1 byte to a full pipe");

    expect_long(read(p[0], buf, 4096), 4096, "read of 4096 bytes");
    expect_long(write(p[1], buf, 8192), 4096,
                "write of 8192 bytes (over PIPE_BUF) into 4096 free: partial");
    expect_errno(write(p[1], buf, 8192), EAGAIN,
                 "write of 8192 bytes into a full pipe");
    expect_long(read(p[0], buf, 4096), 4096, "read of 4096 bytes again");
    expect_long(write(p[1], buf, 100), 100, "write of 100 bytes");
    expect_errno(write(p[1], buf, 4000), EAGAIN,
                 "write of 4000 bytes (up to PIPE_BUF) into 3996 free");
    expect_long(write(p[1], buf, 3996), 3996, "write of 3996 bytes into 3996");
    ioctl(p[0], FIONREAD, &avail);
    expect_long(avail, CAPACITY, "the pipe is full again");
    close(p[0]);
    close(p[1]);
}

struct writer {
    int fd;
    int id;
    long delay_ms;
    size_t size;
};

static void *write_later(void *arg)
{
    struct writer *w = arg;
    struct timespec delay = {0, w->delay_ms * 1000000};

    nanosleep(&delay, NULL);
    if (write(w->fd, "late", 4) != 4)
        printf("FAIL: the writer thread's write: %s\n", strerror(errno));
    return NULL;
}

static unsigned char pattern(size_t i)
{
    return (unsigned char)(i * 31 + i / 4096);
}

static void *write_big(void *arg)
{
    struct writer *w = arg;
    unsigned char *buf = malloc(w->size);
    ssize_t n;

    for (size_t i = 0; i < w->size; i++)
        buf[i] = pattern(i);
    n = write(w->fd, buf, w->size);
    if (n != (ssize_t)w->size)
        printf("FAIL: the big write returned %zd\n", n);
    free(buf);
    return NULL;
}

// Writes RECORDS records of PIPE_BUF bytes: the id, a 32-bit sequence
// number, and the id again in every other byte.
static void *write_records(void *arg)
{
    struct writer *w = arg;
    unsigned char record[PIPE_BUF];

    for (uint32_t seq = 0; seq < RECORDS; seq++) {
        memset(record, w->id, sizeof(record));
        memcpy(record + 1, &seq, sizeof(seq));
        if (write(w->fd, record, sizeof(record)) != sizeof(record)) {
            printf("FAIL: writer %c: %s\n", w->id, strerror(errno));
            break;
        }
    }
    return NULL;
}

static void check_blocking(void)
{
    static unsigned char buf[BIG_WRITE];
    struct writer w = {0};
    pthread_t t;
    size_t got = 0;
    bool same = true;
    char small[8] = {0};
    int p[2];

    make_pipe(p, 0);
    w.fd = p[1];
    w.delay_ms = 50;
    pthread_create(&t, NULL, write_later, &w);
    expect_long(read(p[0], small, sizeof(small)), 4,
                "a blocking read waits for the writer");
    expect_str(small, "late", "the bytes the blocked read got");
    pthread_join(t, NULL);

    w.size = BIG_WRITE;
    pthread_create(&t, NULL, write_big, &w);
    while (got < BIG_WRITE) {
        ssize_t n = read(p[0], buf + got, BIG_WRITE - got);

        if (n <= 0)
            break;
        got += n;
    }
    pthread_join(t, NULL);
    for (size_t i = 0; i < got; i++)
        same = same && buf[i] == pattern(i);
    expect_long(got, BIG_WRITE,
                "a blocking write of 200000 bytes arrives whole");
    expect_true(same, "the 200000 bytes arrive in order");
    close(p[0]);
    close(p[1]);
}

static void check_atomic_writes(void)
{
    static unsigned char stream[2 * RECORDS * PIPE_BUF];
    struct writer a = {.id = 'A'}, b = {.id = 'B'};
    uint32_t next[2] = {0, 0};
    int torn = 0, out_of_order = 0;
    size_t got = 0;
    pthread_t ta, tb;
    int p[2];

    make_pipe(p, 0);
    a.fd = b.fd = p[1];
    pthread_create(&ta, NULL, write_records, &a);
    pthread_create(&tb, NULL, write_records, &b);
    while (got < sizeof(stream)) {
        ssize_t n =
            read(p[0], stream + got, POGO_MIN(1000, sizeof(stream) - got));

        if (n <= 0)
            break;
        got += n;
    }
    pthread_join(ta, NULL);
    pthread_join(tb, NULL);
    expect_long(got, sizeof(stream), "bytes from two writer threads");

    for (size_t off = 0; off + PIPE_BUF <= got; off += PIPE_BUF) {
        unsigned char id = stream[off];
        uint32_t seq;
        bool whole = id == 'A' || id == 'B';

        for (size_t i = 5; whole && i < PIPE_BUF; i++)
            whole = stream[off + i] == id;
        if (!whole) {
            torn++;
            continue;
        }
        memcpy(&seq, stream + off + 1, sizeof(seq));
        if (seq != next[id - 'A'])
            out_of_order++;
        next[id - 'A'] = seq + 1;
    }
    expect_long(torn, 0, "PIPE_BUF-byte writes torn apart");
    expect_long(out_of_order, 0, "records out of order");
    expect_long(next[0], RECORDS, "records from writer A");
    expect_long(next[1], RECORDS, "records from writer B");
    close(p[0]);
    close(p[1]);
}

static volatile sig_atomic_t sigpipes;

static void count_sigpipe(int sig)
{
    (void)sig;
    sigpipes++;
}

static void check_closed_ends(void)
{
    struct sigaction sa;
    char buf[8];
    int p[2];

    make_pipe(p, 0);
    write(p[1], "abc", 3);
    close(p[1]);
    expect_long(read(p[0], buf, sizeof(buf)), 3,
                "read of what was written before the writer closed");
    expect_long(read(p[0], buf, sizeof(buf)), 0,
                "read after the writer closed gives 0");
    expect_long(read(p[0], buf, sizeof(buf)), 0, "and 0 again");
    close(p[0]);

    signal(SIGPIPE, SIG_IGN);
    make_pipe(p, 0);
    close(p[0]);
    expect_errno(write(p[1], "x", 1), EPIPE,
                 "write without a reader, SIGPIPE ignored");
    close(p[1]);

    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = count_sigpipe;
    sigaction(SIGPIPE, &sa, NULL);
    make_pipe(p, 0);
    close(p[0]);
    expect_errno(write(p[1], "x", 1), EPIPE,
                 "write without a reader, SIGPIPE handled");
    expect_long(sigpipes, 1, "SIGPIPE handler calls after one write");
    expect_errno(write(p[1], "xy", 2), EPIPE, "second write without a reader");
    expect_long(sigpipes, 2, "SIGPIPE handler calls after two writes");
    close(p[1]);
    signal(SIGPIPE, SIG_DFL);
}

static short poll_one(int fd, short events)
{
    struct pollfd pfd = {fd, events, 0};

    if (poll(&pfd, 1, 0) < 0)
        return -1;
    return pfd.revents;
}

static const char *event_names(short events)
{
    static char buf[64];

    buf[0] = '\0';
    if (events & POLLIN)
        strcat(buf, "IN ");
    if (events & POLLOUT)
        strcat(buf, "OUT ");
    if (events & POLLERR)
        strcat(buf, "ERR ");
    if (events & POLLHUP)
        strcat(buf, "HUP ");
    if (events & POLLNVAL)
        strcat(buf, "NVAL ");
    if (!buf[0])
        return "none";
    buf[strlen(buf) - 1] = '\0';
    return buf;
}

static void check_poll(void)
{
    static char buf[4096];
    int p[2];

    make_pipe(p, O_NONBLOCK);
    expect_str(event_names(poll_one(p[0], POLLIN)), "none",
               "poll of an empty pipe's read end");
    expect_str(event_names(poll_one(p[1], POLLOUT)), "OUT",
               "poll of an empty pipe's write end");
    write(p[1], "x", 1);
    expect_str(event_names(poll_one(p[0], POLLIN)), "IN",
               "poll of the read end with data");
    for (int i = 0; i < 1000 && write(p[1], buf, sizeof(buf)) > 0; i++)
        continue;
    expect_str(event_names(poll_one(p[1], POLLOUT)), "none",
               "poll of a full pipe's write end");
    close(p[1]);
    expect_str(event_names(poll_one(p[0], POLLIN)), "IN HUP",
               "poll of the read end with data, writer closed");
    for (int i = 0; i < 1000 && read(p[0], buf, sizeof(buf)) > 0; i++)
        continue;
    expect_str(event_names(poll_one(p[0], POLLIN)), "HUP",
               "poll of the drained read end, writer closed");
    close(p[0]);

    make_pipe(p, 0);
    close(p[0]);
    expect_str(event_names(poll_one(p[1], POLLOUT)), "OUT ERR",
               "poll of the write end, reader closed");
    close(p[1]);
    expect_str(event_names(poll_one(p[1], POLLOUT)), "NVAL",
               "poll of a closed fd");
}

int main(void)
{
    setvbuf(stdout, NULL, _IOLBF, 0);
    check_basics();
    check_nonblocking();
    check_blocking();
    check_atomic_writes();
    check_closed_ends();
    check_poll();
    return finish();
}
