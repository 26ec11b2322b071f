/* SPDX-License-Identifier: BSD-3-Clause */
/* The levelled kernel log and the loglevel= kernel option. */
#include <pogo/errno.h>
#include <pogo/log.h>
#include <pogo/param.h>
#include <pogo/plat.h>
#include <pogo/string.h>

#define LINE_MAX 256

int pogo_log_level = POGO_LOG_WARN;
unsigned long pogo_log_errors;

static const char *const level_names[] = {"error", "warn", "info", "debug"};

void pogo_log_write(const char *buf, size_t len)
{
    pogo_plat_error_write(buf, len);
}

void pogo_vlog(int level, const char *fmt, va_list ap)
{
    char line[LINE_MAX];
    int n;

    if (level > pogo_log_level)
        return;
    if (level == POGO_LOG_ERROR)
        pogo_log_errors++;
    n = pogo_vsnprintf(line, sizeof(line), fmt, ap);
    if (n >= (int)sizeof(line)) {
        /* Mark the cut, and keep the newline the message ended with. */
        n = sizeof(line) - 1;
        pogo_memcpy(line + n - 4, "...\n", 4);
    }
    pogo_log_write(line, n);
}

void pogo_log(int level, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    pogo_vlog(level, fmt, ap);
    va_end(ap);
}

static int set_log_level(const char *value)
{
    uint64_t n;

    for (size_t i = 0; i < POGO_ARRAY_SIZE(level_names); i++) {
        if (pogo_strcmp(value, level_names[i]) == 0) {
            pogo_log_level = i;
            return 0;
        }
    }
    if (pogo_parse_u64(value, false, &n) == 0 && n <= POGO_LOG_DEBUG) {
        pogo_log_level = n;
        return 0;
    }
    pogo_error("log: invalid loglevel '%s': use error, warn, info, debug "
               "or 0-3\n",
               value);
    return -EINVAL;
}
POGO_PARAM("loglevel", set_log_level);
