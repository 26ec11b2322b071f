/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The time-stamp counter's frequency: from CPUID leaf 0x15 or 0x16, from
 * the hypervisor timing leaf 0x40000010 (QEMU with vmware-cpuid-freq and
 * other monitors), or measured against the PIT over CALIBRATE_MS as a last
 * resort.
 */
#include <pogo/arch.h>
#include <pogo/arch/cpu.h>
#include <pogo/log.h>

#define PIT_HZ       1193182
#define PIT_CH0      0x40
#define PIT_CMD      0x43
#define CALIBRATE_MS 5
#define HV_TIMING    0x40000010

static uint64_t tsc_hz;

static uint64_t from_cpuid(void)
{
    uint32_t r[4];
    uint32_t max;

    x86_cpuid(0, 0, r);
    max = r[0];
    if (max >= 0x15) {
        x86_cpuid(0x15, 0, r);
        if (r[0] && r[1] && r[2])
            return (uint64_t)r[2] * r[1] / r[0];
    }
    if (max >= 0x16) {
        x86_cpuid(0x16, 0, r);
        if (r[0])
            return (uint64_t)r[0] * 1000000;
    }
    if (pogo_cpu_features.hypervisor) {
        x86_cpuid(0x40000000, 0, r);
        if (r[0] >= HV_TIMING) {
            x86_cpuid(HV_TIMING, 0, r);
            if (r[0])
                return (uint64_t)r[0] * 1000;
        }
    }
    return 0;
}

static uint16_t pit_read_ch0(void)
{
    uint8_t lo, hi;

    x86_outb(PIT_CMD, 0x00); /* latch channel 0 */
    lo = x86_inb(PIT_CH0);
    hi = x86_inb(PIT_CH0);
    return lo | (hi << 8);
}

/*
 * Counts TSC cycles while PIT channel 0 counts CALIBRATE_MS down. Channel
 * 0 is used because its gate is always open (channel 2's gate is behind
 * port 0x61, which -M microvm does not have); its interrupt is masked.
 * Returns 0 when the PIT does not count.
 */
static uint64_t calibrate_with_pit(void)
{
    uint32_t want = PIT_HZ * CALIBRATE_MS / 1000;
    uint32_t elapsed = 0;
    uint16_t prev;
    uint64_t start;
    uint32_t spins = 0;

    x86_outb(PIT_CMD, 0x34); /* channel 0, lobyte/hibyte, mode 2 */
    x86_outb(PIT_CH0, 0);
    x86_outb(PIT_CH0, 0); /* count 65536 */
    prev = pit_read_ch0();
    start = x86_rdtsc();
    while (elapsed < want) {
        uint16_t now = pit_read_ch0();
        elapsed += (uint16_t)(prev - now);
        prev = now;
        if (++spins > 10000000)
            return 0;
    }
    return (x86_rdtsc() - start) * PIT_HZ / elapsed;
}

uint64_t pogo_arch_tsc_hz(void)
{
    if (tsc_hz)
        return tsc_hz;
    tsc_hz = from_cpuid();
    if (!tsc_hz)
        tsc_hz = calibrate_with_pit();
    pogo_debug("time: TSC runs at %lu Hz\n", tsc_hz);
    if (!tsc_hz) {
        pogo_warn("time: cannot find the TSC frequency; assuming 1 GHz, "
                  "so clocks may run fast or slow\n");
        tsc_hz = 1000000000;
    }
    return tsc_hz;
}
