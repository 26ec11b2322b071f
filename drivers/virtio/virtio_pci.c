/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The virtio PCI transport (virtio 1.x, section 4.1): the modern interface
 * through vendor capabilities, and the legacy interface through I/O BAR 0
 * for devices that have no capabilities. Interrupts use one MSI-X vector
 * for the whole device when it has MSI-X, and the legacy INTx line
 * through the I/O APIC otherwise.
 */
#include <pogo/alloc.h>
#include <pogo/arch/cpu.h>
#include <pogo/errno.h>
#include <pogo/irq.h>
#include <pogo/log.h>
#include <pogo/pci.h>
#include <pogo/virtio.h>

#define VENDOR_VIRTIO 0x1af4
#define CAP_VENDOR    0x09

#define CFG_COMMON 1
#define CFG_NOTIFY 2
#define CFG_ISR    3
#define CFG_DEVICE 4

/* Modern common configuration registers. */
#define COMMON_DFSELECT 0x00
#define COMMON_DF       0x04
#define COMMON_GFSELECT 0x08
#define COMMON_GF       0x0c
#define COMMON_MSIX     0x10
#define COMMON_STATUS   0x14
#define COMMON_Q_SELECT 0x16
#define COMMON_Q_SIZE   0x18
#define COMMON_Q_MSIX   0x1a
#define COMMON_Q_ENABLE 0x1c
#define COMMON_Q_NOFF   0x1e
#define COMMON_Q_DESC   0x20
#define COMMON_Q_DRIVER 0x28
#define COMMON_Q_DEVICE 0x30

/* Legacy I/O registers. */
#define LEGACY_HOST_FEATURES  0x00
#define LEGACY_GUEST_FEATURES 0x04
#define LEGACY_QUEUE_PFN      0x08
#define LEGACY_QUEUE_SIZE     0x0c
#define LEGACY_QUEUE_SELECT   0x0e
#define LEGACY_QUEUE_NOTIFY   0x10
#define LEGACY_STATUS         0x12
#define LEGACY_ISR            0x13
#define LEGACY_MSIX_CONFIG    0x14
#define LEGACY_MSIX_QUEUE     0x16

#define NO_VECTOR 0xffff

struct vpci {
    struct pogo_pci_device *pci;
    struct pogo_virtio_device vdev;
    uintptr_t common, isr, device, notify;
    uint32_t notify_multiplier;
    uint16_t io; /* legacy: the I/O port base */
    bool msix;
    int vector;
    void (*handler)(void *arg);
    void *arg;
};

static struct vpci *of(struct pogo_virtio_device *d)
{
    return d->transport_data;
}

static volatile uint8_t *reg8(uintptr_t base, unsigned off)
{
    return (volatile uint8_t *)(base + off);
}

static volatile uint16_t *reg16(uintptr_t base, unsigned off)
{
    return (volatile uint16_t *)(base + off);
}

static volatile uint32_t *reg32(uintptr_t base, unsigned off)
{
    return (volatile uint32_t *)(base + off);
}

/* --- Modern interface -------------------------------------------------- */

static uint64_t modern_device_features(struct pogo_virtio_device *d)
{
    struct vpci *v = of(d);
    uint64_t f;

    *reg32(v->common, COMMON_DFSELECT) = 0;
    f = *reg32(v->common, COMMON_DF);
    *reg32(v->common, COMMON_DFSELECT) = 1;
    return f | ((uint64_t)*reg32(v->common, COMMON_DF) << 32);
}

static void modern_set_features(struct pogo_virtio_device *d, uint64_t f)
{
    struct vpci *v = of(d);

    *reg32(v->common, COMMON_GFSELECT) = 0;
    *reg32(v->common, COMMON_GF) = (uint32_t)f;
    *reg32(v->common, COMMON_GFSELECT) = 1;
    *reg32(v->common, COMMON_GF) = (uint32_t)(f >> 32);
}

static uint8_t modern_get_status(struct pogo_virtio_device *d)
{
    return *reg8(of(d)->common, COMMON_STATUS);
}

static void modern_set_status(struct pogo_virtio_device *d, uint8_t s)
{
    *reg8(of(d)->common, COMMON_STATUS) = s;
    if (s == 0) {
        /* A reset completes when the device reads back 0. */
        while (*reg8(of(d)->common, COMMON_STATUS) != 0)
            x86_pause();
    }
}

static void modern_read_config(struct pogo_virtio_device *d, unsigned off,
                               void *buf, unsigned len)
{
    uint8_t *out = buf;

    for (unsigned i = 0; i < len; i++)
        out[i] = *reg8(of(d)->device, off + i);
}

static int modern_setup_queue(struct pogo_virtio_device *d,
                              struct pogo_virtq *q, uint16_t max_size)
{
    struct vpci *v = of(d);
    uint16_t size, noff;
    int err;

    *reg16(v->common, COMMON_Q_SELECT) = q->index;
    size = *reg16(v->common, COMMON_Q_SIZE);
    if (size == 0)
        return -ENOENT;
    while (size > max_size)
        size /= 2;
    err = pogo_virtq_alloc(q, size, false);
    if (err)
        return err;
    *reg16(v->common, COMMON_Q_SIZE) = size;
    *(volatile uint64_t *)(v->common + COMMON_Q_DESC) = (uintptr_t)q->desc;
    *(volatile uint64_t *)(v->common + COMMON_Q_DRIVER) = (uintptr_t)q->avail;
    *(volatile uint64_t *)(v->common + COMMON_Q_DEVICE) = (uintptr_t)q->used;
    if (v->msix)
        *reg16(v->common, COMMON_Q_MSIX) = 0;
    noff = *reg16(v->common, COMMON_Q_NOFF);
    q->notify_addr = v->notify + (uintptr_t)noff * v->notify_multiplier;
    *reg16(v->common, COMMON_Q_ENABLE) = 1;
    return 0;
}

static void modern_notify(struct pogo_virtio_device *d, struct pogo_virtq *q)
{
    *(volatile uint16_t *)q->notify_addr = q->index;
}

static uint8_t modern_ack(struct pogo_virtio_device *d)
{
    return *reg8(of(d)->isr, 0);
}

/* --- Legacy interface --------------------------------------------------- */

static uint64_t legacy_device_features(struct pogo_virtio_device *d)
{
    return x86_inl(of(d)->io + LEGACY_HOST_FEATURES);
}

static void legacy_set_features(struct pogo_virtio_device *d, uint64_t f)
{
    x86_outl(of(d)->io + LEGACY_GUEST_FEATURES, (uint32_t)f);
}

static uint8_t legacy_get_status(struct pogo_virtio_device *d)
{
    return x86_inb(of(d)->io + LEGACY_STATUS);
}

static void legacy_set_status(struct pogo_virtio_device *d, uint8_t s)
{
    x86_outb(of(d)->io + LEGACY_STATUS, s);
}

static void legacy_read_config(struct pogo_virtio_device *d, unsigned off,
                               void *buf, unsigned len)
{
    struct vpci *v = of(d);
    unsigned base = v->msix ? 0x18 : 0x14;
    uint8_t *out = buf;

    for (unsigned i = 0; i < len; i++)
        out[i] = x86_inb(v->io + base + off + i);
}

static int legacy_setup_queue(struct pogo_virtio_device *d,
                              struct pogo_virtq *q, uint16_t max_size)
{
    struct vpci *v = of(d);
    uint16_t size;
    int err;

    x86_outw(v->io + LEGACY_QUEUE_SELECT, q->index);
    size = x86_inw(v->io + LEGACY_QUEUE_SIZE);
    if (size == 0)
        return -ENOENT;
    /* A legacy queue has the size the device says: no smaller one. */
    err = pogo_virtq_alloc(q, size, true);
    if (err)
        return err;
    if (v->msix)
        x86_outw(v->io + LEGACY_MSIX_QUEUE, 0);
    x86_outl(v->io + LEGACY_QUEUE_PFN, (uintptr_t)q->desc >> 12);
    return 0;
}

static void legacy_notify(struct pogo_virtio_device *d, struct pogo_virtq *q)
{
    x86_outw(of(d)->io + LEGACY_QUEUE_NOTIFY, q->index);
}

static uint8_t legacy_ack(struct pogo_virtio_device *d)
{
    return x86_inb(of(d)->io + LEGACY_ISR);
}

/* --- Interrupts ------------------------------------------------------------
 */

static void interrupt(void *arg)
{
    struct vpci *v = arg;

    if (!v->handler)
        return;
    /* With INTx, the ISR read lowers the line; MSI-X needs no read. */
    if (!v->msix && !(v->vdev.ops->ack_interrupt(&v->vdev) & 3))
        return;
    v->handler(v->arg);
}

static int setup_interrupt(struct pogo_virtio_device *d,
                           void (*handler)(void *arg), void *arg)
{
    struct vpci *v = of(d);

    v->handler = handler;
    v->arg = arg;
    if (v->msix) {
        if (d->legacy)
            x86_outw(v->io + LEGACY_MSIX_CONFIG, 0);
        else
            *reg16(v->common, COMMON_MSIX) = 0;
        return 0;
    }
    /* PCI INTx lines are level triggered and active low. */
    return pogo_irq_route_gsi(v->pci->irq_line, v->vector, true, true);
}

static const struct pogo_virtio_transport modern_ops = {
    .device_features = modern_device_features,
    .set_driver_features = modern_set_features,
    .get_status = modern_get_status,
    .set_status = modern_set_status,
    .read_config = modern_read_config,
    .setup_queue = modern_setup_queue,
    .notify = modern_notify,
    .setup_interrupt = setup_interrupt,
    .ack_interrupt = modern_ack,
};

static const struct pogo_virtio_transport legacy_ops = {
    .device_features = legacy_device_features,
    .set_driver_features = legacy_set_features,
    .get_status = legacy_get_status,
    .set_status = legacy_set_status,
    .read_config = legacy_read_config,
    .setup_queue = legacy_setup_queue,
    .notify = legacy_notify,
    .setup_interrupt = setup_interrupt,
    .ack_interrupt = legacy_ack,
};

/* Finds the modern capabilities; returns false when there are none. */
static bool find_modern(struct vpci *v)
{
    struct pogo_pci_device *p = v->pci;

    for (uint8_t cap = pogo_pci_find_capability(p, CAP_VENDOR, 0); cap;
         cap = pogo_pci_find_capability(p, CAP_VENDOR, cap)) {
        uint8_t type = pogo_pci_read8(p, cap + 3);
        uint8_t bar = pogo_pci_read8(p, cap + 4);
        uint32_t off = pogo_pci_read32(p, cap + 8);
        uintptr_t base;

        if (bar >= POGO_PCI_BARS || type < CFG_COMMON || type > CFG_DEVICE)
            continue;
        base = pogo_pci_map_bar(p, bar);
        if (!base)
            continue;
        if (type == CFG_COMMON && !v->common)
            v->common = base + off;
        else if (type == CFG_NOTIFY && !v->notify) {
            v->notify = base + off;
            v->notify_multiplier = pogo_pci_read32(p, cap + 16);
        } else if (type == CFG_ISR && !v->isr)
            v->isr = base + off;
        else if (type == CFG_DEVICE && !v->device)
            v->device = base + off;
    }
    return v->common && v->notify && v->isr;
}

static int probe(struct pogo_pci_device *p)
{
    struct vpci *v = pogo_calloc(1, sizeof(*v));
    int vectors[1];

    if (!v)
        return -ENOMEM;
    v->pci = p;
    pogo_pci_enable(p);
    v->vdev.transport_data = v;
    /* Modern ids are 0x1040 + type; legacy ones carry the type in the
     * subsystem id. */
    v->vdev.device_id =
        p->device >= 0x1040 ? p->device - 0x1040 : p->subsystem_device;
    if (find_modern(v)) {
        v->vdev.ops = &modern_ops;
        v->vdev.transport_name = "pci";
    } else if (p->bars[0].io && p->bars[0].addr) {
        v->io = p->bars[0].addr;
        v->vdev.ops = &legacy_ops;
        v->vdev.legacy = true;
        v->vdev.transport_name = "pci-legacy";
    } else {
        pogo_free(v);
        return -ENODEV;
    }
    /* One vector for the whole device: the driver's handler looks at the
     * queues to learn what happened. */
    v->vector = pogo_irq_alloc_vector();
    if (v->vector < 0 || pogo_irq_register(v->vector, interrupt, v) != 0) {
        pogo_free(v);
        return -ENOSPC;
    }
    vectors[0] = v->vector;
    v->msix = pogo_pci_enable_msix(p, vectors, 1) == 0;
    pogo_virtio_device_found(&v->vdev);
    return 0;
}

POGO_PCI_DRIVER(virtio, .name = "virtio-pci", .vendor = VENDOR_VIRTIO,
                .device_min = 0x1000, .device_max = 0x107f, .probe = probe);
