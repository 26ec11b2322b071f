# SPDX-License-Identifier: BSD-3-Clause
"""Parse the memory map of a GNU ld linker map (the layout that binutils
2.40 writes with -Map) and group the bytes of the image by the library
that each input section came from."""

import collections
import os
import re

MAP_START = "Linker script and memory map"

# One placed piece of an output section: an input section or padding.
# origin is the object file, "archive(member)", or one of the markers
# PADDING and RESERVED for the bytes that the linker itself adds.
Piece = collections.namedtuple("Piece", "section name address size origin")

# An output section as the map states it.
OutputSection = collections.namedtuple("OutputSection", "name address size")

PADDING = "(alignment padding)"
RESERVED = "(reserved by link.ld)"
# Bytes of an output section that none of its pieces accounts for.
UNACCOUNTED = "(unaccounted)"

MUSL = "musl libc"
LIBGCC = "libgcc"
LWIP = "lwIP"
APPLICATION = "application"

# Objects that mk/image.mk generates in the build folder.
GENERATED = {
    "appinfo.o": "program name (appinfo.o)",
    "initrd.o": "rootfs (initrd.o)",
    "symtab.o": "symbol table (symtab.o)",
    "pagetables.o": "page tables (pagetables.o)",
}

# Pogo's kernel objects are built under <config folder>/kernel/, one
# folder per library, as mk/image.mk lays them out.
KERNEL_OBJECT = re.compile(
    r".*/kernel/((?:lib|drivers)/[^/]+|arch/[^/]+|plat/[^/]+|lwip)/")
ARCHIVE_MEMBER = re.compile(r"^(.*)\(([^()]*)\)$")

OUTPUT_LINE = re.compile(
    r"^([^\s*]\S*)(?:\s+0x([0-9a-f]+)\s+0x([0-9a-f]+))?\s*$")
INPUT_LINE = re.compile(
    r"^ ([^\s*]\S*)(?:\s+0x([0-9a-f]+)\s+0x([0-9a-f]+)(?:\s+(\S.*?))?)?\s*$")
FILL_LINE = re.compile(r"^ \*fill\*\s+0x([0-9a-f]+)\s+0x([0-9a-f]+)\s*$")
# The address line of a section whose name was too long for one line.
ADDRESS_LINE = re.compile(
    r"^\s+0x([0-9a-f]+)\s+0x([0-9a-f]+)(?:\s+(\S.*?))?\s*$")
# "SYMBOL = EXPRESSION" and ". = EXPRESSION" lines of the linker script.
ASSIGNMENT_LINE = re.compile(r"^\s+0x[0-9a-f]+\s+(\S.*)$")
# ld prints the script's "x += N", which reserves space, as ". = (. + N)".
RESERVING = re.compile(r"^\. = \(\. \+ ")
# Directives at the start of a line that are not output sections.
NOT_SECTIONS = ("LOAD ", "START GROUP", "END GROUP", "OUTPUT(", "INPUT(",
                "GROUP(")
# The linker script's list of what it discards, printed as a section.
DISCARD = "/DISCARD/"


class MapError(Exception):
    """A linker map that this parser cannot read."""


class MapParser:
    """A reader of the memory map, line by line. A section name longer
    than ld's column is printed alone, with its address and size on the
    next line, so the parser keeps that name pending until the next
    line."""

    def __init__(self):
        self.sections = []
        self.pieces = []
        self.current = None
        self.pending = None
        self.reserving = False

    def feed(self, line):
        if self.pending and self.finish_pending(line):
            return
        m = FILL_LINE.match(line)
        if m:
            self.add_fill(int(m.group(1), 16), int(m.group(2), 16))
            return
        m = ASSIGNMENT_LINE.match(line)
        self.reserving = bool(m and RESERVING.match(m.group(1)))
        if m:
            return
        m = INPUT_LINE.match(line)
        if m and self.current is not None:
            self.start_piece(*m.groups())
            return
        if line.startswith(DISCARD):
            self.current = DISCARD
            return
        m = OUTPUT_LINE.match(line)
        if m and not line.startswith(NOT_SECTIONS):
            self.start_section(*m.groups())

    def finish_pending(self, line):
        """Complete a pending name with this address line. Return False
        if the line is something else."""
        kind, name = self.pending
        self.pending = None
        m = ADDRESS_LINE.match(line)
        if kind == "section":
            self.add_section(name, *(m.groups()[:2] if m else ("0", "0")))
        elif m:
            self.start_piece(name, *m.groups())
        return m is not None

    def start_section(self, name, address, size):
        self.current = name
        if address is None:
            self.pending = ("section", name)
        else:
            self.add_section(name, address, size)

    def add_section(self, name, address, size):
        self.sections.append(OutputSection(name, int(address, 16),
                                           int(size, 16)))

    def start_piece(self, name, address, size, origin=None):
        if address is None:
            self.pending = ("piece", name)
            return
        size = int(size, 16)
        if size and origin:
            self.pieces.append(Piece(self.current, name, int(address, 16),
                                     size, origin))

    def add_fill(self, address, size):
        origin = RESERVED if self.reserving else PADDING
        self.reserving = False
        if self.current is not None:
            self.pieces.append(Piece(self.current, "*fill*", address, size,
                                     origin))


def parse_map(text):
    """Parse the memory map of a linker map. Returns (sections, pieces):
    the output sections in order, and their non-empty input sections and
    padding. The map's other parts (archive members, discarded input
    sections) are skipped."""
    lines = text.splitlines()
    try:
        start = lines.index(MAP_START) + 1
    except ValueError:
        raise MapError(f"not a GNU ld linker map (no '{MAP_START}' "
                       f"line)") from None
    parser = MapParser()
    for line in lines[start:]:
        parser.feed(line)
    if parser.pending and parser.pending[0] == "section":
        parser.add_section(parser.pending[1], "0", "0")
    return parser.sections, parser.pieces


def library_of(origin, build_dir):
    """Name the library that an input section's origin belongs to:
    lib/<name>, arch/x86_64, plat/kvm, drivers/<name>, lwIP, application,
    musl libc, libgcc, a generated object, or the archive's file name."""
    if origin in (PADDING, RESERVED):
        return origin
    m = ARCHIVE_MEMBER.match(origin)
    if m:
        return archive_library(m.group(1))
    m = KERNEL_OBJECT.match(origin)
    if m:
        return LWIP if m.group(1) == "lwip" else m.group(1)
    relative = os.path.relpath(origin, build_dir)
    if relative in GENERATED:
        return GENERATED[relative]
    if relative.startswith("app" + os.sep):
        return APPLICATION
    return runtime_object(origin)


def archive_library(path):
    name = os.path.basename(path)
    if name == "libc.a":
        return MUSL
    if name.startswith("libgcc"):
        return LIBGCC
    return name


def runtime_object(path):
    """Name the owner of an object outside the build folder: musl's and
    GCC's start files (crt1.o, crtbegin.o, ...), or the path itself."""
    if "-linux-musl/" in path:
        return MUSL
    if "/gcc/" in path:
        return LIBGCC
    return path


def kind_of(library):
    """Classify a library for ordering and colours: pogo, lwip, app, musl,
    libgcc or other."""
    if library in (MUSL, LIBGCC, LWIP, APPLICATION):
        return {MUSL: "musl", LIBGCC: "libgcc", LWIP: "lwip",
                APPLICATION: "app"}[library]
    if (library.startswith(("lib/", "arch/", "plat/", "drivers/"))
            or library in GENERATED.values()
            or library in (PADDING, RESERVED)):
        return "pogo"
    return "other"


def placed_sizes(pieces, section):
    """Return the bytes that each piece of one output section occupies,
    in the order given. Merged string sections (.rodata.*.str1.1,
    .comment) are where ld's sizes overlap: it may print a merged blob's
    whole size for one input section and place the next input sections
    inside it, or print an unmerged size past the section's end. So each
    piece ends at the start of the next, or at the section's end."""
    order = sorted(range(len(pieces)), key=lambda i: pieces[i].address)
    sizes = [0] * len(pieces)
    for position, i in enumerate(order):
        piece = pieces[i]
        end = section.address + section.size
        if position + 1 < len(order):
            end = min(end, pieces[order[position + 1]].address)
        sizes[i] = max(0, min(piece.size, end - piece.address))
    return sizes


def size_table(sections, pieces, build_dir, names=None):
    """Sum the bytes of each library in each output section. names limits
    the output sections (for example to those the image loads). Returns
    {library: {section: bytes}}, where bytes that no piece accounts for
    are under the library UNACCOUNTED."""
    by_name = {s.name: s for s in sections}
    included = set(by_name) if names is None else set(names) & set(by_name)
    grouped = collections.defaultdict(list)
    for piece in pieces:
        if piece.section in included:
            grouped[piece.section].append(piece)
    table = collections.defaultdict(collections.Counter)
    for name, members in grouped.items():
        for piece, size in zip(members, placed_sizes(members, by_name[name])):
            table[library_of(piece.origin, build_dir)][name] += size
    for name in included:
        rest = by_name[name].size - sum(t[name] for t in table.values())
        if rest:
            table[UNACCOUNTED][name] += rest
    return {library: dict(counts) for library, counts in table.items()}
