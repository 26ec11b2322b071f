/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The kernel log. Messages start with their library or device
 * ("virtio-net: ...") and end with a newline. CONFIG_LOG_MAX_LEVEL removes
 * the levels above it at build time; the loglevel= kernel option sets the
 * level printed at run time, which is "warn" unless asked.
 */
#ifndef POGO_LOG_H
#define POGO_LOG_H

#include <pogo/config.h>
#include <pogo/format.h>

#define POGO_LOG_ERROR 0
#define POGO_LOG_WARN  1
#define POGO_LOG_INFO  2
#define POGO_LOG_DEBUG 3

#ifndef CONFIG_LOG_MAX_LEVEL
#define CONFIG_LOG_MAX_LEVEL POGO_LOG_DEBUG
#endif

extern int pogo_log_level;
/* Error messages printed so far. */
extern unsigned long pogo_log_errors;

void pogo_log(int level, const char *fmt, ...) POGO_PRINTF(2, 3);
void pogo_vlog(int level, const char *fmt, va_list ap);

/* Writes raw bytes to the console, bypassing the level filter. */
void pogo_log_write(const char *buf, size_t len);

#define pogo_log_at(level, ...)                                           \
    do {                                                                  \
        if ((level) <= CONFIG_LOG_MAX_LEVEL && (level) <= pogo_log_level) \
            pogo_log(level, __VA_ARGS__);                                 \
    } while (0)

#define pogo_error(...) pogo_log_at(POGO_LOG_ERROR, __VA_ARGS__)
#define pogo_warn(...)  pogo_log_at(POGO_LOG_WARN, __VA_ARGS__)
#define pogo_info(...)  pogo_log_at(POGO_LOG_INFO, __VA_ARGS__)
#define pogo_debug(...) pogo_log_at(POGO_LOG_DEBUG, __VA_ARGS__)

/* Prints a crash report for a broken invariant and exits the image. */
POGO_NORETURN void pogo_panic(const char *fmt, ...) POGO_PRINTF(1, 2);

/* Always-on check of an invariant whose violation would corrupt memory. */
#define POGO_ASSERT(cond)                                                \
    do {                                                                 \
        if (pogo_unlikely(!(cond)))                                      \
            pogo_panic("assertion failed: %s at %s:%d", #cond, __FILE__, \
                       __LINE__);                                        \
    } while (0)

/* Debug-only assertion; compiled out unless CONFIG_DEBUG_ASSERT is set. */
#ifdef CONFIG_DEBUG_ASSERT
#define POGO_DEBUG_ASSERT(cond) POGO_ASSERT(cond)
#else
#define POGO_DEBUG_ASSERT(cond) ((void)sizeof(cond))
#endif

#endif
