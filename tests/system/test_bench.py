# SPDX-License-Identifier: BSD-3-Clause
"""The benchmarks' own machinery: the Linux VM baseline boots a static
musl program and passes its output and exit status through, and the
report generator's unit tests (bench/test_report.py) pass."""
import os
import subprocess
import sys
import tempfile

import pogotest
from pogotest import check, check_eq

sys.path.insert(0, os.path.join(pogotest.ROOT, "bench"))

import linuxvm  # noqa: E402

TESTS = []


def add(name, fn):
    TESTS.append((f"system.bench.{name}", fn))


def boot_linux_vm(binary, args, name):
    """Boots binary in the Linux VM; returns (status, serial output)."""
    with pogotest.lock_for("linuxvm-fetch"):
        initramfs = linuxvm.build_initramfs(binary, args, name=name)
    with tempfile.NamedTemporaryFile(prefix="linuxvm-status.") as status:
        cmd = linuxvm.qemu_command(initramfs, status.name)
        try:
            p = subprocess.run(cmd, capture_output=True, timeout=300)
        except subprocess.TimeoutExpired:
            raise pogotest.Failure("the Linux VM did not power off within 300 s")
        return (linuxvm.exit_status(p.returncode, status.name),
                p.stdout.decode(errors="replace"))


def linux_vm_runs_helloworld():
    binary = os.path.join(pogotest.BUILD, "host", "bench-helloworld")
    os.makedirs(os.path.dirname(binary), exist_ok=True)
    p = subprocess.run(["make", "-s", "-f", os.path.join(pogotest.ROOT, "mk",
                                                         "host.mk"),
                        "APP=apps/helloworld", f"OUT={binary}"],
                       cwd=pogotest.ROOT, capture_output=True, text=True)
    check(p.returncode == 0, f"host build of helloworld failed:\n{p.stderr}")
    status, output = boot_linux_vm(binary, [], "test-helloworld")
    check("Hello from Pogo!\r\n" in output,
          f"helloworld's line missing from the console: {output[-800:]!r}")
    check_eq(status, 0, "exit status")


def linux_vm_passes_exit_status():
    source = os.path.join(pogotest.ROOT, "bench", "programs", "exit_with.c")
    binary = pogotest.host_binary(source)
    status, _ = boot_linux_vm(binary, ["42"], "test-exit-with")
    check_eq(status, 42, "exit status")


def report_generator_unit_tests():
    p = subprocess.run([sys.executable, os.path.join(pogotest.ROOT, "bench",
                                                     "test_report.py")],
                       capture_output=True, text=True, timeout=120)
    check(p.returncode == 0, f"bench/test_report.py failed:\n{p.stderr[-3000:]}")


add("linux_vm_runs_helloworld", linux_vm_runs_helloworld)
add("linux_vm_passes_exit_status", linux_vm_passes_exit_status)
add("report_generator_unit_tests", report_generator_unit_tests)
