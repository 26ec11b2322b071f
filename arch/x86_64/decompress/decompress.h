/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The header at the start of the decompressor of a compressed image
 * (CONFIG_IMAGE_COMPRESS). The decompressor is built with an empty header
 * that starts with the magic number. scripts/compress-image.py, which
 * mirrors this layout, fills it in when it packs an image.
 */
#ifndef POGO_DECOMPRESS_H
#define POGO_DECOMPRESS_H

#define DECOMPRESS_MAGIC        0x7a676f50 /* "Pogz" */
#define DECOMPRESS_SEGMENTS_MAX 8
#define DECOMPRESS_HEADER_SIZE  (24 + DECOMPRESS_SEGMENTS_MAX * 16)
/*
 * The entry point follows the header. Its first instruction loads %esp
 * with an immediate that scripts/compress-image.py sets to the end of the
 * segment, because the code cannot learn its own address without a stack.
 */
#define DECOMPRESS_ENTRY_OFFSET     DECOMPRESS_HEADER_SIZE
#define DECOMPRESS_STACK_TOP_OFFSET (DECOMPRESS_ENTRY_OFFSET + 1)
#define DECOMPRESS_STACK_SIZE       1024
/* Exit status of an image whose compressed data is corrupt. */
#define DECOMPRESS_STATUS_CORRUPT 122
/* Exit status when the initrd overlaps the image's memory: the status of
 * an image that cannot start. */
#define DECOMPRESS_STATUS_NO_ROOM 120

#ifndef __ASSEMBLER__
#include <stdint.h>

/* One loadable segment of the kernel, compressed to one LZ4 frame. */
struct decompress_segment {
    uint32_t address;     /* physical load address */
    uint32_t file_size;   /* bytes the frame decodes to */
    uint32_t memory_size; /* file_size plus the bytes to zero after them */
    uint32_t frame_size;  /* bytes of the LZ4 frame */
};

/*
 * The loadable segment of a compressed image contains the decompressor,
 * which starts with this header, then the frames one after the other from
 * payload_offset (counted from the header's first byte), then the
 * decompressor's stack, which ends where the segment does.
 */
struct decompress_header {
    uint32_t magic;          /* DECOMPRESS_MAGIC */
    uint32_t checksum;       /* XXH32, seed 0, of the header after it */
    uint32_t kernel_entry;   /* the kernel's PVH entry point */
    uint32_t boot_tsc;       /* address of pogo_boot_tsc_entry, or 0 */
    uint32_t payload_offset; /* offset of the first frame */
    uint32_t segment_count;
    struct decompress_segment segments[DECOMPRESS_SEGMENTS_MAX];
};

_Static_assert(sizeof(struct decompress_header) == DECOMPRESS_HEADER_SIZE,
               "the header's size differs from DECOMPRESS_HEADER_SIZE");
#endif

#endif
