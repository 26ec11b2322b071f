/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The 16550 UART at COM1, polled. Output waits for an empty transmit FIFO
 * and then writes up to 16 bytes, so a line costs few port reads (each
 * port access is a VM exit).
 */
#include <pogo/arch/cpu.h>
#include <pogo/plat.h>

#define COM1       0x3f8
#define REG_DATA   0
#define REG_IER    1
#define REG_FCR    2
#define REG_LCR    3
#define REG_MCR    4
#define REG_LSR    5
#define LSR_DR     0x01
#define LSR_THRE   0x20
#define FIFO_DEPTH 16

/* A byte received before the FIFOs were enabled, or -1. Enabling them
 * empties the receiver, so the set-up keeps that byte here. */
static int early_byte = -1;

void pogo_serial_init(void)
{
    x86_outb(COM1 + REG_IER, 0x00);
    x86_outb(COM1 + REG_LCR, 0x80); /* divisor latch: 115200 baud */
    x86_outb(COM1 + REG_DATA, 0x01);
    x86_outb(COM1 + REG_IER, 0x00);
    x86_outb(COM1 + REG_LCR, 0x03); /* 8 data bits, no parity, 1 stop */
    if (x86_inb(COM1 + REG_LSR) & LSR_DR)
        early_byte = x86_inb(COM1 + REG_DATA);
    x86_outb(COM1 + REG_FCR, 0x07); /* enable and clear both FIFOs */
    x86_outb(COM1 + REG_MCR, 0x03);
}

void pogo_plat_console_write(const char *buf, size_t len)
{
    while (len > 0) {
        size_t n = len < FIFO_DEPTH ? len : FIFO_DEPTH;

        while (!(x86_inb(COM1 + REG_LSR) & LSR_THRE))
            x86_pause();
        for (size_t i = 0; i < n; i++)
            x86_outb(COM1 + REG_DATA, buf[i]);
        buf += n;
        len -= n;
    }
}

size_t pogo_plat_console_read(char *buf, size_t len)
{
    size_t n = 0;

    if (len && early_byte >= 0) {
        buf[n++] = (char)early_byte;
        early_byte = -1;
    }
    while (n < len && (x86_inb(COM1 + REG_LSR) & LSR_DR))
        buf[n++] = x86_inb(COM1 + REG_DATA);
    return n;
}
