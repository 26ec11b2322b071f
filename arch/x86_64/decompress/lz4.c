/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * An LZ4 frame decoder, written from the LZ4 Frame Format Description
 * (version 1.6.1) and the LZ4 Block Format Description (2022-07-31) of
 * the lz4 project (github.com/lz4/lz4, doc/), and the XXH32 hash of the
 * xxHash specification. It checks every length and offset against the
 * buffers before it copies, and the checksums before it decodes a block.
 * Loads assume a little-endian CPU that allows unaligned access (x86).
 */
#include "lz4.h"

#include <stdbool.h>

#define FRAME_MAGIC           0x184d2204u
#define FLG_VERSION_MASK      0xc0
#define FLG_VERSION_01        0x40
#define FLG_BLOCK_INDEPENDENT 0x20
#define FLG_BLOCK_CHECKSUM    0x10
#define FLG_CONTENT_SIZE      0x08
#define FLG_CONTENT_CHECKSUM  0x04
#define FLG_RESERVED          0x02
#define FLG_DICTIONARY_ID     0x01
#define BD_RESERVED           0x8f
#define BD_MAX_SIZE_SHIFT     4
#define BLOCK_UNCOMPRESSED    0x80000000u
#define MIN_MATCH             4

#define PRIME1 0x9e3779b1u
#define PRIME2 0x85ebca77u
#define PRIME3 0xc2b2ae3du
#define PRIME4 0x27d4eb2fu
#define PRIME5 0x165667b1u

typedef uint32_t __attribute__((may_alias, aligned(1))) unaligned_u32;

static uint32_t load32(const uint8_t *p)
{
    return *(const unaligned_u32 *)p;
}

static uint32_t rotl32(uint32_t x, unsigned r)
{
    return x << r | x >> (32 - r);
}

static uint32_t xxh32_round(uint32_t acc, uint32_t lane)
{
    return rotl32(acc + lane * PRIME2, 13) * PRIME1;
}

uint32_t xxh32(const void *data, size_t size, uint32_t seed)
{
    const uint8_t *p = data;
    const uint8_t *end = p + size;
    uint32_t acc;

    if (size >= 16) {
        uint32_t v1 = seed + PRIME1 + PRIME2, v2 = seed + PRIME2;
        uint32_t v3 = seed, v4 = seed - PRIME1;

        for (; end - p >= 16; p += 16) {
            v1 = xxh32_round(v1, load32(p));
            v2 = xxh32_round(v2, load32(p + 4));
            v3 = xxh32_round(v3, load32(p + 8));
            v4 = xxh32_round(v4, load32(p + 12));
        }
        acc = rotl32(v1, 1) + rotl32(v2, 7) + rotl32(v3, 12) + rotl32(v4, 18);
    } else {
        acc = seed + PRIME5;
    }
    acc += (uint32_t)size;

    for (; end - p >= 4; p += 4)
        acc = rotl32(acc + load32(p) * PRIME3, 17) * PRIME4;
    for (; p < end; p++)
        acc = rotl32(acc + *p * PRIME5, 11) * PRIME1;

    acc ^= acc >> 15;
    acc *= PRIME2;
    acc ^= acc >> 13;
    acc *= PRIME3;
    acc ^= acc >> 16;
    return acc;
}

static void move32(uint8_t *dst, const uint8_t *src)
{
    *(unaligned_u32 *)dst = *(const unaligned_u32 *)src;
}

/*
 * Copies n bytes forward, four at a time. The regions may overlap when
 * dst is at least four bytes after src, as in a match, because each load
 * then reads bytes that earlier stores have written.
 */
static void copy_forward(uint8_t *dst, const uint8_t *src, size_t n)
{
    for (; n >= 4; n -= 4, dst += 4, src += 4)
        move32(dst, src);
    for (; n; n--)
        *dst++ = *src++;
}

/*
 * Copies 16 bytes with one load and one store (SSE2's movdqu, which the
 * decompressor enables), so dst must not be within the 16 bytes after
 * src.
 */
typedef uint8_t __attribute__((vector_size(16), may_alias, aligned(1))) vec16;

static void move16(uint8_t *dst, const uint8_t *src)
{
    *(vec16 *)dst = *(const vec16 *)src;
}

/*
 * Copies n bytes forward in steps of 16 bytes, so it reads and writes up
 * to WILD_COPY - 1 bytes past n. The caller checks that both buffers have
 * that room. The output written past n is overwritten by what is decoded
 * next. The regions must not overlap, or dst must be at least 16 bytes
 * after src.
 */
#define WILD_COPY 16

static void copy_wild(uint8_t *dst, const uint8_t *src, size_t n)
{
    uint8_t *end = dst + n;

    for (; dst < end; dst += 16, src += 16)
        move16(dst, src);
}

/* Copies as copy_wild does, four bytes at a time, for a dst that is 4 to
 * 15 bytes after src. */
static void copy_wild_near(uint8_t *dst, const uint8_t *src, size_t n)
{
    uint8_t *end = dst + n;

    for (; dst < end; dst += 16, src += 16) {
        move32(dst, src);
        move32(dst + 4, src + 4);
        move32(dst + 8, src + 8);
        move32(dst + 12, src + 12);
    }
}

/*
 * Copies a match of len bytes from offset bytes back. wild is set when
 * the output has WILD_COPY bytes of room after the match. A pattern shorter
 * than four bytes repeats with its period, so after its first 4 or 6
 * bytes are copied one by one, the rest is copied from that many bytes
 * back, four bytes at a time.
 */
static inline void copy_match(uint8_t *out, size_t offset, size_t len,
                              bool wild)
{
    if (offset < 4) {
        size_t period = offset == 3 ? 6 : 4;
        size_t head = len < period ? len : period;

        for (size_t i = 0; i < head; i++)
            out[i] = out[i - offset];
        out += head;
        len -= head;
        offset = period;
    }
    if (!wild)
        copy_forward(out, out - offset, len);
    else if (offset >= 16)
        copy_wild(out, out - offset, len);
    else
        copy_wild_near(out, out - offset, len);
}

/*
 * The room that the fast path of a sequence with both lengths below 15
 * needs. It reads 16 bytes for up to 14 literals and the 2-byte offset.
 * It writes 16 bytes of literals, then, 14 bytes further on at most, up
 * to 18 bytes of match with WILD_COPY bytes of room (32 bytes).
 */
#define SHORT_INPUT  16
#define SHORT_OUTPUT (14 + 18 + WILD_COPY)

/*
 * Adds the length bytes that follow a 4-bit length field of 15. A byte of
 * 255 means that another follows. Returns false when the block ends
 * first.
 */
static bool read_length(const uint8_t **ip, const uint8_t *iend, size_t *len)
{
    uint8_t b;

    do {
        if (*ip == iend)
            return false;
        b = *(*ip)++;
        *len += b;
    } while (b == 255);
    return true;
}

/*
 * Decodes the compressed block ip[0, iend - ip) to *op, at most up to
 * oend. Matches may copy from window on, the start of the block's output
 * or, for linked blocks, of the frame's. Advances *op past the output.
 */
static const char *decode_block(const uint8_t *ip, const uint8_t *iend,
                                const uint8_t *window, uint8_t **op,
                                const uint8_t *oend)
{
    uint8_t *out = *op;
    /* The fast path of short sequences, and where its room ends. */
    bool fast = iend - ip > SHORT_INPUT && oend - out >= SHORT_OUTPUT;
    const uint8_t *ip_short_end = fast ? iend - SHORT_INPUT : ip;
    const uint8_t *out_short_end = fast ? oend - SHORT_OUTPUT : out;

    for (;;) {
        unsigned token;
        size_t len, offset;

        if (ip == iend)
            return "a block ends without its last literals";
        token = *ip++;
        len = token >> 4;

        /* Most sequences have both lengths below 15. Such a sequence has
         * no length bytes, and with room in both buffers its copies may
         * run over, so this path decodes it with fewer checks. */
        if (fast && len != 15 && (token & 15) != 15 && ip <= ip_short_end &&
            out <= out_short_end) {
            move16(out, ip);
            out += len;
            ip += len;
            offset = ip[0] | (size_t)ip[1] << 8;
            ip += 2;
            if (offset - 1 >= (size_t)(out - window))
                return "a match offset points before the decoded data";
            len = (token & 15) + MIN_MATCH;
            if (offset >= 16) {
                move16(out, out - offset);
                move16(out + 16, out + 16 - offset);
            } else {
                copy_match(out, offset, len, true);
            }
            out += len;
            continue;
        }

        if (len == 15 && !read_length(&ip, iend, &len))
            return "a literal length runs past the end of its block";
        if (len > (size_t)(iend - ip))
            return "literals run past the end of their block";
        if (len > (size_t)(oend - out))
            return "the data decodes to more bytes than expected";
        if ((size_t)(iend - ip) - len >= WILD_COPY &&
            (size_t)(oend - out) - len >= WILD_COPY)
            copy_wild(out, ip, len);
        else
            copy_forward(out, ip, len);
        out += len;
        ip += len;

        /* The last sequence of a block has literals only. */
        if (ip == iend)
            break;
        if (iend - ip < 2)
            return "a match offset runs past the end of its block";
        offset = ip[0] | (size_t)ip[1] << 8;
        ip += 2;
        if (offset == 0 || offset > (size_t)(out - window))
            return "a match offset points before the decoded data";
        len = token & 15;
        if (len == 15 && !read_length(&ip, iend, &len))
            return "a match length runs past the end of its block";
        len += MIN_MATCH;
        if (len > (size_t)(oend - out))
            return "the data decodes to more bytes than expected";
        copy_match(out, offset, len, (size_t)(oend - out) - len >= WILD_COPY);
        out += len;
    }
    *op = out;
    return NULL;
}

struct frame {
    uint8_t flags;
    size_t block_max;
};

/* Checks the frame header at *ip and moves *ip past it. */
static const char *read_frame_header(const uint8_t **ip, const uint8_t *iend,
                                     size_t dst_size, struct frame *f)
{
    const uint8_t *p = *ip;
    size_t descriptor = 2;
    unsigned size_code;

    if (iend - p < 7)
        return "the data is shorter than an LZ4 frame header";
    if (load32(p) != FRAME_MAGIC)
        return "no LZ4 frame magic number";
    f->flags = p[4];
    if ((f->flags & FLG_VERSION_MASK) != FLG_VERSION_01 ||
        (f->flags & FLG_RESERVED) || (p[5] & BD_RESERVED))
        return "an unknown LZ4 frame version or flag";
    if (f->flags & FLG_DICTIONARY_ID)
        return "an LZ4 frame with a dictionary, which is not supported";
    size_code = p[5] >> BD_MAX_SIZE_SHIFT;
    if (size_code < 4)
        return "an invalid LZ4 block maximum size";
    /* Codes 4 to 7 are 64 KiB, 256 KiB, 1 MiB and 4 MiB. */
    f->block_max = (size_t)1 << (8 + 2 * size_code);

    if (f->flags & FLG_CONTENT_SIZE) {
        descriptor += 8;
        if (iend - p < 4 + (ptrdiff_t)descriptor + 1)
            return "the data is shorter than an LZ4 frame header";
        if (((uint64_t)load32(p + 10) << 32 | load32(p + 6)) != dst_size)
            return "the frame's content size differs from the expected size";
    }
    /* The header checksum is the second byte of the descriptor's XXH32. */
    if (((xxh32(p + 4, descriptor, 0) >> 8) & 0xff) != p[4 + descriptor])
        return "the LZ4 frame header checksum does not match";
    *ip = p + 4 + descriptor + 1;
    return NULL;
}

const char *lz4_decode_frame(const uint8_t *src, size_t src_size, uint8_t *dst,
                             size_t dst_size)
{
    const uint8_t *ip = src, *iend = src + src_size;
    uint8_t *op = dst, *oend = dst + dst_size;
    size_t checksum_size;
    struct frame f;
    const char *err;

    err = read_frame_header(&ip, iend, dst_size, &f);
    if (err)
        return err;
    checksum_size = f.flags & FLG_BLOCK_CHECKSUM ? 4 : 0;

    for (;;) {
        uint32_t word;
        size_t size;

        if (iend - ip < 4)
            return "the frame ends before its end mark";
        word = load32(ip);
        ip += 4;
        if (word == 0)
            break;
        size = word & ~BLOCK_UNCOMPRESSED;
        if (size > f.block_max)
            return "a block is larger than the frame's maximum block size";
        if (size > (size_t)(iend - ip) ||
            checksum_size > (size_t)(iend - ip) - size)
            return "a block runs past the end of the frame";
        if (checksum_size && xxh32(ip, size, 0) != load32(ip + size))
            return "a block checksum does not match";

        if (word & BLOCK_UNCOMPRESSED) {
            if (size > (size_t)(oend - op))
                return "the data decodes to more bytes than expected";
            copy_forward(op, ip, size);
            op += size;
        } else {
            const uint8_t *window = f.flags & FLG_BLOCK_INDEPENDENT ? op : dst;
            uint8_t *block_end =
                (size_t)(oend - op) > f.block_max ? op + f.block_max : oend;

            err = decode_block(ip, ip + size, window, &op, block_end);
            if (err)
                return err;
        }
        ip += size + checksum_size;
    }

    if (op != oend)
        return "the data decodes to fewer bytes than expected";
    if (f.flags & FLG_CONTENT_CHECKSUM) {
        if (iend - ip < 4)
            return "the frame ends before its content checksum";
        if (xxh32(dst, dst_size, 0) != load32(ip))
            return "the content checksum does not match";
        ip += 4;
    }
    if (ip != iend)
        return "bytes follow the end of the LZ4 frame";
    return NULL;
}
