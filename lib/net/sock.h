/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The socket state that socket.c (creation, names, options, readiness),
 * tcp.c and udp.c share. The sock_ helpers that touch lwIP run with its
 * core lock held. The stream_ and dgram_ entry points take the lock
 * themselves, except those documented with "Holds the core lock".
 */
#ifndef POGO_NET_SOCK_H
#define POGO_NET_SOCK_H

#include <pogo/sched.h>
#include <pogo/socket.h>

#include "lwip/ip_addr.h"
#include "lwip/pbuf.h"
#include "lwip/tcp.h"
#include "lwip/udp.h"

/* Linux's sk_shutdown bits: the directions that carry no more data. */
#define RCV_SHUTDOWN  1
#define SEND_SHUTDOWN 2
#define SHUTDOWN_MASK 3

/* The phase of a TCP connection, in the terms of Linux's poll and errors. */
enum tcp_phase {
    T_NEW, /* TCP_CLOSE with a pcb: never connected, or disconnected */
    T_LISTEN,
    T_CONNECTING, /* SYN_SENT */
    T_CONNECTED,  /* from ESTABLISHED until the last FIN */
    T_CLOSED,     /* TCP_CLOSE after a connection: lwIP dropped the pcb */
};

/* Linux's sock->state, which connect, listen and shutdown consult. It
 * changes only in those calls, not when a connection completes. */
enum sock_state {
    SS_UNCONNECTED,
    SS_CONNECTING,
    SS_CONNECTED,
};

/* A received datagram. */
struct dgram {
    struct dgram *next;
    struct pbuf *p;
    struct pogo_sockaddr from;
};

struct pogo_socket {
    int type;
    union {
        struct tcp_pcb *tcp;
        struct udp_pcb *udp;
    } pcb;
    int error;         /* Linux's sk_err as a negative errno; 0: none */
    unsigned shutdown; /* RCV_SHUTDOWN, SEND_SHUTDOWN */
    bool addr_locked;  /* bind named an address: disconnect keeps it */
    bool port_locked;  /* bind named a port: disconnect keeps it */
    /* The local name, kept for getsockname after lwIP drops the pcb. */
    struct pogo_sockaddr local;
    struct pogo_sockaddr peer;

    /* TCP */
    enum tcp_phase phase;
    enum sock_state sock_state;
    bool fin;        /* the peer's FIN arrived (Linux's SOCK_DONE) */
    struct pbuf *rx; /* data not read yet */
    size_t rx_off;   /* bytes of rx already read */
    size_t rx_bytes;
    struct pogo_socket *accept_head, *accept_tail, *accept_next;
    int accept_count;
    int backlog; /* Linux's sk_max_ack_backlog: backlog + 1 may wait */

    /* UDP */
    bool connected_udp;
    struct dgram *dq_head, *dq_tail;
    size_t dq_bytes;

    struct pogo_waitqueue waiters;
    /* Counts the changes, so that a wait notices one that came while the core
     * lock was released: releasing it delivers loopback packets. */
    unsigned changes;
    void (*notify)(void *arg);
    void *notify_arg;

    /* Options */
    bool reuseaddr, reuseport, keepalive, nodelay, broadcast;
    bool cork;          /* TCP_CORK: send only whole segments */
    bool cork_timer;    /* the 200 ms ceiling of a cork is running */
    int rcvbuf, sndbuf; /* as getsockopt reports them: twice the request */
    bool linger_on;
    int linger_secs;
    uint64_t rcvtimeo_ns, sndtimeo_ns;
    int keepidle, keepintvl, keepcnt;
};

/* --- socket.c --------------------------------------------------------- */

struct pogo_socket *sock_alloc(int type);
void sock_free(struct pogo_socket *s);

/* Wakes the waiters of s and notifies its file that readiness changed. */
void sock_changed(struct pogo_socket *s);

/* Returns and clears the pending error, as Linux's sock_error. */
int sock_take_error(struct pogo_socket *s);

/* Waits, without the core lock, for a change of s after the one that
 * s->changes was at when the caller read it as seen, until deadline_ns
 * (0: forever). Returns 0, -EAGAIN when the deadline passed or -EINTR. */
int sock_wait(struct pogo_socket *s, unsigned seen, uint64_t deadline_ns);

/* The deadline of a wait with a SO_RCVTIMEO or SO_SNDTIMEO value. */
uint64_t sock_deadline(uint64_t timeout_ns);

int sock_lwip_errno(err_t err);
void sock_to_lwip(const struct pogo_sockaddr *a, ip_addr_t *ip, u16_t *port);
void sock_from_lwip(const ip_addr_t *ip, u16_t port, struct pogo_sockaddr *a);

/* Checks the length and family of an IPv4 address as Linux's inet calls
 * do; AF_UNSPEC passes where unspec_ok. Returns 0, -EINVAL or
 * -EAFNOSUPPORT. Needs no lock. */
int sock_check_inet(const struct pogo_sockaddr_arg *a, bool unspec_ok);

/* Checks the address that bind names: -EADDRNOTAVAIL unless it is one
 * that Linux lets a socket bind without IP_FREEBIND. */
int sock_check_local(uint32_t addr);

/* Linux's rule for two sockets on one port whose addresses overlap: they
 * may share it when both set SO_REUSEADDR and the other does not listen,
 * or when both set SO_REUSEPORT. */
bool sock_may_share(const struct pogo_socket *s, bool other_reuseaddr,
                    bool other_reuseport, bool other_listens);

/* Whether two local addresses (network order) overlap. */
bool sock_addrs_overlap(const ip_addr_t *a, const ip_addr_t *b);

/* --- tcp.c: the stream half ------------------------------------------- */

/* Called for each received frame before lwIP sees it: a connection
 * request that may reopen a connection in TIME_WAIT does so, and one to a
 * backlog full of half-open connections drops the oldest of them. */
void stream_frame_received(const void *frame, size_t len);

int stream_create(struct pogo_socket *s);
void stream_close(struct pogo_socket *s);
int stream_bind(struct pogo_socket *s, const struct pogo_sockaddr *a);
int stream_listen(struct pogo_socket *s, int backlog);
int stream_accept(struct pogo_socket *s, struct pogo_socket **child,
                  struct pogo_sockaddr *peer, bool nonblock);
int stream_connect(struct pogo_socket *s, const struct pogo_sockaddr_arg *a,
                   bool nonblock);
long stream_send(struct pogo_socket *s, struct pogo_uio *u, int flags,
                 bool nonblock);
long stream_recv(struct pogo_socket *s, struct pogo_uio *u, int flags,
                 bool nonblock);
int stream_shutdown(struct pogo_socket *s, int how);
unsigned stream_poll(struct pogo_socket *s);
/* The pcb's SO_REUSEADDR, TCP_NODELAY and keepalive settings from s. */
void stream_apply_options(struct pogo_socket *s);
/* Bytes queued for sending (SIOCOUTQ). */
size_t stream_unsent(struct pogo_socket *s);

/* --- udp.c: the datagram half ----------------------------------------- */

int dgram_create(struct pogo_socket *s);
void dgram_close(struct pogo_socket *s);
int dgram_bind(struct pogo_socket *s, const struct pogo_sockaddr *a);
int dgram_connect(struct pogo_socket *s, const struct pogo_sockaddr_arg *a);
long dgram_send(struct pogo_socket *s, struct pogo_uio *u, int flags,
                const struct pogo_sockaddr_arg *to);
long dgram_recv(struct pogo_socket *s, struct pogo_uio *u, int flags,
                struct pogo_sockaddr *from, int *msg_flags, bool nonblock);
int dgram_shutdown(struct pogo_socket *s, int how);
unsigned dgram_poll(struct pogo_socket *s);

#endif
