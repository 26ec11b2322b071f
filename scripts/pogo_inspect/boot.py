# SPDX-License-Identifier: BSD-3-Clause
"""Boot an image once with the boot trace (./pogo run --boot-trace) and
read the time of each boot stage from what lib/boot/trace.c prints."""

import collections
import os
import queue
import re
import signal
import subprocess
import threading
import time

# "boot-trace: STAGE TSC CYCLES-SINCE-ENTRY CYCLES-SINCE-PREVIOUS US.NNN"
STAGE_LINE = re.compile(r"boot-trace: (\w+) (\d+) (\d+) (\d+) (\d+\.\d+)$")
INSTRUCTIONS_LINE = re.compile(r"boot-trace: (\d+) guest instructions")
LAST_STAGE = "main"
# Under TCG with -icount, the instruction count follows the last stage
# line at once. This is how long to wait for it.
INSTRUCTIONS_WAIT = 2.0

Stage = collections.namedtuple("Stage", "name cycles since_previous us")
Trace = collections.namedtuple("Trace", "stages instructions")


class BootError(Exception):
    """The image did not print a complete boot trace."""


def parse_trace(lines):
    """Parse boot-trace lines into a Trace. Its stage cycles are counts of
    the time-stamp counter, which are instructions under TCG with
    -icount."""
    stages, instructions = [], None
    for line in lines:
        m = STAGE_LINE.search(line)
        if m:
            stages.append(Stage(m.group(1), int(m.group(3)), int(m.group(4)),
                                float(m.group(5))))
        m = INSTRUCTIONS_LINE.search(line)
        if m:
            instructions = int(m.group(1))
    return Trace(stages, instructions)


def read_lines(stream, lines):
    for line in stream:
        lines.put(line.rstrip("\n"))
    lines.put(None)


def collect_trace(process, timeout):
    """Read the standard error of process until the trace is complete,
    the process ends, or timeout seconds pass. Returns the lines read."""
    lines = queue.Queue()
    threading.Thread(target=read_lines, args=(process.stderr, lines),
                     daemon=True).start()
    deadline = time.monotonic() + timeout
    seen = []
    while True:
        try:
            line = lines.get(timeout=max(0.0, deadline - time.monotonic()))
        except queue.Empty:
            return seen
        if line is None or INSTRUCTIONS_LINE.search(line):
            return seen + ([line] if line else [])
        seen.append(line)
        m = STAGE_LINE.search(line)
        if m and m.group(1) == LAST_STAGE:
            deadline = min(deadline, time.monotonic() + INSTRUCTIONS_WAIT)


def stop(process):
    """End the ./pogo run started by boot_trace and its QEMU (they run
    in a process group of their own)."""
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def boot_trace(pogo, app_dir, build_dir, timeout=120):
    """Boot the built image once with ./pogo run --boot-trace and return
    its Trace. A server keeps running after main, so QEMU is stopped once
    the trace is complete."""
    command = [pogo, "run", app_dir, "--no-build", "--build-dir", build_dir,
               "--boot-trace"]
    process = subprocess.Popen(command, stdin=subprocess.DEVNULL,
                               stdout=subprocess.DEVNULL,
                               stderr=subprocess.PIPE, text=True,
                               errors="replace", start_new_session=True)
    try:
        lines = collect_trace(process, timeout)
    finally:
        stop(process)
    trace = parse_trace(lines)
    if not trace.stages or trace.stages[-1].name != LAST_STAGE:
        tail = "\n".join(lines[-10:]) or "(no output)"
        raise BootError(f"the image printed no complete boot trace within "
                        f"{timeout} s (exit status {process.returncode}); "
                        f"its last messages:\n{tail}")
    return trace
