# SPDX-License-Identifier: BSD-3-Clause
"""Guest programs of tests/guest: each runs natively on the host and in
Pogo, and the standard output and exit status must be equal; Linux is the
reference. A line "// test: key=value ..." at the top of a program sets
its arguments (args=..., split as sh splits), the expected status
(status=N, default 0), guest memory (mem=64M), a timeout (timeout=S),
configuration settings it needs (config=NET=y,...) and the variants it
runs in (variants=preempt: only those whose name contains a listed word).
Every program runs with each allocator and each scheduler."""
import os
import shlex
import threading

import pogotest
from pogotest import Failure, check_eq

GUEST_DIR = os.path.join(pogotest.ROOT, "tests", "guest")


def parse_header(path):
    opts = {"args": [], "status": 0, "mem": "64M", "timeout": 120}
    with open(path) as f:
        for line in f:
            if not line.startswith("//"):
                break
            body = line[2:].strip()
            if not body.startswith("test:"):
                continue
            for word in shlex.split(body[5:]):
                key, _, value = word.partition("=")
                if key == "args":
                    opts["args"] = shlex.split(value)
                elif key in ("status", "timeout"):
                    opts[key] = int(value)
                else:
                    opts[key] = value
    return opts


VARIANTS = {
    "tlsf-coop": ("ALLOC_TLSF=y", "SCHED_COOP=y"),
    "buddy-coop": ("ALLOC_BUDDY=y", "SCHED_COOP=y"),
    "tlsf-preempt": ("ALLOC_TLSF=y", "SCHED_PREEMPT=y"),
    "buddy-preempt": ("ALLOC_BUDDY=y", "SCHED_PREEMPT=y"),
}

_host_results = {}
_host_lock = threading.Lock()


def host_result(path, opts):
    """Runs the program natively once and remembers the result."""
    with _host_lock:
        lock = _host_results.setdefault(path, threading.Lock())
    with lock:
        if not isinstance(_host_results.get(path + ":result"), pogotest.Result):
            _host_results[path + ":result"] = pogotest.run_host(
                pogotest.host_binary(path), opts["args"], timeout=opts["timeout"])
        return _host_results[path + ":result"]


def make_test(path, variant):
    def test():
        opts = parse_header(path)
        host = host_result(path, opts)
        app = pogotest.guest_app(path)
        # Programs with settings of their own share a configuration with
        # the programs that have the same settings.
        extra = tuple(w for w in opts.get("config", "").split(",") if w)
        name = "-".join([variant] + [w.split("=")[0].lower() for w in extra])
        guest = pogotest.run(app, opts["args"], mem=opts["mem"],
                             timeout=opts["timeout"], variant=name,
                             sets=VARIANTS[variant] + extra)
        check_eq(host.status, opts["status"], "exit status on the host")
        if guest.stdout != host.stdout:
            raise Failure("output differs from the host's\n--- host\n"
                          f"{host.stdout[-1500:]}\n--- pogo\n{guest.stdout[-1500:]}")
        check_eq(guest.status, host.status, "exit status in pogo")
    return test


def wanted(path, variant):
    words = parse_header(path).get("variants")
    return not words or any(w in variant for w in words.split(","))


TESTS = []
for name in sorted(os.listdir(GUEST_DIR)):
    if not name.endswith(".c"):
        continue
    path = os.path.join(GUEST_DIR, name)
    for variant in VARIANTS:
        if wanted(path, variant):
            TESTS.append((f"guest.{name[:-2]}.{variant}", make_test(path, variant)))
