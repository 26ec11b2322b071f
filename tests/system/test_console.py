# SPDX-License-Identifier: BSD-3-Clause
"""The console behind fds 0, 1 and 2: a terminal to isatty and its
ioctls, standard error on the error channel, and input from the serial
port only with the kernel option console.input=serial."""
import os

import pogotest
from pogotest import check, check_eq

APP = pogotest.guest_app(os.path.join("tests", "system", "console_io.c"))
TESTS = []

TERMINAL = ("isatty: 1 1 1\n"
            "tcgetattr: 0, ICANON 1, ECHO 1\n"
            "TIOCGWINSZ: 0, 0 rows, 0 columns\n"
            "FIONREAD: 0\n")


def test_console_is_terminal_without_input():
    r = pogotest.run(APP, stdin=b"ignored\n")
    check_eq(r.stdout, TERMINAL + "end of file\n", "output")
    check("to standard error\n" in r.stderr, "standard error: " + r.stderr)
    check_eq(r.status, 0, "exit status")


def test_console_reads_serial_when_enabled():
    # The input is waiting before the guest starts, so its first byte is
    # in the UART when the driver sets the UART up.
    r = pogotest.run(APP, kernel_opts="console.input=serial",
                     stdin=b"typed line\nsecond line\n")
    check_eq(r.stdout, TERMINAL + "read: typed line\nread: second line\n",
             "output")
    check_eq(r.status, 0, "exit status")


def test_invalid_console_input_stops_boot():
    r = pogotest.run(APP, kernel_opts="console.input=keyboard")
    check_eq(r.status, 120, "exit status")
    check("console.input=keyboard" in r.stderr, "message: " + r.stderr)


for name, fn in list(globals().items()):
    if name.startswith("test_"):
        TESTS.append((f"system.console.{name[5:]}", fn))
