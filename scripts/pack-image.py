#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""Packs a stripped Pogo image: its loadable segments one after the other
in the file, 16-byte aligned, instead of each at the start of a page, and
no section headers. The segments keep their addresses and contents, so
the loaded image is the same; only the file is smaller (a few KiB, which
matters for the smallest images). Boot loaders of PVH kernels read each
segment from its file offset and need no section headers.

usage: pack-image.py IN OUT
"""
import struct
import sys

ELF_HEADER = struct.Struct("<16sHHIQQQIHHHHHH")
PROGRAM_HEADER = struct.Struct("<IIQQQQQQ")
PT_LOAD = 1
SEGMENT_ALIGN = 16


def fail(message):
    sys.exit(f"pack-image: {message}")


def main():
    if len(sys.argv) != 3:
        fail("usage: pack-image.py IN OUT")
    with open(sys.argv[1], "rb") as f:
        data = f.read()
    if data[:4] != b"\x7fELF" or data[4] != 2 or data[5] != 1:
        fail(f"{sys.argv[1]}: not a little-endian 64-bit ELF file")
    header = list(ELF_HEADER.unpack_from(data))
    phoff, phentsize, phnum = header[5], header[9], header[10]
    if phentsize != PROGRAM_HEADER.size:
        fail(f"{sys.argv[1]}: unexpected program header size {phentsize}")
    phdrs = [list(PROGRAM_HEADER.unpack_from(data, phoff + i * phentsize))
             for i in range(phnum)]
    loads = sorted((p for p in phdrs if p[0] == PT_LOAD), key=lambda p: p[2])
    if not loads or loads[0][2] != 0:
        fail(f"{sys.argv[1]}: the first loadable segment must hold the ELF "
             "header")

    # New file offset of each loadable segment, keyed by its old one.
    moved = {}
    out = bytearray()
    for p in loads:
        offset, vaddr, filesz = p[2], p[3], p[5]
        out += bytes(-len(out) % SEGMENT_ALIGN)
        if (len(out) - vaddr) % SEGMENT_ALIGN:
            fail(f"segment at {vaddr:#x} is not {SEGMENT_ALIGN}-byte aligned")
        moved[offset] = (len(out), filesz)
        out += data[offset:offset + filesz]

    def new_offset(offset, size):
        for old, (new, filesz) in moved.items():
            if old <= offset and offset + size <= old + filesz:
                return new + offset - old
        fail(f"file range {offset:#x}+{size:#x} is in no loadable segment")

    for p in phdrs:
        if p[0] == PT_LOAD:
            p[2] = moved[p[2]][0]
            p[7] = SEGMENT_ALIGN
        elif p[5]:
            p[2] = new_offset(p[2], p[5])
        else:
            p[2] = 0
    header[6] = 0  # no section headers
    header[11] = header[12] = header[13] = 0
    out[:ELF_HEADER.size] = ELF_HEADER.pack(*header)
    for i, p in enumerate(phdrs):
        at = phoff + i * phentsize
        out[at:at + phentsize] = PROGRAM_HEADER.pack(*p)
    with open(sys.argv[2], "wb") as f:
        f.write(out)


if __name__ == "__main__":
    main()
