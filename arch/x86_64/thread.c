/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Per-thread architecture state: the initial kernel stack of a new
 * thread, the FPU/SSE/AVX state (XSAVE, or FXSAVE on CPUs without it),
 * and the %fs base that musl uses as its thread pointer.
 */
#include <pogo/arch.h>
#include <pogo/arch/cpu.h>
#include <pogo/arch/percpu.h>
#include <pogo/string.h>

/* Registers popped by pogo_arch_switch, then its return address. */
struct switch_frame {
    uint64_t r15, r14, r13, r12, rbx, rbp;
    uint64_t ret;
};

void x86_thread_trampoline(void);

uintptr_t pogo_arch_thread_stack_init(uintptr_t top, void (*fn)(void *),
                                      void *arg)
{
    struct switch_frame *f;

    /* The trampoline's call must see %rsp + 8 aligned to 16, as after a
     * call instruction. */
    top = POGO_ALIGN_DOWN(top, 16) - 8;
    f = (struct switch_frame *)(top - sizeof(*f) + sizeof(f->ret));
    pogo_memset(f, 0, sizeof(*f));
    f->r12 = (uint64_t)fn;
    f->r13 = (uint64_t)arg;
    f->ret = (uint64_t)x86_thread_trampoline;
    return (uintptr_t)f;
}

void pogo_arch_set_kernel_stack(uintptr_t bottom, uintptr_t top)
{
    pogo_percpu.kstack_bottom = bottom;
    pogo_percpu.kstack_top = top;
}

size_t pogo_arch_fpu_size(void)
{
    return pogo_cpu_features.xsave ? pogo_cpu_features.xsave_size : 512;
}

void pogo_arch_fpu_save(void *area)
{
    uint32_t lo = (uint32_t)pogo_cpu_features.xcr0;
    uint32_t hi = (uint32_t)(pogo_cpu_features.xcr0 >> 32);

    if (pogo_cpu_features.xsaveopt)
        __asm__ __volatile__("xsaveopt64 (%0)"
                             :
                             : "r"(area), "a"(lo), "d"(hi)
                             : "memory");
    else if (pogo_cpu_features.xsave)
        __asm__ __volatile__("xsave64 (%0)"
                             :
                             : "r"(area), "a"(lo), "d"(hi)
                             : "memory");
    else
        __asm__ __volatile__("fxsave64 (%0)" : : "r"(area) : "memory");
}

void pogo_arch_fpu_restore(const void *area)
{
    uint32_t lo = (uint32_t)pogo_cpu_features.xcr0;
    uint32_t hi = (uint32_t)(pogo_cpu_features.xcr0 >> 32);

    if (pogo_cpu_features.xsave)
        __asm__ __volatile__("xrstor64 (%0)"
                             :
                             : "r"(area), "a"(lo), "d"(hi)
                             : "memory");
    else
        __asm__ __volatile__("fxrstor64 (%0)" : : "r"(area) : "memory");
}
