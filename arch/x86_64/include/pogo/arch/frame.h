/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Assembler macros that save and restore the general-purpose registers in
 * the order of struct pogo_regs (r15 at the lowest address).
 */
#ifndef POGO_ARCH_FRAME_H
#define POGO_ARCH_FRAME_H

/* clang-format off */
#ifdef __ASSEMBLER__
.macro SAVE_REGS
    push %rax
    push %rbx
    push %rcx
    push %rdx
    push %rsi
    push %rdi
    push %rbp
    push %r8
    push %r9
    push %r10
    push %r11
    push %r12
    push %r13
    push %r14
    push %r15
.endm

.macro RESTORE_REGS
    pop %r15
    pop %r14
    pop %r13
    pop %r12
    pop %r11
    pop %r10
    pop %r9
    pop %r8
    pop %rbp
    pop %rdi
    pop %rsi
    pop %rdx
    pop %rcx
    pop %rbx
    pop %rax
.endm
#endif
/* clang-format on */

#endif
