// epoll as Linux has it. The checks cover epoll_create1 and epoll_ctl
// with their errors, the nesting of epoll sets, level-triggered,
// edge-triggered and one-shot readiness, and EPOLLRDHUP. Sockets, pipes
// and eventfds share one set, and an fd leaves the set when its file
// closes. Further checks cover
// timeouts, signals, the mask of epoll_pwait, and an edge-triggered
// reader that reads 4 MiB 100 bytes at a time.
// test: config=NET=y
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "check.h"
#include "net_check.h"

#define DIR "./t-net-epoll"

// ---- Helpers ------------------------------------------------------------

#define STREAM_SIZE (4 << 20)
#define CHUNK_SIZE  16384
#define READ_SIZE   100

// event_names from net_check.h names epoll's events by the POLL bits.
_Static_assert(EPOLLIN == POLLIN && EPOLLPRI == POLLPRI &&
                   EPOLLOUT == POLLOUT && EPOLLERR == POLLERR &&
                   EPOLLHUP == POLLHUP && EPOLLRDHUP == POLLRDHUP,
               "epoll event bits differ from poll's");

static void make_pipe(int p[2])
{
    require(pipe(p), "pipe");
}

static int make_epoll(void)
{
    int ep = epoll_create1(0);

    require(ep, "epoll_create1");
    return ep;
}

static int add(int ep, int fd, uint32_t events, uint64_t tag)
{
    struct epoll_event ev = {.events = events, .data.u64 = tag};

    return epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev);
}

static int modify(int ep, int fd, uint32_t events, uint64_t tag)
{
    struct epoll_event ev = {.events = events, .data.u64 = tag};

    return epoll_ctl(ep, EPOLL_CTL_MOD, fd, &ev);
}

// Waits once and returns the number of events. The first event, if any,
// is stored in *first.
static int wait_once(int ep, int timeout_ms, struct epoll_event *first)
{
    struct epoll_event events[8];
    int n = epoll_wait(ep, events, 8, timeout_ms);

    if (n > 0 && first)
        *first = events[0];
    return n;
}

static unsigned char pattern(size_t i)
{
    return (unsigned char)(i * 131 + (i >> 12));
}

// ---- Checks -------------------------------------------------------------

static void check_create(void)
{
    int ep;

    ep = epoll_create1(0);
    expect_errno(ep, 0, "epoll_create1(0)");
    expect_long(fcntl(ep, F_GETFD), 0, "epoll_create1(0): FD_CLOEXEC clear");
    close(ep);
    ep = epoll_create1(EPOLL_CLOEXEC);
    expect_errno(ep, 0, "epoll_create1(EPOLL_CLOEXEC)");
    expect_long(fcntl(ep, F_GETFD), FD_CLOEXEC,
                "epoll_create1(EPOLL_CLOEXEC): FD_CLOEXEC set");
    close(ep);
    expect_errno(epoll_create1(1), EINVAL, "epoll_create1 with flag 1");
    // musl's epoll_create ignores the size, so the calls go to the kernel
    // directly.
    expect_errno(syscall(SYS_epoll_create, 0), EINVAL, "epoll_create(0)");
    expect_errno(syscall(SYS_epoll_create, -1), EINVAL, "epoll_create(-1)");
    ep = epoll_create(1);
    expect_errno(ep, 0, "epoll_create(1)");
    // Linux's epoll files accept any seek and stay at position 0.
    expect_long(lseek(ep, 100, SEEK_SET), 0, "lseek on an epoll fd");
    expect_errno(pread(ep, &(char){0}, 1, 0), ESPIPE, "pread on an epoll fd");
    close(ep);
}

static void check_ctl_errors(void)
{
    struct epoll_event ev = {.events = EPOLLIN};
    struct epoll_event events[4];
    int ep = make_epoll(), other = make_epoll();
    int p[2], file, closed;

    make_pipe(p);
    mkdir(DIR, 0755);
    file = open(DIR "/file", O_RDWR | O_CREAT | O_TRUNC, 0644);
    require(file, "open of a regular file");
    closed = socket(AF_INET, SOCK_STREAM, 0);
    close(closed);

    expect_errno(add(ep, p[0], EPOLLIN, 1), 0, "EPOLL_CTL_ADD of a pipe");
    expect_errno(add(ep, p[0], EPOLLIN, 1), EEXIST,
                 "EPOLL_CTL_ADD of it again");
    expect_errno(modify(ep, p[1], EPOLLOUT, 2), ENOENT,
                 "EPOLL_CTL_MOD of an fd not in the set");
    expect_errno(epoll_ctl(ep, EPOLL_CTL_DEL, p[1], NULL), ENOENT,
                 "EPOLL_CTL_DEL of an fd not in the set");
    expect_errno(add(ep, closed, EPOLLIN, 3), EBADF,
                 "EPOLL_CTL_ADD of a closed fd");
    expect_errno(add(closed, p[0], EPOLLIN, 3), EBADF,
                 "EPOLL_CTL_ADD on a closed epoll fd");
    expect_errno(add(p[1], p[0], EPOLLIN, 3), EINVAL,
                 "EPOLL_CTL_ADD on a pipe instead of an epoll fd");
    expect_errno(add(ep, ep, EPOLLIN, 3), EINVAL,
                 "EPOLL_CTL_ADD of the epoll fd to itself");
    expect_errno(add(ep, file, EPOLLIN, 3), EPERM,
                 "EPOLL_CTL_ADD of a regular file");
    // The target is checked before the epoll fd's type.
    expect_errno(add(p[1], file, EPOLLIN, 3), EPERM,
                 "EPOLL_CTL_ADD of a regular file on a pipe");
    expect_errno(epoll_ctl(ep, 99, p[0], &ev), EINVAL, "epoll_ctl with op 99");
    expect_errno(add(other, ep, EPOLLIN, 4), 0,
                 "EPOLL_CTL_ADD of an epoll fd to another");
    expect_errno(add(ep, other, EPOLLIN, 4), ELOOP,
                 "EPOLL_CTL_ADD that would make a loop");
    expect_errno(epoll_ctl(ep, EPOLL_CTL_DEL, p[0], NULL), 0,
                 "EPOLL_CTL_DEL of the pipe");
    expect_errno(epoll_ctl(ep, EPOLL_CTL_DEL, p[0], NULL), ENOENT,
                 "EPOLL_CTL_DEL of it again");

    expect_errno(epoll_wait(ep, events, 0, 0), EINVAL,
                 "epoll_wait with maxevents 0");
    expect_errno(epoll_wait(ep, events, -1, 0), EINVAL,
                 "epoll_wait with maxevents -1");
    expect_errno(epoll_wait(p[0], events, 4, 0), EINVAL,
                 "epoll_wait on a pipe");
    expect_errno(epoll_wait(closed, events, 4, 0), EBADF,
                 "epoll_wait on a closed fd");

    close(file);
    unlink(DIR "/file");
    close(p[0]);
    close(p[1]);
    close(other);
    close(ep);
}

static void check_level_triggered(void)
{
    struct epoll_event got;
    int ep = make_epoll(), p[2];
    char buf[8];

    make_pipe(p);
    add(ep, p[0], EPOLLIN, 7);
    expect_long(wait_once(ep, 0, NULL), 0, "level-triggered: empty pipe");
    write(p[1], "abc", 3);
    memset(&got, 0, sizeof(got));
    expect_long(wait_once(ep, 0, &got), 1, "level-triggered: first wait");
    expect_str(event_names(got.events), "IN", "level-triggered: events");
    expect_long(got.data.u64, 7, "level-triggered: data");
    expect_long(wait_once(ep, 0, NULL), 1, "level-triggered: second wait");
    read(p[0], buf, 1);
    expect_long(wait_once(ep, 0, NULL), 1,
                "level-triggered: wait after a partial read");
    read(p[0], buf, sizeof(buf));
    expect_long(wait_once(ep, 0, NULL), 0,
                "level-triggered: wait after draining");

    add(ep, p[1], EPOLLOUT, 8);
    memset(&got, 0, sizeof(got));
    expect_long(wait_once(ep, 0, &got), 1, "level-triggered: write end");
    expect_str(event_names(got.events), "OUT",
               "level-triggered: write end events");
    expect_long(got.data.u64, 8, "level-triggered: write end data");

    // Two ready fds: each is reported once per wait, however many waits.
    write(p[1], "abc", 3);
    for (int round = 0; round < 3; round++) {
        struct epoll_event two[8];
        int n = epoll_wait(ep, two, 8, 0);

        expect_long(n, 2, "level-triggered: two ready fds, events");
        if (n == 2)
            expect_true(two[0].data.u64 != two[1].data.u64,
                        "level-triggered: two ready fds, each once");
    }
    close(p[0]);
    close(p[1]);
    close(ep);
}

static void check_edge_triggered(void)
{
    struct epoll_event got;
    int ep = make_epoll(), p[2], client, server;
    char buf[8];

    make_pipe(p);
    add(ep, p[0], EPOLLIN | EPOLLET, 1);
    expect_long(wait_once(ep, 0, NULL), 0, "edge-triggered: empty pipe");
    write(p[1], "abc", 3);
    expect_long(wait_once(ep, 0, &got), 1, "edge-triggered: after a write");
    expect_str(event_names(got.events), "IN", "edge-triggered: events");
    expect_long(wait_once(ep, 0, NULL), 0, "edge-triggered: wait again");
    read(p[0], buf, 1);
    expect_long(wait_once(ep, 0, NULL), 0,
                "edge-triggered: after a partial read");
    write(p[1], "d", 1);
    expect_long(wait_once(ep, 0, NULL), 1,
                "edge-triggered: after new data without draining");
    expect_long(wait_once(ep, 0, NULL), 0,
                "edge-triggered: wait again after new data");
    close(p[0]);
    close(p[1]);

    // A pipe that already has data is reported once when added.
    make_pipe(p);
    write(p[1], "x", 1);
    add(ep, p[0], EPOLLIN | EPOLLET, 2);
    expect_long(wait_once(ep, 0, NULL), 1,
                "edge-triggered: added with data ready");
    expect_long(wait_once(ep, 0, NULL), 0,
                "edge-triggered: added with data, wait again");
    // EPOLL_CTL_MOD rechecks readiness and reports it again.
    modify(ep, p[0], EPOLLIN | EPOLLET, 2);
    expect_long(wait_once(ep, 0, NULL), 1, "edge-triggered: after MOD");
    close(p[0]);
    close(p[1]);

    tcp_pair(&client, &server);
    add(ep, server, EPOLLIN | EPOLLET, 3);
    expect_long(wait_once(ep, 0, NULL), 0, "edge-triggered socket: idle");
    send(client, "abc", 3, 0);
    expect_long(wait_once(ep, 2000, &got), 1,
                "edge-triggered socket: after a send");
    expect_long(got.data.u64, 3, "edge-triggered socket: data");
    expect_long(wait_once(ep, 0, NULL), 0, "edge-triggered socket: again");
    send(client, "def", 3, 0);
    expect_long(wait_once(ep, 2000, NULL), 1,
                "edge-triggered socket: after a second send");
    expect_long(wait_once(ep, 0, NULL), 0,
                "edge-triggered socket: again after the second send");
    expect_long(recv(server, buf, sizeof(buf), 0), 6,
                "edge-triggered socket: both sends are there");
    close(client);
    close(server);
    close(ep);
}

static void check_oneshot(void)
{
    struct epoll_event got;
    int ep = make_epoll(), p[2];

    make_pipe(p);
    write(p[1], "abc", 3);
    add(ep, p[0], EPOLLIN | EPOLLONESHOT, 5);
    expect_long(wait_once(ep, 0, &got), 1, "one-shot: first wait");
    expect_str(event_names(got.events), "IN", "one-shot: events");
    expect_long(wait_once(ep, 0, NULL), 0,
                "one-shot: second wait with data still there");
    write(p[1], "d", 1);
    expect_long(wait_once(ep, 0, NULL), 0, "one-shot: after new data");
    expect_errno(add(ep, p[0], EPOLLIN, 5), EEXIST,
                 "one-shot: the disarmed fd is still in the set");
    expect_errno(modify(ep, p[0], EPOLLIN | EPOLLONESHOT, 6), 0,
                 "one-shot: EPOLL_CTL_MOD re-arms");
    expect_long(wait_once(ep, 0, &got), 1, "one-shot: wait after re-arming");
    expect_long(got.data.u64, 6, "one-shot: the new data");
    expect_long(wait_once(ep, 0, NULL), 0, "one-shot: wait again");
    expect_errno(epoll_ctl(ep, EPOLL_CTL_DEL, p[0], NULL), 0,
                 "one-shot: EPOLL_CTL_DEL of the disarmed fd");
    close(p[0]);
    close(p[1]);
    close(ep);
}

static void check_rdhup(void)
{
    struct epoll_event got;
    int ep = make_epoll(), client, server;

    tcp_pair(&client, &server);
    add(ep, server, EPOLLIN | EPOLLRDHUP, 1);
    expect_long(wait_once(ep, 0, NULL), 0, "EPOLLRDHUP: idle connection");
    shutdown(client, SHUT_WR);
    memset(&got, 0, sizeof(got));
    expect_long(wait_once(ep, 2000, &got), 1, "EPOLLRDHUP: after SHUT_WR");
    expect_str(event_names(got.events), "IN RDHUP",
               "EPOLLRDHUP: events after the peer's SHUT_WR");
    modify(ep, server, EPOLLIN, 1);
    memset(&got, 0, sizeof(got));
    wait_once(ep, 0, &got);
    expect_str(event_names(got.events), "IN",
               "events after the peer's SHUT_WR, EPOLLRDHUP not asked");
    modify(ep, server, EPOLLIN | EPOLLOUT | EPOLLRDHUP, 1);
    shutdown(server, SHUT_WR);
    memset(&got, 0, sizeof(got));
    wait_once(ep, 0, &got);
    expect_str(event_names(got.events), "IN OUT HUP RDHUP",
               "events after both ends did SHUT_WR");
    modify(ep, server, 0, 1);
    memset(&got, 0, sizeof(got));
    expect_long(wait_once(ep, 0, &got), 1,
                "EPOLLHUP is reported with no events asked");
    expect_str(event_names(got.events), "HUP", "the events with none asked");
    close(client);
    close(server);
    close(ep);
}

static int compare_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

    return x < y ? -1 : x > y;
}

static void check_mixed_set(void)
{
    enum { TCP = 1, PIPE, EVENT, UDP, WRITE_END };
    struct epoll_event events[8];
    struct sockaddr_in to;
    uint64_t tags[8], one = 1;
    char text[64] = "";
    int ep = make_epoll(), client, server, p[2], event, udp, sender;
    int n = 0, ready;
    long long deadline;

    tcp_pair(&client, &server);
    make_pipe(p);
    event = eventfd(0, EFD_NONBLOCK);
    require(event, "eventfd");
    udp = udp_socket();
    sender = udp_socket();
    add(ep, server, EPOLLIN, TCP);
    add(ep, p[0], EPOLLIN, PIPE);
    add(ep, event, EPOLLIN, EVENT);
    add(ep, udp, EPOLLIN, UDP);
    expect_long(wait_once(ep, 0, NULL), 0, "mixed set: idle");

    send(client, "tcp", 3, 0);
    write(p[1], "pipe", 4);
    write(event, &one, sizeof(one));
    to = loopback_address(local_port(udp));
    sendto(sender, "udp", 3, 0, (struct sockaddr *)&to, sizeof(to));
    // Loopback delivery may lag behind the send, so wait until all four
    // are ready. Level-triggered fds are reported on every wait.
    deadline = now_ms() + 2000;
    while (now_ms() < deadline) {
        n = epoll_wait(ep, events, 8, 100);
        if (n >= 4)
            break;
    }
    ready = n > 0 ? n : 0;
    expect_long(ready, 4, "mixed set: fds ready");
    for (int i = 0; i < ready; i++)
        tags[i] = events[i].data.u64;
    qsort(tags, ready, sizeof(tags[0]), compare_u64);
    for (int i = 0; i < ready; i++)
        snprintf(text + strlen(text), sizeof(text) - strlen(text), "%s%llu",
                 i ? " " : "", (unsigned long long)tags[i]);
    expect_str(text, "1 2 3 4", "mixed set: the data of the ready fds");
    n = 0;
    for (int i = 0; i < ready; i++)
        n += events[i].events == EPOLLIN;
    expect_long(n, 4, "mixed set: fds reporting exactly EPOLLIN");

    // With maxevents below the ready count, the rest come in later waits.
    add(ep, p[1], EPOLLOUT, WRITE_END);
    expect_long(epoll_wait(ep, events, 2, 0), 2, "mixed set: maxevents 2");
    n = 0;
    for (int round = 0; round < 3; round++) {
        int got = epoll_wait(ep, events, 2, 0);

        for (int i = 0; i < got; i++)
            n |= 1 << events[i].data.u64;
    }
    expect_true(n == 0x3e, "mixed set: all five come within three more waits");

    close(client);
    close(server);
    close(p[0]);
    close(p[1]);
    close(event);
    close(udp);
    close(sender);
    close(ep);
}

static void check_close_removes(void)
{
    struct epoll_event got;
    int ep = make_epoll(), p[2], copy;

    make_pipe(p);
    write(p[1], "x", 1);
    add(ep, p[0], EPOLLIN, 1);
    expect_long(wait_once(ep, 0, NULL), 1, "close: before closing");
    close(p[0]);
    expect_long(wait_once(ep, 0, NULL), 0, "close: after closing the fd");
    expect_errno(epoll_ctl(ep, EPOLL_CTL_DEL, p[0], NULL), EBADF,
                 "close: EPOLL_CTL_DEL of the closed fd");
    close(p[1]);

    // The set refers to the open file, not to the fd, so a duplicate fd
    // keeps the file in the set.
    make_pipe(p);
    write(p[1], "x", 1);
    add(ep, p[0], EPOLLIN, 2);
    copy = dup(p[0]);
    close(p[0]);
    memset(&got, 0, sizeof(got));
    expect_long(wait_once(ep, 0, &got), 1,
                "close: after closing one of two fds of the file");
    expect_long(got.data.u64, 2, "close: the event keeps its data");
    expect_errno(epoll_ctl(ep, EPOLL_CTL_DEL, copy, NULL), ENOENT,
                 "close: EPOLL_CTL_DEL of the duplicate");
    close(copy);
    expect_long(wait_once(ep, 0, NULL), 0, "close: after closing both");
    close(p[1]);
    close(ep);
}

static void *write_eventfd_later(void *arg)
{
    uint64_t one = 1;

    sleep_ms(50);
    write(*(int *)arg, &one, sizeof(one));
    return NULL;
}

static void check_timeouts_and_wakeup(void)
{
    struct epoll_event got;
    int ep = make_epoll(), event = eventfd(0, 0);
    long long start;
    pthread_t t;

    require(event, "eventfd");
    add(ep, event, EPOLLIN, 9);
    start = now_ms();
    expect_long(wait_once(ep, 0, NULL), 0, "epoll_wait with timeout 0");
    expect_true(now_ms() - start < 1000,
                "epoll_wait with timeout 0 returns at once");
    start = now_ms();
    expect_long(wait_once(ep, 50, NULL), 0, "epoll_wait with timeout 50 ms");
    expect_true(now_ms() - start >= 50, "epoll_wait waited at least 50 ms");

    pthread_create(&t, NULL, write_eventfd_later, &event);
    memset(&got, 0, sizeof(got));
    expect_long(wait_once(ep, 5000, &got), 1,
                "epoll_wait wakes when a thread writes to the eventfd");
    expect_long(got.data.u64, 9, "the eventfd's data");
    pthread_join(t, NULL);
    close(event);
    close(ep);
}

static volatile sig_atomic_t usr1_count;

static void count_usr1(int sig)
{
    (void)sig;
    usr1_count++;
}

static void *signal_later(void *arg)
{
    sleep_ms(50);
    pthread_kill(*(pthread_t *)arg, SIGUSR1);
    return NULL;
}

static void check_signals(void)
{
    struct epoll_event events[4];
    struct sigaction sa;
    sigset_t usr1, empty, old;
    pthread_t t, self = pthread_self();
    int ep = make_epoll(), p[2];
    long long start;

    make_pipe(p);
    add(ep, p[0], EPOLLIN, 1);
    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = count_usr1;
    sa.sa_flags = SA_RESTART;
    sigaction(SIGUSR1, &sa, NULL);
    sigemptyset(&empty);
    sigemptyset(&usr1);
    sigaddset(&usr1, SIGUSR1);

    // SA_RESTART does not restart epoll_wait.
    pthread_create(&t, NULL, signal_later, &self);
    expect_errno(epoll_wait(ep, events, 4, 5000), EINTR,
                 "epoll_wait interrupted by a signal");
    pthread_join(t, NULL);
    expect_long(usr1_count, 1, "handler calls after epoll_wait");

    pthread_create(&t, NULL, signal_later, &self);
    start = now_ms();
    expect_long(epoll_pwait(ep, events, 4, 300, &usr1), 0,
                "epoll_pwait with SIGUSR1 blocked times out");
    expect_true(now_ms() - start >= 300, "epoll_pwait waited at least 300 ms");
    pthread_join(t, NULL);
    expect_long(usr1_count, 2, "handler calls after epoll_pwait returned");

    sigprocmask(SIG_BLOCK, &usr1, &old);
    raise(SIGUSR1);
    start = now_ms();
    expect_errno(epoll_pwait(ep, events, 4, 5000, &empty), EINTR,
                 "epoll_pwait unblocking a pending SIGUSR1");
    expect_true(now_ms() - start < 4000, "epoll_pwait returned at once");
    expect_long(usr1_count, 3, "handler calls after epoll_pwait");
    sigprocmask(SIG_SETMASK, &old, NULL);
    signal(SIGUSR1, SIG_DFL);
    close(p[0]);
    close(p[1]);
    close(ep);
}

struct stream_writer {
    int fd;
    long sent;
};

static void *write_stream(void *arg)
{
    struct stream_writer *w = arg;
    static unsigned char chunk[CHUNK_SIZE];

    for (long offset = 0; offset < STREAM_SIZE; offset += CHUNK_SIZE) {
        for (size_t i = 0; i < CHUNK_SIZE; i++)
            chunk[i] = pattern(offset + i);
        if (send(w->fd, chunk, CHUNK_SIZE, MSG_NOSIGNAL) != CHUNK_SIZE)
            break;
        w->sent += CHUNK_SIZE;
    }
    shutdown(w->fd, SHUT_WR);
    return NULL;
}

// Reads the stream only when epoll reports new data, READ_SIZE bytes at a
// time until EAGAIN, as an edge-triggered reader must.
static void check_slow_reader(void)
{
    struct stream_writer w = {0};
    struct epoll_event events[4];
    unsigned char buf[READ_SIZE];
    long received = 0, mismatched = 0, wakeups = 0;
    bool end_of_file = false;
    int ep = make_epoll(), client, server;
    long long deadline;
    pthread_t t;

    tcp_pair(&client, &server);
    fcntl(server, F_SETFL, O_NONBLOCK);
    add(ep, server, EPOLLIN | EPOLLET, 1);
    w.fd = client;
    pthread_create(&t, NULL, write_stream, &w);
    deadline = now_ms() + 8000;
    while (!end_of_file && now_ms() < deadline) {
        int n = epoll_wait(ep, events, 4, 200);

        if (n <= 0)
            continue;
        wakeups++;
        for (;;) {
            ssize_t got = read(server, buf, sizeof(buf));

            if (got == 0)
                end_of_file = true;
            if (got <= 0)
                break;
            for (ssize_t i = 0; i < got; i++)
                mismatched += buf[i] != pattern(received + i);
            received += got;
        }
    }
    expect_true(end_of_file, "slow reader: end of file within 8 s");
    if (!end_of_file) {
        // A reset ends the writer's blocked send.
        struct linger abort_on_close = {1, 0};

        setsockopt(server, SOL_SOCKET, SO_LINGER, &abort_on_close,
                   sizeof(abort_on_close));
        close(server);
        server = -1;
    }
    pthread_join(t, NULL);
    expect_long(w.sent, STREAM_SIZE, "slow reader: bytes sent");
    expect_long(received, STREAM_SIZE, "slow reader: bytes received");
    expect_long(mismatched, 0, "slow reader: bytes that differ");
    expect_true(wakeups > 0, "slow reader: woken by epoll");
    close(client);
    if (server >= 0)
        close(server);
    close(ep);
}

// Linux 6.18 lets epoll sets nest at most 5 levels deep, counting the
// sets above the one that an fd joins and the sets below the one that
// joins it.
static void check_nesting(void)
{
    int ep[7], top[4], bottom[4];

    for (int i = 0; i < 7; i++)
        ep[i] = make_epoll();
    // Built from the bottom up, the add that makes a sixth level fails.
    for (int i = 5; i >= 0; i--)
        expect_errno(add(ep[i], ep[i + 1], EPOLLIN, i), i == 1 ? ELOOP : 0,
                     label("EPOLL_CTL_ADD %d of a chain built upward", 6 - i));
    for (int i = 0; i < 7; i++)
        close(ep[i]);

    for (int i = 0; i < 7; i++)
        ep[i] = make_epoll();
    // Built from the top down, the same add fails.
    for (int i = 0; i < 6; i++)
        expect_errno(
            add(ep[i], ep[i + 1], EPOLLIN, i), i == 4 ? ELOOP : 0,
            label("EPOLL_CTL_ADD %d of a chain built downward", i + 1));
    for (int i = 0; i < 7; i++)
        close(ep[i]);

    for (int i = 0; i < 4; i++) {
        top[i] = make_epoll();
        bottom[i] = make_epoll();
    }
    for (int i = 0; i < 3; i++) {
        add(top[i], top[i + 1], EPOLLIN, i);
        add(bottom[i], bottom[i + 1], EPOLLIN, i);
    }
    expect_errno(add(top[3], bottom[0], EPOLLIN, 9), ELOOP,
                 "EPOLL_CTL_ADD joining two chains of 4 levels");
    expect_errno(add(top[1], bottom[2], EPOLLIN, 9), 0,
                 "EPOLL_CTL_ADD joining them at 5 levels");
    expect_errno(add(bottom[3], top[0], EPOLLIN, 9), ELOOP,
                 "EPOLL_CTL_ADD that closes a loop through both");
    for (int i = 0; i < 4; i++) {
        close(top[i]);
        close(bottom[i]);
    }
}

int main(void)
{
    setvbuf(stdout, NULL, _IOLBF, 0);
    check_create();
    check_ctl_errors();
    check_nesting();
    check_level_triggered();
    check_edge_triggered();
    check_oneshot();
    check_rdhup();
    check_mixed_set();
    check_close_removes();
    check_timeouts_and_wakeup();
    check_signals();
    check_slow_reader();
    rmdir(DIR);
    return finish();
}
