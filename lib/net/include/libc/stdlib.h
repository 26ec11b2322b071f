/* SPDX-License-Identifier: BSD-3-Clause */
/* The one stdlib.h function lwIP calls: atoi, for interface numbers. */
#ifndef POGO_LWIP_STDLIB_H
#define POGO_LWIP_STDLIB_H

#include <stddef.h>

static inline int atoi(const char *s)
{
    int n = 0;

    while (*s >= '0' && *s <= '9')
        n = n * 10 + (*s++ - '0');
    return n;
}

#endif
