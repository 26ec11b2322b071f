# SPDX-License-Identifier: BSD-3-Clause
"""Syscall, thread-switch, malloc and idle benchmarks: each program runs in
Pogo (TCG, and TCG with -icount shift=0 where instruction counts mean
something) and natively on the host, with the host pinned to one CPU as
Pogo has one."""
import os
import resource
import subprocess
import time

import lib

ALLOCATORS = {"tlsf": ("ALLOC_TLSF=y",), "buddy": ("ALLOC_BUDDY=y",)}


def host_value(binary, key, args=(), runs=3):
    values = []
    for _ in range(runs):
        p = lib.sh(["taskset", "-c", "0", binary] + list(args))
        values.append(lib.value_of(p.stdout, key))
    return sorted(values)[len(values) // 2]


def guest_value(app, key, args=(), extra=(), sets=(), variant="default", runs=3):
    build_dir = os.path.join(lib.BUILD, variant, os.path.basename(app))
    values = [lib.value_of(lib.guest_output(app, build_dir, args, extra, sets), key)
              for _ in range(runs)]
    return sorted(values)[len(values) // 2]


def figure(name, unit, pogo, host, target=None, **extra):
    f = lib.figure(name, unit, {"pogo": round(pogo, 1), "host": round(host, 1)},
                   "lower", note="host: the same static musl program, pinned "
                   "to CPU 0 with taskset", **extra)
    if target:
        f["target"] = target
    return f


def idle_cost():
    """Host CPU seconds that QEMU uses while the guest sleeps 5 s."""
    app = lib.program_app("sleep5.c")
    build_dir = os.path.join(lib.BUILD, "default", "sleep5")
    lib.build_app(app, build_dir)
    cmd = lib.qemu_command(app, build_dir, ["--accel", "tcg"])
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.monotonic()
    subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    wall = time.monotonic() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return cpu, wall


def run(quick):
    runs = 1 if quick else 3
    figures = []

    app = lib.program_app("getpid_cycles.c")
    host = host_value(lib.host_program("getpid_cycles.c"), "getpid_cycles", runs=runs)
    tcg = guest_value(app, "getpid_cycles", runs=runs)
    figures.append(figure("getpid round trip (TCG)", "TSC cycles", tcg, host,
                          target="< 60 cycles (for hardware KVM)",
                          accel="tcg", met=tcg < 60))
    icount = guest_value(app, "getpid_cycles", extra=["--icount"], runs=1)
    figures.append(lib.figure("getpid round trip (TCG -icount shift=0)",
                              "guest instructions", {"pogo": round(icount, 1)},
                              "lower", accel="tcg -icount shift=0"))

    app = lib.program_app("futex_pingpong.c")
    host = host_value(lib.host_program("futex_pingpong.c"), "handoff_cycles", runs=runs)
    for sched in ("coop", "preempt"):
        pogo = guest_value(app, "handoff_cycles", sets=(f"SCHED_{sched.upper()}=y",),
                           variant=f"sched-{sched}", runs=runs)
        figures.append(figure(f"futex ping-pong handoff, {sched} scheduler (TCG)",
                              "TSC cycles", pogo, host, accel="tcg"))

    app = lib.program_app("malloc_throughput.c")
    host_bin = lib.host_program("malloc_throughput.c")
    for size in ("16", "1024", "65536"):
        host = host_value(host_bin, "malloc_free_cycles", [size], runs=runs)
        for name, sets in ALLOCATORS.items():
            pogo = guest_value(app, "malloc_free_cycles", [size], sets=sets,
                               variant=f"alloc-{name}", runs=runs)
            figures.append(figure(f"malloc+free of {size} B, kernel heap {name} (TCG)",
                                  "TSC cycles", pogo, host, accel="tcg"))

    cpu, wall = idle_cost()
    figures.append(lib.figure("host CPU time of QEMU while the guest sleeps 5 s (TCG)",
                              "s", {"pogo": round(cpu, 3)}, "lower",
                              wall_s=round(wall, 2), target="almost none (< 0.5 s)",
                              met=cpu < 0.5, accel="tcg"))
    return figures
