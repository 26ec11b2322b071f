# SPDX-License-Identifier: BSD-3-Clause
"""./pogo inspect: the linker-map parser and its grouping by library, on
a fixed map excerpt, and the syscall search, on a fixed disassembly. On a
real helloworld build, the sizes must add up to the section sizes that
readelf reports, and the command must print every part of its report."""
import os
import re
import subprocess
import sys

import pogotest
from pogotest import Failure, check, check_eq

sys.path.insert(0, os.path.join(pogotest.ROOT, "scripts"))
from pogo_inspect import elf, linkmap, reach, syscalls  # noqa: E402

HELLO = os.path.join(pogotest.ROOT, "apps", "helloworld")
TESTS = []


def add(fn):
    TESTS.append((f"system.inspect.{fn.__name__}", fn))
    return fn


# A map in the layout GNU ld 2.40 writes, cut down. The parts before the
# memory map, discarded sections included, must be skipped. It has merged
# strings whose printed sizes overlap, padding, space reserved by the
# script, names too long for their column and an empty output section.
# Its .comment (not allocated) prints a size past the section's end.
MAP_EXCERPT = """\
Archive member included to satisfy reference by file (symbol)

/usr/lib/x86_64-linux-musl/libc.a(puts.lo)
                              /build/demo/app/main.o (puts)

Discarded input sections

 .text          0x0000000000000000        0x0 /build/demo/app/main.o
 .text.unused   0x0000000000000000       0x40 /build/demo/kernel/lib/alloc/heap.o

Memory Configuration

Name             Origin             Length             Attributes
*default*        0x0000000000000000 0xffffffffffffffff

Linker script and memory map

LOAD /usr/lib/x86_64-linux-musl/Scrt1.o
LOAD /build/demo/app/main.o
                0x0000000000100000                . = 0x100000
                0x0000000000100000                __pogo_image_start = .

.text           0x0000000000100000      0x100
 *(.text.boot)
 .text.boot     0x0000000000100000       0x20 /build/demo/kernel/arch/x86_64/pvh.o
                0x0000000000100000                pvh_start32
 *(.text .text.*)
 .text          0x0000000000100020       0x16 /usr/lib/x86_64-linux-musl/Scrt1.o
                0x0000000000100020                _start
 *fill*         0x0000000000100036        0xa 
 .text.startup.main
                0x0000000000100040       0x14 /build/demo/app/main.o
                0x0000000000100040                main
 *fill*         0x0000000000100054        0xc 
 .text.pogo_malloc
                0x0000000000100060       0x30 /build/demo/kernel/lib/alloc/heap.o
                0x0000000000100060                pogo_malloc
 .text.tcp_input
                0x0000000000100090       0x40 /build/demo/kernel/lwip/core/tcp_in.o
 .text.puts     0x00000000001000d0       0x20 /usr/lib/x86_64-linux-musl/libc.a(puts.lo)
 .text          0x00000000001000f0       0x10 /usr/lib/gcc/x86_64-linux-gnu/12/libgcc.a(_divdi3.o)

.rodata         0x0000000000101000       0x60
 *(.rodata .rodata.*)
 .rodata.pogo_vlog.str1.1
                0x0000000000101000       0x30 /build/demo/kernel/lib/log/log.o
                                          0x8 (size before relaxing)
 .rodata.str1.1
                0x0000000000101000       0x20 /build/demo/kernel/lib/log/log.o
 .rodata.pogo_app_name
                0x0000000000101020        0x5 /build/demo/appinfo.o
                0x0000000000101020                pogo_app_name
 *fill*         0x0000000000101025        0x3 
 .rodata.table  0x0000000000101028       0x38 /build/demo/kernel/lib/posix/syscall.o

.eh_frame_hdr
 *(.eh_frame_hdr)

.pogo_initrd    0x0000000000101060      0x200
                0x0000000000101060                __pogo_initrd_start = .
 *(.pogo_initrd)
 .pogo_initrd   0x0000000000101060      0x200 /build/demo/initrd.o
                0x0000000000102000                . = ALIGN (0x1000)

.data           0x0000000000102000       0x10
 *(.data .data.*)
 .data.queues   0x0000000000102000       0x10 /build/demo/kernel/drivers/virtio/virtio_net.o

.bss            0x0000000000102010     0x3ff0
 *(.bss .bss.*)
 .bss.idt       0x0000000000102010      0x100 /build/demo/kernel/arch/x86_64/exceptions.o
 *(COMMON)
 COMMON         0x0000000000102110       0x10 /build/demo/app/main.o
                0x0000000000103000                . = ALIGN (0x1000)
 *fill*         0x0000000000102120      0xee0 
                0x0000000000103000                pogo_boot_stack_bottom = .
                0x0000000000106000                . = (. + 0x3000)
 *fill*         0x0000000000103000     0x3000 
                0x0000000000106000                pogo_boot_stack_top = .

.pogo_pagetables
                0x0000000000106000     0x1000
 *(.pogo_pagetables)
 .pogo_pagetables
                0x0000000000106000     0x1000 /build/demo/pagetables.o

.comment        0x0000000000000000       0x1f
 *(.comment)
 .comment       0x0000000000000000       0x1f /usr/lib/x86_64-linux-musl/Scrt1.o
                                         0x20 (size before relaxing)
 .comment       0x000000000000001f       0x28 /build/demo/app/main.o

/DISCARD/
 *(.note.GNU-stack)
OUTPUT(/build/demo/demo.dbg elf64-x86-64)
"""

EXCERPT_TABLE = {
    "arch/x86_64": {".text": 0x20, ".bss": 0x100},
    "musl libc": {".text": 0x16 + 0x20, ".comment": 0x1f},
    "application": {".text": 0x14, ".bss": 0x10, ".comment": 0},
    "lib/alloc": {".text": 0x30},
    "lwIP": {".text": 0x40},
    "libgcc": {".text": 0x10},
    "lib/log": {".rodata": 0x20},
    "program name (appinfo.o)": {".rodata": 0x5},
    "lib/posix": {".rodata": 0x38},
    "rootfs (initrd.o)": {".pogo_initrd": 0x200},
    "drivers/virtio": {".data": 0x10},
    "page tables (pagetables.o)": {".pogo_pagetables": 0x1000},
    linkmap.PADDING: {".text": 0xa + 0xc, ".rodata": 0x3, ".bss": 0xee0},
    linkmap.RESERVED: {".bss": 0x3000},
}


def excerpt_table():
    sections, pieces = linkmap.parse_map(MAP_EXCERPT)
    return linkmap.size_table(sections, pieces, "/build/demo")


@add
def map_excerpt_sizes_by_library():
    table = excerpt_table()
    for library, want in EXCERPT_TABLE.items():
        check_eq(table.get(library), want, f"bytes of {library}")
    extra = set(table) - set(EXCERPT_TABLE)
    check_eq(extra, set(), "libraries not in the excerpt")


@add
def map_excerpt_sections():
    sections, _ = linkmap.parse_map(MAP_EXCERPT)
    got = [(s.name, s.address, s.size) for s in sections]
    check_eq(got, [(".text", 0x100000, 0x100), (".rodata", 0x101000, 0x60),
                   (".eh_frame_hdr", 0, 0),
                   (".pogo_initrd", 0x101060, 0x200),
                   (".data", 0x102000, 0x10), (".bss", 0x102010, 0x3ff0),
                   (".pogo_pagetables", 0x106000, 0x1000),
                   (".comment", 0, 0x1f)], "output sections")


@add
def map_excerpt_adds_up_per_section():
    sections, _ = linkmap.parse_map(MAP_EXCERPT)
    table = excerpt_table()
    check_eq(table.get(linkmap.UNACCOUNTED), None, "unaccounted bytes")
    for s in sections:
        total = sum(per.get(s.name, 0) for per in table.values())
        check_eq(total, s.size, f"sum of the libraries' bytes in {s.name}")


@add
def map_discarded_sections_not_counted():
    _, pieces = linkmap.parse_map(MAP_EXCERPT)
    heap = [p for p in pieces if p.origin.endswith("/lib/alloc/heap.o")]
    check_eq([(p.section, p.name, p.size) for p in heap],
             [(".text", ".text.pogo_malloc", 0x30)], "pieces of heap.o")


@add
def map_size_table_limited_to_sections():
    sections, pieces = linkmap.parse_map(MAP_EXCERPT)
    table = linkmap.size_table(sections, pieces, "/build/demo",
                               [".data", ".bss"])
    check_eq(table.get("drivers/virtio"), {".data": 0x10}, "drivers/virtio")
    check_eq(table.get("musl libc"), None, "musl libc (no .data or .bss)")


@add
def map_without_memory_map_rejected():
    try:
        linkmap.parse_map("Archive member included to satisfy reference\n")
    except linkmap.MapError as e:
        check("Linker script and memory map" in str(e), f"message: {e}")
        return
    raise Failure("parse_map accepted a file without a memory map")


LIBRARY_CASES = [
    ("/cfg/kernel/lib/vfs/file.o", "lib/vfs"),
    ("/cfg/kernel/plat/kvm/pvh.o", "plat/kvm"),
    ("/cfg/kernel/drivers/serial/ns16550.o", "drivers/serial"),
    ("/cfg/kernel/lwip/core/ipv4/ip4.o", "lwIP"),
    ("/build/demo/app/src/core/nginx.o", "application"),
    ("/build/demo/app/abs/usr/src/x.o", "application"),
    ("/build/demo/symtab.o", "symbol table (symtab.o)"),
    ("/usr/lib/x86_64-linux-musl/libc.a(memcpy.lo)", "musl libc"),
    ("/usr/lib/x86_64-linux-musl/crtn.o", "musl libc"),
    ("/usr/lib/gcc/x86_64-linux-gnu/12/crtendS.o", "libgcc"),
    ("/usr/lib/gcc/x86_64-linux-gnu/12/libgcc_eh.a(unwind.o)", "libgcc"),
    ("/opt/lib/libz.a(inflate.o)", "libz.a"),
]


@add
def library_names_of_origins():
    for origin, want in LIBRARY_CASES:
        check_eq(linkmap.library_of(origin, "/build/demo"), want,
                 f"library of {origin}")


# Disassembly in objdump's layout. wrapper passes its first argument on
# as the number, and outer_wrapper tail-jumps to it as musl's
# __syscall_cp does. caller loads numbers in the ways compilers do.
DISASSEMBLY = """\
0000000000401000 <wrapper>:
  401000:\tmov    %rdi,%rax
  401003:\tmov    %rsi,%rdi
  401006:\tsyscall
  401008:\tret

0000000000401010 <outer_wrapper>:
  401010:\tjmp    401000 <wrapper>

0000000000401020 <caller>:
  401020:\tmov    $0xca,%r8d
  401026:\tmov    %r8,%rax
  401029:\tsyscall
  40102b:\txor    %edi,%edi
  40102d:\tcall   401010 <outer_wrapper>
  401032:\tmov    $0x27,%edi
  401037:\tcall   401000 <wrapper>
  40103c:\tmov    0x8(%rsp),%rax
  401041:\tsyscall
  401043:\ttest   %rax,%rax
  401046:\tje     401050 <caller+0x30>
  401048:\tmov    $0x1,%eax
  40104d:\tsyscall
  40104f:\tret
  401050:\tsyscall
  401052:\tret

0000000000401060 <looping>:
  401060:\tpush   %rbx
  401061:\tmov    $0xca,%ebx
  401066:\tjmp    401070 <looping+0x10>
  401068:\tnopl   0x0(%rax,%rax,1)
  401070:\tmov    %rbx,%rax
  401073:\tsyscall
  401075:\tcmp    $0xfffffffffffffffc,%rax
  401079:\tje     401070 <looping+0x10>
  40107b:\txor    %eax,%eax
  40107d:\tmov    $0x38,%al
  40107f:\tlock cmpxchg %ecx,(%rdi)
  401083:\tmov    $0x3c,%eax
  401088:\tcall   401100 <elsewhere>
  40108d:\tsyscall
  40108f:\tpop    %rbx
  401090:\tret
"""


def disassembly_reach():
    return reach.summarize(reach.find_sites(
        reach.parse_disassembly(DISASSEMBLY)))


@add
def reach_follows_registers_and_branches():
    numbers = disassembly_reach().numbers
    check_eq(numbers.get(202), ["caller", "looping"], "futex (202) sites")
    check_eq(numbers.get(1), ["caller"], "write (1), a constant in %eax")
    # read (0): %rax is 0 where `test %rax,%rax; je` jumps.
    check_eq(numbers.get(0), ["caller"], "read (0) sites")


@add
def reach_finds_numbers_passed_to_wrappers():
    numbers = disassembly_reach().numbers
    check_eq(numbers.get(39), ["caller"], "getpid (39), through wrapper")
    check(0 in numbers, "read (0), through outer_wrapper's tail jump")
    check_eq(sorted(numbers), [0, 1, 39, 202], "all numbers")


@add
def reach_reports_unknown_numbers():
    unresolved = disassembly_reach().unresolved
    got = [(s.function, s.address) for s in unresolved]
    # 0x401041 loads the number from memory, and at 0x40108d the call
    # before it has clobbered %rax.
    check_eq(got, [("caller", 0x401041), ("looping", 0x40108d)],
             "unresolved sites")


@add
def reach_combines_partial_register_writes():
    functions = reach.parse_disassembly(DISASSEMBLY)
    looping = [f for f in functions if f.name == "looping"][0]
    states = reach.propagate(looping, {})
    index = [i.address for i in looping.instructions].index(0x40107f)
    check_eq(states[index].get("rax"), frozenset([0x38]),
             "%rax after xor %eax,%eax and mov $0x38,%al")


@add
def reach_ignores_padding_between_blocks():
    # The nopl after the jmp is never run: if it were taken as a start
    # with nothing known, %rbx would be unknown at 0x401073.
    functions = reach.parse_disassembly(DISASSEMBLY)
    looping = [f for f in functions if f.name == "looping"][0]
    states = reach.propagate(looping, {})
    index = [i.address for i in looping.instructions].index(0x401073)
    check_eq(states[index].get("rax"), frozenset([0xca]), "%rax at syscall")


# --- A real build ---------------------------------------------------------


def readelf_sections(path):
    """Return {name: (size, flags, type)} of the sections, from readelf."""
    out = subprocess.run(["readelf", "-SW", path], capture_output=True,
                         text=True, check=True).stdout
    sections = {}
    pattern = re.compile(r"^\s*\[\s*\d+\]\s+(\S+)\s+(\S+)\s+[0-9a-f]+\s+"
                         r"[0-9a-f]+\s+([0-9a-f]+)\s+[0-9a-f]+\s+"
                         r"([A-Za-z]*)\s")
    for line in out.splitlines():
        m = pattern.match(line)
        if m:
            sections[m.group(1)] = (int(m.group(3), 16), m.group(4),
                                    m.group(2))
    return sections


def hello_build():
    build_dir, _ = pogotest.build(HELLO)
    with open(os.path.join(build_dir, "helloworld.map")) as f:
        sections, pieces = linkmap.parse_map(f.read())
    return build_dir, sections, pieces


@add
def helloworld_sizes_add_up_to_readelf():
    build_dir, sections, pieces = hello_build()
    dbg = os.path.join(build_dir, "helloworld.dbg")
    elf_sections = readelf_sections(dbg)
    loaded = {n: v for n, v in elf_sections.items() if "A" in v[1]}
    check(".text" in loaded and ".bss" in loaded, f"sections: {loaded}")
    table = linkmap.size_table(sections, pieces, build_dir, loaded)
    check_eq(table.get(linkmap.UNACCOUNTED), None, "unaccounted bytes")
    for name, (size, _, _) in loaded.items():
        total = sum(per.get(name, 0) for per in table.values())
        check_eq(total, size, f"sum of the libraries' bytes in {name}")


@add
def helloworld_libraries_all_named():
    build_dir, sections, pieces = hello_build()
    table = linkmap.size_table(sections, pieces, build_dir)
    for library in table:
        check(linkmap.kind_of(library) != "other",
              f"input sections of an unknown origin: {library}")
    for library in ("lib/posix", "arch/x86_64", "plat/kvm", "musl libc",
                    "application", "symbol table (symtab.o)"):
        check(library in table, f"{library} missing from {sorted(table)}")


@add
def helloworld_syscall_table_read():
    build_dir, _, pieces = hello_build()
    dbg = os.path.join(build_dir, "helloworld.dbg")
    implemented = syscalls.implemented(dbg, elf.read_sections(dbg), pieces)
    names = syscalls.syscall_names()
    check(implemented, "no syscall table found")
    for number, functions in implemented.items():
        check(f"sys_{names[number]}" in functions,
              f"entry {number} ({names[number]}) holds {functions}")
    for number in (1, 20, 231):
        check(number in implemented, f"{names[number]} not implemented")
    check(41 not in implemented, "socket implemented without CONFIG_NET")


@add
def helloworld_reachable_syscalls():
    build_dir, _, pieces = hello_build()
    dbg = os.path.join(build_dir, "helloworld.dbg")
    executable = {s.name for s in elf.read_sections(dbg)
                  if s.flags & elf.SHF_EXECINSTR}
    found = syscalls.reachable(dbg, pieces, executable, build_dir)
    # puts() writes with writev, and musl's exit ends with exit_group.
    for number in (20, 231, 218):
        check(number in found.numbers,
              f"{number} not in {sorted(found.numbers)}")
    check_eq(found.unresolved, [], "unresolved sites")


@add
def command_reports_helloworld():
    build_dir = os.path.join(pogotest.BUILD, "images", "inspect", "helloworld")
    chart = os.path.join(build_dir, "inspect.png")
    os.makedirs(build_dir, exist_ok=True)
    with pogotest.lock_for(build_dir):
        p = subprocess.run([pogotest.POGO, "inspect", HELLO, "--build-dir",
                            build_dir, "--boot", "--plot", chart],
                           capture_output=True, text=True, timeout=300)
    check_eq(p.returncode, 0, f"exit status (stderr: {p.stderr[-2000:]})")
    for heading in ("Size by library", "Size by output section",
                    "Configuration", "Syscalls", "Boot stages"):
        check(heading in p.stdout, f"no '{heading}' in:\n{p.stdout}")
    check(re.search(r"^  main\s+[\d,]+", p.stdout, re.M),
          f"no stage 'main' in:\n{p.stdout}")
    check(re.search(r"reachable but not implemented.*\n    open \(2\)",
                    p.stdout), f"open not listed as missing:\n{p.stdout}")
    with open(chart, "rb") as f:
        check_eq(f.read(8), b"\x89PNG\r\n\x1a\n", "chart file signature")
