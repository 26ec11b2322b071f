/* SPDX-License-Identifier: BSD-3-Clause */
/* Compiler attributes and small helper macros shared by all of Pogo. */
#ifndef POGO_COMPILER_H
#define POGO_COMPILER_H

#include <stddef.h>
#include <stdint.h>
#include <stdbool.h>

#define POGO_PACKED       __attribute__((packed))
#define POGO_ALIGNED(n)   __attribute__((aligned(n)))
#define POGO_SECTION(s)   __attribute__((section(s)))
#define POGO_USED         __attribute__((used))
#define POGO_NORETURN     __attribute__((noreturn))
#define POGO_UNUSED       __attribute__((unused))
#define POGO_PRINTF(f, a) __attribute__((format(printf, f, a)))
#define POGO_WEAK         __attribute__((weak))

#define pogo_likely(x)   __builtin_expect(!!(x), 1)
#define pogo_unlikely(x) __builtin_expect(!!(x), 0)

#define POGO_ARRAY_SIZE(a)    (sizeof(a) / sizeof((a)[0]))
#define POGO_ALIGN_UP(x, a)   (((x) + ((a)-1)) & ~((__typeof__(x))(a)-1))
#define POGO_ALIGN_DOWN(x, a) ((x) & ~((__typeof__(x))(a)-1))
#define POGO_MIN(a, b)        ((a) < (b) ? (a) : (b))
#define POGO_MAX(a, b)        ((a) > (b) ? (a) : (b))

#define pogo_container_of(ptr, type, member) \
    ((type *)((char *)(ptr)-offsetof(type, member)))

#define POGO_STATIC_ASSERT(cond, msg) _Static_assert(cond, msg)

#define POGO_READ_ONCE(x)     (*(const volatile __typeof__(x) *)&(x))
#define POGO_WRITE_ONCE(x, v) (*(volatile __typeof__(x) *)&(x) = (v))

static inline void pogo_barrier(void)
{
    __asm__ __volatile__("" ::: "memory");
}

#endif
