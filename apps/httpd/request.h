/* SPDX-License-Identifier: BSD-3-Clause */
/* The HTTP request parser of httpd. */
#ifndef HTTPD_REQUEST_H
#define HTTPD_REQUEST_H

#include <stdbool.h>
#include <stddef.h>

#define HTTP_HEADER_MAX 8192 /* bytes of request line and headers */
#define HTTP_TARGET_MAX 2048

enum http_method {
    HTTP_GET,
    HTTP_HEAD,
    HTTP_POST,
    HTTP_PUT,
    HTTP_DELETE,
    HTTP_OPTIONS,
    HTTP_PATCH,
    HTTP_TRACE,
    HTTP_CONNECT,
    HTTP_OTHER,
};

enum http_parse {
    HTTP_OK,         /* a whole request header was parsed */
    HTTP_INCOMPLETE, /* more bytes are needed */
    HTTP_BAD,        /* malformed: answer 400 and close */
    HTTP_TOO_LARGE,  /* headers over HTTP_HEADER_MAX: answer 431 */
};

struct http_request {
    enum http_method method;
    char target[HTTP_TARGET_MAX];
    int minor; /* HTTP/1.minor */
    bool keep_alive;
    bool has_host;
    bool has_length;
    bool chunked;
    unsigned long long content_length;
    size_t header_length; /* bytes up to the end of the headers */
};

/*
 * Parses the request at the start of buf (len bytes, which may hold a
 * partial request, or more than one). Fills r on HTTP_OK.
 */
enum http_parse http_parse(const char *buf, size_t len, struct http_request *r);

#endif
