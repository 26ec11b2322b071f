/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * libFuzzer target for httpd's request parser: any bytes, split at any
 * point as a request arriving in two segments would be, must parse
 * without reading outside the buffer, and a complete request must parse
 * the same way whether it arrived whole or in parts.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../../apps/httpd/request.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct http_request whole, part;
    enum http_parse rw, rp;
    char *buf;
    size_t split;

    if (size == 0)
        return 0;
    buf = malloc(size);
    memcpy(buf, data, size);
    rw = http_parse(buf, size, &whole);

    /* The same bytes seen first only up to a split point. */
    split = data[0] % size;
    rp = http_parse(buf, split, &part);
    if (rp == HTTP_OK && rw == HTTP_OK &&
        part.header_length != whole.header_length)
        abort(); /* a request cannot end earlier when more bytes follow */
    if (rw == HTTP_OK &&
        (whole.header_length == 0 || whole.header_length > size ||
         strlen(whole.target) >= sizeof(whole.target)))
        abort();
    free(buf);
    return 0;
}
