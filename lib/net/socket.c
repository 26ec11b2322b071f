/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * TCP and UDP sockets on lwIP's raw API (see pogo/socket.h). lwIP runs
 * under its core lock: socket calls take it around each use of lwIP, and
 * lwIP's callbacks, which run under it, update the socket and wake its
 * waiters. Received TCP data stays in lwIP's buffers until it is read,
 * and the window opens as the application reads, so a slow reader slows
 * the sender instead of using memory.
 */
#include <pogo/alloc.h>
#include <pogo/errno.h>
#include <pogo/log.h>
#include <pogo/net.h>
#include <pogo/sched.h>
#include <pogo/socket.h>
#include <pogo/string.h>
#include <pogo/time.h>
#include <pogo/uaccess.h>

#include "lwip/inet_chksum.h"
#include "lwip/ip4.h"
#include "lwip/memp.h"
#include "lwip/priv/tcp_priv.h"
#include "lwip/stats.h"
#include "lwip/tcp.h"
#include "lwip/tcpip.h"
#include "lwip/udp.h"

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
#define TCP_KEEPIDLE     4
#define TCP_KEEPINTVL    5
#define TCP_KEEPCNT      6
#define TCP_INFO         11
#define TCP_QUICKACK     12
#define TCP_USER_TIMEOUT 18

#define IP_TOS 1
#define IP_TTL 2

#define AF_INET 2

#define SEND_CHUNK      16384
#define RECV_CHUNK      16384
#define DEFAULT_BUF     65536
#define DEFAULT_BACKLOG 128

enum state {
    S_NEW,
    S_LISTEN,
    S_CONNECTING,
    S_CONNECTED,
    S_CLOSED, /* the connection ended: reset, or refused */
};

struct dgram {
    struct dgram *next;
    struct pbuf *p;
    struct pogo_sockaddr from;
};

struct pogo_socket {
    int type;
    enum state state;
    union {
        struct tcp_pcb *tcp;
        struct udp_pcb *udp;
    } pcb;

    struct pbuf *rx; /* TCP data not read yet */
    size_t rx_off;   /* bytes of rx already read */
    size_t rx_bytes;
    bool rx_fin; /* the peer closed its side */
    int error;   /* for SO_ERROR and the next call */
    bool reset;  /* ended by a reset or an abort */
    bool shut_rd, shut_wr;
    bool connected_udp;
    bool addr_locked; /* bind named an address: disconnect keeps it */
    bool port_locked; /* bind named a port: disconnect keeps it */
    struct pogo_sockaddr peer;

    struct pogo_socket *accept_head, *accept_tail, *accept_next;
    int accept_count, backlog;

    struct dgram *dq_head, *dq_tail;
    size_t dq_bytes;

    struct pogo_waitqueue waiters;
    void (*notify)(void *arg);
    void *notify_arg;

    bool reuseaddr, reuseport, keepalive, nodelay, broadcast;
    int rcvbuf, sndbuf;
    bool linger_on;
    int linger_secs;
    uint64_t rcvtimeo_ns, sndtimeo_ns;
    int keepidle, keepintvl, keepcnt;
};

static size_t live_sockets;

/* --- Helpers ----------------------------------------------------------------
 */

static void changed(struct pogo_socket *s)
{
    pogo_wake(&s->waiters, 0, ~0u, 1 << 30);
    if (s->notify)
        s->notify(s->notify_arg);
}

static void to_lwip(const struct pogo_sockaddr *a, ip_addr_t *ip, u16_t *port)
{
    ip_addr_set_ip4_u32(ip, a->addr);
    *port = lwip_ntohs(a->port);
}

static void from_lwip(const ip_addr_t *ip, u16_t port, struct pogo_sockaddr *a)
{
    a->addr = ip4_addr_get_u32(ip_2_ip4(ip));
    a->port = lwip_htons(port);
}

static int lwip_errno(err_t err)
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

/* Waits for a change of s until deadline_ns (0: forever). The core lock
 * is not held. Returns 0, -EAGAIN on timeout or -EINTR for a signal. */
static int wait_change(struct pogo_socket *s, uint64_t deadline_ns)
{
    int r;

    if (pogo_signal_pending())
        return -EINTR;
    r = pogo_wait(&s->waiters, 0, ~0u, deadline_ns);
    if (r == -ETIMEDOUT)
        return -EAGAIN;
    return r == -EINTR ? -EINTR : 0;
}

static uint64_t deadline_after(uint64_t timeout_ns)
{
    return timeout_ns ? pogo_time_monotonic_ns() + timeout_ns : 0;
}

/* --- lwIP callbacks ------------------------------------------------------ */

static err_t on_recv(void *arg, struct tcp_pcb *pcb, struct pbuf *p, err_t err)
{
    struct pogo_socket *s = arg;

    if (!s) {
        if (p) {
            tcp_recved(pcb, p->tot_len);
            pbuf_free(p);
        }
        return ERR_OK;
    }
    if (!p) {
        s->rx_fin = true;
    } else if (s->shut_rd) {
        tcp_recved(pcb, p->tot_len);
        pbuf_free(p);
        return ERR_OK;
    } else {
        s->rx_bytes += p->tot_len;
        if (s->rx)
            pbuf_cat(s->rx, p);
        else
            s->rx = p;
    }
    changed(s);
    return ERR_OK;
}

static err_t on_sent(void *arg, struct tcp_pcb *pcb, u16_t len)
{
    struct pogo_socket *s = arg;

    if (s)
        changed(s);
    return ERR_OK;
}

static void on_error(void *arg, err_t err)
{
    struct pogo_socket *s = arg;

    if (!s)
        return;
    /* lwIP has freed the pcb already. */
    s->pcb.tcp = NULL;
    /* ERR_CLSD: both ends closed and the last FIN was acknowledged. The
     * connection ended normally, with no error to report. */
    if (err != ERR_CLSD) {
        s->error = (s->state == S_CONNECTING && err == ERR_RST)
                       ? -ECONNREFUSED
                       : lwip_errno(err);
        s->reset = true;
    }
    s->state = S_CLOSED;
    changed(s);
}

static err_t on_connected(void *arg, struct tcp_pcb *pcb, err_t err)
{
    struct pogo_socket *s = arg;

    if (!s)
        return ERR_OK;
    s->state = err == ERR_OK ? S_CONNECTED : S_CLOSED;
    if (err != ERR_OK)
        s->error = lwip_errno(err);
    changed(s);
    return ERR_OK;
}

static void attach_tcp(struct pogo_socket *s, struct tcp_pcb *pcb)
{
    s->pcb.tcp = pcb;
    tcp_arg(pcb, s);
    tcp_recv(pcb, on_recv);
    tcp_sent(pcb, on_sent);
    tcp_err(pcb, on_error);
}

static void detach_tcp(struct tcp_pcb *pcb)
{
    tcp_arg(pcb, NULL);
    /* A listening pcb has only an accept callback: lwIP asserts that the
     * others are never set on one. */
    if (pcb->state == LISTEN) {
        tcp_accept(pcb, NULL);
        return;
    }
    tcp_recv(pcb, NULL);
    tcp_sent(pcb, NULL);
    tcp_err(pcb, NULL);
}

static struct pogo_socket *alloc_socket(int type)
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

static void free_socket(struct pogo_socket *s)
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

static err_t on_accept(void *arg, struct tcp_pcb *pcb, err_t err)
{
    struct pogo_socket *l = arg;
    struct pogo_socket *c;

    if (!l || err != ERR_OK || !pcb)
        return ERR_VAL;
    if (l->accept_count >= l->backlog)
        return ERR_MEM; /* lwIP resets the new connection */
    c = alloc_socket(POGO_SOCK_STREAM);
    if (!c)
        return ERR_MEM;
    c->state = S_CONNECTED;
    c->nodelay = l->nodelay;
    c->keepalive = l->keepalive;
    c->rcvtimeo_ns = l->rcvtimeo_ns;
    c->sndtimeo_ns = l->sndtimeo_ns;
    attach_tcp(c, pcb);
    if (c->nodelay)
        tcp_nagle_disable(pcb);
    tcp_backlog_delayed(pcb);
    if (l->accept_tail)
        l->accept_tail->accept_next = c;
    else
        l->accept_head = c;
    l->accept_tail = c;
    l->accept_count++;
    changed(l);
    return ERR_OK;
}

static void on_udp_recv(void *arg, struct udp_pcb *pcb, struct pbuf *p,
                        const ip_addr_t *addr, u16_t port)
{
    struct pogo_socket *s = arg;
    struct dgram *d;

    if (!s || s->shut_rd || s->dq_bytes + p->tot_len > (size_t)s->rcvbuf * 2) {
        pbuf_free(p);
        return;
    }
    d = pogo_malloc(sizeof(*d));
    if (!d) {
        pbuf_free(p);
        return;
    }
    d->next = NULL;
    d->p = p;
    from_lwip(addr, port, &d->from);
    if (s->dq_tail)
        s->dq_tail->next = d;
    else
        s->dq_head = d;
    s->dq_tail = d;
    s->dq_bytes += p->tot_len;
    changed(s);
}

/* --- ICMP errors ------------------------------------------------------------
 */

#define ICMP_DEST_UNREACH  3
#define ICMP_PARAMETERPROB 12
#define ICMP_ERROR_MAX     576 /* the largest ICMP error a host sends */
#define IP_PROTO_ICMP      1
#define IP_PROTO_UDP       17

/* Linux's errno for an ICMP error that it reports to a connected UDP
 * socket, from its table icmp_err_convert; 0 for the soft errors, which
 * it does not report. */
static int icmp_hard_errno(unsigned type, unsigned code)
{
    static const int unreach[16] = {
        [2] = ENOPROTOOPT,   [3] = ECONNREFUSED,  [6] = ENETUNREACH,
        [7] = EHOSTDOWN,     [8] = ENONET,        [9] = ENETUNREACH,
        [10] = EHOSTUNREACH, [13] = EHOSTUNREACH, [14] = EHOSTUNREACH,
        [15] = EHOSTUNREACH,
    };

    if (type == ICMP_PARAMETERPROB)
        return EPROTO;
    if (type == ICMP_DEST_UNREACH && code < 16)
        return unreach[code];
    return 0;
}

/* Gives the error to the connected UDP socket that sent the datagram
 * quoted in an ICMP error. */
static void report_udp_error(const uint8_t *quoted, int err)
{
    unsigned ihl = (quoted[0] & 0x0f) * 4;
    const uint8_t *udp = quoted + ihl;
    ip_addr_t src, dst;
    u16_t sport = udp[0] << 8 | udp[1], dport = udp[2] << 8 | udp[3];

    pogo_memcpy(&src, quoted + 12, 4);
    pogo_memcpy(&dst, quoted + 16, 4);
    for (struct udp_pcb *pcb = udp_pcbs; pcb; pcb = pcb->next) {
        struct pogo_socket *s = pcb->recv_arg;

        if (!s || !(pcb->flags & UDP_FLAGS_CONNECTED) ||
            pcb->local_port != sport || pcb->remote_port != dport ||
            !ip_addr_cmp(&pcb->remote_ip, &dst) ||
            (!ip_addr_isany(&pcb->local_ip) &&
             !ip_addr_cmp(&pcb->local_ip, &src)))
            continue;
        s->error = -err;
        changed(s);
        return;
    }
}

/*
 * lwIP's hook for each IPv4 packet received, called under the core lock
 * before lwIP checks the packet. It looks for ICMP errors about UDP
 * datagrams and leaves every packet to lwIP (returns 0).
 */
int pogo_lwip_ip4_input(struct pbuf *p, struct netif *inp)
{
    static uint8_t pkt[ICMP_ERROR_MAX];
    unsigned ihl, len, qihl;
    const uint8_t *icmp, *quoted;
    int err;

    if (p->tot_len < 20 || p->tot_len > sizeof(pkt))
        return 0;
    pbuf_copy_partial(p, pkt, p->tot_len, 0);
    ihl = (pkt[0] & 0x0f) * 4;
    len = pkt[2] << 8 | pkt[3];
    /* Only a whole, unfragmented ICMP message with a quoted IPv4 header
     * and the 8 bytes of UDP header after it. */
    if (pkt[9] != IP_PROTO_ICMP || ihl < 20 || len > p->tot_len ||
        len < ihl + 8 + 20 || (pkt[6] & 0x3f) || pkt[7])
        return 0;
    icmp = pkt + ihl;
    quoted = icmp + 8;
    qihl = (quoted[0] & 0x0f) * 4;
    if (qihl < 20 || ihl + 8 + qihl + 8 > len || quoted[9] != IP_PROTO_UDP)
        return 0;
    /* As lwIP's own ICMP input, check the sum where the netif asks for
     * it: loopback does not compute sums. */
    if ((inp->chksum_flags & NETIF_CHECKSUM_CHECK_ICMP) &&
        inet_chksum(icmp, len - ihl) != 0)
        return 0;
    err = icmp_hard_errno(icmp[0], icmp[1]);
    if (err)
        report_udp_error(quoted, err);
    return 0;
}

/* --- Creation, binding, listening ---------------------------------------- */

/* Gives s a new, unbound UDP pcb. Holds the core lock. */
static bool new_udp_pcb(struct pogo_socket *s)
{
    s->pcb.udp = udp_new_ip_type(IPADDR_TYPE_V4);
    if (!s->pcb.udp)
        return false;
    udp_recv(s->pcb.udp, on_udp_recv, s);
    return true;
}

int pogo_socket_create(int type, struct pogo_socket **out)
{
    struct pogo_socket *s;

    if (type != POGO_SOCK_STREAM && type != POGO_SOCK_DGRAM)
        return -EPROTONOSUPPORT;
    s = alloc_socket(type);
    if (!s)
        return -ENOMEM;
    LOCK_TCPIP_CORE();
    if (type == POGO_SOCK_STREAM) {
        struct tcp_pcb *pcb = tcp_new_ip_type(IPADDR_TYPE_V4);
        if (pcb)
            attach_tcp(s, pcb);
    } else {
        new_udp_pcb(s);
    }
    UNLOCK_TCPIP_CORE();
    if (!s->pcb.tcp) {
        free_socket(s);
        return -ENOMEM;
    }
    *out = s;
    return 0;
}

int pogo_socket_type(struct pogo_socket *s)
{
    return s->type;
}

int pogo_socket_bind(struct pogo_socket *s, const struct pogo_sockaddr *a)
{
    ip_addr_t ip;
    u16_t port;
    err_t err = ERR_VAL;

    to_lwip(a, &ip, &port);
    LOCK_TCPIP_CORE();
    if (s->type == POGO_SOCK_STREAM && s->pcb.tcp && s->state == S_NEW &&
        s->pcb.tcp->local_port == 0) {
        if (s->reuseaddr || s->reuseport)
            ip_set_option(s->pcb.tcp, SOF_REUSEADDR);
        err = tcp_bind(s->pcb.tcp, &ip, port);
    } else if (s->type == POGO_SOCK_DGRAM && s->pcb.udp &&
               s->pcb.udp->local_port == 0) {
        if (s->reuseaddr || s->reuseport)
            ip_set_option(s->pcb.udp, SOF_REUSEADDR);
        err = udp_bind(s->pcb.udp, &ip, port);
    }
    UNLOCK_TCPIP_CORE();
    if (err == ERR_OK) {
        s->addr_locked = a->addr != 0;
        s->port_locked = a->port != 0;
    }
    if (err == ERR_USE)
        return -EADDRINUSE;
    if (err == ERR_VAL && s->type == POGO_SOCK_STREAM)
        return -EINVAL; /* already bound, or not a new socket */
    return err == ERR_VAL ? -EINVAL : lwip_errno(err);
}

int pogo_socket_listen(struct pogo_socket *s, int backlog)
{
    struct tcp_pcb *lpcb;
    err_t err = ERR_OK;

    if (s->type != POGO_SOCK_STREAM)
        return -EOPNOTSUPP;
    if (backlog <= 0)
        backlog = 1;
    if (backlog > 4096)
        backlog = 4096;
    LOCK_TCPIP_CORE();
    if (s->state == S_LISTEN) {
        s->backlog = backlog;
        UNLOCK_TCPIP_CORE();
        return 0;
    }
    if (s->state != S_NEW || !s->pcb.tcp) {
        UNLOCK_TCPIP_CORE();
        return -EINVAL;
    }
    /* Linux picks a port for an unbound socket that listens. */
    if (s->pcb.tcp->local_port == 0)
        err = tcp_bind(s->pcb.tcp, IP4_ADDR_ANY, 0);
    lpcb = err == ERR_OK ? tcp_listen_with_backlog_and_err(
                               s->pcb.tcp, backlog > 255 ? 255 : backlog, &err)
                         : NULL;
    if (lpcb) {
        s->pcb.tcp = lpcb;
        tcp_arg(lpcb, s);
        tcp_accept(lpcb, on_accept);
        s->state = S_LISTEN;
        s->backlog = backlog;
    }
    UNLOCK_TCPIP_CORE();
    return lpcb ? 0 : lwip_errno(err);
}

int pogo_socket_accept(struct pogo_socket *s, struct pogo_socket **child,
                       struct pogo_sockaddr *peer, bool nonblock)
{
    uint64_t until = deadline_after(s->rcvtimeo_ns);

    if (s->state != S_LISTEN)
        return -EINVAL;
    for (;;) {
        struct pogo_socket *c;
        int r;

        LOCK_TCPIP_CORE();
        c = s->accept_head;
        if (c) {
            s->accept_head = c->accept_next;
            if (!s->accept_head)
                s->accept_tail = NULL;
            s->accept_count--;
            c->accept_next = NULL;
            if (c->pcb.tcp) {
                tcp_backlog_accepted(c->pcb.tcp);
                from_lwip(&c->pcb.tcp->remote_ip, c->pcb.tcp->remote_port,
                          &c->peer);
            }
            UNLOCK_TCPIP_CORE();
            if (peer)
                *peer = c->peer;
            *child = c;
            return 0;
        }
        UNLOCK_TCPIP_CORE();
        if (nonblock)
            return -EAGAIN;
        r = wait_change(s, until);
        if (r)
            return r;
    }
}

/* Sets the peer of a UDP socket. As on Linux, the local address becomes
 * the source address of the route to the peer unless bind chose one. */
static int dgram_connect(struct pogo_socket *s, const struct pogo_sockaddr *a)
{
    struct udp_pcb *pcb = s->pcb.udp;
    struct netif *route;
    ip_addr_t ip;
    u16_t port;
    err_t err;

    to_lwip(a, &ip, &port);
    LOCK_TCPIP_CORE();
    err = udp_connect(pcb, &ip, port);
    route = err == ERR_OK ? ip4_route(ip_2_ip4(&ip)) : NULL;
    if (route && ip_addr_isany(&pcb->local_ip))
        ip_addr_copy(pcb->local_ip, route->ip_addr);
    if (err == ERR_OK) {
        s->connected_udp = true;
        s->peer = *a;
    }
    UNLOCK_TCPIP_CORE();
    return lwip_errno(err);
}

int pogo_socket_connect(struct pogo_socket *s, const struct pogo_sockaddr *a,
                        bool nonblock)
{
    uint64_t until = deadline_after(s->sndtimeo_ns);
    ip_addr_t ip;
    u16_t port;
    err_t err;

    to_lwip(a, &ip, &port);
    if (s->type == POGO_SOCK_DGRAM)
        return dgram_connect(s, a);
    if (s->state == S_CONNECTING)
        return nonblock ? -EALREADY : -EALREADY;
    if (s->state == S_CONNECTED)
        return -EISCONN;
    if (s->state != S_NEW || !s->pcb.tcp)
        return s->state == S_LISTEN ? -EINVAL : -EISCONN;
    if (port == 0)
        return -ECONNREFUSED;

    LOCK_TCPIP_CORE();
    s->state = S_CONNECTING;
    s->peer = *a;
    err = tcp_connect(s->pcb.tcp, &ip, port, on_connected);
    if (err != ERR_OK)
        s->state = S_NEW;
    UNLOCK_TCPIP_CORE();
    if (err != ERR_OK)
        return lwip_errno(err);
    if (nonblock)
        return -EINPROGRESS;

    while (s->state == S_CONNECTING) {
        int r = wait_change(s, until);
        if (r == -EAGAIN)
            return -ETIMEDOUT;
        if (r)
            return r;
    }
    if (s->state == S_CONNECTED)
        return 0;
    err = s->error;
    s->error = 0;
    return err ? err : -ECONNREFUSED;
}

/* --- Data -------------------------------------------------------------------
 */

static int tcp_send_error(struct pogo_socket *s)
{
    if (s->reset || s->shut_wr || s->state == S_CLOSED) {
        int err = s->error;
        /* Linux reports a reset once as ECONNRESET, then EPIPE. */
        if (err == -ECONNRESET) {
            s->error = 0;
            return err;
        }
        return -EPIPE;
    }
    if (s->state != S_CONNECTED && s->state != S_CONNECTING)
        return -ENOTCONN;
    return 0;
}

static long stream_send(struct pogo_socket *s, const uint8_t *ubuf, size_t len,
                        int flags, bool nonblock)
{
    uint64_t until = deadline_after(s->sndtimeo_ns);
    uint8_t *chunk = pogo_malloc(SEND_CHUNK);
    size_t sent = 0;
    long ret = 0;

    if (!chunk)
        return -ENOMEM;
    while (sent < len) {
        size_t space, n;
        err_t err;
        int r;

        LOCK_TCPIP_CORE();
        r = tcp_send_error(s);
        if (r) {
            UNLOCK_TCPIP_CORE();
            ret = r;
            break;
        }
        space = s->state == S_CONNECTED ? tcp_sndbuf(s->pcb.tcp) : 0;
        if (space > 0 && tcp_sndqueuelen(s->pcb.tcp) >= TCP_SND_QUEUELEN - 4)
            space = 0;
        if (space == 0) {
            UNLOCK_TCPIP_CORE();
            if (nonblock)
                break;
            r = wait_change(s, until);
            if (r) {
                ret = r;
                break;
            }
            continue;
        }
        n = POGO_MIN(POGO_MIN(space, len - sent), (size_t)SEND_CHUNK);
        if (pogo_copy_from_user(chunk, ubuf + sent, n)) {
            UNLOCK_TCPIP_CORE();
            ret = -EFAULT;
            break;
        }
        err = tcp_write(s->pcb.tcp, chunk, n,
                        TCP_WRITE_FLAG_COPY |
                            ((flags & POGO_MSG_MORE) || sent + n < len
                                 ? TCP_WRITE_FLAG_MORE
                                 : 0));
        if (err == ERR_OK) {
            sent += n;
            if (sent == len && !(flags & POGO_MSG_MORE))
                tcp_output(s->pcb.tcp);
        } else if (err != ERR_MEM) {
            ret = lwip_errno(err);
        }
        UNLOCK_TCPIP_CORE();
        if (ret)
            break;
        if (err == ERR_MEM && nonblock)
            break;
    }
    if (sent > 0) {
        LOCK_TCPIP_CORE();
        if (s->pcb.tcp && s->state == S_CONNECTED)
            tcp_output(s->pcb.tcp);
        UNLOCK_TCPIP_CORE();
    }
    pogo_free(chunk);
    if (sent > 0)
        return sent;
    return ret ? ret : -EAGAIN;
}

static long dgram_send(struct pogo_socket *s, const uint8_t *ubuf, size_t len,
                       const struct pogo_sockaddr *to)
{
    struct pbuf *p;
    ip_addr_t ip;
    u16_t port;
    err_t err;

    /* Linux gives an unbound socket its port before it checks anything
     * else, so even a send that fails binds it. */
    LOCK_TCPIP_CORE();
    if (s->pcb.udp->local_port == 0)
        udp_bind(s->pcb.udp, &s->pcb.udp->local_ip, 0);
    UNLOCK_TCPIP_CORE();
    if (len > 65507)
        return -EMSGSIZE;
    if (!to && !s->connected_udp)
        return -EDESTADDRREQ;
    if (s->shut_wr)
        return -EPIPE;
    if (to && to->port == 0)
        return -EINVAL;
    to_lwip(to ? to : &s->peer, &ip, &port);
    LOCK_TCPIP_CORE();
    /* An error that ICMP reported fails the next send, which sends
     * nothing. */
    if (s->error) {
        long err = s->error;
        s->error = 0;
        UNLOCK_TCPIP_CORE();
        return err;
    }
    p = pbuf_alloc(PBUF_TRANSPORT, len, PBUF_RAM);
    if (!p) {
        UNLOCK_TCPIP_CORE();
        return -ENOBUFS;
    }
    if (pogo_copy_from_user(p->payload, ubuf, len)) {
        pbuf_free(p);
        UNLOCK_TCPIP_CORE();
        return -EFAULT;
    }
    err = to ? udp_sendto(s->pcb.udp, p, &ip, port) : udp_send(s->pcb.udp, p);
    pbuf_free(p);
    UNLOCK_TCPIP_CORE();
    return err == ERR_OK ? (long)len : lwip_errno(err);
}

long pogo_socket_send(struct pogo_socket *s, const void *ubuf, size_t len,
                      int flags, const struct pogo_sockaddr *to, bool nonblock)
{
    nonblock |= flags & POGO_MSG_DONTWAIT;
    if (s->type == POGO_SOCK_DGRAM)
        return dgram_send(s, ubuf, len, to);
    if (s->state == S_LISTEN)
        return -ENOTCONN;
    if (len == 0) {
        int r = tcp_send_error(s);
        return r ? r : 0;
    }
    return stream_send(s, ubuf, len, flags, nonblock);
}

/* Copies up to len bytes of the TCP receive queue; consumes them unless
 * peek. Returns the count or -EFAULT. Holds the core lock. */
static long take_tcp_data(struct pogo_socket *s, uint8_t *ubuf, size_t len,
                          bool peek)
{
    size_t done = 0, off = s->rx_off;
    struct pbuf *p = s->rx;

    while (p && done < len) {
        size_t n = POGO_MIN((size_t)p->len - off, len - done);
        if (pogo_copy_to_user(ubuf + done, (uint8_t *)p->payload + off, n))
            return done ? (long)done : -EFAULT;
        done += n;
        off += n;
        if (off == p->len) {
            p = p->next;
            off = 0;
        }
    }
    if (peek)
        return done;

    /* Free the pbufs read completely and open the window by as much. */
    s->rx_off += done;
    while (s->rx && s->rx_off >= s->rx->len) {
        struct pbuf *head = s->rx;
        s->rx_off -= head->len;
        s->rx = head->next;
        if (s->rx)
            pbuf_ref(s->rx);
        pbuf_free(head);
    }
    s->rx_bytes -= done;
    if (s->pcb.tcp) {
        for (size_t left = done; left > 0;) {
            u16_t step = left > 0xffff ? 0xffff : (u16_t)left;
            tcp_recved(s->pcb.tcp, step);
            left -= step;
        }
    }
    return done;
}

static long stream_recv(struct pogo_socket *s, uint8_t *ubuf, size_t len,
                        int flags, bool nonblock)
{
    uint64_t until = deadline_after(s->rcvtimeo_ns);
    bool peek = flags & POGO_MSG_PEEK;
    bool waitall = (flags & POGO_MSG_WAITALL) && !peek;
    size_t got = 0;

    if (s->state == S_LISTEN || s->state == S_NEW)
        return -ENOTCONN;
    for (;;) {
        long n = 0;
        int r;

        LOCK_TCPIP_CORE();
        if (s->rx_bytes > 0)
            n = take_tcp_data(s, ubuf + got, len - got, peek);
        if (n < 0) {
            UNLOCK_TCPIP_CORE();
            return got ? (long)got : n;
        }
        got += n;
        if (got == len || (got > 0 && !waitall)) {
            UNLOCK_TCPIP_CORE();
            return got;
        }
        if (s->rx_fin || s->shut_rd) {
            UNLOCK_TCPIP_CORE();
            return got;
        }
        if (s->error) {
            int err = s->error;
            s->error = 0;
            UNLOCK_TCPIP_CORE();
            return got ? (long)got : err;
        }
        if (s->state == S_CLOSED) {
            UNLOCK_TCPIP_CORE();
            return got;
        }
        UNLOCK_TCPIP_CORE();
        if (nonblock)
            return got ? (long)got : -EAGAIN;
        r = wait_change(s, until);
        if (r)
            return got ? (long)got : r;
    }
}

/* Copies up to len bytes of a pbuf chain to application memory. */
static int copy_pbuf_to_user(struct pbuf *p, uint8_t *ubuf, size_t len)
{
    size_t done = 0;

    for (; p && done < len; p = p->next) {
        size_t n = POGO_MIN((size_t)p->len, len - done);
        if (pogo_copy_to_user(ubuf + done, p->payload, n))
            return -EFAULT;
        done += n;
    }
    return 0;
}

static long dgram_recv(struct pogo_socket *s, uint8_t *ubuf, size_t len,
                       int flags, struct pogo_sockaddr *from, int *msg_flags,
                       bool nonblock)
{
    uint64_t until = deadline_after(s->rcvtimeo_ns);
    bool peek = flags & POGO_MSG_PEEK;

    for (;;) {
        struct dgram *d;
        int r;

        LOCK_TCPIP_CORE();
        if (s->error) {
            r = s->error;
            s->error = 0;
            UNLOCK_TCPIP_CORE();
            return r;
        }
        d = s->dq_head;
        if (d) {
            size_t size = d->p->tot_len;
            size_t n = POGO_MIN(size, len);
            if (copy_pbuf_to_user(d->p, ubuf, n)) {
                UNLOCK_TCPIP_CORE();
                return -EFAULT;
            }
            if (from)
                *from = d->from;
            if (msg_flags && size > len)
                *msg_flags |= POGO_MSG_TRUNC;
            if (!peek) {
                s->dq_head = d->next;
                if (!s->dq_head)
                    s->dq_tail = NULL;
                s->dq_bytes -= size;
                pbuf_free(d->p);
                pogo_free(d);
            }
            UNLOCK_TCPIP_CORE();
            /* MSG_TRUNC asks for the real length of the datagram. */
            return (flags & POGO_MSG_TRUNC) ? (long)size : (long)n;
        }
        UNLOCK_TCPIP_CORE();
        if (s->shut_rd)
            return 0;
        if (nonblock)
            return -EAGAIN;
        r = wait_change(s, until);
        if (r)
            return r;
    }
}

long pogo_socket_recv(struct pogo_socket *s, void *ubuf, size_t len, int flags,
                      struct pogo_sockaddr *from, int *msg_flags, bool nonblock)
{
    long n;

    nonblock |= flags & POGO_MSG_DONTWAIT;
    if (flags & POGO_MSG_OOB)
        return -EINVAL;
    if (s->type == POGO_SOCK_DGRAM)
        return dgram_recv(s, ubuf, len, flags, from, msg_flags, nonblock);
    n = stream_recv(s, ubuf, len, flags, nonblock);
    if (n >= 0 && from)
        *from = s->peer;
    return n;
}

/* Frees the data received and not read. Holds the core lock. */
static void drop_received(struct pogo_socket *s)
{
    if (s->rx)
        pbuf_free(s->rx);
    s->rx = NULL;
    s->rx_off = 0;
    s->rx_bytes = 0;
}

/* Resets the connections that a listener has not accepted yet. Holds the
 * core lock. */
static void reset_accept_queue(struct pogo_socket *s)
{
    while (s->accept_head) {
        struct pogo_socket *c = s->accept_head;
        s->accept_head = c->accept_next;
        if (c->pcb.tcp) {
            detach_tcp(c->pcb.tcp);
            tcp_abort(c->pcb.tcp);
        }
        free_socket(c);
    }
    s->accept_tail = NULL;
    s->accept_count = 0;
}

/* --- Shutdown and close ------------------------------------------------- */

int pogo_socket_shutdown(struct pogo_socket *s, int how)
{
    err_t err = ERR_OK;

    if (how < 0 || how > 2)
        return -EINVAL;
    if (s->type == POGO_SOCK_STREAM && s->state != S_CONNECTED &&
        s->state != S_CLOSED && s->state != S_LISTEN)
        return -ENOTCONN;
    if (s->type == POGO_SOCK_DGRAM && !s->connected_udp)
        return -ENOTCONN;
    LOCK_TCPIP_CORE();
    if (how != 1)
        s->shut_rd = true;
    if (how != 0)
        s->shut_wr = true;
    if (s->type == POGO_SOCK_STREAM && s->pcb.tcp && s->state == S_CONNECTED)
        err = tcp_shutdown(s->pcb.tcp, 0, how != 0);
    changed(s);
    UNLOCK_TCPIP_CORE();
    return err == ERR_OK ? 0 : lwip_errno(err);
}

static void close_tcp(struct pogo_socket *s)
{
    struct tcp_pcb *pcb = s->pcb.tcp;

    if (!pcb)
        return;
    detach_tcp(pcb);
    s->pcb.tcp = NULL;
    /* SO_LINGER with 0 s, or data left unread: reset, as Linux does. */
    if ((s->linger_on && s->linger_secs == 0) || s->rx_bytes > 0) {
        if (pcb->state != LISTEN) {
            tcp_abort(pcb);
            return;
        }
    }
    if (tcp_close(pcb) != ERR_OK)
        tcp_abort(pcb);
}

void pogo_socket_close(struct pogo_socket *s)
{
    LOCK_TCPIP_CORE();
    if (s->type == POGO_SOCK_STREAM) {
        /* Connections that were never accepted are reset. */
        reset_accept_queue(s);
        close_tcp(s);
    } else if (s->pcb.udp) {
        udp_remove(s->pcb.udp);
        s->pcb.udp = NULL;
    }
    UNLOCK_TCPIP_CORE();
    free_socket(s);
}

/* --- Disconnecting -----------------------------------------------------------
 */

/*
 * Makes a TCP socket new again, as Linux does for connect to AF_UNSPEC:
 * a connection ends with a reset and leaves ECONNRESET for the next call,
 * a listener stops and resets what it has not accepted. The socket keeps
 * the address and port that bind named. Holds the core lock.
 */
static int disconnect_tcp(struct pogo_socket *s)
{
    struct tcp_pcb *old = s->pcb.tcp, *pcb;
    bool had_connection = s->state == S_CONNECTED || s->state == S_CONNECTING;
    ip_addr_t ip = *IP4_ADDR_ANY;
    u16_t port = 0;

    if (s->state == S_NEW)
        return 0;
    pcb = tcp_new_ip_type(IPADDR_TYPE_V4);
    if (!pcb)
        return -ENOMEM;
    if (old) {
        ip_addr_copy(ip, old->local_ip);
        port = old->local_port;
        detach_tcp(old);
        if (old->state == LISTEN)
            tcp_close(old);
        else
            tcp_abort(old);
    }
    reset_accept_queue(s);
    drop_received(s);
    s->rx_fin = s->reset = s->shut_rd = s->shut_wr = false;
    s->peer = (struct pogo_sockaddr){0, 0};
    if (had_connection)
        s->error = -ECONNRESET;
    s->state = S_NEW;
    attach_tcp(s, pcb);
    if (s->reuseaddr || s->reuseport)
        ip_set_option(pcb, SOF_REUSEADDR);
    if (s->nodelay)
        tcp_nagle_disable(pcb);
    if (s->port_locked &&
        tcp_bind(pcb, s->addr_locked ? &ip : IP4_ADDR_ANY, port) != ERR_OK)
        s->port_locked = s->addr_locked = false;
    changed(s);
    return 0;
}

/*
 * Dissolves the association of a UDP socket, as Linux does for connect
 * to AF_UNSPEC. The local address and port go back to unbound unless
 * bind named them. Holds the core lock.
 */
static int disconnect_udp(struct pogo_socket *s)
{
    struct udp_pcb *old = s->pcb.udp;
    ip_addr_t ip;

    udp_disconnect(old);
    s->connected_udp = false;
    s->peer = (struct pogo_sockaddr){0, 0};
    if (!s->addr_locked)
        ip_addr_set_any(false, &old->local_ip);
    if (s->port_locked)
        return 0;

    /* lwIP cannot unbind a pcb, so a new one takes its place. */
    ip_addr_copy(ip, old->local_ip);
    if (!new_udp_pcb(s)) {
        s->pcb.udp = old;
        return -ENOMEM;
    }
    ip_addr_copy(s->pcb.udp->local_ip, ip);
    s->pcb.udp->so_options = old->so_options;
    s->pcb.udp->ttl = old->ttl;
    s->pcb.udp->tos = old->tos;
    udp_remove(old);
    return 0;
}

int pogo_socket_disconnect(struct pogo_socket *s)
{
    int err;

    LOCK_TCPIP_CORE();
    if (s->type == POGO_SOCK_STREAM)
        err = disconnect_tcp(s);
    else
        err = disconnect_udp(s);
    UNLOCK_TCPIP_CORE();
    return err;
}

/* --- Names ------------------------------------------------------------------
 */

int pogo_socket_name(struct pogo_socket *s, struct pogo_sockaddr *a)
{
    *a = (struct pogo_sockaddr){0, 0};
    LOCK_TCPIP_CORE();
    if (s->type == POGO_SOCK_STREAM && s->pcb.tcp)
        from_lwip(&s->pcb.tcp->local_ip, s->pcb.tcp->local_port, a);
    else if (s->type == POGO_SOCK_DGRAM && s->pcb.udp)
        from_lwip(&s->pcb.udp->local_ip, s->pcb.udp->local_port, a);
    UNLOCK_TCPIP_CORE();
    return 0;
}

int pogo_socket_peer(struct pogo_socket *s, struct pogo_sockaddr *a)
{
    if (s->type == POGO_SOCK_DGRAM && !s->connected_udp)
        return -ENOTCONN;
    if (s->type == POGO_SOCK_STREAM && s->state != S_CONNECTED)
        return -ENOTCONN;
    *a = s->peer;
    return 0;
}

/* --- Options ------------------------------------------------------------ */

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

static void apply_keepalive(struct pogo_socket *s)
{
    struct tcp_pcb *pcb = s->pcb.tcp;

    if (!pcb || s->state == S_LISTEN)
        return;
    if (s->keepalive)
        ip_set_option(pcb, SOF_KEEPALIVE);
    else
        ip_reset_option(pcb, SOF_KEEPALIVE);
    if (s->keepidle)
        pcb->keep_idle = s->keepidle * 1000U;
    if (s->keepintvl)
        pcb->keep_intvl = s->keepintvl * 1000U;
    if (s->keepcnt)
        pcb->keep_cnt = s->keepcnt;
}

static int set_socket_level(struct pogo_socket *s, int name, const void *val,
                            size_t len)
{
    int v = 0, err = 0;
    struct linger l;

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
    }
    err = int_value(val, len, &v);
    if (err)
        return err;
    switch (name) {
    case SO_REUSEADDR:
        s->reuseaddr = v;
        break;
    case SO_REUSEPORT:
        s->reuseport = v;
        break;
    case SO_KEEPALIVE:
        s->keepalive = v;
        LOCK_TCPIP_CORE();
        if (s->type == POGO_SOCK_STREAM)
            apply_keepalive(s);
        UNLOCK_TCPIP_CORE();
        break;
    case SO_BROADCAST:
        s->broadcast = v;
        break;
    case SO_RCVBUF:
        /* Linux doubles the value for its bookkeeping and reports that. */
        s->rcvbuf = POGO_MAX(v, 1152) * 2;
        break;
    case SO_SNDBUF:
        s->sndbuf = POGO_MAX(v, 2304) * 2;
        break;
    case SO_RCVLOWAT:
    case SO_SNDLOWAT:
    case SO_OOBINLINE:
    case SO_DONTROUTE:
    case SO_DEBUG:
        break;
    default:
        return -ENOPROTOOPT;
    }
    return 0;
}

static int set_tcp_level(struct pogo_socket *s, int name, const void *val,
                         size_t len)
{
    int v, err;

    if (s->type != POGO_SOCK_STREAM)
        return -EOPNOTSUPP;
    err = int_value(val, len, &v);
    if (err)
        return err;
    LOCK_TCPIP_CORE();
    switch (name) {
    case TCP_NODELAY:
        s->nodelay = v;
        if (s->pcb.tcp && s->state != S_LISTEN) {
            if (v)
                tcp_nagle_disable(s->pcb.tcp);
            else
                tcp_nagle_enable(s->pcb.tcp);
        }
        break;
    case TCP_KEEPIDLE:
    case TCP_KEEPINTVL:
    case TCP_KEEPCNT:
        if (v < 1 || v > 32767) {
            err = -EINVAL;
            break;
        }
        if (name == TCP_KEEPIDLE)
            s->keepidle = v;
        else if (name == TCP_KEEPINTVL)
            s->keepintvl = v;
        else
            s->keepcnt = v;
        apply_keepalive(s);
        break;
    case TCP_MAXSEG:
    case TCP_QUICKACK:
    case TCP_USER_TIMEOUT:
        break;
    default:
        err = -ENOPROTOOPT;
    }
    UNLOCK_TCPIP_CORE();
    return err;
}

int pogo_socket_setopt(struct pogo_socket *s, int level, int name,
                       const void *val, size_t len)
{
    if (level == SOL_SOCKET)
        return set_socket_level(s, name, val, len);
    if (level == IPPROTO_TCP)
        return set_tcp_level(s, name, val, len);
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

static int get_socket_level(struct pogo_socket *s, int name, void *val,
                            size_t *len)
{
    struct linger l = {s->linger_on, s->linger_secs};
    struct timeval_k tv;
    int err;

    switch (name) {
    case SO_TYPE:
        return put_int(val, len, s->type);
    case SO_ERROR:
        err = -s->error;
        s->error = 0;
        return put_int(val, len, err);
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
        return put_int(val, len, s->state == S_LISTEN);
    case SO_DOMAIN:
        return put_int(val, len, AF_INET);
    case SO_PROTOCOL:
        return put_int(val, len,
                       s->type == POGO_SOCK_STREAM ? IPPROTO_TCP : IPPROTO_UDP);
    case SO_RCVLOWAT:
    case SO_SNDLOWAT:
        return put_int(val, len, 1);
    case SO_LINGER:
        *len = POGO_MIN(*len, sizeof(l));
        pogo_memcpy(val, &l, *len);
        return 0;
    case SO_RCVTIMEO:
    case SO_SNDTIMEO: {
        uint64_t ns = name == SO_RCVTIMEO ? s->rcvtimeo_ns : s->sndtimeo_ns;
        tv.sec = ns / POGO_NSEC_PER_SEC;
        tv.usec = (ns % POGO_NSEC_PER_SEC) / 1000;
        *len = POGO_MIN(*len, sizeof(tv));
        pogo_memcpy(val, &tv, *len);
        return 0;
    }
    default:
        return -ENOPROTOOPT;
    }
}

int pogo_socket_getopt(struct pogo_socket *s, int level, int name, void *val,
                       size_t *len)
{
    if (level == SOL_SOCKET)
        return get_socket_level(s, name, val, len);
    if (level == IPPROTO_TCP && s->type == POGO_SOCK_STREAM) {
        switch (name) {
        case TCP_NODELAY:
            return put_int(val, len, s->nodelay);
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
    if (level == IPPROTO_IP && name == IP_TTL)
        return put_int(val, len, 64);
    if (level == IPPROTO_IP && name == IP_TOS)
        return put_int(val, len, 0);
    return -ENOPROTOOPT;
}

/* --- Readiness ------------------------------------------------------------ */

size_t pogo_socket_readable(struct pogo_socket *s)
{
    if (s->type == POGO_SOCK_DGRAM)
        return s->dq_head ? s->dq_head->p->tot_len : 0;
    return s->rx_bytes;
}

unsigned pogo_socket_poll(struct pogo_socket *s)
{
    unsigned mask = 0;

    if (s->type == POGO_SOCK_DGRAM) {
        if (s->dq_head)
            mask |= POGO_POLLIN | POGO_POLLRDNORM;
        if (s->error)
            mask |= POGO_POLLERR;
        return mask | POGO_POLLOUT | POGO_POLLWRNORM;
    }
    switch (s->state) {
    case S_LISTEN:
        return s->accept_head ? POGO_POLLIN | POGO_POLLRDNORM : 0;
    case S_NEW:
        return POGO_POLLOUT | POGO_POLLWRNORM | POGO_POLLHUP;
    case S_CONNECTING:
        return 0;
    default:
        break;
    }
    if (s->rx_bytes > 0 || s->rx_fin || s->shut_rd || s->state == S_CLOSED)
        mask |= POGO_POLLIN | POGO_POLLRDNORM;
    if (s->rx_fin || s->shut_rd)
        mask |= POGO_POLLRDHUP;
    if (s->error)
        mask |= POGO_POLLERR;
    if (s->state == S_CLOSED || (s->shut_wr && (s->rx_fin || s->shut_rd)))
        mask |= POGO_POLLHUP;
    if (s->state == S_CLOSED || s->shut_wr)
        mask |= POGO_POLLOUT | POGO_POLLWRNORM;
    else if (s->pcb.tcp && tcp_sndbuf(s->pcb.tcp) >= TCP_SNDLOWAT &&
             tcp_sndqueuelen(s->pcb.tcp) < TCP_SND_QUEUELEN / 2)
        mask |= POGO_POLLOUT | POGO_POLLWRNORM;
    return mask;
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
