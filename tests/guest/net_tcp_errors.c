// Socket errors as Linux gives them. The cases are bad families, types
// and protocols, calls on non-sockets and closed fds, bind, listen,
// accept, recv and sendto in the wrong state, bad addresses and unknown
// options. Options read back what was set, and SO_RCVTIMEO and
// SO_SNDTIMEO time out. Writes to a connection that the peer reset give
// ECONNRESET once and then EPIPE, with SIGPIPE ignored or counted by a
// handler. Further checks cover calls of 0 bytes, connect and shutdown
// without a connection, refused connects tried again, a socket after a
// reset or a connect to AF_UNSPEC, and the addresses that bind takes.
// test: config=NET=y
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "check.h"
#include "net_check.h"

// ---- Helpers ------------------------------------------------------------

static int get_int_option(int fd, int level, int name)
{
    int value = -1;
    socklen_t len = sizeof(value);

    if (getsockopt(fd, level, name, &value, &len) < 0)
        return -1;
    return value;
}

static int set_int_option(int fd, int level, int name, int value)
{
    return setsockopt(fd, level, name, &value, sizeof(value));
}

// ---- Checks -------------------------------------------------------------

static void check_socket_arguments(void)
{
    int fd;

    expect_errno(socket(12345, SOCK_STREAM, 0), EAFNOSUPPORT,
                 "socket with family 12345");
    expect_errno(socket(AF_INET, 12345, 0), EINVAL, "socket with type 12345");
    expect_errno(socket(AF_INET, SOCK_STREAM, IPPROTO_UDP), EPROTONOSUPPORT,
                 "socket SOCK_STREAM with IPPROTO_UDP");
    expect_errno(socket(AF_INET, SOCK_DGRAM, IPPROTO_TCP), EPROTONOSUPPORT,
                 "socket SOCK_DGRAM with IPPROTO_TCP");
    // musl's socket retries without the flags after EINVAL, so the call
    // goes to the kernel directly.
    expect_errno(syscall(SYS_socket, AF_INET, SOCK_STREAM | 0x40000000, 0),
                 EINVAL, "socket with an unknown flag in the type");

    fd = socket(AF_INET, SOCK_STREAM, IPPROTO_TCP);
    expect_errno(fd, 0, "socket SOCK_STREAM with IPPROTO_TCP");
    expect_long(get_int_option(fd, SOL_SOCKET, SO_TYPE), SOCK_STREAM,
                "SO_TYPE of a TCP socket");
    expect_long(get_int_option(fd, SOL_SOCKET, SO_DOMAIN), AF_INET,
                "SO_DOMAIN of a TCP socket");
    expect_long(get_int_option(fd, SOL_SOCKET, SO_PROTOCOL), IPPROTO_TCP,
                "SO_PROTOCOL of a TCP socket");
    expect_long(get_int_option(fd, SOL_SOCKET, SO_ACCEPTCONN), 0,
                "SO_ACCEPTCONN before listen");
    bind_loopback(fd, 0);
    listen(fd, 1);
    expect_long(get_int_option(fd, SOL_SOCKET, SO_ACCEPTCONN), 1,
                "SO_ACCEPTCONN after listen");
    close(fd);

    fd = socket(AF_INET, SOCK_DGRAM, IPPROTO_UDP);
    expect_errno(fd, 0, "socket SOCK_DGRAM with IPPROTO_UDP");
    expect_long(get_int_option(fd, SOL_SOCKET, SO_TYPE), SOCK_DGRAM,
                "SO_TYPE of a UDP socket");
    expect_long(get_int_option(fd, SOL_SOCKET, SO_PROTOCOL), IPPROTO_UDP,
                "SO_PROTOCOL of a UDP socket");
    close(fd);
}

// Runs the socket calls on fd, which is not a socket, and checks that each
// gives `want`.
static void check_calls_on(int fd, int want, const char *what)
{
    struct sockaddr_in a = loopback_address(1);
    socklen_t len = sizeof(a);
    char buf[4];
    int one = 1;

    expect_errno(bind(fd, (struct sockaddr *)&a, sizeof(a)), want,
                 label("bind on %s", what));
    expect_errno(connect(fd, (struct sockaddr *)&a, sizeof(a)), want,
                 label("connect on %s", what));
    expect_errno(listen(fd, 1), want, label("listen on %s", what));
    expect_errno(accept(fd, NULL, NULL), want, label("accept on %s", what));
    expect_errno(accept4(fd, NULL, NULL, SOCK_CLOEXEC), want,
                 label("accept4 on %s", what));
    expect_errno(getsockname(fd, (struct sockaddr *)&a, &len), want,
                 label("getsockname on %s", what));
    expect_errno(getpeername(fd, (struct sockaddr *)&a, &len), want,
                 label("getpeername on %s", what));
    expect_errno(send(fd, "x", 1, MSG_NOSIGNAL), want,
                 label("send on %s", what));
    expect_errno(recv(fd, buf, 1, MSG_DONTWAIT), want,
                 label("recv on %s", what));
    expect_errno(
        sendto(fd, "x", 1, MSG_NOSIGNAL, (struct sockaddr *)&a, sizeof(a)),
        want, label("sendto on %s", what));
    expect_errno(recvfrom(fd, buf, 1, MSG_DONTWAIT, NULL, NULL), want,
                 label("recvfrom on %s", what));
    expect_errno(setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)),
                 want, label("setsockopt on %s", what));
    len = sizeof(one);
    expect_errno(getsockopt(fd, SOL_SOCKET, SO_TYPE, &one, &len), want,
                 label("getsockopt on %s", what));
    expect_errno(shutdown(fd, SHUT_RDWR), want, label("shutdown on %s", what));
}

static void check_not_sockets(void)
{
    int p[2], closed;

    require(pipe(p), "pipe");
    check_calls_on(p[0], ENOTSOCK, "a pipe");
    // The fd is checked before the address and its length.
    expect_errno(bind(p[0], NULL, -1), ENOTSOCK,
                 "bind on a pipe with a NULL address and length -1");
    close(p[0]);
    close(p[1]);

    closed = socket(AF_INET, SOCK_STREAM, 0);
    close(closed);
    check_calls_on(closed, EBADF, "a closed fd");
    expect_errno(bind(closed, NULL, -1), EBADF,
                 "bind on a closed fd with a NULL address and length -1");
    expect_errno(bind(-1, NULL, 0), EBADF, "bind on fd -1");
}

static void check_wrong_state(void)
{
    struct sockaddr_in a = loopback_address(0);
    char buf[8];
    int fd, client, server;

    fd = socket(AF_INET, SOCK_STREAM, 0);
    expect_errno(bind_loopback(fd, 0), 0, "bind");
    expect_errno(bind_loopback(fd, 0), EINVAL, "bind a second time");
    expect_errno(accept(fd, NULL, NULL), EINVAL,
                 "accept on a bound socket that does not listen");
    expect_errno(recv(fd, buf, sizeof(buf), 0), ENOTCONN,
                 "recv on an unconnected TCP socket");
    expect_errno(read(fd, buf, sizeof(buf)), ENOTCONN,
                 "read on an unconnected TCP socket");
    expect_errno(send(fd, "x", 1, MSG_NOSIGNAL), EPIPE,
                 "send on an unconnected TCP socket");
    expect_errno(
        getpeername(fd, (struct sockaddr *)&a, &(socklen_t){sizeof(a)}),
        ENOTCONN, "getpeername of an unconnected socket");
    expect_errno(shutdown(fd, SHUT_RDWR), ENOTCONN,
                 "shutdown of an unconnected socket");
    expect_errno(listen(fd, 1), 0, "listen");
    expect_errno(
        getpeername(fd, (struct sockaddr *)&a, &(socklen_t){sizeof(a)}),
        ENOTCONN, "getpeername of a listener");
    expect_errno(recv(fd, buf, sizeof(buf), 0), ENOTCONN, "recv on a listener");
    expect_errno(connect_loopback(fd, local_port(fd)), EISCONN,
                 "connect on a listener");
    close(fd);

    tcp_pair(&client, &server);
    expect_errno(listen(client, 1), EINVAL, "listen on a connected socket");
    expect_errno(bind_loopback(client, 0), EINVAL,
                 "bind on a connected socket");
    expect_errno(connect_loopback(client, local_port(server)), EISCONN,
                 "connect on a connected socket");
    expect_errno(accept(client, NULL, NULL), EINVAL,
                 "accept on a connected socket");
    close(client);
    close(server);

    fd = udp_socket();
    expect_errno(listen(fd, 1), EOPNOTSUPP, "listen on a UDP socket");
    expect_errno(accept(fd, NULL, NULL), EOPNOTSUPP, "accept on a UDP socket");
    expect_errno(send(fd, "x", 1, 0), EDESTADDRREQ,
                 "send on an unconnected UDP socket");
    expect_errno(sendto(fd, "x", 1, 0, NULL, 0), EDESTADDRREQ,
                 "sendto without an address on an unconnected UDP socket");
    expect_errno(
        getpeername(fd, (struct sockaddr *)&a, &(socklen_t){sizeof(a)}),
        ENOTCONN, "getpeername of an unconnected UDP socket");
    close(fd);
}

static void check_addresses(void)
{
    struct sockaddr_in a = loopback_address(0);
    struct sockaddr_storage big;
    int fd;

    fd = socket(AF_INET, SOCK_STREAM, 0);
    expect_errno(bind(fd, (struct sockaddr *)&a, sizeof(a) - 1), EINVAL,
                 "bind with a short address length");
    expect_errno(bind(fd, (struct sockaddr *)&a, 0), EINVAL,
                 "bind with address length 0");
    expect_errno(bind(fd, (struct sockaddr *)&a, -1), EINVAL,
                 "bind with address length -1");
    memset(&big, 0, sizeof(big));
    memcpy(&big, &a, sizeof(a));
    expect_errno(bind(fd, (struct sockaddr *)&big, sizeof(big) + 1), EINVAL,
                 "bind with a length beyond sockaddr_storage");
    a.sin_family = AF_UNIX;
    expect_errno(bind(fd, (struct sockaddr *)&a, sizeof(a)), EAFNOSUPPORT,
                 "bind with family AF_UNIX on an AF_INET socket");
    expect_errno(bind(fd, (struct sockaddr *)&a, sizeof(a) - 1), EINVAL,
                 "bind with family AF_UNIX and a short length");
    a.sin_family = AF_UNSPEC;
    expect_errno(bind(fd, (struct sockaddr *)&a, sizeof(a)), EAFNOSUPPORT,
                 "bind with family AF_UNSPEC and address 127.0.0.1");
    a.sin_family = AF_INET;
    expect_errno(bind(fd, (struct sockaddr *)&a, sizeof(a) + 8), 0,
                 "bind with a length beyond sockaddr_in");
    close(fd);

    fd = socket(AF_INET, SOCK_STREAM, 0);
    a = loopback_address(9);
    expect_errno(connect(fd, (struct sockaddr *)&a, sizeof(a) - 1), EINVAL,
                 "connect with a short address length");
    a.sin_family = AF_UNIX;
    expect_errno(connect(fd, (struct sockaddr *)&a, sizeof(a)), EAFNOSUPPORT,
                 "connect with family AF_UNIX on an AF_INET socket");
    close(fd);

    fd = udp_socket();
    a = loopback_address(9);
    expect_errno(connect(fd, (struct sockaddr *)&a, sizeof(a) - 1), EINVAL,
                 "UDP connect with a short address length");
    a.sin_family = AF_UNIX;
    expect_errno(connect(fd, (struct sockaddr *)&a, sizeof(a)), EAFNOSUPPORT,
                 "UDP connect with family AF_UNIX");
    expect_errno(sendto(fd, "x", 1, 0, (struct sockaddr *)&a, sizeof(a)),
                 EAFNOSUPPORT, "UDP sendto with family AF_UNIX");
    a.sin_family = AF_INET;
    expect_errno(sendto(fd, "x", 1, 0, (struct sockaddr *)&a, sizeof(a) - 1),
                 EINVAL, "UDP sendto with a short address length");
    close(fd);
}

static void check_unknown_options(void)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    int value = 1;
    socklen_t len = sizeof(value);

    expect_errno(setsockopt(fd, SOL_SOCKET, 9999, &value, sizeof(value)),
                 ENOPROTOOPT, "setsockopt SOL_SOCKET option 9999");
    expect_errno(getsockopt(fd, SOL_SOCKET, 9999, &value, &len), ENOPROTOOPT,
                 "getsockopt SOL_SOCKET option 9999");
    expect_errno(setsockopt(fd, IPPROTO_TCP, 9999, &value, sizeof(value)),
                 ENOPROTOOPT, "setsockopt IPPROTO_TCP option 9999");
    len = sizeof(value);
    expect_errno(getsockopt(fd, IPPROTO_TCP, 9999, &value, &len), ENOPROTOOPT,
                 "getsockopt IPPROTO_TCP option 9999");
    expect_errno(setsockopt(fd, 12345, 1, &value, sizeof(value)), ENOPROTOOPT,
                 "setsockopt at level 12345");
    expect_errno(setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &value, 2), EINVAL,
                 "setsockopt SO_REUSEADDR with length 2");
    len = -1;
    expect_errno(getsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &value, &len), EINVAL,
                 "getsockopt with length -1");
    close(fd);
}

static void check_option_round_trips(void)
{
    struct linger linger = {1, 5}, linger_read = {0, 0};
    socklen_t len;
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    int value;

    expect_long(get_int_option(fd, SOL_SOCKET, SO_REUSEADDR), 0,
                "SO_REUSEADDR at first");
    set_int_option(fd, SOL_SOCKET, SO_REUSEADDR, 1);
    expect_long(get_int_option(fd, SOL_SOCKET, SO_REUSEADDR), 1,
                "SO_REUSEADDR after setting 1");
    set_int_option(fd, SOL_SOCKET, SO_REUSEADDR, 0);
    expect_long(get_int_option(fd, SOL_SOCKET, SO_REUSEADDR), 0,
                "SO_REUSEADDR after setting 0");

    expect_long(get_int_option(fd, SOL_SOCKET, SO_KEEPALIVE), 0,
                "SO_KEEPALIVE at first");
    set_int_option(fd, SOL_SOCKET, SO_KEEPALIVE, 5);
    expect_long(get_int_option(fd, SOL_SOCKET, SO_KEEPALIVE), 1,
                "SO_KEEPALIVE after setting 5");

    set_int_option(fd, SOL_SOCKET, SO_RCVBUF, 65536);
    expect_true(get_int_option(fd, SOL_SOCKET, SO_RCVBUF) >= 65536,
                "SO_RCVBUF reads back at least the 65536 set");
    set_int_option(fd, SOL_SOCKET, SO_SNDBUF, 65536);
    expect_true(get_int_option(fd, SOL_SOCKET, SO_SNDBUF) >= 65536,
                "SO_SNDBUF reads back at least the 65536 set");
    len = 99;
    getsockopt(fd, SOL_SOCKET, SO_SNDBUF, &value, &len);
    expect_long(len, sizeof(int), "getsockopt SO_SNDBUF length");

    len = sizeof(linger_read);
    getsockopt(fd, SOL_SOCKET, SO_LINGER, &linger_read, &len);
    expect_long(linger_read.l_onoff, 0, "SO_LINGER l_onoff at first");
    expect_errno(setsockopt(fd, SOL_SOCKET, SO_LINGER, &linger, sizeof(linger)),
                 0, "setsockopt SO_LINGER {1, 5}");
    len = sizeof(linger_read);
    getsockopt(fd, SOL_SOCKET, SO_LINGER, &linger_read, &len);
    expect_long(len, sizeof(linger), "SO_LINGER length");
    expect_long(linger_read.l_onoff, 1, "SO_LINGER l_onoff read back");
    expect_long(linger_read.l_linger, 5, "SO_LINGER l_linger read back");
    expect_errno(setsockopt(fd, SOL_SOCKET, SO_LINGER, &linger, 4), EINVAL,
                 "setsockopt SO_LINGER with length 4");

    expect_long(get_int_option(fd, IPPROTO_TCP, TCP_NODELAY), 0,
                "TCP_NODELAY at first");
    set_int_option(fd, IPPROTO_TCP, TCP_NODELAY, 1);
    expect_long(get_int_option(fd, IPPROTO_TCP, TCP_NODELAY), 1,
                "TCP_NODELAY after setting 1");
    set_int_option(fd, IPPROTO_TCP, TCP_NODELAY, 0);
    expect_long(get_int_option(fd, IPPROTO_TCP, TCP_NODELAY), 0,
                "TCP_NODELAY after setting 0");

    expect_errno(set_int_option(fd, IPPROTO_TCP, TCP_KEEPIDLE, 30), 0,
                 "setsockopt TCP_KEEPIDLE 30");
    expect_long(get_int_option(fd, IPPROTO_TCP, TCP_KEEPIDLE), 30,
                "TCP_KEEPIDLE read back");
    expect_errno(set_int_option(fd, IPPROTO_TCP, TCP_KEEPINTVL, 5), 0,
                 "setsockopt TCP_KEEPINTVL 5");
    expect_long(get_int_option(fd, IPPROTO_TCP, TCP_KEEPINTVL), 5,
                "TCP_KEEPINTVL read back");
    expect_errno(set_int_option(fd, IPPROTO_TCP, TCP_KEEPCNT, 3), 0,
                 "setsockopt TCP_KEEPCNT 3");
    expect_long(get_int_option(fd, IPPROTO_TCP, TCP_KEEPCNT), 3,
                "TCP_KEEPCNT read back");
    expect_errno(set_int_option(fd, IPPROTO_TCP, TCP_KEEPIDLE, 0), EINVAL,
                 "setsockopt TCP_KEEPIDLE 0");
    expect_errno(set_int_option(fd, IPPROTO_TCP, TCP_KEEPINTVL, 0), EINVAL,
                 "setsockopt TCP_KEEPINTVL 0");
    expect_errno(set_int_option(fd, IPPROTO_TCP, TCP_KEEPCNT, 0), EINVAL,
                 "setsockopt TCP_KEEPCNT 0");
    expect_long(get_int_option(fd, IPPROTO_TCP, TCP_KEEPIDLE), 30,
                "TCP_KEEPIDLE after the rejected value");
    close(fd);
}

static void check_timeouts(void)
{
    static char buf[65536];
    struct timeval tv = {0, 100000}, tv_read = {0, 0};
    socklen_t len = sizeof(tv_read);
    long long start, elapsed;
    long n;
    int client, server;

    tcp_pair_with_buffers(&client, &server, 4096);
    expect_errno(setsockopt(server, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)),
                 0, "setsockopt SO_RCVTIMEO 100 ms");
    getsockopt(server, SOL_SOCKET, SO_RCVTIMEO, &tv_read, &len);
    expect_long(len, sizeof(tv), "SO_RCVTIMEO length");
    // Linux keeps the timeout in jiffies, so it may read back rounded up.
    expect_true(tv_read.tv_sec == 0 && tv_read.tv_usec >= 100000 &&
                    tv_read.tv_usec < 110000,
                "SO_RCVTIMEO reads back about 100 ms");
    start = now_ms();
    expect_errno(recv(server, buf, sizeof(buf), 0), EAGAIN,
                 "recv with SO_RCVTIMEO and no data");
    elapsed = now_ms() - start;
    expect_true(elapsed >= 100, "recv waited at least 100 ms");
    expect_true(elapsed < 2000, "recv returned within 2 s");
    tv.tv_usec = 1000000;
    expect_errno(setsockopt(server, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)),
                 EDOM, "setsockopt SO_RCVTIMEO with tv_usec 1000000");
    expect_errno(setsockopt(server, SOL_SOCKET, SO_RCVTIMEO, &tv, 4), EINVAL,
                 "setsockopt SO_RCVTIMEO with length 4");

    // Fill the client's send buffer and the server's receive buffer. The
    // pause lets what is in flight settle, so the last send finds no room.
    for (int round = 0; round < 2; round++) {
        for (int i = 0; i < 10000; i++) {
            n = send(client, buf, sizeof(buf), MSG_DONTWAIT);
            if (n < 0)
                break;
        }
        sleep_ms(100);
    }
    tv.tv_usec = 100000;
    expect_errno(setsockopt(client, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv)),
                 0, "setsockopt SO_SNDTIMEO 100 ms");
    len = sizeof(tv_read);
    getsockopt(client, SOL_SOCKET, SO_SNDTIMEO, &tv_read, &len);
    expect_true(tv_read.tv_sec == 0 && tv_read.tv_usec >= 100000 &&
                    tv_read.tv_usec < 110000,
                "SO_SNDTIMEO reads back about 100 ms");
    start = now_ms();
    expect_errno(send(client, buf, 1000, 0), EAGAIN,
                 "send with SO_SNDTIMEO into full buffers");
    elapsed = now_ms() - start;
    expect_true(elapsed >= 100, "send waited at least 100 ms");
    expect_true(elapsed < 2000, "send returned within 2 s");
    close(client);
    close(server);
}

static volatile sig_atomic_t sigpipes;

static void count_sigpipe(int sig)
{
    (void)sig;
    sigpipes++;
}

// Makes a connection whose server end sent a reset: the server gets data
// that it does not read, then closes with SO_LINGER {1, 0}. Returns the
// client end after the reset has arrived.
static int reset_connection(void)
{
    struct linger abort_on_close = {1, 0};
    int client, server, revents;

    tcp_pair(&client, &server);
    send(client, "unread", 6, MSG_NOSIGNAL);
    if (wait_for(server, POLLIN, 2000) != POLLIN)
        expect_true(false, "the server receives the data");
    setsockopt(server, SOL_SOCKET, SO_LINGER, &abort_on_close,
               sizeof(abort_on_close));
    close(server);
    revents = wait_for(client, POLLIN, 2000);
    if (!(revents & POLLERR))
        expect_str(event_names(revents), "IN ERR HUP",
                   "the reset reaches the client");
    return client;
}

static void check_reset(void)
{
    struct sockaddr_in a;
    struct sigaction sa;
    char buf[8];
    int fd;

    fd = reset_connection();
    expect_str(event_names(wait_for(fd, POLLIN | POLLOUT, 0)), "IN OUT ERR HUP",
               "poll after the reset");
    expect_errno(send(fd, "x", 1, MSG_NOSIGNAL), ECONNRESET,
                 "first send MSG_NOSIGNAL after the reset");
    expect_errno(send(fd, "x", 1, MSG_NOSIGNAL), EPIPE,
                 "second send MSG_NOSIGNAL after the reset");
    expect_errno(send(fd, "x", 1, MSG_NOSIGNAL), EPIPE,
                 "third send MSG_NOSIGNAL after the reset");
    expect_str(event_names(wait_for(fd, POLLIN | POLLOUT, 0)), "IN OUT HUP",
               "poll after the error was returned");
    expect_long(recv(fd, buf, sizeof(buf), 0), 0,
                "recv after the error was returned");
    expect_errno(
        getpeername(fd, (struct sockaddr *)&a, &(socklen_t){sizeof(a)}),
        ENOTCONN, "getpeername after the reset");
    close(fd);

    fd = reset_connection();
    expect_errno(recv(fd, buf, sizeof(buf), 0), ECONNRESET,
                 "first recv after the reset");
    expect_long(recv(fd, buf, sizeof(buf), 0), 0,
                "second recv after the reset");
    expect_errno(send(fd, "x", 1, MSG_NOSIGNAL), EPIPE,
                 "send after recv returned the reset");
    close(fd);

    fd = reset_connection();
    expect_str(errno_name(get_int_option(fd, SOL_SOCKET, SO_ERROR)),
               "ECONNRESET", "SO_ERROR after the reset");
    expect_str(errno_name(get_int_option(fd, SOL_SOCKET, SO_ERROR)), "0",
               "SO_ERROR read again");
    expect_errno(send(fd, "x", 1, MSG_NOSIGNAL), EPIPE,
                 "send after SO_ERROR returned the reset");
    close(fd);

    signal(SIGPIPE, SIG_IGN);
    fd = reset_connection();
    expect_errno(write(fd, "x", 1), ECONNRESET,
                 "first write after the reset, SIGPIPE ignored");
    expect_errno(write(fd, "x", 1), EPIPE,
                 "second write after the reset, SIGPIPE ignored");
    close(fd);

    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = count_sigpipe;
    sigaction(SIGPIPE, &sa, NULL);
    fd = reset_connection();
    expect_errno(write(fd, "x", 1), ECONNRESET,
                 "first write after the reset, SIGPIPE handled");
    expect_long(sigpipes, 0, "SIGPIPE handler calls after ECONNRESET");
    expect_errno(write(fd, "x", 1), EPIPE,
                 "second write after the reset, SIGPIPE handled");
    expect_long(sigpipes, 1, "SIGPIPE handler calls after one EPIPE");
    expect_errno(write(fd, "xy", 2), EPIPE,
                 "third write after the reset, SIGPIPE handled");
    expect_long(sigpipes, 2, "SIGPIPE handler calls after two EPIPEs");
    expect_errno(send(fd, "x", 1, MSG_NOSIGNAL), EPIPE,
                 "send MSG_NOSIGNAL, SIGPIPE handled");
    expect_long(sigpipes, 2, "SIGPIPE handler calls after MSG_NOSIGNAL");
    close(fd);

    fd = socket(AF_INET, SOCK_STREAM, 0);
    expect_errno(write(fd, "x", 1), EPIPE,
                 "write on an unconnected socket, SIGPIPE handled");
    expect_long(sigpipes, 3, "SIGPIPE handler calls after that write");
    close(fd);
    signal(SIGPIPE, SIG_DFL);
}

// Formats the local name of fd as "address, port set" or "address, port
// 0", so that the output does not depend on the port chosen.
static const char *local_name(int fd)
{
    static char buf[64];
    struct sockaddr_in a;
    socklen_t len = sizeof(a);

    if (getsockname(fd, (struct sockaddr *)&a, &len) < 0)
        return errno_name(errno);
    snprintf(buf, sizeof(buf), "%s, port %s", inet_ntoa(a.sin_addr),
             a.sin_port ? "set" : "0");
    return buf;
}

// Calls that move no data still make the checks of a send, while a read
// of 0 bytes returns at once.
static void check_zero_length(void)
{
    char buf[4];
    int fd;

    signal(SIGPIPE, SIG_IGN);
    fd = socket(AF_INET, SOCK_STREAM, 0);
    expect_errno(send(fd, buf, 0, MSG_NOSIGNAL), EPIPE,
                 "send of 0 bytes on an unconnected socket");
    expect_errno(write(fd, buf, 0), EPIPE,
                 "write of 0 bytes on an unconnected socket");
    expect_errno(read(fd, buf, 0), 0,
                 "read of 0 bytes on an unconnected socket");
    expect_errno(recv(fd, buf, 0, 0), ENOTCONN,
                 "recv of 0 bytes on an unconnected socket");
    require(bind_loopback(fd, 0), "bind");
    require(listen(fd, 1), "listen");
    expect_errno(send(fd, "x", 1, MSG_NOSIGNAL), EPIPE, "send on a listener");
    expect_errno(recv(fd, buf, 0, 0), ENOTCONN,
                 "recv of 0 bytes on a listener");
    close(fd);
    signal(SIGPIPE, SIG_DFL);
}

// A connected socket returns EISCONN before it checks the address,
// except for its family field.
static void check_connect_on_connected(void)
{
    struct sockaddr_in a = loopback_address(9), unix_family = {AF_UNIX};
    int client, server;

    tcp_pair(&client, &server);
    expect_errno(connect(client, (struct sockaddr *)&a, 4), EISCONN,
                 "connect with a short address on a connected socket");
    expect_errno(connect(client, (struct sockaddr *)&unix_family, sizeof(a)),
                 EISCONN, "connect with family AF_UNIX on a connected socket");
    expect_errno(connect(client, (struct sockaddr *)&a, 1), EINVAL,
                 "connect with address length 1 on a connected socket");
    expect_errno(connect(client, (struct sockaddr *)&a, -1), EINVAL,
                 "connect with address length -1 on a connected socket");
    // TCP ignores the address of sendto once its length is valid.
    expect_long(
        sendto(client, "x", 1, 0, (struct sockaddr *)&unix_family, sizeof(a)),
        1, "sendto with an AF_UNIX address on a connected socket");
    expect_long(sendto(client, "x", 1, 0, (struct sockaddr *)&a, 3), 1,
                "sendto with a 3-byte address on a connected socket");
    expect_errno(sendto(client, "x", 1, 0, (struct sockaddr *)&a, -1), EINVAL,
                 "sendto with address length -1 on a connected socket");
    expect_errno(sendto(client, "x", 1, 0, (struct sockaddr *)&a, 200), EINVAL,
                 "sendto with address length 200 on a connected socket");
    close(client);
    close(server);
}

// A refused connect leaves the socket free for another try, which Linux
// starts anew.
static void check_refused_connects(void)
{
    char buf[4];
    uint16_t port;
    int bound, fd, listener;

    bound = socket(AF_INET, SOCK_STREAM, 0);
    require(bind_loopback(bound, 0), "bind");
    port = local_port(bound);

    fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
    expect_errno(connect_loopback(fd, port), EINPROGRESS,
                 "non-blocking connect to a port nobody listens on");
    wait_for(fd, POLLOUT, 2000);
    expect_errno(connect_loopback(fd, port), ECONNREFUSED,
                 "connect again after the refusal");
    expect_errno(connect_loopback(fd, port), EINPROGRESS,
                 "connect a third time starts anew");
    wait_for(fd, POLLOUT, 2000);
    expect_errno(connect_loopback(fd, port), ECONNREFUSED,
                 "connect a fourth time after the second refusal");
    close(fd);

    fd = socket(AF_INET, SOCK_STREAM, 0);
    expect_errno(connect_loopback(fd, port), ECONNREFUSED,
                 "blocking connect to a port nobody listens on");
    expect_str(event_names(wait_for(fd, POLLIN | POLLOUT, 0)), "OUT HUP",
               "poll after the refused connect");
    expect_errno(recv(fd, buf, sizeof(buf), MSG_DONTWAIT), ENOTCONN,
                 "recv after the refused connect");
    expect_errno(send(fd, "x", 1, MSG_NOSIGNAL), EPIPE,
                 "send after the refused connect");
    expect_str(local_name(fd), "0.0.0.0, port set",
               "getsockname after the refused connect");
    expect_errno(connect_loopback(fd, port), ECONNREFUSED,
                 "blocking connect again");
    listener = socket(AF_INET, SOCK_STREAM, 0);
    require(bind_loopback(listener, 0), "bind of a listener");
    require(listen(listener, 1), "listen");
    expect_errno(connect_loopback(fd, local_port(listener)), 0,
                 "connect to a listener after two refusals");
    close(fd);
    close(listener);
    close(bound);
}

// shutdown on sockets without a connection: Linux returns ENOTCONN but
// marks the directions, and a listener that stops reading stops
// listening.
static void check_shutdown_states(void)
{
    char buf[4];
    uint16_t port;
    int fd, client, listener;

    fd = socket(AF_INET, SOCK_STREAM, 0);
    expect_errno(shutdown(fd, SHUT_RDWR), ENOTCONN, "shutdown of a new socket");
    expect_str(event_names(wait_for(fd, POLLIN | POLLOUT, 0)), "IN OUT HUP",
               "poll after the shutdown of a new socket");
    expect_errno(shutdown(fd, 3), EINVAL, "shutdown with how 3");
    expect_errno(shutdown(fd, -1), EINVAL, "shutdown with how -1");
    close(fd);

    listener = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
    require(bind_loopback(listener, 0), "bind of a listener");
    require(listen(listener, 4), "listen");
    port = local_port(listener);
    client = socket(AF_INET, SOCK_STREAM, 0);
    require(connect_loopback(client, port), "connect");
    wait_for(listener, POLLIN, 2000);
    expect_errno(shutdown(listener, SHUT_WR), 0, "SHUT_WR of a listener");
    expect_str(event_names(wait_for(listener, POLLIN | POLLOUT, 0)), "IN",
               "poll of the listener after SHUT_WR");
    expect_errno(shutdown(listener, SHUT_RD), 0, "SHUT_RD of a listener");
    expect_str(event_names(wait_for(listener, POLLIN | POLLOUT, 0)), "OUT HUP",
               "poll of the listener after SHUT_RD");
    expect_errno(accept(listener, NULL, NULL), EINVAL,
                 "accept after SHUT_RD of the listener");
    expect_str(event_names(wait_for(client, POLLIN, 2000)), "IN ERR HUP",
               "the waiting client is reset");
    expect_errno(recv(client, buf, sizeof(buf), 0), ECONNRESET,
                 "recv of the waiting client");
    expect_errno(listen(listener, 4), 0, "listen again after SHUT_RD");
    close(client);
    close(listener);
}

// What a socket allows once a reset ended its connection, and what
// connect to AF_UNSPEC leaves.
static void check_after_reset(void)
{
    struct sockaddr_in unspec = {AF_UNSPEC};
    int fd, client, server;

    fd = reset_connection();
    expect_str(local_name(fd), "127.0.0.1, port set",
               "getsockname after the reset");
    expect_errno(shutdown(fd, SHUT_WR), ENOTCONN, "shutdown after the reset");
    expect_str(errno_name(get_int_option(fd, SOL_SOCKET, SO_ERROR)),
               "ECONNRESET", "SO_ERROR after shutdown took no error");
    expect_errno(connect_loopback(fd, 9), EISCONN, "connect after the reset");
    expect_errno(listen(fd, 1), EINVAL, "listen after the reset");
    expect_errno(bind_loopback(fd, 0), 0, "bind after the reset");
    close(fd);

    fd = reset_connection();
    expect_errno(connect(fd, (struct sockaddr *)&unspec, sizeof(unspec)), 0,
                 "connect to AF_UNSPEC after the reset");
    expect_str(local_name(fd), "0.0.0.0, port set",
               "getsockname after connect to AF_UNSPEC");
    expect_str(errno_name(get_int_option(fd, SOL_SOCKET, SO_ERROR)),
               "ECONNRESET", "SO_ERROR after connect to AF_UNSPEC");
    close(fd);

    tcp_pair(&client, &server);
    expect_errno(connect(client, (struct sockaddr *)&unspec, sizeof(unspec)), 0,
                 "connect to AF_UNSPEC of a connection");
    expect_str(event_names(wait_for(client, POLLIN | POLLOUT, 0)),
               "OUT ERR HUP", "poll after connect to AF_UNSPEC");
    expect_str(errno_name(get_int_option(client, SOL_SOCKET, SO_ERROR)),
               "ECONNRESET", "SO_ERROR after connect to AF_UNSPEC");
    expect_str(event_names(wait_for(server, POLLIN, 2000)), "IN ERR HUP",
               "the peer is reset");
    close(client);
    close(server);
}

// Linux binds the local addresses, including all of 127.0.0.0/8 and
// broadcast, and takes AF_UNSPEC as AF_INET only with INADDR_ANY.
static void check_bind_addresses(void)
{
    struct sockaddr_in a = loopback_address(0);
    int fd;

    fd = socket(AF_INET, SOCK_STREAM, 0);
    a.sin_addr.s_addr = htonl(0xc0000201); // 192.0.2.1, not an address here
    expect_errno(bind(fd, (struct sockaddr *)&a, sizeof(a)), EADDRNOTAVAIL,
                 "bind to an address that is not local");
    a.sin_addr.s_addr = htonl(0x7f000002);
    expect_errno(bind(fd, (struct sockaddr *)&a, sizeof(a)), 0,
                 "bind to 127.0.0.2");
    close(fd);

    fd = socket(AF_INET, SOCK_STREAM, 0);
    a.sin_addr.s_addr = htonl(INADDR_BROADCAST);
    expect_errno(bind(fd, (struct sockaddr *)&a, sizeof(a)), 0,
                 "bind to 255.255.255.255");
    close(fd);

    fd = socket(AF_INET, SOCK_STREAM, 0);
    a.sin_family = AF_UNSPEC;
    a.sin_addr.s_addr = htonl(INADDR_ANY);
    expect_errno(bind(fd, (struct sockaddr *)&a, sizeof(a)), 0,
                 "bind with family AF_UNSPEC and address 0.0.0.0");
    expect_str(local_name(fd), "0.0.0.0, port set",
               "getsockname after that bind");
    close(fd);
}

int main(void)
{
    setvbuf(stdout, NULL, _IOLBF, 0);
    check_socket_arguments();
    check_not_sockets();
    check_wrong_state();
    check_addresses();
    check_unknown_options();
    check_option_round_trips();
    check_timeouts();
    check_reset();
    check_zero_length();
    check_connect_on_connected();
    check_refused_connects();
    check_shutdown_states();
    check_after_reset();
    check_bind_addresses();
    return finish();
}
