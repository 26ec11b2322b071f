#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""make bench: runs Pogo's benchmarks and writes bench/results/<date>/
(results.json with every figure and its spread, report.md with the
tables). Benchmarks are measurements, not tests: nothing here fails on a
missed target, it reports it.

usage: bench/run.py [--quick] [--only NAME...]
"""
import argparse
import datetime
import json
import os
import platform
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import lib  # noqa: E402
import boot  # noqa: E402
import threads  # noqa: E402

SUITES = {"boot": boot, "threads": threads}


def machine_info():
    cpu = ""
    with open("/proc/cpuinfo") as f:
        for line in f:
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    qemu = subprocess.run(["qemu-system-x86_64", "--version"], capture_output=True,
                          text=True).stdout.splitlines()[0]
    return {"cpu": cpu, "cores": os.cpu_count(), "kernel": platform.release(),
            "qemu": qemu, "accelerator": "tcg (this host's /dev/kvm is kvm_pvm)"
            if os.path.isdir("/sys/module/kvm_pvm") else "tcg"}


def fmt(v):
    if v is None:
        return "n/a"
    if isinstance(v, float):
        return f"{v:,.2f}"
    if isinstance(v, int):
        return f"{v:,}"
    return str(v)


def write_report(path, info, results):
    lines = ["# Pogo benchmark report", "",
             f"Date: {info['date']}. Machine: {info['cpu']}, {info['cores']} cores, "
             f"Linux {info['kernel']}, {info['qemu']}, accelerator {info['accelerator']}.",
             "", f"Reproduce with `make bench{' QUICK=1' if info['quick'] else ''}`.", ""]
    for suite, figures in results.items():
        lines += [f"## {suite}", "",
                  "| figure | Pogo | baseline | ratio | target | met |",
                  "|---|---|---|---|---|---|"]
        for f in figures:
            base = f"{fmt(f.get('baseline'))} ({f['baseline_name']})" if "baseline" in f else ""
            lines.append(f"| {f['name']} ({f['unit']}) | {fmt(f.get('pogo'))} | {base} | "
                         f"{fmt(f.get('ratio', ''))} | {f.get('target', '')} | "
                         f"{'yes' if f.get('met') else 'no'} |")
        lines.append("")
    with open(path, "w") as out:
        out.write("\n".join(lines))


def main():
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--only", nargs="*", default=list(SUITES))
    args = parser.parse_args()

    info = machine_info()
    info["date"] = datetime.date.today().isoformat()
    info["quick"] = args.quick
    results = {}
    for name in args.only:
        print(f"bench: running {name}", flush=True)
        results[name] = SUITES[name].run(args.quick)
        for f in results[name]:
            print(f"  {f['name']}: {fmt(f.get('pogo'))} {f['unit']} "
                  f"(target {f.get('target', '-')})", flush=True)

    out = os.path.join(lib.ROOT, "bench", "results", info["date"])
    os.makedirs(out, exist_ok=True)
    with open(os.path.join(out, "results.json"), "w") as f:
        json.dump({"machine": info, "results": results}, f, indent=2)
    write_report(os.path.join(out, "report.md"), info, results)
    print(f"bench: wrote {os.path.relpath(out, lib.ROOT)}/report.md")


if __name__ == "__main__":
    main()
