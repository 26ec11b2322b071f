/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Memory and string helpers for kernel code. The build renames the
 * compiler's implicit memcpy/memset/memmove/memcmp calls in kernel objects
 * to these, so kernel code never binds to the application's libc.
 */
#ifndef POGO_STRING_H
#define POGO_STRING_H

#include <pogo/compiler.h>

void *pogo_memcpy(void *dst, const void *src, size_t n);
void *pogo_memmove(void *dst, const void *src, size_t n);
void *pogo_memset(void *dst, int c, size_t n);
int pogo_memcmp(const void *a, const void *b, size_t n);
size_t pogo_strlen(const char *s);
size_t pogo_strnlen(const char *s, size_t max);
int pogo_strcmp(const char *a, const char *b);
int pogo_strncmp(const char *a, const char *b, size_t n);
char *pogo_strchr(const char *s, int c);

/* Copies at most size - 1 bytes and always terminates; returns strlen(src). */
size_t pogo_strlcpy(char *dst, const char *src, size_t size);

/*
 * Parses an unsigned decimal, hex (0x) or octal (leading 0) number with an
 * optional K, M or G suffix (powers of 1024) when allow_suffix is set.
 * Returns 0 on success, -EINVAL for a malformed string and -ERANGE on
 * overflow.
 */
int pogo_parse_u64(const char *s, bool allow_suffix, uint64_t *out);

#endif
