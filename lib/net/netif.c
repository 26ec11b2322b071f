/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * lwIP on Pogo's network device: the netif, a receive thread that takes
 * packets from the device in batches, checksum offload, and the address
 * from the kernel options netdev.ip, netdev.gw and netdev.mask, or DHCP
 * when they are absent. Packets queued while the lwIP core lock is held
 * reach the device with one notification when the lock is released.
 */
#include <pogo/errno.h>
#include <pogo/init.h>
#include <pogo/log.h>
#include <pogo/net.h>
#include <pogo/netdev.h>
#include <pogo/param.h>
#include <pogo/sched.h>
#include <pogo/string.h>
#include <pogo/time.h>

#include "lwip/dhcp.h"
#include "lwip/etharp.h"
#include "lwip/init.h"
#include "lwip/memp.h"
#include "lwip/netif.h"
#include "lwip/pbuf.h"
#include "lwip/priv/tcp_priv.h"
#include "lwip/stats.h"
#include "lwip/tcpip.h"
#include "netif/ethernet.h"

#include "sock.h"

#define RX_BUDGET    64
#define DHCP_WAIT_MS 5000
/* How long the exit waits for sent data to leave and be acknowledged. */
#define DRAIN_MS      2000
#define DRAIN_STEP_MS 5
#define ETH_TYPE_IPV4 0x0800
#define PROTO_TCP     6
#define PROTO_UDP     17

extern sys_mutex_t lock_tcpip_core;

static struct pogo_netdev *dev;
static struct netif netif;
static sys_sem_t rx_wakeup;
static bool tx_pending;
static ip4_addr_t static_ip, static_gw, static_mask;
static bool have_static_ip;

static struct pogo_netdev *registered;

int pogo_netdev_register(struct pogo_netdev *d)
{
    if (registered)
        return -EBUSY;
    registered = d;
    return 0;
}

struct pogo_netdev *pogo_netdev_get(void)
{
    return registered;
}

static int parse_address(const char *value, ip4_addr_t *out, const char *what)
{
    if (!ip4addr_aton(value, out)) {
        pogo_error("net: invalid %s '%s': expected a dotted IPv4 address\n",
                   what, value);
        return -EINVAL;
    }
    return 0;
}

static int set_ip(const char *v)
{
    have_static_ip = true;
    return parse_address(v, &static_ip, "netdev.ip");
}
POGO_PARAM("netdev.ip", set_ip);

static int set_gw(const char *v)
{
    return parse_address(v, &static_gw, "netdev.gw");
}
POGO_PARAM("netdev.gw", set_gw);

static int set_mask(const char *v)
{
    return parse_address(v, &static_mask, "netdev.mask");
}
POGO_PARAM("netdev.mask", set_mask);

/* Hands the packets queued on loopback (127.0.0.0/8 and the netif's own
 * address) to lwIP's input. The core lock is not held. */
static void deliver_loopback(void)
{
    struct netif *n;

    NETIF_FOREACH(n)
    {
        if (!n->loop_first)
            continue;
        LOCK_TCPIP_CORE();
        netif_poll(n);
        UNLOCK_TCPIP_CORE();
    }
}

/*
 * Called whenever a lwIP mutex is released. After the core lock, it
 * delivers what went to loopback and sends what lwIP queued for the
 * device, with one notification. Linux delivers loopback packets within
 * the sending call, so a program that sends and then polls without
 * blocking sees the data. Left to lwIP's own thread, the delivery would
 * wait until the sender blocks, which with the cooperative scheduler
 * may be never.
 */
void pogo_net_core_unlocked(sys_mutex_t *m)
{
    static bool running;

    if (m != &lock_tcpip_core || running)
        return;
    running = true;
    deliver_loopback();
    if (tx_pending && dev) {
        tx_pending = false;
        dev->ops->flush(dev);
    }
    running = false;
}

static uint16_t pseudo_header_sum(const uint8_t *ip, unsigned ihl)
{
    uint32_t sum = 0;
    unsigned total = ip[2] << 8 | ip[3];

    for (int i = 12; i < 20; i += 2)
        sum += ip[i] << 8 | ip[i + 1];
    sum += ip[9];
    sum += total - ihl;
    while (sum >> 16)
        sum = (sum & 0xffff) + (sum >> 16);
    return (uint16_t)sum;
}

/* Fills csum for a TCP or UDP packet whose checksum the device computes. */
static void checksum_request(struct pbuf *p, struct pogo_nettx_csum *csum)
{
    const uint8_t *frame = p->payload;
    unsigned ihl;

    csum->needed = false;
    if (!(dev->features & POGO_NETDEV_TX_CSUM) || p->len < 14 + 20)
        return;
    if ((frame[12] << 8 | frame[13]) != ETH_TYPE_IPV4)
        return;
    ihl = (frame[14] & 0x0f) * 4;
    if (p->len < 14 + ihl || (frame[14 + 6] & 0x3f) || frame[14 + 7])
        return; /* fragments carry their checksum already */
    if (frame[14 + 9] == PROTO_TCP)
        csum->offset = 16;
    else if (frame[14 + 9] == PROTO_UDP)
        csum->offset = 6;
    else
        return;
    csum->needed = true;
    csum->start = 14 + ihl;
    csum->pseudo = pseudo_header_sum(frame + 14, ihl);
}

static err_t link_output(struct netif *n, struct pbuf *p)
{
    struct pogo_netseg segs[POGO_NETDEV_MAX_SEGS];
    struct pogo_nettx_csum csum;
    int nsegs = 0;
    int err;

    for (struct pbuf *q = p; q; q = q->next) {
        if (nsegs == POGO_NETDEV_MAX_SEGS)
            return ERR_BUF;
        segs[nsegs++] = (struct pogo_netseg){q->payload, q->len};
    }
    checksum_request(p, &csum);
    err = dev->ops->transmit(dev, segs, nsegs, &csum);
    if (err == -EAGAIN) {
        /* The ring is full: push it out and try once more. */
        dev->ops->flush(dev);
        err = dev->ops->transmit(dev, segs, nsegs, &csum);
    }
    if (err)
        return ERR_BUF;
    tx_pending = true;
    return ERR_OK;
}

static err_t netif_setup(struct netif *n)
{
    u16_t checks = NETIF_CHECKSUM_ENABLE_ALL;

    n->name[0] = 'e';
    n->name[1] = 'n';
    n->hwaddr_len = ETH_HWADDR_LEN;
    pogo_memcpy(n->hwaddr, dev->mac, ETH_HWADDR_LEN);
    n->mtu = dev->mtu;
    n->flags = NETIF_FLAG_BROADCAST | NETIF_FLAG_ETHARP | NETIF_FLAG_ETHERNET |
               NETIF_FLAG_LINK_UP;
    n->output = etharp_output;
    n->linkoutput = link_output;
    if (dev->features & POGO_NETDEV_TX_CSUM)
        checks &= ~(NETIF_CHECKSUM_GEN_TCP | NETIF_CHECKSUM_GEN_UDP);
    NETIF_SET_CHECKSUM_CTRL(n, checks);
    netif_set_hostname(n, "pogo");
    return ERR_OK;
}

/* Hands one received frame to lwIP, which runs under the core lock. */
static void deliver(struct pogo_netdev *d, const void *data, size_t len,
                    unsigned flags, void *arg)
{
    struct pbuf *p = pbuf_alloc(PBUF_RAW, len, PBUF_RAM);
    u16_t checks = NETIF_CHECKSUM_ENABLE_ALL;

    if (!p) {
        d->rx_dropped++;
        return;
    }
    pogo_memcpy(p->payload, data, len);
    if (d->features & POGO_NETDEV_TX_CSUM)
        checks &= ~(NETIF_CHECKSUM_GEN_TCP | NETIF_CHECKSUM_GEN_UDP);
    /* The device checked this one: skip lwIP's check of it. */
    if (flags & POGO_NETRX_CSUM_VALID)
        checks &= ~(NETIF_CHECKSUM_CHECK_TCP | NETIF_CHECKSUM_CHECK_UDP);
    NETIF_SET_CHECKSUM_CTRL(&netif, checks);
    stream_frame_received(data, len);
    if (netif.input(p, &netif) != ERR_OK)
        pbuf_free(p);
}

static void rx_ready(struct pogo_netdev *d)
{
    sys_sem_signal(&rx_wakeup);
}

static void rx_thread(void *arg)
{
    for (;;) {
        while (dev->ops->poll(dev, RX_BUDGET, deliver, NULL) > 0)
            ;
        if (!dev->ops->rx_interrupts(dev, true))
            continue;
        sys_arch_sem_wait(&rx_wakeup, 0);
    }
}

static void wait_for_dhcp(void)
{
    uint64_t until = pogo_time_monotonic_ns() + DHCP_WAIT_MS * 1000000ULL;

    while (!dhcp_supplied_address(&netif)) {
        if (pogo_time_monotonic_ns() >= until) {
            pogo_warn("net: no DHCP answer within %d ms; the address comes "
                      "when one arrives\n",
                      DHCP_WAIT_MS);
            return;
        }
        pogo_sched_sleep_until(pogo_time_monotonic_ns() + 10000000ULL);
    }
}

static int net_init(void)
{
    ip4_addr_t any = {0};

    dev = pogo_netdev_get();
    tcpip_init(NULL, NULL);
    if (!dev) {
        pogo_debug("net: no network device; only the loopback interface\n");
        return 0;
    }
    sys_sem_new(&rx_wakeup, 0);
    LOCK_TCPIP_CORE();
    if (have_static_ip)
        netif_add(&netif, &static_ip, &static_mask, &static_gw, NULL,
                  netif_setup, tcpip_input);
    else
        netif_add(&netif, &any, &any, &any, NULL, netif_setup, tcpip_input);
    netif_set_default(&netif);
    netif_set_up(&netif);
    if (!have_static_ip)
        dhcp_start(&netif);
    UNLOCK_TCPIP_CORE();

    dev->rx_ready = rx_ready;
    if (!pogo_thread_create("net-rx", rx_thread, NULL))
        return -ENOMEM;
    if (!have_static_ip)
        wait_for_dhcp();
    pogo_info("net: %s up, address %s\n", dev->name,
              ip4addr_ntoa(netif_ip4_addr(&netif)));
    return 0;
}
/* Returns whether packets still wait for an ARP reply, or TCP data or a
 * FIN for its acknowledgment. Holds the core lock. */
static bool output_pending(void)
{
    if (lwip_stats.memp[MEMP_ARP_QUEUE]->used > 0)
        return true;
    for (struct tcp_pcb *p = tcp_active_pcbs; p; p = p->next) {
        if (p->unsent || p->unacked)
            return true;
    }
    return false;
}

/*
 * Waits, for at most DRAIN_MS, until what the application sent has left:
 * packets queued behind ARP, TCP data and FINs not yet acknowledged, and
 * frames the device has not yet taken. Linux sends these after the
 * process exits; here the exit would power the machine off first. The
 * receive and lwIP threads go on running meanwhile.
 */
static void net_shutdown(void)
{
    uint64_t until = pogo_time_monotonic_ns() + DRAIN_MS * 1000000ULL;

    if (!dev)
        return;
    for (;;) {
        bool pending;

        LOCK_TCPIP_CORE();
        pending = output_pending();
        UNLOCK_TCPIP_CORE();
        pending = pending || !dev->ops->tx_done(dev);
        if (!pending)
            return;
        if (pogo_time_monotonic_ns() >= until) {
            pogo_warn("net: sent data still unacknowledged after %d ms at "
                      "exit; the image stops without it\n",
                      DRAIN_MS);
            return;
        }
        pogo_sched_sleep_until(pogo_time_monotonic_ns() +
                               DRAIN_STEP_MS * 1000000ULL);
    }
}
POGO_INIT(POGO_INIT_NET, "net", net_init, net_shutdown);
