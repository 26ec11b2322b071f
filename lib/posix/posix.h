/* SPDX-License-Identifier: BSD-3-Clause */
/* Interfaces between the files of the syscall library. */
#ifndef POGO_POSIX_POSIX_H
#define POGO_POSIX_POSIX_H

#include <pogo/sched.h>

#include "abi.h"

/* Wakes up to n futex waiters on uaddr. Returns the number woken. */
int posix_futex_wake(uintptr_t uaddr, int n);

/* Marks the robust futex at uaddr as left by the dead thread tid. */
void posix_futex_owner_died(uintptr_t uaddr, int tid);

/*
 * Reads a struct timespec from the application and checks it. Returns 0,
 * -EFAULT, or -EINVAL when tv_nsec is outside [0, 1e9) or tv_sec < 0.
 */
int posix_read_timespec(uintptr_t user, struct linux_timespec *ts);

/* Converts a timespec to nanoseconds, saturating at INT64_MAX. */
int64_t posix_timespec_ns(const struct linux_timespec *ts);

/* Monotonic deadline for an absolute time on clock, or 0 for "now". */
uint64_t posix_deadline(long clock, int64_t abs_ns);

/*
 * Delivers pending signals that the current thread does not block, by
 * setting up handler frames in regs. Returns true when regs changed and
 * every register must be restored. Called before returning to the
 * application from a syscall or an interrupt.
 */
bool posix_signal_deliver(struct pogo_regs *regs, long syscall_result);

/* Sends sig to thread t (t NULL: to the process). */
void posix_signal_send(struct pogo_thread *t, int sig);

/* Tells whether the current thread has a signal to take now. */
bool posix_signal_pending(void);

/* Tells whether the process has root's capabilities, which it has while
 * its effective user id is 0. */
bool posix_has_root_caps(void);

#endif
