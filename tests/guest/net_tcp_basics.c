// TCP over loopback as Linux has it. The checks cover socket, bind,
// listen, accept and connect, and the addresses that getsockname and
// getpeername return. 1 MiB goes each way intact. MSG_PEEK, MSG_WAITALL
// and MSG_DONTWAIT work, and the peer reads end of file after shutdown
// and close. Further checks cover accept4 flags, SO_REUSEADDR and
// EADDRINUSE, ECONNREFUSED, non-blocking connect, and connections beyond
// the listen backlog, which wait instead of failing. Last come readv,
// recvmsg and MSG_TRUNC, data after SHUT_RD, sharing a port, and a
// connect that waits. Ports change from run to run, so the test prints
// none.
// test: config=NET=y
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#include "check.h"
#include "net_check.h"

// ---- Helpers ------------------------------------------------------------

#define BIG_SIZE (1 << 20)

static uint16_t peer_port(int fd)
{
    struct sockaddr_in a;
    socklen_t len = sizeof(a);

    if (getpeername(fd, (struct sockaddr *)&a, &len) < 0)
        return 0;
    return ntohs(a.sin_port);
}

static int socket_error(int fd)
{
    int err = -1;
    socklen_t len = sizeof(err);

    if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) < 0)
        return -1;
    return err;
}

static unsigned char pattern(size_t i)
{
    return (unsigned char)(i * 131 + (i >> 12));
}

// FNV-1a, 32 bits.
static uint32_t checksum_update(uint32_t sum, const unsigned char *p, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        sum ^= p[i];
        sum *= 16777619u;
    }
    return sum;
}

#define CHECKSUM_START 2166136261u

// ---- Checks -------------------------------------------------------------

static void check_addresses(void)
{
    struct sockaddr_in a;
    socklen_t len;
    char text[INET_ADDRSTRLEN];
    uint16_t port;
    int fd, listener, client, server;

    fd = socket(AF_INET, SOCK_STREAM, 0);
    require(fd, "socket");
    len = sizeof(a);
    memset(&a, 0xff, sizeof(a));
    expect_errno(getsockname(fd, (struct sockaddr *)&a, &len), 0,
                 "getsockname of an unbound socket");
    inet_ntop(AF_INET, &a.sin_addr, text, sizeof(text));
    expect_str(text, "0.0.0.0", "unbound socket: address");
    expect_long(ntohs(a.sin_port), 0, "unbound socket: port");
    close(fd);

    listener = tcp_listener(4, &port);
    len = sizeof(a);
    memset(&a, 0, sizeof(a));
    expect_errno(getsockname(listener, (struct sockaddr *)&a, &len), 0,
                 "getsockname of the listener");
    expect_long(len, sizeof(struct sockaddr_in), "listener: address length");
    expect_long(a.sin_family, AF_INET, "listener: family AF_INET");
    inet_ntop(AF_INET, &a.sin_addr, text, sizeof(text));
    expect_str(text, "127.0.0.1", "listener: address");
    expect_long(port != 0, 1, "listener: port nonzero");

    client = socket(AF_INET, SOCK_STREAM, 0);
    require(client, "socket for a client");
    expect_errno(connect_loopback(client, port), 0, "connect");
    len = sizeof(a);
    memset(&a, 0, sizeof(a));
    server = accept(listener, (struct sockaddr *)&a, &len);
    require(server, "accept");
    expect_long(len, sizeof(struct sockaddr_in), "accept: peer address length");
    expect_long(a.sin_family, AF_INET, "accept: peer family AF_INET");
    inet_ntop(AF_INET, &a.sin_addr, text, sizeof(text));
    expect_str(text, "127.0.0.1", "accept: peer address");
    expect_true(ntohs(a.sin_port) == local_port(client),
                "accept: peer port is the client's port");

    len = sizeof(a);
    memset(&a, 0, sizeof(a));
    expect_errno(getsockname(client, (struct sockaddr *)&a, &len), 0,
                 "getsockname of the client");
    expect_long(a.sin_family, AF_INET, "client: family AF_INET");
    inet_ntop(AF_INET, &a.sin_addr, text, sizeof(text));
    expect_str(text, "127.0.0.1", "client: address");
    expect_long(ntohs(a.sin_port) != 0, 1, "client: port nonzero");
    expect_true(ntohs(a.sin_port) != port,
                "client: port differs from the listener's");

    len = sizeof(a);
    memset(&a, 0, sizeof(a));
    expect_errno(getpeername(client, (struct sockaddr *)&a, &len), 0,
                 "getpeername of the client");
    expect_long(len, sizeof(struct sockaddr_in), "client peer: length");
    expect_long(a.sin_family, AF_INET, "client peer: family AF_INET");
    inet_ntop(AF_INET, &a.sin_addr, text, sizeof(text));
    expect_str(text, "127.0.0.1", "client peer: address");
    expect_true(ntohs(a.sin_port) == port,
                "client peer: port is the listener's");

    expect_true(local_port(server) == port,
                "accepted socket: local port is the listener's");
    expect_true(peer_port(server) == local_port(client),
                "accepted socket: peer port is the client's");

    // A short buffer gets a truncated address and the full length.
    len = 4;
    memset(&a, 0, sizeof(a));
    expect_errno(getsockname(client, (struct sockaddr *)&a, &len), 0,
                 "getsockname with a 4-byte buffer");
    expect_long(len, sizeof(struct sockaddr_in),
                "getsockname with a 4-byte buffer: length");
    expect_long(a.sin_addr.s_addr, 0,
                "getsockname with a 4-byte buffer: address not written");
    close(client);
    close(server);
    close(listener);
}

struct sender {
    int fd;
    size_t size;
    long delay_ms;
    int pieces;
    ssize_t result;
};

static void *send_big(void *arg)
{
    struct sender *s = arg;
    unsigned char *buf = malloc(s->size);
    size_t sent = 0;

    for (size_t i = 0; i < s->size; i++)
        buf[i] = pattern(i);
    while (sent < s->size) {
        ssize_t n = send(s->fd, buf + sent, s->size - sent, MSG_NOSIGNAL);

        if (n <= 0)
            break;
        sent += n;
    }
    s->result = sent;
    free(buf);
    return NULL;
}

static void check_big_transfer(void)
{
    static unsigned char buf[BIG_SIZE];
    struct sender s = {0};
    pthread_t t;
    uint32_t sum = CHECKSUM_START, want = CHECKSUM_START;
    size_t got = 0;
    long mismatched = 0;
    int client, server;

    tcp_pair(&client, &server);
    s.fd = client;
    s.size = BIG_SIZE;
    pthread_create(&t, NULL, send_big, &s);
    while (got < BIG_SIZE) {
        ssize_t n = recv(server, buf + got, BIG_SIZE - got, 0);

        if (n <= 0)
            break;
        got += n;
    }
    pthread_join(t, NULL);
    expect_long(s.result, BIG_SIZE, "bytes sent of 1 MiB");
    expect_long(got, BIG_SIZE, "bytes received of 1 MiB");
    for (size_t i = 0; i < got; i++) {
        unsigned char expected = pattern(i);

        mismatched += buf[i] != expected;
        want = checksum_update(want, &expected, 1);
    }
    sum = checksum_update(sum, buf, got);
    expect_true(sum == want, "1 MiB checksum matches");
    expect_long(mismatched, 0, "1 MiB: bytes that differ");

    // The other direction, with the receiver on a thread.
    s.fd = server;
    got = 0;
    pthread_create(&t, NULL, send_big, &s);
    while (got < BIG_SIZE) {
        ssize_t n = read(client, buf + got, BIG_SIZE - got);

        if (n <= 0)
            break;
        got += n;
    }
    pthread_join(t, NULL);
    sum = checksum_update(CHECKSUM_START, buf, got);
    expect_long(got, BIG_SIZE, "bytes read of 1 MiB the other way");
    expect_true(sum == want, "1 MiB the other way: checksum matches");
    close(client);
    close(server);
}

static void check_peek(void)
{
    char buf[32];
    int client, server;

    tcp_pair(&client, &server);
    expect_long(send(client, "hello world", 11, 0), 11, "send 11 bytes");
    memset(buf, 0, sizeof(buf));
    expect_long(recv(server, buf, 5, MSG_PEEK), 5, "recv MSG_PEEK 5 bytes");
    expect_str(buf, "hello", "the bytes peeked");
    memset(buf, 0, sizeof(buf));
    expect_long(recv(server, buf, 5, MSG_PEEK), 5,
                "recv MSG_PEEK 5 bytes again");
    expect_str(buf, "hello", "the bytes peeked again");
    memset(buf, 0, sizeof(buf));
    expect_long(read(server, buf, sizeof(buf)), 11,
                "read after peeking gets all 11 bytes");
    expect_str(buf, "hello world", "the bytes read after peeking");
    expect_errno(recv(server, buf, sizeof(buf), MSG_DONTWAIT), EAGAIN,
                 "recv MSG_DONTWAIT on an empty socket");
    expect_errno(recv(server, buf, sizeof(buf), MSG_PEEK | MSG_DONTWAIT),
                 EAGAIN, "recv MSG_PEEK|MSG_DONTWAIT on an empty socket");
    expect_long(fcntl(server, F_GETFL) & O_NONBLOCK, 0,
                "MSG_DONTWAIT leaves the socket blocking");
    expect_errno(recv(server, buf, 0, MSG_DONTWAIT), EAGAIN,
                 "recv MSG_DONTWAIT of 0 bytes on an empty socket");
    close(client);
    close(server);
}

// Sends `pieces` pieces of 1000 bytes, delay_ms apart.
static void *send_pieces(void *arg)
{
    struct sender *s = arg;
    unsigned char piece[1000];
    ssize_t sent = 0;

    for (int i = 0; i < s->pieces; i++) {
        for (size_t j = 0; j < sizeof(piece); j++)
            piece[j] = pattern(i * sizeof(piece) + j);
        sleep_ms(s->delay_ms);
        if (send(s->fd, piece, sizeof(piece), MSG_NOSIGNAL) != sizeof(piece))
            break;
        sent += sizeof(piece);
    }
    s->result = sent;
    return NULL;
}

static void check_waitall(void)
{
    static unsigned char buf[4000];
    struct sender s = {0};
    pthread_t t;
    long mismatched = 0;
    int client, server;

    tcp_pair(&client, &server);
    s.fd = client;
    s.pieces = 4;
    s.delay_ms = 20;
    pthread_create(&t, NULL, send_pieces, &s);
    expect_long(recv(server, buf, sizeof(buf), MSG_WAITALL), 4000,
                "recv MSG_WAITALL of 4000 bytes sent in 4 pieces");
    pthread_join(t, NULL);
    for (size_t i = 0; i < sizeof(buf); i++)
        mismatched += buf[i] != pattern(i);
    expect_long(mismatched, 0, "MSG_WAITALL: bytes that differ");

    // MSG_WAITALL stops early at end of file.
    expect_long(send(client, buf, 300, 0), 300, "send 300 bytes");
    shutdown(client, SHUT_WR);
    expect_long(recv(server, buf, sizeof(buf), MSG_WAITALL), 300,
                "recv MSG_WAITALL of 4000 when 300 come before end of file");
    close(client);
    close(server);
}

static void check_shutdown_and_close(void)
{
    char buf[16];
    int client, server;

    tcp_pair(&client, &server);
    expect_long(send(client, "abc", 3, 0), 3, "send before shutdown");
    expect_errno(shutdown(client, SHUT_WR), 0, "shutdown SHUT_WR");
    expect_long(recv(server, buf, sizeof(buf), MSG_WAITALL), 3,
                "peer reads the bytes sent before shutdown");
    expect_long(recv(server, buf, sizeof(buf), 0), 0,
                "peer reads 0 after SHUT_WR");
    expect_long(recv(server, buf, sizeof(buf), 0), 0, "and 0 again");
    expect_errno(send(client, "x", 1, MSG_NOSIGNAL), EPIPE,
                 "send after own SHUT_WR");
    expect_long(send(server, "back", 4, 0), 4,
                "peer still sends after receiving the shutdown");
    memset(buf, 0, sizeof(buf));
    expect_long(recv(client, buf, 4, MSG_WAITALL), 4,
                "shut-down side still receives");
    expect_str(buf, "back", "the bytes it receives");
    expect_errno(shutdown(client, SHUT_RD), 0, "shutdown SHUT_RD");
    expect_errno(shutdown(client, 7), EINVAL, "shutdown with how 7");
    close(client);
    close(server);

    tcp_pair(&client, &server);
    expect_long(send(server, "bye", 3, 0), 3, "send before close");
    close(server);
    memset(buf, 0, sizeof(buf));
    expect_long(recv(client, buf, sizeof(buf), MSG_WAITALL), 3,
                "recv of the bytes sent before the peer closed");
    expect_str(buf, "bye", "the bytes received");
    expect_long(recv(client, buf, sizeof(buf), 0), 0,
                "recv after the peer closed");
    expect_long(read(client, buf, sizeof(buf)), 0,
                "read after the peer closed");
    close(client);
}

static void check_accept4(void)
{
    uint16_t port;
    int listener = tcp_listener(4, &port);
    int client, server, flags;

    client = tcp_connect(port);
    server = accept4(listener, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
    require(server, "accept4 with SOCK_NONBLOCK|SOCK_CLOEXEC");
    flags = fcntl(server, F_GETFL);
    expect_long((flags & O_NONBLOCK) != 0, 1, "accept4: O_NONBLOCK set");
    expect_long(fcntl(server, F_GETFD), FD_CLOEXEC, "accept4: FD_CLOEXEC set");
    expect_errno(recv(server, &flags, 1, 0), EAGAIN,
                 "accept4: recv on the empty socket does not block");
    close(server);
    close(client);

    client = tcp_connect(port);
    server = accept4(listener, NULL, NULL, 0);
    require(server, "accept4 with no flags");
    expect_long(fcntl(server, F_GETFL) & O_NONBLOCK, 0,
                "accept4 with no flags: O_NONBLOCK clear");
    expect_long(fcntl(server, F_GETFD), 0,
                "accept4 with no flags: FD_CLOEXEC clear");
    close(server);
    close(client);

    // musl's accept4 retries with accept after EINVAL, which would block.
    expect_errno(syscall(SYS_accept4, listener, NULL, NULL, 0x1234), EINVAL,
                 "accept4 with unknown flags");

    // A non-blocking listener gives EAGAIN, and what it accepts is blocking.
    fcntl(listener, F_SETFL, O_NONBLOCK);
    expect_errno(accept(listener, NULL, NULL), EAGAIN,
                 "accept on a non-blocking listener with nothing pending");
    client = tcp_connect(port);
    if (wait_for(listener, POLLIN, 2000) <= 0)
        expect_true(false, "the listener becomes readable");
    server = accept(listener, NULL, NULL);
    require(server, "accept on a non-blocking listener");
    expect_long(fcntl(server, F_GETFL) & O_NONBLOCK, 0,
                "accept does not pass O_NONBLOCK on");
    close(server);
    close(client);
    close(listener);

    server = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    require(server, "socket with SOCK_NONBLOCK|SOCK_CLOEXEC");
    expect_long((fcntl(server, F_GETFL) & O_NONBLOCK) != 0, 1,
                "socket: O_NONBLOCK set");
    expect_long(fcntl(server, F_GETFD), FD_CLOEXEC, "socket: FD_CLOEXEC set");
    close(server);
}

static void check_address_reuse(void)
{
    char buf[4];
    uint16_t port;
    int listener = tcp_listener(4, &port);
    int client, server, fd, other, one = 1;

    fd = socket(AF_INET, SOCK_STREAM, 0);
    expect_errno(bind_loopback(fd, port), EADDRINUSE,
                 "bind to the port of a listener");
    close(fd);

    fd = socket(AF_INET, SOCK_STREAM, 0);
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
    expect_errno(bind_loopback(fd, port), EADDRINUSE,
                 "bind with SO_REUSEADDR to the port of a listener without it");
    close(fd);
    close(listener);

    // The side that closes first keeps the port in TIME_WAIT.
    fd = socket(AF_INET, SOCK_STREAM, 0);
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
    require(bind_loopback(fd, 0), "bind with SO_REUSEADDR");
    require(listen(fd, 4), "listen with SO_REUSEADDR");
    port = local_port(fd);
    other = socket(AF_INET, SOCK_STREAM, 0);
    setsockopt(other, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
    expect_errno(bind_loopback(other, port), EADDRINUSE,
                 "bind with SO_REUSEADDR on both to the port of a listener");
    close(other);

    client = tcp_connect(port);
    server = accept(fd, NULL, NULL);
    require(server, "accept");
    close(server);
    expect_long(recv(client, buf, sizeof(buf), 0), 0,
                "client reads end of file after the server closed");
    close(client);
    close(fd);

    other = socket(AF_INET, SOCK_STREAM, 0);
    expect_errno(bind_loopback(other, port), EADDRINUSE,
                 "bind without SO_REUSEADDR to a port in TIME_WAIT");
    close(other);

    other = socket(AF_INET, SOCK_STREAM, 0);
    setsockopt(other, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
    expect_errno(bind_loopback(other, port), 0,
                 "bind with SO_REUSEADDR to the port of a closed listener");
    expect_errno(listen(other, 4), 0, "listen on the reused port");
    client = tcp_connect(port);
    server = accept(other, NULL, NULL);
    expect_errno(server, 0, "accept on the reused port");
    close(server);
    close(client);
    close(other);
}

static void check_connection_refused(void)
{
    uint16_t port;
    int bound, fd, revents;

    // A bound socket that does not listen keeps the port from others.
    bound = socket(AF_INET, SOCK_STREAM, 0);
    require(bound, "socket");
    require(bind_loopback(bound, 0), "bind");
    port = local_port(bound);

    fd = socket(AF_INET, SOCK_STREAM, 0);
    expect_errno(connect_loopback(fd, port), ECONNREFUSED,
                 "connect to a port nobody listens on");
    expect_long(socket_error(fd), 0, "SO_ERROR after the refused connect");
    close(fd);

    fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
    expect_errno(connect_loopback(fd, port), EINPROGRESS,
                 "non-blocking connect to a port nobody listens on");
    revents = wait_for(fd, POLLIN | POLLOUT, 2000);
    expect_str(event_names(revents), "IN OUT ERR HUP",
               "poll after the refused non-blocking connect");
    expect_str(errno_name(socket_error(fd)), "ECONNREFUSED",
               "SO_ERROR after the refused non-blocking connect");
    expect_str(errno_name(socket_error(fd)), "0", "SO_ERROR read again");
    close(fd);
    close(bound);
}

static void check_nonblocking_connect(void)
{
    uint16_t port;
    int listener = tcp_listener(4, &port);
    int fd, server, revents;

    fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
    require(fd, "socket with SOCK_NONBLOCK");
    expect_errno(connect_loopback(fd, port), EINPROGRESS,
                 "non-blocking connect");
    revents = wait_for(fd, POLLIN | POLLOUT, 2000);
    expect_str(event_names(revents), "OUT",
               "poll after the non-blocking connect");
    expect_long(socket_error(fd), 0, "SO_ERROR after it connected");
    // Linux reports the finished connect once more before EISCONN.
    expect_errno(connect_loopback(fd, port), 0,
                 "connect again after it finished");
    expect_errno(connect_loopback(fd, port), EISCONN, "connect a third time");
    expect_true(peer_port(fd) == port, "peer port is the listener's");
    server = accept(listener, NULL, NULL);
    expect_errno(server, 0, "accept of the non-blocking connection");
    expect_long(send(fd, "ping", 4, 0), 4, "send on it");
    close(server);
    close(fd);
    close(listener);
}

// Opens more connections than the listen backlog takes. Linux drops the
// extra SYNs and the clients retry, so the connections wait and succeed
// once the server accepts, and none fails.
static void check_backlog(void)
{
    enum { CLIENTS = 4 };
    int clients[CLIENTS], servers[CLIENTS];
    uint16_t port;
    int listener = tcp_listener(1, &port);
    int in_progress = 0, failed = 0, accepted = 0, connected = 0;
    long long deadline;

    for (int i = 0; i < CLIENTS; i++) {
        clients[i] = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
        require(clients[i], "socket for a client");
        if (connect_loopback(clients[i], port) == 0 || errno == EINPROGRESS)
            in_progress++;
    }
    expect_long(in_progress, CLIENTS, "non-blocking connects started");
    sleep_ms(300);
    for (int i = 0; i < CLIENTS; i++) {
        int revents = wait_for(clients[i], 0, 0);

        failed += socket_error(clients[i]) != 0 || (revents & POLLERR);
    }
    expect_long(failed, 0, "connects failed after 300 ms");

    // Linux retries a dropped SYN after 1 s. The deadline leaves room for
    // stacks that wait longer, such as lwIP 2.1.3 (initial timeout 3 s).
    deadline = now_ms() + 20000;
    while (accepted < CLIENTS && now_ms() < deadline) {
        if (wait_for(listener, POLLIN, (int)(deadline - now_ms())) <= 0)
            break;
        servers[accepted] = accept(listener, NULL, NULL);
        if (servers[accepted] < 0)
            break;
        accepted++;
    }
    expect_long(accepted, CLIENTS, "connections accepted within 20 s");
    for (int i = 0; i < CLIENTS; i++) {
        int revents = wait_for(clients[i], POLLOUT, 2000);

        connected += revents == POLLOUT && socket_error(clients[i]) == 0;
    }
    expect_long(connected, CLIENTS, "clients connected");
    for (int i = 0; i < CLIENTS; i++)
        close(clients[i]);
    for (int i = 0; i < accepted; i++)
        close(servers[i]);
    close(listener);
}

// Waits up to 2 s until fd has count bytes to read.
static void wait_readable(int fd, int count)
{
    long long deadline = now_ms() + 2000;
    int n = 0;

    while (ioctl(fd, FIONREAD, &n) == 0 && n < count && now_ms() < deadline)
        sleep_ms(10);
}

// readv and recvmsg fill several buffers in one receive, MSG_TRUNC drops
// bytes unread, and the receive calls report no sender address for TCP.
static void check_vectors_and_flags(void)
{
    char a[4], b[8], buf[16];
    struct iovec iov[2] = {{a, sizeof(a)}, {b, sizeof(b)}};
    struct timeval tv = {0, 50000};
    struct sockaddr_in from;
    socklen_t from_len = sizeof(from);
    struct msghdr m;
    int client, server;

    tcp_pair(&client, &server);
    require(send(client, "abcdefghij", 10, 0), "send");
    wait_readable(server, 10);
    expect_long(readv(server, iov, 2), 10, "readv of 10 bytes into 4 and 8");
    expect_true(memcmp(a, "abcd", 4) == 0 && memcmp(b, "efghij", 6) == 0,
                "readv filled the buffers in order");

    require(send(client, "0123456789", 10, 0), "send");
    wait_readable(server, 10);
    expect_long(recv(server, NULL, 4, MSG_TRUNC), 4,
                "recv MSG_TRUNC of 4 bytes");
    memset(&from, 0x55, sizeof(from));
    expect_long(recvfrom(server, buf, sizeof(buf), 0, (struct sockaddr *)&from,
                         &from_len),
                6, "recvfrom after MSG_TRUNC dropped 4 bytes");
    expect_true(memcmp(buf, "456789", 6) == 0,
                "recvfrom got the bytes after the dropped ones");
    expect_long(from_len, 0, "recvfrom's address length for TCP");

    require(send(client, "xyz", 3, 0), "send");
    wait_readable(server, 3);
    memset(&m, 0, sizeof(m));
    m.msg_name = &from;
    m.msg_namelen = sizeof(from);
    m.msg_iov = iov;
    m.msg_iovlen = 2;
    m.msg_flags = -1;
    expect_long(recvmsg(server, &m, 0), 3, "recvmsg of 3 bytes");
    expect_long(m.msg_namelen, 0, "recvmsg's name length for TCP");
    expect_long(m.msg_flags, 0, "recvmsg's flags for TCP");

    require(send(client, "q", 1, 0), "send");
    wait_readable(server, 1);
    expect_long(recv(server, buf, 0, 0), 0,
                "recv of 0 bytes with data waiting");
    expect_long(recv(server, buf, 1, MSG_DONTWAIT), 1,
                "the byte is still there after it");
    setsockopt(server, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
    expect_long(recv(server, buf, 0, 0), 0,
                "blocking recv of 0 bytes with SO_RCVTIMEO and no data");

    // Linux still takes data after SHUT_RD, and reads return it.
    expect_errno(shutdown(server, SHUT_RD), 0, "SHUT_RD");
    require(send(client, "late", 4, 0), "send after the peer's SHUT_RD");
    wait_readable(server, 4);
    expect_long(recv(server, buf, sizeof(buf), MSG_DONTWAIT), 4,
                "recv of data that came after SHUT_RD");
    expect_long(recv(server, buf, sizeof(buf), MSG_DONTWAIT), 0,
                "recv after that reads end of file");
    close(client);
    close(server);
}

// Linux checks a port again at listen: two sockets with SO_REUSEADDR may
// bind one port, but only one of them may listen there. A connection
// that was accepted keeps its port as a bound socket does.
static void check_port_sharing(void)
{
    struct sockaddr_in any;
    uint16_t port;
    int one = 1, a, b, client, server, listener, fd;

    a = socket(AF_INET, SOCK_STREAM, 0);
    b = socket(AF_INET, SOCK_STREAM, 0);
    setsockopt(a, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
    setsockopt(b, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
    require(bind_loopback(a, 0), "bind with SO_REUSEADDR");
    port = local_port(a);
    expect_errno(bind_loopback(b, port), 0,
                 "bind with SO_REUSEADDR on both to a port nobody listens on");
    expect_errno(listen(a, 4), 0, "listen on the first of them");
    expect_errno(listen(b, 4), EADDRINUSE, "listen on the second of them");
    close(a);
    close(b);

    a = socket(AF_INET, SOCK_STREAM, 0);
    b = socket(AF_INET, SOCK_STREAM, 0);
    require(bind_loopback(a, 0), "bind");
    any = loopback_address(local_port(a));
    any.sin_addr.s_addr = htonl(INADDR_ANY);
    expect_errno(bind(b, (struct sockaddr *)&any, sizeof(any)), EADDRINUSE,
                 "bind to 0.0.0.0 at a port bound on 127.0.0.1");
    close(a);
    close(b);

    listener = socket(AF_INET, SOCK_STREAM, 0);
    setsockopt(listener, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
    require(bind_loopback(listener, 0), "bind of a listener");
    require(listen(listener, 4), "listen");
    port = local_port(listener);
    client = tcp_connect(port);
    server = accept(listener, NULL, NULL);
    require(server, "accept");
    close(listener);
    fd = socket(AF_INET, SOCK_STREAM, 0);
    expect_errno(bind_loopback(fd, port), EADDRINUSE,
                 "bind to the port of an accepted connection");
    close(fd);
    fd = socket(AF_INET, SOCK_STREAM, 0);
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
    expect_errno(
        bind_loopback(fd, port), 0,
        "bind with SO_REUSEADDR to the port of an accepted connection");
    expect_errno(listen(fd, 4), 0, "listen on that port");
    close(fd);
    close(client);
    close(server);
}

// A connect waits while the listener's backlog is full, because Linux
// drops the SYN and tries again after a second. Meanwhile sends and
// receives would block, another connect gives EALREADY, and shutdown
// abandons the attempt.
static void check_connect_in_progress(void)
{
    struct sockaddr_in a;
    char buf[4];
    uint16_t port;
    int listener = tcp_listener(0, &port);
    int first = tcp_connect(port);
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);

    expect_errno(connect_loopback(fd, port), EINPROGRESS,
                 "non-blocking connect to a full backlog");
    expect_errno(send(fd, "x", 1, MSG_NOSIGNAL), EAGAIN,
                 "send while the connect waits");
    expect_errno(recv(fd, buf, sizeof(buf), 0), EAGAIN,
                 "recv while the connect waits");
    expect_errno(connect_loopback(fd, port), EALREADY,
                 "connect again while the first waits");
    expect_errno(
        getpeername(fd, (struct sockaddr *)&a, &(socklen_t){sizeof(a)}),
        ENOTCONN, "getpeername while the connect waits");
    expect_str(event_names(wait_for(fd, POLLIN | POLLOUT, 0)), "none",
               "poll while the connect waits");
    expect_errno(shutdown(fd, SHUT_RDWR), 0,
                 "shutdown while the connect waits");
    expect_str(event_names(wait_for(fd, POLLIN | POLLOUT, 0)), "OUT ERR HUP",
               "poll after that shutdown");
    expect_str(errno_name(socket_error(fd)), "ECONNRESET",
               "SO_ERROR after that shutdown");
    close(fd);
    close(first);
    close(listener);
}

int main(void)
{
    setvbuf(stdout, NULL, _IOLBF, 0);
    signal(SIGPIPE, SIG_IGN);
    check_addresses();
    check_big_transfer();
    check_peek();
    check_waitall();
    check_shutdown_and_close();
    check_accept4();
    check_address_reuse();
    check_connection_refused();
    check_nonblocking_connect();
    check_backlog();
    check_vectors_and_flags();
    check_port_sharing();
    check_connect_in_progress();
    return finish();
}
