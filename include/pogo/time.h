/* SPDX-License-Identifier: BSD-3-Clause */
/* Clocks: monotonic time from the TSC, wall time from the RTC. */
#ifndef POGO_TIME_H
#define POGO_TIME_H

#include <pogo/compiler.h>

#define POGO_NSEC_PER_SEC 1000000000LL

/* Nanoseconds since boot; never goes backwards. */
uint64_t pogo_time_monotonic_ns(void);

/* Nanoseconds since the Unix epoch. */
int64_t pogo_time_realtime_ns(void);

/* Sets the wall clock (clock_settime). */
void pogo_time_set_realtime(int64_t ns);

/* The TSC value at which monotonic time is 0 (the first instruction). */
uint64_t pogo_time_boot_cycles(void);

/* Converts between TSC cycles and nanoseconds. */
uint64_t pogo_time_cycles_to_ns(uint64_t cycles);
uint64_t pogo_time_ns_to_cycles(uint64_t ns);

/* The TSC's frequency in Hz (arch), and the RTC's time in seconds since
 * the epoch, or 0 when there is no RTC (plat). */
uint64_t pogo_arch_tsc_hz(void);
int64_t pogo_plat_rtc_seconds(void);

/* CPU time the application used, and the current thread's share of it. */
uint64_t pogo_time_process_cpu_ns(void);
uint64_t pogo_time_thread_cpu_ns(void);

#endif
