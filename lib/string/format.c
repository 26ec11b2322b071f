/* SPDX-License-Identifier: BSD-3-Clause */
/* A small vsnprintf for kernel messages and generated files. */
#include <pogo/format.h>
#include <pogo/string.h>

struct out {
    char *buf;
    size_t size;
    size_t len;
};

struct spec {
    bool left;
    bool zero;
    bool plus;
    bool alt; /* '#': 0x before a non-zero hex number, 0 before octal */
    int width;
    int precision; /* -1 when absent */
    int length;    /* 0, 'h', 'l' (long and long long), 'z' */
};

static void put(struct out *o, char c)
{
    if (o->len + 1 < o->size)
        o->buf[o->len] = c;
    o->len++;
}

static void pad(struct out *o, char c, int n)
{
    while (n-- > 0)
        put(o, c);
}

static void put_str(struct out *o, const struct spec *sp, const char *s)
{
    size_t len;

    if (!s)
        s = "(null)";
    len = sp->precision >= 0 ? pogo_strnlen(s, sp->precision) : pogo_strlen(s);
    if (!sp->left)
        pad(o, ' ', sp->width - (int)len);
    for (size_t i = 0; i < len; i++)
        put(o, s[i]);
    if (sp->left)
        pad(o, ' ', sp->width - (int)len);
}

static void put_num(struct out *o, const struct spec *sp, uint64_t v,
                    bool negative, unsigned base, bool upper)
{
    const char *digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
    char tmp[24];
    int n = 0;
    int sign = negative || sp->plus;
    int zeros = 0;
    int prefix = 0;
    int total;

    if (sp->alt && v != 0)
        prefix = base == 16 ? 2 : (base == 8 ? 1 : 0);
    do {
        tmp[n++] = digits[v % base];
        v /= base;
    } while (v);

    if (sp->precision > n)
        zeros = sp->precision - n;
    else if (sp->zero && !sp->left && sp->precision < 0)
        zeros = POGO_MAX(sp->width - n - sign - prefix, 0);
    total = n + sign + prefix + zeros;

    if (!sp->left)
        pad(o, ' ', sp->width - total);
    if (negative)
        put(o, '-');
    else if (sp->plus)
        put(o, '+');
    if (prefix) {
        put(o, '0');
        if (base == 16)
            put(o, upper ? 'X' : 'x');
    }
    pad(o, '0', zeros);
    while (n > 0)
        put(o, tmp[--n]);
    if (sp->left)
        pad(o, ' ', sp->width - total);
}

static const char *parse_spec(const char *f, struct spec *sp, va_list *ap)
{
    *sp = (struct spec){.precision = -1};

    for (;; f++) {
        if (*f == '-')
            sp->left = true;
        else if (*f == '0')
            sp->zero = true;
        else if (*f == '+')
            sp->plus = true;
        else if (*f == '#')
            sp->alt = true;
        else
            break;
    }
    if (*f == '*') {
        sp->width = va_arg(*ap, int);
        f++;
    }
    while (*f >= '0' && *f <= '9')
        sp->width = sp->width * 10 + (*f++ - '0');
    if (*f == '.') {
        f++;
        sp->precision = 0;
        if (*f == '*') {
            sp->precision = va_arg(*ap, int);
            f++;
        }
        while (*f >= '0' && *f <= '9')
            sp->precision = sp->precision * 10 + (*f++ - '0');
    }
    while (*f == 'l' || *f == 'h' || *f == 'z') {
        sp->length = *f == 'h' ? 'h' : (*f == 'z' ? 'z' : 'l');
        f++;
    }
    return f;
}

static uint64_t arg_unsigned(const struct spec *sp, va_list *ap)
{
    if (sp->length == 'l' || sp->length == 'z')
        return va_arg(*ap, unsigned long);
    return va_arg(*ap, unsigned int);
}

static int64_t arg_signed(const struct spec *sp, va_list *ap)
{
    if (sp->length == 'l' || sp->length == 'z')
        return va_arg(*ap, long);
    return va_arg(*ap, int);
}

static void format_one(struct out *o, char conv, struct spec *sp, va_list *ap)
{
    int64_t s;

    switch (conv) {
    case 'd':
    case 'i':
        s = arg_signed(sp, ap);
        put_num(o, sp, s < 0 ? -(uint64_t)s : (uint64_t)s, s < 0, 10, false);
        break;
    case 'u':
        put_num(o, sp, arg_unsigned(sp, ap), false, 10, false);
        break;
    case 'x':
    case 'X':
        put_num(o, sp, arg_unsigned(sp, ap), false, 16, conv == 'X');
        break;
    case 'o':
        put_num(o, sp, arg_unsigned(sp, ap), false, 8, false);
        break;
    case 'p':
        put(o, '0');
        put(o, 'x');
        put_num(o, sp, (uintptr_t)va_arg(*ap, void *), false, 16, false);
        break;
    case 'c':
        put(o, (char)va_arg(*ap, int));
        break;
    case 's':
        put_str(o, sp, va_arg(*ap, const char *));
        break;
    case '%':
        put(o, '%');
        break;
    default:
        /* An unknown conversion is copied so the mistake is visible. */
        put(o, '%');
        put(o, conv);
        break;
    }
}

int pogo_vsnprintf(char *buf, size_t size, const char *fmt, va_list ap)
{
    struct out o = {.buf = buf, .size = size, .len = 0};
    struct spec sp;
    va_list args;

    va_copy(args, ap);
    for (const char *f = fmt; *f; f++) {
        if (*f != '%') {
            put(&o, *f);
            continue;
        }
        f = parse_spec(f + 1, &sp, &args);
        if (!*f)
            break;
        format_one(&o, *f, &sp, &args);
    }
    va_end(args);

    if (size > 0)
        buf[o.len < size ? o.len : size - 1] = '\0';
    return (int)o.len;
}

int pogo_snprintf(char *buf, size_t size, const char *fmt, ...)
{
    va_list ap;
    int n;

    va_start(ap, fmt);
    n = pogo_vsnprintf(buf, size, fmt, ap);
    va_end(ap);
    return n;
}
