/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * HTTP/1.1 request parsing for httpd: the request line and the headers
 * httpd uses, from a buffer that may hold a partial request. The parser
 * never reads past the buffer and rejects what it cannot understand.
 */
#include <ctype.h>
#include <string.h>
#include <strings.h>

#include "request.h"

/* Finds the end of the header block ("\r\n\r\n", or "\n\n" from lax
 * clients); returns the length of the block with it, or 0. */
static size_t header_end(const char *buf, size_t len)
{
    for (size_t i = 0; i + 1 < len; i++) {
        if (buf[i] == '\n' && buf[i + 1] == '\n')
            return i + 2;
        if (i + 3 < len && buf[i] == '\r' && buf[i + 1] == '\n' &&
            buf[i + 2] == '\r' && buf[i + 3] == '\n')
            return i + 4;
    }
    return 0;
}

/* Returns the length of the line at p (without its end), and stores where
 * the next line starts. */
static size_t line_length(const char *p, const char *end, const char **next)
{
    const char *nl = memchr(p, '\n', end - p);
    size_t len;

    if (!nl) {
        *next = end;
        return end - p;
    }
    *next = nl + 1;
    len = nl - p;
    if (len > 0 && p[len - 1] == '\r')
        len--;
    return len;
}

static bool token_char(char c)
{
    return c > 32 && c < 127 && !strchr("()<>@,;:\\\"/[]?={}", c);
}

static int parse_method(const char *p, size_t len, struct http_request *r)
{
    static const struct {
        const char *name;
        enum http_method method;
    } known[] = {
        {"GET", HTTP_GET},         {"HEAD", HTTP_HEAD},
        {"POST", HTTP_POST},       {"PUT", HTTP_PUT},
        {"DELETE", HTTP_DELETE},   {"OPTIONS", HTTP_OPTIONS},
        {"PATCH", HTTP_PATCH},     {"TRACE", HTTP_TRACE},
        {"CONNECT", HTTP_CONNECT},
    };

    for (size_t i = 0; i < len; i++) {
        if (!token_char(p[i]))
            return -1;
    }
    r->method = HTTP_OTHER;
    for (size_t i = 0; i < sizeof(known) / sizeof(known[0]); i++) {
        if (strlen(known[i].name) == len && memcmp(known[i].name, p, len) == 0)
            r->method = known[i].method;
    }
    return len ? 0 : -1;
}

static int parse_request_line(const char *p, size_t len, struct http_request *r)
{
    const char *sp1 = memchr(p, ' ', len);
    const char *sp2;
    size_t mlen, tlen, vlen;

    if (!sp1)
        return -1;
    mlen = sp1 - p;
    sp2 = memchr(sp1 + 1, ' ', len - mlen - 1);
    if (!sp2)
        return -1;
    tlen = sp2 - sp1 - 1;
    vlen = len - (sp2 + 1 - p);
    if (parse_method(p, mlen, r) != 0 || tlen == 0 || tlen >= sizeof(r->target))
        return -1;
    memcpy(r->target, sp1 + 1, tlen);
    r->target[tlen] = '\0';
    for (size_t i = 0; i < tlen; i++) {
        if ((unsigned char)r->target[i] <= 32 || r->target[i] == 127)
            return -1;
    }
    if (vlen == 8 && memcmp(sp2 + 1, "HTTP/1.1", 8) == 0)
        r->minor = 1;
    else if (vlen == 8 && memcmp(sp2 + 1, "HTTP/1.0", 8) == 0)
        r->minor = 0;
    else
        return -1;
    r->keep_alive = r->minor == 1;
    return 0;
}

static bool header_is(const char *name, size_t nlen, const char *want)
{
    return strlen(want) == nlen && strncasecmp(name, want, nlen) == 0;
}

/* Tells whether the comma-separated value list contains token. */
static bool value_has(const char *v, size_t vlen, const char *token)
{
    size_t tlen = strlen(token);

    for (size_t i = 0; i + tlen <= vlen; i++) {
        if (strncasecmp(v + i, token, tlen) == 0 &&
            (i == 0 || v[i - 1] == ',' || v[i - 1] == ' ') &&
            (i + tlen == vlen || v[i + tlen] == ',' || v[i + tlen] == ' '))
            return true;
    }
    return false;
}

static int parse_header(const char *p, size_t len, struct http_request *r)
{
    const char *colon = memchr(p, ':', len);
    const char *v;
    size_t nlen, vlen;

    if (!colon || colon == p)
        return -1;
    nlen = colon - p;
    for (size_t i = 0; i < nlen; i++) {
        if (!token_char(p[i]))
            return -1;
    }
    v = colon + 1;
    vlen = len - nlen - 1;
    while (vlen > 0 && (*v == ' ' || *v == '\t')) {
        v++;
        vlen--;
    }
    while (vlen > 0 && (v[vlen - 1] == ' ' || v[vlen - 1] == '\t'))
        vlen--;

    if (header_is(p, nlen, "Connection")) {
        if (value_has(v, vlen, "close"))
            r->keep_alive = false;
        else if (value_has(v, vlen, "keep-alive"))
            r->keep_alive = true;
    } else if (header_is(p, nlen, "Content-Length")) {
        unsigned long long n = 0;
        if (vlen == 0 || vlen > 18)
            return -1;
        for (size_t i = 0; i < vlen; i++) {
            if (!isdigit((unsigned char)v[i]))
                return -1;
            n = n * 10 + (v[i] - '0');
        }
        if (r->has_length && r->content_length != n)
            return -1;
        r->has_length = true;
        r->content_length = n;
    } else if (header_is(p, nlen, "Transfer-Encoding")) {
        r->chunked = true;
    } else if (header_is(p, nlen, "Host")) {
        r->has_host = true;
    }
    return 0;
}

enum http_parse http_parse(const char *buf, size_t len, struct http_request *r)
{
    size_t end = header_end(buf, len);
    const char *p = buf, *next, *stop;
    size_t n;

    memset(r, 0, sizeof(*r));
    if (!end)
        return len >= HTTP_HEADER_MAX ? HTTP_TOO_LARGE : HTTP_INCOMPLETE;
    if (end > HTTP_HEADER_MAX)
        return HTTP_TOO_LARGE;
    stop = buf + end;

    /* Robust servers skip empty lines before the request line. */
    while (p < stop && (*p == '\r' || *p == '\n'))
        p++;
    n = line_length(p, stop, &next);
    if (parse_request_line(p, n, r) != 0)
        return HTTP_BAD;
    for (p = next; p < stop; p = next) {
        n = line_length(p, stop, &next);
        if (n == 0)
            break;
        if (*p == ' ' || *p == '\t')
            return HTTP_BAD; /* obsolete line folding */
        if (parse_header(p, n, r) != 0)
            return HTTP_BAD;
    }
    if (r->minor == 1 && !r->has_host)
        return HTTP_BAD;
    if (r->chunked)
        return HTTP_BAD; /* request bodies are not supported */
    r->header_length = end;
    return HTTP_OK;
}
