# SPDX-License-Identifier: BSD-3-Clause
"""The syscalls an image implements (its syscall table) and those that
the application's and musl's code in it can make."""

import re
import struct

from . import elf, linkmap, reach

# musl's list of x86_64 syscall numbers, the ABI that applications are
# built against (scripts/gen-syscalls.sh reads it too).
MUSL_SYSCALL_HEADER = "/usr/include/x86_64-linux-musl/bits/syscall.h"
NR_DEFINE = re.compile(r"^#define __NR_(\w+)\s+(\d+)\s*$")

# lib/posix/syscall.c keeps its table, indexed by number, in the static
# array `table`, which -fdata-sections puts in the input section below.
TABLE_SECTION = ".rodata.table"
TABLE_OBJECT = "/lib/posix/syscall.o"

# The code whose syscalls are searched: the application's and musl's.
CALLER_LIBRARIES = (linkmap.APPLICATION, linkmap.MUSL)


def syscall_names(header=MUSL_SYSCALL_HEADER):
    """Return {number: name} from musl's bits/syscall.h."""
    names = {}
    with open(header) as f:
        for line in f:
            m = NR_DEFINE.match(line)
            if m:
                names[int(m.group(2))] = m.group(1)
    return names


def implemented(dbg, sections, pieces):
    """Read the image's syscall table. Returns {number: [names of the
    function in the entry]}, or None when the image has no lib/posix."""
    table = next((p for p in pieces if p.name == TABLE_SECTION
                  and p.origin.endswith(TABLE_OBJECT)), None)
    if table is None:
        return None
    data = elf.read_at(dbg, sections, table.address, table.size)
    entries = struct.unpack(f"<{len(data) // 8}Q", data)
    symbols = elf.function_symbols(dbg)
    return {number: sorted(symbols.get(address, [f"{address:#x}"]))
            for number, address in enumerate(entries) if address}


def code_ranges(pieces, executable, build_dir, libraries=CALLER_LIBRARIES):
    """Return the [start, end) address ranges of the executable input
    sections of the given libraries, adjacent ones joined (padding
    between them does not split a range)."""
    code = sorted((p for p in pieces if p.section in executable),
                  key=lambda p: p.address)
    ranges = []
    joinable = False
    for piece in code:
        library = linkmap.library_of(piece.origin, build_dir)
        end = piece.address + piece.size
        if library in libraries:
            if joinable and ranges:
                ranges[-1][1] = max(ranges[-1][1], end)
            else:
                ranges.append([piece.address, end])
            joinable = True
        elif library != linkmap.PADDING:
            joinable = False
    return [tuple(r) for r in ranges]


def reachable(dbg, pieces, executable, build_dir):
    """Find the syscall numbers that the application's and musl's code
    can make (see reach.py for the method). Returns a reach.Reach."""
    ranges = code_ranges(pieces, executable, build_dir)
    functions = reach.disassemble(dbg, ranges)
    return reach.summarize(reach.find_sites(functions))
