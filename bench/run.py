#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""make bench: runs Pogo's benchmarks and writes bench/results/<date>/:
results.json with every run of every figure, report.md with the tables
and the PNG plots that gnuplot draws. Benchmarks are measurements, not
tests: nothing here fails on a missed target, the report marks it. A
suite that cannot run (a program that does not build, a server that
does not respond) is reported as not measured, with the reason, and the
other suites go on.

usage: bench/run.py [--quick] [--only SUITE...] [--out FOLDER]
With --only, the other suites of an earlier run of the same kind in the
output folder are kept in results.json and the report.
"""
import argparse
import datetime
import json
import os
import platform
import signal
import subprocess
import sys
import time
import traceback

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import lib  # noqa: E402
import boot  # noqa: E402
import files  # noqa: E402
import linuxvm  # noqa: E402
import report  # noqa: E402
import servers  # noqa: E402
import sqlite  # noqa: E402
import threads  # noqa: E402

# Redis runs last, so that its stalled runs, if any, delay no other suite.
SUITES = {
    "boot": boot.run,
    "threads": threads.run,
    "files": files.run,
    "httpd": servers.run_httpd,
    "nginx": servers.run_nginx,
    "sqlite": sqlite.run,
    "redis": servers.run_redis,
}

# The Debian packages of the clients and the plots, installed when missing
# as ./pogo installs its tools. The Linux VM's packages are downloaded,
# not installed (bench/linuxvm.py).
PACKAGES = {"wrk": "wrk", "redis-benchmark": "redis-tools",
            "gnuplot": "gnuplot-nox", "qemu-system-x86_64": "qemu-system-x86",
            "musl-gcc": "musl-tools", "prlimit": "util-linux",
            "ip": "iproute2"}

METHOD = ("each figure is measured in rounds that visit every system in "
          "turn (Pogo, host, Linux VM, ...), so that drift of the machine "
          "hits all of them alike; the first round or rounds are a warm-up "
          "and are thrown away. Both VMs run under the same QEMU, machine "
          "(microvm), accelerator (TCG, -cpu max), memory (256M unless the "
          "figure says otherwise) and network backend. A server runs in "
          "a network namespace of its own, which the benchmark creates "
          "and deletes, and its clients run inside that namespace: a VM "
          "has a tap device there (the guest is 10.0.0.2, the namespace "
          "10.0.0.1), and a host program, the same static musl binary, "
          "has only loopback. The smallest -m with which a server "
          "responds is found under QEMU user networking with restrict=on "
          "and a forward bound to 127.0.0.1. The servers of a "
          "suite stay up side by side while their load runs; wrk runs "
          "with one thread.")


def ensure_tools():
    missing = sorted({pkg for tool, pkg in PACKAGES.items()
                      if subprocess.run(["which", tool],
                                        capture_output=True).returncode != 0})
    if not missing:
        return
    if os.geteuid() != 0:
        sys.exit(f"bench: missing packages: {' '.join(missing)}; run: "
                 f"sudo apt-get install {' '.join(missing)}")
    print(f"bench: installing {' '.join(missing)}", flush=True)
    cmd = ["apt-get", "install", "-y", "-q", "--no-install-recommends"] + missing
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    if subprocess.run(cmd, env=env, capture_output=True).returncode != 0:
        subprocess.run(["apt-get", "update", "-q"], capture_output=True)
        if subprocess.run(cmd, env=env, capture_output=True).returncode != 0:
            sys.exit(f"bench: apt-get install {' '.join(missing)} failed")


def machine_info(quick):
    cpu = ""
    with open("/proc/cpuinfo") as f:
        for line in f:
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    qemu = subprocess.run(["qemu-system-x86_64", "--version"], capture_output=True,
                          text=True).stdout.splitlines()[0]
    accel = "TCG (this host's /dev/kvm is kvm_pvm, which cannot run Pogo)" \
        if os.path.isdir("/sys/module/kvm_pvm") else "TCG"
    return {"cpu": cpu, "cores": os.cpu_count(), "kernel": platform.release(),
            "qemu": qemu, "accelerator": accel,
            "linux_vm": linuxvm.fetch().package, "quick": quick,
            "date": datetime.date.today().isoformat(), "method": METHOD}


def merged(path, results, partial, quick):
    """With only some suites run, keeps the other suites of an earlier
    run of the same kind (QUICK or full) in path, in the usual order."""
    if not partial or not os.path.exists(path):
        return results
    with open(path) as f:
        earlier = json.load(f)
    if earlier["machine"].get("quick") != quick:
        return results
    combined = dict(earlier["results"])
    combined.update(results)
    return {name: combined[name] for name in SUITES if name in combined}


def brief(value):
    return report.cell(value)


def main():
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true",
                        help="fewer runs and shorter loads (under 10 minutes)")
    parser.add_argument("--only", nargs="*", default=list(SUITES),
                        choices=list(SUITES), metavar="SUITE")
    parser.add_argument("--out", help="output folder (default "
                        "bench/results/<date>)")
    args = parser.parse_args()

    # SIGTERM unwinds like an exception, so that the servers a suite
    # started are stopped and its network namespace is deleted.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    ensure_tools()
    info = machine_info(args.quick)
    started = time.monotonic()
    out = args.out or os.path.join(lib.ROOT, "bench", "results", info["date"])
    os.makedirs(out, exist_ok=True)
    results = {}
    for name in args.only:
        print(f"bench: running {name}", flush=True)
        suite_start = time.monotonic()
        try:
            results[name] = SUITES[name](args.quick)
        except Exception as e:
            reason = str(e).strip().splitlines()[0] if str(e).strip() else repr(e)
            print(f"bench: {name} not measured: {reason}", flush=True)
            traceback.print_exc()
            results[name] = {"skipped": reason}
            continue
        for f in results[name]:
            values = ", ".join(f"{report.NAMES.get(s, s)} {brief(v)}"
                               for s, v in f["systems"].items())
            print(f"  {f['name']}: {values} {f['unit']}", flush=True)
        print(f"bench: {name} took {time.monotonic() - suite_start:.0f} s",
              flush=True)
        # The files are written after every suite, so that a run stopped
        # part of the way keeps what it measured.
        info["seconds"] = round(time.monotonic() - started)
        save(out, info, results, partial=set(args.only) != set(SUITES),
             quick=args.quick)
    print(f"bench: wrote {os.path.relpath(out, lib.ROOT)}/report.md "
          f"in {info['seconds']} s")


def save(out, info, results, partial, quick):
    path = os.path.join(out, "results.json")
    data = {"machine": info,
            "results": merged(path, results, partial, quick)}
    with open(path + ".tmp", "w") as f:
        json.dump(data, f, indent=1)
    os.replace(path + ".tmp", path)
    report.write(data, out)


if __name__ == "__main__":
    main()
