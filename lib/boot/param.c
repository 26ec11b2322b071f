/* SPDX-License-Identifier: BSD-3-Clause */
/* Dispatch of kernel command-line options to the libraries' handlers. */
#include <pogo/errno.h>
#include <pogo/param.h>
#include <pogo/string.h>

extern const struct pogo_param __pogo_params_start[];
extern const struct pogo_param __pogo_params_end[];

int pogo_param_apply(const char *option)
{
    const char *eq = pogo_strchr(option, '=');
    size_t len = eq ? (size_t)(eq - option) : pogo_strlen(option);

    for (const struct pogo_param *p = __pogo_params_start;
         p < __pogo_params_end; p++) {
        if (pogo_strlen(p->name) == len &&
            pogo_strncmp(p->name, option, len) == 0)
            return p->set(eq ? eq + 1 : "");
    }
    return -ENOENT;
}
