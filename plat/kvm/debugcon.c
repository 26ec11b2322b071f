/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The error channel: standard error and the kernel log go to a QEMU
 * isa-debugcon device at port 0x4e8 when the monitor has one (./pogo run
 * connects it to its own standard error), and to the serial console
 * otherwise. The device answers reads of its port with 0xe9, which is how
 * it is detected.
 */
#include <pogo/arch/cpu.h>
#include <pogo/plat.h>

#define ERROR_PORT     0x4e8
#define DEBUGCON_MAGIC 0xe9

static int present = -1;

void pogo_plat_error_write(const char *buf, size_t len)
{
    if (present < 0)
        present = x86_inb(ERROR_PORT) == DEBUGCON_MAGIC;
    if (!present) {
        pogo_plat_console_write(buf, len);
        return;
    }
    for (size_t i = 0; i < len; i++)
        x86_outb(ERROR_PORT, buf[i]);
}
