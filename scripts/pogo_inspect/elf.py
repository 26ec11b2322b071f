# SPDX-License-Identifier: BSD-3-Clause
"""Read the section headers, bytes and symbols of a 64-bit little-endian
ELF file (the image with debug symbols, <name>.dbg)."""

import collections
import struct
import subprocess

ELF_HEADER = struct.Struct("<16sHHIQQQIHHHHHH")
PROGRAM_HEADER = struct.Struct("<IIQQQQQQ")
SECTION_HEADER = struct.Struct("<IIQQQQIIQQ")
PT_LOAD = 1
SHT_NOBITS = 8
SHF_WRITE = 0x1
SHF_ALLOC = 0x2
SHF_EXECINSTR = 0x4

Section = collections.namedtuple("Section",
                                 "name type flags address offset size")


class ElfError(Exception):
    """A file that is not the kind of ELF file a Pogo build writes."""


def read_sections(path):
    """Return the sections of the ELF file at path, in header order."""
    with open(path, "rb") as f:
        data = f.read()
    if data[:4] != b"\x7fELF" or data[4] != 2 or data[5] != 1:
        raise ElfError(f"{path}: not a little-endian 64-bit ELF file")
    header = ELF_HEADER.unpack_from(data)
    shoff, shentsize, shnum, shstrndx = header[6], *header[11:14]
    end = shoff + shnum * shentsize
    if shentsize != SECTION_HEADER.size or end > len(data):
        raise ElfError(f"{path}: invalid section header table")
    raw = [SECTION_HEADER.unpack_from(data, shoff + i * shentsize)
           for i in range(shnum)]
    names_offset = raw[shstrndx][4]
    sections = []
    for name, kind, flags, address, offset, size, *_ in raw[1:]:
        end = data.index(b"\0", names_offset + name)
        sections.append(Section(data[names_offset + name:end].decode(),
                                kind, flags, address, offset, size))
    return sections


def load_end(path):
    """Return the end address of the highest loadable segment of the ELF
    file at path (the stripped image has no section headers)."""
    with open(path, "rb") as f:
        data = f.read()
    if data[:4] != b"\x7fELF" or data[4] != 2 or data[5] != 1:
        raise ElfError(f"{path}: not a little-endian 64-bit ELF file")
    header = ELF_HEADER.unpack_from(data)
    phoff, phentsize, phnum = header[5], header[9], header[10]
    if phentsize != PROGRAM_HEADER.size or \
            phoff + phnum * phentsize > len(data):
        raise ElfError(f"{path}: invalid program header table")
    ends = [paddr + memsz for kind, _, _, _, paddr, _, memsz, _ in
            (PROGRAM_HEADER.unpack_from(data, phoff + i * phentsize)
             for i in range(phnum)) if kind == PT_LOAD]
    if not ends:
        raise ElfError(f"{path}: no loadable segment")
    return max(ends)


def section_kind(section):
    """Classify an allocated section: text (executable), rodata
    (read-only), data (writable, in the file) or bss (memory only)."""
    if section.type == SHT_NOBITS:
        return "bss"
    if section.flags & SHF_EXECINSTR:
        return "text"
    if section.flags & SHF_WRITE:
        return "data"
    return "rodata"


def allocated(sections):
    """Return the sections that are loaded into memory."""
    return [s for s in sections if s.flags & SHF_ALLOC]


def read_at(path, sections, address, size):
    """Read size bytes that the file loads at address."""
    for s in sections:
        inside = s.address <= address and address + size <= s.address + s.size
        if s.flags & SHF_ALLOC and s.type != SHT_NOBITS and inside:
            with open(path, "rb") as f:
                f.seek(s.offset + address - s.address)
                return f.read(size)
    raise ElfError(f"{path}: no section contains the {size} bytes at "
                   f"{address:#x}")


def function_symbols(path):
    """Return {address: [names]} of the functions in the symbol table."""
    out = subprocess.run(["nm", "--defined-only", path], capture_output=True,
                         text=True, check=True).stdout
    symbols = collections.defaultdict(list)
    for line in out.splitlines():
        fields = line.split()
        if len(fields) == 3 and fields[1] in "tTwW":
            symbols[int(fields[0], 16)].append(fields[2])
    return symbols
