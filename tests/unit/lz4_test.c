/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The LZ4 frame decoder of the image decompressor, against frames that
 * Debian's lz4 command makes with several options, against every
 * single-byte corruption and truncation of a frame, and against frames
 * built by hand to break one rule each. Output buffers are allocated to
 * their exact size, so AddressSanitizer reports any write past them.
 */
#include <stdint.h>
#include <unistd.h>

#include "lz4.h"
#include "unit.h"

#define FLG_VERSION_01        0x40
#define FLG_BLOCK_INDEPENDENT 0x20
#define FLG_CONTENT_SIZE      0x08
#define FLG_DICTIONARY_ID     0x01
#define BD_64K                0x40
#define BLOCK_UNCOMPRESSED    0x80000000u

/* The options that scripts/compress-image.py gives lz4. */
static const char image_options[] = "-12 --content-size -BX --no-frame-crc";

/* Fills buf with data that compresses like a mix of code and tables. */
static void fill_mixed(uint8_t *buf, size_t size, uint32_t seed)
{
    uint32_t x = seed;

    for (size_t i = 0; i < size; i++) {
        x = x * 1103515245 + 12345;
        if ((x >> 16) % 4 == 0 && i >= 64)
            buf[i] = buf[i - 1 - (x >> 20) % 64];
        else if ((x >> 16) % 4 == 1)
            buf[i] = 0;
        else
            buf[i] = "mov eax, [ebx+4]\n"[(x >> 18) % 17];
    }
}

static void fill_random(uint8_t *buf, size_t size, uint32_t seed)
{
    uint32_t x = seed;

    for (size_t i = 0; i < size; i++) {
        x = x * 1664525 + 1013904223;
        buf[i] = x >> 24;
    }
}

/*
 * Compresses data with the lz4 command and options. Returns the frame in
 * a malloc'd buffer and its size in *frame_size, or NULL.
 */
static uint8_t *lz4_command(const uint8_t *data, size_t size,
                            const char *options, size_t *frame_size)
{
    char raw[] = "/tmp/pogo-lz4-test-XXXXXX";
    char packed[sizeof(raw) + 4], cmd[256];
    uint8_t *frame = NULL;
    FILE *f;
    int fd = mkstemp(raw);
    long n;

    if (fd < 0 || write(fd, data, size) != (ssize_t)size) {
        unit_fail(__FILE__, __LINE__, "cannot write a temporary file");
        return NULL;
    }
    close(fd);
    snprintf(packed, sizeof(packed), "%s.lz4", raw);
    snprintf(cmd, sizeof(cmd), "lz4 -q -f %s %s %s", options, raw, packed);
    if (system(cmd) != 0) {
        unit_fail(__FILE__, __LINE__,
                  "'%s' failed; is lz4 installed? (apt-get install lz4)", cmd);
        unlink(raw);
        return NULL;
    }
    f = fopen(packed, "rb");
    if (f && fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) > 0) {
        rewind(f);
        frame = malloc(n);
        if (fread(frame, 1, n, f) == (size_t)n)
            *frame_size = n;
        else
            unit_fail(__FILE__, __LINE__, "cannot read %s", packed);
    }
    if (f)
        fclose(f);
    unlink(raw);
    unlink(packed);
    return frame;
}

/* Decodes frame into an exact-size buffer and checks it equals data. */
static void check_round_trip(const uint8_t *data, size_t size,
                             const char *options)
{
    size_t frame_size = 0;
    uint8_t *frame = lz4_command(data, size, options, &frame_size);
    uint8_t *out = malloc(size ? size : 1);
    const char *err;

    if (!frame) {
        free(out);
        return;
    }
    err = lz4_decode_frame(frame, frame_size, out, size);
    if (err)
        unit_fail(__FILE__, __LINE__, "%zu bytes with lz4 %s: %s", size,
                  options, err);
    else if (memcmp(out, data, size) != 0)
        unit_fail(__FILE__, __LINE__, "%zu bytes with lz4 %s: wrong output",
                  size, options);
    free(frame);
    free(out);
}

TEST(xxh32_matches_known_values)
{
    /* XXH32 of no bytes with seed 0, from the xxHash test vectors. */
    CHECK_EQ_HEX(xxh32("", 0, 0), 0x02cc5d05);
    /* The other lengths are checked through lz4's own checksums in the
     * frames of the other tests. */
}

TEST(decodes_lz4_command_frames)
{
    /* Debian's lz4 1.9.4 fails with -B4 on inputs of 65529 to 65535
     * bytes ("ERROR_dstMaxSize_tooSmall", from 65533 on without -BX), so
     * the sizes around the 64 KiB block stay clear of them. */
    static const size_t sizes[] = {0,    1,     4,     5,     12,    13,
                                   16,   17,    63,    64,    100,   1000,
                                   4096, 65500, 65536, 65537, 70000, 300000};
    static const char *const options[] = {
        image_options,     "-1",
        "-9 -BD -B4",      "-1 -B4 -BX --content-size",
        "-12 -B5 -BD -BX", "--no-frame-crc",
    };

    for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
        uint8_t *data = malloc(sizes[i] ? sizes[i] : 1);

        fill_mixed(data, sizes[i], (uint32_t)i);
        for (size_t j = 0; j < sizeof(options) / sizeof(options[0]); j++)
            check_round_trip(data, sizes[i], options[j]);
        free(data);
    }
}

TEST(decodes_uncompressed_blocks)
{
    uint8_t *data = malloc(200000);

    fill_random(data, 200000, 7);
    check_round_trip(data, 200000, image_options);
    check_round_trip(data, 200000, "-1 -B4");
    free(data);
}

TEST(decodes_short_match_offsets)
{
    uint8_t data[5000];

    /* Periods 1, 2 and 3 give matches with offsets below four. */
    for (size_t i = 0; i < sizeof(data); i++) {
        if (i < 1500)
            data[i] = 7;
        else if (i < 3000)
            data[i] = "ab"[i % 2];
        else
            data[i] = "xyz"[i % 3];
    }
    check_round_trip(data, sizeof(data), image_options);
    check_round_trip(data, sizeof(data), "-1");
}

/*
 * Decodes a corrupt frame into an exact-size buffer: it must fail, or
 * give exactly the original data (a changed bit that the format does not
 * use, such as the block maximum size of a small frame).
 */
static int decode_corrupt(const uint8_t *frame, size_t frame_size,
                          const uint8_t *data, size_t size, size_t at)
{
    uint8_t *out = malloc(size);
    const char *err = lz4_decode_frame(frame, frame_size, out, size);
    int wrong = !err && memcmp(out, data, size) != 0;

    if (wrong)
        unit_fail(__FILE__, __LINE__,
                  "a frame changed at byte %zu decodes without an error "
                  "to different data",
                  at);
    free(out);
    return !err;
}

TEST(corrupt_frames_fail_or_decode_intact)
{
    enum { SIZE = 3000 };
    static const uint8_t masks[] = {0x01, 0x10, 0x80, 0xff};
    uint8_t data[SIZE];
    size_t frame_size = 0;
    uint8_t *frame;
    int accepted = 0;

    fill_mixed(data, SIZE, 99);
    frame = lz4_command(data, SIZE, image_options, &frame_size);
    if (!frame)
        return;
    for (size_t at = 0; at < frame_size; at++) {
        for (size_t m = 0; m < sizeof(masks); m++) {
            frame[at] ^= masks[m];
            accepted += decode_corrupt(frame, frame_size, data, SIZE, at);
            frame[at] ^= masks[m];
        }
    }
    /* The block checksum covers every byte after the header; only bits
     * of the header that do not change the data may go unnoticed. */
    CHECK(accepted <= 8);

    frame[frame_size / 2] ^= 1;
    {
        uint8_t *out = malloc(SIZE);

        CHECK_STR(lz4_decode_frame(frame, frame_size, out, SIZE),
                  "a block checksum does not match");
        free(out);
    }
    free(frame);
}

TEST(truncated_and_extended_frames_fail)
{
    enum { SIZE = 3000 };
    uint8_t data[SIZE], out[SIZE];
    size_t frame_size = 0;
    uint8_t *frame;
    uint8_t *longer;

    fill_mixed(data, SIZE, 5);
    frame = lz4_command(data, SIZE, image_options, &frame_size);
    if (!frame)
        return;
    for (size_t n = 0; n < frame_size; n++) {
        /* A copy of exactly n bytes, so that ASan reports a read past it. */
        uint8_t *prefix = malloc(n ? n : 1);

        memcpy(prefix, frame, n);
        if (!lz4_decode_frame(prefix, n, out, SIZE))
            unit_fail(__FILE__, __LINE__, "a %zu-byte prefix decodes", n);
        free(prefix);
    }
    longer = malloc(frame_size + 1);
    memcpy(longer, frame, frame_size);
    longer[frame_size] = 0;
    CHECK_STR(lz4_decode_frame(longer, frame_size + 1, out, SIZE),
              "bytes follow the end of the LZ4 frame");
    CHECK_STR(lz4_decode_frame(frame, frame_size, out, SIZE - 1),
              "the frame's content size differs from the expected size");
    free(longer);
    free(frame);
}

/*
 * Builds a frame with flags, a 64 KiB block maximum and an optional
 * content size, then one block (compressed unless uncompressed is set)
 * and the end mark. Returns the frame's size.
 */
static size_t make_frame(uint8_t *buf, uint8_t flags, uint64_t content_size,
                         const uint8_t *block, uint32_t block_size,
                         bool uncompressed)
{
    size_t n = 0, descriptor = 2;
    uint32_t word = block_size | (uncompressed ? BLOCK_UNCOMPRESSED : 0);

    memcpy(buf, "\x04\x22\x4d\x18", 4);
    buf[4] = flags;
    buf[5] = BD_64K;
    if (flags & FLG_CONTENT_SIZE) {
        memcpy(buf + 6, &content_size, 8);
        descriptor += 8;
    }
    if (flags & FLG_DICTIONARY_ID) {
        memset(buf + 4 + descriptor, 0, 4);
        descriptor += 4;
    }
    buf[4 + descriptor] = (xxh32(buf + 4, descriptor, 0) >> 8) & 0xff;
    n = 4 + descriptor + 1;
    memcpy(buf + n, &word, 4);
    memcpy(buf + n + 4, block, block_size);
    n += 4 + block_size;
    memset(buf + n, 0, 4);
    return n + 4;
}

struct bad_block {
    const char *name;
    uint8_t block[16];
    uint32_t block_size;
    size_t out_size;
    const char *error;
};

TEST(invalid_blocks_fail_with_their_reason)
{
    static const struct bad_block cases[] = {
        /* 4 literals "abcd", then a match at offset 0. */
        {"offset 0",
         {0x40, 'a', 'b', 'c', 'd', 0, 0, 0x10, 'e'},
         9,
         9,
         "a match offset points before the decoded data"},
        /* A match 5 bytes back after 4 bytes of output. */
        {"offset before the output",
         {0x40, 'a', 'b', 'c', 'd', 5, 0, 0x10, 'e'},
         9,
         9,
         "a match offset points before the decoded data"},
        {"literals past the block",
         {0x50, 'a', 'b'},
         3,
         5,
         "literals run past the end of their block"},
        {"literal length bytes past the block",
         {0xf0, 255, 255},
         3,
         600,
         "a literal length runs past the end of its block"},
        {"match past the output",
         {0x40, 'a', 'b', 'c', 'd', 1, 0, 0x10, 'e'},
         9,
         7,
         "the data decodes to more bytes than expected"},
        {"offset cut off",
         {0x10, 'a', 1},
         3,
         8,
         "a match offset runs past the end of its block"},
        {"match without last literals",
         {0x10, 'a', 1, 0},
         4,
         5,
         "a block ends without its last literals"},
        {"too little output",
         {0x30, 'a', 'b', 'c'},
         4,
         4,
         "the data decodes to fewer bytes than expected"},
    };
    uint8_t frame[64];

    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        const struct bad_block *c = &cases[i];
        uint8_t *out = malloc(c->out_size);
        size_t n = make_frame(frame, FLG_VERSION_01 | FLG_BLOCK_INDEPENDENT, 0,
                              c->block, c->block_size, false);
        const char *err = lz4_decode_frame(frame, n, out, c->out_size);

        if (!err || strcmp(err, c->error) != 0)
            unit_fail(__FILE__, __LINE__, "%s: expected \"%s\", got \"%s\"",
                      c->name, c->error, err ? err : "(success)");
        free(out);
    }
}

TEST(long_block_into_short_output_fails)
{
    uint8_t block[64], frame[128];
    uint8_t *out = malloc(2);
    size_t n = 0;

    /* Sequences of one literal and a 4-byte match, more than 16 bytes of
     * them, so that only the output's size rules out the fast path. */
    for (int i = 0; i < 10; i++) {
        block[n++] = 0x10;
        block[n++] = 'x';
        block[n++] = 1;
        block[n++] = 0;
    }
    block[n++] = 0x10;
    block[n++] = 'y';
    n = make_frame(frame, FLG_VERSION_01, 0, block, n, false);
    CHECK_STR(lz4_decode_frame(frame, n, out, 2),
              "the data decodes to more bytes than expected");
    free(out);
}

TEST(invalid_frame_headers_fail_with_their_reason)
{
    static const uint8_t block[] = {0x30, 'a', 'b', 'c'};
    uint8_t frame[64], out[3];
    size_t n;

    n = make_frame(frame, FLG_VERSION_01, 0, block, 4, false);
    CHECK(lz4_decode_frame(frame, n, out, 3) == NULL);
    CHECK(memcmp(out, "abc", 3) == 0);

    n = make_frame(frame, FLG_VERSION_01 | FLG_CONTENT_SIZE, 4, block, 4,
                   false);
    CHECK_STR(lz4_decode_frame(frame, n, out, 3),
              "the frame's content size differs from the expected size");

    n = make_frame(frame, FLG_VERSION_01 | FLG_DICTIONARY_ID, 0, block, 4,
                   false);
    CHECK_STR(lz4_decode_frame(frame, n, out, 3),
              "an LZ4 frame with a dictionary, which is not supported");

    n = make_frame(frame, 0x80, 0, block, 4, false);
    CHECK_STR(lz4_decode_frame(frame, n, out, 3),
              "an unknown LZ4 frame version or flag");

    n = make_frame(frame, FLG_VERSION_01, 0, block, 4, false);
    frame[6] ^= 1;
    CHECK_STR(lz4_decode_frame(frame, n, out, 3),
              "the LZ4 frame header checksum does not match");

    n = make_frame(frame, FLG_VERSION_01, 0, block, 4, false);
    frame[0] = 0;
    CHECK_STR(lz4_decode_frame(frame, n, out, 3), "no LZ4 frame magic number");

    n = make_frame(frame, FLG_VERSION_01, 0, (const uint8_t *)"abc", 3, true);
    CHECK(lz4_decode_frame(frame, n, out, 3) == NULL);
    CHECK_STR(lz4_decode_frame(frame, n - 4, out, 3),
              "the frame ends before its end mark");
    CHECK_STR(lz4_decode_frame(frame, n, out, 2),
              "the data decodes to more bytes than expected");
}

TEST(oversized_block_fails)
{
    enum { SIZE = 65536 + 1 };
    uint8_t *frame = calloc(1, SIZE + 64);
    uint8_t *block = calloc(1, SIZE);
    uint8_t *out = malloc(SIZE);
    size_t n = make_frame(frame, FLG_VERSION_01, 0, block, SIZE, true);

    CHECK_STR(lz4_decode_frame(frame, n, out, SIZE),
              "a block is larger than the frame's maximum block size");
    free(frame);
    free(block);
    free(out);
}
