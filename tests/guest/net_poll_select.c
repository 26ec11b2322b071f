// poll, select, ppoll and pselect on TCP and UDP sockets, pipes and an
// eventfd in one set. The checks cover readability after data,
// writability, and the hang-up bits that Linux sets after a shutdown, a
// close and a reset, and select's sets for a socket with an error.
// Further checks cover timeouts, wakeup by another thread, interruption
// by a signal, and the signal masks of ppoll and pselect.
// test: config=NET=y
#define _GNU_SOURCE
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/select.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "check.h"
#include "net_check.h"

// ---- Helpers ------------------------------------------------------------

#define MS 1000000L

#define ALL_EVENTS (POLLIN | POLLOUT | POLLRDHUP)

// The fds of one mixed set: both ends of a TCP connection, both ends of a
// pipe, an eventfd, a UDP socket and a TCP listener.
enum { SERVER, CLIENT, PIPE_READ, PIPE_WRITE, EVENT, UDP, LISTENER, SET_SIZE };

static const char *const set_names[SET_SIZE] = {
    "TCP server end", "TCP client end", "pipe read end", "pipe write end",
    "eventfd",        "UDP socket",     "TCP listener",
};

struct mixed_set {
    int fds[SET_SIZE];
    int udp_sender;
    uint16_t listener_port;
};

static void open_set(struct mixed_set *set)
{
    int p[2];

    tcp_pair(&set->fds[CLIENT], &set->fds[SERVER]);
    require(pipe(p), "pipe");
    set->fds[PIPE_READ] = p[0];
    set->fds[PIPE_WRITE] = p[1];
    set->fds[EVENT] = eventfd(0, EFD_NONBLOCK);
    require(set->fds[EVENT], "eventfd");
    set->fds[UDP] = udp_socket();
    set->udp_sender = udp_socket();
    set->fds[LISTENER] = tcp_listener(4, &set->listener_port);
}

static void close_set(struct mixed_set *set)
{
    for (int i = 0; i < SET_SIZE; i++)
        close(set->fds[i]);
    close(set->udp_sender);
}

// Polls the whole set at once without waiting and checks each fd's bits.
static void expect_set_events(struct mixed_set *set,
                              const char *const want[SET_SIZE], int want_count,
                              const char *when)
{
    struct pollfd p[SET_SIZE];
    int n;

    for (int i = 0; i < SET_SIZE; i++)
        p[i] = (struct pollfd){set->fds[i], ALL_EVENTS, 0};
    n = poll(p, SET_SIZE, 0);
    expect_long(n, want_count, label("poll %s: ready fds", when));
    for (int i = 0; i < SET_SIZE; i++)
        expect_str(event_names(p[i].revents), want[i],
                   label("poll %s: %s", when, set_names[i]));
}

// Runs select on the whole set without waiting and checks which fds are in
// the read and write sets.
static void expect_set_select(struct mixed_set *set, const char *want_read,
                              const char *want_write, int want_count,
                              const char *when)
{
    fd_set read_set, write_set, except_set;
    struct timeval zero = {0, 0};
    char readable[256] = "", writable[256] = "", exceptional[256] = "";
    int max_fd = 0, n;

    FD_ZERO(&read_set);
    FD_ZERO(&write_set);
    FD_ZERO(&except_set);
    for (int i = 0; i < SET_SIZE; i++) {
        FD_SET(set->fds[i], &read_set);
        FD_SET(set->fds[i], &write_set);
        FD_SET(set->fds[i], &except_set);
        if (set->fds[i] > max_fd)
            max_fd = set->fds[i];
    }
    n = select(max_fd + 1, &read_set, &write_set, &except_set, &zero);
    for (int i = 0; i < SET_SIZE; i++) {
        if (FD_ISSET(set->fds[i], &read_set))
            snprintf(readable + strlen(readable),
                     sizeof(readable) - strlen(readable), "%s%s",
                     readable[0] ? ", " : "", set_names[i]);
        if (FD_ISSET(set->fds[i], &write_set))
            snprintf(writable + strlen(writable),
                     sizeof(writable) - strlen(writable), "%s%s",
                     writable[0] ? ", " : "", set_names[i]);
        if (FD_ISSET(set->fds[i], &except_set))
            snprintf(exceptional + strlen(exceptional),
                     sizeof(exceptional) - strlen(exceptional), "%s%s",
                     exceptional[0] ? ", " : "", set_names[i]);
    }
    expect_long(n, want_count, label("select %s: bits set", when));
    expect_str(readable[0] ? readable : "none", want_read,
               label("select %s: readable", when));
    expect_str(writable[0] ? writable : "none", want_write,
               label("select %s: writable", when));
    expect_str(exceptional[0] ? exceptional : "none", "none",
               label("select %s: exceptions", when));
}

// ---- Checks -------------------------------------------------------------

static void check_mixed_set(void)
{
    static const char *const idle[SET_SIZE] = {
        "OUT", "OUT", "none", "OUT", "OUT", "OUT", "none",
    };
    static const char *const with_data[SET_SIZE] = {
        "IN OUT", "OUT", "IN", "OUT", "IN OUT", "IN OUT", "IN",
    };
    struct mixed_set set;
    struct pollfd p[3];
    uint64_t one = 1;
    struct sockaddr_in to;
    int pending, closed;

    open_set(&set);
    expect_set_events(&set, idle, 5, "of the idle set");
    expect_set_select(&set, "none",
                      "TCP server end, TCP client end, pipe write end, "
                      "eventfd, UDP socket",
                      5, "of the idle set");

    send(set.fds[CLIENT], "tcp", 3, 0);
    write(set.fds[PIPE_WRITE], "pipe", 4);
    write(set.fds[EVENT], &one, sizeof(one));
    to = loopback_address(local_port(set.fds[UDP]));
    sendto(set.udp_sender, "udp", 3, 0, (struct sockaddr *)&to, sizeof(to));
    pending = tcp_connect(set.listener_port);
    // Loopback delivery may lag behind the send, so wait for each first.
    for (int i = 0; i < SET_SIZE; i++) {
        bool readable = strstr(with_data[i], "IN") != NULL;

        if (readable && !(wait_for(set.fds[i], POLLIN, 2000) & POLLIN))
            expect_true(false, label("%s becomes readable", set_names[i]));
    }
    expect_set_events(&set, with_data, 7, "with data");
    expect_set_select(&set,
                      "TCP server end, pipe read end, eventfd, UDP socket, "
                      "TCP listener",
                      "TCP server end, TCP client end, pipe write end, "
                      "eventfd, UDP socket",
                      10, "with data");

    // A negative fd is skipped and a closed one gives POLLNVAL.
    closed = socket(AF_INET, SOCK_STREAM, 0);
    close(closed);
    p[0] = (struct pollfd){-1, POLLIN, 0};
    p[1] = (struct pollfd){set.fds[PIPE_READ], POLLIN, 0};
    p[2] = (struct pollfd){closed, POLLIN, 0};
    expect_long(poll(p, 3, 0), 2, "poll with a negative and a closed fd");
    expect_str(event_names(p[0].revents), "none", "the negative fd");
    expect_str(event_names(p[2].revents), "NVAL", "the closed fd");
    close(pending);
    close_set(&set);
}

// select counts POLLERR in the read and the write set, but not in the
// exception set. A UDP socket that got an ICMP port unreachable has only
// POLLOUT and POLLERR.
static void check_select_error(void)
{
    fd_set read_set, write_set, except_set;
    struct timeval zero = {0, 0};
    int closed = udp_socket(), fd = udp_socket();

    require(connect_loopback(fd, local_port(closed)), "connect");
    close(closed);
    require(send(fd, "x", 1, 0), "send to the closed port");
    expect_str(event_names(wait_for(fd, POLLIN, 2000)), "ERR",
               "poll after the ICMP error");
    FD_ZERO(&read_set);
    FD_ZERO(&write_set);
    FD_ZERO(&except_set);
    FD_SET(fd, &read_set);
    FD_SET(fd, &write_set);
    FD_SET(fd, &except_set);
    expect_long(select(fd + 1, &read_set, &write_set, &except_set, &zero), 2,
                "select after the ICMP error: bits set");
    expect_true(FD_ISSET(fd, &read_set) && FD_ISSET(fd, &write_set) &&
                    !FD_ISSET(fd, &except_set),
                "select after the ICMP error: readable and writable");
    close(fd);
}

static void check_hangups(void)
{
    char buf[16];
    int client, server, p[2], fd;

    // A fresh TCP socket is in state CLOSE, so poll reports it writable
    // and hung up.
    fd = socket(AF_INET, SOCK_STREAM, 0);
    expect_str(event_names(wait_for(fd, ALL_EVENTS, 0)), "OUT HUP",
               "poll of a fresh TCP socket");
    close(fd);
    fd = udp_socket();
    expect_str(event_names(wait_for(fd, ALL_EVENTS, 0)), "OUT",
               "poll of a fresh UDP socket");
    close(fd);

    tcp_pair(&client, &server);
    shutdown(client, SHUT_WR);
    wait_for(server, POLLIN, 2000);
    expect_str(event_names(wait_for(server, ALL_EVENTS, 0)), "IN OUT RDHUP",
               "poll of the end whose peer did SHUT_WR");
    expect_str(event_names(wait_for(server, POLLIN | POLLOUT, 0)), "IN OUT",
               "the same without asking for POLLRDHUP");
    expect_str(event_names(wait_for(client, ALL_EVENTS, 0)), "OUT",
               "poll of the end that did SHUT_WR");
    shutdown(server, SHUT_WR);
    wait_for(client, POLLIN, 2000);
    expect_str(event_names(wait_for(client, ALL_EVENTS, 0)), "IN OUT HUP RDHUP",
               "poll of the first end after both did SHUT_WR");
    expect_str(event_names(wait_for(server, ALL_EVENTS, 0)), "IN OUT HUP RDHUP",
               "poll of the second end after both did SHUT_WR");
    expect_str(event_names(wait_for(server, 0, 0)), "HUP",
               "POLLHUP comes without being asked for");
    close(client);
    close(server);

    tcp_pair(&client, &server);
    shutdown(client, SHUT_RD);
    expect_str(event_names(wait_for(client, ALL_EVENTS, 0)), "IN OUT RDHUP",
               "poll of the end that did SHUT_RD");
    close(client);
    close(server);

    // After the peer closes, a write draws a reset from it.
    tcp_pair(&client, &server);
    close(client);
    wait_for(server, POLLIN, 2000);
    expect_str(event_names(wait_for(server, ALL_EVENTS, 0)), "IN OUT RDHUP",
               "poll of the end whose peer closed");
    expect_long(send(server, "x", 1, MSG_NOSIGNAL), 1,
                "send to the closed peer");
    expect_str(event_names(wait_for(server, 0, 2000)), "ERR HUP",
               "poll after the reset, nothing asked");
    expect_str(event_names(wait_for(server, ALL_EVENTS, 0)),
               "IN OUT ERR HUP RDHUP", "poll after the reset");
    expect_long(recv(server, buf, sizeof(buf), 0), 0,
                "recv after the reset still reads end of file");
    expect_errno(send(server, "x", 1, MSG_NOSIGNAL), EPIPE,
                 "send after the reset");
    expect_str(event_names(wait_for(server, ALL_EVENTS, 0)), "IN OUT HUP RDHUP",
               "poll after the error was returned");
    close(server);

    require(pipe(p), "pipe");
    write(p[1], "x", 1);
    close(p[1]);
    expect_str(event_names(wait_for(p[0], ALL_EVENTS, 0)), "IN HUP",
               "poll of a pipe with data, writer closed");
    read(p[0], buf, sizeof(buf));
    expect_str(event_names(wait_for(p[0], ALL_EVENTS, 0)), "HUP",
               "poll of a drained pipe, writer closed");
    close(p[0]);
    require(pipe(p), "pipe");
    close(p[0]);
    expect_str(event_names(wait_for(p[1], ALL_EVENTS, 0)), "OUT ERR",
               "poll of a pipe's write end, reader closed");
    close(p[1]);
}

static void check_timeouts(void)
{
    struct timespec fifty_ms = {0, 50 * MS};
    struct timeval tv = {0, 50000};
    struct pollfd p[3];
    fd_set read_set;
    long long start;
    int client, server, pipe_fds[2], event, max_fd;

    tcp_pair(&client, &server);
    require(pipe(pipe_fds), "pipe");
    event = eventfd(0, 0);
    require(event, "eventfd");
    max_fd = server > pipe_fds[0] ? server : pipe_fds[0];
    max_fd = event > max_fd ? event : max_fd;
    p[0] = (struct pollfd){server, POLLIN, 0};
    p[1] = (struct pollfd){pipe_fds[0], POLLIN, 0};
    p[2] = (struct pollfd){event, POLLIN, 0};

    start = now_ms();
    expect_long(poll(p, 3, 0), 0, "poll with timeout 0 and nothing ready");
    expect_true(now_ms() - start < 1000, "poll with timeout 0 returns at once");

    start = now_ms();
    expect_long(poll(p, 3, 50), 0, "poll with timeout 50 ms");
    expect_true(now_ms() - start >= 50, "poll waited at least 50 ms");

    start = now_ms();
    expect_long(ppoll(p, 3, &fifty_ms, NULL), 0, "ppoll with timeout 50 ms");
    expect_true(now_ms() - start >= 50, "ppoll waited at least 50 ms");

    FD_ZERO(&read_set);
    FD_SET(server, &read_set);
    FD_SET(pipe_fds[0], &read_set);
    FD_SET(event, &read_set);
    start = now_ms();
    expect_long(select(max_fd + 1, &read_set, NULL, NULL, &tv), 0,
                "select with timeout 50 ms");
    expect_true(now_ms() - start >= 50, "select waited at least 50 ms");
    expect_true(!FD_ISSET(server, &read_set) &&
                    !FD_ISSET(pipe_fds[0], &read_set) &&
                    !FD_ISSET(event, &read_set),
                "select cleared the set");

    FD_ZERO(&read_set);
    FD_SET(server, &read_set);
    FD_SET(pipe_fds[0], &read_set);
    FD_SET(event, &read_set);
    start = now_ms();
    expect_long(pselect(max_fd + 1, &read_set, NULL, NULL, &fifty_ms, NULL), 0,
                "pselect with timeout 50 ms");
    expect_true(now_ms() - start >= 50, "pselect waited at least 50 ms");

    close(client);
    close(server);
    close(pipe_fds[0]);
    close(pipe_fds[1]);
    close(event);
}

struct delayed {
    int fd;
    long delay_ms;
    pthread_t target;
};

static void *send_later(void *arg)
{
    struct delayed *d = arg;

    sleep_ms(d->delay_ms);
    send(d->fd, "late", 4, MSG_NOSIGNAL);
    return NULL;
}

static void *signal_later(void *arg)
{
    struct delayed *d = arg;

    sleep_ms(d->delay_ms);
    pthread_kill(d->target, SIGUSR1);
    return NULL;
}

static void *add_to_eventfd_later(void *arg)
{
    struct delayed *d = arg;
    uint64_t three = 3;

    sleep_ms(d->delay_ms);
    write(d->fd, &three, sizeof(three));
    return NULL;
}

static volatile sig_atomic_t usr1_count;

static void count_usr1(int sig)
{
    (void)sig;
    usr1_count++;
}

static void check_wakeups(void)
{
    struct delayed d = {0};
    struct pollfd p[2];
    fd_set read_set;
    pthread_t t;
    int client, server, event;

    tcp_pair(&client, &server);
    event = eventfd(0, 0);
    require(event, "eventfd");
    p[0] = (struct pollfd){server, POLLIN, 0};
    p[1] = (struct pollfd){event, POLLIN, 0};

    d.fd = client;
    d.delay_ms = 50;
    pthread_create(&t, NULL, send_later, &d);
    expect_long(poll(p, 2, 5000), 1, "poll wakes when a thread sends");
    expect_str(event_names(p[0].revents), "IN", "the socket is readable");
    expect_str(event_names(p[1].revents), "none", "the eventfd is not");
    pthread_join(t, NULL);
    recv(server, (char[8]){0}, 8, 0);

    d.fd = event;
    pthread_create(&t, NULL, add_to_eventfd_later, &d);
    FD_ZERO(&read_set);
    FD_SET(server, &read_set);
    FD_SET(event, &read_set);
    expect_long(select((server > event ? server : event) + 1, &read_set, NULL,
                       NULL, &(struct timeval){5, 0}),
                1, "select wakes when a thread writes to the eventfd");
    expect_true(FD_ISSET(event, &read_set) && !FD_ISSET(server, &read_set),
                "only the eventfd is readable");
    pthread_join(t, NULL);
    close(client);
    close(server);
    close(event);
}

static void check_signals(void)
{
    struct sigaction sa;
    struct delayed d = {0};
    struct timespec long_wait = {0, 300 * MS};
    struct pollfd p;
    sigset_t usr1, empty, old;
    fd_set read_set;
    pthread_t t;
    long long start;
    int client, server;

    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = count_usr1;
    sa.sa_flags = SA_RESTART;
    sigaction(SIGUSR1, &sa, NULL);
    sigemptyset(&empty);
    sigemptyset(&usr1);
    sigaddset(&usr1, SIGUSR1);
    tcp_pair(&client, &server);
    p = (struct pollfd){server, POLLIN, 0};
    d.target = pthread_self();
    d.delay_ms = 50;

    // SA_RESTART does not restart poll and select.
    usr1_count = 0;
    pthread_create(&t, NULL, signal_later, &d);
    expect_errno(poll(&p, 1, 5000), EINTR, "poll interrupted by a signal");
    pthread_join(t, NULL);
    expect_long(usr1_count, 1, "handler calls after poll");

    pthread_create(&t, NULL, signal_later, &d);
    FD_ZERO(&read_set);
    FD_SET(server, &read_set);
    expect_errno(
        select(server + 1, &read_set, NULL, NULL, &(struct timeval){5, 0}),
        EINTR, "select interrupted by a signal");
    pthread_join(t, NULL);
    expect_long(usr1_count, 2, "handler calls after select");

    // A signal that the call's mask blocks waits until the call returns.
    pthread_create(&t, NULL, signal_later, &d);
    start = now_ms();
    expect_long(ppoll(&p, 1, &long_wait, &usr1), 0,
                "ppoll with SIGUSR1 blocked times out");
    expect_true(now_ms() - start >= 300, "ppoll waited at least 300 ms");
    pthread_join(t, NULL);
    expect_long(usr1_count, 3, "handler calls after ppoll returned");

    pthread_create(&t, NULL, signal_later, &d);
    FD_ZERO(&read_set);
    FD_SET(server, &read_set);
    start = now_ms();
    expect_long(pselect(server + 1, &read_set, NULL, NULL, &long_wait, &usr1),
                0, "pselect with SIGUSR1 blocked times out");
    expect_true(now_ms() - start >= 300, "pselect waited at least 300 ms");
    pthread_join(t, NULL);
    expect_long(usr1_count, 4, "handler calls after pselect returned");

    // A pending signal that the call's mask unblocks interrupts it at once.
    sigprocmask(SIG_BLOCK, &usr1, &old);
    raise(SIGUSR1);
    expect_long(usr1_count, 4, "handler calls while SIGUSR1 is blocked");
    FD_ZERO(&read_set);
    FD_SET(server, &read_set);
    start = now_ms();
    expect_errno(pselect(server + 1, &read_set, NULL, NULL,
                         &(struct timespec){5, 0}, &empty),
                 EINTR, "pselect unblocking a pending SIGUSR1");
    expect_long(usr1_count, 5, "handler calls after pselect");
    raise(SIGUSR1);
    expect_errno(ppoll(&p, 1, &(struct timespec){5, 0}, &empty), EINTR,
                 "ppoll unblocking a pending SIGUSR1");
    expect_long(usr1_count, 6, "handler calls after ppoll");
    expect_true(now_ms() - start < 4000, "both returned at once");
    sigprocmask(SIG_SETMASK, &old, NULL);

    // Data that is ready wins over a pending signal that stays blocked.
    send(client, "x", 1, 0);
    wait_for(server, POLLIN, 2000);
    sigprocmask(SIG_BLOCK, &usr1, &old);
    raise(SIGUSR1);
    expect_long(ppoll(&p, 1, &(struct timespec){5, 0}, &usr1), 1,
                "ppoll with data ready and SIGUSR1 pending but blocked");
    sigprocmask(SIG_SETMASK, &old, NULL);
    expect_long(usr1_count, 7, "handler calls after unblocking SIGUSR1");
    signal(SIGUSR1, SIG_DFL);
    close(client);
    close(server);
}

int main(void)
{
    setvbuf(stdout, NULL, _IOLBF, 0);
    check_mixed_set();
    check_hangups();
    check_select_error();
    check_timeouts();
    check_wakeups();
    check_signals();
    return finish();
}
