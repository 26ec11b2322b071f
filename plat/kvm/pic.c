/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The legacy 8259 interrupt controllers. Firmware leaves them delivering
 * on vectors 8-15, which are CPU exception vectors, so they are moved to
 * vectors 32-47 and masked: Pogo takes device interrupts through the
 * IOAPIC and MSI instead. A machine without them ignores the writes.
 */
#include <pogo/arch/cpu.h>

#define PIC1_CMD  0x20
#define PIC1_DATA 0x21
#define PIC2_CMD  0xa0
#define PIC2_DATA 0xa1
#define ICW1_INIT 0x11
#define ICW4_8086 0x01

void pogo_pic_disable(void)
{
    x86_outb(PIC1_CMD, ICW1_INIT);
    x86_outb(PIC2_CMD, ICW1_INIT);
    x86_outb(PIC1_DATA, 32); /* vector base */
    x86_outb(PIC2_DATA, 40);
    x86_outb(PIC1_DATA, 4); /* the second PIC hangs off IRQ 2 */
    x86_outb(PIC2_DATA, 2);
    x86_outb(PIC1_DATA, ICW4_8086);
    x86_outb(PIC2_DATA, ICW4_8086);
    x86_outb(PIC1_DATA, 0xff); /* mask everything */
    x86_outb(PIC2_DATA, 0xff);
}
