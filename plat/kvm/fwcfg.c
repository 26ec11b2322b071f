/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * QEMU's firmware configuration device (fw_cfg) through its I/O ports: a
 * 16-bit item selector at 0x510 and a byte-wide data port at 0x511. Pogo
 * reads one item, the number of CPUs the machine may have.
 */
#include <pogo/arch/cpu.h>
#include <pogo/plat.h>
#include <pogo/string.h>

#define PORT_SELECTOR 0x510
#define PORT_DATA     0x511

#define ITEM_SIGNATURE 0x00
#define ITEM_MAX_CPUS  0x0f

static void read_item(uint16_t item, void *buf, size_t len)
{
    uint8_t *p = buf;

    x86_outw(PORT_SELECTOR, item);
    for (size_t i = 0; i < len; i++)
        p[i] = x86_inb(PORT_DATA);
}

unsigned pogo_plat_max_cpus(void)
{
    char signature[4];
    uint16_t max_cpus;

    read_item(ITEM_SIGNATURE, signature, sizeof(signature));
    if (pogo_memcmp(signature, "QEMU", sizeof(signature)) != 0)
        return 0;
    read_item(ITEM_MAX_CPUS, &max_cpus, sizeof(max_cpus));
    return max_cpus;
}
