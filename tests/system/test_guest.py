# SPDX-License-Identifier: BSD-3-Clause
"""Guest programs of tests/guest: each runs natively on the host and in
Pogo, and the standard output and exit status must be equal; Linux is the
reference. A line "// test: key=value ..." at the top of a program sets
its arguments (args=..., split as sh splits), the expected status
(status=N, default 0), guest memory (mem=64M) and a timeout (timeout=S)."""
import os
import shlex

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


def make_test(path):
    def test():
        opts = parse_header(path)
        host = pogotest.run_host(pogotest.host_binary(path), opts["args"],
                                 timeout=opts["timeout"])
        app = pogotest.guest_app(path)
        guest = pogotest.run(app, opts["args"], mem=opts["mem"],
                             timeout=opts["timeout"])
        check_eq(host.status, opts["status"], "exit status on the host")
        if guest.stdout != host.stdout:
            raise Failure("output differs from the host's\n--- host\n"
                          f"{host.stdout[-1500:]}\n--- pogo\n{guest.stdout[-1500:]}")
        check_eq(guest.status, host.status, "exit status in pogo")
    return test


TESTS = []
for name in sorted(os.listdir(GUEST_DIR)):
    if name.endswith(".c"):
        TESTS.append((f"guest.{name[:-2]}", make_test(os.path.join(GUEST_DIR, name))))
