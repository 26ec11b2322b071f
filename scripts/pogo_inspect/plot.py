# SPDX-License-Identifier: BSD-3-Clause
"""Draw the size of an image by library, and its boot stages, as a PNG
bar chart with gnuplot (Debian's gnuplot-nox)."""

import os
import subprocess
import tempfile


class PlotError(Exception):
    """gnuplot is missing or failed."""


def quote(text):
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def size_panel(rows, data, title):
    """Return the gnuplot commands of a stacked bar per library: the bytes
    in the image file and the bytes in bss. rows are (library, in_file,
    bss) tuples."""
    with open(data, "w") as out:
        for library, in_file, bss in rows:
            kib = f"{in_file / 1024:.2f} {bss / 1024:.2f}"
            out.write(f"{quote(library)} {kib}\n")
    return [
        f"set title {quote(title)}",
        "set ylabel 'KiB'",
        "set style data histograms",
        "set style histogram rowstacked",
        "set style fill solid 0.8 border -1",
        "set boxwidth 0.8",
        "set key top right",
        "set grid ytics",
        "set yrange [0:*]",
        "set xtics rotate by -40 scale 0 font ',8'",
        "set rmargin 12",
        f"plot {quote(data)} using 2:xtic(1) title 'in the image file', "
        f"'' using 3 title 'bss (memory only)'",
    ]


def stage_panel(stages, unit, data):
    """Return the gnuplot commands of one bar per boot stage. stages are
    (name, value) pairs in unit."""
    with open(data, "w") as out:
        for name, value in stages:
            out.write(f"{quote(name)} {value}\n")
    return [
        "set title 'Boot stages (time since the previous stage)'",
        f"set ylabel {quote(unit)}",
        "set style histogram clustered",
        "set xtics rotate by 0 font ',9'",
        "set key off",
        f"plot {quote(data)} using 2:xtic(1) notitle",
    ]


def draw(path, title, rows, stages=None, stage_unit=""):
    """Write the PNG chart to path: the size panel, and the boot stage
    panel below it when stages are given."""
    with tempfile.TemporaryDirectory() as tmp:
        height = 900 if stages else 560
        # noenhanced: the underscore of a label such as arch/x86_64 is
        # text, not gnuplot's mark of a subscript.
        commands = [
            "set terminal pngcairo noenhanced size 1000,%d font 'sans,10'"
            % height,
            f"set output {quote(os.path.abspath(path))}",
        ]
        if stages:
            commands.append("set multiplot layout 2,1")
        commands += size_panel(rows, os.path.join(tmp, "sizes.dat"), title)
        if stages:
            commands += stage_panel(stages, stage_unit,
                                    os.path.join(tmp, "stages.dat"))
            commands.append("unset multiplot")
        script = os.path.join(tmp, "inspect.gp")
        with open(script, "w") as f:
            f.write("\n".join(commands) + "\n")
        run_gnuplot(script)


def run_gnuplot(script):
    try:
        p = subprocess.run(["gnuplot", script], capture_output=True, text=True)
    except FileNotFoundError:
        raise PlotError("gnuplot is missing; run: apt-get install "
                        "gnuplot-nox") from None
    if p.returncode != 0:
        raise PlotError(f"gnuplot failed: {p.stderr.strip()}")
