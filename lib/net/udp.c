/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * UDP sockets on lwIP's raw UDP API, with Linux's checks, errors and
 * readiness. lwIP drops the ICMP errors that concern UDP, so a hook
 * inspects each IPv4 packet first and gives a connected socket the error
 * about a datagram that it sent, as Linux does. The entry points take the
 * core lock themselves; functions documented with "Holds the core lock"
 * run with it held.
 */
#include <pogo/alloc.h>
#include <pogo/errno.h>
#include <pogo/socket.h>
#include <pogo/string.h>

#include "lwip/inet_chksum.h"
#include "lwip/ip4.h"
#include "lwip/netif.h"
#include "lwip/tcpip.h"

#include "sock.h"

/* The largest datagram: 65535 bytes less the IPv4 and UDP headers. */
#define DGRAM_MAX   65507
#define UDP_LEN_MAX 0xffff

static void on_udp_recv(void *arg, struct udp_pcb *pcb, struct pbuf *p,
                        const ip_addr_t *addr, u16_t port)
{
    struct pogo_socket *s = arg;
    struct dgram *d;

    /* Linux keeps receiving after SHUT_RD, up to the receive buffer. */
    if (!s || s->dq_bytes + p->tot_len > (size_t)s->rcvbuf * 2) {
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
    sock_from_lwip(addr, port, &d->from);
    if (s->dq_tail)
        s->dq_tail->next = d;
    else
        s->dq_head = d;
    s->dq_tail = d;
    s->dq_bytes += p->tot_len;
    sock_changed(s);
}

/* --- ICMP errors ---------------------------------------------------------- */

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
        sock_changed(s);
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

/* --- Creation and binding ------------------------------------------------- */

/* Gives s a new, unbound UDP pcb. Holds the core lock. */
static bool new_udp_pcb(struct pogo_socket *s)
{
    s->pcb.udp = udp_new_ip_type(IPADDR_TYPE_V4);
    if (!s->pcb.udp)
        return false;
    udp_recv(s->pcb.udp, on_udp_recv, s);
    return true;
}

/* Holds the core lock. */
int dgram_create(struct pogo_socket *s)
{
    return new_udp_pcb(s) ? 0 : -ENOMEM;
}

/* Holds the core lock. */
void dgram_close(struct pogo_socket *s)
{
    if (s->pcb.udp)
        udp_remove(s->pcb.udp);
    s->pcb.udp = NULL;
}

/* Linux gives an unbound socket its port at the first connect or send,
 * before it checks anything else, so even a call that fails binds it.
 * Holds the core lock. */
static void autobind(struct pogo_socket *s)
{
    if (s->pcb.udp->local_port == 0)
        udp_bind(s->pcb.udp, &s->pcb.udp->local_ip, 0);
}

/* Returns -EADDRINUSE when another UDP socket is bound to port on an
 * address that overlaps ip and Linux would not let s share it. Holds the
 * core lock. */
static int port_conflict(struct pogo_socket *s, const ip_addr_t *ip, u16_t port)
{
    for (struct udp_pcb *p = udp_pcbs; p; p = p->next) {
        const struct pogo_socket *o = p->recv_arg;

        if (p == s->pcb.udp || p->local_port != port ||
            !sock_addrs_overlap(&p->local_ip, ip))
            continue;
        if (!sock_may_share(s, o && o->reuseaddr, o && o->reuseport, false))
            return -EADDRINUSE;
    }
    return 0;
}

/* Holds the core lock. */
int dgram_bind(struct pogo_socket *s, const struct pogo_sockaddr *a)
{
    struct udp_pcb *pcb = s->pcb.udp;
    ip_addr_t ip;
    u16_t port;
    int err;

    /* Linux binds only a socket that is not connected and has no port. */
    if (s->connected_udp || pcb->local_port)
        return -EINVAL;
    sock_to_lwip(a, &ip, &port);
    err = port ? port_conflict(s, &ip, port) : 0;
    if (!err)
        err = sock_lwip_errno(udp_bind(pcb, &ip, port));
    if (err)
        return err;
    s->addr_locked = a->addr != 0;
    s->port_locked = a->port != 0;
    return 0;
}

/* --- Connecting ----------------------------------------------------------- */

/*
 * Dissolves the association, as Linux does for connect to AF_UNSPEC. The
 * local address and port go back to unbound unless bind named them.
 * Holds the core lock.
 */
static int disconnect(struct pogo_socket *s)
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

/* Whether addr (network order) is a broadcast address for Linux's
 * SO_BROADCAST check. Holds the core lock. */
static bool is_broadcast(uint32_t addr)
{
    ip4_addr_t ip;
    struct netif *n;

    if (addr == 0xffffffff)
        return true;
    ip4_addr_set_u32(&ip, addr);
    NETIF_FOREACH(n)
    {
        if (ip4_addr_isbroadcast(&ip, n))
            return true;
    }
    return false;
}

/* The route check of Linux's UDP connect and send: -ENETUNREACH without
 * a route, -EACCES for a broadcast without SO_BROADCAST. On success,
 * *route is the interface. Holds the core lock. */
static int check_route(struct pogo_socket *s, const struct pogo_sockaddr *to,
                       struct netif **route)
{
    ip4_addr_t ip;

    ip4_addr_set_u32(&ip, to->addr);
    *route = ip4_route(&ip);
    if (!*route)
        return -ENETUNREACH;
    if (is_broadcast(to->addr) && !s->broadcast)
        return -EACCES;
    return 0;
}

/*
 * Sets the peer, in the order of Linux's inet_dgram_connect. As on Linux,
 * the local address becomes the source address of the route to the peer
 * unless bind chose one.
 */
int dgram_connect(struct pogo_socket *s, const struct pogo_sockaddr_arg *a)
{
    struct udp_pcb *pcb;
    struct netif *route;
    ip_addr_t ip;
    u16_t port;
    int err;

    if (a->len < sizeof(uint16_t))
        return -EINVAL;
    LOCK_TCPIP_CORE();
    if (a->family == POGO_AF_UNSPEC) {
        err = disconnect(s);
        UNLOCK_TCPIP_CORE();
        return err;
    }
    autobind(s);
    err = sock_check_inet(a, false);
    if (!err)
        err = check_route(s, &a->in, &route);
    pcb = s->pcb.udp;
    sock_to_lwip(&a->in, &ip, &port);
    if (!err)
        err = sock_lwip_errno(udp_connect(pcb, &ip, port));
    if (!err) {
        if (ip_addr_isany(&pcb->local_ip))
            ip_addr_copy(pcb->local_ip, route->ip_addr);
        s->connected_udp = true;
        s->peer = a->in;
    }
    UNLOCK_TCPIP_CORE();
    return err;
}

/* --- Data ----------------------------------------------------------------- */

/* The checks of Linux's udp_sendmsg before any route is looked up, in its
 * order. *dst gets the destination. Needs no lock. */
static int check_send(struct pogo_socket *s, size_t len, int flags,
                      const struct pogo_sockaddr_arg *to,
                      struct pogo_sockaddr *dst)
{
    int err;

    if (len > UDP_LEN_MAX)
        return -EMSGSIZE;
    if (flags & POGO_MSG_OOB)
        return -EOPNOTSUPP;
    if (!to) {
        if (!s->connected_udp)
            return -EDESTADDRREQ;
        *dst = s->peer;
        return 0;
    }
    err = sock_check_inet(to, true);
    if (err)
        return err;
    if (to->in.port == 0)
        return -EINVAL;
    *dst = to->in;
    return 0;
}

/* Sends one datagram of u to dst; Linux reports a pending error (as from
 * ICMP) and a SHUT_WR only after the size check. Holds the core lock. */
static long send_datagram(struct pogo_socket *s, struct pogo_uio *u,
                          const struct pogo_sockaddr *dst, bool connected)
{
    size_t len = u->resid;
    struct netif *route;
    struct pbuf *p;
    ip_addr_t ip;
    u16_t port;
    int err = check_route(s, dst, &route);

    if (err)
        return err;
    if (len > DGRAM_MAX)
        return -EMSGSIZE;
    if (s->error)
        return sock_take_error(s);
    if (s->shutdown & SEND_SHUTDOWN)
        return -EPIPE;
    p = pbuf_alloc(PBUF_TRANSPORT, len, PBUF_RAM);
    if (!p)
        return -ENOBUFS;
    if (pogo_uio_copy_in(u, p->payload, len)) {
        pbuf_free(p);
        return -EFAULT;
    }
    sock_to_lwip(dst, &ip, &port);
    err = sock_lwip_errno(connected ? udp_send(s->pcb.udp, p)
                                    : udp_sendto(s->pcb.udp, p, &ip, port));
    pbuf_free(p);
    return err ? err : (long)len;
}

long dgram_send(struct pogo_socket *s, struct pogo_uio *u, int flags,
                const struct pogo_sockaddr_arg *to)
{
    struct pogo_sockaddr dst;
    long r;

    LOCK_TCPIP_CORE();
    autobind(s);
    r = check_send(s, u->resid, flags, to, &dst);
    if (!r)
        r = send_datagram(s, u, &dst, !to);
    UNLOCK_TCPIP_CORE();
    return r;
}

/* Copies up to n bytes of a pbuf chain into u. */
static int copy_pbuf_out(struct pbuf *p, struct pogo_uio *u, size_t n)
{
    for (; p && n > 0; p = p->next) {
        size_t part = POGO_MIN((size_t)p->len, n);

        if (pogo_uio_copy_out(u, p->payload, part))
            return -EFAULT;
        n -= part;
    }
    return 0;
}

/* Takes the first datagram into u. Returns the bytes copied, or the
 * datagram's length with MSG_TRUNC, or -EFAULT; Linux drops a datagram
 * that it could not copy. Holds the core lock. */
static long take_datagram(struct pogo_socket *s, struct pogo_uio *u, int flags,
                          struct pogo_sockaddr *from, int *msg_flags)
{
    struct dgram *d = s->dq_head;
    size_t size = d->p->tot_len, n = POGO_MIN(size, u->resid);
    int err = copy_pbuf_out(d->p, u, n);

    if (from)
        *from = d->from;
    if (msg_flags && size > n)
        *msg_flags |= POGO_MSG_TRUNC;
    if (!(flags & POGO_MSG_PEEK)) {
        s->dq_head = d->next;
        if (!s->dq_head)
            s->dq_tail = NULL;
        s->dq_bytes -= size;
        pbuf_free(d->p);
        pogo_free(d);
    }
    if (err)
        return err;
    return (flags & POGO_MSG_TRUNC) ? (long)size : (long)n;
}

long dgram_recv(struct pogo_socket *s, struct pogo_uio *u, int flags,
                struct pogo_sockaddr *from, int *msg_flags, bool nonblock)
{
    uint64_t until = sock_deadline(s->rcvtimeo_ns);

    for (;;) {
        bool empty = false;
        unsigned seen;
        long r = 0;

        LOCK_TCPIP_CORE();
        /* Linux reports a pending error before queued datagrams. */
        if (s->error)
            r = sock_take_error(s);
        else if (s->dq_head)
            r = take_datagram(s, u, flags, from, msg_flags);
        else
            empty = true;
        seen = s->changes;
        UNLOCK_TCPIP_CORE();
        if (!empty)
            return r;
        if (nonblock)
            return -EAGAIN;
        /* Only a receive that would wait reports SHUT_RD, as end of file. */
        if (s->shutdown & RCV_SHUTDOWN)
            return 0;
        r = sock_wait(s, seen, until);
        if (r)
            return r;
    }
}

/* --- Shutdown and readiness ----------------------------------------------- */

/* Linux marks the directions even of a socket that is not connected,
 * which then gets -ENOTCONN. Holds the core lock. */
int dgram_shutdown(struct pogo_socket *s, int how)
{
    s->shutdown |= how;
    return s->connected_udp ? 0 : -ENOTCONN;
}

/* Linux's udp_poll and datagram_poll; the send buffer is never full. */
unsigned dgram_poll(struct pogo_socket *s)
{
    unsigned mask = POGO_POLLOUT | POGO_POLLWRNORM | POGO_POLLWRBAND;

    if (s->error)
        mask |= POGO_POLLERR;
    if (s->shutdown & RCV_SHUTDOWN)
        mask |= POGO_POLLRDHUP | POGO_POLLIN | POGO_POLLRDNORM;
    if (s->shutdown == SHUTDOWN_MASK)
        mask |= POGO_POLLHUP;
    if (s->dq_head)
        mask |= POGO_POLLIN | POGO_POLLRDNORM;
    return mask;
}
