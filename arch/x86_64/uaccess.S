/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Copies to and from application memory. Each instruction that may fault
 * has an entry in .pogo_extable; the fault handlers resume at its fixup,
 * which returns -EFAULT.
 */
#define EFAULT       14
#define ENAMETOOLONG 36

.macro EXTABLE fault, fixup
    .pushsection .pogo_extable, "a"
    .p2align 3
    .quad \fault, \fixup
    .popsection
.endm

    .text

/* int pogo_copy_from_user(void *dst, const void *src, size_t n) */
    .globl pogo_copy_from_user
    .globl pogo_copy_to_user
pogo_copy_from_user:
pogo_copy_to_user:
    mov %rdx, %rcx
1:  rep movsb
    xor %eax, %eax
    ret
    EXTABLE 1b, efault

/* int pogo_clear_user(void *dst, size_t n) */
    .globl pogo_clear_user
pogo_clear_user:
    mov %rsi, %rcx
    xor %eax, %eax
2:  rep stosb
    ret
    EXTABLE 2b, efault

/* long pogo_strncpy_from_user(char *dst, const char *src, size_t max) */
    .globl pogo_strncpy_from_user
pogo_strncpy_from_user:
    xor %eax, %eax
    test %rdx, %rdx
    jz 5f
3:  movb (%rsi,%rax), %cl
    movb %cl, (%rdi,%rax)
    test %cl, %cl
    jz 4f
    inc %rax
    cmp %rdx, %rax
    jb 3b
5:  mov $-ENAMETOOLONG, %rax
4:  ret
    EXTABLE 3b, efault

efault:
    mov $-EFAULT, %rax
    ret
