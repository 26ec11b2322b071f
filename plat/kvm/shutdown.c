/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Power off with an exit status. QEMU's isa-debug-exit device (port 0x501)
 * makes QEMU exit with (value << 1) | 1, which keeps only the low 7 bits
 * of the status, so the full status byte is first written to the
 * isa-debugcon port 0xe9, where ./pogo run reads it back. Without either
 * device the CPU is reset, which ends QEMU when it runs with -no-reboot.
 */
#include <pogo/arch/cpu.h>
#include <pogo/plat.h>

#define DEBUGCON_PORT   0xe9
#define DEBUG_EXIT_PORT 0x501
#define KBC_PORT        0x64
#define KBC_RESET       0xfe

POGO_NORETURN void pogo_plat_exit(int status)
{
    uint8_t code = status & 0xff;

    __asm__ __volatile__("cli");
    x86_outb(DEBUGCON_PORT, code);
    x86_outb(DEBUG_EXIT_PORT, code);

    /* No isa-debug-exit: reset through the keyboard controller, then by a
     * triple fault. */
    x86_outb(KBC_PORT, KBC_RESET);
    for (;;) {
        struct {
            uint16_t limit;
            uint64_t base;
        } POGO_PACKED empty = {0, 0};
        __asm__ __volatile__("lidt %0\n\tint3" : : "m"(empty));
    }
}
