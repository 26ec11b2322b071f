/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * PCI configuration space through ports 0xcf8/0xcfc, enumeration of the
 * buses at boot, BAR mapping and MSI-X. Firmware (SeaBIOS on pc and q35)
 * has assigned the BARs already; Pogo uses them as they are.
 */
#include <pogo/arch/cpu.h>
#include <pogo/errno.h>
#include <pogo/init.h>
#include <pogo/log.h>
#include <pogo/pagetable.h>
#include <pogo/pci.h>

#define CONFIG_ADDRESS 0xcf8
#define CONFIG_DATA    0xcfc

#define REG_ID        0x00
#define REG_COMMAND   0x04
#define REG_CLASS     0x08
#define REG_HEADER    0x0e
#define REG_BAR0      0x10
#define REG_SECONDARY 0x19
#define REG_SUBSYSTEM 0x2c
#define REG_CAP_PTR   0x34
#define REG_IRQ_LINE  0x3c
#define REG_IRQ_PIN   0x3d

#define CMD_IO           (1 << 0)
#define CMD_MEMORY       (1 << 1)
#define CMD_MASTER       (1 << 2)
#define CMD_INTX_DISABLE (1 << 10)

#define CAP_MSIX      0x11
#define MSIX_ENABLE   (1 << 15)
#define MSIX_MASK_ALL (1 << 14)
#define MSI_ADDRESS   0xfee00000u

#define MAX_DEVICES 32

extern const struct pogo_pci_driver __pogo_pci_drivers_start[];
extern const struct pogo_pci_driver __pogo_pci_drivers_end[];

static struct pogo_pci_device devices[MAX_DEVICES];
static int ndevices;

static uint32_t address(const struct pogo_pci_device *d, uint8_t off)
{
    return (1u << 31) | ((uint32_t)d->bus << 16) | ((uint32_t)d->slot << 11) |
           ((uint32_t)d->func << 8) | (off & 0xfc);
}

uint32_t pogo_pci_read32(const struct pogo_pci_device *d, uint8_t off)
{
    x86_outl(CONFIG_ADDRESS, address(d, off));
    return x86_inl(CONFIG_DATA);
}

uint16_t pogo_pci_read16(const struct pogo_pci_device *d, uint8_t off)
{
    return pogo_pci_read32(d, off) >> ((off & 2) * 8);
}

uint8_t pogo_pci_read8(const struct pogo_pci_device *d, uint8_t off)
{
    return pogo_pci_read32(d, off) >> ((off & 3) * 8);
}

void pogo_pci_write32(const struct pogo_pci_device *d, uint8_t off, uint32_t v)
{
    x86_outl(CONFIG_ADDRESS, address(d, off));
    x86_outl(CONFIG_DATA, v);
}

void pogo_pci_write16(const struct pogo_pci_device *d, uint8_t off, uint16_t v)
{
    x86_outl(CONFIG_ADDRESS, address(d, off));
    x86_outw(CONFIG_DATA + (off & 2), v);
}

void pogo_pci_write8(const struct pogo_pci_device *d, uint8_t off, uint8_t v)
{
    x86_outl(CONFIG_ADDRESS, address(d, off));
    x86_outb(CONFIG_DATA + (off & 3), v);
}

uint8_t pogo_pci_find_capability(const struct pogo_pci_device *d,
                                 uint8_t cap_id, uint8_t start)
{
    uint8_t off =
        start ? pogo_pci_read8(d, start + 1) : pogo_pci_read8(d, REG_CAP_PTR);

    /* At most 48 capabilities fit in the 192 bytes after the header. */
    for (int n = 0; off >= 0x40 && n < 48; n++) {
        if (pogo_pci_read8(d, off) == cap_id)
            return off;
        off = pogo_pci_read8(d, off + 1);
    }
    return 0;
}

void pogo_pci_enable(const struct pogo_pci_device *d)
{
    uint16_t cmd = pogo_pci_read16(d, REG_COMMAND);

    pogo_pci_write16(d, REG_COMMAND, cmd | CMD_IO | CMD_MEMORY | CMD_MASTER);
}

uintptr_t pogo_pci_map_bar(struct pogo_pci_device *d, int bar)
{
    struct pogo_pci_bar *b = &d->bars[bar];

    if (bar < 0 || bar >= POGO_PCI_BARS || !b->addr || b->io)
        return 0;
    if (pogo_arch_map_device(b->addr, b->size) != 0)
        return 0;
    return b->addr;
}

/* Reads a BAR's address and size by writing all ones to it, as the PCI
 * specification describes; returns the number of BAR slots it uses. */
static int probe_bar(struct pogo_pci_device *d, int i)
{
    uint8_t off = REG_BAR0 + 4 * i;
    uint32_t lo = pogo_pci_read32(d, off);
    uint32_t mask;
    uint64_t addr, size;
    bool wide = (lo & 7) == 4;

    pogo_pci_write32(d, off, ~0u);
    mask = pogo_pci_read32(d, off);
    pogo_pci_write32(d, off, lo);
    if (lo & 1) {
        d->bars[i].io = true;
        d->bars[i].addr = lo & ~3u;
        d->bars[i].size = (uint16_t)(~(mask & ~3u) + 1);
        return 1;
    }
    addr = lo & ~0xfu;
    size = ~(uint64_t)(mask & ~0xfu) + 1;
    if (wide && i + 1 < POGO_PCI_BARS) {
        uint32_t hi = pogo_pci_read32(d, off + 4);
        uint32_t hmask;
        pogo_pci_write32(d, off + 4, ~0u);
        hmask = pogo_pci_read32(d, off + 4);
        pogo_pci_write32(d, off + 4, hi);
        addr |= (uint64_t)hi << 32;
        size = ~(((uint64_t)hmask << 32) | (mask & ~0xfu)) + 1;
    } else {
        size &= 0xffffffffULL;
    }
    d->bars[i].addr = mask ? addr : 0;
    d->bars[i].size = mask ? size : 0;
    return wide ? 2 : 1;
}

static void read_device(struct pogo_pci_device *d)
{
    uint32_t id = pogo_pci_read32(d, REG_ID);
    uint32_t class = pogo_pci_read32(d, REG_CLASS);

    d->vendor = id & 0xffff;
    d->device = id >> 16;
    d->revision = class & 0xff;
    d->subclass = (class >> 16) & 0xff;
    d->class = class >> 24;
    d->subsystem_device = pogo_pci_read32(d, REG_SUBSYSTEM) >> 16;
    d->irq_line = pogo_pci_read8(d, REG_IRQ_LINE);
    d->irq_pin = pogo_pci_read8(d, REG_IRQ_PIN);
    if ((pogo_pci_read8(d, REG_HEADER) & 0x7f) == 0) {
        for (int i = 0; i < POGO_PCI_BARS;)
            i += probe_bar(d, i);
    }
}

static void scan_bus(uint8_t bus, int depth);

static void scan_function(uint8_t bus, uint8_t slot, uint8_t func, int depth)
{
    struct pogo_pci_device probe = {.bus = bus, .slot = slot, .func = func};
    uint32_t id = pogo_pci_read32(&probe, REG_ID);

    if ((id & 0xffff) == 0xffff)
        return;
    /* A PCI-to-PCI bridge: its devices are on the secondary bus. */
    if ((pogo_pci_read8(&probe, REG_HEADER) & 0x7f) == 1) {
        if (depth < 8)
            scan_bus(pogo_pci_read8(&probe, REG_SECONDARY), depth + 1);
        return;
    }
    if (ndevices == MAX_DEVICES) {
        pogo_warn("pci: more than %d devices; ignoring %02x:%02x.%x\n",
                  MAX_DEVICES, bus, slot, func);
        return;
    }
    devices[ndevices] = probe;
    read_device(&devices[ndevices]);
    pogo_debug("pci: %02x:%02x.%x %04x:%04x class %02x.%02x\n", bus, slot, func,
               devices[ndevices].vendor, devices[ndevices].device,
               devices[ndevices].class, devices[ndevices].subclass);
    ndevices++;
}

static void scan_bus(uint8_t bus, int depth)
{
    for (uint8_t slot = 0; slot < 32; slot++) {
        struct pogo_pci_device probe = {.bus = bus, .slot = slot};
        if ((pogo_pci_read32(&probe, REG_ID) & 0xffff) == 0xffff)
            continue;
        scan_function(bus, slot, 0, depth);
        if (pogo_pci_read8(&probe, REG_HEADER) & 0x80) {
            for (uint8_t f = 1; f < 8; f++)
                scan_function(bus, slot, f, depth);
        }
    }
}

int pogo_pci_enable_msix(struct pogo_pci_device *d, const int *vectors,
                         int nvec)
{
    uint8_t cap = pogo_pci_find_capability(d, CAP_MSIX, 0);
    uint16_t ctrl;
    uint32_t table;
    uintptr_t base;
    volatile uint32_t *entry;

    if (!cap)
        return -ENOTSUP;
    ctrl = pogo_pci_read16(d, cap + 2);
    if ((ctrl & 0x7ff) + 1 < nvec)
        return -ENOTSUP;
    table = pogo_pci_read32(d, cap + 4);
    base = pogo_pci_map_bar(d, table & 7);
    if (!base)
        return -ENOTSUP;
    entry = (volatile uint32_t *)(base + (table & ~7u));

    pogo_pci_write16(d, cap + 2, ctrl | MSIX_ENABLE | MSIX_MASK_ALL);
    for (int i = 0; i < nvec; i++) {
        entry[i * 4 + 0] = MSI_ADDRESS; /* to the CPU with APIC id 0 */
        entry[i * 4 + 1] = 0;
        entry[i * 4 + 2] = vectors[i]; /* fixed delivery, edge */
        entry[i * 4 + 3] = 0;          /* unmasked */
    }
    pogo_pci_write16(d, cap + 2, (ctrl | MSIX_ENABLE) & ~MSIX_MASK_ALL);
    pogo_pci_write16(d, REG_COMMAND,
                     pogo_pci_read16(d, REG_COMMAND) | CMD_INTX_DISABLE);
    return 0;
}

static void probe_drivers(struct pogo_pci_device *d)
{
    for (const struct pogo_pci_driver *drv = __pogo_pci_drivers_start;
         drv < __pogo_pci_drivers_end; drv++) {
        int err;
        if (drv->vendor != d->vendor || d->device < drv->device_min ||
            d->device > drv->device_max)
            continue;
        err = drv->probe(d);
        if (err)
            pogo_warn("pci: %s could not start the device at %02x:%02x.%x "
                      "(error %d)\n",
                      drv->name, d->bus, d->slot, d->func, -err);
        return;
    }
}

static int pci_init(void)
{
    struct pogo_pci_device host = {0};

    /* Without a host bridge at 00:00.0 this machine has no PCI (microvm). */
    if ((pogo_pci_read32(&host, REG_ID) & 0xffff) == 0xffff)
        return 0;
    scan_bus(0, 0);
    for (int i = 0; i < ndevices; i++)
        probe_drivers(&devices[i]);
    return 0;
}
POGO_INIT(POGO_INIT_BUS, "pci", pci_init, NULL);
