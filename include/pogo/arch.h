/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The architecture interface that libraries use. Only arch/ implements it;
 * host unit tests provide stand-ins where they need them.
 */
#ifndef POGO_ARCH_H
#define POGO_ARCH_H

#include <pogo/compiler.h>

/*
 * Register state saved on entry to the kernel by an exception, an
 * interrupt or a syscall. The layout matches the push order of the entry
 * code in arch/x86_64; vector is the syscall number for a syscall.
 */
struct pogo_regs {
    uint64_t r15, r14, r13, r12, r11, r10, r9, r8;
    uint64_t rbp, rdi, rsi, rdx, rcx, rbx, rax;
    uint64_t vector, error;
    uint64_t rip, cs, rflags, rsp, ss;
};

/* CPU features that Pogo uses when present, filled in at boot. */
struct pogo_cpu_features {
    bool xsave;
    bool xsaveopt;
    bool fsgsbase;
    bool rdrand;
    bool rdseed;
    bool pdpe1gb;
    bool invariant_tsc;
    bool tsc_deadline;
    bool x2apic;
    bool hypervisor;
    bool tcg; /* QEMU's TCG emulates the CPU (signature "TCGTCGTCGTCG") */
    uint32_t xsave_size; /* bytes of the XSAVE area for enabled state */
    uint64_t xcr0;
    uint32_t hwcap; /* CPUID.1:EDX, which Linux reports as AT_HWCAP */
    uint32_t hwcap2;
};

extern struct pogo_cpu_features pogo_cpu_features;

/*
 * Programs the one-shot timer to interrupt on POGO_IRQ_VECTOR_TIMER at or
 * after the given TSC value (at once if it has passed), replacing any
 * earlier setting; disarm cancels it.
 */
void pogo_arch_timer_arm(uint64_t deadline_tsc);
void pogo_arch_timer_disarm(void);

/*
 * Thread support. stack_init prepares a new kernel stack whose first
 * switch calls fn(arg) and returns the stack pointer to switch to;
 * pogo_arch_switch saves the current stack pointer in *save and continues
 * on new_rsp.
 */
uintptr_t pogo_arch_thread_stack_init(uintptr_t top, void (*fn)(void *),
                                      void *arg);
void pogo_arch_switch(uintptr_t *save, uintptr_t new_rsp);
void pogo_arch_set_kernel_stack(uintptr_t bottom, uintptr_t top);

/* The FPU/SSE/AVX state: its size, and saving to or loading from an area
 * aligned to 64 bytes. */
size_t pogo_arch_fpu_size(void);
void pogo_arch_fpu_save(void *area);
void pogo_arch_fpu_restore(const void *area);

void pogo_arch_set_fs_base(uint64_t base);
uint64_t pogo_arch_get_fs_base(void);
void pogo_arch_set_gs_base(uint64_t base);
uint64_t pogo_arch_get_gs_base(void);

/* Halts until the next interrupt, with interrupts enabled while halted. */
void pogo_arch_wait_for_interrupt(void);

/* Reads the time-stamp counter. */
uint64_t pogo_arch_cycles(void);

/*
 * Walks the frame-pointer chain that starts at rbp, calling fn with each
 * return address until fn returns false, max frames were seen, or the
 * chain leaves the stack (a frame below stack_lo or more than 1 MiB above
 * the previous one, or memory that cannot be read). Returns the number of
 * frames seen.
 */
size_t pogo_arch_walk_frames(uintptr_t rbp, uintptr_t stack_lo, size_t max,
                             bool (*fn)(uintptr_t ret, void *arg), void *arg);

/* Reads a word of memory that may be unmapped. Returns false if it is. */
bool pogo_arch_read_word(uintptr_t addr, uintptr_t *value);

/* Calls fn(arg) on the stack whose top is stack_top, then switches back. */
void pogo_arch_call_on_stack(void (*fn)(void *), void *arg,
                             uintptr_t stack_top);

/* Fills buf with size bytes from the CPU's random number generator.
 * Returns false when the CPU has none or it keeps failing. */
bool pogo_arch_random(void *buf, size_t size);

/*
 * Issues a full memory barrier that devices observe: this CPU's earlier
 * stores reach memory before its later loads read it. The virtio
 * notification handshakes need it, because the driver writes one field
 * and then reads another that the device writes.
 */
void pogo_arch_device_mb(void);

/* Disables interrupts and returns whether they were enabled. */
static inline bool pogo_irq_save(void)
{
    uint64_t flags;

    __asm__ __volatile__("pushfq\n\tpopq %0\n\tcli" : "=r"(flags) : : "memory");
    return flags & (1 << 9);
}

static inline void pogo_irq_restore(bool enabled)
{
    if (enabled)
        __asm__ __volatile__("sti" : : : "memory");
}

#endif
