# SPDX-License-Identifier: BSD-3-Clause
"""Shared helpers of the benchmarks: building, the QEMU command that
./pogo run would use, interleaved timing, and statistics."""
import os
import shlex
import statistics
import subprocess
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
POGO = os.path.join(ROOT, "pogo")
BUILD = os.path.join(ROOT, "build", "bench")


def sh(cmd, **kw):
    return subprocess.run(cmd, capture_output=True, text=True, **kw)


def build_app(app, build_dir=None, sets=()):
    """Builds app with ./pogo build and returns the image path."""
    name = manifest_value(app, "name")
    build_dir = build_dir or os.path.join(BUILD, name)
    cmd = [POGO, "build", app, "--build-dir", build_dir]
    for s in sets:
        cmd += ["--set", s]
    p = sh(cmd)
    if p.returncode != 0:
        raise RuntimeError(f"building {app} failed:\n{p.stderr}")
    return os.path.join(build_dir, name)


def manifest_value(app, key):
    with open(os.path.join(app, "manifest")) as f:
        for line in f:
            k, sep, v = line.partition("=")
            if sep and k.strip() == key:
                return v.strip()
    return ""


def qemu_command(app, build_dir, extra=(), args=()):
    """The QEMU command ./pogo run would execute, as a list."""
    cmd = [POGO, "run", app, "--no-build", "--build-dir", build_dir,
           "--dry-run"] + list(extra) + ["--"] + list(args)
    p = sh(cmd)
    if p.returncode != 0:
        raise RuntimeError(f"pogo run --dry-run failed:\n{p.stderr}")
    return shlex.split(p.stdout.strip())


def time_command(cmd, timeout=60):
    start = time.perf_counter()
    p = subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                       timeout=timeout)
    return time.perf_counter() - start, p.returncode


def interleaved(commands, runs, warmup=2):
    """Runs each command of the dict in turn, runs times after warmup
    rounds, so that drift of the machine hits all alike. Returns the
    seconds of each run per name."""
    for _ in range(warmup):
        for cmd in commands.values():
            time_command(cmd)
    times = {name: [] for name in commands}
    for _ in range(runs):
        for name, cmd in commands.items():
            times[name].append(time_command(cmd)[0])
    return times


def summary(values):
    """Median and spread (min, max, and the interquartile range)."""
    values = sorted(values)
    q = statistics.quantiles(values, n=4) if len(values) >= 4 else [values[0], 0, values[-1]]
    return {"median": statistics.median(values), "min": values[0],
            "max": values[-1], "q1": q[0], "q3": q[2], "n": len(values)}


def program_app(source, name=None):
    """Makes an application folder under build/bench/apps for one C file
    of bench/programs and returns its path."""
    source = os.path.join(ROOT, "bench", "programs", source)
    name = name or os.path.splitext(os.path.basename(source))[0]
    app = os.path.join(BUILD, "apps", name)
    os.makedirs(app, exist_ok=True)
    link = os.path.join(app, "main.c")
    if os.path.lexists(link):
        os.remove(link)
    os.symlink(source, link)
    with open(os.path.join(app, "manifest"), "w") as f:
        f.write(f"name = {name}\nsources = main.c\n")
    return app


def host_program(source):
    """Builds a bench program natively with musl-gcc -static."""
    src = os.path.join(ROOT, "bench", "programs", source)
    out = os.path.join(BUILD, "host", os.path.splitext(source)[0])
    os.makedirs(os.path.dirname(out), exist_ok=True)
    subprocess.run(["musl-gcc", "-static", "-O2", "-o", out, src, "-lpthread"],
                   check=True)
    return out


def guest_output(app, build_dir, args=(), extra=(), sets=(), timeout=300):
    """Builds app (with configuration settings) and returns its stdout."""
    build_app(app, build_dir, sets)
    cmd = [POGO, "run", app, "--no-build", "--build-dir", build_dir,
           "--accel", "tcg"] + list(extra) + ["--"] + list(args)
    p = sh(cmd, timeout=timeout)
    if p.returncode != 0:
        raise RuntimeError(f"{app} failed with status {p.returncode}:\n{p.stderr[-2000:]}")
    return p.stdout


def value_of(output, key):
    for line in output.splitlines():
        k, _, v = line.partition(" ")
        if k == key:
            return float(v)
    raise RuntimeError(f"no {key} in output: {output!r}")
