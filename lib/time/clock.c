/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Clocks. Monotonic time counts TSC cycles since the first instruction of
 * the boot and converts them with a fixed-point factor. Wall time is the
 * time at launch (the kernel option clock.realtime) plus monotonic time.
 * Without the option, it is the RTC's second at the first request plus
 * monotonic time since then.
 */
#include <pogo/arch.h>
#include <pogo/errno.h>
#include <pogo/log.h>
#include <pogo/param.h>
#include <pogo/string.h>
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

/* Reads the decimal digits of [s, end); false for anything else or
 * more than 18 digits. */
static bool parse_digits(const char *s, const char *end, uint64_t *out)
{
    uint64_t v = 0;

    if (s == end || end - s > 18)
        return false;
    for (; s < end; s++) {
        if (*s < '0' || *s > '9')
            return false;
        v = v * 10 + (uint64_t)(*s - '0');
    }
    *out = v;
    return true;
}

/*
 * Sets the wall-clock time at the first instruction from "SECONDS.NANOS"
 * since the epoch, as the monitor read it just before it started the
 * guest (nine digits of nanoseconds, or fewer as a decimal fraction).
 * QEMU's RTC gives only whole seconds, counted from QEMU's start, so
 * without the option wall time trails the host's by up to a second.
 */
static int set_realtime_option(const char *value)
{
    const char *dot = pogo_strchr(value, '.');
    const char *end = value + pogo_strlen(value);
    uint64_t sec, frac;

    if (!dot || end - (dot + 1) > 9 || !parse_digits(value, dot, &sec) ||
        !parse_digits(dot + 1, end, &frac) ||
        sec > (uint64_t)INT64_MAX / POGO_NSEC_PER_SEC - 1) {
        pogo_error("time: invalid clock.realtime '%s': expected "
                   "SECONDS.FRACTION since 1970, such as 1764849600.25\n",
                   value);
        return -EINVAL;
    }
    for (const char *d = end; d < dot + 10; d++)
        frac *= 10;
    realtime_offset = (int64_t)(sec * POGO_NSEC_PER_SEC + frac);
    realtime_known = true;
    return 0;
}
POGO_PARAM("clock.realtime", set_realtime_option);

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
