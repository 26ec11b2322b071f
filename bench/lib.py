# SPDX-License-Identifier: BSD-3-Clause
"""Shared helpers of the benchmarks: building, the QEMU command that
./pogo run would use, interleaved timing, and statistics."""
import ctypes
import os
import re
import selectors
import shlex
import signal
import socket
import statistics
import subprocess
import threading
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
POGO = os.path.join(ROOT, "pogo")
BUILD = os.path.join(ROOT, "build", "bench")


def sh(cmd, **kw):
    return subprocess.run(cmd, capture_output=True, text=True, **kw)


def build_app(app, build_dir=None, sets=()):
    """Builds app with ./pogo build and returns the image path."""
    name = manifest_value(app, "name")
    build_dir = build_dir or os.path.join(BUILD, name)
    cmd = [POGO, "build", app, "--build-dir", build_dir]
    for s in sets:
        cmd += ["--set", s]
    p = sh(cmd)
    if p.returncode != 0:
        raise RuntimeError(f"building {app} failed:\n{p.stderr}")
    return os.path.join(build_dir, name)


def manifest_value(app, key):
    with open(os.path.join(app, "manifest")) as f:
        for line in f:
            k, sep, v = line.partition("=")
            if sep and k.strip() == key:
                return v.strip()
    return ""


def qemu_command(app, build_dir, extra=(), args=()):
    """The QEMU command ./pogo run would execute, as a list."""
    cmd = [POGO, "run", app, "--no-build", "--build-dir", build_dir,
           "--dry-run"] + list(extra) + ["--"] + list(args)
    p = sh(cmd)
    if p.returncode != 0:
        raise RuntimeError(f"pogo run --dry-run failed:\n{p.stderr}")
    return shlex.split(p.stdout.strip())


def time_command(cmd, timeout=60):
    start = time.perf_counter()
    p = subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                       timeout=timeout)
    return time.perf_counter() - start, p.returncode


def interleaved(commands, runs, warmup=2):
    """Runs each command of the dict in turn, runs times after warmup
    rounds, so that drift of the machine hits all alike. Returns the
    seconds of each run per name."""
    for _ in range(warmup):
        for cmd in commands.values():
            time_command(cmd)
    times = {name: [] for name in commands}
    for _ in range(runs):
        for name, cmd in commands.items():
            times[name].append(time_command(cmd)[0])
    return times


def summary(values):
    """Median and spread (min, max, and the interquartile range); None
    without values."""
    if not values:
        return None
    values = sorted(values)
    q = statistics.quantiles(values, n=4) if len(values) >= 4 else [values[0], 0, values[-1]]
    return {"median": statistics.median(values), "min": values[0],
            "max": values[-1], "q1": q[0], "q3": q[2], "n": len(values),
            "values": values}


def program_app(source, name=None):
    """Makes an application folder under build/bench/apps for one C file
    of bench/programs and returns its path."""
    source = os.path.join(ROOT, "bench", "programs", source)
    name = name or os.path.splitext(os.path.basename(source))[0]
    app = os.path.join(BUILD, "apps", name)
    os.makedirs(app, exist_ok=True)
    link = os.path.join(app, "main.c")
    if os.path.lexists(link):
        os.remove(link)
    os.symlink(source, link)
    with open(os.path.join(app, "manifest"), "w") as f:
        f.write(f"name = {name}\nsources = main.c\n")
    return app


def host_program(source):
    """Builds a bench program natively with musl-gcc -static."""
    src = os.path.join(ROOT, "bench", "programs", source)
    out = os.path.join(BUILD, "host", os.path.splitext(source)[0])
    os.makedirs(os.path.dirname(out), exist_ok=True)
    subprocess.run(["musl-gcc", "-static", "-O2", "-o", out, src, "-lpthread"],
                   check=True)
    return out


def guest_output(app, build_dir, args=(), extra=(), sets=(), timeout=300):
    """Builds app (with configuration settings) and returns its stdout."""
    build_app(app, build_dir, sets)
    cmd = [POGO, "run", app, "--no-build", "--build-dir", build_dir,
           "--accel", "tcg"] + list(extra) + ["--"] + list(args)
    p = sh(cmd, timeout=timeout)
    if p.returncode != 0:
        raise RuntimeError(f"{app} failed with status {p.returncode}:\n{p.stderr[-2000:]}")
    return p.stdout


def value_of(output, key):
    for line in output.splitlines():
        k, _, v = line.partition(" ")
        if k == key:
            return float(v)
    raise RuntimeError(f"no {key} in output: {output!r}")


# --- Systems compared side by side ------------------------------------------

# The systems of a comparison, in the order of the report's columns.
SYSTEMS = ("pogo", "host", "linuxvm")
SYSTEM_NAMES = {"pogo": "Pogo", "host": "host", "linuxvm": "Linux VM",
                "stub": "stub kernel"}

# Guest memory of every VM that runs a server or a benchmark program, the
# same for Pogo and the Linux VM.
VM_MEMORY = "256M"


def figure(name, unit, values, better, **extra):
    """Makes a figure of the report: values maps a system to a number or
    to a summary(), and better is "higher" or "lower"."""
    f = {"name": name, "unit": unit, "better": better, "systems": values}
    f.update(extra)
    return f


def median_of(value):
    if isinstance(value, dict):
        return value["median"]
    return value


def free_port():
    """Returns a TCP port of 127.0.0.1 that nothing listens on now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def host_binary(app):
    """Builds the application folder app for Linux with musl-gcc -static
    (its own host.mk, or mk/host.mk) and returns the program's path."""
    name = manifest_value(app, "name")
    out = os.path.join(BUILD, "host", name)
    own = os.path.join(app, "host.mk")
    if os.path.exists(own):
        cmd = ["make", "-s", "-f", own, f"OUT={out}"]
    else:
        cmd = ["make", "-s", "-f", os.path.join(ROOT, "mk", "host.mk"),
               f"APP={app}", f"OUT={out}"]
    p = sh(cmd, cwd=ROOT, env=dict(os.environ, MAKEFLAGS="-j2"))
    if p.returncode != 0:
        raise RuntimeError(f"building {app} for the host failed:\n"
                           f"{p.stdout[-2000:]}{p.stderr[-2000:]}")
    return out


# The tap device that ./pogo run --net tap:NETNS sets up in namespace
# NETNS, the namespace's address on it and the guest's address behind it.
TAP_DEVICE = "pogo0"
TAP_HOST = "10.0.0.1"
TAP_GUEST = "10.0.0.2"
TAP_PREFIX_LENGTH = 24
# The MAC address the benchmarks give a VM's network device on a tap, so
# that the namespace can enter it as the guest's neighbour beforehand.
TAP_GUEST_MAC = "52:54:00:12:34:56"


class Netns:
    """A network namespace of the benchmark's own, named after its use,
    with only its loopback up. A program in it may bind 0.0.0.0 and is
    still reachable from nothing but what runs in the namespace.
    Deleting it with close() also deletes its tap device."""

    def __init__(self, use):
        self.name = f"pogo-bench-{os.getpid()}-{use}"
        subprocess.run(["ip", "netns", "add", self.name], check=True)
        try:
            self.run("ip", "link", "set", "lo", "up")
        except RuntimeError:
            self.close()
            raise

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def prefix(self):
        return ["ip", "netns", "exec", self.name]

    def run(self, *cmd):
        """Runs cmd inside the namespace; raises RuntimeError with its
        error output when it fails."""
        p = sh(self.prefix() + list(cmd))
        if p.returncode != 0:
            raise RuntimeError(f"{command_line(cmd)} in network namespace "
                               f"{self.name} failed: {p.stderr.strip()}")

    def add_tap(self):
        """Creates the tap device that ./pogo run --net tap:NETNS creates,
        for a VM that ./pogo does not start."""
        self.run("ip", "tuntap", "add", "dev", TAP_DEVICE, "mode", "tap")
        self.run("ip", "addr", "add", f"{TAP_HOST}/{TAP_PREFIX_LENGTH}",
                 "dev", TAP_DEVICE)
        self.run("ip", "link", "set", TAP_DEVICE, "up")

    def add_guest_neighbour(self):
        """Enters TAP_GUEST_MAC as the permanent link-layer address of
        TAP_GUEST on the tap device. Without it, the namespace finds the
        guest by ARP, which Linux retries once a second while the guest
        boots, and the readiness probes saw the Linux VM's httpd respond
        about 0.5 s later than with it."""
        self.run("ip", "neigh", "replace", TAP_GUEST, "lladdr",
                 TAP_GUEST_MAC, "dev", TAP_DEVICE, "nud", "permanent")

    def socket(self):
        """Creates a TCP socket inside the namespace. setns() changes the
        namespace of the calling thread only, so a short-lived thread
        makes the socket, which stays in that namespace."""
        made = {}

        def make():
            libc = ctypes.CDLL(None, use_errno=True)
            with open(f"/run/netns/{self.name}") as f:
                if libc.setns(f.fileno(), CLONE_NEWNET) != 0:
                    made["error"] = OSError(ctypes.get_errno(), "setns failed")
                    return
            made["socket"] = socket.socket()

        t = threading.Thread(target=make)
        t.start()
        t.join()
        if "error" in made:
            raise made["error"]
        return made["socket"]

    def close(self):
        subprocess.run(["ip", "netns", "delete", self.name],
                       stderr=subprocess.DEVNULL)


CLONE_NEWNET = 0x40000000


class Server:
    """A server process (QEMU or a native program) started in its own
    session, so that stop() ends it and its children by its process
    group, which is its own PID. address is the (host, port) its clients
    connect to."""

    def __init__(self, system, cmd, address, log):
        self.system = system
        self.cmd = cmd
        self.address = address
        self.log = open(log, "wb")
        self.started = time.perf_counter()
        self.process = subprocess.Popen(cmd, stdout=self.log,
                                        stderr=subprocess.STDOUT,
                                        stdin=subprocess.DEVNULL,
                                        start_new_session=True)

    def stop(self):
        if self.process.poll() is None:
            try:
                os.killpg(self.process.pid, signal.SIGTERM)
            except ProcessLookupError:
                pass
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()
        self.log.close()


# Readiness probes: a request and the start of the expected response.
HTTP_PROBE = (b"GET / HTTP/1.1\r\nHost: bench\r\nConnection: close\r\n\r\n",
              b"HTTP/1.1 200")
REDIS_PROBE = (b"PING\r\n", b"+PONG")

# A new probe connection starts every PROBE_INTERVAL seconds, and each is
# given up after PROBE_TIMEOUT seconds.
PROBE_INTERVAL = 0.02
PROBE_TIMEOUT = 3.0


class Probe:
    """One non-blocking connection that sends the request once connected
    and collects the response."""

    def __init__(self, sock, address, request):
        self.sock = sock
        self.sock.setblocking(False)
        self.started = time.perf_counter()
        self.request = request
        self.answer = b""
        self.sent = False
        self.sock.connect_ex(address)


def wait_until_serving(server, probe, netns=None, timeout=180):
    """Returns the seconds from the server's start to its first response
    to probe, sent from inside netns when given. A connection made before
    the server listens can stall for seconds. Under QEMU user networking
    the host side of a forward accepts it at once. On a tap device its
    SYN is lost until the guest's network device is up, and TCP sends it
    again only a second later. So probes overlap: a new one starts every
    PROBE_INTERVAL while the older ones wait."""
    request, expected = probe
    selector = selectors.DefaultSelector()
    deadline = time.perf_counter() + timeout
    next_probe = 0.0
    try:
        while time.perf_counter() < deadline:
            if server.process.poll() is not None:
                raise RuntimeError(
                    f"{server.system}: the server exited with status "
                    f"{server.process.returncode} before it served a request "
                    f"(log: {server.log.name})")
            now = time.perf_counter()
            if now >= next_probe:
                sock = netns.socket() if netns else socket.socket()
                p = Probe(sock, server.address, request)
                selector.register(sock, selectors.EVENT_WRITE, p)
                next_probe = now + PROBE_INTERVAL
            for key, _ in selector.select(timeout=0.005):
                p = key.data
                if step_probe(selector, p, expected):
                    return time.perf_counter() - server.started
            for key in list(selector.get_map().values()):
                if now - key.data.started > PROBE_TIMEOUT:
                    selector.unregister(key.fileobj)
                    key.fileobj.close()
        host, port = server.address
        raise RuntimeError(f"{server.system}: no response at {host}:{port} "
                           f"within {timeout} s (log: {server.log.name})")
    finally:
        for key in list(selector.get_map().values()):
            key.fileobj.close()
        selector.close()


def step_probe(selector, p, expected):
    """Advances probe p on readiness and returns True once it has the
    expected response. A probe that fails is closed and removed."""
    try:
        if not p.sent:
            error = p.sock.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR)
            if error:
                raise OSError(error, os.strerror(error))
            p.sock.sendall(p.request)
            p.sent = True
            selector.modify(p.sock, selectors.EVENT_READ, p)
            return False
        data = p.sock.recv(256)
        if not data:
            raise OSError("closed")
        p.answer += data
        if len(p.answer) < len(expected):
            return False
        if p.answer.startswith(expected):
            return True
        raise OSError(f"unexpected response {p.answer[:40]!r}")
    except OSError:
        selector.unregister(p.sock)
        p.sock.close()
        return False


def wrk(address, seconds, connections=30, prefix=()):
    """Runs wrk with one thread against http://HOST:PORT/ of address,
    under the command prefix, and returns requests per second and the
    p99 latency in milliseconds."""
    host, port = address
    cmd = list(prefix) + ["wrk", "-t1", f"-c{connections}", f"-d{seconds}s",
                          "--latency", f"http://{host}:{port}/"]
    try:
        p = sh(cmd, timeout=seconds + 60)
    except subprocess.TimeoutExpired:
        raise RuntimeError(f"wrk timed out after {seconds + 60} s")
    rate = re.search(r"Requests/sec:\s+([\d.]+)", p.stdout)
    p99 = re.search(r"^\s+99%\s+([\d.]+)(us|ms|s)\b", p.stdout, re.M)
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", p.stdout)
    if p.returncode != 0 or not rate or not p99:
        raise RuntimeError(f"wrk failed:\n{p.stdout}{p.stderr}")
    if float(rate.group(1)) == 0:
        raise RuntimeError(f"wrk: no request was served in {seconds} s:\n"
                           f"{p.stdout}")
    scale = {"us": 0.001, "ms": 1.0, "s": 1000.0}[p99.group(2)]
    return {"rps": float(rate.group(1)),
            "p99_ms": float(p99.group(1)) * scale,
            "non_2xx": int(errors.group(1)) if errors else 0}


# A redis-benchmark run that shows no progress for this many seconds is
# ended as stalled.
REDIS_STALL_SECONDS = 15


def redis_benchmark(address, test, requests, pipeline, connections=30,
                    prefix=()):
    """Runs redis-benchmark for one test (get or set) against address,
    under the command prefix, and returns requests per second and the
    p99 latency in milliseconds. It prints its rate
    every 250 ms, and a run whose rate stays 0 for REDIS_STALL_SECONDS
    is ended with a RuntimeError, so that a stalled server costs seconds,
    not the whole run."""
    host, port = address
    cmd = list(prefix) + ["redis-benchmark", "-h", host, "-p", str(port),
                          "-c", str(connections), "-n", str(requests),
                          "-P", str(pipeline), "-t", test]
    p = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                         stdin=subprocess.DEVNULL)
    output = []
    progress = {"last": time.perf_counter()}

    def read():
        for chunk in iter(lambda: p.stdout.read1(4096), b""):
            text = chunk.decode(errors="replace")
            output.append(text)
            if re.search(r"rps=(?!0\.0 )[\d.]+", text):
                progress["last"] = time.perf_counter()

    reader = threading.Thread(target=read)
    reader.start()
    while p.poll() is None:
        if time.perf_counter() - progress["last"] > REDIS_STALL_SECONDS:
            p.kill()
            p.wait()
            reader.join()
            raise RuntimeError(f"redis-benchmark -t {test} -P {pipeline}: no "
                               f"progress for {REDIS_STALL_SECONDS} s")
        time.sleep(0.1)
    reader.join()
    text = "".join(output)
    rate = re.search(r"throughput summary: ([\d.]+) requests per second", text)
    latency = re.search(r"avg\s+min\s+p50\s+p95\s+p99\s+max\s+"
                        r"([\d.]+)\s+([\d.]+)\s+([\d.]+)\s+([\d.]+)\s+([\d.]+)",
                        text)
    if p.returncode != 0 or not rate or not latency:
        raise RuntimeError(f"redis-benchmark failed: {text[-600:]}")
    return {"rps": float(rate.group(1)), "p99_ms": float(latency.group(5))}


def rounds(systems, runs, warmup, measure, errors=None, recover=None,
           tries=2):
    """Calls measure(system) for every system in turn, warmup rounds that
    are thrown away and then runs rounds (A B C A B C ...), so that drift
    of the machine hits every system alike. Returns the list of results
    per system. With errors (a dict), a run that raises RuntimeError is
    tried up to tries times, each after recover(system) when given, and
    if every try fails its message is appended to errors[system] and the
    run is left out."""
    def attempt(system):
        if errors is None:
            return measure(system)
        for number in range(1, tries + 1):
            try:
                return measure(system)
            except RuntimeError as e:
                message = " ".join(str(e).split())[:300]
                print(f"  {system}: run failed (try {number}): {message}",
                      flush=True)
            if recover:
                recover(system)
        errors.setdefault(system, []).append(message)
        return None

    for _ in range(warmup):
        for system in systems:
            attempt(system)
    results = {system: [] for system in systems}
    for _ in range(runs):
        for system in systems:
            value = attempt(system)
            if value is not None:
                results[system].append(value)
    return results


def pogo_vm_command(app, build_dir, status_file, mem=VM_MEMORY, forwards=(),
                    netns=None, extra=(), args=None):
    """Returns the QEMU command of ./pogo run for app (TCG), with the exit
    status written to status_file. forwards are (host port, guest port)
    pairs under QEMU user networking. With netns (a namespace's name)
    the network is a tap device in that namespace instead, which ./pogo
    creates while it prints the command, and the guest's MAC address is
    TAP_GUEST_MAC. args None keeps the manifest's command line."""
    opts = ["--accel", "tcg", "-m", mem] + list(extra)
    for host, guest in forwards:
        opts += ["-p", f"{host}:{guest}"]
    if netns:
        opts += ["--net", f"tap:{netns}", "--net-opts",
                 f"mac={TAP_GUEST_MAC}"]
    cmd = [POGO, "run", app, "--no-build", "--build-dir", build_dir,
           "--dry-run"] + opts
    if args is not None:
        cmd += ["--"] + list(args)
    p = sh(cmd)
    if p.returncode != 0:
        raise RuntimeError(f"pogo run --dry-run failed:\n{p.stderr}")
    qemu = shlex.split(p.stdout.strip())
    i = qemu.index("-debugcon")
    qemu[i + 1] = f"file:{status_file}"
    return qemu


def command_line(cmd):
    return " ".join(shlex.quote(a) for a in cmd)


def run_group(cmd, timeout, text=False):
    """Runs cmd in a session of its own and returns (status, stdout,
    stderr). At timeout it kills the whole process group (./pogo run and
    its QEMU) and returns status None."""
    p = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                         stdin=subprocess.DEVNULL, start_new_session=True,
                         text=text)
    try:
        out, err = p.communicate(timeout=timeout)
        return p.returncode, out, err
    except subprocess.TimeoutExpired:
        os.killpg(p.pid, signal.SIGKILL)
        out, err = p.communicate()
        return None, out, err
