#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""Compresses a packed Pogo image (CONFIG_IMAGE_COMPRESS). Each loadable
segment of the kernel becomes one LZ4 frame, made by Debian's lz4 command.
The output is an ELF image with one loadable segment that contains the
decompressor (arch/x86_64/decompress), the frames and the decompressor's
stack. The segment starts where the kernel's memory ends, so that the
kernel can be decompressed to its link addresses. The PVH note points at
the decompressor, which jumps to the kernel's PVH entry.

usage: compress-image.py --decompressor BIN [--symbols DBG] IN OUT

BIN is the decompressor as a flat binary, IN the stripped and packed
kernel image, and DBG the same image with its symbol table, from which
the decompressor learns where to store the boot trace's first timestamp.
"""
import argparse
import os
import struct
import subprocess
import sys
import tempfile

ELF_HEADER = struct.Struct("<16sHHIQQQIHHHHHH")
PROGRAM_HEADER = struct.Struct("<IIQQQQQQ")
SECTION_HEADER = struct.Struct("<IIQQQQIIQQ")
SYMBOL = struct.Struct("<IBBHQQ")
NOTE_HEADER = struct.Struct("<III")
PT_LOAD = 1
PT_NOTE = 4
PF_X, PF_W, PF_R = 1, 2, 4
SHT_SYMTAB = 2
EM_X86_64 = 62
XEN_ELFNOTE_PHYS32_ENTRY = 18
PAGE_SIZE = 4096
ALIGN = 16

# The decompressor's header, as arch/x86_64/decompress/decompress.h
# defines it: six 32-bit fields, then DECOMPRESS_SEGMENTS_MAX segments
# of four.
DECOMPRESS_MAGIC = 0x7A676F50
DECOMPRESS_SEGMENTS_MAX = 8
HEADER = struct.Struct("<6I")
SEGMENT = struct.Struct("<4I")
DECOMPRESS_HEADER_SIZE = HEADER.size + DECOMPRESS_SEGMENTS_MAX * SEGMENT.size
DECOMPRESS_ENTRY_OFFSET = DECOMPRESS_HEADER_SIZE
DECOMPRESS_STACK_TOP_OFFSET = DECOMPRESS_ENTRY_OFFSET + 1
DECOMPRESS_STACK_SIZE = 1024
MOV_IMM32_ESP = 0xBC

# Level 12 is lz4's best compression, and decoding is as fast at every
# level. Block checksums let the decompressor check every compressed byte
# before it decodes a block. The content checksum would cost a second pass
# over the decoded kernel, so it is left out.
LZ4_OPTIONS = ["-12", "--content-size", "-BX", "--no-frame-crc"]


def fail(message):
    sys.exit(f"compress-image: {message}")


def align(value, alignment):
    return -(-value // alignment) * alignment


def xxh32(data, seed=0):
    """XXH32 of data, as the xxHash specification defines it."""
    primes = (0x9E3779B1, 0x85EBCA77, 0xC2B2AE3D, 0x27D4EB2F, 0x165667B1)
    mask = 0xFFFFFFFF

    def rotl(x, r):
        return ((x << r) | (x >> (32 - r))) & mask

    def round_(acc, lane):
        return rotl((acc + lane * primes[1]) & mask, 13) * primes[0] & mask

    n = len(data)
    p = 0
    if n >= 16:
        v = [(seed + primes[0] + primes[1]) & mask, (seed + primes[1]) & mask,
             seed, (seed - primes[0]) & mask]
        while n - p >= 16:
            lanes = struct.unpack_from("<4I", data, p)
            v = [round_(a, lane) for a, lane in zip(v, lanes)]
            p += 16
        acc = (rotl(v[0], 1) + rotl(v[1], 7) + rotl(v[2], 12) +
               rotl(v[3], 18)) & mask
    else:
        acc = (seed + primes[4]) & mask
    acc = (acc + n) & mask
    while n - p >= 4:
        lane = struct.unpack_from("<I", data, p)[0]
        acc = rotl((acc + lane * primes[2]) & mask, 17) * primes[3] & mask
        p += 4
    while p < n:
        acc = rotl((acc + data[p] * primes[4]) & mask, 11) * primes[0] & mask
        p += 1
    acc ^= acc >> 15
    acc = acc * primes[1] & mask
    acc ^= acc >> 13
    acc = acc * primes[2] & mask
    acc ^= acc >> 16
    return acc


def read_elf(path):
    with open(path, "rb") as f:
        data = f.read()
    if data[:4] != b"\x7fELF" or data[4] != 2 or data[5] != 1:
        fail(f"{path}: not a little-endian 64-bit ELF file")
    return data, ELF_HEADER.unpack_from(data)


def read_image(path):
    """Returns the loadable segments of the image at path, in address
    order, as (address, file bytes, memory size), and its PVH entry."""
    data, header = read_elf(path)
    phoff, phentsize, phnum = header[5], header[9], header[10]
    segments, entry = [], None
    for i in range(phnum):
        ptype, _, offset, _, paddr, filesz, memsz, _ = \
            PROGRAM_HEADER.unpack_from(data, phoff + i * phentsize)
        if ptype == PT_LOAD:
            segments.append((paddr, data[offset:offset + filesz], memsz))
        elif ptype == PT_NOTE:
            entry = entry or pvh_entry(data[offset:offset + filesz])
    if entry is None:
        fail(f"{path}: no PVH entry note (XEN_ELFNOTE_PHYS32_ENTRY)")
    if not segments or len(segments) > DECOMPRESS_SEGMENTS_MAX:
        fail(f"{path}: {len(segments)} loadable segments; the decompressor "
             f"takes 1 to {DECOMPRESS_SEGMENTS_MAX}")
    return sorted(segments), entry


def pvh_entry(notes):
    """Returns the PVH entry point in a PT_NOTE segment's notes, or
    None."""
    p = 0
    while p + NOTE_HEADER.size <= len(notes):
        namesz, descsz, ntype = NOTE_HEADER.unpack_from(notes, p)
        name_at = p + NOTE_HEADER.size
        desc_at = name_at + align(namesz, 4)
        if ntype == XEN_ELFNOTE_PHYS32_ENTRY and \
                notes[name_at:name_at + namesz] == b"Xen\0" and descsz >= 4:
            return struct.unpack_from("<I", notes, desc_at)[0]
        p = desc_at + align(descsz, 4)
    return None


def symbol_address(path, name):
    """Returns the address of symbol name in the ELF file at path, or 0."""
    data, header = read_elf(path)
    shoff, shentsize, shnum = header[6], header[11], header[12]
    sections = [SECTION_HEADER.unpack_from(data, shoff + i * shentsize)
                for i in range(shnum)]
    for s in sections:
        if s[1] != SHT_SYMTAB:
            continue
        strtab = sections[s[6]]
        strings = data[strtab[4]:strtab[4] + strtab[5]]
        for at in range(s[4], s[4] + s[5], SYMBOL.size):
            st_name, _, _, _, value, _ = SYMBOL.unpack_from(data, at)
            end = strings.index(b"\0", st_name)
            if strings[st_name:end] == name.encode():
                return value
    return 0


def compress(data):
    """Returns data as one LZ4 frame, made by the lz4 command (from files,
    since lz4 records the content size only for a file)."""
    with tempfile.TemporaryDirectory() as tmp:
        raw, packed = os.path.join(tmp, "raw"), os.path.join(tmp, "raw.lz4")
        with open(raw, "wb") as f:
            f.write(data)
        try:
            p = subprocess.run(["lz4", "-q", "-f"] + LZ4_OPTIONS + [raw, packed],
                               capture_output=True, text=True)
        except FileNotFoundError:
            fail("lz4 is missing; run: apt-get install lz4")
        if p.returncode != 0:
            fail(f"lz4 failed: {p.stderr.strip()}")
        with open(packed, "rb") as f:
            frame = f.read()
    # Check this file's XXH32, which signs the decompressor's header,
    # against the frame header checksum that lz4 computed: the second byte
    # of the XXH32 of FLG, BD and the optional content size and
    # dictionary ID.
    flags = frame[4]
    descriptor = 2
    if flags & 0x08:  # content size
        descriptor += 8
    if flags & 0x01:  # dictionary ID
        descriptor += 4
    if (xxh32(frame[4:4 + descriptor]) >> 8) & 0xFF != frame[4 + descriptor]:
        fail("the XXH32 of this script differs from lz4's")
    return frame


def build_segment(decompressor, segments, kernel_entry, boot_tsc, base):
    """Returns the bytes of the loadable segment at base and its memory
    size: the decompressor with its header and stack top filled in, then
    the frames."""
    blob = bytearray(decompressor)
    if len(blob) < DECOMPRESS_STACK_TOP_OFFSET + 4 or \
            struct.unpack_from("<I", blob)[0] != DECOMPRESS_MAGIC or \
            blob[DECOMPRESS_ENTRY_OFFSET] != MOV_IMM32_ESP:
        fail("the decompressor does not start with the header and entry "
             "that this script expects")
    frames = [compress(data) for _, data, _ in segments]
    payload_offset = align(len(blob), ALIGN)
    file_size = payload_offset + sum(len(f) for f in frames)
    memory_size = align(file_size, ALIGN) + DECOMPRESS_STACK_SIZE

    table = b"".join(SEGMENT.pack(address, len(data), memsz, len(frame))
                     for (address, data, memsz), frame in zip(segments, frames))
    table += bytes(DECOMPRESS_HEADER_SIZE - HEADER.size - len(table))
    fields = HEADER.pack(DECOMPRESS_MAGIC, 0, kernel_entry, boot_tsc,
                         payload_offset, len(segments)) + table
    checksum = xxh32(fields[8:])
    blob[:DECOMPRESS_HEADER_SIZE] = fields[:4] + struct.pack("<I", checksum) + \
        fields[8:]
    struct.pack_into("<I", blob, DECOMPRESS_STACK_TOP_OFFSET, base + memory_size)

    out = blob + bytes(payload_offset - len(blob))
    for frame in frames:
        out += frame
    return bytes(out), memory_size


def elf_image(segment, memory_size, base):
    """Returns an ELF file with one loadable segment at base and a PVH
    note that points at the decompressor's entry."""
    entry = base + DECOMPRESS_ENTRY_OFFSET
    name = b"Xen\0"
    # An 8-byte value, because QEMU 7.2 reads the entry as a 64-bit word
    # from the notes of a 64-bit ELF file (read_pvh_start_addr in
    # hw/i386/x86.c).
    note = NOTE_HEADER.pack(len(name), 8, XEN_ELFNOTE_PHYS32_ENTRY) + name + \
        struct.pack("<Q", entry)
    phoff = ELF_HEADER.size
    note_offset = phoff + 2 * PROGRAM_HEADER.size
    segment_offset = align(note_offset + len(note), ALIGN)
    ident = b"\x7fELF\x02\x01\x01" + bytes(9)
    header = ELF_HEADER.pack(ident, 2, EM_X86_64, 1, entry, phoff, 0, 0,
                             ELF_HEADER.size, PROGRAM_HEADER.size, 2, 0, 0, 0)
    load = PROGRAM_HEADER.pack(PT_LOAD, PF_R | PF_W | PF_X, segment_offset,
                               base, base, len(segment), memory_size, ALIGN)
    notes = PROGRAM_HEADER.pack(PT_NOTE, PF_R, note_offset, 0, 0, len(note),
                                0, 4)
    out = header + load + notes + note
    return out + bytes(segment_offset - len(out)) + segment


def main():
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--decompressor", required=True)
    parser.add_argument("--symbols")
    parser.add_argument("image")
    parser.add_argument("output")
    args = parser.parse_args()

    segments, kernel_entry = read_image(args.image)
    base = align(max(address + memsz for address, _, memsz in segments),
                 PAGE_SIZE)
    boot_tsc = 0
    if args.symbols:
        boot_tsc = symbol_address(args.symbols, "pogo_boot_tsc_entry")
        if not boot_tsc:
            fail(f"{args.symbols}: no symbol pogo_boot_tsc_entry")
    with open(args.decompressor, "rb") as f:
        decompressor = f.read()
    segment, memory_size = build_segment(decompressor, segments,
                                         kernel_entry, boot_tsc, base)
    with open(args.output, "wb") as f:
        f.write(elf_image(segment, memory_size, base))


if __name__ == "__main__":
    main()
