/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The decompressor of a compressed image (CONFIG_IMAGE_COMPRESS), in
 * 32-bit protected mode with paging off. It checks the header that
 * scripts/compress-image.py wrote, decodes each LZ4 frame to its kernel
 * segment's load address, zeroes the segment's bss and returns the
 * kernel's PVH entry point to entry.S. A corrupt image ends with one line
 * on the error channel and exit status 122 before any kernel code runs.
 * Built with -fpie and without globals, so that it runs at any address.
 */
#include "decompress.h"
#include "lz4.h"

#include <stdbool.h>
#include <stddef.h>

#define HVM_START_MAGIC       0x336ec578
#define HVM_MEMMAP_ENTRY_SIZE 24

#define DEBUGCON_PORT   0xe9
#define ERROR_PORT      0x4e8
#define DEBUGCON_MAGIC  0xe9
#define COM1_PORT       0x3f8
#define DEBUG_EXIT_PORT 0x501
#define KBC_PORT        0x64
#define KBC_RESET       0xfe

/* Xen's struct hvm_start_info (arch-x86/hvm/start_info.h) and struct
 * hvm_modlist_entry, as plat/kvm/pvh.c declares them. */
struct hvm_start_info {
    uint32_t magic;
    uint32_t version;
    uint32_t flags;
    uint32_t nr_modules;
    uint64_t modlist_paddr;
    uint64_t cmdline_paddr;
    uint64_t rsdp_paddr;
    uint64_t memmap_paddr; /* version 1 and later */
    uint32_t memmap_entries;
    uint32_t reserved;
};

struct hvm_modlist_entry {
    uint64_t paddr;
    uint64_t size;
    uint64_t cmdline_paddr;
    uint64_t reserved;
};

uint32_t decompress_main(uint32_t start_info,
                         const struct decompress_header *header,
                         uint32_t segment_end, uint64_t entry_tsc);

static void outb(uint16_t port, uint8_t value)
{
    __asm__ __volatile__("outb %0, %1" : : "a"(value), "Nd"(port));
}

static uint8_t inb(uint16_t port)
{
    uint8_t value;

    __asm__ __volatile__("inb %1, %0" : "=a"(value) : "Nd"(port));
    return value;
}

/* Writes s on the error channel as plat/kvm/debugcon.c picks it: the
 * isa-debugcon at 0x4e8 when a read of that port returns 0xe9, COM1
 * otherwise. */
static void put_string(const char *s)
{
    uint16_t port = inb(ERROR_PORT) == DEBUGCON_MAGIC ? ERROR_PORT : COM1_PORT;

    for (; *s; s++)
        outb(port, *s);
}

static void put_hex(uint64_t value)
{
    char buf[19];
    char *p = buf + sizeof(buf) - 1;

    *p = '\0';
    do {
        *--p = "0123456789abcdef"[value & 15];
        value >>= 4;
    } while (value);
    *--p = 'x';
    *--p = '0';
    put_string(p);
}

/* Ends the boot with status, as pogo_plat_exit (plat/kvm/shutdown.c)
 * does: the status byte for ./pogo run, isa-debug-exit, then a reset. */
static __attribute__((noreturn)) void power_off(uint8_t status)
{
    struct {
        uint16_t limit;
        uint32_t base;
    } __attribute__((packed)) empty = {0, 0};

    outb(DEBUGCON_PORT, status);
    outb(DEBUG_EXIT_PORT, status);
    outb(KBC_PORT, KBC_RESET);
    for (;;)
        __asm__ __volatile__("lidt %0\n\tint3" : : "m"(empty));
}

static __attribute__((noreturn)) void
fail_corrupt(const struct decompress_segment *segment, const char *what)
{
    put_string("pogo: the compressed image is corrupt: ");
    if (segment) {
        put_string("the segment at ");
        put_hex(segment->address);
        put_string(": ");
    }
    put_string(what);
    put_string("; build or copy the image again\n");
    power_off(DECOMPRESS_STATUS_CORRUPT);
}

/* Checks that the header is intact and that what it lists fits. */
static const char *check_header(const struct decompress_header *h,
                                uint32_t segment_end)
{
    uint32_t base = (uint32_t)(uintptr_t)h;
    uint32_t payload_room = segment_end - base;
    uint32_t previous_end = 0;

    if (h->magic != DECOMPRESS_MAGIC)
        return "the decompressor's header has no magic number";
    if (xxh32(&h->kernel_entry, DECOMPRESS_HEADER_SIZE - 8, 0) != h->checksum)
        return "the decompressor's header checksum does not match";
    if (h->segment_count == 0 || h->segment_count > DECOMPRESS_SEGMENTS_MAX)
        return "the header lists no segments or too many";
    if (h->payload_offset < DECOMPRESS_HEADER_SIZE ||
        h->payload_offset > payload_room)
        return "the frames start outside the image";
    payload_room -= h->payload_offset;

    /* The segments come in address order and end below the header. */
    for (uint32_t i = 0; i < h->segment_count; i++) {
        const struct decompress_segment *s = &h->segments[i];

        if (s->frame_size > payload_room)
            return "the frames end outside the image";
        payload_room -= s->frame_size;
        if (s->file_size > s->memory_size || s->address < previous_end ||
            s->address > base || s->memory_size > base - s->address)
            return "the header lists overlapping segments";
        previous_end = s->address + s->memory_size;
    }
    if (h->kernel_entry < h->segments[0].address ||
        h->kernel_entry >= previous_end)
        return "the kernel's entry point is outside the kernel";
    if (h->boot_tsc && (h->boot_tsc < h->segments[0].address ||
                        h->boot_tsc > previous_end - 8))
        return "the address of the boot timestamp is outside the kernel";
    return NULL;
}

static bool overlaps(uint64_t start, uint64_t size, uint32_t low, uint32_t high)
{
    return size && start < high && start + size > low;
}

static void put_range(uint64_t start, uint64_t end)
{
    put_hex(start);
    put_string("-");
    put_hex(end);
}

/*
 * Stops the boot when the initrd (the first boot module) overlaps
 * [low, high), the memory of the decompressed kernel and of this segment.
 * QEMU loads the initrd at the top of RAM before the image runs, so with
 * little memory it reaches down this far.
 */
static void check_initrd(const struct hvm_start_info *si, uint32_t low,
                         uint32_t high)
{
    const struct hvm_modlist_entry *m;

    if (si->nr_modules == 0 || !si->modlist_paddr ||
        si->modlist_paddr > UINT32_MAX)
        return;
    m = (const void *)(uintptr_t)si->modlist_paddr;
    if (!overlaps(m->paddr, m->size, low, high))
        return;
    put_string("pogo: the initrd at ");
    put_range(m->paddr, m->paddr + m->size);
    put_string(" overlaps the memory of the image at ");
    put_range(low, high);
    put_string("; give the machine more memory\n");
    power_off(DECOMPRESS_STATUS_NO_ROOM);
}

/*
 * Stops the boot when the monitor put the start info, its module list or
 * its memory map in [low, high), where the kernel is decompressed. QEMU
 * 7.2 puts them below 1 MiB on pc, q35 and microvm, but a loader may use
 * any memory outside the image's segment.
 */
static void check_start_info(const struct hvm_start_info *si, uint32_t low,
                             uint32_t high)
{
    const uint64_t tables[][2] = {
        {(uintptr_t)si, sizeof(*si)},
        {si->modlist_paddr,
         (uint64_t)si->nr_modules * sizeof(struct hvm_modlist_entry)},
        {si->version >= 1 ? si->memmap_paddr : 0,
         (uint64_t)si->memmap_entries * HVM_MEMMAP_ENTRY_SIZE},
    };

    for (size_t i = 0; i < sizeof(tables) / sizeof(tables[0]); i++) {
        if (!tables[i][0] || !overlaps(tables[i][0], tables[i][1], low, high))
            continue;
        put_string("pogo: the monitor put its boot information at ");
        put_range(tables[i][0], tables[i][0] + tables[i][1]);
        put_string(", in the memory of the compressed image at ");
        put_range(low, high);
        put_string("; boot the uncompressed image instead\n");
        power_off(DECOMPRESS_STATUS_NO_ROOM);
    }
}

typedef uint8_t __attribute__((vector_size(16), may_alias, aligned(1))) vec16;

/* Zeroes size bytes at p, 16 at a time with SSE (which entry.S enables). */
static void zero(uint8_t *p, uint32_t size)
{
    for (; size >= 16; size -= 16, p += 16)
        *(vec16 *)p = (vec16){0};
    for (; size; size--)
        *p++ = 0;
}

/*
 * Called by entry.S with the start info, the header's address, the end of
 * the segment and the time-stamp counter at the first instruction.
 * Returns the kernel's entry point.
 */
uint32_t decompress_main(uint32_t start_info,
                         const struct decompress_header *header,
                         uint32_t segment_end, uint64_t entry_tsc)
{
    const struct hvm_start_info *si = (const void *)(uintptr_t)start_info;
    const uint8_t *frame;
    const char *err;

    err = check_header(header, segment_end);
    if (err)
        fail_corrupt(NULL, err);
    /* The kernel reports a missing or invalid start info itself. */
    if (si && si->magic == HVM_START_MAGIC) {
        check_start_info(si, header->segments[0].address, segment_end);
        check_initrd(si, header->segments[0].address, segment_end);
    }

    frame = (const uint8_t *)header + header->payload_offset;
    for (uint32_t i = 0; i < header->segment_count; i++) {
        const struct decompress_segment *s = &header->segments[i];
        uint8_t *dst = (uint8_t *)(uintptr_t)s->address;

        err = lz4_decode_frame(frame, s->frame_size, dst, s->file_size);
        if (err)
            fail_corrupt(s, err);
        zero(dst + s->file_size, s->memory_size - s->file_size);
        frame += s->frame_size;
    }

    /* The kernel's boot trace and clocks count from this timestamp. */
    if (header->boot_tsc)
        *(volatile uint64_t *)(uintptr_t)header->boot_tsc = entry_tsc;
    return header->kernel_entry;
}
