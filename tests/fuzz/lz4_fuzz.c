/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * A libFuzzer target for the LZ4 frame decoder of the image decompressor
 * (arch/x86_64/decompress/lz4.c). The first input byte picks the flags
 * and the next two the expected output size (up to 64 KiB). With the
 * first byte's top bit set, the rest is a whole frame. Otherwise it is one
 * compressed block, which the target wraps in a frame with a valid header
 * and end mark, so that the fuzzer reaches the block decoder without a
 * seed corpus. Input and output buffers have their exact
 * sizes, so AddressSanitizer catches any access outside them.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lz4.h"

#define FLG_VERSION_01        0x40
#define FLG_BLOCK_INDEPENDENT 0x20
#define BD_4M                 0x70
#define WHOLE_FRAME           0x80

/* Wraps block in a frame with flags; returns its malloc'd bytes. */
static uint8_t *wrap_block(const uint8_t *block, size_t size, uint8_t flags,
                           size_t *frame_size)
{
    uint8_t *frame = malloc(4 + 3 + 4 + size + 4);
    uint32_t word = (uint32_t)size;

    memcpy(frame, "\x04\x22\x4d\x18", 4);
    frame[4] = flags;
    frame[5] = BD_4M;
    frame[6] = (xxh32(frame + 4, 2, 0) >> 8) & 0xff;
    memcpy(frame + 7, &word, 4);
    memcpy(frame + 11, block, size);
    memset(frame + 11 + size, 0, 4);
    *frame_size = 4 + 3 + 4 + size + 4;
    return frame;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    uint8_t *frame, *out;
    size_t frame_size, out_size;

    if (size < 3)
        return 0;
    out_size = data[1] | (size_t)data[2] << 8;
    if (data[0] & WHOLE_FRAME) {
        frame_size = size - 3;
        frame = malloc(frame_size ? frame_size : 1);
        memcpy(frame, data + 3, frame_size);
    } else {
        uint8_t flags = FLG_VERSION_01 | (data[0] & FLG_BLOCK_INDEPENDENT);

        frame = wrap_block(data + 3, size - 3, flags, &frame_size);
    }
    out = malloc(out_size ? out_size : 1);
    lz4_decode_frame(frame, frame_size, out, out_size);
    free(out);
    free(frame);
    return 0;
}
