# SPDX-License-Identifier: BSD-3-Clause
"""The benchmarks' own machinery. The Linux VM baseline boots a static
musl program and passes its output and exit status through, and it
serves on a tap device inside a network namespace that the test creates
and deletes, reached only from inside it. The report generator's unit
tests (bench/test_report.py) pass."""
import os
import subprocess
import sys
import tempfile

import pogotest
from pogotest import check, check_eq

sys.path.insert(0, os.path.join(pogotest.ROOT, "bench"))

import lib  # noqa: E402
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


def host_build(app):
    """Builds application folder app (under apps/) for the host with
    mk/host.mk and returns the program's path."""
    binary = os.path.join(pogotest.BUILD, "host", f"bench-{app}")
    os.makedirs(os.path.dirname(binary), exist_ok=True)
    p = subprocess.run(["make", "-s", "-f", os.path.join(pogotest.ROOT, "mk",
                                                         "host.mk"),
                        f"APP=apps/{app}", f"OUT={binary}"],
                       cwd=pogotest.ROOT, capture_output=True, text=True)
    check(p.returncode == 0, f"host build of {app} failed:\n{p.stderr}")
    return binary


def linux_vm_runs_helloworld():
    binary = host_build("helloworld")
    status, output = boot_linux_vm(binary, [], "test-helloworld")
    check("Hello from Pogo!\r\n" in output,
          f"helloworld's line missing from the console: {output[-800:]!r}")
    check_eq(status, 0, "exit status")


def linux_vm_passes_exit_status():
    source = os.path.join(pogotest.ROOT, "bench", "programs", "exit_with.c")
    binary = pogotest.host_binary(source)
    status, _ = boot_linux_vm(binary, ["42"], "test-exit-with")
    check_eq(status, 42, "exit status")


def linux_vm_serves_on_tap():
    binary = host_build("httpd")
    rootfs = os.path.join(pogotest.ROOT, "apps", "httpd", "rootfs")
    with pogotest.lock_for("linuxvm-fetch"):
        initramfs = linuxvm.build_initramfs(binary, ["-p", "80", "-r", "/www"],
                                            rootfs, name="test-httpd-tap")
    with lib.Netns("test-tap") as netns, \
            tempfile.NamedTemporaryFile(prefix="linuxvm-status.") as status, \
            tempfile.NamedTemporaryFile(prefix="linuxvm-log.") as log:
        netns.add_tap()
        netns.add_guest_neighbour()
        cmd = linuxvm.qemu_command(initramfs, status.name, netns=netns.name)
        server = lib.Server("linuxvm", cmd, (lib.TAP_GUEST, 80), log.name)
        try:
            lib.wait_until_serving(server, lib.HTTP_PROBE, netns, timeout=120)
        except RuntimeError as e:
            with open(log.name, errors="replace") as f:
                console = f.read()[-800:]
            raise pogotest.Failure(f"{e}\nconsole: {console!r}")
        finally:
            server.stop()


def report_generator_unit_tests():
    p = subprocess.run([sys.executable, os.path.join(pogotest.ROOT, "bench",
                                                     "test_report.py")],
                       capture_output=True, text=True, timeout=120)
    check(p.returncode == 0, f"bench/test_report.py failed:\n{p.stderr[-3000:]}")


add("linux_vm_runs_helloworld", linux_vm_runs_helloworld)
add("linux_vm_passes_exit_status", linux_vm_passes_exit_status)
add("linux_vm_serves_on_tap", linux_vm_serves_on_tap)
add("report_generator_unit_tests", report_generator_unit_tests)
