# SPDX-License-Identifier: BSD-3-Clause
"""Format what `./pogo inspect` found as text: tables of sizes, the
configuration, the syscalls and the boot stages."""

import collections
import os
import re
import textwrap

from . import elf, linkmap

SizeRow = collections.namedtuple("SizeRow", "library text rodata data bss")

REACH_METHOD = (
    "How: objdump disassembles the application's and musl's code in the "
    "image, and the constants that reach %rax at a syscall instruction, or "
    "the number argument of a wrapper such as musl's syscall() or "
    "__syscall_cp(), are followed through registers and branches. Every "
    "linked function counts, including code that never runs. Numbers "
    "loaded from memory or computed at run time are missed, and those "
    "sites are listed as unresolved.")


def in_file(row):
    return row.text + row.rodata + row.data


def size_rows(table, sections):
    """Turn {library: {section: bytes}} into SizeRows, largest first, by
    the kind of each allocated section."""
    kinds = {s.name: elf.section_kind(s) for s in elf.allocated(sections)}
    rows = []
    for library, per_section in table.items():
        counts = collections.Counter()
        for name, size in per_section.items():
            counts[kinds[name]] += size
        rows.append(SizeRow(library, counts["text"], counts["rodata"],
                            counts["data"], counts["bss"]))
    rows.sort(key=lambda r: (-(in_file(r) + r.bss), r.library))
    return rows


def total_row(rows):
    return SizeRow("total", sum(r.text for r in rows),
                   sum(r.rodata for r in rows), sum(r.data for r in rows),
                   sum(r.bss for r in rows))


def format_size_row(row):
    numbers = (row.text, row.rodata, row.data, in_file(row), row.bss)
    return f"  {row.library:<26}" + "".join(f"{n:>10,}" for n in numbers)


def format_sizes(rows):
    header = f"  {'library':<26}" + "".join(
        f"{h:>10}" for h in ("text", "rodata", "data", "in file", "bss"))
    lines = ["Size by library (bytes; \"in file\" = text + rodata + data, "
             "bss is memory only)", header]
    lines += [format_size_row(r) for r in rows]
    lines.append(format_size_row(total_row(rows)))
    lines.append(wrap(
        f"{linkmap.PADDING} is space between input sections, and "
        f"{linkmap.RESERVED} is space that arch/x86_64/link.ld reserves "
        f"itself, such as the boot stack.", indent="  "))
    return "\n".join(lines)


def format_image(path, sections, rows, uncompressed=None):
    """Compare the image file's size with the section contents it holds,
    and give the memory the loaded image spans. uncompressed names the
    kernel image of an image built with CONFIG_IMAGE_COMPRESS."""
    loaded = elf.allocated(sections)
    contents = sum(s.size for s in loaded if s.type != elf.SHT_NOBITS)
    size = os.path.getsize(path)
    start = min(s.address for s in loaded)
    end = max(s.address + s.size for s in loaded)
    bss = total_row(rows).bss
    span = (f"Loaded, its sections span {start:#x}-{end:#x} "
            f"({(end - start) / 1024:,.0f} KiB, with {bss:,} bytes of bss)")
    if uncompressed is None:
        return wrap(
            f"Image file {display_path(path)}: {size:,} bytes, of which "
            f"{contents:,} are section contents and {size - contents:,} ELF "
            f"headers and padding. {span}, so ./pogo run needs -m above "
            f"{(end + 1023) // 1024:,} KiB.", indent="")
    kernel_size = os.path.getsize(uncompressed)
    top = elf.load_end(path)
    return wrap(
        f"Image file {display_path(path)}: {size:,} bytes, LZ4-compressed "
        f"(CONFIG_IMAGE_COMPRESS) from {display_path(uncompressed)}: "
        f"{kernel_size:,} bytes, of which {contents:,} are section contents "
        f"and {kernel_size - contents:,} ELF headers and padding. {span}. "
        f"The decompressor and the compressed data are loaded above them, "
        f"up to {top:#x}, so ./pogo run needs -m above "
        f"{(top + 1023) // 1024:,} KiB; after the boot that memory is "
        f"free.", indent="")


def format_sections(sections, table):
    """List the allocated output sections with their largest part."""
    lines = ["Size by output section",
             f"  {'section':<18}{'kind':<8}{'address':>10}{'bytes':>10}"
             f"{'largest part':>24}"]
    for s in elf.allocated(sections):
        parts = [(per.get(s.name, 0), lib) for lib, per in table.items()]
        size, library = max(parts, default=(0, ""))
        largest = f"{size:>10,} {library}" if size else ""
        lines.append(f"  {s.name:<18}{elf.section_kind(s):<8}"
                     f"{s.address:>#10x}{s.size:>10,}{largest}".rstrip())
    return "\n".join(lines)


def read_config(path):
    """Return (set, unset) from a resolved .config: (NAME, VALUE) pairs
    of the options that are set, and the names of those that are not,
    without the CONFIG_ prefix."""
    enabled, unset = [], []
    with open(path) as f:
        for line in f:
            m = re.match(r"^CONFIG_(\w+)=(.*)$", line)
            if m:
                enabled.append(m.groups())
            m = re.match(r"^# CONFIG_(\w+) is not set$", line)
            if m:
                unset.append(m.group(1))
    return enabled, unset


def format_config(path):
    enabled, unset = read_config(path)
    lines = [f"Configuration ({display_path(path)}, without the CONFIG_ "
             "prefix)",
             f"  set ({len(enabled)}):",
             wrap(" ".join(f"{n}={v}" for n, v in enabled)),
             f"  not set ({len(unset)}):",
             wrap(" ".join(unset) or "none")]
    return "\n".join(lines)


def syscall_label(number, names):
    return names.get(number, f"#{number}")


def format_syscalls(implemented, reach, names):
    """List the implemented syscalls, the reachable ones, those that are
    reachable and not implemented, and the unresolved sites."""
    implemented = implemented or {}
    reachable = reach.numbers
    missing = sorted(n for n in reachable if n not in implemented)
    lines = ["Syscalls",
             f"  implemented by the image (lib/posix's table): "
             f"{len(implemented)}",
             wrap(label_list(implemented, names)),
             f"  reachable from the application's and musl's code: "
             f"{len(reachable)}",
             wrap(label_list(reachable, names)),
             f"  reachable but not implemented, so they return ENOSYS: "
             f"{len(missing)}"]
    for n in missing:
        where = ", ".join(reachable[n][:3])
        more = len(reachable[n]) - 3
        where += f" and {more} more" if more > 0 else ""
        label = f"{syscall_label(n, names)} ({n})"
        lines.append(f"    {label:<24}in {where}")
    lines.append(f"  unresolved sites (number not a constant): "
                 f"{len(reach.unresolved)}")
    lines += [f"    {s.function} at {s.address:#x}" for s in reach.unresolved]
    lines.append(wrap(REACH_METHOD, indent="  "))
    return "\n".join(lines)


def label_list(numbers, names):
    labels = sorted(syscall_label(n, names) for n in numbers)
    return " ".join(labels) or "none"


def format_boot(trace):
    """Tabulate a boot trace: per stage, the counter and microseconds
    since the previous stage, and microseconds since entry."""
    unit = "instructions" if trace.instructions is not None else "TSC cycles"
    lines = ["Boot stages (./pogo run --boot-trace)",
             f"  {'stage':<12}{unit:>16}{'us':>12}{'us since entry':>18}"]
    previous_us = 0.0
    for stage in trace.stages:
        lines.append(f"  {stage.name:<12}{stage.since_previous:>16,}"
                     f"{stage.us - previous_us:>12,.3f}{stage.us:>18,.3f}")
        previous_us = stage.us
    if trace.instructions is not None:
        lines.append(wrap(
            f"Under TCG with -icount shift=0 the time-stamp counter counts "
            f"guest instructions ({trace.instructions:,} from the first "
            f"instruction to main), and the times are QEMU's virtual time.",
            indent="  "))
    return "\n".join(lines)


def wrap(text, indent="    "):
    return textwrap.fill(text, width=78, initial_indent=indent,
                         subsequent_indent=indent, break_on_hyphens=False,
                         break_long_words=False)


def display_path(path):
    """Return path relative to the working folder when it is inside."""
    relative = os.path.relpath(path)
    return path if relative.startswith("..") else relative
