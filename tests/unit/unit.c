/* SPDX-License-Identifier: BSD-3-Clause */
/* The runner of the unit-test harness (see unit.h). */
#include <stdarg.h>

#include "unit.h"

struct unit_case *unit_cases;
int unit_failed_checks;

static const char *suite_name = "unit";

void unit_register(struct unit_case *c)
{
    struct unit_case **p = &unit_cases;

    /* Keep the order of the file: constructors run in that order. */
    while (*p)
        p = &(*p)->next;
    *p = c;
}

void unit_fail(const char *file, int line, const char *fmt, ...)
{
    va_list ap;

    fprintf(stdout, "  %s:%d: ", file, line);
    va_start(ap, fmt);
    vfprintf(stdout, fmt, ap);
    va_end(ap);
    fputc('\n', stdout);
    unit_failed_checks++;
}

int main(int argc, char **argv)
{
    int passed = 0, failed = 0;
    const char *only = argc > 1 ? argv[1] : NULL;
    const char *slash = strrchr(argv[0], '/');

    suite_name = slash ? slash + 1 : argv[0];
    for (struct unit_case *c = unit_cases; c; c = c->next) {
        int before = unit_failed_checks;

        if (only && strcmp(only, c->name) != 0)
            continue;
        c->fn();
        fflush(stdout);
        if (unit_failed_checks == before) {
            printf("ok %s.%s\n", suite_name, c->name);
            passed++;
        } else {
            printf("FAIL %s.%s\n", suite_name, c->name);
            failed++;
        }
    }
    printf("%d passed, %d failed\n", passed, failed);
    return failed ? 1 : 0;
}
