# SPDX-License-Identifier: BSD-3-Clause
"""Boot benchmarks of helloworld: image size, the smallest memory that runs
it, the whole QEMU run against a stub kernel that powers off at once, and
guest instructions from the first instruction to main under TCG with
-icount shift=0."""
import os
import re
import subprocess

import lib

HELLO = os.path.join(lib.ROOT, "apps", "helloworld")


def stub_kernel():
    out = os.path.join(lib.BUILD, "stub", "stub.elf")
    src = os.path.join(lib.ROOT, "bench", "stub", "stub.S")
    os.makedirs(os.path.dirname(out), exist_ok=True)
    obj = out[:-4] + ".o"
    subprocess.run(["gcc", "-m32", "-c", src, "-o", obj], check=True)
    subprocess.run(["ld", "-m", "elf_i386", "-Ttext=0x100000", "-e", "stub_start",
                    "-z", "max-page-size=4096", obj, "-o", out], check=True)
    return out


def runs_in(build_dir, mem):
    cmd = [lib.POGO, "run", HELLO, "--no-build", "--build-dir", build_dir,
           "-m", mem, "--accel", "tcg"]
    p = subprocess.run(cmd, capture_output=True, text=True, timeout=60)
    return p.returncode == 0 and p.stdout == "Hello from Pogo!\n"


def smallest_memory(build_dir):
    """Binary search in KiB steps of 4 between 1 MiB and 16 MiB."""
    lo, hi = 1024, 16384
    if not runs_in(build_dir, f"{hi}K"):
        return None
    while hi - lo > 4:
        mid = (lo + hi) // 2 // 4 * 4
        if runs_in(build_dir, f"{mid}K"):
            hi = mid
        else:
            lo = mid
    return hi


def boot_instructions(build_dir):
    p = subprocess.run([lib.POGO, "run", HELLO, "--no-build", "--build-dir", build_dir,
                        "--accel", "tcg", "--boot-trace"],
                       capture_output=True, text=True, timeout=60)
    m = re.search(r"boot-trace: (\d+) guest instructions", p.stderr)
    stages = re.findall(r"boot-trace: (\w+) \d+ (\d+) (\d+)", p.stderr)
    return (int(m.group(1)) if m else None), stages


def run(quick):
    build_dir = os.path.join(lib.BUILD, "helloworld")
    image = lib.build_app(HELLO, build_dir)
    figures = []

    size = os.path.getsize(image)
    figures.append({"name": "helloworld image size", "unit": "bytes",
                    "pogo": size, "target": "<= 100 KB (102400 bytes)",
                    "met": size <= 102400})

    mem = smallest_memory(build_dir)
    figures.append({"name": "smallest -m that runs helloworld", "unit": "KiB",
                    "pogo": mem, "target": "<= 1.2 MB (1228 KiB)",
                    "met": mem is not None and mem <= 1228})

    pogo_cmd = lib.qemu_command(HELLO, build_dir, ["--accel", "tcg"])
    stub_cmd = list(pogo_cmd)
    stub_cmd[stub_cmd.index("-kernel") + 1] = stub_kernel()
    runs = 10 if quick else 30
    times = lib.interleaved({"pogo": pogo_cmd, "stub": stub_cmd}, runs)
    p, s = lib.summary(times["pogo"]), lib.summary(times["stub"])
    delta_ms = (p["median"] - s["median"]) * 1000
    figures.append({"name": "QEMU -M microvm run of helloworld (TCG)", "unit": "ms",
                    "pogo": round(p["median"] * 1000, 2),
                    "baseline": round(s["median"] * 1000, 2),
                    "baseline_name": "1-page stub kernel",
                    "ratio": round(p["median"] / s["median"], 3),
                    "delta_ms": round(delta_ms, 2),
                    "spread": {"pogo": p, "stub": s},
                    "target": "within 5 ms of the stub", "met": delta_ms <= 5,
                    "command": " ".join(pogo_cmd)})

    instr, stages = boot_instructions(build_dir)
    figures.append({"name": "guest instructions from first instruction to main",
                    "unit": "instructions", "pogo": instr,
                    "target": "<= 100,000", "met": instr is not None and instr <= 100000,
                    "stages": [{"stage": s, "since_entry": int(a), "since_previous": int(b)}
                               for s, a, b in stages],
                    "accel": "tcg -icount shift=0"})
    return figures
