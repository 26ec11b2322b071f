# SPDX-License-Identifier: BSD-3-Clause
"""./pogo inspect: report an image's size by library and by section, its
configuration, the syscalls it implements and those its application can
make, and optionally its boot stages, as text and as a PNG chart.

usage: python3 -m pogo_inspect --build-dir DIR --name NAME [--app APP]
                               [--boot] [--plot FILE.png]
./pogo inspect builds the image before it runs this module.
"""

import argparse
import collections
import os
import subprocess
import sys

from . import boot, elf, linkmap, plot, report, syscalls

POGO = os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__)))), "pogo")

Build = collections.namedtuple(
    "Build", "name folder image dbg config sections pieces elf_sections")


class InspectError(Exception):
    """A problem that ends ./pogo inspect with a one-line message."""


def load_build(folder, name):
    """Read the linker map and section headers of a built image."""
    paths = {kind: os.path.join(folder, name + suffix) for kind, suffix in
             (("image", ""), ("dbg", ".dbg"), ("map", ".map"))}
    paths["config"] = os.path.join(folder, ".config")
    for path in paths.values():
        if not os.path.isfile(path):
            raise InspectError(f"{path}: no such file; build the image "
                               f"with ./pogo build")
    with open(paths["map"]) as f:
        try:
            sections, pieces = linkmap.parse_map(f.read())
        except linkmap.MapError as e:
            raise InspectError(f"{paths['map']}: {e}") from None
    return Build(name, folder, paths["image"], paths["dbg"], paths["config"],
                 sections, pieces, elf.read_sections(paths["dbg"]))


def size_table(build):
    """Return {library: {section: bytes}} over the allocated sections."""
    names = [s.name for s in elf.allocated(build.elf_sections)]
    return linkmap.size_table(build.sections, build.pieces, build.folder,
                              names)


def syscall_report(build):
    names = syscalls.syscall_names()
    executable = {s.name for s in build.elf_sections
                  if s.flags & elf.SHF_EXECINSTR}
    implemented = syscalls.implemented(build.dbg, build.elf_sections,
                                       build.pieces)
    reach = syscalls.reachable(build.dbg, build.pieces, executable,
                               build.folder)
    return report.format_syscalls(implemented, reach, names)


def compressed_kernel(build):
    """Return the path of the uncompressed kernel image when the image is
    compressed (CONFIG_IMAGE_COMPRESS), or None."""
    enabled, _ = report.read_config(build.config)
    if ("IMAGE_COMPRESS", "y") not in enabled:
        return None
    path = build.image + ".uncompressed"
    if not os.path.isfile(path):
        raise InspectError(f"{path}: no such file; build the image with "
                           f"./pogo build")
    return path


def print_report(build, table, rows):
    print(f"{build.name}: {report.display_path(build.image)}\n")
    print(report.format_sizes(rows) + "\n")
    print(report.format_image(build.image, build.elf_sections, rows,
                              compressed_kernel(build)) + "\n")
    print(report.format_sections(build.elf_sections, table) + "\n")
    print(report.format_config(build.config) + "\n")
    print(syscall_report(build))


def boot_stages(args):
    """Boot the image once, print its stages and return the Trace."""
    trace = boot.boot_trace(POGO, args.app, args.build_dir)
    print("\n" + report.format_boot(trace))
    return trace


def draw_chart(args, build, rows, trace):
    bars = [(r.library, report.in_file(r), r.bss) for r in rows]
    stages = None
    if trace:
        previous = 0.0
        stages = []
        for stage in trace.stages[1:]:
            stages.append((stage.name, stage.us - previous))
            previous = stage.us
    plot.draw(args.plot, f"{build.name}: size by library", bars, stages,
              "microseconds")
    print(f"\nChart: {args.plot}")


def parse_args(argv):
    parser = argparse.ArgumentParser(
        prog="pogo inspect", description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--build-dir", required=True,
                        help="the image's build folder")
    parser.add_argument("--name", required=True, help="the image's name")
    parser.add_argument("--app", help="the application folder (for --boot)")
    parser.add_argument("--boot", action="store_true",
                        help="boot the image once and report its boot stages")
    parser.add_argument("--plot", metavar="FILE.png",
                        help="also draw the sizes (and stages) as a PNG chart")
    args = parser.parse_args(argv)
    if args.boot and not args.app:
        parser.error("--boot needs --app")
    return args


def main(argv):
    args = parse_args(argv)
    try:
        build = load_build(args.build_dir, args.name)
        table = size_table(build)
        rows = report.size_rows(table, build.elf_sections)
        print_report(build, table, rows)
        trace = boot_stages(args) if args.boot else None
        if args.plot:
            draw_chart(args, build, rows, trace)
    except BrokenPipeError:
        # The reader of the output (such as head) stopped reading.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 1
    except (InspectError, linkmap.MapError, elf.ElfError, boot.BootError,
            plot.PlotError, OSError, subprocess.CalledProcessError) as e:
        print(f"pogo inspect: {e}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
