/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The reference kernel of the boot benchmark: one page that QEMU boots by
 * the same PVH path as Pogo and that powers off at once through
 * isa-debug-exit. The difference between running it and running
 * helloworld is the cost of Pogo itself.
 */
#define XEN_ELFNOTE_PHYS32_ENTRY 18

    .section .note.pvh, "a", @note
    .p2align 2
    .long 4, 4, XEN_ELFNOTE_PHYS32_ENTRY
    .asciz "Xen"
    .long stub_start

    .text
    .code32
    .globl stub_start
stub_start:
    xor %eax, %eax
    mov $0xe9, %dx
    out %al, %dx
    mov $0x501, %dx
    out %al, %dx
1:  hlt
    jmp 1b
