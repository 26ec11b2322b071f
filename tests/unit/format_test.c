/* SPDX-License-Identifier: BSD-3-Clause */
/* The kernel's snprintf against the host C library's, format by format. */
#include <pogo/format.h>

#include "unit.h"

#define CHECK_FORMAT(fmt, ...)                                         \
    do {                                                               \
        char want_[128], got_[128];                                    \
        int nw_ = snprintf(want_, sizeof(want_), fmt, __VA_ARGS__);    \
        int ng_ = pogo_snprintf(got_, sizeof(got_), fmt, __VA_ARGS__); \
        CHECK_STR(got_, want_);                                        \
        CHECK_EQ(ng_, nw_);                                            \
    } while (0)

TEST(integers_format_as_in_c)
{
    CHECK_FORMAT("%d %i %u", -42, 7, 3000000000u);
    CHECK_FORMAT("%ld %lu", -9000000000L, 18000000000000000000UL);
    CHECK_FORMAT("%lld %llu", -1LL, 12345ULL);
    CHECK_FORMAT("%zu %zd", (size_t)99, (ssize_t)-99);
    CHECK_FORMAT("%x %X %o", 0xbeefu, 0xbeefu, 0755u);
    CHECK_FORMAT("%lx", 0xffffffffffffffffUL);
    CHECK_FORMAT("%d", -2147483647 - 1);
    CHECK_FORMAT("%ld", (long)(-9223372036854775807L - 1));
}

TEST(width_precision_and_flags_format_as_in_c)
{
    CHECK_FORMAT("[%5d] [%-5d] [%05d]", 42, 42, 42);
    CHECK_FORMAT("[%05d] [%+d] [%+d]", -42, 5, -5);
    CHECK_FORMAT("[%.3d] [%8.3d] [%-8.3d]", 7, 7, 7);
    CHECK_FORMAT("[%#x] [%#X] [%#o] [%#x]", 255u, 255u, 8u, 0u);
    CHECK_FORMAT("[%#018lx]", 0x1234UL);
    CHECK_FORMAT("[%016lx]", 0x1234UL);
    CHECK_FORMAT("[%-#10x]", 0xabu);
    CHECK_FORMAT("[%*d] [%-*d]", 6, 1, 6, 1);
}

TEST(strings_and_characters_format_as_in_c)
{
    CHECK_FORMAT("[%s] [%10s] [%-10s]", "abc", "abc", "abc");
    CHECK_FORMAT("[%.2s] [%.*s]", "abcdef", 3, "abcdef");
    CHECK_FORMAT("[%c%c] [%%] %d", 'o', 'k', 0);
}

TEST(pointers_print_in_hex)
{
    char got[64];

    pogo_snprintf(got, sizeof(got), "%p", (void *)0x1000);
    CHECK_STR(got, "0x1000");
}

TEST(truncated_output_is_terminated_and_counted)
{
    char buf[6];
    int n = pogo_snprintf(buf, sizeof(buf), "%s", "truncated");

    CHECK_EQ(n, 9);
    CHECK_STR(buf, "trunc");
    CHECK_EQ(pogo_snprintf(NULL, 0, "%d", 12345), 5);
}
