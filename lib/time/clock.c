/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Clocks. Monotonic time counts TSC cycles since the first instruction of
 * the boot and converts them with a fixed-point factor. Wall time is the
 * RTC's second at the first request plus monotonic time since then.
 */
#include <pogo/arch.h>
#include <pogo/time.h>

extern uint64_t pogo_boot_tsc_entry;

static uint64_t ns_mult;     /* ns per cycle, shifted left by 32 */
static uint64_t cycles_mult; /* cycles per ns, shifted left by 32 */
static uint64_t last_ns;
static bool realtime_known;
static int64_t realtime_offset; /* realtime minus monotonic */

static void init_factors(void)
{
    uint64_t hz = pogo_arch_tsc_hz();

    ns_mult = (uint64_t)(((unsigned __int128)POGO_NSEC_PER_SEC << 32) / hz);
    cycles_mult = (uint64_t)(((unsigned __int128)hz << 32) / POGO_NSEC_PER_SEC);
}

uint64_t pogo_time_cycles_to_ns(uint64_t cycles)
{
    if (!ns_mult)
        init_factors();
    return (uint64_t)(((unsigned __int128)cycles * ns_mult) >> 32);
}

uint64_t pogo_time_ns_to_cycles(uint64_t ns)
{
    if (!cycles_mult)
        init_factors();
    return (uint64_t)(((unsigned __int128)ns * cycles_mult) >> 32);
}

uint64_t pogo_time_boot_cycles(void)
{
    return pogo_boot_tsc_entry;
}

uint64_t pogo_time_monotonic_ns(void)
{
    uint64_t now =
        pogo_time_cycles_to_ns(pogo_arch_cycles() - pogo_boot_tsc_entry);

    /* One CPU and an invariant TSC do not go back, but a monitor that
     * migrates the guest might: never report an earlier time. */
    if (now < last_ns)
        return last_ns;
    last_ns = now;
    return now;
}

int64_t pogo_time_realtime_ns(void)
{
    if (!realtime_known) {
        int64_t rtc = pogo_plat_rtc_seconds() * POGO_NSEC_PER_SEC;
        realtime_offset = rtc - (int64_t)pogo_time_monotonic_ns();
        realtime_known = true;
    }
    return (int64_t)pogo_time_monotonic_ns() + realtime_offset;
}

void pogo_time_set_realtime(int64_t ns)
{
    realtime_offset = ns - (int64_t)pogo_time_monotonic_ns();
    realtime_known = true;
}

POGO_WEAK uint64_t pogo_time_process_cpu_ns(void)
{
    return pogo_time_monotonic_ns();
}

POGO_WEAK uint64_t pogo_time_thread_cpu_ns(void)
{
    return pogo_time_monotonic_ns();
}
