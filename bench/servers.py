# SPDX-License-Identifier: BSD-3-Clause
"""Server benchmarks: httpd and nginx under wrk, Redis under
redis-benchmark, each in Pogo, natively on the host and in the Linux VM.
Every system runs in a network namespace of its own that the benchmark
creates and deletes, and its clients run inside that namespace. Both VMs
have the same memory and a tap device in their namespace, as ./pogo run
--net tap:NETNS sets it up, and are reached at 10.0.0.2. The host
programs have only loopback. Also the time from starting QEMU (or the
host program) to the first answered request."""
import contextlib
import os
import tempfile

import lib
import linuxvm

# wrk's load: connections and seconds per run (QUICK, full).
WRK_CONNECTIONS = 30
WRK_SECONDS = (3, 10)
# redis-benchmark's load: connections, and requests per run (QUICK, full).
REDIS_CONNECTIONS = 30
REDIS_REQUESTS = (30000, 100000)
# Rounds of every measurement (QUICK, full): warm-up, then runs.
WARMUP = (1, 1)
RUNS = (2, 3)


def www(app):
    return os.path.join(lib.ROOT, "apps", app, "rootfs", "www")


def nginx_host_config(port):
    """Writes a copy of apps/nginx's configuration for the host program,
    with the site's root in the repository and port as the listening
    port, and returns the path of its nginx.conf."""
    src = os.path.join(lib.ROOT, "apps", "nginx", "rootfs", "etc", "nginx")
    out = os.path.join(lib.BUILD, "host", "nginx-conf")
    os.makedirs(out, exist_ok=True)
    for name in os.listdir(src):
        with open(os.path.join(src, name)) as f:
            text = f.read()
        text = text.replace("root /www;", f"root {www('nginx')};")
        text = text.replace("listen 80;", f"listen {port};")
        with open(os.path.join(out, name), "w") as f:
            f.write(text)
    return os.path.join(out, "nginx.conf")


# Each server: its application, the guest port, the arguments in both VMs
# (None keeps the manifest's), the host program's arguments for a port and
# the readiness probe. Host programs get 4096 file descriptors, as the
# nginx image has (rlimit.nofile in apps/nginx/manifest) and the Linux
# VM's /init sets.
SERVERS = {
    "httpd": {
        "app": "apps/httpd", "guest_port": 80, "vm_args": ["-p", "80", "-r", "/www"],
        "host_args": lambda port: ["-p", str(port), "-r", www("httpd")],
        "probe": lib.HTTP_PROBE,
    },
    "nginx": {
        "app": "apps/nginx", "guest_port": 80, "vm_args": None,
        "host_args": lambda port: ["-c", nginx_host_config(port), "-g",
                                   f"pid {lib.BUILD}/host/nginx.pid;"],
        "probe": lib.HTTP_PROBE,
    },
    "redis": {
        "app": "apps/redis", "guest_port": 6379,
        "vm_args": ["/etc/redis/redis.conf"],
        "host_args": lambda port: [
            os.path.join(lib.ROOT, "apps", "redis", "rootfs", "etc", "redis",
                         "redis.conf"),
            "--port", str(port), "--dir", tempfile.gettempdir()],
        "probe": lib.REDIS_PROBE,
    },
}


class Bench:
    """The three systems of one server: builds them, starts and stops
    them, and records the command each ran. namespaces maps each system
    to its Netns, in which its server and its clients run."""

    def __init__(self, name, namespaces):
        self.name = name
        self.spec = SERVERS[name]
        self.namespaces = namespaces
        app = os.path.join(lib.ROOT, self.spec["app"])
        self.app = app
        self.build_dir = os.path.join(lib.BUILD, lib.manifest_value(app, "name"))
        self.image = lib.build_app(app, self.build_dir)
        self.binary = lib.host_binary(app)
        vm_args = self.spec["vm_args"]
        if vm_args is None:
            vm_args = lib.manifest_value(app, "cmdline").split()
        self.initramfs = linuxvm.build_initramfs(
            self.binary, vm_args, os.path.join(app, "rootfs"), name=name)
        self.logs = os.path.join(lib.BUILD, "logs", name)
        os.makedirs(self.logs, exist_ok=True)
        self.commands = {}
        # ./pogo run creates Pogo's tap device when it prints the command.
        namespaces["linuxvm"].add_tap()
        namespaces["linuxvm"].add_guest_neighbour()

    def start(self, system):
        status = os.path.join(self.logs, f"{system}.status")
        netns = self.namespaces[system]
        address = (lib.TAP_GUEST, self.spec["guest_port"])
        if system == "pogo":
            cmd = lib.pogo_vm_command(self.app, self.build_dir, status,
                                      netns=netns.name,
                                      args=self.spec["vm_args"])
            netns.add_guest_neighbour()
        elif system == "linuxvm":
            cmd = linuxvm.qemu_command(self.initramfs, status, lib.VM_MEMORY,
                                       netns=netns.name)
        else:
            # The host program listens on loopback of its own namespace.
            address = ("127.0.0.1", lib.free_port())
            cmd = netns.prefix() + ["prlimit", "--nofile=4096",
                                    self.binary] + \
                self.spec["host_args"](address[1])
        self.commands[system] = lib.command_line(cmd)
        server = lib.Server(system, cmd, address,
                            os.path.join(self.logs, f"{system}.log"))
        try:
            server.first_answer = lib.wait_until_serving(
                server, self.spec["probe"], netns)
        except Exception:
            server.stop()
            raise
        return server

    def client_prefix(self, system):
        return self.namespaces[system].prefix()


def startup_figure(bench, quick):
    def measure(system):
        server = bench.start(system)
        server.stop()
        return server.first_answer * 1000

    errors = {}
    times = lib.rounds(lib.SYSTEMS, RUNS[not quick], WARMUP[not quick], measure,
                       errors)
    extra = {"errors": errors} if errors else {}
    return lib.figure(f"{bench.name}: start to first answered request", "ms",
                      {s: lib.summary(v) for s, v in times.items()}, "lower",
                      plot="startup", label=bench.name, **extra)


def load_figures(bench, quick, workloads, runs=None, tries=2):
    """Starts the three servers, runs each workload (name, function of
    the client's command prefix and the server's address returning
    {"rps", "p99_ms"}) in interleaved rounds, and returns a throughput
    and a latency figure per workload."""
    servers = {}
    figures = []

    def restart(system):
        """Replaces the server of system after a failed run, which may
        have left it stalled."""
        print(f"  {bench.name}: restarting the {system} server", flush=True)
        servers.pop(system).stop()
        servers[system] = bench.start(system)

    try:
        for system in lib.SYSTEMS:
            servers[system] = bench.start(system)
        for name, run_load in workloads:
            print(f"  {bench.name}: {name}", flush=True)
            errors = {}
            results = lib.rounds(
                lib.SYSTEMS, runs or RUNS[not quick], WARMUP[not quick],
                lambda s: run_load(bench.client_prefix(s), servers[s].address),
                errors, restart, tries)
            rps = {s: lib.summary([r["rps"] for r in v]) for s, v in results.items()}
            p99 = {s: lib.summary([r["p99_ms"] for r in v]) for s, v in results.items()}
            extra = {"errors": errors} if errors else {}
            figures.append(lib.figure(f"{bench.name}: {name}, throughput",
                                      "requests/s", rps, "higher",
                                      plot="throughput",
                                      label=f"{bench.name} {name.split(',')[0]}", **extra))
            figures.append(lib.figure(f"{bench.name}: {name}, p99 latency", "ms",
                                      p99, "lower", plot="latency",
                                      label=f"{bench.name} {name.split(',')[0]}", **extra))
    finally:
        for server in servers.values():
            server.stop()
    return figures


def wrk_workloads(quick):
    seconds = WRK_SECONDS[not quick]

    def load(prefix, address):
        r = lib.wrk(address, seconds, WRK_CONNECTIONS, prefix)
        if r["non_2xx"]:
            raise RuntimeError(f"wrk: {r['non_2xx']} responses were not 2xx or 3xx")
        return r

    return [(f"wrk {WRK_CONNECTIONS} connections, 612-byte page, {seconds} s", load)]


def redis_workloads(quick):
    requests = REDIS_REQUESTS[not quick]
    workloads = []
    for pipeline in (1, 16):
        for test in ("get", "set"):
            def load(prefix, address, test=test, pipeline=pipeline):
                return lib.redis_benchmark(address, test, requests, pipeline,
                                           REDIS_CONNECTIONS, prefix)
            workloads.append((f"{test.upper()} -P {pipeline}, "
                              f"{REDIS_CONNECTIONS} connections, "
                              f"{requests:,} requests", load))
    return workloads


# Name prefixes of the throughput figures with a target against the
# Linux VM. The comma keeps "GET -P 1," from matching "GET -P 16,".
TARGETS = {
    "redis: GET -P 1,": ("at least 2x the Linux VM's rate", 2.0),
    "nginx: wrk": ("at least 3x the Linux VM's rate", 3.0),
}


def add_targets(figures):
    """Marks the throughput figures that the issues give a target against
    the Linux VM, with whether Pogo met it in this run."""
    for f in figures:
        for prefix, (text, factor) in TARGETS.items():
            if f["name"].startswith(prefix) and f["unit"] == "requests/s":
                pogo = lib.median_of(f["systems"]["pogo"])
                linux = lib.median_of(f["systems"]["linuxvm"])
                f["target"] = text
                # Without a rate of Pogo the target is missed, and without
                # one of the Linux VM it cannot be judged.
                if pogo is None:
                    f["met"] = False
                elif linux is not None:
                    f["met"] = pogo >= factor * linux
    return figures


def run_server(name, quick):
    with contextlib.ExitStack() as stack:
        namespaces = {system: stack.enter_context(lib.Netns(system))
                      for system in lib.SYSTEMS}
        bench = Bench(name, namespaces)
        figures = [startup_figure(bench, quick)]
        if name == "redis":
            figures += load_figures(bench, quick, redis_workloads(quick))
        else:
            figures += load_figures(bench, quick, wrk_workloads(quick))
        for f in figures:
            f["commands"] = dict(bench.commands)
            f["accel"] = "tcg"
        return add_targets(figures)


def run_httpd(quick):
    return run_server("httpd", quick)


def run_nginx(quick):
    return run_server("nginx", quick)


def run_redis(quick):
    return run_server("redis", quick)
