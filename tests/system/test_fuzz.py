# SPDX-License-Identifier: BSD-3-Clause
"""Short libFuzzer runs of the fuzz targets (make fuzz runs them longer):
a crash or a failed invariant check in the time given fails the test."""
import os
import subprocess

import pogotest
from pogotest import Failure

SECONDS = 10
TARGETS = ("alloc_tlsf", "alloc_buddy", "cpio", "httpd_request")


def fuzz(target):
    def test():
        p = subprocess.run(["make", "-s", "-C", pogotest.ROOT, f"build/fuzz/{target}"],
                           capture_output=True, text=True)
        if p.returncode != 0:
            raise Failure(f"building the fuzzer failed:\n{p.stdout}{p.stderr}")
        corpus = os.path.join(pogotest.ROOT, "build", "fuzz", f"corpus-{target}")
        os.makedirs(corpus, exist_ok=True)
        p = subprocess.run([os.path.join(pogotest.ROOT, "build", "fuzz", target),
                            f"-max_total_time={SECONDS}", "-seed=1", corpus],
                           capture_output=True, text=True, timeout=SECONDS + 120)
        if p.returncode != 0:
            raise Failure(f"the fuzzer failed:\n{p.stderr[-3000:]}")
    return test


TESTS = [(f"fuzz.{t}", fuzz(t)) for t in TARGETS]
