/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Kernel command-line options. A library declares an option with
 * POGO_PARAM("name", handler); the boot code calls the handler with the
 * text after "name=" (or "" for a bare "name") before any library is
 * initialized. A handler returns 0, or a negative errno after printing why
 * the value is invalid, which stops the boot.
 */
#ifndef POGO_PARAM_H
#define POGO_PARAM_H

#include <pogo/compiler.h>

struct pogo_param {
    const char *name;
    int (*set)(const char *value);
};

#define POGO_PARAM_CONCAT2(a, b) a##b
#define POGO_PARAM_CONCAT(a, b)  POGO_PARAM_CONCAT2(a, b)

#define POGO_PARAM(pname, handler)                                          \
    static const struct pogo_param POGO_PARAM_CONCAT(pogo_param_, __LINE__) \
        POGO_USED POGO_SECTION(".pogo_params") POGO_ALIGNED(8) = {          \
            .name = pname,                                                  \
            .set = handler,                                                 \
    }

/*
 * Applies one "name=value" option. Returns 0, -ENOENT for an unknown name
 * or the handler's error.
 */
int pogo_param_apply(const char *option);

#endif
