/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The I/O APIC, which delivers the interrupts of devices that have no MSI
 * (virtio-mmio on -M microvm, legacy INTx on pc and q35) to the local
 * APIC. QEMU puts it at its usual address, 0xfec00000.
 */
#include <pogo/errno.h>
#include <pogo/irq.h>
#include <pogo/log.h>
#include <pogo/pagetable.h>

#define IOAPIC_BASE  0xfec00000UL
#define REG_SELECT   0x00
#define REG_WINDOW   0x10
#define REG_VERSION  0x01
#define REG_REDIR(n) (0x10 + 2 * (n))

#define REDIR_ACTIVE_LOW (1 << 13)
#define REDIR_LEVEL      (1 << 15)
#define REDIR_MASKED     (1 << 16)

static volatile uint32_t *ioapic;
static unsigned npins;

static uint32_t read_reg(unsigned reg)
{
    ioapic[REG_SELECT / 4] = reg;
    return ioapic[REG_WINDOW / 4];
}

static void write_reg(unsigned reg, uint32_t v)
{
    ioapic[REG_SELECT / 4] = reg;
    ioapic[REG_WINDOW / 4] = v;
}

static int map(void)
{
    if (ioapic)
        return 0;
    if (pogo_arch_map_device(IOAPIC_BASE, 4096) != 0)
        return -ENOMEM;
    ioapic = (volatile uint32_t *)IOAPIC_BASE;
    npins = ((read_reg(REG_VERSION) >> 16) & 0xff) + 1;
    if (npins > 120)
        npins = 0; /* no I/O APIC answers at this address */
    return 0;
}

int pogo_irq_route_gsi(unsigned gsi, unsigned vector, bool level,
                       bool active_low)
{
    uint32_t low = vector;

    if (map() != 0)
        return -ENOMEM;
    if (gsi >= npins)
        return -EINVAL;
    if (level)
        low |= REDIR_LEVEL;
    if (active_low)
        low |= REDIR_ACTIVE_LOW;
    write_reg(REG_REDIR(gsi) + 1, 0); /* to the CPU with APIC id 0 */
    write_reg(REG_REDIR(gsi), low);
    pogo_debug("ioapic: GSI %u to vector %u (%s, active %s)\n", gsi, vector,
               level ? "level" : "edge", active_low ? "low" : "high");
    return 0;
}
