# SPDX-License-Identifier: BSD-3-Clause
"""Helpers for Pogo's guest and system tests: building images, booting
them under QEMU through ./pogo run, and building the same programs for the
host so that their outputs can be compared with Linux's."""

import glob
import hashlib
import os
import shutil
import signal
import socket
import subprocess
import threading

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BUILD = os.path.join(ROOT, "build", "tests")
POGO = os.path.join(ROOT, "pogo")

_build_locks = {}
_build_locks_guard = threading.Lock()


class Failure(Exception):
    """A failed check; the message says what was expected and what came."""


def check(cond, message):
    if not cond:
        raise Failure(message)


def check_eq(got, want, what):
    if got != want:
        raise Failure(f"{what}: expected {want!r}, got {got!r}")


def lock_for(path):
    with _build_locks_guard:
        return _build_locks.setdefault(path, threading.Lock())


class Result:
    def __init__(self, status, stdout, stderr):
        self.status = status
        self.stdout = stdout
        self.stderr = stderr

    def __repr__(self):
        return f"Result(status={self.status}, stdout={self.stdout[-400:]!r})"


def guest_app(source, name=None, cflags=""):
    """Makes an application folder under build/tests/apps for one C file of
    tests/guest (or any path) and returns its path."""
    source = os.path.join(ROOT, source) if not os.path.isabs(source) else source
    name = name or os.path.splitext(os.path.basename(source))[0]
    app = os.path.join(BUILD, "apps", name)
    os.makedirs(app, exist_ok=True)
    # Variants of one program are prepared in parallel: each file is made
    # under a private name and renamed into place, which is atomic.
    tmp = f".{os.getpid()}.{threading.get_ident()}"
    link = os.path.join(app, "main.c")
    if not os.path.islink(link) or os.readlink(link) != source:
        os.symlink(source, link + tmp)
        os.replace(link + tmp, link)
    # main.c is a symlink, and the compiler looks for a quoted include next
    # to the link, so -I names the folder of tests/guest/check.h.
    cflags = f"-I{os.path.join(ROOT, 'tests', 'guest')} {cflags}".rstrip()
    manifest = f"name = {name}\nsources = main.c\ncflags = {cflags}\n"
    path = os.path.join(app, "manifest")
    if not os.path.exists(path) or open(path).read() != manifest:
        with open(path + tmp, "w") as f:
            f.write(manifest)
        os.replace(path + tmp, path)
    return app


def variant_dirs(app, variant):
    name = os.path.basename(app.rstrip("/"))
    build = os.path.join(BUILD, "images", variant, name)
    config = os.path.join(BUILD, "configs", variant)
    return build, config


def has_config_fragment(app):
    with open(os.path.join(app, "manifest")) as f:
        return any(line.split("=")[0].strip() == "config" and
                   line.split("=", 1)[1].strip()
                   for line in f if "=" in line and not line.startswith("#"))


def build(app, variant="default", sets=(), shared_config=True):
    """Builds app; apps of one variant without a configuration fragment of
    their own share configuration and kernel objects. Returns
    (build_dir, config_dir)."""
    build_dir, config_dir = variant_dirs(app, variant)
    if not shared_config or has_config_fragment(app):
        config_dir = build_dir
    cmd = ["make", "-s", "--no-print-directory", "-C", ROOT, "-f", "mk/image.mk",
           f"APP={app}", f"BUILD={build_dir}", f"CONFIG_DIR={config_dir}",
           "POGO_SET=" + " ".join(sets)]
    with lock_for(config_dir):
        p = subprocess.run(cmd, capture_output=True, text=True)
    if p.returncode != 0:
        raise Failure(f"building {app} failed:\n{p.stdout}{p.stderr}")
    return build_dir, config_dir


def run(app, args=(), variant="default", sets=(), machine="microvm",
        mem="64M", cpu=None, kernel_opts="", timeout=120, stdin=None,
        extra=(), accel="tcg"):
    """Builds app if needed and boots it with ./pogo run. Returns a Result;
    a hang past timeout is a Failure."""
    build_dir, config_dir = build(app, variant, sets)
    cmd = [POGO, "run", app, "--no-build", "--build-dir", build_dir,
           "--machine", machine, "-m", mem, "--accel", accel]
    if cpu:
        cmd += ["--cpu", cpu]
    if kernel_opts:
        cmd += ["--kernel-opts", kernel_opts]
    cmd += list(extra)
    cmd += ["--"] + list(args)
    # A session of its own, so that a timeout ends QEMU with ./pogo.
    p = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                         stdin=subprocess.PIPE if stdin else subprocess.DEVNULL,
                         start_new_session=True)
    try:
        out, err = p.communicate(input=stdin, timeout=timeout)
    except subprocess.TimeoutExpired:
        kill_group(p)
        out, err = p.communicate()
        raise Failure(f"{app} did not finish within {timeout} s; output:\n"
                      f"{out.decode(errors='replace')[-2000:]}"
                      f"{err.decode(errors='replace')[-2000:]}")
    return Result(p.returncode, out.decode(errors="replace"),
                  err.decode(errors="replace"))


def kill_group(p):
    """Ends a process started with start_new_session and its children:
    SIGTERM first, so that ./pogo removes its temporary files and tap
    device, then SIGKILL if the group is still there after 10 s."""
    for sig in (signal.SIGTERM, signal.SIGKILL):
        try:
            os.killpg(p.pid, sig)
        except ProcessLookupError:
            return
        try:
            p.wait(timeout=10)
            return
        except subprocess.TimeoutExpired:
            pass


def host_binary(source, cflags=""):
    """Builds source natively with musl-gcc -static, as the guest is built,
    and returns the binary's path."""
    source = os.path.join(ROOT, source) if not os.path.isabs(source) else source
    name = os.path.splitext(os.path.basename(source))[0]
    out = os.path.join(BUILD, "host", name)
    os.makedirs(os.path.dirname(out), exist_ok=True)
    # The program may include the headers of tests/guest (check.h and
    # others), so a newer header rebuilds it too.
    include = os.path.join(ROOT, "tests", "guest")
    headers = glob.glob(os.path.join(include, "*.h"))
    newest = max(os.path.getmtime(path) for path in [source] + headers)
    if not os.path.exists(out) or os.path.getmtime(out) < newest:
        p = subprocess.run(["musl-gcc", "-static", "-O2", "-g",
                            f"-I{include}", "-o", out, source]
                           + cflags.split(), capture_output=True, text=True)
        if p.returncode != 0:
            raise Failure(f"host build of {source} failed:\n{p.stderr}")
    return out


def run_host(binary, args=(), timeout=120, stdin=None, cwd=None):
    try:
        p = subprocess.run([binary] + list(args), capture_output=True,
                           timeout=timeout, input=stdin, cwd=cwd)
    except subprocess.TimeoutExpired:
        raise Failure(f"{binary} did not finish natively within {timeout} s")
    # A process killed by signal N has the shell status 128 + N.
    status = 128 - p.returncode if p.returncode < 0 else p.returncode
    return Result(status, p.stdout.decode(errors="replace"),
                  p.stderr.decode(errors="replace"))


def have(tool):
    return shutil.which(tool) is not None


def free_port():
    """A TCP port on 127.0.0.1 that nothing listens on at the moment."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def pack_cpio(tree, archive):
    """Packs the folder tree into a cpio newc archive for --initrd."""
    paths = subprocess.run(["find", "."], cwd=tree, capture_output=True,
                           check=True).stdout
    paths = b"\n".join(sorted(paths.splitlines())) + b"\n"
    with open(archive, "wb") as out:
        p = subprocess.run(["cpio", "-o", "-H", "newc", "--quiet",
                            "-R", "+0:+0"], cwd=tree, input=paths,
                           stdout=out, stderr=subprocess.PIPE)
    check_eq(p.returncode, 0, f"cpio status ({p.stderr.decode()})")


def write_random_file(path, size):
    """Writes size random bytes to path and returns their SHA-256."""
    digest = hashlib.sha256()
    with open(path, "wb") as f:
        left = size
        while left:
            chunk = os.urandom(min(left, 1 << 20))
            digest.update(chunk)
            f.write(chunk)
            left -= len(chunk)
    return digest.hexdigest()
