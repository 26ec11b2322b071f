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
def test_httpd_builds_without_networking():
    build_dir = work_dir("httpd-no-net")
    r = pogo("build", HTTPD, "--build-dir", build_dir, "--set", "NET=n")
    check_eq(r.status, 0, f"exit status ({r.stderr[-2000:]})")
    check("CONFIG_VIRTIO_NET=y" not in read_config(build_dir),
          "VIRTIO_NET stayed without NET")


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