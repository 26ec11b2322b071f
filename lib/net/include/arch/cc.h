/* SPDX-License-Identifier: BSD-3-Clause */
/* lwIP's compiler and platform definitions for Pogo's freestanding kernel. */
#ifndef POGO_LWIP_ARCH_CC_H
#define POGO_LWIP_ARCH_CC_H

#include <stddef.h>
#include <stdint.h>

#define LWIP_NO_INTTYPES_H 1
#define LWIP_NO_LIMITS_H   1
#define LWIP_NO_CTYPE_H    1
#define LWIP_NO_UNISTD_H   1

#define X8_F  "02x"
#define U16_F "u"
#define S16_F "d"
#define X16_F "x"
#define U32_F "u"
#define S32_F "d"
#define X32_F "x"
#define SZT_F "zu"

#define INT_MAX   0x7fffffff
#define SSIZE_MAX 0x7fffffffffffffffL

#define BYTE_ORDER LITTLE_ENDIAN
#define LWIP_ERR_T int

typedef long ssize_t;

void pogo_lwip_assert(const char *msg, const char *file, int line);
void pogo_lwip_diag(const char *fmt, ...);

#define LWIP_PLATFORM_ASSERT(x) pogo_lwip_assert(x, __FILE__, __LINE__)
#define LWIP_PLATFORM_DIAG(x)   pogo_lwip_diag x

#endif
