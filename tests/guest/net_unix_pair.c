// AF_UNIX stream socket pairs as Linux has them: data both ways through
// read, write, send and recv with MSG_PEEK, MSG_DONTWAIT and MSG_WAITALL;
// names and options of the ends; shutdown in each direction; a peer that
// closes, with and without unread data; poll and edge-triggered epoll
// with EPOLLRDHUP; SIGPIPE and EPIPE; a blocking transfer between threads.
// test: config=NET=y
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "check.h"
#include "net_check.h"

#define BIG_TRANSFER (1 << 20)

static int sigpipes;

static void count_sigpipe(int sig)
{
    (void)sig;
    sigpipes++;
}

static void make_pair(int type, int sv[2])
{
    require(socketpair(AF_UNIX, type, 0, sv), "socketpair");
}

static int poll_events(int fd)
{
    struct pollfd p = {fd, POLLIN | POLLOUT | POLLRDHUP, 0};

    if (poll(&p, 1, 0) < 0)
        return -1;
    return p.revents;
}

static void check_creation_errors(void)
{
    int sv[2];

    expect_errno(socketpair(AF_INET, SOCK_STREAM, 0, sv), EOPNOTSUPP,
                 "socketpair AF_INET");
    expect_errno(socketpair(12345, SOCK_STREAM, 0, sv), EAFNOSUPPORT,
                 "socketpair unknown family");
    expect_errno(socketpair(AF_UNIX, 99, 0, sv), EINVAL,
                 "socketpair unknown type");
    expect_errno(socketpair(AF_UNIX, SOCK_STREAM, 6, sv), EPROTONOSUPPORT,
                 "socketpair protocol 6");
    expect_errno(socketpair(AF_UNIX, SOCK_STREAM | 0x100, 0, sv), EINVAL,
                 "socketpair unknown type flag");
    expect_errno(socketpair(AF_UNIX, SOCK_STREAM, 0, NULL), EFAULT,
                 "socketpair NULL array");
}

static void check_flags_and_names(void)
{
    struct sockaddr_un name;
    socklen_t len = sizeof(name);
    struct stat st;
    int sv[2], value;

    make_pair(SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, sv);
    expect_true(fcntl(sv[0], F_GETFL) & O_NONBLOCK,
                "SOCK_NONBLOCK sets O_NONBLOCK");
    expect_long(fcntl(sv[1], F_GETFD), FD_CLOEXEC,
                "SOCK_CLOEXEC sets FD_CLOEXEC");
    require(fstat(sv[0], &st), "fstat");
    expect_true(S_ISSOCK(st.st_mode), "fstat reports a socket");

    memset(&name, 0x55, sizeof(name));
    expect_errno(getsockname(sv[0], (struct sockaddr *)&name, &len), 0,
                 "getsockname");
    expect_long(len, sizeof(sa_family_t), "getsockname length");
    expect_long(name.sun_family, AF_UNIX, "getsockname family");
    len = sizeof(name);
    expect_errno(getpeername(sv[0], (struct sockaddr *)&name, &len), 0,
                 "getpeername");
    expect_long(len, sizeof(sa_family_t), "getpeername length");

    len = sizeof(value);
    getsockopt(sv[0], SOL_SOCKET, SO_TYPE, &value, &len);
    expect_long(value, SOCK_STREAM, "SO_TYPE");
    getsockopt(sv[0], SOL_SOCKET, SO_DOMAIN, &value, &len);
    expect_long(value, AF_UNIX, "SO_DOMAIN");
    getsockopt(sv[0], SOL_SOCKET, SO_PROTOCOL, &value, &len);
    expect_long(value, 0, "SO_PROTOCOL");
    getsockopt(sv[0], SOL_SOCKET, SO_ERROR, &value, &len);
    expect_long(value, 0, "SO_ERROR");
    getsockopt(sv[0], SOL_SOCKET, SO_ACCEPTCONN, &value, &len);
    expect_long(value, 0, "SO_ACCEPTCONN");
    expect_errno(getsockopt(sv[0], SOL_SOCKET, 12345, &value, &len),
                 ENOPROTOOPT, "getsockopt unknown option");

    expect_errno(listen(sv[0], 1), EINVAL, "listen on a connected end");
    expect_errno(accept(sv[0], NULL, NULL), EINVAL,
                 "accept on a connected end");
    close(sv[0]);
    close(sv[1]);
}

static void check_data(void)
{
    char buf[64];
    int sv[2], n;

    make_pair(SOCK_STREAM, sv);
    expect_long(write(sv[0], "hello", 5), 5, "write to one end");
    expect_long(send(sv[1], "back", 4, 0), 4, "send from the other end");
    require(ioctl(sv[1], FIONREAD, &n), "FIONREAD");
    expect_long(n, 5, "FIONREAD counts the bytes waiting");
    expect_long(recv(sv[1], buf, 3, MSG_PEEK), 3, "recv MSG_PEEK");
    expect_long(recv(sv[1], buf, sizeof(buf), MSG_PEEK), 5,
                "recv MSG_PEEK sees everything");
    expect_long(read(sv[1], buf, sizeof(buf)), 5, "read after peeking");
    expect_true(memcmp(buf, "hello", 5) == 0, "the bytes arrive in order");
    expect_long(read(sv[0], buf, sizeof(buf)), 4, "read the other way");
    expect_errno(recv(sv[0], buf, sizeof(buf), MSG_DONTWAIT), EAGAIN,
                 "recv MSG_DONTWAIT when empty");
    expect_str(event_names(poll_events(sv[0])), "OUT", "poll of an idle end");
    expect_long(write(sv[0], "x", 1), 1, "write one byte");
    expect_str(event_names(poll_events(sv[1])), "IN OUT",
               "poll with data waiting");
    expect_long(read(sv[1], buf, 0), 0, "read of 0 bytes");
    close(sv[0]);
    close(sv[1]);
}

static void check_shutdown(void)
{
    char buf[16];
    int sv[2];

    make_pair(SOCK_STREAM, sv);
    expect_long(write(sv[0], "last", 4), 4, "write before SHUT_WR");
    expect_errno(shutdown(sv[0], SHUT_WR), 0, "shutdown SHUT_WR");
    expect_errno(send(sv[0], "x", 1, MSG_NOSIGNAL), EPIPE,
                 "send after own SHUT_WR");
    expect_str(event_names(poll_events(sv[1])), "IN OUT RDHUP",
               "poll of the peer of SHUT_WR");
    expect_long(read(sv[1], buf, sizeof(buf)), 4, "peer reads the data");
    expect_long(read(sv[1], buf, sizeof(buf)), 0, "then end of file");
    expect_long(write(sv[1], "ok", 2), 2, "the other way still works");
    expect_long(read(sv[0], buf, sizeof(buf)), 2, "read the other way");
    expect_errno(shutdown(sv[1], SHUT_RD), 0, "peer shutdown SHUT_RD");
    expect_str(event_names(poll_events(sv[0])), "OUT",
               "poll with sending shut from both sides");
    expect_errno(shutdown(sv[0], 7), EINVAL, "shutdown with a bad how");
    close(sv[0]);
    close(sv[1]);

    make_pair(SOCK_STREAM, sv);
    expect_errno(shutdown(sv[1], SHUT_RD), 0, "shutdown SHUT_RD");
    expect_errno(send(sv[0], "x", 1, MSG_NOSIGNAL), EPIPE,
                 "send to a peer that shut reading");
    expect_long(read(sv[1], buf, sizeof(buf)), 0, "read after own SHUT_RD");
    close(sv[0]);
    close(sv[1]);
}

static void check_peer_close(void)
{
    struct epoll_event ev = {EPOLLIN | EPOLLRDHUP | EPOLLET, {0}};
    char buf[16];
    int sv[2], ep, value;
    socklen_t len = sizeof(value);

    make_pair(SOCK_STREAM, sv);
    ep = epoll_create1(0);
    require(ep, "epoll_create1");
    require(epoll_ctl(ep, EPOLL_CTL_ADD, sv[0], &ev), "epoll_ctl");
    expect_long(epoll_wait(ep, &ev, 1, 0), 0, "epoll before the close");
    expect_long(write(sv[1], "bye", 3), 3, "peer writes before closing");
    close(sv[1]);
    expect_long(epoll_wait(ep, &ev, 1, 1000), 1, "epoll after the close");
    expect_str(event_names(ev.events), "IN HUP RDHUP",
               "epoll events of the close");
    expect_long(epoll_wait(ep, &ev, 1, 0), 0, "edge reported once");
    expect_str(event_names(poll_events(sv[0])), "IN OUT HUP RDHUP",
               "poll after the peer closed");
    expect_long(read(sv[0], buf, sizeof(buf)), 3, "data written before close");
    expect_long(read(sv[0], buf, sizeof(buf)), 0, "then end of file");
    expect_errno(send(sv[0], "x", 1, MSG_NOSIGNAL), EPIPE,
                 "send to a closed peer");
    signal(SIGPIPE, count_sigpipe);
    expect_errno(write(sv[0], "x", 1), EPIPE, "write to a closed peer");
    expect_long(sigpipes, 1, "SIGPIPE raised once");
    signal(SIGPIPE, SIG_IGN);
    expect_errno(write(sv[0], "x", 1), EPIPE, "write with SIGPIPE ignored");
    signal(SIGPIPE, SIG_DFL);
    close(sv[0]);
    close(ep);

    make_pair(SOCK_STREAM, sv);
    expect_long(write(sv[0], "unread", 6), 6,
                "write what the peer never reads");
    close(sv[1]);
    expect_str(event_names(poll_events(sv[0])), "IN OUT ERR HUP RDHUP",
               "poll after a close with unread data");
    getsockopt(sv[0], SOL_SOCKET, SO_ERROR, &value, &len);
    expect_str(errno_name(value), "ECONNRESET", "SO_ERROR after that close");
    expect_long(read(sv[0], buf, sizeof(buf)), 0,
                "read once SO_ERROR took the error");
    close(sv[0]);

    make_pair(SOCK_STREAM, sv);
    expect_long(write(sv[0], "unread", 6), 6, "write again what is never read");
    close(sv[1]);
    expect_errno(read(sv[0], buf, sizeof(buf)), ECONNRESET,
                 "read after a close with unread data");
    expect_long(read(sv[0], buf, sizeof(buf)), 0, "then end of file");
    close(sv[0]);
}

static void check_full_buffer(void)
{
    static char chunk[4096];
    int sv[2];
    long n;

    make_pair(SOCK_STREAM | SOCK_NONBLOCK, sv);
    while ((n = write(sv[0], chunk, sizeof(chunk))) > 0)
        ;
    expect_errno(n, EAGAIN, "write to a full pair");
    expect_str(event_names(poll_events(sv[0])), "none", "poll of a full end");
    while (read(sv[1], chunk, sizeof(chunk)) > 0)
        ;
    expect_str(event_names(poll_events(sv[0])), "OUT", "poll once drained");
    close(sv[0]);
    close(sv[1]);
}

static void *write_big(void *arg)
{
    int fd = *(int *)arg;
    char *data = malloc(BIG_TRANSFER);
    long n;

    for (int i = 0; i < BIG_TRANSFER; i++)
        data[i] = (char)(i * 7 + i / 4096);
    n = write(fd, data, BIG_TRANSFER);
    free(data);
    return (void *)n;
}

static void *write_slowly(void *arg)
{
    int fd = *(int *)arg;

    for (int i = 0; i < 10; i++) {
        sleep_ms(10);
        if (write(fd, "0123456789", 10) != 10)
            break;
    }
    return NULL;
}

static void check_threads(void)
{
    char *got = malloc(BIG_TRANSFER);
    long total = 0, n, wrote;
    int sv[2], bad = 0;
    pthread_t t;
    void *ret;

    make_pair(SOCK_STREAM, sv);
    pthread_create(&t, NULL, write_big, &sv[0]);
    while (total < BIG_TRANSFER &&
           (n = read(sv[1], got + total, BIG_TRANSFER - total)) > 0)
        total += n;
    pthread_join(t, &ret);
    wrote = (long)ret;
    expect_long(wrote, BIG_TRANSFER, "one blocking write of 1 MiB");
    expect_long(total, BIG_TRANSFER, "bytes read by the other thread");
    for (int i = 0; i < BIG_TRANSFER; i++)
        bad += got[i] != (char)(i * 7 + i / 4096);
    expect_long(bad, 0, "bytes that differ");

    pthread_create(&t, NULL, write_slowly, &sv[0]);
    expect_long(recv(sv[1], got, 100, MSG_WAITALL), 100,
                "recv MSG_WAITALL of 10 writes");
    pthread_join(t, NULL);
    close(sv[0]);
    close(sv[1]);
    free(got);
}

int main(void)
{
    check_creation_errors();
    check_flags_and_names();
    check_data();
    check_shutdown();
    check_peer_close();
    check_full_buffer();
    check_threads();
    return finish();
}
