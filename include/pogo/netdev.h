/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Network devices. A driver registers a pogo_netdev; the network stack
 * takes the first one. The interface works in batches, because every
 * notification of the device is a VM exit: transmit only queues a packet,
 * flush notifies the device once for all queued ones, and poll delivers
 * up to a budget of received packets and gives their buffers back to the
 * device with one notification.
 *
 * Usage by a stack:
 *     dev->rx_ready = wake_my_rx_thread;   (called from the interrupt)
 *     pogo_netdev_rx_interrupts(dev, true);
 *     ... in the rx thread:
 *     while (dev->ops->poll(dev, 64, deliver, arg) > 0)
 *         ;
 *     if (!dev->ops->rx_interrupts(dev, true)) poll again, else sleep.
 */
#ifndef POGO_NETDEV_H
#define POGO_NETDEV_H

#include <pogo/compiler.h>

#define POGO_NETDEV_MAX_SEGS 16

/* Features a device offers the stack. */
#define POGO_NETDEV_TX_CSUM (1u << 0) /* fills in TCP/UDP checksums */
#define POGO_NETDEV_RX_CSUM (1u << 1) /* reports verified checksums */

/* Flags of a received packet. */
#define POGO_NETRX_CSUM_VALID (1u << 0) /* the TCP/UDP checksum is good */

struct pogo_netseg {
    const void *base;
    size_t len;
};

/* Checksum request of a transmitted packet: the device computes the
 * ones' complement sum from csum_start to the end and stores it at
 * start + offset, which must first hold the pseudo-header sum: the
 * device copy gets pseudo there, so the caller's packet stays as it is. */
struct pogo_nettx_csum {
    bool needed;
    uint16_t start;
    uint16_t offset;
    uint16_t pseudo; /* the pseudo-header sum to put in the field */
};

struct pogo_netdev;

typedef void (*pogo_netdev_deliver)(struct pogo_netdev *dev, const void *data,
                                    size_t len, unsigned flags, void *arg);

struct pogo_netdev_ops {
    /* Queues one packet (copied from segs); -EAGAIN when the queue is
     * full, -EMSGSIZE when it is larger than the device takes. */
    int (*transmit)(struct pogo_netdev *dev, const struct pogo_netseg *segs,
                    int nsegs, const struct pogo_nettx_csum *csum);
    /* Notifies the device of the packets queued since the last flush. */
    void (*flush)(struct pogo_netdev *dev);
    /* Delivers up to budget received packets; returns how many. */
    int (*poll)(struct pogo_netdev *dev, int budget, pogo_netdev_deliver fn,
                void *arg);
    /* Turns receive interrupts on or off; turning them on returns false
     * when packets are already waiting (poll again instead of sleeping). */
    bool (*rx_interrupts)(struct pogo_netdev *dev, bool on);
    /* Returns whether the device has sent every flushed packet. */
    bool (*tx_done)(struct pogo_netdev *dev);
};

struct pogo_netdev {
    const char *name;
    uint8_t mac[6];
    uint16_t mtu;
    unsigned features;
    const struct pogo_netdev_ops *ops;
    void *priv;
    /* Set by the stack: called from the interrupt handler when packets
     * arrive, with receive interrupts then off. */
    void (*rx_ready)(struct pogo_netdev *dev);
    void *stack_data;
    /* Counters. */
    uint64_t rx_packets, tx_packets, rx_dropped, tx_full, notifications;
};

/* Registers a device; returns 0 or -EBUSY when one is registered. */
int pogo_netdev_register(struct pogo_netdev *dev);

/* The registered device, or NULL. */
struct pogo_netdev *pogo_netdev_get(void);

#endif
