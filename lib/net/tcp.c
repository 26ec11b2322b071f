/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * TCP sockets on lwIP's raw TCP API, with Linux's states, errors and
 * readiness (the state is described in sock.h). Received data stays in
 * lwIP's buffers until it is read, and the window opens as the
 * application reads, so a slow reader slows the sender instead of using
 * memory. The entry points take the core lock themselves; functions
 * documented with "Holds the core lock" run with it held.
 */
#include <pogo/alloc.h>
#include <pogo/errno.h>
#include <pogo/socket.h>
#include <pogo/string.h>

#include "lwip/priv/tcp_priv.h"
#include "lwip/tcpip.h"
#include "lwip/timeouts.h"

#include "sock.h"

#define SEND_CHUNK 16384

/* Linux's net.core.somaxconn, the largest listen backlog. */
#define SOMAXCONN 4096

/* lwIP counts the pending connections of a listener in a u8. */
#define LWIP_BACKLOG_MAX 255

/* A half-open connection older than this, whose peer has not acknowledged
 * the SYN-ACK, may give its place in a full backlog to a new SYN. An
 * estimate: a real client acknowledges within its round-trip time. */
#define HALF_OPEN_MIN_AGE_MS 1000

/* Linux sends a corked partial segment after this long (tcp(7)). */
#define CORK_MAX_MS 200

/* send_check: the connection is still being made, so a send waits. */
#define SEND_WAIT 1

/* The most TIME_WAIT blocks kept, as Linux's tcp_max_tw_buckets limits
 * them. lwIP looks up every received segment in a list of these blocks,
 * so the list is kept short; the value is an estimate that keeps that
 * cost small under TCG. */
#define TIME_WAIT_MAX 1024

/* --- TIME_WAIT ------------------------------------------------------------ */

/*
 * Drops the oldest TIME_WAIT blocks beyond TIME_WAIT_MAX. lwIP adds new
 * ones at the head of its list. Holds the core lock.
 */
static void limit_time_wait(void)
{
    struct tcp_pcb *p = tcp_tw_pcbs;

    for (int n = 1; p && n < TIME_WAIT_MAX; n++)
        p = p->next;
    if (!p)
        return;
    while (p->next)
        tcp_abort(p->next); /* frees a TIME_WAIT block, sends nothing */
}

/* --- SYNs that lwIP alone would drop ------------------------------------- */

/* The listener for a SYN to dst:port, or NULL. Holds the core lock. */
static struct tcp_pcb_listen *find_listener(const ip_addr_t *dst, uint16_t port)
{
    for (struct tcp_pcb_listen *l = tcp_listen_pcbs.listen_pcbs; l;
         l = l->next) {
        if (l->local_port == port &&
            (ip_addr_isany(&l->local_ip) || ip_addr_cmp(&l->local_ip, dst)))
            return l;
    }
    return NULL;
}

/*
 * Makes room for a SYN at a listener whose backlog is full of half-open
 * connections, as a SYN flood from addresses that never reply leaves
 * it. lwIP has no SYN cookies and would drop every new SYN until those
 * connections time out 20 s later, so the oldest half-open connection
 * is dropped instead, once it has waited HALF_OPEN_MIN_AGE_MS for the
 * peer's ACK. Younger ones may belong to a burst of real clients. The SYN
 * is dropped as on Linux when no half-open connection is old enough, or
 * when established connections that wait for accept fill the backlog.
 * Holds the core lock.
 */
static void make_room_for_syn(const ip_addr_t *dst, uint16_t port)
{
    struct tcp_pcb_listen *l = find_listener(dst, port);
    u32_t min_age = HALF_OPEN_MIN_AGE_MS / TCP_SLOW_INTERVAL;
    struct tcp_pcb *oldest = NULL;

    if (!l || l->accepts_pending < l->backlog)
        return;
    for (struct tcp_pcb *p = tcp_active_pcbs; p; p = p->next) {
        if (p->state != SYN_RCVD || p->listener != l ||
            (u32_t)(tcp_ticks - p->tmr) < min_age)
            continue;
        if (!oldest ||
            (u32_t)(tcp_ticks - p->tmr) > (u32_t)(tcp_ticks - oldest->tmr))
            oldest = p;
    }
    if (oldest)
        tcp_abort(oldest);
}

/*
 * Looks at each received SYN before lwIP does, for two cases that lwIP
 * handles unlike Linux. Linux lets a connection request reopen a
 * connection in TIME_WAIT when its sequence number is past what the old
 * connection received (tcp_timewait_state_process); lwIP answers it with
 * an ACK, so a client that reuses its port waits until TIME_WAIT ends.
 * The block is dropped here and lwIP then gives the request to the
 * listener. A SYN to a backlog full of half-open connections first makes
 * room (make_room_for_syn).
 */
void stream_frame_received(const void *frame, size_t len)
{
    const uint8_t *f = frame;
    size_t ip_len;
    uint32_t seq;
    uint16_t sport, dport;
    ip_addr_t src, dst;

    /* Ethernet, IPv4 without fragments, TCP with SYN set and ACK and RST
     * clear. */
    if (len < 14 + 20 || f[12] != 0x08 || f[13] != 0x00)
        return;
    f += 14;
    len -= 14;
    ip_len = (size_t)(f[0] & 0x0f) * 4;
    if ((f[0] >> 4) != 4 || ip_len < 20 || f[9] != IP_PROTO_TCP ||
        len < ip_len + 20 || ((f[6] & 0x3f) | f[7]) != 0)
        return;
    if ((f[ip_len + 13] & (TCP_SYN | TCP_ACK | TCP_RST)) != TCP_SYN)
        return;
    IP_ADDR4(&src, f[12], f[13], f[14], f[15]);
    IP_ADDR4(&dst, f[16], f[17], f[18], f[19]);
    f += ip_len;
    sport = (uint16_t)(f[0] << 8 | f[1]);
    dport = (uint16_t)(f[2] << 8 | f[3]);
    seq = (uint32_t)f[4] << 24 | (uint32_t)f[5] << 16 | (uint32_t)f[6] << 8 |
          f[7];

    LOCK_TCPIP_CORE();
    for (struct tcp_pcb *p = tcp_tw_pcbs; p; p = p->next) {
        if (p->remote_port == sport && p->local_port == dport &&
            ip_addr_cmp(&p->remote_ip, &src) &&
            ip_addr_cmp(&p->local_ip, &dst)) {
            if (TCP_SEQ_GT(seq, p->rcv_nxt))
                tcp_abort(p);
            break;
        }
    }
    make_room_for_syn(&dst, dport);
    UNLOCK_TCPIP_CORE();
}

/* --- Callbacks from lwIP -------------------------------------------------- */

static void remember_local(struct pogo_socket *s, const struct tcp_pcb *pcb)
{
    sock_from_lwip(&pcb->local_ip, pcb->local_port, &s->local);
}

/* Linux's tcp_done: the connection is over and both directions are shut. */
static void connection_done(struct pogo_socket *s)
{
    s->phase = T_CLOSED;
    s->shutdown = SHUTDOWN_MASK;
}

static void detach(struct tcp_pcb *pcb)
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

/*
 * Lets go of the pcb once both FINs are sent and the peer's has arrived,
 * so that nothing more can come for the application. From CLOSING and
 * TIME_WAIT, lwIP frees the pcb later without any callback. On Linux the
 * socket is closed by then, with the time-wait state kept apart from it.
 */
static void leave_if_done(struct pogo_socket *s, struct tcp_pcb *pcb)
{
    if (!s->fin || (pcb->state != TIME_WAIT && pcb->state != CLOSING))
        return;
    detach(pcb);
    s->pcb.tcp = NULL;
    connection_done(s);
}

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
        s->fin = true;
        s->shutdown |= RCV_SHUTDOWN;
        leave_if_done(s, pcb);
    } else {
        /* Linux keeps receiving after SHUT_RD, and read returns it. */
        s->rx_bytes += p->tot_len;
        if (s->rx)
            pbuf_cat(s->rx, p);
        else
            s->rx = p;
    }
    sock_changed(s);
    return ERR_OK;
}

static err_t on_sent(void *arg, struct tcp_pcb *pcb, u16_t len)
{
    struct pogo_socket *s = arg;

    if (s) {
        leave_if_done(s, pcb);
        sock_changed(s);
    }
    return ERR_OK;
}

/*
 * The error that Linux reports for a connection that lwIP ended with err
 * (tcp_reset, tcp_write_err): a reset refuses a connect and, once the
 * peer's FIN came and this side still sends, breaks the pipe. lwIP ends
 * a connection that timed out with ERR_ABRT.
 */
static int end_errno(const struct pogo_socket *s, err_t err)
{
    if (err == ERR_ABRT)
        return -ETIMEDOUT;
    if (err != ERR_RST)
        return sock_lwip_errno(err);
    if (s->phase == T_CONNECTING)
        return -ECONNREFUSED;
    if (s->fin && !(s->shutdown & SEND_SHUTDOWN))
        return -EPIPE;
    return -ECONNRESET;
}

static void on_error(void *arg, err_t err)
{
    struct pogo_socket *s = arg;

    if (!s)
        return;
    /* lwIP has freed the pcb already. ERR_CLSD: both ends closed and the
     * last FIN was acknowledged, which is no error. */
    s->pcb.tcp = NULL;
    if (err != ERR_CLSD)
        s->error = end_errno(s, err);
    connection_done(s);
    sock_changed(s);
}

/* lwIP calls this only for a connection that succeeded; failures come
 * through on_error. */
static err_t on_connected(void *arg, struct tcp_pcb *pcb, err_t err)
{
    struct pogo_socket *s = arg;

    if (!s)
        return ERR_OK;
    s->phase = T_CONNECTED;
    remember_local(s, pcb);
    sock_changed(s);
    return ERR_OK;
}

/* Sends what the cork still holds back, CORK_MAX_MS after it began to.
 * lwIP runs it with the core lock held. */
static void cork_expired(void *arg)
{
    struct pogo_socket *s = arg;
    struct tcp_pcb *pcb = s->pcb.tcp;

    s->cork_timer = false;
    if (!pcb || s->phase != T_CONNECTED || !pcb->unsent)
        return;
    /* Nagle's algorithm keeps the partial segment back while corked. */
    tcp_nagle_disable(pcb);
    tcp_output(pcb);
    if (s->cork || !s->nodelay)
        tcp_nagle_enable(pcb);
}

static void start_cork_timer(struct pogo_socket *s)
{
    if (s->cork_timer)
        return;
    s->cork_timer = true;
    sys_timeout(CORK_MAX_MS, cork_expired, s);
}

/* Holds the core lock. */
static void stop_cork_timer(struct pogo_socket *s)
{
    if (!s->cork_timer)
        return;
    s->cork_timer = false;
    sys_untimeout(cork_expired, s);
}

void stream_apply_options(struct pogo_socket *s)
{
    struct tcp_pcb *pcb = s->pcb.tcp;

    if (!pcb)
        return;
    /* lwIP lets pcbs share a port only when all set SOF_REUSEADDR;
     * stream_bind applies Linux's finer rule first. Accepted connections
     * and TIME_WAIT pcbs inherit the flag. */
    if (s->reuseaddr || s->reuseport)
        ip_set_option(pcb, SOF_REUSEADDR);
    else
        ip_reset_option(pcb, SOF_REUSEADDR);
    if (pcb->state == LISTEN)
        return;
    /* TCP_CORK works through Nagle's algorithm: see push. */
    if (s->cork || !s->nodelay)
        tcp_nagle_enable(pcb);
    else
        tcp_nagle_disable(pcb);
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
    if (!s->cork && s->phase == T_CONNECTED) {
        stop_cork_timer(s);
        tcp_output(pcb);
    }
}

static void attach(struct pogo_socket *s, struct tcp_pcb *pcb)
{
    s->pcb.tcp = pcb;
    tcp_arg(pcb, s);
    tcp_recv(pcb, on_recv);
    tcp_sent(pcb, on_sent);
    tcp_err(pcb, on_error);
    stream_apply_options(s);
}

/*
 * Gives s a fresh pcb in state CLOSED, as Linux's socket is after
 * tcp_disconnect: the old pcb is reset, and the address and port that
 * bind named stay. Holds the core lock.
 */
static int renew(struct pogo_socket *s)
{
    struct tcp_pcb *old = s->pcb.tcp, *pcb = tcp_new_ip_type(IPADDR_TYPE_V4);
    ip_addr_t ip;
    u16_t port;

    if (!pcb)
        return -ENOMEM;
    if (old) {
        detach(old);
        if (old->state == LISTEN)
            tcp_close(old);
        else
            tcp_abort(old);
    }
    attach(s, pcb);
    s->phase = T_NEW;
    if (!s->addr_locked)
        s->local.addr = 0;
    if (s->port_locked) {
        sock_to_lwip(&s->local, &ip, &port);
        if (tcp_bind(pcb, &ip, port) != ERR_OK)
            s->port_locked = s->addr_locked = false;
    }
    return 0;
}

int stream_create(struct pogo_socket *s)
{
    struct tcp_pcb *pcb = tcp_new_ip_type(IPADDR_TYPE_V4);

    if (!pcb)
        return -ENOMEM;
    attach(s, pcb);
    return 0;
}

/* --- Closing -------------------------------------------------------------- */

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
            detach(c->pcb.tcp);
            tcp_abort(c->pcb.tcp);
        }
        sock_free(c);
    }
    s->accept_tail = NULL;
    s->accept_count = 0;
}

/* Holds the core lock. */
void stream_close(struct pogo_socket *s)
{
    struct tcp_pcb *pcb = s->pcb.tcp;

    stop_cork_timer(s);
    /* Connections that were never accepted are reset. */
    reset_accept_queue(s);
    if (!pcb)
        return;
    detach(pcb);
    s->pcb.tcp = NULL;
    if (pcb->state == LISTEN) {
        tcp_close(pcb);
        return;
    }
    /* SO_LINGER with 0 s, or data left unread: reset, as Linux does. */
    if ((s->linger_on && s->linger_secs == 0) || s->rx_bytes > 0) {
        tcp_abort(pcb);
        return;
    }
    if (tcp_close(pcb) != ERR_OK)
        tcp_abort(pcb);
}

/*
 * Linux's tcp_disconnect, for connect to AF_UNSPEC, shutdown of a
 * listener or of a connect in progress, and a connect that failed. An
 * open connection ends with a reset and leaves ECONNRESET. A listener
 * resets what it has not accepted. The socket is new again after it.
 * Holds the core lock.
 */
static int disconnect(struct pogo_socket *s)
{
    enum tcp_phase old = s->phase;
    int err;

    reset_accept_queue(s);
    if (old != T_NEW || !s->pcb.tcp) {
        err = renew(s);
        if (err)
            return err;
    }
    drop_received(s);
    s->fin = false;
    s->shutdown = 0;
    s->peer = (struct pogo_sockaddr){0, 0};
    if (old == T_CONNECTED || old == T_CONNECTING)
        s->error = -ECONNRESET;
    return 0;
}

/* --- Binding and listening ------------------------------------------------ */

/*
 * Returns -EADDRINUSE when another TCP pcb is bound to port on an address that
 * overlaps ip and Linux would not let s share it. A pcb without a socket
 * (TIME_WAIT, or closed by the application) counts with the
 * SO_REUSEADDR that its pcb kept and without SO_REUSEPORT. Holds the
 * core lock.
 */
static int port_conflict(struct pogo_socket *s, const ip_addr_t *ip, u16_t port)
{
    for (int i = 0; i < NUM_TCP_PCB_LISTS; i++) {
        for (struct tcp_pcb *p = *tcp_pcb_lists[i]; p; p = p->next) {
            const struct pogo_socket *o = p->callback_arg;
            bool reuse = o ? o->reuseaddr : ip_get_option(p, SOF_REUSEADDR);

            if (p == s->pcb.tcp || p->local_port != port ||
                !sock_addrs_overlap(&p->local_ip, ip))
                continue;
            if (!sock_may_share(s, reuse, o && o->reuseport,
                                p->state == LISTEN))
                return -EADDRINUSE;
        }
    }
    return 0;
}

/* Holds the core lock. */
int stream_bind(struct pogo_socket *s, const struct pogo_sockaddr *a)
{
    ip_addr_t ip;
    u16_t port;
    int err;

    /* Linux binds only a closed socket that has no port. */
    if ((s->phase != T_NEW && s->phase != T_CLOSED) || s->port_locked ||
        (s->pcb.tcp && s->pcb.tcp->local_port))
        return -EINVAL;
    if (!s->pcb.tcp) {
        err = renew(s);
        if (err)
            return err;
    }
    sock_to_lwip(a, &ip, &port);
    err = port ? port_conflict(s, &ip, port) : 0;
    if (!err)
        err = sock_lwip_errno(tcp_bind(s->pcb.tcp, &ip, port));
    if (err)
        return err;
    s->addr_locked = a->addr != 0;
    s->port_locked = a->port != 0;
    remember_local(s, s->pcb.tcp);
    return 0;
}

/* Linux lets backlog + 1 connections wait for accept. */
static u8_t lwip_backlog(int backlog)
{
    return POGO_MIN(backlog + 1, LWIP_BACKLOG_MAX);
}

static err_t on_accept(void *arg, struct tcp_pcb *pcb, err_t err);

/* Makes the pcb of s listen. Holds the core lock. */
static int start_listening(struct pogo_socket *s, int backlog)
{
    struct tcp_pcb *pcb = s->pcb.tcp, *lpcb;
    err_t err = ERR_OK;
    int r;

    if (!pcb)
        return -ENOMEM;
    /* Linux gives an unbound socket a port, and checks a bound one again:
     * sockets that bound one port with SO_REUSEADDR cannot both listen. */
    if (pcb->local_port == 0)
        err = tcp_bind(pcb, IP4_ADDR_ANY, 0);
    r = err == ERR_OK ? port_conflict(s, &pcb->local_ip, pcb->local_port)
                      : sock_lwip_errno(err);
    if (r)
        return r;
    /* NOTE: lwIP gives each port one listener, so two sockets with
     * SO_REUSEPORT cannot listen on one address and port: the second
     * listen fails with EADDRINUSE, where Linux balances between them. */
    lpcb = tcp_listen_with_backlog_and_err(pcb, lwip_backlog(backlog), &err);
    if (!lpcb)
        return sock_lwip_errno(err);
    s->pcb.tcp = lpcb;
    tcp_arg(lpcb, s);
    tcp_accept(lpcb, on_accept);
    s->phase = T_LISTEN;
    s->backlog = backlog;
    remember_local(s, lpcb);
    return 0;
}

int stream_listen(struct pogo_socket *s, int backlog)
{
    /* Linux caps the backlog as an unsigned number, so a negative one
     * requests the maximum. */
    int b = POGO_MIN((unsigned)backlog, (unsigned)SOMAXCONN);
    int err = 0;

    LOCK_TCPIP_CORE();
    if (s->sock_state != SS_UNCONNECTED ||
        (s->phase != T_NEW && s->phase != T_LISTEN)) {
        err = -EINVAL;
    } else if (s->phase == T_LISTEN) {
        s->backlog = b;
        ((struct tcp_pcb_listen *)s->pcb.tcp)->backlog = lwip_backlog(b);
    } else {
        err = start_listening(s, b);
    }
    UNLOCK_TCPIP_CORE();
    return err;
}

/* A new connection inherits the listener's options, as on Linux. */
static void inherit_options(struct pogo_socket *c, const struct pogo_socket *l)
{
    c->reuseaddr = l->reuseaddr;
    c->reuseport = l->reuseport;
    c->keepalive = l->keepalive;
    c->nodelay = l->nodelay;
    c->cork = l->cork;
    c->rcvbuf = l->rcvbuf;
    c->sndbuf = l->sndbuf;
    c->linger_on = l->linger_on;
    c->linger_secs = l->linger_secs;
    c->rcvtimeo_ns = l->rcvtimeo_ns;
    c->sndtimeo_ns = l->sndtimeo_ns;
    c->keepidle = l->keepidle;
    c->keepintvl = l->keepintvl;
    c->keepcnt = l->keepcnt;
}

static err_t on_accept(void *arg, struct tcp_pcb *pcb, err_t err)
{
    struct pogo_socket *l = arg;
    struct pogo_socket *c;

    if (!l || err != ERR_OK || !pcb)
        return ERR_VAL;
    /* lwIP's backlog drops the SYNs beyond it; this is a safety net. */
    if (l->accept_count > l->backlog)
        return ERR_MEM; /* lwIP resets the new connection */
    c = sock_alloc(POGO_SOCK_STREAM);
    if (!c)
        return ERR_MEM;
    inherit_options(c, l);
    c->phase = T_CONNECTED;
    c->sock_state = SS_CONNECTED;
    attach(c, pcb);
    remember_local(c, pcb);
    sock_from_lwip(&pcb->remote_ip, pcb->remote_port, &c->peer);
    tcp_backlog_delayed(pcb);
    if (l->accept_tail)
        l->accept_tail->accept_next = c;
    else
        l->accept_head = c;
    l->accept_tail = c;
    l->accept_count++;
    limit_time_wait();
    sock_changed(l);
    return ERR_OK;
}

/* Takes the oldest connection of the accept queue, or NULL. Holds the
 * core lock. */
static struct pogo_socket *take_connection(struct pogo_socket *s)
{
    struct pogo_socket *c = s->accept_head;

    if (!c)
        return NULL;
    s->accept_head = c->accept_next;
    if (!s->accept_head)
        s->accept_tail = NULL;
    s->accept_count--;
    c->accept_next = NULL;
    if (c->pcb.tcp)
        tcp_backlog_accepted(c->pcb.tcp);
    return c;
}

int stream_accept(struct pogo_socket *s, struct pogo_socket **child,
                  struct pogo_sockaddr *peer, bool nonblock)
{
    uint64_t until = sock_deadline(s->rcvtimeo_ns);

    for (;;) {
        struct pogo_socket *c;
        unsigned seen;
        int r;

        LOCK_TCPIP_CORE();
        /* A shutdown of the listener ends the waits too. */
        if (s->phase != T_LISTEN) {
            UNLOCK_TCPIP_CORE();
            return -EINVAL;
        }
        c = take_connection(s);
        seen = s->changes;
        UNLOCK_TCPIP_CORE();
        if (c) {
            *peer = c->peer;
            *child = c;
            return 0;
        }
        if (nonblock)
            return -EAGAIN;
        r = sock_wait(s, seen, until);
        if (r)
            return r;
    }
}

/* --- Connecting ----------------------------------------------------------- */

/* Sends the SYN: the address checks of Linux's tcp_v4_connect, then
 * lwIP's connect. Holds the core lock. */
static int begin_connect(struct pogo_socket *s,
                         const struct pogo_sockaddr_arg *a)
{
    ip_addr_t ip;
    u16_t port;
    err_t err;
    int r = sock_check_inet(a, false);

    if (r)
        return r;
    if (!s->pcb.tcp) {
        r = renew(s);
        if (r)
            return r;
    }
    sock_to_lwip(&a->in, &ip, &port);
    err = tcp_connect(s->pcb.tcp, &ip, port, on_connected);
    /* lwIP finds no free local port for this peer: Linux's EADDRNOTAVAIL. */
    if (err == ERR_USE)
        return -EADDRNOTAVAIL;
    if (err != ERR_OK)
        return sock_lwip_errno(err);
    s->phase = T_CONNECTING;
    s->peer = a->in;
    remember_local(s, s->pcb.tcp);
    return 0;
}

/*
 * Waits for a connect in progress as Linux's __inet_stream_connect:
 * err (-EINPROGRESS or -EALREADY) when nonblock or when SO_SNDTIMEO runs
 * out, then 0 for a connection, or the error of a failed one, which
 * leaves the socket new for another try.
 */
static int finish_connect(struct pogo_socket *s, int err, bool nonblock,
                          uint64_t until)
{
    for (;;) {
        unsigned seen;
        int r;

        LOCK_TCPIP_CORE();
        if (s->phase != T_CONNECTING)
            break;
        seen = s->changes;
        UNLOCK_TCPIP_CORE();
        if (nonblock)
            return err;
        r = sock_wait(s, seen, until);
        if (r)
            return r == -EAGAIN ? err : r;
    }
    if (s->phase == T_CLOSED || s->phase == T_NEW) {
        err = sock_take_error(s);
        s->sock_state = SS_UNCONNECTED;
        disconnect(s);
        UNLOCK_TCPIP_CORE();
        return err ? err : -ECONNABORTED;
    }
    s->sock_state = SS_CONNECTED;
    UNLOCK_TCPIP_CORE();
    return 0;
}

int stream_connect(struct pogo_socket *s, const struct pogo_sockaddr_arg *a,
                   bool nonblock)
{
    uint64_t until = sock_deadline(s->sndtimeo_ns);
    int err;

    if (a->len < sizeof(uint16_t))
        return -EINVAL;
    LOCK_TCPIP_CORE();
    if (a->family == POGO_AF_UNSPEC) {
        err = disconnect(s);
        s->sock_state = SS_UNCONNECTED;
        sock_changed(s);
        UNLOCK_TCPIP_CORE();
        return err;
    }
    switch (s->sock_state) {
    case SS_CONNECTED:
        err = -EISCONN;
        break;
    case SS_CONNECTING:
        err = -EALREADY;
        break;
    default:
        /* A listener, or the end of a connection that was accepted. */
        if (s->phase != T_NEW && s->phase != T_CLOSED) {
            err = -EISCONN;
            break;
        }
        err = begin_connect(s, a);
        if (!err) {
            s->sock_state = SS_CONNECTING;
            err = -EINPROGRESS;
        }
    }
    UNLOCK_TCPIP_CORE();
    /* Linux returns from a new non-blocking connect before any reply can
     * arrive, so a later call reports the outcome. */
    if (err == -EINPROGRESS && nonblock)
        return err;
    if (err != -EINPROGRESS && err != -EALREADY)
        return err;
    return finish_connect(s, err, nonblock, until);
}

/* --- Sending -------------------------------------------------------------- */

/* The bytes that may wait in the send queue: SO_SNDBUF, up to lwIP's. */
static size_t send_limit(const struct pogo_socket *s)
{
    return POGO_MIN((size_t)s->sndbuf, (size_t)TCP_SND_BUF);
}

size_t stream_unsent(struct pogo_socket *s)
{
    return s->pcb.tcp ? TCP_SND_BUF - tcp_sndbuf(s->pcb.tcp) : 0;
}

/* Room in the send queue now. Holds the core lock. */
static size_t send_space(struct pogo_socket *s)
{
    struct tcp_pcb *pcb = s->pcb.tcp;
    size_t queued = stream_unsent(s), limit = send_limit(s);

    if (queued >= limit || tcp_sndqueuelen(pcb) >= TCP_SND_QUEUELEN - 4)
        return 0;
    return POGO_MIN(limit - queued, (size_t)tcp_sndbuf(pcb));
}

/* Linux's test for POLLOUT (sk_stream_is_writeable): the free part of
 * the send buffer is at least half of the queued part. */
static bool writable(struct pogo_socket *s)
{
    struct tcp_pcb *pcb = s->pcb.tcp;
    size_t queued, limit = send_limit(s);

    if (!pcb)
        return true;
    queued = stream_unsent(s);
    return queued < limit && limit - queued >= queued / 2 &&
           tcp_sndqueuelen(pcb) < TCP_SND_QUEUELEN / 2;
}

/*
 * Linux's checks before a TCP send (tcp_sendmsg_locked and
 * sk_stream_wait_connect). Returns 0, SEND_WAIT, or the errno to give. A
 * pending error is taken only with take, because a send that moved bytes
 * leaves it for the next call.
 */
static int send_check(struct pogo_socket *s, bool take)
{
    if (s->error)
        return take ? sock_take_error(s) : s->error;
    if (s->phase == T_CONNECTED && !(s->shutdown & SEND_SHUTDOWN))
        return 0;
    return s->phase == T_CONNECTING ? SEND_WAIT : -EPIPE;
}

/*
 * Sends queued data. While TCP_CORK is set Nagle's algorithm is on, and a
 * lone partial segment waits for more data, the uncork or, as on Linux,
 * at most CORK_MAX_MS. MSG_MORE keeps the data back until the next send.
 */
static void push(struct pogo_socket *s, bool more)
{
    struct tcp_pcb *pcb = s->pcb.tcp;

    if (s->phase != T_CONNECTED || more)
        return;
    if (s->cork && pcb->unsent && !pcb->unsent->next &&
        pcb->unsent->len < pcb->mss) {
        start_cork_timer(s);
        return;
    }
    tcp_output(pcb);
}

/*
 * Copies n bytes of u into lwIP's send queue through chunk. Returns the
 * count, 0 when lwIP has no room (u is then as before), or -EFAULT.
 * Holds the core lock.
 */
static long write_chunk(struct pogo_socket *s, struct pogo_uio *u,
                        uint8_t *chunk, size_t n, bool more)
{
    struct pogo_uio before = *u;
    err_t err;

    /* After a fault, send what was copied; the next call gets -EFAULT. */
    if (pogo_uio_copy_in(u, chunk, n)) {
        n = before.resid - u->resid;
        if (n == 0)
            return -EFAULT;
    }
    err = tcp_write(s->pcb.tcp, chunk, n,
                    TCP_WRITE_FLAG_COPY | (more ? TCP_WRITE_FLAG_MORE : 0));
    if (err == ERR_OK)
        return n;
    *u = before;
    return err == ERR_MEM ? 0 : sock_lwip_errno(err);
}

/* Queues what fits of u. Returns the bytes queued, 0 when the caller
 * must wait for room, or an errno. Holds the core lock. */
static long queue_some(struct pogo_socket *s, struct pogo_uio *u,
                       uint8_t *chunk, int flags)
{
    size_t n = POGO_MIN(send_space(s), POGO_MIN(u->resid, (size_t)SEND_CHUNK));
    long w;

    if (n == 0)
        return 0;
    w = write_chunk(s, u, chunk, n, (flags & POGO_MSG_MORE) || u->resid > n);
    /* No room in lwIP with nothing queued: memory ran out. */
    if (w == 0 && stream_unsent(s) == 0)
        return -ENOBUFS;
    return w;
}

long stream_send(struct pogo_socket *s, struct pogo_uio *u, int flags,
                 bool nonblock)
{
    uint64_t until = sock_deadline(s->sndtimeo_ns);
    uint8_t *chunk = pogo_malloc(SEND_CHUNK);
    long sent = 0, ret = 0;

    if (!chunk)
        return -ENOMEM;
    for (;;) {
        unsigned seen;
        long n = 0;
        int r;

        LOCK_TCPIP_CORE();
        r = send_check(s, sent == 0);
        /* A send of 0 bytes makes the checks too. */
        if (r == 0 && u->resid == 0) {
            push(s, flags & POGO_MSG_MORE);
            UNLOCK_TCPIP_CORE();
            break;
        }
        if (r < 0)
            n = r;
        else if (r == 0)
            n = queue_some(s, u, chunk, flags);
        if (n <= 0)
            push(s, false); /* what waits must go out to make room */
        seen = s->changes;
        UNLOCK_TCPIP_CORE();
        if (n < 0) {
            ret = n;
            break;
        }
        sent += n;
        if (n > 0)
            continue;
        if (nonblock) {
            ret = -EAGAIN;
            break;
        }
        ret = sock_wait(s, seen, until);
        if (ret)
            break;
    }
    pogo_free(chunk);
    return sent ? sent : ret;
}

/* --- Receiving ------------------------------------------------------------ */

/* Frees the first bytes of received data and opens the window by as
 * much. Holds the core lock. */
static void consume(struct pogo_socket *s, size_t done)
{
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
    if (!s->pcb.tcp)
        return;
    for (size_t left = done; left > 0;) {
        u16_t step = left > 0xffff ? 0xffff : (u16_t)left;

        tcp_recved(s->pcb.tcp, step);
        left -= step;
    }
}

/*
 * Moves up to want bytes of received data into u, or skips them with
 * discard (MSG_TRUNC), and consumes them unless peek. Returns the count,
 * or -EFAULT when not even the first byte could be stored. Holds the
 * core lock.
 */
static long take_data(struct pogo_socket *s, struct pogo_uio *u, size_t want,
                      int flags)
{
    size_t done = 0, off = s->rx_off;
    struct pbuf *p = s->rx;

    while (p && done < want) {
        size_t n = POGO_MIN((size_t)p->len - off, want - done);
        size_t resid = u->resid;

        if (!(flags & POGO_MSG_TRUNC) &&
            pogo_uio_copy_out(u, (uint8_t *)p->payload + off, n)) {
            done += resid - u->resid;
            if (done == 0)
                return -EFAULT;
            break;
        }
        done += n;
        off += n;
        if (off == p->len) {
            p = p->next;
            off = 0;
        }
    }
    if (!(flags & POGO_MSG_PEEK))
        consume(s, done);
    return done;
}

/*
 * When a receive that has nothing to return stops, as Linux's
 * tcp_recvmsg_locked decides: 0 for the end of the data, an errno, or 1
 * to wait. Holds the core lock.
 */
static int empty_verdict(struct pogo_socket *s, bool nonblock)
{
    if (s->fin)
        return 0;
    if (s->error)
        return sock_take_error(s);
    if (s->shutdown & RCV_SHUTDOWN)
        return 0;
    if (s->phase == T_NEW || s->phase == T_CLOSED)
        return -ENOTCONN;
    return nonblock ? -EAGAIN : 1;
}

/* Whether a MSG_WAITALL receive that has some bytes returns them now.
 * Holds the core lock. */
static bool partial_done(struct pogo_socket *s, bool nonblock)
{
    return s->error || s->phase == T_CLOSED || (s->shutdown & RCV_SHUTDOWN) ||
           nonblock;
}

long stream_recv(struct pogo_socket *s, struct pogo_uio *u, int flags,
                 bool nonblock)
{
    uint64_t until = sock_deadline(s->rcvtimeo_ns);
    bool waitall = (flags & POGO_MSG_WAITALL) && !(flags & POGO_MSG_PEEK);
    size_t want = u->resid;
    long got = 0;

    if (s->phase == T_LISTEN)
        return -ENOTCONN;
    /* No urgent data is ever marked: lwIP delivers it inline. */
    if (flags & POGO_MSG_OOB)
        return -EINVAL;
    for (;;) {
        unsigned seen;
        long n = 0;
        int r;

        LOCK_TCPIP_CORE();
        if (s->rx_bytes > 0 && want > (size_t)got)
            n = take_data(s, u, want - got, flags);
        if (n < 0) {
            UNLOCK_TCPIP_CORE();
            return got ? got : n;
        }
        got += n;
        if (got > 0)
            r = waitall && (size_t)got < want && !partial_done(s, nonblock);
        else if (want == 0 && s->rx_bytes > 0)
            r = 0; /* Linux's target is 1 byte, which is there */
        else
            r = empty_verdict(s, nonblock);
        seen = s->changes;
        UNLOCK_TCPIP_CORE();
        if (r != 1)
            return got ? got : r;
        r = sock_wait(s, seen, until);
        /* With nothing to copy, Linux waits once and returns 0. */
        if (want == 0)
            return 0;
        if (r)
            return got ? got : r;
    }
}

/* --- Shutdown and readiness ----------------------------------------------- */

/* Linux's inet_shutdown; how has RCV_SHUTDOWN and SEND_SHUTDOWN bits.
 * Holds the core lock. */
int stream_shutdown(struct pogo_socket *s, int how)
{
    int err;

    if (s->sock_state == SS_CONNECTING)
        s->sock_state = s->phase == T_CONNECTED ? SS_CONNECTED : SS_UNCONNECTED;
    switch (s->phase) {
    case T_LISTEN:
    case T_CONNECTING:
        /* A listener stops only when it stops reading. */
        if (s->phase == T_LISTEN && !(how & RCV_SHUTDOWN))
            return 0;
        err = disconnect(s);
        s->sock_state = SS_UNCONNECTED;
        return err;
    case T_CONNECTED:
        s->shutdown |= how;
        /* lwIP refuses a second FIN; Linux ignores it. */
        if (how & SEND_SHUTDOWN)
            tcp_shutdown(s->pcb.tcp, 0, 1);
        return 0;
    default:
        /* Linux still marks the directions of a closed socket. */
        s->shutdown |= how;
        return -ENOTCONN;
    }
}

/* Linux's tcp_poll. Called without the core lock, as a snapshot. */
unsigned stream_poll(struct pogo_socket *s)
{
    unsigned mask = 0;

    if (s->phase == T_LISTEN)
        return s->accept_head ? POGO_POLLIN | POGO_POLLRDNORM : 0;
    if (s->shutdown == SHUTDOWN_MASK || s->phase == T_NEW ||
        s->phase == T_CLOSED)
        mask |= POGO_POLLHUP;
    if (s->shutdown & RCV_SHUTDOWN)
        mask |= POGO_POLLIN | POGO_POLLRDNORM | POGO_POLLRDHUP;
    if (s->phase != T_CONNECTING) {
        if (s->rx_bytes > 0 || s->fin)
            mask |= POGO_POLLIN | POGO_POLLRDNORM;
        if ((s->shutdown & SEND_SHUTDOWN) || writable(s))
            mask |= POGO_POLLOUT | POGO_POLLWRNORM;
    }
    if (s->error)
        mask |= POGO_POLLERR;
    return mask;
}
