/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * PVH entry point: the monitor starts here in 32-bit protected mode with
 * paging off and %ebx pointing at struct hvm_start_info. The code checks
 * for long mode and NX, loads the page tables built with the image,
 * enables long mode and jumps to C.
 */
#include <pogo/arch/x86.h>

#define XEN_ELFNOTE_PHYS32_ENTRY 18

    .section .note.pvh, "a", @note
    .p2align 2
    .long 4
    .long 4
    .long XEN_ELFNOTE_PHYS32_ENTRY
    .asciz "Xen"
    .long pvh_start32

    .section .text.boot, "ax"
    .code32
    .globl pvh_start32
pvh_start32:
    cli
    cld
    mov %ebx, %esi

    /* Timestamps of the boot trace: the kernel's entry, and the boot's
     * first instruction, which is the same unless the decompressor of a
     * compressed image (arch/x86_64/decompress) stored its own. */
    rdtsc
    mov %eax, pogo_boot_tsc_kernel
    mov %edx, pogo_boot_tsc_kernel + 4
    mov pogo_boot_tsc_entry, %ecx
    or pogo_boot_tsc_entry + 4, %ecx
    jnz 1f
    mov %eax, pogo_boot_tsc_entry
    mov %edx, pogo_boot_tsc_entry + 4
1:

    mov $0x80000000, %eax
    cpuid
    cmp $0x80000001, %eax
    jb no_long_mode
    mov $0x80000001, %eax
    cpuid
    bt $29, %edx
    jnc no_long_mode
    bt $20, %edx
    jnc no_nx

    mov $(X86_CR4_PAE | X86_CR4_PGE | X86_CR4_OSFXSR | X86_CR4_OSXMMEXCPT), %eax
    mov %eax, %cr4
    /* PML4[0] -> PDPT, PDPT[0] -> the page directory built with the
     * image; present, writable, accessed. The tables are in .bss, which
     * the loader zeroes. */
    movl $(pogo_boot_pdpt + 0x23), pogo_boot_pml4
    movl $(pogo_boot_pd + 0x23), pogo_boot_pdpt
    mov $pogo_boot_pml4, %eax
    mov %eax, %cr3

    mov $X86_MSR_EFER, %ecx
    rdmsr
    or $(X86_EFER_LME | X86_EFER_NXE | X86_EFER_SCE), %eax
    wrmsr

    mov $(X86_CR0_PG | X86_CR0_WP | X86_CR0_NE | X86_CR0_MP | X86_CR0_PE), %eax
    mov %eax, %cr0

    lgdt pogo_gdt_pointer
    ljmp $X86_SEL_CODE, $pvh_start64

no_long_mode:
    mov $msg_no_long_mode, %esi
    jmp fail32
no_nx:
    mov $msg_no_nx, %esi
    /* fall through */

/* Prints the NUL-terminated string at %esi on the error channel (the
 * isa-debugcon at 0x4e8 when it answers 0xe9, COM1 otherwise), then exits
 * with status 120. */
fail32:
    mov $0x4e8, %dx
    in %dx, %al
    cmp $0xe9, %al
    je 1f
    mov $0x3f8, %dx
1:  lodsb
    test %al, %al
    jz 2f
    out %al, %dx
    jmp 1b
2:  mov $120, %al
    out %al, $0xe9
    mov $0x501, %dx
    out %al, %dx
3:  hlt
    jmp 3b

    .code64
pvh_start64:
    mov $X86_SEL_DATA, %eax
    mov %eax, %ds
    mov %eax, %es
    mov %eax, %ss
    xor %eax, %eax
    mov %eax, %fs
    mov %eax, %gs

    lea pogo_boot_stack_top(%rip), %rsp
    mov %esi, %edi
    xor %ebp, %ebp
    call pogo_boot_main
4:  hlt
    jmp 4b

    .section .rodata.boot, "a"
msg_no_long_mode:
    .asciz "pogo: this CPU has no long mode (x86_64); Pogo cannot run\n"
msg_no_nx:
    .asciz "pogo: this CPU has no NX bit; Pogo cannot run\n"

    .section .data.boot, "aw"
    .globl pogo_boot_tsc_entry, pogo_boot_tsc_kernel
    .p2align 3
pogo_boot_tsc_entry:
    .quad 0
pogo_boot_tsc_kernel:
    .quad 0
