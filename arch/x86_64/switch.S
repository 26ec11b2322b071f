/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Kernel context switch. Only the callee-saved registers need saving: the
 * switch is a function call for the code on both sides. A new thread's
 * stack is prepared so that the first switch to it "returns" into
 * x86_thread_trampoline with its entry function in %r12 and argument in
 * %r13.
 */

    .text
/* void pogo_arch_switch(uintptr_t *save_rsp, uintptr_t new_rsp) */
    .globl pogo_arch_switch
pogo_arch_switch:
    push %rbp
    push %rbx
    push %r12
    push %r13
    push %r14
    push %r15
    mov %rsp, (%rdi)
    mov %rsi, %rsp
    pop %r15
    pop %r14
    pop %r13
    pop %r12
    pop %rbx
    pop %rbp
    ret

    .globl x86_thread_trampoline
x86_thread_trampoline:
    mov %r13, %rdi
    call *%r12
    ud2
