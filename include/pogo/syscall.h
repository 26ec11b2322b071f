/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The Linux syscall boundary. Syscall bodies are named after the syscall
 * (sys_write) and return a value or a negative errno, which is what the
 * application sees in %rax, as on Linux.
 */
#ifndef POGO_SYSCALL_H
#define POGO_SYSCALL_H

#include <pogo/arch.h>

typedef long (*pogo_syscall_fn)(long, long, long, long, long, long);

/* The register frame of the syscall in progress on this CPU. */
struct pogo_regs *pogo_syscall_regs(void);

/*
 * Called by the entry code with the saved registers. Stores the result in
 * regs->rax; returns nonzero when every register must be restored from the
 * frame (after rt_sigreturn, for example) instead of the fast return.
 */
int pogo_syscall(struct pogo_regs *regs);

/* Asks the syscall return path to restore the full frame. */
void pogo_syscall_set_full_return(void);

/* Name of syscall nr for messages, or NULL when unknown. */
const char *pogo_syscall_name(unsigned long nr);

#endif
