/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Exception and interrupt entry. Each of the 256 vectors has a stub that
 * pushes a uniform error code and its vector number. Exceptions stay on
 * their IST stack. Interrupts move their frame to the current thread's
 * kernel stack first, so that a handler may switch threads and so that a
 * nested exception does not overwrite the IST stack under it.
 */
#include <pogo/arch/x86.h>
#include <pogo/arch/percpu.h>
#include <pogo/arch/frame.h>

/* Vectors for which the CPU pushes an error code. */
#define HAS_ERROR(n) ((n) == 8 || ((n) >= 10 && (n) <= 14) || (n) == 17 || \
                      (n) == 21 || (n) == 29 || (n) == 30)

    .text
.macro VECTOR n
    .p2align 4
vector_\n:
    .if HAS_ERROR(\n) == 0
    pushq $0
    .endif
    pushq $\n
    .if \n < 32
    jmp exception_common
    .else
    jmp irq_common
    .endif
.endm

/* Stubs for vectors 0-63, 16 bytes apart; x86_idt_init relies on that. */
    .p2align 4
    .globl x86_vector_stubs
x86_vector_stubs:
    .altmacro
    .set i, 0
    .rept 64
    VECTOR %i
    .set i, i + 1
    .endr
    .noaltmacro

/* Vectors 64-255 are not used by Pogo and share one stub. */
    .p2align 4
    .globl x86_vector_unexpected
x86_vector_unexpected:
    pushq $0
    pushq $255
    jmp irq_common

exception_common:
    SAVE_REGS
    cld
    mov %rsp, %rdi
    call x86_exception
    RESTORE_REGS
    add $16, %rsp
    iretq

/*
 * On the IRQ stack: 0 vector, 8 error, 16 rip, 24 cs, 32 rflags, 40 rsp,
 * 48 ss. The frame moves below the interrupted %rsp when that is on the
 * current kernel stack (kernel code has no red zone), and to the top of
 * the kernel stack otherwise.
 */
irq_common:
    push %rax
    push %rcx
    mov 56(%rsp), %rcx
    mov pogo_percpu+PERCPU_KSTACK_TOP(%rip), %rax
    cmp %rax, %rcx
    jae 1f
    cmp pogo_percpu+PERCPU_KSTACK_BOT(%rip), %rcx
    jbe 1f
    mov %rcx, %rax
1:  and $-16, %rax
    sub $72, %rax
    .irp off, 0, 8, 16, 24, 32, 40, 48, 56, 64
    mov \off(%rsp), %rcx
    mov %rcx, \off(%rax)
    .endr
    mov %rax, %rsp
    pop %rcx
    pop %rax
    SAVE_REGS
    cld
    mov %rsp, %rdi
    call x86_irq
    RESTORE_REGS
    add $16, %rsp
    iretq


/* void pogo_arch_call_on_stack(void (*fn)(void *), void *arg, uintptr_t top) */
    .globl pogo_arch_call_on_stack
pogo_arch_call_on_stack:
    push %rbp
    mov %rsp, %rbp
    and $-16, %rdx
    mov %rdx, %rsp
    push %rbp
    sub $8, %rsp
    mov %rdi, %rax
    mov %rsi, %rdi
    call *%rax
    add $8, %rsp
    pop %rsp
    pop %rbp
    ret
