/* SPDX-License-Identifier: BSD-3-Clause */
/* The string functions lwIP calls, on Pogo's kernel versions. */
#ifndef POGO_LWIP_STRING_H
#define POGO_LWIP_STRING_H

#include <pogo/string.h>

#define memcpy  pogo_memcpy
#define memmove pogo_memmove
#define memset  pogo_memset
#define memcmp  pogo_memcmp
#define strlen  pogo_strlen
#define strcmp  pogo_strcmp
#define strncmp pogo_strncmp

#endif
