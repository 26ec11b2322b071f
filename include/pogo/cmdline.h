/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Splitting of the kernel command line. Words are separated by blanks and
 * quoted as in sh: '...' keeps everything literally, "..." keeps all but
 * \$ \` \" \\ and backslash-newline, and a backslash outside quotes takes
 * the next character literally. There is no expansion. The first unquoted
 * word "--" separates kernel options (before) from the application's
 * arguments (after). Words of the form virtio_mmio.device=... after "--"
 * are kernel options too, because QEMU appends them to the end of the
 * line for -M microvm.
 */
#ifndef POGO_CMDLINE_H
#define POGO_CMDLINE_H

#include <pogo/compiler.h>

#define POGO_CMDLINE_MAX_WORDS 256

struct pogo_cmdline {
    char *kernel[POGO_CMDLINE_MAX_WORDS];
    size_t nkernel;
    char *app[POGO_CMDLINE_MAX_WORDS];
    size_t napp;
    bool has_separator; /* the line contained "--" */
};

/*
 * Splits line into words stored in buf, which needs strlen(line) + 1
 * bytes. Returns 0; -EINVAL for an unterminated quote, with *error
 * pointing at a message and *error_pos at the byte where the quote
 * opened; -E2BIG for too many words or a buffer that is too small.
 */
int pogo_cmdline_split(const char *line, char *buf, size_t size,
                       struct pogo_cmdline *out, const char **error,
                       size_t *error_pos);

#endif
