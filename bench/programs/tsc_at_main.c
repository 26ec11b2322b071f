/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Prints the time-stamp counter as main starts. Under QEMU's TCG with
 * -icount shift=0 the counter advances by one per guest instruction from
 * the machine's reset (and jumps ahead while the CPU is halted), so the
 * value is the guest work done before main, in Pogo or in a Linux VM.
 */
#include <stdint.h>
#include <stdio.h>

static uint64_t rdtsc(void)
{
    uint32_t lo, hi;

    __asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
    return (uint64_t)hi << 32 | lo;
}

int main(void)
{
    uint64_t tsc = rdtsc();

    printf("tsc_at_main %llu\n", (unsigned long long)tsc);
    return 0;
}
