# SPDX-License-Identifier: BSD-3-Clause
"""The cost of open(2) of an existing file, three path components below
/tmp: in Pogo (its ramfs), natively on the host (pinned to one CPU) and
in the Linux VM (its initramfs). TSC cycles under TCG and on the host,
and guest instructions under TCG with -icount shift=0, which host load
does not change."""
import os

import lib
import linuxvm

SOURCE = "open_cycles.c"
KEY = "open_cycles"
RUNS = (1, 3)


def vm_value(cmd, status_file):
    """Runs a VM command and returns the program's open_cycles figure."""
    if os.path.exists(status_file):
        os.remove(status_file)
    status, out, err = lib.run_group(cmd, 300, text=True)
    if status is not None:
        status = linuxvm.exit_status(status, status_file)
    if status != 0:
        raise RuntimeError(f"open_cycles failed (status {status}):\n"
                           f"{out[-1000:]}{err[-1000:]}")
    return lib.value_of(out, KEY)


def commands(icount):
    app = lib.program_app(SOURCE)
    build_dir = os.path.join(lib.BUILD, "default", "open_cycles")
    lib.build_app(app, build_dir)
    binary = lib.host_program(SOURCE)
    logs = os.path.join(lib.BUILD, "logs", "files")
    os.makedirs(logs, exist_ok=True)
    extra = ["--icount"] if icount else []
    pogo = lib.pogo_vm_command(app, build_dir, f"{logs}/pogo.status",
                               extra=extra, args=[])
    initramfs = linuxvm.build_initramfs(binary, name="open_cycles")
    linux = linuxvm.qemu_command(initramfs, f"{logs}/linuxvm.status",
                                 icount=icount)
    status = {"pogo": f"{logs}/pogo.status",
              "linuxvm": f"{logs}/linuxvm.status"}
    return {"pogo": pogo, "linuxvm": linux,
            "host": ["taskset", "-c", "0", binary]}, status


def run(quick):
    runs = RUNS[not quick]
    cmds, status = commands(icount=False)

    def measure(system):
        if system == "host":
            return lib.value_of(lib.sh(cmds["host"]).stdout, KEY)
        return vm_value(cmds[system], status[system])

    cycles = lib.rounds(lib.SYSTEMS, runs, 0, measure)
    figures = [lib.figure(
        "open of an existing file (TCG)", "TSC cycles",
        {s: lib.summary(v) for s, v in cycles.items()}, "lower", accel="tcg",
        commands={s: lib.command_line(c) for s, c in cmds.items()},
        note="host: pinned to CPU 0 with taskset, file on the host's /tmp")]

    icount_cmds, status = commands(icount=True)
    values = {s: vm_value(icount_cmds[s], status[s])
              for s in ("pogo", "linuxvm")}
    figures.append(lib.figure(
        "open of an existing file (TCG -icount shift=0)", "guest instructions",
        values, "lower", accel="tcg -icount shift=0",
        commands={s: lib.command_line(icount_cmds[s]) for s in values}))
    return figures
