// AF_UNIX datagram and seqpacket socket pairs as Linux has them: message
// boundaries, empty messages, truncation with MSG_TRUNC, the largest
// message, a full queue, shutdown in each direction, and a peer that
// closes. Neither type raises SIGPIPE. A datagram end keeps what it
// received after its peer closed, and its next sends fail with
// ECONNREFUSED and then ENOTCONN.
// test: config=NET=y
#define _GNU_SOURCE
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "check.h"
#include "net_check.h"

#define MAX_MESSAGE 212960 // Linux's default send buffer less 32 bytes

static int sigpipes;

static void count_sigpipe(int sig)
{
    (void)sig;
    sigpipes++;
}

static int poll_events(int fd)
{
    struct pollfd p = {fd, POLLIN | POLLOUT | POLLRDHUP, 0};

    if (poll(&p, 1, 0) < 0)
        return -1;
    return p.revents;
}

static const char *type_name(int type)
{
    return type == SOCK_DGRAM ? "dgram" : "seqpacket";
}

static void make_pair(int type, int sv[2])
{
    require(socketpair(AF_UNIX, type, 0, sv), "socketpair");
}

static void close_pair(int sv[2])
{
    close(sv[0]);
    close(sv[1]);
}

static void check_boundaries(int type)
{
    const char *name = type_name(type);
    char buf[16];
    struct iovec iov = {buf, 3};
    struct msghdr msg = {.msg_iov = &iov, .msg_iovlen = 1};
    int sv[2], value;
    socklen_t len = sizeof(value);

    make_pair(type, sv);
    getsockopt(sv[0], SOL_SOCKET, SO_TYPE, &value, &len);
    expect_long(value, type, label("%s SO_TYPE", name));
    expect_long(send(sv[0], "", 0, 0), 0, label("%s send empty", name));
    expect_long(send(sv[0], "hello", 5, 0), 5, label("%s send 5", name));
    expect_long(send(sv[0], "ab", 2, 0), 2, label("%s send 2", name));
    expect_long(recv(sv[1], buf, sizeof(buf), 0), 0,
                label("%s recv the empty message", name));
    expect_long(recv(sv[1], buf, sizeof(buf), MSG_PEEK), 5,
                label("%s recv MSG_PEEK", name));
    expect_long(recvmsg(sv[1], &msg, 0), 3, label("%s recvmsg cut", name));
    expect_true(msg.msg_flags & MSG_TRUNC, label("%s MSG_TRUNC set", name));
    expect_long(recv(sv[1], buf, sizeof(buf), 0), 2,
                label("%s the rest of a cut message is gone", name));
    expect_long(send(sv[0], "hello", 5, 0), 5, label("%s send 5 again", name));
    expect_long(recv(sv[1], buf, 2, MSG_TRUNC), 5,
                label("%s recv MSG_TRUNC returns the full length", name));
    expect_errno(recv(sv[1], buf, sizeof(buf), MSG_DONTWAIT), EAGAIN,
                 label("%s recv of an empty queue", name));
    close_pair(sv);
}

static void check_sizes(int type)
{
    const char *name = type_name(type);
    char *big = calloc(1, MAX_MESSAGE + 1);
    int sv[2];
    long n;

    make_pair(type, sv);
    expect_long(send(sv[0], big, MAX_MESSAGE, MSG_DONTWAIT), MAX_MESSAGE,
                label("%s send the largest message", name));
    expect_errno(send(sv[0], big, MAX_MESSAGE + 1, MSG_DONTWAIT), EMSGSIZE,
                 label("%s send one byte more", name));
    expect_long(recv(sv[1], big, MAX_MESSAGE + 1, 0), MAX_MESSAGE,
                label("%s recv the largest message", name));
    while ((n = send(sv[0], "x", 1, MSG_DONTWAIT)) == 1)
        ;
    expect_errno(n, EAGAIN, label("%s send to a full queue", name));
    expect_str(event_names(poll_events(sv[0])), "none",
               label("%s poll of a full queue's sender", name));
    while (recv(sv[1], big, 16, MSG_DONTWAIT) >= 0)
        ;
    expect_str(event_names(poll_events(sv[0])), "OUT",
               label("%s poll once drained", name));
    close_pair(sv);
    free(big);
}

static void check_shutdown(int type)
{
    const char *name = type_name(type);
    char buf[16];
    int sv[2];

    make_pair(type, sv);
    expect_errno(shutdown(sv[0], SHUT_WR), 0, label("%s SHUT_WR", name));
    sigpipes = 0;
    expect_errno(write(sv[0], "x", 1), EPIPE,
                 label("%s write after own SHUT_WR", name));
    expect_long(sigpipes, 0, label("%s SIGPIPE count", name));
    if (type == SOCK_DGRAM)
        expect_errno(recv(sv[1], buf, sizeof(buf), MSG_DONTWAIT), EAGAIN,
                     label("%s peer recv", name));
    else
        expect_long(recv(sv[1], buf, sizeof(buf), MSG_DONTWAIT), 0,
                    label("%s peer recv", name));
    expect_str(event_names(poll_events(sv[1])),
               type == SOCK_DGRAM ? "OUT" : "IN OUT RDHUP",
               label("%s poll of the peer", name));
    expect_long(send(sv[1], "y", 1, 0), 1, label("%s peer send", name));
    expect_long(recv(sv[0], buf, sizeof(buf), 0), 1,
                label("%s recv the peer's message", name));
    close_pair(sv);

    make_pair(type, sv);
    expect_errno(shutdown(sv[1], SHUT_RD), 0, label("%s SHUT_RD", name));
    expect_errno(write(sv[0], "x", 1), EPIPE,
                 label("%s write to a peer that shut reading", name));
    if (type == SOCK_DGRAM)
        expect_errno(recv(sv[1], buf, sizeof(buf), MSG_DONTWAIT), EAGAIN,
                     label("%s recv after own SHUT_RD", name));
    else
        expect_long(recv(sv[1], buf, sizeof(buf), MSG_DONTWAIT), 0,
                    label("%s recv after own SHUT_RD", name));
    expect_errno(listen(sv[0], 1), type == SOCK_DGRAM ? EOPNOTSUPP : EINVAL,
                 label("%s listen", name));
    expect_errno(accept(sv[0], NULL, NULL),
                 type == SOCK_DGRAM ? EOPNOTSUPP : EINVAL,
                 label("%s accept", name));
    close_pair(sv);
}

static void check_peer_close(int type)
{
    const char *name = type_name(type);
    char buf[16];
    int sv[2];

    make_pair(type, sv);
    expect_long(send(sv[1], "z", 1, 0), 1, label("%s peer sends", name));
    close(sv[1]);
    expect_str(event_names(poll_events(sv[0])),
               type == SOCK_DGRAM ? "IN OUT" : "IN OUT HUP RDHUP",
               label("%s poll after the peer closed", name));
    expect_long(recv(sv[0], buf, sizeof(buf), MSG_DONTWAIT), 1,
                label("%s recv what the peer sent", name));
    if (type == SOCK_DGRAM) {
        expect_errno(recv(sv[0], buf, sizeof(buf), MSG_DONTWAIT), EAGAIN,
                     label("%s then nothing", name));
        expect_errno(send(sv[0], "x", 1, 0), ECONNREFUSED,
                     label("%s first send to the closed peer", name));
        expect_errno(send(sv[0], "x", 1, 0), ENOTCONN,
                     label("%s second send to the closed peer", name));
    } else {
        expect_long(recv(sv[0], buf, sizeof(buf), MSG_DONTWAIT), 0,
                    label("%s then end of file", name));
        expect_errno(send(sv[0], "x", 1, 0), EPIPE,
                     label("%s send to the closed peer", name));
    }
    close(sv[0]);

    make_pair(type, sv);
    expect_long(send(sv[0], "unread", 6, 0), 6,
                label("%s send what is never read", name));
    close(sv[1]);
    expect_str(event_names(poll_events(sv[0])),
               type == SOCK_DGRAM ? "OUT" : "IN OUT ERR HUP RDHUP",
               label("%s poll after a close with unread data", name));
    if (type == SOCK_DGRAM)
        expect_errno(recv(sv[0], buf, sizeof(buf), MSG_DONTWAIT), EAGAIN,
                     label("%s recv after a close with unread data", name));
    else
        expect_errno(recv(sv[0], buf, sizeof(buf), MSG_DONTWAIT), ECONNRESET,
                     label("%s recv after a close with unread data", name));
    close(sv[0]);
}

int main(void)
{
    static const int types[] = {SOCK_DGRAM, SOCK_SEQPACKET};
    int sv[2], value;
    socklen_t len = sizeof(value);

    signal(SIGPIPE, count_sigpipe);
    for (int i = 0; i < 2; i++) {
        check_boundaries(types[i]);
        check_sizes(types[i]);
        check_shutdown(types[i]);
        check_peer_close(types[i]);
    }
    make_pair(SOCK_RAW, sv);
    getsockopt(sv[0], SOL_SOCKET, SO_TYPE, &value, &len);
    expect_long(value, SOCK_DGRAM, "SOCK_RAW makes a datagram pair");
    close_pair(sv);
    expect_errno(socketpair(AF_UNIX, SOCK_RDM, 0, sv), ESOCKTNOSUPPORT,
                 "socketpair SOCK_RDM");
    return finish();
}
