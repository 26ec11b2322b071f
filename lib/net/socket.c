/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * TCP and UDP sockets on lwIP's raw API (see pogo/socket.h): creation,
 * the checks that both kinds share, names, options and readiness. The
 * stream half is in tcp.c and the datagram half in udp.c. lwIP runs under
 * its core lock: socket calls take it around each use of lwIP, and lwIP's
 * callbacks, which run under it, update the socket and wake its waiters.
 */
#include <pogo/alloc.h>
#include <pogo/errno.h>
#include <pogo/net.h>
#include <pogo/sched.h>
#include <pogo/socket.h>
#include <pogo/string.h>
#include <pogo/time.h>

#include "lwip/ip4.h"
#include "lwip/memp.h"
#include "lwip/netif.h"
#include "lwip/priv/tcp_priv.h"
#include "lwip/stats.h"
#include "lwip/tcpip.h"

#include "sock.h"

#define SOL_SOCKET  1
#define IPPROTO_IP  0
#define IPPROTO_TCP 6
#define IPPROTO_UDP 17

#define SO_DEBUG      1
#define SO_REUSEADDR  2
#define SO_TYPE       3
#define SO_ERROR      4
#define SO_DONTROUTE  5
#define SO_BROADCAST  6
#define SO_SNDBUF     7
#define SO_RCVBUF     8
#define SO_KEEPALIVE  9
#define SO_OOBINLINE  10
#define SO_LINGER     13
#define SO_REUSEPORT  15
#define SO_RCVLOWAT   18
#define SO_SNDLOWAT   19
#define SO_RCVTIMEO   20
#define SO_SNDTIMEO   21
#define SO_ACCEPTCONN 30
#define SO_PROTOCOL   38
#define SO_DOMAIN     39

#define TCP_NODELAY      1
#define TCP_MAXSEG       2
#define TCP_CORK         3
#define TCP_KEEPIDLE     4
#define TCP_KEEPINTVL    5
#define TCP_KEEPCNT      6
#define TCP_QUICKACK     12
#define TCP_USER_TIMEOUT 18

#define IP_TOS 1
#define IP_TTL 2

#define DEFAULT_BUF 65536

/*
 * The largest SO_RCVBUF and SO_SNDBUF request, before the doubling. Linux
 * caps requests at net.core.rmem_max and wmem_max, 4 MiB on the Linux
 * 6.18 host that the guest tests compare with.
 */
#define BUF_REQUEST_MAX (4u << 20)

/* Linux's smallest buffers (SOCK_MIN_RCVBUF, SOCK_MIN_SNDBUF) on x86-64. */
#define MIN_RCVBUF 2304
#define MIN_SNDBUF 4608

static size_t live_sockets;

/* --- Helpers for tcp.c and udp.c ---------------------------------------- */

struct pogo_socket *sock_alloc(int type)
{
    struct pogo_socket *s = pogo_calloc(1, sizeof(*s));

    if (!s)
        return NULL;
    s->type = type;
    s->rcvbuf = DEFAULT_BUF;
    s->sndbuf = DEFAULT_BUF;
    live_sockets++;
    return s;
}

void sock_free(struct pogo_socket *s)
{
    if (s->rx)
        pbuf_free(s->rx);
    while (s->dq_head) {
        struct dgram *d = s->dq_head;

        s->dq_head = d->next;
        pbuf_free(d->p);
        pogo_free(d);
    }
    live_sockets--;
    pogo_free(s);
}

void sock_changed(struct pogo_socket *s)
{
    s->changes++;
    pogo_wake(&s->waiters, 0, ~0u, 1 << 30);
    if (s->notify)
        s->notify(s->notify_arg);
}

int sock_take_error(struct pogo_socket *s)
{
    int err = s->error;

    s->error = 0;
    return err;
}

/* NOTE: Linux returns -EINTR rather than restarting a call under
 * SA_RESTART when SO_RCVTIMEO or SO_SNDTIMEO is set; the -EINTR here is
 * restarted either way, with the whole timeout again. */
int sock_wait(struct pogo_socket *s, unsigned seen, uint64_t deadline_ns)
{
    int r;

    if (pogo_signal_pending())
        return -EINTR;
    /* The kernel runs with interrupts off, so nothing changes s between
     * this test and the sleep. */
    if (s->changes != seen)
        return 0;
    r = pogo_wait(&s->waiters, 0, ~0u, deadline_ns);
    if (r == -ETIMEDOUT)
        return -EAGAIN;
    return r == -EINTR ? -EINTR : 0;
}

uint64_t sock_deadline(uint64_t timeout_ns)
{
    return timeout_ns ? pogo_time_monotonic_ns() + timeout_ns : 0;
}

void sock_to_lwip(const struct pogo_sockaddr *a, ip_addr_t *ip, u16_t *port)
{
    ip_addr_set_ip4_u32(ip, a->addr);
    *port = lwip_ntohs(a->port);
}

void sock_from_lwip(const ip_addr_t *ip, u16_t port, struct pogo_sockaddr *a)
{
    a->addr = ip4_addr_get_u32(ip_2_ip4(ip));
    a->port = lwip_htons(port);
}

int sock_lwip_errno(err_t err)
{
    switch (err) {
    case ERR_OK:
        return 0;
    case ERR_MEM:
    case ERR_BUF:
        return -ENOBUFS;
    case ERR_RTE:
        return -ENETUNREACH;
    case ERR_USE:
        return -EADDRINUSE;
    case ERR_ISCONN:
        return -EISCONN;
    case ERR_ALREADY:
        return -EALREADY;
    case ERR_CONN:
        return -ENOTCONN;
    case ERR_ABRT:
        return -ECONNABORTED;
    case ERR_RST:
        return -ECONNRESET;
    case ERR_VAL:
    case ERR_ARG:
        return -EINVAL;
    default:
        return -EIO;
    }
}

int sock_check_inet(const struct pogo_sockaddr_arg *a, bool unspec_ok)
{
    if (a->len < POGO_SOCKADDR_IN_LEN)
        return -EINVAL;
    if (a->family == POGO_AF_INET || (a->family == POGO_AF_UNSPEC && unspec_ok))
        return 0;
    return -EAFNOSUPPORT;
}

int sock_check_local(uint32_t addr)
{
    ip4_addr_t ip;
    struct netif *n;

    ip4_addr_set_u32(&ip, addr);
    if (addr == 0 || ip4_addr_isloopback(&ip) || ip4_addr_ismulticast(&ip) ||
        addr == 0xffffffff)
        return 0;
    NETIF_FOREACH(n)
    {
        if (ip4_addr_cmp(&ip, netif_ip4_addr(n)) ||
            ip4_addr_isbroadcast(&ip, n))
            return 0;
    }
    return -EADDRNOTAVAIL;
}

bool sock_may_share(const struct pogo_socket *s, bool other_reuseaddr,
                    bool other_reuseport, bool other_listens)
{
    return (s->reuseaddr && other_reuseaddr && !other_listens) ||
           (s->reuseport && other_reuseport);
}

bool sock_addrs_overlap(const ip_addr_t *a, const ip_addr_t *b)
{
    return ip_addr_isany(a) || ip_addr_isany(b) || ip_addr_cmp(a, b);
}

/* --- Calls ---------------------------------------------------------------- */

int pogo_socket_create(int type, struct pogo_socket **out)
{
    struct pogo_socket *s;
    int err;

    if (type != POGO_SOCK_STREAM && type != POGO_SOCK_DGRAM)
        return -EPROTONOSUPPORT;
    s = sock_alloc(type);
    if (!s)
        return -ENOMEM;
    LOCK_TCPIP_CORE();
    err = type == POGO_SOCK_STREAM ? stream_create(s) : dgram_create(s);
    UNLOCK_TCPIP_CORE();
    if (err) {
        sock_free(s);
        return err;
    }
    *out = s;
    return 0;
}

void pogo_socket_close(struct pogo_socket *s)
{
    LOCK_TCPIP_CORE();
    if (s->type == POGO_SOCK_STREAM)
        stream_close(s);
    else
        dgram_close(s);
    UNLOCK_TCPIP_CORE();
    sock_free(s);
}

int pogo_socket_type(struct pogo_socket *s)
{
    return s->type;
}

int pogo_socket_bind(struct pogo_socket *s, const struct pogo_sockaddr_arg *a)
{
    /* Linux takes AF_UNSPEC for AF_INET here, but only with INADDR_ANY. */
    int err =
        sock_check_inet(a, a->len >= POGO_SOCKADDR_IN_LEN && a->in.addr == 0);

    if (err)
        return err;
    LOCK_TCPIP_CORE();
    err = sock_check_local(a->in.addr);
    if (!err)
        err = s->type == POGO_SOCK_STREAM ? stream_bind(s, &a->in)
                                          : dgram_bind(s, &a->in);
    UNLOCK_TCPIP_CORE();
    return err;
}

int pogo_socket_listen(struct pogo_socket *s, int backlog)
{
    if (s->type != POGO_SOCK_STREAM)
        return -EOPNOTSUPP;
    return stream_listen(s, backlog);
}

int pogo_socket_accept(struct pogo_socket *s, struct pogo_socket **child,
                       struct pogo_sockaddr *peer, bool nonblock)
{
    if (s->type != POGO_SOCK_STREAM)
        return -EOPNOTSUPP;
    return stream_accept(s, child, peer, nonblock);
}

int pogo_socket_connect(struct pogo_socket *s,
                        const struct pogo_sockaddr_arg *a, bool nonblock)
{
    if (s->type == POGO_SOCK_STREAM)
        return stream_connect(s, a, nonblock);
    return dgram_connect(s, a);
}

long pogo_socket_send(struct pogo_socket *s, struct pogo_uio *u, int flags,
                      const struct pogo_sockaddr_arg *to, bool nonblock)
{
    nonblock |= flags & POGO_MSG_DONTWAIT;
    if (s->type == POGO_SOCK_STREAM)
        return stream_send(s, u, flags, nonblock);
    return dgram_send(s, u, flags, to);
}

long pogo_socket_recv(struct pogo_socket *s, struct pogo_uio *u, int flags,
                      struct pogo_sockaddr *from, int *msg_flags, bool nonblock)
{
    nonblock |= flags & POGO_MSG_DONTWAIT;
    /* Nothing lands on the error queue: ICMP errors are reported as
     * socket errors, as on Linux without IP_RECVERR. */
    if (flags & POGO_MSG_ERRQUEUE)
        return -EAGAIN;
    if (s->type == POGO_SOCK_STREAM)
        return stream_recv(s, u, flags, nonblock);
    return dgram_recv(s, u, flags, from, msg_flags, nonblock);
}

int pogo_socket_shutdown(struct pogo_socket *s, int how)
{
    int err;

    if (how < 0 || how > 2)
        return -EINVAL;
    LOCK_TCPIP_CORE();
    err = s->type == POGO_SOCK_STREAM ? stream_shutdown(s, how + 1)
                                      : dgram_shutdown(s, how + 1);
    sock_changed(s);
    UNLOCK_TCPIP_CORE();
    return err;
}

/* --- Names ---------------------------------------------------------------- */

int pogo_socket_name(struct pogo_socket *s, struct pogo_sockaddr *a)
{
    *a = s->local;
    LOCK_TCPIP_CORE();
    /* Linux keeps showing the last port after the connection ends, so
     * a pcb that is not bound leaves the remembered name. */
    if (s->type == POGO_SOCK_STREAM && s->pcb.tcp && s->pcb.tcp->local_port)
        sock_from_lwip(&s->pcb.tcp->local_ip, s->pcb.tcp->local_port, a);
    else if (s->type == POGO_SOCK_DGRAM && s->pcb.udp)
        sock_from_lwip(&s->pcb.udp->local_ip, s->pcb.udp->local_port, a);
    UNLOCK_TCPIP_CORE();
    return 0;
}

int pogo_socket_peer(struct pogo_socket *s, struct pogo_sockaddr *a)
{
    bool connected =
        s->type == POGO_SOCK_DGRAM ? s->connected_udp : s->phase == T_CONNECTED;

    /* A UDP socket connected to port 0 has no peer to name on Linux. */
    if (!connected || s->peer.port == 0)
        return -ENOTCONN;
    *a = s->peer;
    return 0;
}

/* --- Options -------------------------------------------------------------- */

static int int_value(const void *val, size_t len, int *out)
{
    if (len < sizeof(int))
        return -EINVAL;
    pogo_memcpy(out, val, sizeof(int));
    return 0;
}

struct linger {
    int on;
    int secs;
};

struct timeval_k {
    int64_t sec;
    int64_t usec;
};

static int set_timeout(const void *val, size_t len, uint64_t *out)
{
    struct timeval_k tv;

    if (len < sizeof(tv))
        return -EINVAL;
    pogo_memcpy(&tv, val, sizeof(tv));
    if (tv.usec < 0 || tv.usec >= 1000000)
        return -EDOM;
    if (tv.sec < 0)
        tv.sec = tv.usec = 0; /* Linux treats a negative time as none */
    *out = (uint64_t)tv.sec * POGO_NSEC_PER_SEC + (uint64_t)tv.usec * 1000;
    return 0;
}

/* Linux's buffer size for a SO_RCVBUF or SO_SNDBUF request: capped,
 * doubled for its bookkeeping, at least the minimum. */
static int buffer_size(int request, int min)
{
    unsigned v = POGO_MIN((unsigned)request, BUF_REQUEST_MAX);

    return POGO_MAX((int)(v * 2), min);
}

/* Copies the options that lwIP's pcbs carry to the pcb of s. */
static void apply_options(struct pogo_socket *s)
{
    if (s->type == POGO_SOCK_STREAM) {
        stream_apply_options(s);
        return;
    }
    /* lwIP lets pcbs share a port only when all set SOF_REUSEADDR;
     * dgram_bind applies Linux's finer rule first. */
    if (s->reuseaddr || s->reuseport)
        ip_set_option(s->pcb.udp, SOF_REUSEADDR);
    else
        ip_reset_option(s->pcb.udp, SOF_REUSEADDR);
}

static int set_int_option(struct pogo_socket *s, int name, int v)
{
    switch (name) {
    case SO_REUSEADDR:
        s->reuseaddr = v;
        break;
    case SO_REUSEPORT:
        s->reuseport = v;
        break;
    case SO_KEEPALIVE:
        s->keepalive = v;
        break;
    case SO_BROADCAST:
        s->broadcast = v;
        break;
    case SO_RCVBUF:
        s->rcvbuf = buffer_size(v, MIN_RCVBUF);
        break;
    case SO_SNDBUF:
        s->sndbuf = buffer_size(v, MIN_SNDBUF);
        break;
    case SO_RCVLOWAT:
    case SO_SNDLOWAT:
    case SO_OOBINLINE:
    case SO_DONTROUTE:
    case SO_DEBUG:
        return 0;
    default:
        return -ENOPROTOOPT;
    }
    LOCK_TCPIP_CORE();
    if (s->pcb.tcp)
        apply_options(s);
    UNLOCK_TCPIP_CORE();
    return 0;
}

static int set_socket_level(struct pogo_socket *s, int name, const void *val,
                            size_t len)
{
    struct linger l;
    int v, err;

    /* Linux reads an int first for every option at this level. */
    err = int_value(val, len, &v);
    if (err)
        return err;
    switch (name) {
    case SO_LINGER:
        if (len < sizeof(l))
            return -EINVAL;
        pogo_memcpy(&l, val, sizeof(l));
        s->linger_on = l.on;
        s->linger_secs = l.secs;
        return 0;
    case SO_RCVTIMEO:
        return set_timeout(val, len, &s->rcvtimeo_ns);
    case SO_SNDTIMEO:
        return set_timeout(val, len, &s->sndtimeo_ns);
    default:
        return set_int_option(s, name, v);
    }
}

static int set_tcp_level(struct pogo_socket *s, int name, int v)
{
    switch (name) {
    case TCP_NODELAY:
        s->nodelay = v;
        break;
    case TCP_KEEPIDLE:
    case TCP_KEEPINTVL:
    case TCP_KEEPCNT:
        if (v < 1 || v > 32767)
            return -EINVAL;
        if (name == TCP_KEEPIDLE)
            s->keepidle = v;
        else if (name == TCP_KEEPINTVL)
            s->keepintvl = v;
        else
            s->keepcnt = v;
        break;
    case TCP_CORK:
        s->cork = v;
        break;
    case TCP_MAXSEG:
    case TCP_QUICKACK:
    case TCP_USER_TIMEOUT:
        return 0;
    default:
        return -ENOPROTOOPT;
    }
    LOCK_TCPIP_CORE();
    stream_apply_options(s);
    UNLOCK_TCPIP_CORE();
    return 0;
}

int pogo_socket_setopt(struct pogo_socket *s, int level, int name,
                       const void *val, size_t len)
{
    int v, err;

    if (level == SOL_SOCKET)
        return set_socket_level(s, name, val, len);
    if (level == IPPROTO_TCP) {
        /* A UDP socket hands other levels to the IP layer, which does not
         * know them. */
        if (s->type != POGO_SOCK_STREAM)
            return -ENOPROTOOPT;
        err = int_value(val, len, &v);
        return err ? err : set_tcp_level(s, name, v);
    }
    if (level == IPPROTO_IP && (name == IP_TOS || name == IP_TTL))
        return 0;
    return -ENOPROTOOPT;
}

static int put_int(void *val, size_t *len, int v)
{
    size_t n = POGO_MIN(*len, sizeof(int));

    pogo_memcpy(val, &v, n);
    *len = n;
    return 0;
}

static int put_bytes(void *val, size_t *len, const void *src, size_t n)
{
    *len = POGO_MIN(*len, n);
    pogo_memcpy(val, src, *len);
    return 0;
}

static int get_timeout(uint64_t ns, void *val, size_t *len)
{
    struct timeval_k tv = {ns / POGO_NSEC_PER_SEC,
                           (ns % POGO_NSEC_PER_SEC) / 1000};

    return put_bytes(val, len, &tv, sizeof(tv));
}

static int get_socket_level(struct pogo_socket *s, int name, void *val,
                            size_t *len)
{
    struct linger l = {s->linger_on, s->linger_secs};

    switch (name) {
    case SO_TYPE:
        return put_int(val, len, s->type);
    case SO_ERROR:
        return put_int(val, len, -sock_take_error(s));
    case SO_REUSEADDR:
        return put_int(val, len, s->reuseaddr);
    case SO_REUSEPORT:
        return put_int(val, len, s->reuseport);
    case SO_KEEPALIVE:
        return put_int(val, len, s->keepalive);
    case SO_BROADCAST:
        return put_int(val, len, s->broadcast);
    case SO_RCVBUF:
        return put_int(val, len, s->rcvbuf);
    case SO_SNDBUF:
        return put_int(val, len, s->sndbuf);
    case SO_ACCEPTCONN:
        return put_int(val, len, s->phase == T_LISTEN);
    case SO_DOMAIN:
        return put_int(val, len, POGO_AF_INET);
    case SO_PROTOCOL:
        return put_int(val, len,
                       s->type == POGO_SOCK_STREAM ? IPPROTO_TCP : IPPROTO_UDP);
    case SO_RCVLOWAT:
    case SO_SNDLOWAT:
        return put_int(val, len, 1);
    case SO_LINGER:
        return put_bytes(val, len, &l, sizeof(l));
    case SO_RCVTIMEO:
        return get_timeout(s->rcvtimeo_ns, val, len);
    case SO_SNDTIMEO:
        return get_timeout(s->sndtimeo_ns, val, len);
    default:
        return -ENOPROTOOPT;
    }
}

static int get_tcp_level(struct pogo_socket *s, int name, void *val,
                         size_t *len)
{
    switch (name) {
    case TCP_NODELAY:
        return put_int(val, len, s->nodelay);
    case TCP_CORK:
        return put_int(val, len, s->cork);
    case TCP_KEEPIDLE:
        return put_int(val, len, s->keepidle ? s->keepidle : 7200);
    case TCP_KEEPINTVL:
        return put_int(val, len, s->keepintvl ? s->keepintvl : 75);
    case TCP_KEEPCNT:
        return put_int(val, len, s->keepcnt ? s->keepcnt : 9);
    case TCP_MAXSEG:
        return put_int(val, len, TCP_MSS);
    default:
        return -ENOPROTOOPT;
    }
}

int pogo_socket_getopt(struct pogo_socket *s, int level, int name, void *val,
                       size_t *len)
{
    if (level == SOL_SOCKET)
        return get_socket_level(s, name, val, len);
    if (level == IPPROTO_TCP && s->type == POGO_SOCK_STREAM)
        return get_tcp_level(s, name, val, len);
    if (level == IPPROTO_IP && name == IP_TTL)
        return put_int(val, len, 64);
    if (level == IPPROTO_IP && name == IP_TOS)
        return put_int(val, len, 0);
    return -ENOPROTOOPT;
}

/* --- Readiness ------------------------------------------------------------ */

long pogo_socket_readable(struct pogo_socket *s)
{
    if (s->type == POGO_SOCK_DGRAM)
        return s->dq_head ? s->dq_head->p->tot_len : 0;
    if (s->phase == T_LISTEN)
        return -EINVAL;
    return s->rx_bytes;
}

long pogo_socket_unsent(struct pogo_socket *s)
{
    long n;

    if (s->type == POGO_SOCK_DGRAM)
        return 0;
    if (s->phase == T_LISTEN)
        return -EINVAL;
    LOCK_TCPIP_CORE();
    n = stream_unsent(s);
    UNLOCK_TCPIP_CORE();
    return n;
}

unsigned pogo_socket_poll(struct pogo_socket *s)
{
    return s->type == POGO_SOCK_STREAM ? stream_poll(s) : dgram_poll(s);
}

void pogo_socket_set_notify(struct pogo_socket *s, void (*fn)(void *arg),
                            void *arg)
{
    s->notify = fn;
    s->notify_arg = arg;
}

void pogo_net_stats(struct pogo_net_stats *st)
{
    st->sockets = live_sockets;
#if MEMP_STATS
    st->tcp_pcbs = lwip_stats.memp[MEMP_TCP_PCB]->used;
    st->tcp_listen_pcbs = lwip_stats.memp[MEMP_TCP_PCB_LISTEN]->used;
    st->udp_pcbs = lwip_stats.memp[MEMP_UDP_PCB]->used;
#endif
    st->tcp_time_wait = 0;
    LOCK_TCPIP_CORE();
    for (struct tcp_pcb *p = tcp_tw_pcbs; p; p = p->next)
        st->tcp_time_wait++;
    UNLOCK_TCPIP_CORE();
}
