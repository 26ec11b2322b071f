/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Kernel sockets: TCP and UDP over IPv4 on lwIP, with Linux semantics and
 * errno values. The syscall layer wraps each in an open file. Data moves
 * through a pogo_uio, so a bad application buffer gives -EFAULT, or the
 * count moved before the fault. Blocking calls wait on the socket's wait
 * queue; a signal interrupts them with -EINTR.
 *
 * Usage:
 *     struct pogo_socket *s;
 *     pogo_socket_create(POGO_SOCK_STREAM, &s);
 *     pogo_socket_bind(s, &addr); pogo_socket_listen(s, 128);
 *     pogo_socket_accept(s, &child, &peer, nonblock);
 *     pogo_socket_recv(child, &uio, flags, NULL, NULL, nonblock);
 *     pogo_socket_close(child);
 */
#ifndef POGO_SOCKET_H
#define POGO_SOCKET_H

#include <pogo/compiler.h>
#include <pogo/sched.h>
#include <pogo/vfs.h> /* POGO_POLL*, struct pogo_uio */

#define POGO_SOCK_STREAM 1
#define POGO_SOCK_DGRAM  2

#define POGO_AF_UNSPEC 0
#define POGO_AF_UNIX   1
#define POGO_AF_INET   2

/* Message flags, numbered as Linux's. */
#define POGO_MSG_OOB      0x01
#define POGO_MSG_PEEK     0x02
#define POGO_MSG_TRUNC    0x20
#define POGO_MSG_DONTWAIT 0x40
#define POGO_MSG_WAITALL  0x100
#define POGO_MSG_ERRQUEUE 0x2000
#define POGO_MSG_NOSIGNAL 0x4000
#define POGO_MSG_MORE     0x8000

/* The size of sockaddr_in and of sockaddr_storage, as on Linux. */
#define POGO_SOCKADDR_IN_LEN      16
#define POGO_SOCKADDR_STORAGE_LEN 128

/* An IPv4 address and port, in network byte order as in sockaddr_in. */
struct pogo_sockaddr {
    uint32_t addr;
    uint16_t port;
};

/*
 * A socket address as the application passed it to bind, connect or
 * sendto, copied but not yet checked. The socket checks its length and
 * family at the step where Linux does, which differs between the calls.
 */
struct pogo_sockaddr_arg {
    size_t len;              /* as given, at most POGO_SOCKADDR_STORAGE_LEN */
    uint16_t family;         /* valid when len >= 2 */
    struct pogo_sockaddr in; /* valid when len >= POGO_SOCKADDR_IN_LEN */
};

struct pogo_socket;

/* Returns 0 and a new socket, or -EPROTONOSUPPORT, -ENOMEM. */
int pogo_socket_create(int type, struct pogo_socket **out);

/* Closes: a graceful close, or a reset with SO_LINGER of 0 seconds or
 * with received data left unread, as Linux does. */
void pogo_socket_close(struct pogo_socket *s);

/* Returns 0, or -EINVAL, -EAFNOSUPPORT, -EADDRNOTAVAIL, -EADDRINUSE. */
int pogo_socket_bind(struct pogo_socket *s, const struct pogo_sockaddr_arg *a);

/* Returns 0, or -EINVAL, -EOPNOTSUPP (UDP), -EADDRINUSE, -ENOBUFS. */
int pogo_socket_listen(struct pogo_socket *s, int backlog);

/* Takes the oldest connection that completed. Returns 0, -EAGAIN (none
 * and nonblock, or SO_RCVTIMEO ran out), -EINVAL (not listening),
 * -EOPNOTSUPP (UDP) or -EINTR. */
int pogo_socket_accept(struct pogo_socket *s, struct pogo_socket **child,
                       struct pogo_sockaddr *peer, bool nonblock);

/*
 * Connects, or with family AF_UNSPEC dissolves the association as Linux
 * does: a UDP socket drops its peer, a TCP connection ends with a
 * reset, a listener stops. Returns 0, -EINPROGRESS when nonblock, or the
 * errno of the check or of the connection that failed.
 */
int pogo_socket_connect(struct pogo_socket *s,
                        const struct pogo_sockaddr_arg *a, bool nonblock);

/*
 * Sends the bytes of u; to is the address that sendto or sendmsg gave
 * (NULL: none), which TCP ignores. Returns the bytes sent or a negative
 * errno; -EPIPE means the caller raises SIGPIPE unless MSG_NOSIGNAL, and
 * only for TCP.
 */
long pogo_socket_send(struct pogo_socket *s, struct pogo_uio *u, int flags,
                      const struct pogo_sockaddr_arg *to, bool nonblock);

/*
 * Receives into u. For UDP, from gets the sender and *msg_flags gets
 * MSG_TRUNC when the datagram was longer than u; TCP sets neither.
 * Returns the bytes received (the datagram's length with MSG_TRUNC) or a
 * negative errno.
 */
long pogo_socket_recv(struct pogo_socket *s, struct pogo_uio *u, int flags,
                      struct pogo_sockaddr *from, int *msg_flags,
                      bool nonblock);

/* how: 0 read, 1 write, 2 both, as SHUT_RD, SHUT_WR, SHUT_RDWR. Returns
 * 0, -EINVAL or -ENOTCONN; as on Linux, -ENOTCONN still shuts the
 * directions, so that poll reports them. */
int pogo_socket_shutdown(struct pogo_socket *s, int how);

/* The local name (0.0.0.0:0 before any bind) and the peer's name
 * (-ENOTCONN without a connection). */
int pogo_socket_name(struct pogo_socket *s, struct pogo_sockaddr *a);
int pogo_socket_peer(struct pogo_socket *s, struct pogo_sockaddr *a);

/* Options at SOL_SOCKET, IPPROTO_TCP and IPPROTO_IP levels, with
 * Linux's numbers; val and len are kernel memory. -ENOPROTOOPT for an
 * unknown option. */
int pogo_socket_setopt(struct pogo_socket *s, int level, int name,
                       const void *val, size_t len);
int pogo_socket_getopt(struct pogo_socket *s, int level, int name, void *val,
                       size_t *len);

/* Bytes readable now (FIONREAD): the next datagram's size for UDP.
 * -EINVAL on a listener, as Linux. */
long pogo_socket_readable(struct pogo_socket *s);

/* TCP bytes sent but not acknowledged yet, or not sent (SIOCOUTQ). */
long pogo_socket_unsent(struct pogo_socket *s);

/* The poll bits that hold now. */
unsigned pogo_socket_poll(struct pogo_socket *s);

/* Called when the poll bits may have changed (from lwIP's context). */
void pogo_socket_set_notify(struct pogo_socket *s, void (*fn)(void *arg),
                            void *arg);

/* The socket type, for getsockopt(SO_TYPE) and error checks. */
int pogo_socket_type(struct pogo_socket *s);

#endif
