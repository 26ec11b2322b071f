# SPDX-License-Identifier: BSD-3-Clause
"""Redis 7.0 (apps/redis, built from Debian's redis source package) in
Pogo, driven from the host through QEMU user networking (restrict=on,
the forward bound to 127.0.0.1) with Debian's redis-cli and with RESP
connections of its own, and Redis's own test suite from the same source
package in its external-server mode.

make test runs the units of SUITE_UNITS; make test-redis runs every unit:
    python3 tests/system/test_redis.py [--units all|subset]
apps/redis/test-skips lists the units, tests and tags that the suite
skips, each with its reason."""
import hashlib
import os
import random
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time

if __name__ == "__main__":
    sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(
        os.path.abspath(__file__))), "lib"))

import pogotest  # noqa: E402
from pogotest import Failure, check, check_eq  # noqa: E402

REDIS = os.path.join(pogotest.ROOT, "apps", "redis")
SKIPS = os.path.join(REDIS, "test-skips")
# Booting under TCG and bringing the network up takes a few seconds.
START_TIMEOUT = 90
# The units that make test runs: strings, counters, hashes, sets, sorted
# sets, the keyspace, SCAN, the protocol, AUTH and INFO. The test took
# 163 s under TCG on a 2-core machine, boot included.
SUITE_UNITS = [
    "unit/printver",
    "unit/auth",
    "unit/protocol",
    "unit/keyspace",
    "unit/scan",
    "unit/info",
    "unit/info-command",
    "unit/type/string",
    "unit/type/incr",
    "unit/type/hash",
    "unit/type/set",
    "unit/type/zset",
]
TESTS = []


def add(name, fn):
    TESTS.append((f"system.redis.{name}", fn))


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def redis_tool(name):
    path = shutil.which(name)
    check(path, f"{name} is missing on the host; run: apt-get install "
          "redis-tools")
    return path


class Server:
    """redis-server booted in the background, its port 6379 forwarded to
    a free port on 127.0.0.1."""

    def __init__(self, args=(), mem="128M"):
        self.port = free_port()
        build_dir, _ = pogotest.build(REDIS)
        cmd = [pogotest.POGO, "run", REDIS, "--no-build", "--build-dir",
               build_dir, "--accel", "tcg", "-m", mem,
               "-p", f"{self.port}:6379", "--",
               "/etc/redis/redis.conf"] + list(args)
        self.out = tempfile.TemporaryFile()
        self.proc = subprocess.Popen(cmd, stdout=self.out,
                                     stderr=subprocess.STDOUT,
                                     stdin=subprocess.DEVNULL,
                                     start_new_session=True)
        self.wait_ready()

    def wait_ready(self):
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise Failure(f"redis-server exited with status "
                              f"{self.proc.returncode}:\n{self.log()}")
            try:
                with Connection(self.port, timeout=5) as c:
                    if c.call("PING") == "PONG":
                        return
            except OSError:
                time.sleep(0.3)
        self.stop()
        raise Failure(f"redis-server did not answer PING within "
                      f"{START_TIMEOUT} s:\n{self.log()}")

    def log(self):
        self.out.seek(0)
        return self.out.read().decode(errors="replace")

    def cli(self, *args, stdin=None, timeout=120):
        """Runs redis-cli with args and returns its output without the
        last newline."""
        cmd = [redis_tool("redis-cli"), "-h", "127.0.0.1", "-p",
               str(self.port)] + list(args)
        try:
            p = subprocess.run(cmd, input=stdin, capture_output=True,
                               timeout=timeout)
        except subprocess.TimeoutExpired:
            raise Failure(f"redis-cli {' '.join(args)[:80]} did not finish "
                          f"within {timeout} s")
        check_eq(p.returncode, 0,
                 f"exit status of redis-cli {args[0] if args else ''}")
        return p.stdout.decode(errors="replace").removesuffix("\n")

    def info(self, section):
        """INFO section as a dict of its fields."""
        text = self.cli("INFO", section)
        return dict(line.split(":", 1) for line in text.splitlines()
                    if ":" in line)

    def stop(self):
        pogotest.kill_group(self.proc)
        self.proc.wait()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.stop()


class ErrorReply(str):
    """An error reply (-ERR ...), kept apart from a status reply."""

    def __repr__(self):
        return f"ErrorReply({str(self)!r})"


class Connection:
    """A RESP connection, for replies that must come on one connection."""

    def __init__(self, port, timeout=60):
        self.sock = socket.create_connection(("127.0.0.1", port),
                                             timeout=timeout)
        self.file = self.sock.makefile("rb")

    def send(self, *args):
        parts = [f"*{len(args)}\r\n".encode()]
        for a in args:
            a = a if isinstance(a, bytes) else str(a).encode()
            parts += [f"${len(a)}\r\n".encode(), a, b"\r\n"]
        self.sock.sendall(b"".join(parts))

    def reply(self):
        line = self.file.readline()
        if not line:
            raise Failure("redis-server closed the connection")
        kind, rest = line[:1], line[1:-2].decode()
        if kind == b"+":
            return rest
        if kind == b"-":
            return ErrorReply(rest)
        if kind == b":":
            return int(rest)
        if kind == b"$":
            if rest == "-1":
                return None
            data = self.file.read(int(rest) + 2)
            return data[:-2].decode(errors="replace")
        if kind == b"*":
            if rest == "-1":
                return None
            return [self.reply() for _ in range(int(rest))]
        raise Failure(f"unexpected reply line {line[:60]!r}")

    def call(self, *args):
        self.send(*args)
        return self.reply()

    def close(self):
        self.file.close()
        self.sock.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


def test_ping_set_get_incr():
    with Server() as srv:
        check_eq(srv.cli("PING"), "PONG", "PING")
        check_eq(srv.cli("SET", "greeting", "hello"), "OK", "SET")
        check_eq(srv.cli("GET", "greeting"), "hello", "GET")
        check_eq(srv.cli("APPEND", "greeting", " world"), "11", "APPEND")
        check_eq(srv.cli("GET", "greeting"), "hello world", "GET after APPEND")
        check_eq(srv.cli("GET", "missing"), "", "GET of a missing key")
        for n in range(1, 4):
            check_eq(srv.cli("INCR", "counter"), str(n), f"INCR {n}")
        check_eq(srv.cli("INCRBY", "counter", "10"), "13", "INCRBY")
        check_eq(srv.cli("DECR", "counter"), "12", "DECR")
        check_eq(srv.cli("INCRBYFLOAT", "counter", "0.5"), "12.5",
                 "INCRBYFLOAT")
        check(srv.cli("INCR", "greeting").startswith("ERR"),
              "INCR of a string is an error")
        check_eq(srv.cli("DEL", "greeting", "counter"), "2", "DEL")
        check_eq(srv.cli("EXISTS", "greeting"), "0", "EXISTS after DEL")
        server = srv.info("server")
        check_eq(server.get("redis_version"), "7.0.15", "redis_version")
        check(server.get("os", "").startswith("Linux"),
              f"INFO os: {server.get('os')!r}")
        check_eq(server.get("process_id"), "1", "process_id")
        # Every syscall that Redis makes at startup and for these commands
        # is implemented.
        check("not implemented" not in srv.log(),
              f"console of redis-server:\n{srv.log()[-3000:]}")


def test_lists_hashes_sets_and_sorted_sets():
    with Server() as srv:
        check_eq(srv.cli("RPUSH", "list", "a", "b", "c"), "3", "RPUSH")
        check_eq(srv.cli("LPUSH", "list", "z"), "4", "LPUSH")
        check_eq(srv.cli("LRANGE", "list", "0", "-1"), "z\na\nb\nc", "LRANGE")
        check_eq(srv.cli("LPOP", "list"), "z", "LPOP")
        check_eq(srv.cli("RPOP", "list"), "c", "RPOP")
        check_eq(srv.cli("LINDEX", "list", "1"), "b", "LINDEX")
        check_eq(srv.cli("LLEN", "list"), "2", "LLEN")
        check_eq(srv.cli("TYPE", "list"), "list", "TYPE of a list")

        check_eq(srv.cli("HSET", "hash", "f1", "v1", "f2", "v2"), "2", "HSET")
        check_eq(srv.cli("HGET", "hash", "f2"), "v2", "HGET")
        check_eq(srv.cli("HINCRBY", "hash", "n", "5"), "5", "HINCRBY")
        check_eq(srv.cli("HDEL", "hash", "f1"), "1", "HDEL")
        check_eq(sorted(srv.cli("HKEYS", "hash").split("\n")), ["f2", "n"],
                 "HKEYS")
        check_eq(srv.cli("HLEN", "hash"), "2", "HLEN")
        check_eq(srv.cli("TYPE", "hash"), "hash", "TYPE of a hash")

        check_eq(srv.cli("SADD", "set", "a", "b", "c", "a"), "3", "SADD")
        check_eq(srv.cli("SADD", "other", "b", "c", "d"), "3", "SADD other")
        check_eq(srv.cli("SISMEMBER", "set", "b"), "1", "SISMEMBER")
        check_eq(srv.cli("SISMEMBER", "set", "d"), "0", "SISMEMBER missing")
        check_eq(sorted(srv.cli("SINTER", "set", "other").split("\n")),
                 ["b", "c"], "SINTER")
        check_eq(sorted(srv.cli("SUNION", "set", "other").split("\n")),
                 ["a", "b", "c", "d"], "SUNION")
        check_eq(srv.cli("SREM", "set", "a"), "1", "SREM")
        check_eq(srv.cli("SCARD", "set"), "2", "SCARD")
        check_eq(srv.cli("TYPE", "set"), "set", "TYPE of a set")

        check_eq(srv.cli("ZADD", "zset", "3", "c", "1", "a", "2", "b"), "3",
                 "ZADD")
        check_eq(srv.cli("ZRANGE", "zset", "0", "-1", "WITHSCORES"),
                 "a\n1\nb\n2\nc\n3", "ZRANGE WITHSCORES")
        check_eq(srv.cli("ZINCRBY", "zset", "10", "a"), "11", "ZINCRBY")
        check_eq(srv.cli("ZRANK", "zset", "a"), "2", "ZRANK")
        check_eq(srv.cli("ZRANGEBYSCORE", "zset", "2", "3"), "b\nc",
                 "ZRANGEBYSCORE")
        check_eq(srv.cli("ZSCORE", "zset", "b"), "2", "ZSCORE")
        check_eq(srv.cli("ZREM", "zset", "b"), "1", "ZREM")
        check_eq(srv.cli("ZCARD", "zset"), "2", "ZCARD")
        check_eq(srv.cli("TYPE", "zset"), "zset", "TYPE of a sorted set")


def wait_until(what, cond, timeout=20):
    deadline = time.monotonic() + timeout
    while not cond():
        if time.monotonic() > deadline:
            raise Failure(f"{what} did not happen within {timeout} s")
        time.sleep(0.2)


def test_expire_removes_keys():
    with Server() as srv:
        check_eq(srv.cli("SET", "short", "v", "PX", "1500"), "OK", "SET PX")
        pttl = int(srv.cli("PTTL", "short"))
        check(0 < pttl <= 1500, f"PTTL right after SET PX 1500: {pttl}")
        check_eq(srv.cli("SET", "kept", "v"), "OK", "SET")
        check_eq(srv.cli("EXPIRE", "kept", "1"), "1", "EXPIRE")
        check_eq(srv.cli("PERSIST", "kept"), "1", "PERSIST")
        check_eq(srv.cli("TTL", "kept"), "-1", "TTL after PERSIST")
        wait_until("expiry of the key", lambda: srv.cli("EXISTS", "short") == "0")
        check_eq(srv.cli("GET", "short"), "", "GET of the expired key")
        check_eq(srv.cli("GET", "kept"), "v", "the persisted key")

        # Keys that no client reads are removed by the server's active
        # expiry cycle, which runs from its timer.
        for i in range(20):
            srv.cli("SET", f"idle{i}", "v", "PX", "300")
        wait_until("active expiry of 20 keys",
                   lambda: srv.cli("DBSIZE") == "1")
        check_eq(srv.cli("TTL", "missing"), "-2", "TTL of a missing key")


def test_multi_exec_runs_queued_commands():
    with Server() as srv:
        out = srv.cli(stdin=b"MULTI\nINCR tx\nINCR tx\nSET name pogo\nEXEC\n")
        check_eq(out, "OK\nQUEUED\nQUEUED\nQUEUED\n1\n2\nOK",
                 "MULTI/EXEC through redis-cli")
        check_eq(srv.cli("GET", "name"), "pogo", "GET after EXEC")
        out = srv.cli(stdin=b"MULTI\nINCR tx\nDISCARD\nGET tx\n")
        check_eq(out, "OK\nQUEUED\nOK\n2", "MULTI/DISCARD")

        with Connection(srv.port) as a, Connection(srv.port) as b:
            check_eq(a.call("WATCH", "tx"), "OK", "WATCH")
            check_eq(b.call("INCR", "tx"), 3, "INCR from another client")
            check_eq(a.call("MULTI"), "OK", "MULTI")
            check_eq(a.call("INCR", "tx"), "QUEUED", "queued INCR")
            check_eq(a.call("EXEC"), None, "EXEC after the watched key changed")
        check_eq(srv.cli("GET", "tx"), "3", "the aborted INCR did not run")


def test_ten_mib_value_round_trips():
    value = os.urandom(5 << 20).hex().encode()
    with Server(mem="256M") as srv:
        check_eq(srv.cli("-x", "SET", "big", stdin=value), "OK", "SET of 10 MiB")
        check_eq(srv.cli("STRLEN", "big"), str(10 << 20), "STRLEN")
        check_eq(srv.cli("GETRANGE", "big", "1000", "1009"),
                 value[1000:1010].decode(), "GETRANGE")
        got = srv.cli("GET", "big").encode()
        check_eq(len(got), len(value), "length of the value from GET")
        check_eq(hashlib.sha256(got).hexdigest(),
                 hashlib.sha256(value).hexdigest(), "SHA-256 of the value")


def test_two_hundred_concurrent_clients():
    clients = 200
    with Server(mem="256M") as srv:
        conns = [Connection(srv.port) for _ in range(clients)]
        try:
            for i, c in enumerate(conns):
                c.send("CLIENT", "SETNAME", f"client{i}")
                c.send("INCR", "shared")
                c.send("SET", f"key{i}", f"value{i}")
            counts = []
            for i, c in enumerate(conns):
                check_eq(c.reply(), "OK", f"CLIENT SETNAME of client {i}")
                counts.append(c.reply())
                check_eq(c.reply(), "OK", f"SET of client {i}")
            check_eq(sorted(counts), list(range(1, clients + 1)),
                     "INCR results of all clients")
            connected = int(srv.info("clients")["connected_clients"])
            check(connected >= clients + 1,
                  f"connected_clients while all are open: {connected}")
            for i, c in enumerate(conns):
                check_eq(c.call("GET", f"key{i}"), f"value{i}",
                         f"GET of client {i}")
        finally:
            for c in conns:
                c.close()
        wait_until("closing of 200 connections",
                   lambda: srv.info("clients")["connected_clients"] == "1")


def test_save_writes_dump_and_bgsave_fails():
    with Server(["--enable-debug-command", "yes"]) as srv:
        for i in range(100):
            srv.cli("SET", f"key{i}", f"value{i}")
        srv.cli("RPUSH", "list", "a", "b")
        check_eq(srv.cli("SAVE"), "OK", "SAVE")
        persistence = srv.info("persistence")
        check_eq(persistence.get("rdb_changes_since_last_save"), "0",
                 "changes since the SAVE")
        check_eq(persistence.get("rdb_saves"), "1", "rdb_saves")
        check("DB saved on disk" in srv.log(),
              f"console after SAVE:\n{srv.log()[-2000:]}")

        # DEBUG RELOAD NOSAVE empties the database and loads the dump that
        # SAVE wrote into the RAM file system.
        srv.cli("SET", "key0", "changed")
        check_eq(srv.cli("DEBUG", "RELOAD", "NOSAVE"), "OK", "DEBUG RELOAD")
        check_eq(srv.info("persistence").get("rdb_last_load_keys_loaded"),
                 "101", "keys loaded from the dump")
        check_eq(srv.cli("GET", "key0"), "value0", "key0 from the dump")
        check_eq(srv.cli("LRANGE", "list", "0", "-1"), "a\nb",
                 "the list from the dump")

        # BGSAVE needs fork(), which Pogo does not have, so Redis replies
        # with an error and goes on serving.
        check(srv.cli("BGSAVE").startswith("ERR"), "BGSAVE is an error")
        check_eq(srv.info("persistence").get("rdb_last_bgsave_status"), "err",
                 "rdb_last_bgsave_status")
        check("Can't save in background: fork: Function not implemented"
              in srv.log(), f"console after BGSAVE:\n{srv.log()[-2000:]}")
        check_eq(srv.cli("PING"), "PONG", "PING after BGSAVE")


def test_busy_script_answers_others_and_can_be_killed():
    # While a script runs, Redis polls its sockets without blocking (epoll
    # with a zero timeout) and replies BUSY to other clients. The data of
    # those clients reaches Pogo only if the network's receive thread gets
    # to run meanwhile.
    with Server() as srv, Connection(srv.port, timeout=30) as busy, \
            Connection(srv.port, timeout=30) as other:
        check_eq(other.call("CONFIG", "SET", "lua-time-limit", "10"), "OK",
                 "CONFIG SET lua-time-limit")
        busy.send("EVAL", "while true do end", "0")
        time.sleep(0.5)
        reply = other.call("PING")
        check(isinstance(reply, ErrorReply) and str(reply).startswith("BUSY"),
              f"PING during the script: {reply!r}")
        check_eq(other.call("SCRIPT", "KILL"), "OK", "SCRIPT KILL")
        reply = busy.reply()
        check(isinstance(reply, ErrorReply) and "Script killed" in str(reply),
              f"the script's own reply: {reply!r}")
        check_eq(other.call("PING"), "PONG", "PING after the kill")


def test_shutdown_ends_the_image_with_status_0():
    with Server() as srv:
        srv.cli("SET", "k", "v")
        subprocess.run([redis_tool("redis-cli"), "-h", "127.0.0.1", "-p",
                        str(srv.port), "SHUTDOWN", "NOSAVE"],
                       capture_output=True, timeout=60)
        try:
            status = srv.proc.wait(timeout=60)
        except subprocess.TimeoutExpired:
            raise Failure(f"the image still runs after SHUTDOWN:\n{srv.log()}")
        check_eq(status, 0, f"exit status; console:\n{srv.log()[-2000:]}")
        check("ready to exit, bye bye" in srv.log(),
              f"console after SHUTDOWN:\n{srv.log()[-2000:]}")


# --- Redis's own test suite -------------------------------------------------

def read_skips(path=SKIPS):
    """Returns the (units, tests, tags) that apps/redis/test-skips lists.
    Its lines are "unit NAME -- REASON", "test NAME -- REASON" or "tag
    NAME -- REASON". A test NAME may also be a regular expression after
    a /, as the suite's --skiptest takes it."""
    skips = {"unit": [], "test": [], "tag": []}
    with open(path) as f:
        for number, line in enumerate(f, 1):
            line = line.rstrip("\n")
            if not line.strip() or line.startswith("#"):
                continue
            kind, _, rest = line.partition(" ")
            name, sep, reason = rest.partition(" -- ")
            if kind not in skips or not sep or not name or not reason.strip():
                raise Failure(f"{path}:{number}: expected 'unit|test|tag "
                              f"NAME -- REASON', got {line!r}")
            skips[kind].append(name)
    return skips["unit"], skips["test"], skips["tag"]


ANSI = re.compile(r"\x1b\[[0-9;]*m")
RESULT = re.compile(r"^\[(ok|err|skip|ignore|exception)\]: (.*)$")


def link_host_tools(tree):
    """Links src/redis-cli and src/redis-benchmark of the source tree,
    which the suite runs as clients, to the host's programs of the same
    source package (Debian's redis-tools), as the tree has no build."""
    for name in ("redis-cli", "redis-benchmark"):
        link = os.path.join(tree, "src", name)
        if not os.path.lexists(link):
            os.symlink(redis_tool(name), link)


def run_suite(units, timeout, log=None):
    """Runs Redis's test suite against an image: the given units, or all
    but the skipped ones when units is None. Returns a dict of the counts
    of each result and the lines of the failed tests."""
    tree = subprocess.run([os.path.join(pogotest.ROOT, "scripts",
                                        "debian-source.sh"), "redis"],
                          capture_output=True, text=True).stdout.strip()
    check(tree and os.path.isfile(os.path.join(tree, "runtest")),
          "Debian's redis source tree was not fetched")
    check(shutil.which("tclsh8.6") or shutil.which("tclsh8.7"),
          "tclsh is missing on the host; run: apt-get install tcl")
    link_host_tools(tree)
    skip_units, skip_tests, skip_tags = read_skips()
    with tempfile.NamedTemporaryFile("w", suffix=".skip") as skipfile, \
            Server(["--enable-debug-command", "yes"], mem="512M") as srv:
        skipfile.write("\n".join(skip_tests) + "\n")
        skipfile.flush()
        cmd = ["./runtest", "--host", "127.0.0.1", "--port", str(srv.port),
               "--baseport", str(random.randrange(20000, 50000)),
               "--tags", " ".join("-" + t for t in skip_tags),
               "--skipfile", skipfile.name, "--timeout", "600", "--durable"]
        if units is None:
            for u in skip_units:
                cmd += ["--skipunit", u]
        else:
            for u in units:
                cmd += ["--single", u]
        counts = {"ok": 0, "err": 0, "skip": 0, "ignore": 0, "exception": 0}
        failed = []
        p = subprocess.Popen(cmd, cwd=tree, stdout=subprocess.PIPE,
                             stderr=subprocess.STDOUT,
                             stdin=subprocess.DEVNULL,
                             start_new_session=True)
        timed_out = threading.Event()

        def stop():
            timed_out.set()
            pogotest.kill_group(p)

        timer = threading.Timer(timeout, stop)
        timer.start()
        try:
            for raw in p.stdout:
                line = ANSI.sub("", raw.decode(errors="replace")).rstrip()
                if log:
                    print(line, file=log, flush=True)
                m = RESULT.match(line)
                if m:
                    counts[m.group(1)] += 1
                    if m.group(1) in ("err", "exception"):
                        failed.append(line)
            status = p.wait()
        finally:
            timer.cancel()
        if timed_out.is_set():
            failed.append(f"the suite did not finish within {timeout} s")
        if status != 0 and not failed:
            failed.append(f"the suite exited with status {status}")
        if srv.proc.poll() is not None:
            failed.append(f"redis-server exited with status "
                          f"{srv.proc.returncode}:\n{srv.log()[-3000:]}")
    return counts, failed


def test_redis_suite_units():
    with tempfile.TemporaryFile("w+") as log:
        counts, failed = run_suite(SUITE_UNITS, timeout=1200, log=log)
        if failed:
            log.seek(0)
            raise Failure(f"{len(failed)} failures in Redis's test suite:\n"
                          + "\n".join(failed[:20]) + "\n--- last lines\n"
                          + log.read()[-3000:])
    check(counts["ok"] > 0, f"no test of the suite passed: {counts}")


for name, fn in list(globals().items()):
    if name.startswith("test_") and name != "test_redis_suite_units":
        add(name[5:], fn)
add("suite_units", test_redis_suite_units)


def main():
    import argparse
    parser = argparse.ArgumentParser(description="Runs Redis's test suite "
                                     "against redis-server in Pogo.")
    parser.add_argument("--units", choices=("all", "subset"), default="all",
                        help="every unit but the skipped ones, or the "
                        "units that make test runs (default: all)")
    parser.add_argument("--timeout", type=int, default=7200,
                        help="seconds before the run is stopped "
                        "(default: 7200)")
    args = parser.parse_args()
    units = None if args.units == "all" else SUITE_UNITS
    try:
        counts, failed = run_suite(units, args.timeout, log=sys.stdout)
    except Failure as e:
        print(f"redis suite: {e}")
        print("0 passed, 1 failed")
        return 1
    for line in failed:
        print(f"FAIL {line}")
    print(f"redis suite: {counts['skip']} skipped by apps/redis/test-skips, "
          f"{counts['ignore']} skipped by tags, {counts['exception']} "
          f"exceptions")
    print(f"{counts['ok']} passed, {counts['err'] + counts['exception']} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
