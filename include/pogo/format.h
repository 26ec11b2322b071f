/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * printf-style formatting for kernel code: %d %i %u %x %X %o %p %s %c %%
 * with the l, ll, z and h length modifiers, width, precision, '-', '0' and
 * '+' flags. There is no floating point: kernel code uses general-purpose
 * registers only.
 */
#ifndef POGO_FORMAT_H
#define POGO_FORMAT_H

#include <stdarg.h>
#include <pogo/compiler.h>

/*
 * Formats into buf, writing at most size bytes including the terminating
 * NUL. Returns the length the full output would have had, as C99 snprintf.
 */
int pogo_vsnprintf(char *buf, size_t size, const char *fmt, va_list ap);
int pogo_snprintf(char *buf, size_t size, const char *fmt, ...)
    POGO_PRINTF(3, 4);

#endif
