# SPDX-License-Identifier: BSD-3-Clause
"""Lua 5.4 and SQLite 3, built from Debian's source packages (apps/lua,
apps/sqlite, apps/speedtest1), run in Pogo. The Lua scripts and the SQL
script of the applications' rootfs folders also run with Debian's lua5.4
and sqlite3 on the host, and the outputs must be equal."""
import os
import re
import shutil
import subprocess
import tempfile

import pogotest
from pogotest import Failure, check, check_eq

LUA = os.path.join(pogotest.ROOT, "apps", "lua")
SQLITE = os.path.join(pogotest.ROOT, "apps", "sqlite")
SPEEDTEST1 = os.path.join(pogotest.ROOT, "apps", "speedtest1")
# The scripts of apps/lua/rootfs and the guest memory for each: gc.lua
# needs about 16 MB and errors.lua, which overflows the Lua stack, about
# 76 MB (measured with ./pogo run -m).
LUA_SCRIPTS = {"strings": "32M", "tables": "32M", "closures": "32M",
               "coroutines": "32M", "arith": "32M", "os": "32M", "io": "32M",
               "errors": "128M", "gc": "32M"}
# apps/sqlite has its own configuration fragment, so it gets a
# configuration folder of its own instead of the shared default one.
SQLITE_VARIANT = "sqlite"
SPEEDTEST1_SIZE = "20"
TESTS = []


def add(name, fn):
    TESTS.append((f"system.apps.{name}", fn))


def host_tool(name, package):
    path = shutil.which(name)
    check(path, f"{name} is missing on the host; run: apt-get install {package}")
    return path


def run_on_host(cmd, env=None, timeout=60):
    """Runs cmd in an empty temporary folder, which is also HOME, and
    returns a Result. Each "{tmp}" in cmd becomes the folder's path."""
    with tempfile.TemporaryDirectory(prefix="pogo-apps-") as tmp:
        full_env = dict(os.environ, HOME=tmp, **(env or {}))
        try:
            p = subprocess.run([c.replace("{tmp}", tmp) for c in cmd],
                               cwd=tmp, env=full_env, capture_output=True,
                               timeout=timeout)
        except subprocess.TimeoutExpired:
            raise Failure(f"{cmd[0]} did not finish on the host within "
                          f"{timeout} s")
    return pogotest.Result(p.returncode, p.stdout.decode(errors="replace"),
                           p.stderr.decode(errors="replace"))


def check_same_output(guest, host, label):
    if guest.stdout != host.stdout:
        raise Failure(f"{label}: output differs from the host's\n--- host\n"
                      f"{host.stdout[-1500:]}\n--- pogo\n{guest.stdout[-1500:]}"
                      f"\n--- pogo's standard error\n{guest.stderr[-1500:]}")
    check_eq(guest.stderr, host.stderr, f"{label}: standard error")
    check_eq(guest.status, host.status, f"{label}: exit status")


def lua_script_matches_host(script, mem):
    def test():
        lua = host_tool("lua5.4", "lua5.4")
        path = os.path.join(LUA, "rootfs", script + ".lua")
        # In Pogo TZ is unset and there is no /etc/localtime, so musl
        # uses UTC; the host must too, for os.time and os.date.
        host = run_on_host([lua, path], env={"TZ": "UTC"})
        check_eq(host.status, 0, f"exit status of lua5.4 {script}.lua on the host")
        guest = pogotest.run(LUA, [f"/{script}.lua"], mem=mem, timeout=60)
        check_same_output(guest, host, f"{script}.lua")
    return test


for s, m in LUA_SCRIPTS.items():
    add(f"lua_{s}_script_matches_host", lua_script_matches_host(s, m))


def test_lua_default_cmdline_runs_hello():
    r = pogotest.run(LUA, mem="32M", timeout=60)
    check_eq(r.stdout, "Hello from Lua 5.4 on Pogo!\n", "output")
    check_eq(r.status, 0, "exit status")


def test_lua_missing_script_fails_as_on_linux():
    r = pogotest.run(LUA, ["/no/such/script.lua"], mem="32M", timeout=60)
    check_eq(r.status, 1, "exit status")
    # argv[0] is the application's name, lua.
    check_eq(r.stderr, "lua: cannot open /no/such/script.lua: No such file "
             "or directory\n", "message")


def test_sqlite_script_matches_host():
    sqlite3 = host_tool("sqlite3", "sqlite3")
    script = os.path.join(SQLITE, "rootfs", "test.sql")
    host = run_on_host([sqlite3, "-batch", "{tmp}/test.db", f".read {script}"])
    check_eq(host.status, 0, "exit status of sqlite3 on the host")
    check(host.stdout.count("\n") > 100,
          f"the host's output is too short to compare:\n{host.stdout}")
    # The manifest's command line runs /test.sql on /tmp/test.db.
    guest = pogotest.run(SQLITE, variant=SQLITE_VARIANT, mem="16M", timeout=60)
    check_same_output(guest, host, "test.sql")


def test_sqlite_sql_argument_prints_result():
    r = pogotest.run(SQLITE, ["-batch", "/tmp/t.db",
                              "CREATE TABLE t(x); INSERT INTO t VALUES (6), (7);"
                              " SELECT x * 7 FROM t ORDER BY x;"],
                     variant=SQLITE_VARIANT, mem="16M", timeout=60)
    check_eq(r.stdout, "42\n49\n", "output")
    check_eq(r.status, 0, "exit status")


def test_sqlite_error_gives_status_1():
    r = pogotest.run(SQLITE, ["-batch", ":memory:", "SELECT * FROM missing;"],
                     variant=SQLITE_VARIANT, mem="16M", timeout=60)
    check_eq(r.status, 1, "exit status")
    check_eq(r.stderr, "Error: in prepare, no such table: missing\n", "message")


def test_speedtest1_runs_to_completion():
    r = pogotest.run(SPEEDTEST1, ["--size", SPEEDTEST1_SIZE,
                                  "/tmp/speedtest1.db"], mem="64M", timeout=60)
    check_eq(r.status, 0, f"exit status (stderr: {r.stderr[-1000:]!r})")
    lines = r.stdout.rstrip("\n").splitlines()
    check(lines and lines[0].startswith("-- Speedtest1 for SQLite 3."),
          f"first line: {lines[:1]}")
    check(re.fullmatch(r"\s+TOTAL\.+\s+\d+\.\d+s", lines[-1]),
          f"last line is not the total: {lines[-1:]}")
    cases = [l for l in lines[1:-1] if re.match(r"\s*\d+ - ", l)]
    check(len(cases) >= 30, f"only {len(cases)} test cases ran:\n{r.stdout}")
    check_eq(r.stderr, "", "standard error")


for name, fn in list(globals().items()):
    if name.startswith("test_"):
        add(name[5:], fn)
