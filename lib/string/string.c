/* SPDX-License-Identifier: BSD-3-Clause */
/* Memory and string helpers for kernel code (see pogo/string.h). */
#include <pogo/string.h>
#include <pogo/errno.h>

void *pogo_memcpy(void *dst, const void *src, size_t n)
{
    void *ret = dst;

    __asm__ __volatile__("rep movsb"
                         : "+D"(dst), "+S"(src), "+c"(n)
                         :
                         : "memory");
    return ret;
}

void *pogo_memmove(void *dst, const void *src, size_t n)
{
    unsigned char *d = dst;
    const unsigned char *s = src;

    if (d <= s || d >= s + n)
        return pogo_memcpy(dst, src, n);

    /* Overlapping with dst above src: copy backwards. */
    d += n - 1;
    s += n - 1;
    __asm__ __volatile__("std\n\trep movsb\n\tcld"
                         : "+D"(d), "+S"(s), "+c"(n)
                         :
                         : "memory");
    return dst;
}

void *pogo_memset(void *dst, int c, size_t n)
{
    void *ret = dst;

    __asm__ __volatile__("rep stosb" : "+D"(dst), "+c"(n) : "a"(c) : "memory");
    return ret;
}

int pogo_memcmp(const void *a, const void *b, size_t n)
{
    const unsigned char *x = a;
    const unsigned char *y = b;

    for (size_t i = 0; i < n; i++) {
        if (x[i] != y[i])
            return x[i] - y[i];
    }
    return 0;
}

size_t pogo_strlen(const char *s)
{
    const char *p = s;

    while (*p)
        p++;
    return p - s;
}

size_t pogo_strnlen(const char *s, size_t max)
{
    size_t n = 0;

    while (n < max && s[n])
        n++;
    return n;
}

int pogo_strcmp(const char *a, const char *b)
{
    while (*a && *a == *b) {
        a++;
        b++;
    }
    return (unsigned char)*a - (unsigned char)*b;
}

int pogo_strncmp(const char *a, const char *b, size_t n)
{
    for (; n > 0; n--, a++, b++) {
        if (*a != *b || !*a)
            return (unsigned char)*a - (unsigned char)*b;
    }
    return 0;
}

char *pogo_strchr(const char *s, int c)
{
    for (;; s++) {
        if (*s == (char)c)
            return (char *)s;
        if (!*s)
            return NULL;
    }
}

size_t pogo_strlcpy(char *dst, const char *src, size_t size)
{
    size_t len = pogo_strlen(src);

    if (size > 0) {
        size_t n = len < size - 1 ? len : size - 1;
        pogo_memcpy(dst, src, n);
        dst[n] = '\0';
    }
    return len;
}

static int digit_value(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return 99;
}

static int suffix_shift(char c)
{
    switch (c) {
    case 'k':
    case 'K':
        return 10;
    case 'm':
    case 'M':
        return 20;
    case 'g':
    case 'G':
        return 30;
    default:
        return -1;
    }
}

int pogo_parse_u64(const char *s, bool allow_suffix, uint64_t *out)
{
    unsigned base = 10;
    uint64_t value = 0;
    const char *p = s;

    if (p[0] == '0' && (p[1] == 'x' || p[1] == 'X')) {
        base = 16;
        p += 2;
    } else if (p[0] == '0' && p[1] != '\0') {
        base = 8;
        p++;
    }
    if (digit_value(*p) >= (int)base)
        return -EINVAL;

    for (; *p && digit_value(*p) < (int)base; p++) {
        unsigned d = digit_value(*p);
        if (value > (UINT64_MAX - d) / base)
            return -ERANGE;
        value = value * base + d;
    }

    if (*p && allow_suffix && suffix_shift(*p) >= 0 && p[1] == '\0') {
        int shift = suffix_shift(*p);
        if (value > (UINT64_MAX >> shift))
            return -ERANGE;
        value <<= shift;
        p++;
    }
    if (*p)
        return -EINVAL;

    *out = value;
    return 0;
}
