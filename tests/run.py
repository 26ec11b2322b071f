#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""Pogo's test runner: host unit tests, guest programs compared with the
host, and system tests that boot images and drive them. Prints one line
per test ("ok NAME" or "FAIL NAME" with the reason) and ends with
"N passed, N failed".

usage: tests/run.py [--unit-only] [--jobs N] [PATTERN...]
A PATTERN selects the tests whose name contains it.
"""
import argparse
import concurrent.futures
import importlib.util
import os
import subprocess
import sys
import threading
import time
import traceback

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "tests", "lib"))

import pogotest  # noqa: E402

print_lock = threading.Lock()


def report(name, ok, detail="", seconds=0.0):
    with print_lock:
        if ok:
            print(f"ok {name} ({seconds:.1f} s)", flush=True)
        else:
            print(f"FAIL {name}", flush=True)
            for line in detail.rstrip().splitlines()[-40:]:
                print("    " + line, flush=True)


def run_unit_tests(selected):
    """Builds the unit tests and runs each binary; returns (passed, failed)."""
    p = subprocess.run(["make", "-s", "--no-print-directory", "-C", ROOT,
                        "unit-build"], capture_output=True, text=True)
    if p.returncode != 0:
        report("unit.build", False, p.stdout + p.stderr)
        return 0, 1
    passed = failed = 0
    unit_dir = os.path.join(ROOT, "build", "unit")
    for name in sorted(os.listdir(unit_dir)):
        path = os.path.join(unit_dir, name)
        if not os.access(path, os.X_OK) or os.path.isdir(path):
            continue
        p = subprocess.run([path], capture_output=True, text=True, timeout=600)
        pending = []
        for line in p.stdout.splitlines():
            if line.startswith("ok "):
                case = "unit." + line[3:]
                if selected(case):
                    report(case, True)
                    passed += 1
                pending = []
            elif line.startswith("FAIL "):
                case = "unit." + line[5:]
                if selected(case):
                    report(case, False, "\n".join(pending))
                    failed += 1
                pending = []
            elif line.startswith("  "):
                pending.append(line.strip())
        if p.returncode != 0 and "FAIL" not in p.stdout:
            report(f"unit.{name}", False,
                   f"exit status {p.returncode}\n{p.stdout[-2000:]}{p.stderr[-4000:]}")
            failed += 1
    return passed, failed


def load_system_tests():
    """Imports tests/system/test_*.py; each registers its tests."""
    tests = []
    sysdir = os.path.join(ROOT, "tests", "system")
    for fname in sorted(os.listdir(sysdir)):
        if not (fname.startswith("test_") and fname.endswith(".py")):
            continue
        spec = importlib.util.spec_from_file_location(fname[:-3],
                                                      os.path.join(sysdir, fname))
        mod = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(mod)
        tests.extend(mod.TESTS)
    return tests


def run_one(name, fn):
    start = time.monotonic()
    try:
        fn()
    except pogotest.Failure as e:
        return name, False, str(e), time.monotonic() - start
    except Exception:
        return name, False, traceback.format_exc(), time.monotonic() - start
    return name, True, "", time.monotonic() - start


def ensure_packages():
    """Installs the Debian packages of .ci/packages that are missing, as
    ./pogo installs its tools: as root, or else it prints the apt-get line
    to run, and the tests that need a missing tool fail and name it."""
    with open(os.path.join(pogotest.ROOT, ".ci", "packages")) as f:
        packages = f.read().split()
    subprocess.run([os.path.join(pogotest.ROOT, "scripts",
                                 "ensure-packages.sh")] + packages)


def main():
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--unit-only", action="store_true")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 2)
    parser.add_argument("patterns", nargs="*")
    args = parser.parse_args()

    ensure_packages()

    def selected(name):
        return not args.patterns or any(p in name for p in args.patterns)

    passed, failed = run_unit_tests(selected)
    if not args.unit_only:
        tests = [(n, f) for n, f in load_system_tests() if selected(n)]
        with concurrent.futures.ThreadPoolExecutor(args.jobs) as pool:
            futures = [pool.submit(run_one, n, f) for n, f in tests]
            for fut in concurrent.futures.as_completed(futures):
                name, ok, detail, seconds = fut.result()
                report(name, ok, detail, seconds)
                if ok:
                    passed += 1
                else:
                    failed += 1
    print(f"{passed} passed, {failed} failed", flush=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
