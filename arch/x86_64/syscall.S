/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Entry for the syscall instruction. The application keeps data in the red
 * zone below %rsp, so nothing is pushed before the switch to the thread's
 * kernel stack. SYSRET would drop to ring 3, so the return restores the
 * flags with popfq and jumps to the saved %rcx; Linux leaves %rcx and %r11
 * holding the return address and flags, and so does this.
 */
#include <pogo/arch/x86.h>
#include <pogo/arch/percpu.h>
#include <pogo/arch/frame.h>

    .text
    .globl x86_syscall_entry
x86_syscall_entry:
    mov %rsp, pogo_percpu+PERCPU_USER_RSP(%rip)
    mov pogo_percpu+PERCPU_KSTACK_TOP(%rip), %rsp
    push $X86_SEL_DATA
    push pogo_percpu+PERCPU_USER_RSP(%rip)
    push %r11
    push $X86_SEL_CODE
    push %rcx
    push $-1
    push %rax
    SAVE_REGS
    mov %rsp, %rdi
    call pogo_syscall
    test %eax, %eax
    jnz x86_return_full
    .globl x86_syscall_return
x86_syscall_return:
    RESTORE_REGS
    /* 0 vector, 8 error, 16 rip, 24 cs, 32 rflags, 40 rsp, 48 ss */
    mov 16(%rsp), %rcx
    mov 32(%rsp), %r11
    add $32, %rsp
    popfq
    mov (%rsp), %rsp
    jmp *%rcx

/* Restores every register from the frame at %rsp, including %rcx/%r11. */
    .globl x86_return_full
x86_return_full:
    RESTORE_REGS
    add $16, %rsp
    iretq

/*
 * void pogo_arch_enter_app(uintptr_t entry, uintptr_t sp): starts the
 * application at entry with the stack at sp, interrupts on and every
 * other register zero, as Linux starts a process (%rdx = 0 means no
 * function for atexit).
 */
    .globl pogo_arch_enter_app
pogo_arch_enter_app:
    push $X86_SEL_DATA
    push %rsi
    push $X86_RFLAGS_IF | 2
    push $X86_SEL_CODE
    push %rdi
    xor %eax, %eax
    xor %ebx, %ebx
    xor %ecx, %ecx
    xor %edx, %edx
    xor %esi, %esi
    xor %edi, %edi
    xor %ebp, %ebp
    xor %r8d, %r8d
    xor %r9d, %r9d
    xor %r10d, %r10d
    xor %r11d, %r11d
    xor %r12d, %r12d
    xor %r13d, %r13d
    xor %r14d, %r14d
    xor %r15d, %r15d
    iretq

/* void pogo_arch_return_to_app(struct pogo_regs *frame): leaves the kernel
 * with every register from frame, which is on the current kernel stack. */
    .globl pogo_arch_return_to_app
pogo_arch_return_to_app:
    mov %rdi, %rsp
    jmp x86_return_full
