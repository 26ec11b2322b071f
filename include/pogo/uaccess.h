/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Access to memory named by the application. A pointer that is not mapped
 * (or not writable, for a copy into it) makes these return -EFAULT instead
 * of crashing: the page-fault handler finds the faulting instruction in an
 * exception table and resumes at its fixup.
 */
#ifndef POGO_UACCESS_H
#define POGO_UACCESS_H

#include <pogo/compiler.h>

/* Return 0 or -EFAULT; on -EFAULT part of the copy may have happened. */
int pogo_copy_from_user(void *dst, const void *user_src, size_t n);
int pogo_copy_to_user(void *user_dst, const void *src, size_t n);
int pogo_clear_user(void *user_dst, size_t n);

/*
 * Copies a NUL-terminated string of at most max - 1 bytes into dst.
 * Returns its length, -EFAULT, or -ENAMETOOLONG when no NUL comes within
 * max bytes.
 */
long pogo_strncpy_from_user(char *dst, const char *user_src, size_t max);

/* Returns the fixup address for a faulting instruction, or 0. */
uintptr_t pogo_uaccess_fixup(uintptr_t rip);

#endif
