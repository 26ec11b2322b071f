/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * PCI devices found at boot on bus 0 and the buses behind bridges, through
 * the configuration space ports 0xcf8/0xcfc that QEMU's pc and q35
 * machines have. Drivers register with POGO_PCI_DRIVER and are probed for
 * each device whose vendor and device ids they list.
 */
#ifndef POGO_PCI_H
#define POGO_PCI_H

#include <pogo/compiler.h>

#define POGO_PCI_BARS 6

struct pogo_pci_bar {
    uint64_t addr; /* memory or port address, 0 when unused */
    uint64_t size;
    bool io; /* an I/O port range */
};

struct pogo_pci_device {
    uint8_t bus, slot, func;
    uint16_t vendor, device;
    uint16_t subsystem_device;
    uint8_t class, subclass, revision;
    uint8_t irq_line; /* the legacy interrupt line firmware assigned */
    uint8_t irq_pin;  /* 1-4 for INTA-INTD, 0 for none */
    struct pogo_pci_bar bars[POGO_PCI_BARS];
};

struct pogo_pci_driver {
    const char *name;
    uint16_t vendor;
    uint16_t device_min, device_max; /* the range of device ids served */
    int (*probe)(struct pogo_pci_device *dev);
};

#define POGO_PCI_DRIVER(id, ...)                                       \
    static const struct pogo_pci_driver pogo_pci_driver_##id POGO_USED \
        POGO_ALIGNED(8) POGO_SECTION(".pogo_pci_drivers") = {__VA_ARGS__}

uint32_t pogo_pci_read32(const struct pogo_pci_device *d, uint8_t off);
uint16_t pogo_pci_read16(const struct pogo_pci_device *d, uint8_t off);
uint8_t pogo_pci_read8(const struct pogo_pci_device *d, uint8_t off);
void pogo_pci_write32(const struct pogo_pci_device *d, uint8_t off, uint32_t v);
void pogo_pci_write16(const struct pogo_pci_device *d, uint8_t off, uint16_t v);
void pogo_pci_write8(const struct pogo_pci_device *d, uint8_t off, uint8_t v);

/*
 * Finds the first capability with id cap_id, starting after the one at
 * offset start (0 to start from the beginning). Returns its offset or 0.
 */
uint8_t pogo_pci_find_capability(const struct pogo_pci_device *d,
                                 uint8_t cap_id, uint8_t start);

/* Turns on memory and I/O decoding and bus mastering (DMA). */
void pogo_pci_enable(const struct pogo_pci_device *d);

/*
 * Maps the memory BAR bar (uncached) and returns its address, or 0 when
 * the BAR is missing or is an I/O range.
 */
uintptr_t pogo_pci_map_bar(struct pogo_pci_device *d, int bar);

/*
 * Turns on MSI-X with nvec vectors: entry i interrupts the CPU on
 * vectors[i]. Returns 0, or -ENOTSUP when the device has no MSI-X or too
 * few entries.
 */
int pogo_pci_enable_msix(struct pogo_pci_device *d, const int *vectors,
                         int nvec);

#endif
