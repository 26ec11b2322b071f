/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The virtio network device (virtio 1.x, section 5.1) behind the batched
 * netdev interface. Receive buffers are 2 KiB, large enough for a whole
 * frame, as the specification requires without mergeable buffers or
 * receive segmentation; with mergeable buffers a frame may still span
 * several, which are joined. Checksum offload is used in both directions
 * when the device offers it.
 */
#include <pogo/alloc.h>
#include <pogo/errno.h>
#include <pogo/log.h>
#include <pogo/mm.h>
#include <pogo/netdev.h>
#include <pogo/string.h>
#include <pogo/virtio.h>

#define NET_F_CSUM       0
#define NET_F_GUEST_CSUM 1
#define NET_F_MTU        3
#define NET_F_MAC        5
#define NET_F_MRG_RXBUF  15
#define NET_F_STATUS     16
#define F_ANY_LAYOUT     27

#define HDR_F_NEEDS_CSUM 1
#define HDR_F_DATA_VALID 2
#define HDR_GSO_NONE     0

#define RXQ 0
#define TXQ 1

#define BUF_SIZE   2048
#define RING_MAX   256
#define FRAME_MAX  9216 /* the largest frame joined from several buffers */
#define ETH_HEADER 14

struct net_hdr {
    uint8_t flags;
    uint8_t gso_type;
    uint16_t hdr_len;
    uint16_t gso_size;
    uint16_t csum_start;
    uint16_t csum_offset;
    uint16_t num_buffers; /* with mergeable buffers or VERSION_1 only */
} POGO_PACKED;

struct vnet {
    struct pogo_virtio_device *vdev;
    struct pogo_netdev netdev;
    struct pogo_virtq rx, tx;
    size_t hdr_len;
    bool split_header; /* legacy without ANY_LAYOUT: header on its own */
    uint8_t *frame;    /* where frames spanning buffers are joined */
};

static uint8_t *alloc_buffer(void)
{
    return pogo_memalign(64, BUF_SIZE);
}

static int give_rx_buffer(struct vnet *n, uint8_t *buf)
{
    struct pogo_virtq_buf bufs[2] = {
        {buf, n->hdr_len},
        {buf + n->hdr_len, BUF_SIZE - n->hdr_len},
    };

    if (n->split_header)
        return pogo_virtq_add(&n->rx, bufs, 0, 2, buf);
    bufs[0].len = BUF_SIZE;
    return pogo_virtq_add(&n->rx, bufs, 0, 1, buf);
}

/* Ones' complement sum over len bytes, for checksums the host left
 * partial. */
static uint16_t fold(const uint8_t *p, size_t len)
{
    uint32_t sum = 0;

    for (size_t i = 0; i + 1 < len; i += 2)
        sum += (uint32_t)p[i] << 8 | p[i + 1];
    if (len & 1)
        sum += (uint32_t)p[len - 1] << 8;
    while (sum >> 16)
        sum = (sum & 0xffff) + (sum >> 16);
    return (uint16_t)~sum;
}

/* Completes a checksum that the sender left for the device to compute. */
static bool finish_checksum(uint8_t *frame, size_t len, const struct net_hdr *h)
{
    uint16_t sum;

    if ((size_t)h->csum_start + h->csum_offset + 2 > len)
        return false;
    sum = fold(frame + h->csum_start, len - h->csum_start);
    frame[h->csum_start + h->csum_offset] = sum >> 8;
    frame[h->csum_start + h->csum_offset + 1] = sum & 0xff;
    return true;
}

/* Takes the next frame off the receive queue, joining mergeable buffers.
 * Returns its length (0: none), and the buffers in *bufs. */
static size_t next_frame(struct vnet *n, uint8_t **bufs, int *nbufs,
                         struct net_hdr *h, uint8_t **data)
{
    uint32_t len;
    uint8_t *buf = pogo_virtq_get(&n->rx, &len);
    unsigned count = 1;
    size_t total;

    *nbufs = 0;
    if (!buf)
        return 0;
    bufs[(*nbufs)++] = buf;
    pogo_memcpy(h, buf, POGO_MIN(n->hdr_len, sizeof(*h)));
    if (len < n->hdr_len)
        return SIZE_MAX; /* a broken device: drop */
    total = len - n->hdr_len;
    *data = buf + n->hdr_len;
    if (pogo_virtio_has(n->vdev, NET_F_MRG_RXBUF))
        count = h->num_buffers;
    if (count <= 1)
        return total;

    /* A frame in several buffers: copy them one after the other. */
    pogo_memcpy(n->frame, *data, POGO_MIN(total, (size_t)FRAME_MAX));
    for (unsigned i = 1; i < count && *nbufs < 16; i++) {
        uint8_t *more = pogo_virtq_get(&n->rx, &len);
        if (!more)
            return SIZE_MAX;
        bufs[(*nbufs)++] = more;
        if (total + len <= FRAME_MAX)
            pogo_memcpy(n->frame + total, more, len);
        total += len;
    }
    *data = n->frame;
    return total <= FRAME_MAX ? total : SIZE_MAX;
}

static int net_poll(struct pogo_netdev *dev, int budget, pogo_netdev_deliver fn,
                    void *arg)
{
    struct vnet *n = dev->priv;
    int done = 0;

    while (done < budget) {
        uint8_t *bufs[16], *data = NULL;
        struct net_hdr h;
        int nbufs;
        size_t len = next_frame(n, bufs, &nbufs, &h, &data);
        unsigned flags = 0;

        if (nbufs == 0)
            break;
        if (len != SIZE_MAX && len >= ETH_HEADER) {
            if (h.flags & HDR_F_NEEDS_CSUM)
                flags =
                    finish_checksum(data, len, &h) ? POGO_NETRX_CSUM_VALID : 0;
            else if (h.flags & HDR_F_DATA_VALID)
                flags = POGO_NETRX_CSUM_VALID;
            fn(dev, data, len, flags, arg);
            dev->rx_packets++;
        } else {
            dev->rx_dropped++;
        }
        for (int i = 0; i < nbufs; i++)
            give_rx_buffer(n, bufs[i]);
        done++;
    }
    if (done)
        pogo_virtq_kick(&n->rx);
    return done;
}

static bool net_rx_interrupts(struct pogo_netdev *dev, bool on)
{
    struct vnet *n = dev->priv;

    return pogo_virtq_enable_interrupts(&n->rx, on);
}

static void reclaim_tx(struct vnet *n)
{
    void *buf;

    while ((buf = pogo_virtq_get(&n->tx, NULL)) != NULL)
        pogo_free(buf);
}

static int net_transmit(struct pogo_netdev *dev, const struct pogo_netseg *segs,
                        int nsegs, const struct pogo_nettx_csum *csum)
{
    struct vnet *n = dev->priv;
    struct pogo_virtq_buf bufs[2];
    struct net_hdr *h;
    size_t len = 0;
    uint8_t *buf;

    for (int i = 0; i < nsegs; i++)
        len += segs[i].len;
    if (len > BUF_SIZE - n->hdr_len)
        return -EMSGSIZE;
    reclaim_tx(n);
    if (pogo_virtq_free(&n->tx) < 2) {
        dev->tx_full++;
        pogo_virtq_kick(&n->tx);
        return -EAGAIN;
    }
    buf = alloc_buffer();
    if (!buf)
        return -ENOMEM;

    h = (struct net_hdr *)buf;
    pogo_memset(h, 0, n->hdr_len);
    h->gso_type = HDR_GSO_NONE;
    if (csum && csum->needed && pogo_virtio_has(n->vdev, NET_F_CSUM)) {
        h->flags = HDR_F_NEEDS_CSUM;
        h->csum_start = csum->start;
        h->csum_offset = csum->offset;
    }
    len = 0;
    for (int i = 0; i < nsegs; i++) {
        pogo_memcpy(buf + n->hdr_len + len, segs[i].base, segs[i].len);
        len += segs[i].len;
    }
    if (csum && csum->needed) {
        uint8_t *field = buf + n->hdr_len + csum->start + csum->offset;
        if (pogo_virtio_has(n->vdev, NET_F_CSUM)) {
            field[0] = csum->pseudo >> 8;
            field[1] = csum->pseudo & 0xff;
        } else {
            /* No offload after all: compute the checksum here. */
            field[0] = csum->pseudo >> 8;
            field[1] = csum->pseudo & 0xff;
            finish_checksum(buf + n->hdr_len, len,
                            &(struct net_hdr){.csum_start = csum->start,
                                              .csum_offset = csum->offset});
        }
    }

    bufs[0] = (struct pogo_virtq_buf){buf, n->hdr_len};
    bufs[1] = (struct pogo_virtq_buf){buf + n->hdr_len, len};
    if (n->split_header)
        pogo_virtq_add(&n->tx, bufs, 2, 0, buf);
    else {
        bufs[0].len = n->hdr_len + len;
        pogo_virtq_add(&n->tx, bufs, 1, 0, buf);
    }
    dev->tx_packets++;
    return 0;
}

static void net_flush(struct pogo_netdev *dev)
{
    struct vnet *n = dev->priv;

    if (n->tx.added)
        dev->notifications++;
    pogo_virtq_kick(&n->tx);
}

static bool net_tx_done(struct pogo_netdev *dev)
{
    struct vnet *n = dev->priv;

    reclaim_tx(n);
    return pogo_virtq_free(&n->tx) == n->tx.size;
}

static const struct pogo_netdev_ops net_ops = {
    .transmit = net_transmit,
    .flush = net_flush,
    .poll = net_poll,
    .rx_interrupts = net_rx_interrupts,
    .tx_done = net_tx_done,
};

static void net_interrupt(void *arg)
{
    struct vnet *n = arg;

    if (POGO_READ_ONCE(n->rx.used->idx) != n->rx.last_used &&
        n->netdev.rx_ready) {
        pogo_virtq_enable_interrupts(&n->rx, false);
        n->netdev.rx_ready(&n->netdev);
    }
}

static int setup_queues(struct vnet *n)
{
    struct pogo_virtio_device *d = n->vdev;
    bool event_idx = pogo_virtio_has(d, VIRTIO_F_RING_EVENT_IDX);
    int err;

    n->rx = (struct pogo_virtq){.dev = d, .index = RXQ, .event_idx = event_idx};
    n->tx = (struct pogo_virtq){.dev = d, .index = TXQ, .event_idx = event_idx};
    err = d->ops->setup_queue(d, &n->rx, RING_MAX);
    if (!err)
        err = d->ops->setup_queue(d, &n->tx, RING_MAX);
    if (err)
        return err;
    /* Transmit completions are reclaimed when sending: no interrupts. */
    pogo_virtq_enable_interrupts(&n->tx, false);
    while (pogo_virtq_free(&n->rx) >= (n->split_header ? 2u : 1u)) {
        uint8_t *buf = alloc_buffer();
        if (!buf || give_rx_buffer(n, buf) != 0) {
            pogo_free(buf);
            break;
        }
    }
    return 0;
}

static void read_identity(struct vnet *n)
{
    struct pogo_virtio_device *d = n->vdev;
    uint16_t mtu = 1500;

    if (pogo_virtio_has(d, NET_F_MAC)) {
        d->ops->read_config(d, 0, n->netdev.mac, 6);
    } else {
        /* A locally administered address, as QEMU's default. */
        static const uint8_t mac[6] = {0x52, 0x54, 0x00, 0x12, 0x34, 0x56};
        pogo_memcpy(n->netdev.mac, mac, 6);
    }
    if (pogo_virtio_has(d, NET_F_MTU))
        d->ops->read_config(d, 10, &mtu, 2);
    n->netdev.mtu = POGO_MIN(mtu, (uint16_t)(BUF_SIZE - 64));
}

static int probe(struct pogo_virtio_device *d)
{
    struct vnet *n = pogo_calloc(1, sizeof(*n));
    uint64_t wanted = (1ULL << NET_F_CSUM) | (1ULL << NET_F_GUEST_CSUM) |
                      (1ULL << NET_F_MAC) | (1ULL << NET_F_MRG_RXBUF) |
                      (1ULL << NET_F_MTU) | (1ULL << F_ANY_LAYOUT) |
                      (1ULL << VIRTIO_F_RING_EVENT_IDX);
    int err;

    if (!n)
        return -ENOMEM;
    n->vdev = d;
    n->frame = pogo_malloc(FRAME_MAX);
    err = n->frame ? pogo_virtio_negotiate(d, wanted) : -ENOMEM;
    if (err)
        return err;
    n->hdr_len = (pogo_virtio_has(d, VIRTIO_F_VERSION_1) ||
                  pogo_virtio_has(d, NET_F_MRG_RXBUF))
                     ? 12
                     : 10;
    n->split_header = d->legacy && !pogo_virtio_has(d, F_ANY_LAYOUT);
    read_identity(n);
    err = setup_queues(n);
    if (!err)
        err = d->ops->setup_interrupt(d, net_interrupt, n);
    if (err)
        return err;

    n->netdev.name = "virtio-net";
    n->netdev.ops = &net_ops;
    n->netdev.priv = n;
    if (pogo_virtio_has(d, NET_F_CSUM))
        n->netdev.features |= POGO_NETDEV_TX_CSUM;
    if (pogo_virtio_has(d, NET_F_GUEST_CSUM))
        n->netdev.features |= POGO_NETDEV_RX_CSUM;
    pogo_virtio_driver_ok(d);
    pogo_virtq_kick(&n->rx);
    pogo_info("virtio-net: %02x:%02x:%02x:%02x:%02x:%02x on %s, mtu %u, "
              "features %#lx\n",
              n->netdev.mac[0], n->netdev.mac[1], n->netdev.mac[2],
              n->netdev.mac[3], n->netdev.mac[4], n->netdev.mac[5],
              d->transport_name, n->netdev.mtu, d->features);
    return pogo_netdev_register(&n->netdev);
}

POGO_VIRTIO_DRIVER(net, .name = "virtio-net", .device_id = VIRTIO_ID_NET,
                   .probe = probe);
