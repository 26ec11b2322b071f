/* SPDX-License-Identifier: BSD-3-Clause */
/* The IDT and the C side of exception and interrupt handling. */
#include <pogo/arch.h>
#include <pogo/arch/cpu.h>
#include <pogo/arch/percpu.h>
#include <pogo/crash.h>
#include <pogo/errno.h>
#include <pogo/irq.h>
#include <pogo/log.h>
#include <pogo/mm.h>
#include <pogo/sched.h>
#include <pogo/uaccess.h>

#define NSTUBS    64
#define STUB_SIZE 16
#define GATE_INTR 0x8e

#define PF_PRESENT (1 << 0)
#define PF_WRITE   (1 << 1)
#define PF_FETCH   (1 << 4)

#define SIGILL  4
#define SIGTRAP 5
#define SIGBUS  7
#define SIGFPE  8
#define SIGKILL 9
#define SIGSEGV 11

struct idt_gate {
    uint16_t offset_lo;
    uint16_t selector;
    uint8_t ist;
    uint8_t type;
    uint16_t offset_mid;
    uint32_t offset_hi;
    uint32_t reserved;
} POGO_PACKED;

struct idt_pointer {
    uint16_t limit;
    uint64_t base;
} POGO_PACKED;

struct exception_kind {
    const char *name;
    const char *mnemonic;
    int signal;
};

extern char x86_vector_stubs[];
extern char x86_vector_unexpected[];

static struct idt_gate idt[256] POGO_ALIGNED(16);

static const struct exception_kind exceptions[32] = {
    [0] = {"division error", "#DE", SIGFPE},
    [1] = {"debug exception", "#DB", SIGTRAP},
    [2] = {"non-maskable interrupt", "NMI", 0},
    [3] = {"breakpoint", "#BP", SIGTRAP},
    [4] = {"overflow", "#OF", SIGSEGV},
    [5] = {"bound range exceeded", "#BR", SIGSEGV},
    [6] = {"invalid opcode", "#UD", SIGILL},
    [7] = {"device not available", "#NM", SIGSEGV},
    [8] = {"double fault", "#DF", SIGSEGV},
    [10] = {"invalid TSS", "#TS", SIGSEGV},
    [11] = {"segment not present", "#NP", SIGBUS},
    [12] = {"stack-segment fault", "#SS", SIGBUS},
    [13] = {"general protection fault", "#GP", SIGSEGV},
    [14] = {"page fault", "#PF", SIGSEGV},
    [16] = {"x87 floating-point error", "#MF", SIGFPE},
    [17] = {"alignment check", "#AC", SIGBUS},
    [18] = {"machine check", "#MC", SIGBUS},
    [19] = {"SIMD floating-point exception", "#XM", SIGFPE},
    [20] = {"virtualization exception", "#VE", SIGSEGV},
    [21] = {"control protection exception", "#CP", SIGSEGV},
};

static uint8_t ist_for(unsigned vector)
{
    if (vector == 8 || vector == 18)
        return X86_IST_DOUBLE;
    if (vector == 2)
        return X86_IST_NMI;
    if (vector == 14)
        return X86_IST_PAGE_FAULT;
    if (vector < 32)
        return X86_IST_EXCEPTION;
    return X86_IST_IRQ;
}

static void set_gate(unsigned vector, uintptr_t handler)
{
    struct idt_gate *g = &idt[vector];

    g->offset_lo = handler & 0xffff;
    g->selector = X86_SEL_CODE;
    g->ist = ist_for(vector);
    g->type = GATE_INTR;
    g->offset_mid = (handler >> 16) & 0xffff;
    g->offset_hi = handler >> 32;
    g->reserved = 0;
}

void x86_idt_init(void)
{
    struct idt_pointer p = {.limit = sizeof(idt) - 1, .base = (uint64_t)idt};

    for (unsigned v = 0; v < 256; v++) {
        uintptr_t stub = (uintptr_t)x86_vector_unexpected;
        if (v < NSTUBS)
            stub = (uintptr_t)x86_vector_stubs + v * STUB_SIZE;
        set_gate(v, stub);
    }
    __asm__ __volatile__("lidt %0" : : "m"(p));
}

static const char *access_kind(uint64_t error)
{
    if (error & PF_FETCH)
        return "instruction fetch";
    return (error & PF_WRITE) ? "write" : "read";
}

static bool fixup_user_access(struct pogo_regs *regs)
{
    uintptr_t fixup = pogo_uaccess_fixup(regs->rip);

    if (!fixup)
        return false;
    regs->rip = fixup;
    return true;
}

static void page_fault(struct pogo_regs *regs)
{
    uint64_t addr = x86_read_cr2();
    int access = POGO_ACCESS_READ;
    char what[64];
    int err;

    if (regs->error & PF_WRITE)
        access = POGO_ACCESS_WRITE;
    if (regs->error & PF_FETCH)
        access = POGO_ACCESS_EXEC;

    err = pogo_mm_fault(addr, access, regs->error & PF_PRESENT);
    if (err == 0)
        return;
    if (err == -ENOMEM) {
        pogo_crash(&(struct pogo_crash){
            .what = "out of memory (page fault)",
            .regs = regs,
            .signal = SIGKILL,
        });
    }
    if (fixup_user_access(regs))
        return;

    if (pogo_fault_signal(regs, SIGSEGV, addr))
        return;
    pogo_snprintf(what, sizeof(what), "page fault (#PF, vector 14)");
    pogo_crash(&(struct pogo_crash){
        .what = what,
        .has_fault_address = true,
        .fault_address = addr,
        .access = access_kind(regs->error),
        .regs = regs,
        .signal = SIGSEGV,
    });
}

void x86_exception(struct pogo_regs *regs)
{
    const struct exception_kind *kind = &exceptions[regs->vector & 31];
    char what[80];

    if (regs->vector == 14) {
        page_fault(regs);
        return;
    }
    if (regs->vector == 2) {
        pogo_warn("cpu: ignoring a non-maskable interrupt\n");
        return;
    }
    if (regs->vector == 13 && fixup_user_access(regs))
        return;

    if (pogo_fault_signal(regs, kind->signal ? kind->signal : SIGSEGV, 0))
        return;
    pogo_snprintf(what, sizeof(what), "%s (%s, vector %lu)",
                  kind->name ? kind->name : "reserved exception",
                  kind->mnemonic ? kind->mnemonic : "?", regs->vector);
    pogo_crash(&(struct pogo_crash){
        .what = what,
        .regs = regs,
        .signal = kind->signal ? kind->signal : SIGSEGV,
    });
}

POGO_WEAK bool pogo_fault_signal(struct pogo_regs *regs, int sig, uint64_t addr)
{
    return false;
}

void x86_irq(struct pogo_regs *regs)
{
    pogo_irq_dispatch(regs->vector, regs);
}
