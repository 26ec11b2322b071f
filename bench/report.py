# SPDX-License-Identifier: BSD-3-Clause
"""The benchmark report: report.md with one table per suite (figure,
Pogo, host, Linux VM, ratios, target) and PNG plots drawn by gnuplot, both
made from the results that bench/run.py writes to results.json.

usage: bench/report.py RESULTS.JSON [OUTPUT-FOLDER]
"""
import os
import subprocess
import sys
import tempfile

# Column order and names of the systems a figure may have.
SYSTEMS = ("pogo", "host", "linuxvm", "stub")
NAMES = {"pogo": "Pogo", "host": "host", "linuxvm": "Linux VM",
         "stub": "stub kernel"}

# The plots: plot key of the figures -> (file, title, y label, log scale).
PLOTS = {
    "boot": ("boot.png", "helloworld boot under TCG", "ms", True),
    "stages": ("boot-stages.png", "Pogo boot stages (-icount shift=0)",
               "guest instructions", False),
    "size": ("image-size.png", "image size", "bytes", True),
    "parts": ("image-parts.png", "Pogo image size by part (bytes in the "
              "file)", "bytes", False),
    "memory": ("memory.png", "smallest -m, Pogo", "KiB", False),
    "startup": ("startup.png", "start to first answered request", "ms", True),
    "throughput": ("throughput.png", "throughput", "requests/s", True),
    "latency": ("latency.png", "p99 latency", "ms", True),
    "sqlite": ("speedtest1.png", "SQLite speedtest1", "s", False),
}


def median_of(value):
    if isinstance(value, dict):
        return value.get("median")
    return value


def number(v):
    if v is None:
        return "n/a"
    if isinstance(v, float) and abs(v) < 100:
        return f"{v:,.2f}"
    return f"{round(v):,}"


def cell(value):
    """Formats a table cell: the median, with the min-max range over the
    runs."""
    if value is None:
        return "n/a"
    if isinstance(value, dict):
        text = number(value.get("median"))
        if value.get("n", 1) > 1:
            text += f" ({number(value['min'])}–{number(value['max'])})"
        return text
    return number(value)


def ratio(figure, other):
    a = median_of(figure["systems"].get("pogo"))
    b = median_of(figure["systems"].get(other))
    if a is None or b is None or b == 0:
        return ""
    r = a / b
    # Two significant digits below 0.1, so that 0.003 does not read 0.00.
    return f"{r:.2g}" if r < 0.1 else f"{r:.2f}"


def met_cell(figure):
    if "met" not in figure:
        return ""
    return "yes" if figure["met"] else "**no**"


def suite_table(figures):
    """Returns the Markdown table of one suite's figures. The columns are
    the systems that any of its figures has, and a ratio column Pogo / X for
    each system X other than Pogo."""
    present = [s for s in SYSTEMS if any(s in f["systems"] for f in figures)]
    others = [s for s in present if s != "pogo"]
    head = (["figure", "unit"] + [NAMES[s] for s in present] +
            [f"Pogo / {NAMES[s]}" for s in others] + ["target", "met"])
    lines = ["| " + " | ".join(head) + " |",
             "|" + "---|" * len(head)]
    for f in figures:
        arrow = {"higher": " ↑", "lower": " ↓"}.get(f.get("better"), "")
        row = ([f["name"], f["unit"] + arrow] +
               [cell(f["systems"].get(s)) for s in present] +
               [ratio(f, s) for s in others] +
               [f.get("target", ""), met_cell(f)])
        lines.append("| " + " | ".join(row) + " |")
    return lines


def failed_runs(figures):
    """Lists, per figure and system, the runs that failed twice and were
    left out of the figure."""
    lines = []
    seen = set()
    for f in figures:
        for system, messages in sorted(f.get("errors", {}).items()):
            # The throughput and latency figures of one load share runs.
            key = (f.get("label", f["name"]), system)
            if key in seen:
                continue
            seen.add(key)
            lines.append(f"- {f['name']}, {NAMES.get(system, system)}: "
                         f"{len(messages)} run(s) failed and are left out; "
                         f"first error: {messages[0]}")
    if lines:
        lines = ["Failed runs:", ""] + lines + [""]
    return lines


def commands_section(results):
    """Lists the command line of every system, once per suite."""
    lines = []
    for suite, figures in results.items():
        seen = {}
        for f in figures if isinstance(figures, list) else []:
            for system, cmd in f.get("commands", {}).items():
                seen.setdefault((system, cmd), f["name"])
        if not seen:
            continue
        lines += [f"### {suite}", ""]
        for (system, cmd), name in seen.items():
            lines += [f"{NAMES.get(system, system)} ({name}):", "", "```",
                      cmd, "```", ""]
    return lines


def headline_rows(results, names):
    """Selects the figures whose name starts with one of names, in that
    order."""
    rows = []
    for prefix in names:
        for figures in results.values():
            if not isinstance(figures, list):
                continue
            rows += [f for f in figures if f["name"].startswith(prefix)]
    return rows


HEADLINE = (
    "helloworld: QEMU start to main (first output line)",
    "helloworld: QEMU start to exit",
    "helloworld: image size",
    "helloworld: smallest -m",
    "httpd: wrk",
    "nginx: wrk",
    "redis: image size",
    "redis: smallest -m",
    "redis: GET -P 1,",
    "redis: GET -P 16,",
    "sqlite speedtest1",
    "open of an existing file (TCG -icount",
)


def markdown(data, plots):
    info = data["machine"]
    results = data["results"]
    quick = " QUICK=1" if info.get("quick") else ""
    lines = [
        "# Pogo benchmark report", "",
        f"Date: {info['date']}. Machine: {info['cpu']}, {info['cores']} "
        f"cores, Linux {info['kernel']}; {info['qemu']}; accelerator: "
        f"{info['accelerator']}. Linux VM: Debian {info.get('linux_vm', '?')}"
        f" with busybox-static, booted as vmlinux through its PVH entry.", "",
        f"Reproduce with `make bench{quick}`. Method: {info.get('method', '')}",
        "",
        "Every value is the median over the runs, with the smallest and the "
        "largest run in brackets. A ratio is Pogo's median divided by the "
        "other system's; ↑ marks a figure where higher is better, ↓ one "
        "where lower is better. A missed target is marked **no**.", "",
        "## Headline", "",
    ]
    lines += suite_table(headline_rows(results, HEADLINE))
    lines.append("")
    for suite, figures in results.items():
        lines += [f"## {suite}", ""]
        if not isinstance(figures, list):
            lines += [f"Not measured: {figures.get('skipped', figures)}", ""]
            continue
        lines += suite_table(figures)
        lines.append("")
        notes = sorted({f["note"] for f in figures if "note" in f})
        lines += [f"Note: {n}." for n in notes]
        if notes:
            lines.append("")
        lines += failed_runs(figures)
    if plots:
        lines += ["## Plots", ""]
        lines += [f"![{title}]({name})" for name, title in plots]
        lines.append("")
    lines += ["## Commands", ""] + commands_section(results)
    return "\n".join(lines)


def plot_rows(results, key):
    """The figures of one plot: those with that plot key, or for "parts"
    those that carry the parts of an image."""
    rows = []
    for figures in results.values():
        if isinstance(figures, list):
            rows += [f for f in figures
                     if f.get("plot") == key or (key == "parts" and
                                                 f.get("parts"))]
    return rows


def gnuplot_quote(text):
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def clustered_plot(path, title, ylabel, log, figures, tmp):
    """Draws one cluster of bars per figure, one bar per system."""
    present = [s for s in SYSTEMS if any(s in f["systems"] for f in figures)]
    data = os.path.join(tmp, os.path.basename(path) + ".dat")
    with open(data, "w") as out:
        for f in figures:
            values = [median_of(f["systems"].get(s)) for s in present]
            label = f.get("label") or f["name"].split(": ", 1)[-1]
            out.write(gnuplot_quote(label) + " " +
                      " ".join("?" if v is None else repr(float(v))
                               for v in values) + "\n")
    columns = ", ".join(
        f"'{data}' using {i + 2}:xtic(1) title {gnuplot_quote(NAMES[s])}"
        for i, s in enumerate(present))
    return "\n".join([
        "reset",
        "set terminal pngcairo size 1000,560 font 'sans,10'",
        f"set output {gnuplot_quote(path)}",
        f"set title {gnuplot_quote(title)}",
        f"set ylabel {gnuplot_quote(ylabel)}",
        "set datafile missing '?'",
        "set style data histograms",
        "set style histogram clustered gap 1",
        "set style fill solid 0.8 border -1",
        "set boxwidth 0.9",
        "set key outside right top",
        "set grid ytics",
        "set xtics rotate by -25 scale 0",
        "set logscale y" if log else "set yrange [0:*]",
        f"plot {columns}", ""])


def stages_plot(path, title, ylabel, figure, tmp):
    data = os.path.join(tmp, "stages.dat")
    with open(data, "w") as out:
        for s in figure.get("stages", []):
            out.write(f"{gnuplot_quote(s['stage'])} {s['since_previous']}\n")
    return "\n".join([
        "reset",
        "set terminal pngcairo size 1000,480 font 'sans,10'",
        f"set output {gnuplot_quote(path)}",
        f"set title {gnuplot_quote(title)}",
        f"set ylabel {gnuplot_quote(ylabel + ' in the stage')}",
        "set style data histograms",
        "set style fill solid 0.8 border -1",
        "set boxwidth 0.8",
        "set grid ytics",
        "set yrange [0:*]",
        "set xtics rotate by -25 scale 0",
        f"plot '{data}' using 2:xtic(1) notitle", ""])


def parts_plot(path, title, ylabel, figures, tmp):
    """Returns the gnuplot script of a stacked bar per application, one
    layer per part of its image (the figures' "parts")."""
    parts = []
    for f in figures:
        parts += [p for p in f["parts"] if p not in parts]
    data = os.path.join(tmp, "parts.dat")
    with open(data, "w") as out:
        for f in figures:
            out.write(gnuplot_quote(f.get("label", f["name"])) + " " +
                      " ".join(str(f["parts"].get(p, 0)) for p in parts) +
                      "\n")
    columns = ", ".join(
        f"'{data}' using {i + 2}" + (":xtic(1)" if i == 0 else "") +
        f" title {gnuplot_quote(p)}" for i, p in enumerate(parts))
    return "\n".join([
        "reset",
        "set terminal pngcairo size 1000,480 font 'sans,10'",
        f"set output {gnuplot_quote(path)}",
        f"set title {gnuplot_quote(title)}",
        f"set ylabel {gnuplot_quote(ylabel)}",
        "set style data histograms",
        "set style histogram rowstacked",
        "set style fill solid 0.8 border -1",
        "set boxwidth 0.6",
        "set grid ytics",
        "set yrange [0:*]",
        "set key outside right top",
        f"plot {columns}", ""])


def plots(results, out):
    """Draws every plot that has figures and returns (file, title) pairs.
    Without gnuplot it draws nothing and prints a warning."""
    drawn = []
    with tempfile.TemporaryDirectory() as tmp:
        scripts = []
        for key, (name, title, ylabel, log) in PLOTS.items():
            figures = plot_rows(results, key)
            if not figures:
                continue
            path = os.path.join(out, name)
            if key == "stages":
                if not figures[0].get("stages"):
                    continue
                scripts.append(stages_plot(path, title, ylabel, figures[0], tmp))
            elif key == "parts":
                scripts.append(parts_plot(path, title, ylabel, figures, tmp))
            else:
                scripts.append(clustered_plot(path, title, ylabel, log,
                                              figures, tmp))
            drawn.append((name, title))
        if not scripts:
            return []
        script = os.path.join(tmp, "plots.gp")
        with open(script, "w") as f:
            f.write("\n".join(scripts))
        try:
            p = subprocess.run(["gnuplot", script], capture_output=True,
                               text=True)
        except FileNotFoundError:
            print("bench: gnuplot is missing, so the report has no plots; "
                  "install Debian's gnuplot-nox", file=sys.stderr)
            return []
        if p.returncode != 0:
            print(f"bench: gnuplot failed: {p.stderr.strip()}", file=sys.stderr)
            return []
    return drawn


def write(data, out):
    """Writes report.md and the plots of data into folder out."""
    os.makedirs(out, exist_ok=True)
    drawn = plots(data["results"], out)
    with open(os.path.join(out, "report.md"), "w") as f:
        f.write(markdown(data, drawn) + "\n")


def main():
    import json
    if len(sys.argv) not in (2, 3):
        sys.exit(__doc__)
    with open(sys.argv[1]) as f:
        data = json.load(f)
    write(data, sys.argv[2] if len(sys.argv) == 3 else
          os.path.dirname(os.path.abspath(sys.argv[1])))


if __name__ == "__main__":
    main()
