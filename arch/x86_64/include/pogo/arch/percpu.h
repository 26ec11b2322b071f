/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The CPU's own data. Pogo runs on one CPU, so this is a plain global that
 * the entry code reaches RIP-relative; %fs and %gs stay the application's.
 */
#ifndef POGO_ARCH_PERCPU_H
#define POGO_ARCH_PERCPU_H

/* Offsets used by the assembly entry code. */
#define PERCPU_USER_RSP     0
#define PERCPU_KSTACK_TOP   8
#define PERCPU_KSTACK_BOT   16
#define PERCPU_IN_EXCEPTION 24

#ifndef __ASSEMBLER__
#include <pogo/compiler.h>

struct pogo_percpu {
    uint64_t user_rsp;   /* application %rsp while a syscall runs */
    uint64_t kstack_top; /* kernel stack of the current thread */
    uint64_t kstack_bottom;
    uint64_t in_exception; /* nesting depth of fatal exception handling */
};

extern struct pogo_percpu pogo_percpu;

POGO_STATIC_ASSERT(__builtin_offsetof(struct pogo_percpu, kstack_top) ==
                       PERCPU_KSTACK_TOP,
                   "entry code offsets");
POGO_STATIC_ASSERT(__builtin_offsetof(struct pogo_percpu, in_exception) ==
                       PERCPU_IN_EXCEPTION,
                   "entry code offsets");
#endif

#endif
