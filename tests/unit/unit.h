/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * A small unit-test harness for Pogo's libraries compiled on the host.
 * Each TEST(name) is one case; a failed CHECK prints the file, line and
 * the values and marks the case failed, and the case goes on. The runner
 * prints "ok suite.case" or "FAIL suite.case" per case, then a
 * "N passed, N failed" line.
 */
#ifndef POGO_UNIT_H
#define POGO_UNIT_H

#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct unit_case {
    const char *name;
    void (*fn)(void);
    struct unit_case *next;
};

extern struct unit_case *unit_cases;
extern int unit_failed_checks;

void unit_register(struct unit_case *c);
void unit_fail(const char *file, int line, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

#define TEST(cname)                                                           \
    static void test_##cname(void);                                           \
    static struct unit_case unit_case_##cname = {#cname, test_##cname, NULL}; \
    __attribute__((constructor)) static void unit_register_##cname(void)      \
    {                                                                         \
        unit_register(&unit_case_##cname);                                    \
    }                                                                         \
    static void test_##cname(void)

#define CHECK(cond)                                                   \
    do {                                                              \
        if (!(cond))                                                  \
            unit_fail(__FILE__, __LINE__, "check failed: %s", #cond); \
    } while (0)

#define CHECK_EQ(a, b)                                                      \
    do {                                                                    \
        long long va_ = (long long)(a), vb_ = (long long)(b);               \
        if (va_ != vb_)                                                     \
            unit_fail(__FILE__, __LINE__, "%s == %s: %lld != %lld", #a, #b, \
                      va_, vb_);                                            \
    } while (0)

#define CHECK_EQ_HEX(a, b)                                                    \
    do {                                                                      \
        unsigned long long va_ = (unsigned long long)(a);                     \
        unsigned long long vb_ = (unsigned long long)(b);                     \
        if (va_ != vb_)                                                       \
            unit_fail(__FILE__, __LINE__, "%s == %s: %#llx != %#llx", #a, #b, \
                      va_, vb_);                                              \
    } while (0)

#define CHECK_STR(a, b)                                                     \
    do {                                                                    \
        const char *sa_ = (a), *sb_ = (b);                                  \
        if (!sa_ || !sb_ || strcmp(sa_, sb_) != 0)                          \
            unit_fail(__FILE__, __LINE__, "%s == %s: \"%s\" != \"%s\"", #a, \
                      #b, sa_ ? sa_ : "(null)", sb_ ? sb_ : "(null)");      \
    } while (0)

#endif
