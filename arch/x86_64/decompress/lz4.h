/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * An LZ4 frame decoder and the XXH32 checksum that LZ4 frames use, for the
 * decompressor of compressed images. Freestanding C without globals, so
 * that it also builds into the position-independent decompressor and into
 * host unit tests.
 */
#ifndef POGO_DECOMPRESS_LZ4_H
#define POGO_DECOMPRESS_LZ4_H

#include <stddef.h>
#include <stdint.h>

/* Returns the XXH32 hash of the size bytes at data, with seed. */
uint32_t xxh32(const void *data, size_t size, uint32_t seed);

/*
 * Decodes the LZ4 frame that fills src[0, src_size) into dst, and checks
 * that it decodes to exactly dst_size bytes. Checks the frame header's
 * checksum, each block checksum and the content checksum where the frame
 * has them, every length and match offset, the end mark, and that no byte
 * follows the frame. Reads only src and writes only dst, whatever src
 * holds; the blocks may be independent or linked; frames with a
 * dictionary ID are rejected.
 *
 * Returns NULL on success, or a message that describes what is wrong with
 * the frame. dst may be partly written when it fails.
 */
const char *lz4_decode_frame(const uint8_t *src, size_t src_size, uint8_t *dst,
                             size_t dst_size);

#endif
