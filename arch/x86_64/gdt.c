/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The GDT, the TSS and its interrupt stacks. Every exception and interrupt
 * switches to an IST stack, because application code (and musl) keeps data
 * in the red zone below %rsp while Pogo runs at the same privilege level.
 */
#include <pogo/arch/percpu.h>
#include <pogo/arch/x86.h>
#include <pogo/compiler.h>

#define IST_PAGE_FAULT_SIZE 4096
#define IST_SMALL_SIZE      4096

struct tss {
    uint32_t reserved0;
    uint64_t rsp[3];
    uint64_t reserved1;
    uint64_t ist[7];
    uint64_t reserved2;
    uint16_t reserved3;
    uint16_t iomap_base;
} POGO_PACKED;

struct descriptor_pointer {
    uint16_t limit;
    uint64_t base;
} POGO_PACKED;

struct pogo_percpu pogo_percpu;

static struct tss tss POGO_ALIGNED(16);

static uint8_t ist_page_fault[IST_PAGE_FAULT_SIZE] POGO_ALIGNED(16);
static uint8_t ist_exception[IST_SMALL_SIZE] POGO_ALIGNED(16);
static uint8_t ist_double[IST_SMALL_SIZE] POGO_ALIGNED(16);
static uint8_t ist_nmi[IST_SMALL_SIZE] POGO_ALIGNED(16);
static uint8_t ist_irq[IST_SMALL_SIZE] POGO_ALIGNED(16);

/* Null, 64-bit code, data, and the two slots of the TSS descriptor. */
static uint64_t gdt[5] POGO_ALIGNED(16) = {
    0, 0x00af9a000000ffffULL, 0x00cf92000000ffffULL, 0, 0,
};

/* Read by lgdt in the 32-bit PVH entry, where only the low base is used. */
struct descriptor_pointer pogo_gdt_pointer = {
    .limit = sizeof(gdt) - 1,
    .base = (uint64_t)gdt,
};

static uint64_t stack_top(uint8_t *stack, size_t size)
{
    return (uint64_t)(stack + size);
}

static void set_tss_descriptor(void)
{
    uint64_t base = (uint64_t)&tss;
    uint64_t limit = sizeof(tss) - 1;

    gdt[3] = (limit & 0xffff) | ((base & 0xffffff) << 16) | (0x89ULL << 40) |
             (((limit >> 16) & 0xf) << 48) | (((base >> 24) & 0xff) << 56);
    gdt[4] = base >> 32;
}

/* Loads the final GDT and the TSS with its interrupt stacks. */
void x86_gdt_init(void)
{
    tss.ist[X86_IST_PAGE_FAULT - 1] =
        stack_top(ist_page_fault, sizeof(ist_page_fault));
    tss.ist[X86_IST_EXCEPTION - 1] =
        stack_top(ist_exception, sizeof(ist_exception));
    tss.ist[X86_IST_DOUBLE - 1] = stack_top(ist_double, sizeof(ist_double));
    tss.ist[X86_IST_NMI - 1] = stack_top(ist_nmi, sizeof(ist_nmi));
    tss.ist[X86_IST_IRQ - 1] = stack_top(ist_irq, sizeof(ist_irq));
    tss.iomap_base = sizeof(tss);
    set_tss_descriptor();

    __asm__ __volatile__("lgdt %0" : : "m"(pogo_gdt_pointer));
    __asm__ __volatile__("ltr %w0" : : "r"(X86_SEL_TSS));
}
