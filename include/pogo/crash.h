/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The crash report: what happened, the fault address, the registers, the
 * current thread, a symbolized backtrace and a hint, then an exit with a
 * status that tells a crash from a normal exit.
 */
#ifndef POGO_CRASH_H
#define POGO_CRASH_H

#include <pogo/arch.h>

/* Exit statuses of the image that are not the application's own. */
#define POGO_EXIT_BOOT_ERROR 120 /* the application could not be started */
#define POGO_EXIT_PANIC      121 /* a kernel invariant broke */
#define POGO_EXIT_SIGNAL     128 /* plus the number of the fatal signal */

struct pogo_crash {
    const char *what; /* one line: "page fault (#PF, vector 14)" */
    bool has_fault_address;
    uint64_t fault_address;       /* CR2 for a page fault */
    const char *access;           /* "read", "write" or "instruction fetch" */
    const struct pogo_regs *regs; /* NULL when there is no trap frame */
    int signal;                   /* the signal Linux would send, or 0 */
};

/*
 * Prints the crash report and exits the image with POGO_EXIT_SIGNAL +
 * signal, or POGO_EXIT_PANIC when signal is 0. Safe to call with
 * interrupts off from any context; a crash inside the report is detected
 * and ends the image at once.
 */
POGO_NORETURN void pogo_crash(const struct pogo_crash *crash);

/*
 * Writes a hint for the fault address into buf (for example a stack
 * overflow below a thread's stack) and returns true, or returns false when
 * the address means nothing special. Implemented by the memory manager.
 */
bool pogo_crash_hint(uint64_t fault_address, char *buf, size_t size);

/* Name of the thread that was running, for the report. */
const char *pogo_crash_thread_name(void);

/*
 * Looks up the function that contains addr in the symbol table embedded
 * in the image. Returns its name and stores the offset, or returns NULL.
 */
const char *pogo_symbol_lookup(uintptr_t addr, uintptr_t *offset);

#endif
