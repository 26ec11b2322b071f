/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Virtio devices (virtio 1.x specification): transports (PCI modern and
 * legacy, MMIO) present every device through the operations below, and
 * drivers work on split virtqueues with event-index notification
 * suppression, so that one notification serves a whole batch.
 *
 * A driver's probe sees the device reset and acknowledged; it negotiates
 * features with pogo_virtio_negotiate, sets up its queues, installs its
 * interrupt handler, then calls pogo_virtio_driver_ok.
 */
#ifndef POGO_VIRTIO_H
#define POGO_VIRTIO_H

#include <pogo/compiler.h>

#define VIRTIO_ID_NET   1
#define VIRTIO_ID_BLOCK 2
#define VIRTIO_ID_RNG   4

#define VIRTIO_F_RING_INDIRECT_DESC 28
#define VIRTIO_F_RING_EVENT_IDX     29
#define VIRTIO_F_VERSION_1          32
#define VIRTIO_F_ACCESS_PLATFORM    33

#define VIRTIO_STATUS_ACKNOWLEDGE 1
#define VIRTIO_STATUS_DRIVER      2
#define VIRTIO_STATUS_DRIVER_OK   4
#define VIRTIO_STATUS_FEATURES_OK 8
#define VIRTIO_STATUS_FAILED      128

#define VIRTQ_DESC_F_NEXT  1
#define VIRTQ_DESC_F_WRITE 2

struct virtq_desc {
    uint64_t addr;
    uint32_t len;
    uint16_t flags;
    uint16_t next;
};

struct virtq_avail {
    uint16_t flags;
    uint16_t idx;
    uint16_t ring[]; /* then used_event */
};

struct virtq_used_elem {
    uint32_t id;
    uint32_t len;
};

struct virtq_used {
    uint16_t flags;
    uint16_t idx;
    struct virtq_used_elem ring[]; /* then avail_event */
};

struct pogo_virtio_device;

/* A split virtqueue. */
struct pogo_virtq {
    struct pogo_virtio_device *dev;
    unsigned index;
    uint16_t size; /* entries, a power of two */
    struct virtq_desc *desc;
    struct virtq_avail *avail;
    struct virtq_used *used;
    uintptr_t mem; /* the rings' frames */
    unsigned mem_order;
    void **tokens; /* per descriptor head */
    uint16_t free_head;
    uint16_t num_free;
    uint16_t last_used;
    uint16_t added; /* buffers made available since the last kick */
    bool event_idx;
    uintptr_t notify_addr; /* transport data for notifications */
};

/* One buffer of a chain given to the device. */
struct pogo_virtq_buf {
    const void *addr;
    uint32_t len;
};

struct pogo_virtio_transport {
    uint64_t (*device_features)(struct pogo_virtio_device *d);
    void (*set_driver_features)(struct pogo_virtio_device *d, uint64_t f);
    uint8_t (*get_status)(struct pogo_virtio_device *d);
    void (*set_status)(struct pogo_virtio_device *d, uint8_t status);
    void (*read_config)(struct pogo_virtio_device *d, unsigned off, void *buf,
                        unsigned len);
    /* Sets up queue q->index with up to max_size entries; fills q. */
    int (*setup_queue)(struct pogo_virtio_device *d, struct pogo_virtq *q,
                       uint16_t max_size);
    void (*notify)(struct pogo_virtio_device *d, struct pogo_virtq *q);
    /* Installs handler for the device's interrupts (all queues and
     * configuration changes). */
    int (*setup_interrupt)(struct pogo_virtio_device *d,
                           void (*handler)(void *arg), void *arg);
    /* Reads and acknowledges the interrupt status (ISR) register. */
    uint8_t (*ack_interrupt)(struct pogo_virtio_device *d);
};

struct pogo_virtio_device {
    const struct pogo_virtio_transport *ops;
    void *transport_data;
    const char *transport_name; /* "pci", "pci-legacy", "mmio", "mmio-legacy" */
    uint32_t device_id;
    uint64_t features; /* negotiated */
    bool legacy;       /* a virtio 0.9 (pre-1.0) interface */
};

struct pogo_virtio_driver {
    const char *name;
    uint32_t device_id;
    int (*probe)(struct pogo_virtio_device *d);
};

#define POGO_VIRTIO_DRIVER(id, ...)                                          \
    static const struct pogo_virtio_driver pogo_virtio_driver_##id POGO_USED \
        POGO_ALIGNED(8) POGO_SECTION(".pogo_virtio_drivers") = {__VA_ARGS__}

/* Called by transports for each device found; resets it and probes the
 * driver of its type. */
void pogo_virtio_device_found(struct pogo_virtio_device *d);

/*
 * Accepts the features in wanted that the device offers (VERSION_1 is
 * required of non-legacy devices), sets FEATURES_OK and checks that the
 * device kept it. Returns 0 or -EIO.
 */
int pogo_virtio_negotiate(struct pogo_virtio_device *d, uint64_t wanted);

static inline bool pogo_virtio_has(const struct pogo_virtio_device *d,
                                   unsigned feature)
{
    return d->features & (1ULL << feature);
}

void pogo_virtio_driver_ok(struct pogo_virtio_device *d);

/* Marks the device failed after a driver error. */
void pogo_virtio_fail(struct pogo_virtio_device *d);

/* --- Virtqueues ---------------------------------------------------------- */

/*
 * Allocates the rings of q for size entries (a power of two; legacy
 * layout when legacy is set, with the used ring on its own page). Returns
 * 0 or -ENOMEM.
 */
int pogo_virtq_alloc(struct pogo_virtq *q, uint16_t size, bool legacy);

/*
 * Makes a chain available: nout buffers the device reads, then nin it
 * writes. token comes back from pogo_virtq_get. Returns 0, or -ENOSPC
 * when the queue lacks free descriptors.
 */
int pogo_virtq_add(struct pogo_virtq *q, const struct pogo_virtq_buf *bufs,
                   unsigned nout, unsigned nin, void *token);

/* Notifies the device of the chains added since the last kick, unless
 * the device asked not to be (event index). */
void pogo_virtq_kick(struct pogo_virtq *q);

/* Takes the next chain the device finished: returns its token and stores
 * the bytes written, or returns NULL. */
void *pogo_virtq_get(struct pogo_virtq *q, uint32_t *len);

/*
 * Asks for an interrupt at the next used chain (true), or for none
 * (false). Enabling returns false when chains are already waiting, so the
 * caller must process them instead of waiting.
 */
bool pogo_virtq_enable_interrupts(struct pogo_virtq *q, bool on);

/* Free descriptors. */
static inline unsigned pogo_virtq_free(const struct pogo_virtq *q)
{
    return q->num_free;
}

#endif
