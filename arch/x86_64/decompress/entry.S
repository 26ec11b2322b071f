/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Entry point of the decompressor of a compressed image. The monitor
 * starts here as it would start the kernel (arch/x86_64/pvh.S): in 32-bit
 * protected mode with paging off and %ebx pointing at struct
 * hvm_start_info. The code is position independent, because
 * scripts/compress-image.py places it just above the kernel's memory,
 * which ends at a different address in each image.
 */
#include "decompress.h"

#define MOV_IMM32_ESP 0xbc
#define CR0_MP        (1 << 1)
#define CR0_EM        (1 << 2)
#define CR0_TS        (1 << 3)
#define CR4_OSFXSR    (1 << 9)

    .section .text.entry, "ax"
    .code32
    .globl decompress_header
decompress_header:
    .long DECOMPRESS_MAGIC
    .fill DECOMPRESS_HEADER_SIZE - 4, 1, 0

    .globl decompress_entry
decompress_entry:
    /* mov $segment_end, %esp, with the immediate that
     * scripts/compress-image.py fills in. */
    .byte MOV_IMM32_ESP
    .long 0
    cli
    cld
    /* The first timestamp of the boot trace, in %esi:%edi. */
    rdtsc
    mov %eax, %edi
    mov %edx, %esi

    /* SSE for the LZ4 decoder's 16-byte copies. The kernel's PVH entry
     * loads CR0 and CR4 again. */
    mov %cr0, %eax
    and $~(CR0_EM | CR0_TS), %eax
    or $CR0_MP, %eax
    mov %eax, %cr0
    mov %cr4, %eax
    or $CR4_OSFXSR, %eax
    mov %eax, %cr4

    /* %ebp = the address of the header, wherever the monitor put it. */
    call 1f
1:  pop %ebp
    sub $(1b - decompress_header), %ebp

    /* The stack top is 16-byte aligned. After 12 bytes of padding and
     * five arguments, so is %esp at the call, as the i386 ABI and the
     * compiler's SSE code expect. */
    mov %esp, %eax
    sub $12, %esp
    push %esi
    push %edi
    push %eax
    push %ebp
    push %ebx
    call decompress_main
    /* %ebx is callee-saved, so it still points at the start info. */
    jmp *%eax
