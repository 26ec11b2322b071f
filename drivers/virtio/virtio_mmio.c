/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The virtio MMIO transport (virtio 1.x, section 4.2), versions 1 (legacy)
 * and 2. Devices come from the kernel options virtio_mmio.device=
 * SIZE@BASE:IRQ that QEMU's -M microvm adds to the command line; their
 * interrupts arrive through the I/O APIC.
 */
#include <pogo/alloc.h>
#include <pogo/arch/cpu.h>
#include <pogo/errno.h>
#include <pogo/init.h>
#include <pogo/irq.h>
#include <pogo/log.h>
#include <pogo/pagetable.h>
#include <pogo/param.h>
#include <pogo/string.h>
#include <pogo/virtio.h>

#define MAGIC 0x74726976 /* "virt" */

#define REG_MAGIC           0x000
#define REG_VERSION         0x004
#define REG_DEVICE_ID       0x008
#define REG_DEVICE_FEATURES 0x010
#define REG_DEVICE_FSEL     0x014
#define REG_DRIVER_FEATURES 0x020
#define REG_DRIVER_FSEL     0x024
#define REG_GUEST_PAGE_SIZE 0x028
#define REG_QUEUE_SEL       0x030
#define REG_QUEUE_NUM_MAX   0x034
#define REG_QUEUE_NUM       0x038
#define REG_QUEUE_ALIGN     0x03c
#define REG_QUEUE_PFN       0x040
#define REG_QUEUE_READY     0x044
#define REG_QUEUE_NOTIFY    0x050
#define REG_INT_STATUS      0x060
#define REG_INT_ACK         0x064
#define REG_STATUS          0x070
#define REG_QUEUE_DESC      0x080
#define REG_QUEUE_DRIVER    0x090
#define REG_QUEUE_DEVICE    0x0a0
#define REG_CONFIG          0x100

#define MAX_DEVICES 8
/* Legacy devices take ring addresses as page numbers of this size. */
#define LEGACY_PAGE_SIZE 4096

struct vmmio {
    uintptr_t base;
    size_t size;
    unsigned irq;
    struct pogo_virtio_device vdev;
    void (*handler)(void *arg);
    void *arg;
};

static struct vmmio *found[MAX_DEVICES];
static int nfound;

static struct vmmio *of(struct pogo_virtio_device *d)
{
    return d->transport_data;
}

static volatile uint32_t *reg(struct pogo_virtio_device *d, unsigned off)
{
    return (volatile uint32_t *)(of(d)->base + off);
}

static uint64_t device_features(struct pogo_virtio_device *d)
{
    uint64_t f;

    *reg(d, REG_DEVICE_FSEL) = 0;
    f = *reg(d, REG_DEVICE_FEATURES);
    if (d->legacy)
        return f;
    *reg(d, REG_DEVICE_FSEL) = 1;
    return f | ((uint64_t)*reg(d, REG_DEVICE_FEATURES) << 32);
}

static void set_features(struct pogo_virtio_device *d, uint64_t f)
{
    *reg(d, REG_DRIVER_FSEL) = 0;
    *reg(d, REG_DRIVER_FEATURES) = (uint32_t)f;
    if (d->legacy)
        return;
    *reg(d, REG_DRIVER_FSEL) = 1;
    *reg(d, REG_DRIVER_FEATURES) = (uint32_t)(f >> 32);
}

static uint8_t get_status(struct pogo_virtio_device *d)
{
    return *reg(d, REG_STATUS);
}

static void set_status(struct pogo_virtio_device *d, uint8_t s)
{
    *reg(d, REG_STATUS) = s;
    if (d->legacy && s == 0)
        *reg(d, REG_GUEST_PAGE_SIZE) = LEGACY_PAGE_SIZE;
}

static void read_config(struct pogo_virtio_device *d, unsigned off, void *buf,
                        unsigned len)
{
    uint8_t *out = buf;

    for (unsigned i = 0; i < len; i++)
        out[i] = *(volatile uint8_t *)(of(d)->base + REG_CONFIG + off + i);
}

static void write64(struct pogo_virtio_device *d, unsigned off, uint64_t v)
{
    *reg(d, off) = (uint32_t)v;
    *reg(d, off + 4) = (uint32_t)(v >> 32);
}

static int setup_queue(struct pogo_virtio_device *d, struct pogo_virtq *q,
                       uint16_t max_size)
{
    uint32_t size;
    int err;

    *reg(d, REG_QUEUE_SEL) = q->index;
    size = *reg(d, REG_QUEUE_NUM_MAX);
    if (size == 0)
        return -ENOENT;
    while (size > max_size)
        size /= 2;
    err = pogo_virtq_alloc(q, size, d->legacy);
    if (err)
        return err;
    *reg(d, REG_QUEUE_NUM) = size;
    if (d->legacy) {
        *reg(d, REG_QUEUE_ALIGN) = LEGACY_PAGE_SIZE;
        *reg(d, REG_QUEUE_PFN) = (uintptr_t)q->desc / LEGACY_PAGE_SIZE;
        return 0;
    }
    write64(d, REG_QUEUE_DESC, (uintptr_t)q->desc);
    write64(d, REG_QUEUE_DRIVER, (uintptr_t)q->avail);
    write64(d, REG_QUEUE_DEVICE, (uintptr_t)q->used);
    *reg(d, REG_QUEUE_READY) = 1;
    return 0;
}

static void notify(struct pogo_virtio_device *d, struct pogo_virtq *q)
{
    *reg(d, REG_QUEUE_NOTIFY) = q->index;
}

static uint8_t ack_interrupt(struct pogo_virtio_device *d)
{
    uint32_t status = *reg(d, REG_INT_STATUS);

    *reg(d, REG_INT_ACK) = status;
    return status;
}

static void interrupt(void *arg)
{
    struct vmmio *m = arg;

    if (ack_interrupt(&m->vdev) && m->handler)
        m->handler(m->arg);
}

static int setup_interrupt(struct pogo_virtio_device *d,
                           void (*handler)(void *arg), void *arg)
{
    struct vmmio *m = of(d);
    int vector = pogo_irq_alloc_vector();
    int err;

    if (vector < 0)
        return vector;
    m->handler = handler;
    m->arg = arg;
    err = pogo_irq_register(vector, interrupt, m);
    if (err)
        return err;
    /* QEMU raises the line until the status is acknowledged: edge
     * triggering sees each new event once the handler has acked. */
    return pogo_irq_route_gsi(m->irq, vector, false, false);
}

static const struct pogo_virtio_transport mmio_ops = {
    .device_features = device_features,
    .set_driver_features = set_features,
    .get_status = get_status,
    .set_status = set_status,
    .read_config = read_config,
    .setup_queue = setup_queue,
    .notify = notify,
    .setup_interrupt = setup_interrupt,
    .ack_interrupt = ack_interrupt,
};

/* Parses SIZE@BASE:IRQ[:ID], the format of Linux's virtio_mmio.device. */
static int parse_device(const char *value, struct vmmio *m)
{
    char part[24];
    const char *at = pogo_strchr(value, '@');
    const char *colon = at ? pogo_strchr(at, ':') : NULL;
    uint64_t size, base, irq;

    if (!at || !colon || (size_t)(at - value) >= sizeof(part) ||
        (size_t)(colon - at - 1) >= sizeof(part))
        return -EINVAL;
    pogo_strlcpy(part, value, at - value + 1);
    if (pogo_parse_u64(part, true, &size))
        return -EINVAL;
    pogo_strlcpy(part, at + 1, colon - at);
    if (pogo_parse_u64(part, false, &base))
        return -EINVAL;
    pogo_strlcpy(part, colon + 1, sizeof(part));
    if (pogo_strchr(part, ':'))
        *pogo_strchr(part, ':') = '\0';
    if (pogo_parse_u64(part, false, &irq) || irq > 255 || size < 0x200)
        return -EINVAL;
    m->base = base;
    m->size = size;
    m->irq = irq;
    return 0;
}

static int add_device(const char *value)
{
    static struct vmmio slots[MAX_DEVICES];
    struct vmmio *m;

    if (nfound == MAX_DEVICES) {
        pogo_warn("virtio-mmio: more than %d devices; ignoring %s\n",
                  MAX_DEVICES, value);
        return 0;
    }
    m = &slots[nfound];
    if (parse_device(value, m) != 0) {
        pogo_error("virtio-mmio: invalid virtio_mmio.device '%s': expected "
                   "SIZE@BASE:IRQ\n",
                   value);
        return -EINVAL;
    }
    found[nfound++] = m;
    return 0;
}
POGO_PARAM("virtio_mmio.device", add_device);

static int mmio_init(void)
{
    for (int i = 0; i < nfound; i++) {
        struct vmmio *m = found[i];
        uint32_t version;

        if (pogo_arch_map_device(m->base, m->size) != 0)
            return -ENOMEM;
        m->vdev.transport_data = m;
        m->vdev.ops = &mmio_ops;
        if (*reg(&m->vdev, REG_MAGIC) != MAGIC)
            continue;
        version = *reg(&m->vdev, REG_VERSION);
        m->vdev.device_id = *reg(&m->vdev, REG_DEVICE_ID);
        pogo_debug("virtio-mmio: %#lx irq %u: version %u, device %u\n", m->base,
                   m->irq, version, m->vdev.device_id);
        if (m->vdev.device_id == 0)
            continue; /* an empty slot */
        m->vdev.legacy = version == 1;
        m->vdev.transport_name = m->vdev.legacy ? "mmio-legacy" : "mmio";
        pogo_virtio_device_found(&m->vdev);
    }
    return 0;
}
POGO_INIT(POGO_INIT_BUS, "virtio-mmio", mmio_init, NULL);
