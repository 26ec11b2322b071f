/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The local APIC: end of interrupt, and a one-shot timer for timer events.
 * With TSC-deadline mode the deadline is written in TSC cycles; without
 * it the APIC timer counts down at a rate measured once against the TSC.
 * x2APIC MSRs are used where the CPU has them, the xAPIC page otherwise.
 */
#include <pogo/arch.h>
#include <pogo/arch/cpu.h>
#include <pogo/irq.h>
#include <pogo/log.h>
#include <pogo/pagetable.h>
#include <pogo/time.h>

#define APIC_BASE_ENABLE (1 << 11)
#define APIC_BASE_X2APIC (1 << 10)
#define APIC_BASE_MASK   0xfffff000ULL

#define REG_EOI       0x0b0
#define REG_SVR       0x0f0
#define REG_LVT_TIMER 0x320
#define REG_TIMER_ICR 0x380
#define REG_TIMER_CCR 0x390
#define REG_TIMER_DCR 0x3e0

#define SVR_ENABLE       (1 << 8)
#define LVT_MASKED       (1 << 16)
#define LVT_TSC_DEADLINE (2 << 17)
#define DCR_DIVIDE_1     0x0b
#define CALIBRATE_US     1000

static volatile uint32_t *xapic;
static bool x2apic;
static bool deadline_mode;
static uint64_t apic_hz;
static bool ready;

static uint32_t apic_read(uint32_t reg)
{
    if (x2apic)
        return (uint32_t)x86_rdmsr(0x800 + (reg >> 4));
    return xapic[reg / 4];
}

static void apic_write(uint32_t reg, uint32_t v)
{
    if (x2apic)
        x86_wrmsr(0x800 + (reg >> 4), v);
    else
        xapic[reg / 4] = v;
}

/* Measures the APIC timer's rate against the TSC over CALIBRATE_US. */
static uint64_t calibrate(void)
{
    uint64_t cycles = pogo_arch_tsc_hz() * CALIBRATE_US / 1000000;
    uint64_t start;
    uint32_t left;

    apic_write(REG_TIMER_DCR, DCR_DIVIDE_1);
    apic_write(REG_LVT_TIMER, LVT_MASKED | POGO_IRQ_VECTOR_TIMER);
    apic_write(REG_TIMER_ICR, 0xffffffff);
    start = x86_rdtsc();
    while (x86_rdtsc() - start < cycles)
        x86_pause();
    left = apic_read(REG_TIMER_CCR);
    apic_write(REG_TIMER_ICR, 0);
    return (uint64_t)(0xffffffffu - left) * 1000000 / CALIBRATE_US;
}

void pogo_plat_irq_enable(void)
{
    uint64_t base;

    if (ready)
        return;
    base = x86_rdmsr(X86_MSR_APIC_BASE);
    x2apic = pogo_cpu_features.x2apic;
    base |= APIC_BASE_ENABLE | (x2apic ? APIC_BASE_X2APIC : 0);
    x86_wrmsr(X86_MSR_APIC_BASE, base);
    if (!x2apic) {
        xapic = (volatile uint32_t *)(uintptr_t)(base & APIC_BASE_MASK);
        pogo_arch_map_device((uintptr_t)xapic, 4096);
    }
    apic_write(REG_SVR, SVR_ENABLE | POGO_IRQ_SPURIOUS);
    deadline_mode = pogo_cpu_features.tsc_deadline;
    if (deadline_mode) {
        apic_write(REG_LVT_TIMER, LVT_TSC_DEADLINE | POGO_IRQ_VECTOR_TIMER);
    } else {
        apic_hz = calibrate();
        apic_write(REG_LVT_TIMER, POGO_IRQ_VECTOR_TIMER);
    }
    pogo_debug("apic: %s, timer %s%lu Hz\n", x2apic ? "x2APIC" : "xAPIC",
               deadline_mode ? "in TSC-deadline mode, " : "at ",
               deadline_mode ? pogo_arch_tsc_hz() : apic_hz);
    ready = true;
}

void pogo_plat_irq_eoi(unsigned vector)
{
    if (ready)
        apic_write(REG_EOI, 0);
}

void pogo_arch_timer_arm(uint64_t deadline_tsc)
{
    uint64_t now, ticks;

    pogo_plat_irq_enable();
    if (deadline_mode) {
        x86_wrmsr(X86_MSR_TSC_DEADLINE, deadline_tsc);
        return;
    }
    now = x86_rdtsc();
    ticks = deadline_tsc > now
                ? (deadline_tsc - now) * apic_hz / pogo_arch_tsc_hz()
                : 1;
    if (ticks == 0)
        ticks = 1;
    if (ticks > 0xffffffffu)
        ticks = 0xffffffffu; /* fires early; the timer code re-arms */
    apic_write(REG_TIMER_ICR, (uint32_t)ticks);
}

void pogo_arch_timer_disarm(void)
{
    if (!ready)
        return;
    if (deadline_mode)
        x86_wrmsr(X86_MSR_TSC_DEADLINE, 0);
    else
        apic_write(REG_TIMER_ICR, 0);
}
