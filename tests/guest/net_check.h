// Network helpers shared by the guest test programs net_*.c: clocks,
// loopback addresses, connected TCP pairs, bound UDP sockets and the names
// of poll events. Include this file after check.h, because the helpers
// stop the test with require() when a setup call fails.
//
// The functions are marked unused so that a program which calls only some
// of them compiles without unused-function warnings. POLLRDHUP needs
// _GNU_SOURCE, which every program defines before its first include.
#ifndef POGO_TESTS_GUEST_NET_CHECK_H
#define POGO_TESTS_GUEST_NET_CHECK_H

#include <netinet/in.h>
#include <poll.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <time.h>
#include <unistd.h>

// ---- Time -----------------------------------------------------------------

// Returns CLOCK_MONOTONIC in milliseconds.
__attribute__((unused)) static long long now_ms(void)
{
    struct timespec t;

    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec * 1000LL + t.tv_nsec / 1000000;
}

__attribute__((unused)) static void sleep_ms(long ms)
{
    struct timespec t = {ms / 1000, ms % 1000 * 1000000};

    nanosleep(&t, NULL);
}

// ---- Addresses ------------------------------------------------------------

// Returns 127.0.0.1 at port, which is in host byte order.
__attribute__((unused)) static struct sockaddr_in
loopback_address(uint16_t port)
{
    struct sockaddr_in a;

    memset(&a, 0, sizeof(a));
    a.sin_family = AF_INET;
    a.sin_port = htons(port);
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    return a;
}

// Returns the port that fd is bound to, or 0 when getsockname fails.
__attribute__((unused)) static uint16_t local_port(int fd)
{
    struct sockaddr_in a;
    socklen_t len = sizeof(a);

    if (getsockname(fd, (struct sockaddr *)&a, &len) < 0)
        return 0;
    return ntohs(a.sin_port);
}

__attribute__((unused)) static int bind_loopback(int fd, uint16_t port)
{
    struct sockaddr_in a = loopback_address(port);

    return bind(fd, (struct sockaddr *)&a, sizeof(a));
}

__attribute__((unused)) static int connect_loopback(int fd, uint16_t port)
{
    struct sockaddr_in a = loopback_address(port);

    return connect(fd, (struct sockaddr *)&a, sizeof(a));
}

// ---- Sockets --------------------------------------------------------------

// Returns a socket listening on 127.0.0.1 at a port the kernel picks, and
// stores that port.
__attribute__((unused)) static int tcp_listener(int backlog, uint16_t *port)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);

    require(fd, "socket for a listener");
    require(bind_loopback(fd, 0), "bind of a listener");
    require(listen(fd, backlog), "listen");
    *port = local_port(fd);
    return fd;
}

// Returns a socket connected to a listener on 127.0.0.1 at port.
__attribute__((unused)) static int tcp_connect(uint16_t port)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);

    require(fd, "socket for a client");
    require(connect_loopback(fd, port), "connect to a listener");
    return fd;
}

// Makes a connected pair: the client end and the accepted end. A positive
// buffer_size sets SO_SNDBUF on the client and SO_RCVBUF on the listener
// before the connection starts, so that the accepted end inherits it.
__attribute__((unused)) static void
tcp_pair_with_buffers(int *client, int *server, int buffer_size)
{
    uint16_t port;
    int listener = socket(AF_INET, SOCK_STREAM, 0);

    require(listener, "socket for a listener");
    if (buffer_size > 0)
        setsockopt(listener, SOL_SOCKET, SO_RCVBUF, &buffer_size,
                   sizeof(buffer_size));
    require(bind_loopback(listener, 0), "bind of a listener");
    require(listen(listener, 4), "listen");
    port = local_port(listener);
    *client = socket(AF_INET, SOCK_STREAM, 0);
    require(*client, "socket for a client");
    if (buffer_size > 0)
        setsockopt(*client, SOL_SOCKET, SO_SNDBUF, &buffer_size,
                   sizeof(buffer_size));
    require(connect_loopback(*client, port), "connect to a listener");
    *server = accept(listener, NULL, NULL);
    require(*server, "accept");
    close(listener);
}

// Makes a connected pair with the default buffer sizes.
__attribute__((unused)) static void tcp_pair(int *client, int *server)
{
    tcp_pair_with_buffers(client, server, 0);
}

// Returns a UDP socket bound to 127.0.0.1 at a port the kernel picks.
// Binding first keeps the kernel from binding it to 0.0.0.0 when a send
// needs a local port.
__attribute__((unused)) static int udp_socket(void)
{
    int fd = socket(AF_INET, SOCK_DGRAM, 0);

    require(fd, "socket for UDP");
    require(bind_loopback(fd, 0), "bind of UDP");
    return fd;
}

// Receives len bytes, or fewer when the connection ends, and returns the
// count.
__attribute__((unused)) static size_t receive_all(int fd, void *buf, size_t len)
{
    size_t got = 0;

    while (got < len) {
        ssize_t n = recv(fd, (char *)buf + got, len - got, 0);

        if (n <= 0)
            break;
        got += n;
    }
    return got;
}

// ---- Events ---------------------------------------------------------------

// Waits up to timeout_ms for events on fd and returns poll's revents, 0 on
// a timeout or -1 when poll failed.
__attribute__((unused)) static int wait_for(int fd, short events,
                                            int timeout_ms)
{
    struct pollfd p = {fd, events, 0};
    int n = poll(&p, 1, timeout_ms);

    if (n < 0)
        return -1;
    return n == 0 ? 0 : p.revents;
}

// Names the bits of poll's revents. It names the events that epoll_wait
// returns too, because Linux gives EPOLLIN, EPOLLPRI, EPOLLOUT, EPOLLERR,
// EPOLLHUP and EPOLLRDHUP the values of the POLL bits with the same names.
// A negative value is the -1 of a failed poll. The result stays valid until
// the next call.
__attribute__((unused)) static const char *event_names(int events)
{
    static char buf[64];

    if (events < 0)
        return "poll failed";
    buf[0] = '\0';
    if (events & POLLIN)
        strcat(buf, "IN ");
    if (events & POLLPRI)
        strcat(buf, "PRI ");
    if (events & POLLOUT)
        strcat(buf, "OUT ");
    if (events & POLLERR)
        strcat(buf, "ERR ");
    if (events & POLLHUP)
        strcat(buf, "HUP ");
    if (events & POLLRDHUP)
        strcat(buf, "RDHUP ");
    if (events & POLLNVAL)
        strcat(buf, "NVAL ");
    if (!buf[0])
        return "none";
    buf[strlen(buf) - 1] = '\0';
    return buf;
}

#endif
