/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The boot trace: a time-stamp counter reading per boot stage, printed
 * when the application's main() is called if the kernel option boot.trace
 * is given. The linker routes the C library's call of main() here
 * (--wrap=main), so the last stamp is taken just before main runs.
 */
#include <pogo/arch.h>
#include <pogo/boot.h>
#include <pogo/log.h>
#include <pogo/param.h>
#include <pogo/string.h>
#include <pogo/time.h>

extern uint64_t pogo_boot_tsc_entry;
extern uint64_t pogo_boot_tsc_kernel;

int __real_main(int argc, char **argv, char **envp);

static uint64_t stamps[POGO_BOOT_STAGES];
static bool trace_enabled;
static bool icount; /* the TSC counts guest instructions */

static const char *const stage_names[POGO_BOOT_STAGES] = {
    [POGO_BOOT_ENTRY] = "entry", [POGO_BOOT_KERNEL] = "kernel",
    [POGO_BOOT_C] = "c",         [POGO_BOOT_ARCH] = "arch",
    [POGO_BOOT_PLAT] = "plat",   [POGO_BOOT_LIBS] = "libraries",
    [POGO_BOOT_APP] = "app",     [POGO_BOOT_MAIN] = "main",
};

void pogo_boot_stamp(enum pogo_boot_stage stage)
{
    stamps[stage] = pogo_arch_cycles();
}

/*
 * boot.trace turns the trace on; boot.trace=icount also says that the
 * guest runs under QEMU's TCG with -icount shift=0, where the TSC counts
 * executed instructions, so the trace can report their number.
 */
static int enable_trace(const char *value)
{
    trace_enabled = true;
    icount = pogo_strcmp(value, "icount") == 0;
    return 0;
}
POGO_PARAM("boot.trace", enable_trace);

static void print_trace(void)
{
    uint64_t first = pogo_boot_tsc_entry;
    uint64_t prev = first;

    stamps[POGO_BOOT_ENTRY] = first;
    stamps[POGO_BOOT_KERNEL] = pogo_boot_tsc_kernel;
    pogo_log(POGO_LOG_ERROR, "boot-trace: stage tsc cycles-since-entry "
                             "cycles-since-previous us-since-entry\n");
    for (int i = 0; i < POGO_BOOT_STAGES; i++) {
        uint64_t ns = pogo_time_cycles_to_ns(stamps[i] - first);
        pogo_log(POGO_LOG_ERROR, "boot-trace: %s %lu %lu %lu %lu.%03lu\n",
                 stage_names[i], stamps[i], stamps[i] - first, stamps[i] - prev,
                 ns / 1000, ns % 1000);
        prev = stamps[i];
    }
    if (icount)
        pogo_log(POGO_LOG_ERROR,
                 "boot-trace: %lu guest instructions from "
                 "the first instruction to main\n",
                 stamps[POGO_BOOT_MAIN] - first);
}

int __wrap_main(int argc, char **argv, char **envp)
{
    pogo_boot_stamp(POGO_BOOT_MAIN);
    if (trace_enabled)
        print_trace();
    return __real_main(argc, argv, envp);
}
