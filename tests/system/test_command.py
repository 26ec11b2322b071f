# SPDX-License-Identifier: BSD-3-Clause
"""The ./pogo command itself: its commands, options and checks, and how
./pogo run ends on a signal. Servers listen on 127.0.0.1 only, or inside
a network namespace that ./pogo creates and deletes."""
import importlib.util
import os
import shutil
import signal
import socket
import subprocess
import time

import pogotest
from pogotest import Failure, check, check_eq

HELLO = os.path.join(pogotest.ROOT, "apps", "helloworld")
HTTPD = os.path.join(pogotest.ROOT, "apps", "httpd")
WORK = os.path.join(pogotest.BUILD, "command")
# Booting under TCG and starting QEMU's forwards takes a few seconds.
START_TIMEOUT = 90
TESTS = []


def add(fn):
    TESTS.append((f"system.command.{fn.__name__[5:]}", fn))
    return fn


def pogo(*args, stdin=subprocess.DEVNULL, timeout=600):
    p = subprocess.run([pogotest.POGO] + list(args), capture_output=True,
                       text=True, stdin=stdin, timeout=timeout)
    return pogotest.Result(p.returncode, p.stdout, p.stderr)


def work_dir(name):
    """Returns an empty folder of this file's tests under build/tests."""
    path = os.path.join(WORK, name)
    shutil.rmtree(path, ignore_errors=True)
    os.makedirs(path)
    return path


def read_config(build_dir):
    with open(os.path.join(build_dir, ".config")) as f:
        return f.read().splitlines()


def check_one_line_error(r, text, command):
    """Checks that command failed with status 2 and the one line text."""
    check_eq(r.status, 2, f"exit status of {command}")
    lines = r.stderr.splitlines()
    check_eq(len(lines), 1,
             f"lines of standard error of {command} ({r.stderr!r})")
    check(text in lines[0], f"{command}: expected {text!r} in {lines[0]!r}")


@add
def test_set_lasts_for_one_build():
    build_dir = work_dir("set-once")
    r = pogo("build", HELLO, "--build-dir", build_dir, "--set", "VFS=y",
             "--set", "OPTIMIZE_SPEED=y")
    check_eq(r.status, 0, f"exit status of the build with --set ({r.stderr})")
    config = read_config(build_dir)
    check("CONFIG_VFS=y" in config, "VFS=y missing after --set VFS=y")
    check("CONFIG_OPTIMIZE_SPEED=y" in config, "OPTIMIZE_SPEED=y missing")

    r = pogo("build", HELLO, "--build-dir", build_dir)
    check_eq(r.status, 0, f"exit status of the plain build ({r.stderr})")
    config = read_config(build_dir)
    check("# CONFIG_VFS is not set" in config,
          "VFS=y of the previous build's --set stayed")
    check("CONFIG_OPTIMIZE_SIZE=y" in config,
          "OPTIMIZE_SIZE=y of helloworld's config file is not back")


@add
def test_menuconfig_settings_apply_until_removed():
    build_dir = work_dir("menuconfig-layer")
    edits = os.path.join(build_dir, "menuconfig.config")
    with open(edits, "w") as f:
        f.write("CONFIG_DEBUG_ASSERT=y\n")
    r = pogo("build", HELLO, "--build-dir", build_dir, "--set",
             "KSTACK_SIZE=32768")
    check_eq(r.status, 0, f"exit status with menuconfig.config ({r.stderr})")
    config = read_config(build_dir)
    check("CONFIG_DEBUG_ASSERT=y" in config, "menuconfig.config not applied")
    check("CONFIG_KSTACK_SIZE=32768" in config, "--set not applied")

    r = pogo("build", HELLO, "--build-dir", build_dir)
    check_eq(r.status, 0, f"exit status of the second build ({r.stderr})")
    config = read_config(build_dir)
    check("CONFIG_DEBUG_ASSERT=y" in config,
          "menuconfig.config not applied to a later build")
    check("CONFIG_KSTACK_SIZE=16384" in config, "--set stayed")

    os.remove(edits)
    r = pogo("build", HELLO, "--build-dir", build_dir)
    check_eq(r.status, 0, f"exit status without menuconfig.config ({r.stderr})")
    check("# CONFIG_DEBUG_ASSERT is not set" in read_config(build_dir),
          "DEBUG_ASSERT=y stayed after menuconfig.config was removed")


@add
def test_menuconfig_save_keeps_only_changes():
    """./pogo menuconfig stores what menuconfig saved with this command."""
    build_dir = work_dir("menuconfig-save")
    fragment = os.path.join(HELLO, "config")
    saved = os.path.join(build_dir, "saved.config")
    edits = os.path.join(build_dir, "menuconfig.config")
    kconfig = os.path.join(pogotest.ROOT, "scripts", "kconfig.py")
    subprocess.run(["/usr/bin/python3", kconfig, "resolve", "--out", saved,
                    "--fragment", fragment, "--set", "DEBUG_ASSERT=y"],
                   cwd=pogotest.ROOT, check=True)
    p = subprocess.run(["/usr/bin/python3", kconfig, "save-edits", "--config",
                        saved, "--fragment", fragment, "--out", edits],
                       cwd=pogotest.ROOT, capture_output=True, text=True)
    check_eq(p.returncode, 0, f"save-edits status ({p.stderr})")
    with open(edits) as f:
        settings = [line for line in f.read().splitlines()
                    if not line.startswith("# The settings")]
    check_eq(settings, ["CONFIG_DEBUG_ASSERT=y"], "saved settings")


REJECTED_SETTINGS = [
    ("KSTACK_SIZE=1", "KSTACK_SIZE=1: outside the range 8192 to 1048576"),
    ("KSTACK_SIZE=16k", "KSTACK_SIZE=16k: KSTACK_SIZE takes an integer"),
    ("OPTIMIZE_SIZE=n", "OPTIMIZE_SIZE=n: it is the selected member of the "
     "choice"),
    ("LOG_MAX_LEVEL=99", "LOG_MAX_LEVEL=99: LOG_MAX_LEVEL has no prompt"),
    ("VIRTIO_NET=y", "VIRTIO_NET=y: it depends on NET, which is n"),
    ("NET=m", "NET=m: NET is a bool option: use y or n"),
    ("NO_SUCH_OPTION=y", "expected NAME=VALUE with a known option name"),
]


@add
def test_set_rejects_settings_not_kept():
    build_dir = work_dir("rejected")
    for setting, text in REJECTED_SETTINGS:
        r = pogo("build", HELLO, "--build-dir", build_dir, "--set", setting)
        check_one_line_error(r, text, f"--set {setting}")


@add
def test_make_reports_a_rejected_setting_without_a_stray_error():
    build_dir = work_dir("rejected-make")
    p = subprocess.run(["make", "-s", "--no-print-directory", "-C",
                        pogotest.ROOT, "-f", "mk/image.mk", f"APP={HELLO}",
                        f"BUILD={build_dir}", "POGO_SET=KSTACK_SIZE=1"],
                       capture_output=True, text=True)
    check(p.returncode != 0, "make accepted KSTACK_SIZE=1")
    check("outside the range 8192 to 1048576" in p.stderr,
          f"no range in: {p.stderr!r}")
    check("No rule to make target" not in p.stderr, f"stderr: {p.stderr!r}")


@add
def test_httpd_builds_without_networking():
    build_dir = work_dir("httpd-no-net")
    r = pogo("build", HTTPD, "--build-dir", build_dir, "--set", "NET=n")
    check_eq(r.status, 0, f"exit status ({r.stderr[-2000:]})")
    check("CONFIG_VIRTIO_NET=y" not in read_config(build_dir),
          "VIRTIO_NET stayed without NET")


def qemu_child(pid):
    """Returns the PID of the QEMU that ./pogo (pid) started."""
    deadline = time.monotonic() + START_TIMEOUT
    path = f"/proc/{pid}/task/{pid}/children"
    while time.monotonic() < deadline:
        try:
            with open(path) as f:
                children = f.read().split()
        except FileNotFoundError:
            raise Failure("./pogo run ended before QEMU started")
        for child in children:
            with open(f"/proc/{child}/comm") as f:
                if f.read().startswith("qemu-system"):
                    return int(child)
        time.sleep(0.2)
    raise Failure(f"no QEMU under ./pogo within {START_TIMEOUT} s")


def port_accepts(port):
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=5):
            return True
    except OSError:
        return False


def wait_for_port(port):
    deadline = time.monotonic() + START_TIMEOUT
    while not port_accepts(port):
        check(time.monotonic() < deadline,
              f"QEMU's forward of port {port} did not open")
        time.sleep(0.2)


def process_exists(pid):
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def start_httpd(net_args):
    build_dir, _ = pogotest.build(HTTPD)
    cmd = [pogotest.POGO, "run", HTTPD, "--no-build", "--build-dir",
           build_dir, "--accel", "tcg", "-m", "256M"] + net_args
    return subprocess.Popen(cmd, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True,
                            stdin=subprocess.DEVNULL, start_new_session=True)


def signal_ends_qemu(sig, to_group):
    def test():
        port = pogotest.free_port()
        p = start_httpd(["-p", f"{port}:80"])
        try:
            qemu = qemu_child(p.pid)
            wait_for_port(port)
            if to_group:
                os.killpg(p.pid, sig)
            else:
                os.kill(p.pid, sig)
            _, err = p.communicate(timeout=60)
        finally:
            pogotest.kill_group(p)
        check_eq(p.returncode, 128 + sig, "exit status of ./pogo")
        check(not process_exists(qemu), f"QEMU (pid {qemu}) still runs")
        check(not port_accepts(port), f"port {port} still accepts connections")
        check("reported no status" not in err, f"stderr: {err!r}")
    target = "_to_group" if to_group else ""
    test.__name__ = f"test_{signal.Signals(sig).name.lower()}{target}_ends_qemu"
    return test


add(signal_ends_qemu(signal.SIGTERM, False))
add(signal_ends_qemu(signal.SIGHUP, False))
add(signal_ends_qemu(signal.SIGINT, True))


@add
def test_sigterm_ends_qemu_before_removing_the_namespace():
    p = start_httpd(["--net", "tap"])
    namespace = f"pogo-{p.pid}"
    try:
        qemu = qemu_child(p.pid)
        os.kill(p.pid, signal.SIGTERM)
        _, err = p.communicate(timeout=60)
    finally:
        pogotest.kill_group(p)
    check_eq(p.returncode, 143, f"exit status of ./pogo ({err!r})")
    check(not process_exists(qemu), f"QEMU (pid {qemu}) still runs")
    namespaces = subprocess.run(["ip", "netns", "list"], capture_output=True,
                                text=True).stdout.split()
    check(namespace not in namespaces, f"namespace {namespace} was left")


@add
def test_empty_initrd_is_rejected():
    build_dir, _ = pogotest.build(HELLO)
    empty = os.path.join(work_dir("empty-initrd"), "empty.cpio")
    open(empty, "w").close()
    r = pogo("run", HELLO, "--no-build", "--build-dir", build_dir,
             "--accel", "tcg", "--initrd", empty)
    check_one_line_error(r, "is empty, so it is not a cpio newc archive",
                         "--initrd of an empty file")
    check_eq(r.stdout, "", "output")


@add
def test_network_options_need_net_in_the_image():
    build_dir, _ = pogotest.build(HELLO)
    for net_args in (["-p", "8080:80"], ["--net", "user"]):
        r = pogo("run", HELLO, "--no-build", "--build-dir", build_dir,
                 "--accel", "tcg", *net_args)
        command = " ".join(net_args)
        check_one_line_error(r, "the image has no networking (CONFIG_NET is "
                             "not set", command)
        check("netdev." not in r.stderr, f"{command}: stderr {r.stderr!r}")
        check_eq(r.stdout, "", f"output with {command}")


@add
def test_invalid_forwards_are_rejected():
    build_dir, _ = pogotest.build(HTTPD)
    for forward in ("8080", "tcp:8080", "0:80", "8080:65536", "a:80"):
        r = pogo("run", HTTPD, "--no-build", "--build-dir", build_dir,
                 "-p", forward)
        check_one_line_error(r, f"invalid forward '{forward}': expected "
                             "[tcp:|udp:]HOST:GUEST", f"-p {forward}")


@add
def test_memory_sizes_follow_the_documented_forms():
    build_dir, _ = pogotest.build(HELLO)
    for size in ("1.5G", "2048K", "64", "2g", "0.5G"):
        r = pogo("run", HELLO, "--no-build", "--build-dir", build_dir,
                 "--accel", "tcg", "--dry-run", "-m", size)
        check_eq(r.status, 0, f"exit status of -m {size} ({r.stderr})")
        check(f" -m {size} " in r.stdout, f"-m {size} not passed: {r.stdout}")
    for size in ("1.5", "64MiB", "0x40M", "1e3M", "1P", "64M,"):
        r = pogo("run", HELLO, "--no-build", "--build-dir", build_dir,
                 "--accel", "tcg", "-m", size)
        check_one_line_error(r, f"-m: invalid size '{size}'", f"-m {size}")
    r = pogotest.run(HELLO, mem="1.5G")
    check_eq(r.stdout, "Hello from Pogo!\n", "output with -m 1.5G")
    check_eq(r.status, 0, "exit status with -m 1.5G")


def write_app(name, manifest):
    app = work_dir(name)
    with open(os.path.join(app, "manifest"), "w") as f:
        f.write(manifest)
    with open(os.path.join(app, "main.c"), "w") as f:
        f.write("int main(void) { return 0; }\n")
    return app


@add
def test_missing_config_file_is_named():
    app = write_app("no-config", "name = noconfig\nsources = main.c\n"
                    "config = nope\n")
    r = pogo("build", app, "--build-dir", os.path.join(app, "build"))
    check_one_line_error(r, f"config file not found: {app}/nope",
                         "config = nope")


@add
def test_unknown_manifest_key_warns_once():
    app = write_app("unknown-key", "name = unknownkey\nsource_files = x\n"
                    "files = main.c\nsources = $(files)\n")
    r = pogo("build", app, "--build-dir", os.path.join(app, "build"))
    check_eq(r.status, 0, f"exit status ({r.stderr[-2000:]})")
    warnings = [line for line in r.stderr.splitlines() if "warning" in line]
    check_eq(len(warnings), 1, f"warnings ({warnings})")
    check(f"{app}/manifest: unknown key 'source_files'" in warnings[0],
          f"warning: {warnings[0]!r}")


@add
def test_menuconfig_without_a_terminal_fails_in_one_line():
    r = pogo("menuconfig", HELLO)
    check_one_line_error(r, "menuconfig needs a terminal", "menuconfig")


@add
def test_inspect_plot_needs_a_png_name():
    out = os.path.join(work_dir("plot"), "sizes.jpg")
    r = pogo("inspect", HELLO, "--plot", out)
    check_one_line_error(r, "FILE must end in .png", "--plot sizes.jpg")
    check(not os.path.exists(out), f"{out} was written")


@add
def test_plot_labels_are_plain_text():
    """gnuplot's enhanced text would make x86_64 an x86 with subscript 64."""
    path = os.path.join(pogotest.ROOT, "scripts", "pogo_inspect", "plot.py")
    spec = importlib.util.spec_from_file_location("pogo_plot", path)
    plot = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(plot)
    scripts = []
    plot.run_gnuplot = lambda script: scripts.append(open(script).read())
    plot.draw(os.path.join(work_dir("plot-text"), "x.png"), "helloworld",
              [("arch/x86_64", 1024, 0)])
    terminal = [line for line in scripts[0].splitlines()
                if line.startswith("set terminal")]
    check_eq(len(terminal), 1, "set terminal lines")
    check("noenhanced" in terminal[0].split(), f"terminal: {terminal[0]}")


@add
def test_new_creates_an_application_that_runs():
    parent = work_dir("new")
    app = os.path.join(parent, "greeter")
    r = pogo("new", app)
    check_eq(r.status, 0, f"exit status of new ({r.stderr})")
    for name in ("manifest", "main.c", "config"):
        check(os.path.isfile(os.path.join(app, name)), f"no {name}")
    check_eq(os.path.getsize(os.path.join(app, "config")), 0, "config size")

    r = pogo("new", app)
    check_one_line_error(r, "already exists", "new on an existing folder")

    r = pogo("run", app, "--build-dir", os.path.join(parent, "build"),
             "--accel", "tcg")
    check_eq(r.stdout, "Hello from greeter!\n", "output")
    check_eq(r.status, 0, "exit status")


@add
def test_help_lists_every_command():
    r = pogo("help")
    check_eq(r.status, 0, "exit status")
    for command in ("new DIR", "build APP", "run APP", "menuconfig APP",
                    "inspect APP", "help"):
        check(f"  {command}" in r.stdout, f"help lacks {command!r}")
    check("--icount" in r.stdout, "help lacks --icount")
