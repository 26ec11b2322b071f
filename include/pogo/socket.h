/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Kernel sockets: TCP and UDP over IPv4 on lwIP, with Linux semantics and
 * errno values. The syscall layer wraps each in an open file. Calls that
 * take application buffers copy through them with the uaccess functions,
 * so a bad pointer gives -EFAULT. Blocking calls wait on the socket's
 * wait queue; a signal interrupts them with -EINTR.
 *
 * Usage:
 *     struct pogo_socket *s;
 *     pogo_socket_create(POGO_SOCK_STREAM, &s);
 *     pogo_socket_bind(s, &addr); pogo_socket_listen(s, 128);
 *     pogo_socket_accept(s, &child, &peer, nonblock);
 *     pogo_socket_recv(child, ubuf, len, flags, NULL, nonblock);
 *     pogo_socket_close(child);
 */
#ifndef POGO_SOCKET_H
#define POGO_SOCKET_H

#include <pogo/compiler.h>
#include <pogo/sched.h>
#include <pogo/vfs.h> /* POGO_POLL* */

#define POGO_SOCK_STREAM 1
#define POGO_SOCK_DGRAM  2

/* Message flags, numbered as Linux's. */
#define POGO_MSG_OOB      0x01
#define POGO_MSG_PEEK     0x02
#define POGO_MSG_DONTWAIT 0x40
#define POGO_MSG_TRUNC    0x20
#define POGO_MSG_WAITALL  0x100
#define POGO_MSG_NOSIGNAL 0x4000
#define POGO_MSG_MORE     0x8000

/* An IPv4 address and port, in network byte order as in sockaddr_in. */
struct pogo_sockaddr {
    uint32_t addr;
    uint16_t port;
};

struct pogo_socket;

/* Returns 0 and a new socket, or -ENOMEM, -ENETDOWN (no network stack). */
int pogo_socket_create(int type, struct pogo_socket **out);

/* Closes: a graceful close, or a reset with SO_LINGER of 0 seconds. */
void pogo_socket_close(struct pogo_socket *s);

int pogo_socket_bind(struct pogo_socket *s, const struct pogo_sockaddr *a);
int pogo_socket_listen(struct pogo_socket *s, int backlog);
int pogo_socket_accept(struct pogo_socket *s, struct pogo_socket **child,
                       struct pogo_sockaddr *peer, bool nonblock);
/* Returns 0, -EINPROGRESS when nonblock, or the connect error. */
int pogo_socket_connect(struct pogo_socket *s, const struct pogo_sockaddr *a,
                        bool nonblock);

/* Dissolves the association, as connect to AF_UNSPEC does: a UDP socket
 * forgets its peer, a TCP connection ends with a reset, a listener stops.
 * Returns 0 or -ENOMEM. */
int pogo_socket_disconnect(struct pogo_socket *s);

/*
 * Sends from application memory; to is for UDP (NULL: the connected
 * peer). Returns the bytes sent or a negative errno; -EPIPE means the
 * caller raises SIGPIPE unless MSG_NOSIGNAL.
 */
long pogo_socket_send(struct pogo_socket *s, const void *ubuf, size_t len,
                      int flags, const struct pogo_sockaddr *to, bool nonblock);

/* Receives into application memory; from gets the sender (UDP, or the
 * peer of TCP) when not NULL. *msg_flags gets MSG_TRUNC for UDP. */
long pogo_socket_recv(struct pogo_socket *s, void *ubuf, size_t len, int flags,
                      struct pogo_sockaddr *from, int *msg_flags,
                      bool nonblock);

/* how: 0 read, 1 write, 2 both, as SHUT_RD, SHUT_WR, SHUT_RDWR. */
int pogo_socket_shutdown(struct pogo_socket *s, int how);

int pogo_socket_name(struct pogo_socket *s, struct pogo_sockaddr *a);
int pogo_socket_peer(struct pogo_socket *s, struct pogo_sockaddr *a);

/* Options at SOL_SOCKET, IPPROTO_TCP and IPPROTO_IP levels, with
 * Linux's numbers; val and len are kernel memory. -ENOPROTOOPT for an
 * unknown option. */
int pogo_socket_setopt(struct pogo_socket *s, int level, int name,
                       const void *val, size_t len);
int pogo_socket_getopt(struct pogo_socket *s, int level, int name, void *val,
                       size_t *len);

/* Bytes readable now (FIONREAD). */
size_t pogo_socket_readable(struct pogo_socket *s);

/* The poll bits that hold now. */
unsigned pogo_socket_poll(struct pogo_socket *s);

/* Called when the poll bits may have changed (from lwIP's context). */
void pogo_socket_set_notify(struct pogo_socket *s, void (*fn)(void *arg),
                            void *arg);

/* The socket type, for getsockopt(SO_TYPE) and error checks. */
int pogo_socket_type(struct pogo_socket *s);

#endif
