/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * CPU set-up after the switch to long mode: feature detection with CPUID
 * (Pogo assumes nothing beyond long mode and NX), SSE and XSAVE, the
 * syscall MSRs, and the random number instructions.
 */
#include <pogo/arch.h>
#include <pogo/arch/cpu.h>
#include <pogo/plat.h>
#include <pogo/string.h>

#define CPUID1_ECX_XSAVE   (1u << 26)
#define CPUID1_ECX_RDRAND  (1u << 30)
#define CPUID1_ECX_X2APIC  (1u << 21)
#define CPUID1_ECX_TSCDL   (1u << 24)
#define CPUID1_ECX_HV      (1u << 31)
#define CPUID7_EBX_FSGS    (1u << 0)
#define CPUID7_EBX_RDSEED  (1u << 18)
#define CPUIDD1_EAX_XSOPT  (1u << 0)
#define CPUIDX1_EDX_1GB    (1u << 26)
#define CPUIDX7_EDX_INVTSC (1u << 8)

/* x87, SSE, AVX and the three AVX-512 components: the user state that
 * Linux enables by default (AMX needs a permission request there). */
#define XCR0_WANTED 0xe7ULL

#define RANDOM_RETRIES 10

#define HYPERVISOR_LEAF 0x40000000
#define PORT_POST       0x80 /* the POST diagnostic port; reads have no effect */

struct pogo_cpu_features pogo_cpu_features;

void x86_syscall_entry(void);

static bool hypervisor_is_tcg(void)
{
    static const char tcg[12] = "TCGTCGTCGTCG";
    uint32_t r[4];

    x86_cpuid(HYPERVISOR_LEAF, 0, r);
    return pogo_memcmp(&r[1], tcg, sizeof(tcg)) == 0;
}

static void detect_features(void)
{
    struct pogo_cpu_features *f = &pogo_cpu_features;
    uint32_t r[4];
    uint32_t max_leaf, max_ext;

    x86_cpuid(0, 0, r);
    max_leaf = r[0];

    x86_cpuid(1, 0, r);
    f->hwcap = r[3];
    f->xsave = r[2] & CPUID1_ECX_XSAVE;
    f->rdrand = r[2] & CPUID1_ECX_RDRAND;
    f->x2apic = r[2] & CPUID1_ECX_X2APIC;
    f->tsc_deadline = r[2] & CPUID1_ECX_TSCDL;
    f->hypervisor = r[2] & CPUID1_ECX_HV;
    f->tcg = f->hypervisor && hypervisor_is_tcg();

    if (max_leaf >= 7) {
        x86_cpuid(7, 0, r);
        f->fsgsbase = r[1] & CPUID7_EBX_FSGS;
        f->rdseed = r[1] & CPUID7_EBX_RDSEED;
    }
    if (f->xsave && max_leaf >= 0xd) {
        x86_cpuid(0xd, 1, r);
        f->xsaveopt = r[0] & CPUIDD1_EAX_XSOPT;
    }

    x86_cpuid(0x80000000, 0, r);
    max_ext = r[0];
    if (max_ext >= 0x80000001) {
        x86_cpuid(0x80000001, 0, r);
        f->pdpe1gb = r[3] & CPUIDX1_EDX_1GB;
    }
    if (max_ext >= 0x80000007) {
        x86_cpuid(0x80000007, 0, r);
        f->invariant_tsc = r[3] & CPUIDX7_EDX_INVTSC;
    }
}

/* Enables SSE, and XSAVE with every user state component the CPU has. */
static void enable_fpu(void)
{
    struct pogo_cpu_features *f = &pogo_cpu_features;
    uint64_t cr4 = x86_read_cr4();
    uint32_t r[4];
    uint32_t mxcsr = 0x1f80;

    x86_write_cr0((x86_read_cr0() & ~(uint64_t)(X86_CR0_EM | X86_CR0_TS)) |
                  X86_CR0_MP | X86_CR0_NE);
    cr4 |= X86_CR4_OSFXSR | X86_CR4_OSXMMEXCPT;
    if (f->fsgsbase)
        cr4 |= X86_CR4_FSGSBASE;
    if (f->xsave)
        cr4 |= X86_CR4_OSXSAVE;
    x86_write_cr4(cr4);

    f->xsave_size = 512;
    if (f->xsave) {
        x86_cpuid(0xd, 0, r);
        f->xcr0 = (((uint64_t)r[3] << 32) | r[0]) & XCR0_WANTED;
        x86_xsetbv(0, f->xcr0);
        /* EBX now gives the size for the components just enabled. */
        x86_cpuid(0xd, 0, r);
        f->xsave_size = r[1];
    }

    __asm__ __volatile__("fninit\n\tldmxcsr %0" : : "m"(mxcsr));
}

static void enable_syscall(void)
{
    x86_wrmsr(X86_MSR_STAR, (uint64_t)X86_SEL_CODE << 32);
    x86_wrmsr(X86_MSR_LSTAR, (uint64_t)x86_syscall_entry);
    x86_wrmsr(X86_MSR_FMASK,
              X86_RFLAGS_IF | X86_RFLAGS_DF | X86_RFLAGS_TF | X86_RFLAGS_AC);
}

/*
 * QEMU's TCG translates fence and locked instructions without a host
 * barrier when the machine may have only one CPU (QEMU 7.2: CF_PARALLEL
 * is set only with maxcpus > 1), yet devices run on other host threads.
 * An I/O port read takes QEMU's global lock, whose host atomic orders the
 * stores before it. Without it a virtqueue's event-index handshake now
 * and then loses a notification, and the queue stalls for good.
 * NOTE: TCG with -icount or thread=single drops fences whatever maxcpus
 * is, and this check cannot see those settings; ./pogo run leaves
 * maxcpus at 1 with -icount for that reason.
 */
static bool device_mb_by_io;

void pogo_arch_device_mb(void)
{
    __atomic_thread_fence(__ATOMIC_SEQ_CST);
    if (device_mb_by_io)
        (void)x86_inb(PORT_POST);
}

void x86_gdt_init(void);
void x86_idt_init(void);

void pogo_arch_early_init(void)
{
    detect_features();
    x86_gdt_init();
    x86_idt_init();
    enable_fpu();
    enable_syscall();
    device_mb_by_io = pogo_cpu_features.tcg && pogo_plat_max_cpus() <= 1;
}

void pogo_arch_wait_for_interrupt(void)
{
    __asm__ __volatile__("sti\n\thlt\n\tcli" : : : "memory");
}

uint64_t pogo_arch_cycles(void)
{
    return x86_rdtsc();
}

void pogo_arch_set_fs_base(uint64_t base)
{
    if (pogo_cpu_features.fsgsbase)
        __asm__ __volatile__("wrfsbase %0" : : "r"(base));
    else
        x86_wrmsr(X86_MSR_FS_BASE, base);
}

uint64_t pogo_arch_get_fs_base(void)
{
    uint64_t base;

    if (!pogo_cpu_features.fsgsbase)
        return x86_rdmsr(X86_MSR_FS_BASE);
    __asm__ __volatile__("rdfsbase %0" : "=r"(base));
    return base;
}

void pogo_arch_set_gs_base(uint64_t base)
{
    x86_wrmsr(X86_MSR_GS_BASE, base);
}

uint64_t pogo_arch_get_gs_base(void)
{
    return x86_rdmsr(X86_MSR_GS_BASE);
}

static bool rdrand64(uint64_t *v)
{
    bool ok;

    for (int i = 0; i < RANDOM_RETRIES; i++) {
        __asm__ __volatile__("rdrand %0\n\tsetc %1" : "=r"(*v), "=qm"(ok));
        if (ok)
            return true;
    }
    return false;
}

bool pogo_arch_random(void *buf, size_t size)
{
    uint8_t *p = buf;
    uint64_t v;

    if (!pogo_cpu_features.rdrand)
        return false;
    while (size > 0) {
        size_t n = size < sizeof(v) ? size : sizeof(v);
        if (!rdrand64(&v))
            return false;
        pogo_memcpy(p, &v, n);
        p += n;
        size -= n;
    }
    return true;
}
