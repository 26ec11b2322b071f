# SPDX-License-Identifier: BSD-3-Clause
"""SQLite's speedtest1 at a fixed size in Pogo, natively on the host and
in the Linux VM, each on a database in RAM (Pogo's ramfs, the host's
/dev/shm, the initramfs of the Linux VM). The figure is the TOTAL that
the program measures itself. Under TCG with -icount shift=0 the guest
clock counts instructions, so the TOTAL of both VMs there is a count of
guest instructions, which host load does not change."""
import os
import re

import lib
import linuxvm

APP = os.path.join(lib.ROOT, "apps", "speedtest1")
SIZE = 20
RUNS = (2, 5)
WARMUP = 1


def total_seconds(output):
    m = re.search(r"TOTAL\.+\s+([\d.]+)s", output)
    if not m:
        raise RuntimeError(f"speedtest1 printed no TOTAL: {output[-800:]!r}")
    return float(m.group(1))


def run_checked(cmd, status_file=None, timeout=1200):
    """Runs speedtest1 and returns its output. A VM's program status is
    the byte in status_file (QEMU's own status is 1 after isa-debug-exit)."""
    if status_file and os.path.exists(status_file):
        os.remove(status_file)
    status, out, err = lib.run_group(cmd, timeout, text=True)
    if status_file and status is not None:
        status = linuxvm.exit_status(status, status_file)
    if status != 0 or "TOTAL" not in out:
        raise RuntimeError(f"speedtest1 failed (status {status}):\n"
                           f"{out[-1000:]}{err[-1000:]}")
    return out


def commands(icount=False):
    build_dir = os.path.join(lib.BUILD, "speedtest1")
    lib.build_app(APP, build_dir)
    binary = lib.host_binary(APP)
    args = ["--size", str(SIZE), "/tmp/speedtest1.db"]
    logs = os.path.join(lib.BUILD, "logs", "speedtest1")
    os.makedirs(logs, exist_ok=True)
    pogo = lib.pogo_vm_command(APP, build_dir, f"{logs}/pogo.status",
                               extra=["--icount"] if icount else [], args=args)
    initramfs = linuxvm.build_initramfs(binary, args, name="speedtest1")
    linux = linuxvm.qemu_command(initramfs, f"{logs}/linuxvm.status",
                                 icount=icount)
    host_db = f"/dev/shm/pogo-bench-speedtest1-{os.getpid()}.db"
    host = ["taskset", "-c", "0", binary, "--size", str(SIZE), host_db]
    status = {"pogo": f"{logs}/pogo.status", "linuxvm": f"{logs}/linuxvm.status"}
    return {"pogo": pogo, "host": host, "linuxvm": linux}, status, host_db


def run(quick):
    cmds, status, host_db = commands()

    def measure(system):
        out = run_checked(cmds[system], status.get(system))
        if system == "host" and os.path.exists(host_db):
            os.remove(host_db)
        return total_seconds(out)

    times = lib.rounds(lib.SYSTEMS, RUNS[not quick], WARMUP, measure)
    recorded = {s: lib.command_line(c) for s, c in cmds.items()}
    figures = [lib.figure(f"sqlite speedtest1 --size {SIZE}: TOTAL", "s",
                          {s: lib.summary(v) for s, v in times.items()},
                          "lower", plot="sqlite", label="wall clock (TCG)",
                          accel="tcg", commands=recorded,
                          note="host: pinned to CPU 0 with taskset, database "
                          "in /dev/shm")]

    icount_cmds, status, _ = commands(icount=True)
    values = {s: round(total_seconds(run_checked(icount_cmds[s], status[s])) * 1e9)
              for s in ("pogo", "linuxvm")}
    figures.append(lib.figure(
        f"sqlite speedtest1 --size {SIZE}: guest instructions in TOTAL "
        "(-icount shift=0)", "instructions", values, "lower",
        accel="tcg -icount shift=0",
        commands={s: lib.command_line(icount_cmds[s]) for s in values}))
    return figures
