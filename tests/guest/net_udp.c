// UDP over loopback as Linux has it. Datagrams of 0 to 65507 bytes arrive
// with the sender's address, and larger ones give EMSGSIZE. Connected
// sockets filter other senders and report ECONNREFUSED. Further checks
// cover truncation with MSG_TRUNC, FIONREAD, datagram boundaries, 10,000
// datagrams echoed by a thread, datagrams over several buffers, the order
// of the checks of a send, and shutdown.
// test: config=NET=y
#define _GNU_SOURCE
#include <arpa/inet.h>
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
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/uio.h>
#include <unistd.h>

#include "check.h"
#include "net_check.h"

// ---- Helpers ------------------------------------------------------------

// 65535 minus the 20-byte IPv4 header and the 8-byte UDP header.
#define MAX_DATAGRAM 65507
#define ECHO_COUNT   10000

static ssize_t send_to(int fd, const void *buf, size_t len, int to)
{
    struct sockaddr_in a = loopback_address(local_port(to));

    return sendto(fd, buf, len, 0, (struct sockaddr *)&a, sizeof(a));
}

static int connect_to(int fd, int to)
{
    struct sockaddr_in a = loopback_address(local_port(to));

    return connect(fd, (struct sockaddr *)&a, sizeof(a));
}

// Waits up to 2 s for fd to become readable and returns poll's revents,
// or 0 on a timeout. Loopback delivery may lag behind the send, so every
// receive that expects a datagram waits first.
static int wait_readable(int fd)
{
    struct pollfd p = {fd, POLLIN, 0};

    if (poll(&p, 1, 2000) <= 0)
        return 0;
    return p.revents;
}

static unsigned char pattern(size_t i, size_t size)
{
    return (unsigned char)(i * 7 + size);
}

// ---- Checks -------------------------------------------------------------

static void check_sizes(void)
{
    static unsigned char out[MAX_DATAGRAM + 1], in[MAX_DATAGRAM + 100];
    static const size_t sizes[] = {0,    1,    100,   1472,
                                   1473, 8192, 32768, MAX_DATAGRAM};
    int a = udp_socket(), b = udp_socket();
    char text[INET_ADDRSTRLEN];

    for (size_t k = 0; k < sizeof(sizes) / sizeof(sizes[0]); k++) {
        size_t size = sizes[k];
        struct sockaddr_in from;
        socklen_t from_len = sizeof(from);
        long mismatched = 0;
        ssize_t n;

        for (size_t i = 0; i < size; i++)
            out[i] = pattern(i, size);
        expect_long(send_to(a, out, size, b), size,
                    label("size %zu: sendto", size));
        wait_readable(b);
        memset(&from, 0, sizeof(from));
        n = recvfrom(b, in, sizeof(in), MSG_DONTWAIT, (struct sockaddr *)&from,
                     &from_len);
        expect_long(n, size, label("size %zu: recvfrom", size));
        for (ssize_t i = 0; i < n; i++)
            mismatched += in[i] != pattern(i, size);
        expect_long(mismatched, 0, label("size %zu: bytes that differ", size));
        expect_long(from_len, sizeof(from),
                    label("size %zu: sender address length", size));
        inet_ntop(AF_INET, &from.sin_addr, text, sizeof(text));
        expect_str(text, "127.0.0.1", label("size %zu: sender address", size));
        expect_true(ntohs(from.sin_port) == local_port(a),
                    label("size %zu: sender port is the sender's", size));
    }
    expect_errno(recv(b, in, sizeof(in), MSG_DONTWAIT), EAGAIN,
                 "recv after the last datagram");
    expect_errno(send_to(a, out, MAX_DATAGRAM + 1, b), EMSGSIZE,
                 "sendto of 65508 bytes");

    // A 0-byte datagram is received and consumed like any other.
    send_to(a, out, 0, b);
    wait_readable(b);
    expect_long(recvfrom(b, in, sizeof(in), MSG_DONTWAIT, NULL, NULL), 0,
                "recvfrom of 0 bytes without an address");
    expect_errno(recv(b, in, sizeof(in), MSG_DONTWAIT), EAGAIN,
                 "recv after the 0-byte datagram");
    close(a);
    close(b);
}

static void check_connected(void)
{
    struct sockaddr_in peer, unspec;
    socklen_t len = sizeof(peer);
    char buf[64] = {0};
    int a = udp_socket(), b = udp_socket(), stranger = udp_socket();
    int closed = udp_socket(), connected_to_closed;

    expect_errno(getpeername(a, (struct sockaddr *)&peer, &len), ENOTCONN,
                 "getpeername before connect");
    expect_errno(connect_to(a, b), 0, "connect a to b");
    len = sizeof(peer);
    expect_errno(getpeername(a, (struct sockaddr *)&peer, &len), 0,
                 "getpeername after connect");
    expect_true(ntohs(peer.sin_port) == local_port(b), "peer port is b's port");
    expect_long(send(a, "to b", 4, 0), 4, "send on the connected socket");
    wait_readable(b);
    expect_long(recv(b, buf, sizeof(buf), MSG_DONTWAIT), 4, "b receives it");
    expect_str(buf, "to b", "the bytes b receives");
    expect_long(write(a, "w", 1), 1, "write on the connected socket");
    wait_readable(b);
    expect_long(read(b, buf, sizeof(buf)), 1, "b reads it");

    // A connected socket drops datagrams from other senders.
    send_to(stranger, "stranger", 8, a);
    send_to(b, "from b", 6, a);
    memset(buf, 0, sizeof(buf));
    wait_readable(a);
    expect_long(recv(a, buf, sizeof(buf), MSG_DONTWAIT), 6,
                "connected socket receives from its peer");
    expect_str(buf, "from b", "the bytes from the peer");
    expect_errno(recv(a, buf, sizeof(buf), MSG_DONTWAIT), EAGAIN,
                 "the stranger's datagram was dropped");

    // sendto with an address still works on a connected socket.
    expect_long(send_to(a, "direct", 6, stranger), 6,
                "sendto another address on the connected socket");
    memset(buf, 0, sizeof(buf));
    wait_readable(stranger);
    expect_long(recv(stranger, buf, sizeof(buf), MSG_DONTWAIT), 6,
                "the other address receives it");

    // Connecting to AF_UNSPEC dissolves the association.
    memset(&unspec, 0, sizeof(unspec));
    unspec.sin_family = AF_UNSPEC;
    expect_errno(connect(a, (struct sockaddr *)&unspec, sizeof(unspec)), 0,
                 "connect to AF_UNSPEC");
    len = sizeof(peer);
    expect_errno(getpeername(a, (struct sockaddr *)&peer, &len), ENOTCONN,
                 "getpeername after disconnecting");
    expect_errno(send(a, "x", 1, 0), EDESTADDRREQ, "send after disconnecting");
    send_to(stranger, "stranger", 8, a);
    memset(buf, 0, sizeof(buf));
    wait_readable(a);
    expect_long(recv(a, buf, sizeof(buf), MSG_DONTWAIT), 8,
                "after disconnecting, the stranger's datagram arrives");

    // A datagram to a port that no socket has bound draws an ICMP port
    // unreachable message, which Linux reports on the connected socket.
    connected_to_closed = udp_socket();
    expect_errno(connect_to(connected_to_closed, closed), 0,
                 "connect to a port that is then closed");
    close(closed);
    expect_long(send(connected_to_closed, "x", 1, 0), 1,
                "send to the closed port");
    expect_str(event_names(wait_readable(connected_to_closed)), "ERR",
               "poll after the send to the closed port");
    expect_errno(recv(connected_to_closed, buf, sizeof(buf), MSG_DONTWAIT),
                 ECONNREFUSED, "recv after the send to the closed port");
    expect_errno(recv(connected_to_closed, buf, sizeof(buf), MSG_DONTWAIT),
                 EAGAIN, "recv again");
    close(connected_to_closed);
    close(a);
    close(b);
    close(stranger);
}

static void check_truncation(void)
{
    char out[100], in[200] = {0};
    struct sockaddr_in from;
    struct iovec iov;
    struct msghdr msg;
    int a = udp_socket(), b = udp_socket(), avail = -1;

    for (size_t i = 0; i < sizeof(out); i++)
        out[i] = (char)('a' + i % 26);

    send_to(a, out, 100, b);
    wait_readable(b);
    memset(&msg, 0, sizeof(msg));
    iov.iov_base = in;
    iov.iov_len = 10;
    msg.msg_iov = &iov;
    msg.msg_iovlen = 1;
    msg.msg_name = &from;
    msg.msg_namelen = sizeof(from);
    msg.msg_flags = -1;
    expect_long(recvmsg(b, &msg, MSG_DONTWAIT), 10,
                "recvmsg of 100 bytes into 10");
    expect_long((msg.msg_flags & MSG_TRUNC) != 0, 1,
                "recvmsg sets MSG_TRUNC in msg_flags");
    expect_long(msg.msg_namelen, sizeof(from), "recvmsg msg_namelen");
    expect_true(memcmp(in, out, 10) == 0, "recvmsg got the first 10 bytes");
    expect_errno(recv(b, in, sizeof(in), MSG_DONTWAIT), EAGAIN,
                 "the rest of the truncated datagram is gone");

    send_to(a, out, 100, b);
    wait_readable(b);
    memset(&msg, 0, sizeof(msg));
    iov.iov_len = sizeof(in);
    msg.msg_iov = &iov;
    msg.msg_iovlen = 1;
    msg.msg_flags = -1;
    expect_long(recvmsg(b, &msg, MSG_DONTWAIT), 100,
                "recvmsg of 100 bytes into 200");
    expect_long(msg.msg_flags, 0, "recvmsg msg_flags when it fits");

    send_to(a, out, 100, b);
    wait_readable(b);
    expect_long(recv(b, in, 10, MSG_TRUNC | MSG_DONTWAIT), 100,
                "recv MSG_TRUNC into 10 returns the real length");

    send_to(a, out, 100, b);
    wait_readable(b);
    expect_long(recv(b, NULL, 0, MSG_PEEK | MSG_TRUNC | MSG_DONTWAIT), 100,
                "recv MSG_PEEK|MSG_TRUNC into 0 bytes returns the length");
    expect_long(recv(b, in, sizeof(in), MSG_DONTWAIT), 100,
                "the peeked datagram is still there");

    send_to(a, out, 100, b);
    send_to(a, out, 50, b);
    wait_readable(b);
    expect_errno(ioctl(b, FIONREAD, &avail), 0, "FIONREAD");
    expect_long(avail, 100, "FIONREAD is the size of the first datagram");
    expect_long(recv(b, in, 0, MSG_DONTWAIT), 0,
                "recv of 0 bytes consumes a datagram");
    wait_readable(b);
    expect_long(recv(b, in, sizeof(in), MSG_DONTWAIT), 50,
                "the next recv gets the second datagram");
    avail = -1;
    ioctl(b, FIONREAD, &avail);
    expect_long(avail, 0, "FIONREAD of an empty socket");
    close(a);
    close(b);
}

static void check_boundaries(void)
{
    static const char *const messages[] = {"abcde", "0123456789",
                                           "ABCDEFGHIJKLMNO"};
    char buf[100];
    int a = udp_socket(), b = udp_socket();

    for (int i = 0; i < 3; i++)
        send_to(a, messages[i], strlen(messages[i]), b);
    for (int i = 0; i < 3; i++) {
        size_t want = strlen(messages[i]);
        ssize_t n;

        memset(buf, 0, sizeof(buf));
        wait_readable(b);
        n = recv(b, buf, sizeof(buf), MSG_DONTWAIT);
        expect_long(n, want, label("datagram %d: length", i + 1));
        expect_str(buf, messages[i], label("datagram %d: bytes", i + 1));
    }
    expect_errno(recv(b, buf, sizeof(buf), MSG_DONTWAIT), EAGAIN,
                 "no fourth datagram");
    close(a);
    close(b);
}

// Sends every datagram back to its sender until one of 0 bytes arrives.
static void *echo_datagrams(void *arg)
{
    int fd = *(int *)arg;
    unsigned char buf[2048];

    for (;;) {
        struct sockaddr_in from;
        socklen_t len = sizeof(from);
        ssize_t n =
            recvfrom(fd, buf, sizeof(buf), 0, (struct sockaddr *)&from, &len);

        if (n <= 0)
            break;
        sendto(fd, buf, n, 0, (struct sockaddr *)&from, len);
    }
    return NULL;
}

static void check_echo(void)
{
    struct timeval timeout = {2, 0};
    unsigned char out[600], in[2048];
    int client = udp_socket(), server = udp_socket();
    int echoed = 0, intact = 0;
    pthread_t t;

    // A lost datagram ends the loop after 2 s instead of hanging it.
    setsockopt(client, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof(timeout));
    pthread_create(&t, NULL, echo_datagrams, &server);
    for (uint32_t seq = 0; seq < ECHO_COUNT; seq++) {
        size_t size = 4 + seq % 512;
        uint32_t got_seq;
        ssize_t n;

        memcpy(out, &seq, sizeof(seq));
        for (size_t i = 4; i < size; i++)
            out[i] = pattern(i, seq);
        if (send_to(client, out, size, server) != (ssize_t)size)
            break;
        n = recv(client, in, sizeof(in), 0);
        if (n < 0)
            break;
        echoed++;
        memcpy(&got_seq, in, sizeof(got_seq));
        intact +=
            n == (ssize_t)size && got_seq == seq && memcmp(in, out, size) == 0;
    }
    send_to(client, out, 0, server);
    pthread_join(t, NULL);
    expect_long(echoed, ECHO_COUNT, "datagrams echoed");
    expect_long(intact, ECHO_COUNT, "echoes in order and intact");
    close(client);
    close(server);
}

// A datagram spreads over the buffers of readv and recvmsg and comes
// together from those of writev. Calls of 0 bytes send an empty datagram
// and leave a queued one alone.
static void check_vectors(void)
{
    char x[4], y[4], buf[16];
    struct iovec iov[2] = {{x, sizeof(x)}, {y, sizeof(y)}};
    struct iovec parts[3] = {{"ab", 2}, {"cd", 2}, {"e", 1}};
    struct sockaddr_in from;
    socklen_t from_len = sizeof(from);
    struct msghdr m;
    int a = udp_socket(), b = udp_socket();

    require(connect_to(a, b), "connect");
    require(send(a, "abcdef", 6, 0), "send");
    wait_readable(b);
    expect_long(readv(b, iov, 2), 6, "readv of a 6-byte datagram into 4 and 4");
    expect_true(memcmp(x, "abcd", 4) == 0 && memcmp(y, "ef", 2) == 0,
                "readv filled the buffers in order");

    require(send(a, "abcdefghij", 10, 0), "send");
    wait_readable(b);
    memset(&m, 0, sizeof(m));
    m.msg_name = &from;
    m.msg_namelen = sizeof(from);
    m.msg_iov = iov;
    m.msg_iovlen = 2;
    expect_long(recvmsg(b, &m, 0), 8,
                "recvmsg of a 10-byte datagram into 4 and 4");
    expect_true(m.msg_flags & MSG_TRUNC, "recvmsg sets MSG_TRUNC");
    expect_long(m.msg_namelen, sizeof(from), "recvmsg's name length");

    expect_long(writev(a, parts, 3), 5, "writev of 3 parts");
    wait_readable(b);
    expect_long(
        recvfrom(b, buf, sizeof(buf), 0, (struct sockaddr *)&from, &from_len),
        5, "the parts arrive as one datagram");
    expect_long(from_len, sizeof(from), "recvfrom's address length");

    expect_long(write(a, buf, 0), 0, "write of 0 bytes on a connected socket");
    wait_readable(b);
    expect_long(recv(b, buf, sizeof(buf), MSG_DONTWAIT), 0,
                "recv of the empty datagram");
    expect_errno(recv(b, buf, sizeof(buf), MSG_DONTWAIT), EAGAIN,
                 "recv after the empty datagram");
    require(send(a, "z", 1, 0), "send");
    wait_readable(b);
    expect_long(read(b, buf, 0), 0, "read of 0 bytes with a datagram queued");
    expect_long(recv(b, buf, sizeof(buf), MSG_DONTWAIT), 1,
                "the datagram is still queued");
    close(a);
    close(b);
}

static volatile sig_atomic_t sigpipes;

static void count_sigpipe(int sig)
{
    (void)sig;
    sigpipes++;
}

// The order of Linux's checks on a UDP send and connect: the socket gets
// its port first, then the length, flags, address and state are checked.
// SHUT_WR gives EPIPE without SIGPIPE.
static void check_send_errors(void)
{
    struct sockaddr_in unix_family = {AF_UNIX}, to, peer;
    socklen_t len = sizeof(peer);
    static char big[65536];
    char buf[8];
    int fd, target = udp_socket();

    fd = socket(AF_INET, SOCK_DGRAM, 0);
    expect_errno(sendto(fd, "x", 1, 0, (struct sockaddr *)&unix_family,
                        sizeof(unix_family)),
                 EAFNOSUPPORT, "sendto with an AF_UNIX address");
    expect_true(local_port(fd) != 0, "the failed sendto bound a port");
    close(fd);
    fd = socket(AF_INET, SOCK_DGRAM, 0);
    expect_errno(
        connect(fd, (struct sockaddr *)&unix_family, sizeof(unix_family)),
        EAFNOSUPPORT, "connect with an AF_UNIX address");
    expect_true(local_port(fd) != 0, "the failed connect bound a port");
    close(fd);

    fd = udp_socket();
    to = loopback_address(local_port(target));
    to.sin_family = AF_UNSPEC;
    expect_long(sendto(fd, "u", 1, 0, (struct sockaddr *)&to, sizeof(to)), 1,
                "sendto with family AF_UNSPEC");
    wait_readable(target);
    expect_long(recv(target, buf, sizeof(buf), MSG_DONTWAIT), 1,
                "the AF_UNSPEC datagram arrives");
    to.sin_family = AF_INET;
    expect_errno(
        sendto(fd, "x", 1, MSG_OOB, (struct sockaddr *)&to, sizeof(to)),
        EOPNOTSUPP, "sendto with MSG_OOB");
    expect_errno(
        sendto(fd, big, sizeof(big), 0, (struct sockaddr *)&to, sizeof(to)),
        EMSGSIZE, "sendto of 65536 bytes");
    expect_errno(sendto(fd, big, MAX_DATAGRAM + 1, 0,
                        (struct sockaddr *)&unix_family, sizeof(unix_family)),
                 EAFNOSUPPORT, "sendto of 65508 bytes to an AF_UNIX address");
    to.sin_port = 0;
    expect_errno(sendto(fd, "x", 1, 0, (struct sockaddr *)&to, sizeof(to)),
                 EINVAL, "sendto to port 0");
    expect_errno(recv(fd, buf, sizeof(buf), MSG_OOB | MSG_DONTWAIT), EAGAIN,
                 "recv with MSG_OOB");
    expect_errno(connect(fd, (struct sockaddr *)&to, sizeof(to)), 0,
                 "connect to port 0");
    expect_errno(getpeername(fd, (struct sockaddr *)&peer, &len), ENOTCONN,
                 "getpeername after connecting to port 0");
    expect_errno(bind(fd, (struct sockaddr *)&to, sizeof(to)), EINVAL,
                 "bind of a connected socket");
    close(fd);

    signal(SIGPIPE, count_sigpipe);
    fd = socket(AF_INET, SOCK_DGRAM, 0);
    to = loopback_address(local_port(target));
    expect_errno(shutdown(fd, SHUT_WR), ENOTCONN,
                 "SHUT_WR of an unconnected socket");
    expect_errno(sendto(fd, "x", 1, 0, (struct sockaddr *)&unix_family,
                        sizeof(unix_family)),
                 EAFNOSUPPORT, "after SHUT_WR, sendto to an AF_UNIX address");
    expect_errno(sendto(fd, big, MAX_DATAGRAM + 1, 0, (struct sockaddr *)&to,
                        sizeof(to)),
                 EMSGSIZE, "after SHUT_WR, sendto of 65508 bytes");
    expect_errno(send(fd, "x", 1, 0), EDESTADDRREQ,
                 "after SHUT_WR, send without an address");
    expect_errno(sendto(fd, "x", 1, 0, (struct sockaddr *)&to, sizeof(to)),
                 EPIPE, "after SHUT_WR, sendto");
    expect_long(sigpipes, 0, "SIGPIPE handler calls after that EPIPE");
    signal(SIGPIPE, SIG_DFL);
    close(fd);
    close(target);
}

// SHUT_RD stops neither queued nor later datagrams, and a receive that
// would wait returns 0 instead.
static void check_shutdown(void)
{
    struct timeval tv = {0, 50000};
    struct pollfd p;
    char buf[8];
    int a = udp_socket(), b = udp_socket();

    p = (struct pollfd){a, POLLOUT | POLLWRBAND, 0};
    poll(&p, 1, 0);
    expect_true(p.revents & POLLWRBAND, "poll reports POLLWRBAND");
    require(connect_to(a, b), "connect");
    require(send_to(b, "early", 5, a), "send");
    wait_readable(a);
    expect_errno(shutdown(a, SHUT_RD), 0, "SHUT_RD of a connected socket");
    expect_str(event_names(wait_readable(a)), "IN", "poll after SHUT_RD");
    require(send_to(b, "late", 4, a), "send");
    expect_long(recv(a, buf, sizeof(buf), MSG_DONTWAIT), 5,
                "recv of the datagram queued before SHUT_RD");
    wait_readable(a);
    expect_long(recv(a, buf, sizeof(buf), MSG_DONTWAIT), 4,
                "recv of the datagram sent after SHUT_RD");
    expect_errno(recv(a, buf, sizeof(buf), MSG_DONTWAIT), EAGAIN,
                 "non-blocking recv after SHUT_RD");
    setsockopt(a, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
    expect_long(recv(a, buf, sizeof(buf), 0), 0, "blocking recv after SHUT_RD");
    expect_errno(shutdown(a, SHUT_WR), 0, "SHUT_WR of the connected socket");
    p = (struct pollfd){a, POLLIN | POLLOUT, 0};
    poll(&p, 1, 0);
    expect_str(event_names(p.revents), "IN OUT HUP",
               "poll after both directions were shut");
    close(a);
    close(b);
}

int main(void)
{
    setvbuf(stdout, NULL, _IOLBF, 0);
    check_sizes();
    check_connected();
    check_truncation();
    check_boundaries();
    check_echo();
    check_vectors();
    check_send_errors();
    check_shutdown();
    return finish();
}
