/* SPDX-License-Identifier: BSD-3-Clause */
/* x86_64 architectural constants, usable from C and assembly. */
#ifndef POGO_ARCH_X86_H
#define POGO_ARCH_X86_H

#define X86_CR0_PE (1 << 0)
#define X86_CR0_MP (1 << 1)
#define X86_CR0_EM (1 << 2)
#define X86_CR0_TS (1 << 3)
#define X86_CR0_NE (1 << 5)
#define X86_CR0_WP (1 << 16)
#define X86_CR0_PG (1 << 31)

#define X86_CR4_PAE        (1 << 5)
#define X86_CR4_PGE        (1 << 7)
#define X86_CR4_OSFXSR     (1 << 9)
#define X86_CR4_OSXMMEXCPT (1 << 10)
#define X86_CR4_FSGSBASE   (1 << 16)
#define X86_CR4_OSXSAVE    (1 << 18)

#define X86_MSR_EFER           0xc0000080
#define X86_MSR_STAR           0xc0000081
#define X86_MSR_LSTAR          0xc0000082
#define X86_MSR_FMASK          0xc0000084
#define X86_MSR_FS_BASE        0xc0000100
#define X86_MSR_GS_BASE        0xc0000101
#define X86_MSR_KERNEL_GS_BASE 0xc0000102
#define X86_MSR_TSC_DEADLINE   0x6e0
#define X86_MSR_APIC_BASE      0x1b

#define X86_EFER_SCE (1 << 0)
#define X86_EFER_LME (1 << 8)
#define X86_EFER_NXE (1 << 11)

#define X86_RFLAGS_TF (1 << 8)
#define X86_RFLAGS_IF (1 << 9)
#define X86_RFLAGS_DF (1 << 10)
#define X86_RFLAGS_AC (1 << 18)

/* Segment selectors of Pogo's GDT. */
#define X86_SEL_CODE 0x08
#define X86_SEL_DATA 0x10
#define X86_SEL_TSS  0x18

/* Interrupt stack table slots (1-based, as the TSS numbers them). */
#define X86_IST_PAGE_FAULT 1
#define X86_IST_DOUBLE     2
#define X86_IST_NMI        3
#define X86_IST_IRQ        4
#define X86_IST_EXCEPTION  5

/* Page-table entry bits. */
#define X86_PTE_P   (1 << 0)
#define X86_PTE_W   (1 << 1)
#define X86_PTE_U   (1 << 2)
#define X86_PTE_PWT (1 << 3)
#define X86_PTE_PCD (1 << 4)
#define X86_PTE_A   (1 << 5)
#define X86_PTE_D   (1 << 6)
#define X86_PTE_PS  (1 << 7)
#define X86_PTE_G   (1 << 8)
/* Software bit in a not-present entry: the frame is kept for PROT_NONE. */
#define X86_PTE_SOFT_NONE (1 << 9)
#define X86_PTE_NX        (1ULL << 63)

#define X86_PAGE_SIZE 4096

#endif
