# SPDX-License-Identifier: BSD-3-Clause
"""Networking system tests: httpd and a UDP echo server in Pogo, driven
from the host through QEMU user networking (restrict=on, forwards bound
to 127.0.0.1), or through a tap device inside a network namespace that
the test creates and deletes. Connections go to 127.0.0.1, or to the
guest's address inside that namespace, and nowhere else.

QEMU user networking accepts forwarded connections one at a time and
drops every UDP datagram a restricted guest sends, so the tests of many
connections and of UDP use the tap device."""
import hashlib
import http.client
import itertools
import json
import os
import shutil
import socket
import struct
import subprocess
import sys
import tempfile
import time

import pogotest
from pogotest import Failure, check, check_eq

HTTPD = os.path.join(pogotest.ROOT, "apps", "httpd")
UDPECHO = os.path.join(pogotest.ROOT, "apps", "udpecho")
SEND_AND_EXIT = pogotest.guest_app(
    os.path.join("tests", "system", "send_and_exit.c"))
INDEX = open(os.path.join(HTTPD, "rootfs", "www", "index.html"), "rb").read()
NETLOAD = os.path.join(pogotest.ROOT, "tests", "system", "netload.py")
# The guest's address on the tap device, and the namespace's (see ./pogo's
# --net tap).
TAP_GUEST = "10.0.0.2"
TAP_HOST = "10.0.0.1"
TESTS = []

# Booting under TCG and bringing the network up takes a few seconds.
START_TIMEOUT = 90
# The large download: held twice in guest memory, as the initrd QEMU
# loads and as its copy in the RAM file system.
LARGE_FILE_SIZE = 256 * 1024 * 1024
LARGE_FILE_MEM = "768M"


class Namespace:
    """A network namespace of the test's own, deleted afterwards; netload.py
    runs inside it to reach the guest's tap address."""

    serial = itertools.count()

    def __init__(self):
        self.name = f"pogo-test-{os.getpid()}-{next(Namespace.serial)}"

    def __enter__(self):
        p = subprocess.run(["ip", "netns", "add", self.name],
                           capture_output=True, text=True)
        if p.returncode != 0:
            raise Failure(f"ip netns add {self.name}: {p.stderr.strip()} "
                          "(the tap tests need root and iproute2)")
        return self

    def __exit__(self, *exc):
        subprocess.run(["ip", "netns", "delete", self.name],
                       capture_output=True)

    def spawn_load(self, *args):
        """Starts netload.py in the namespace and returns the process,
        whose standard output is a pipe."""
        cmd = ["ip", "netns", "exec", self.name, sys.executable, NETLOAD]
        return subprocess.Popen(cmd + [str(a) for a in args],
                                stdout=subprocess.PIPE, text=True)

    def load(self, *args, timeout=600):
        cmd = ["ip", "netns", "exec", self.name, sys.executable, NETLOAD]
        p = subprocess.run(cmd + [str(a) for a in args], capture_output=True,
                           text=True, timeout=timeout)
        if p.returncode != 0:
            raise Failure(f"netload.py {' '.join(map(str, args))}: "
                          f"status {p.returncode}\n{p.stderr[-2000:]}")
        return json.loads(p.stdout)


class Server:
    """An image started in the background with a TCP or UDP forward, or
    on a tap device inside the namespace netns."""

    def __init__(self, app, guest_port, machine="microvm", mem="256M",
                 net_opts="", extra=(), udp=False, args=None, netns=None,
                 variant="default", sets=()):
        self.port = pogotest.free_port()
        self.guest_port = guest_port
        self.netns = netns
        build_dir, config_dir = pogotest.build(app, variant, sets)
        proto = "udp:" if udp else ""
        cmd = [pogotest.POGO, "run", app, "--no-build", "--build-dir", build_dir,
               "--accel", "tcg", "--machine", machine, "-m", mem] + list(extra)
        if netns:
            cmd += ["--net", f"tap:{netns.name}"]
        else:
            cmd += ["-p", f"{proto}{self.port}:{guest_port}"]
        if net_opts:
            cmd += ["--net-opts", net_opts]
        if args is not None:
            cmd += ["--"] + list(args)
        self.out = tempfile.TemporaryFile()
        self.err = tempfile.TemporaryFile()
        self.proc = subprocess.Popen(cmd, stdout=self.out, stderr=self.err,
                                     stdin=subprocess.DEVNULL,
                                     start_new_session=True)

    def wait_http(self):
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise Failure(f"the server exited with {self.proc.returncode}:\n"
                              f"{self.logs()}")
            try:
                if self.netns:
                    status = self.netns.load("get", TAP_GUEST, self.guest_port,
                                             "/", timeout=10)["status"]
                else:
                    status = http_get(self.port, "/", timeout=5)[0]
                if status == 200:
                    return self
            except (OSError, Failure, subprocess.TimeoutExpired):
                pass
            time.sleep(0.3)
        raise Failure(f"the server did not answer within {START_TIMEOUT} s:\n"
                      f"{self.logs()}")

    def logs(self):
        self.err.seek(0)
        self.out.seek(0)
        return (self.out.read().decode(errors="replace")[-2000:] +
                self.err.read().decode(errors="replace")[-2000:])

    def stop(self):
        pogotest.kill_group(self.proc)
        self.proc.wait()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.stop()


def http_get(port, path, method="GET", timeout=30, headers=None):
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        c.request(method, path, headers=headers or {})
        r = c.getresponse()
        return r.status, dict(r.getheaders()), r.read()
    finally:
        c.close()


def raw_exchange(port, chunks, pause=0.2, timeout=30):
    """Sends chunks with pauses and returns all bytes until the peer closes."""
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as s:
        for i, c in enumerate(chunks):
            s.sendall(c)
            if i + 1 < len(chunks):
                time.sleep(pause)
        data = b""
        while True:
            b = s.recv(65536)
            if not b:
                return data
            data += b


def add(name, fn):
    TESTS.append((f"system.net.{name}", fn))


def httpd_basics(machine, net_opts=""):
    def test():
        with Server(HTTPD, 80, machine=machine, net_opts=net_opts) as srv:
            srv.wait_http()
            status, headers, body = http_get(srv.port, "/")
            check_eq(status, 200, "GET / status")
            check_eq(body, INDEX, "GET / body")
            check_eq(headers.get("Content-Length"), str(len(INDEX)),
                     "Content-Length")
            status, headers, body = http_get(srv.port, "/index.html", "HEAD")
            check_eq(status, 200, "HEAD status")
            check_eq(body, b"", "HEAD body")
            check_eq(headers.get("Content-Length"), str(len(INDEX)),
                     "HEAD Content-Length")
            check_eq(http_get(srv.port, "/missing.html")[0], 404, "404")
            check_eq(http_get(srv.port, "/", "POST")[0], 405, "POST")
            check_eq(http_get(srv.port, "/", "DELETE")[0], 405, "DELETE")
    return test


add("httpd_serves_on_microvm_over_mmio", httpd_basics("microvm"))
add("httpd_serves_on_q35_over_pci", httpd_basics("q35"))
add("httpd_serves_on_pc_over_pci", httpd_basics("pc"))
add("httpd_serves_without_mergeable_buffers",
    httpd_basics("microvm", "mrg_rxbuf=off"))
add("httpd_serves_without_checksum_offload",
    httpd_basics("q35", "csum=off,guest_csum=off"))


def test_httpd_serves_on_modern_virtio_mmio():
    extra = ["--qemu-opt", "-global", "--qemu-opt",
             "virtio-mmio.force-legacy=false"]
    with Server(HTTPD, 80, extra=extra) as srv:
        srv.wait_http()
        check_eq(http_get(srv.port, "/")[2], INDEX, "GET / body")


def test_httpd_serves_on_legacy_virtio_pci():
    with Server(HTTPD, 80, machine="q35",
                net_opts="disable-modern=on,disable-legacy=off") as srv:
        srv.wait_http()
        check_eq(http_get(srv.port, "/")[2], INDEX, "GET / body")


def test_keep_alive_serves_several_requests_on_one_connection():
    with Server(HTTPD, 80) as srv:
        srv.wait_http()
        c = http.client.HTTPConnection("127.0.0.1", srv.port, timeout=30)
        for i in range(20):
            c.request("GET", "/index.html")
            r = c.getresponse()
            check_eq(r.status, 200, f"status of request {i}")
            check_eq(r.read(), INDEX, f"body of request {i}")
        c.close()


def test_request_split_across_segments_is_answered():
    with Server(HTTPD, 80) as srv:
        srv.wait_http()
        data = raw_exchange(srv.port, [b"GET /index", b".html HTTP/1.1\r\nHo",
                                       b"st: x\r\nConnection: close\r\n\r\n"])
        check(data.startswith(b"HTTP/1.1 200 OK\r\n"), f"reply: {data[:80]!r}")
        check(data.endswith(INDEX), "the body follows")


def test_malformed_requests_get_400_and_the_server_goes_on():
    with Server(HTTPD, 80) as srv:
        srv.wait_http()
        for bad in [b"GARBAGE\r\n\r\n", b"GET /\r\n\r\n",
                    b"GET / HTTP/9.9\r\nHost: x\r\n\r\n", b"\x00\xff\xfe\r\n\r\n",
                    b"GET / HTTP/1.1\r\n" + b"X: y\r\n" * 2000 + b"\r\n",
                    b"GET " + b"a" * 3000 + b" HTTP/1.1\r\nHost: x\r\n\r\n"]:
            data = raw_exchange(srv.port, [bad])
            check(data.startswith(b"HTTP/1.1 4"), f"reply to {bad[:30]!r}: {data[:60]!r}")
        check_eq(http_get(srv.port, "/")[0], 200, "a good request afterwards")


def parse_stats(body):
    return dict(line.split(None, 1) for line in body.splitlines()
                if line.strip())


def live_counts(ns):
    """The guest's sockets and its TCP protocol blocks outside TIME_WAIT
    (connections the server closed wait there, as on Linux)."""
    reply = ns.load("get", TAP_GUEST, 80, "/__stats", timeout=60)
    check_eq(reply["status"], 200, "status of /__stats")
    v = parse_stats(reply["body"])
    return {"sockets": int(v["sockets"]),
            "tcp_pcbs": int(v["tcp_pcbs"]) - int(v["tcp_time_wait"])}


SEQUENTIAL_CONNECTIONS = 50000
CONCURRENT_CONNECTIONS = 1000


def test_many_connections_are_released():
    with Namespace() as ns, Server(HTTPD, 80, mem="512M", netns=ns) as srv:
        srv.wait_http()
        # The connections of wait_http close first, as after the load.
        time.sleep(2)
        before = live_counts(ns)
        r = ns.load("sequential", TAP_GUEST, 80, SEQUENTIAL_CONNECTIONS,
                    timeout=600)
        check_eq(r["served"], SEQUENTIAL_CONNECTIONS,
                 f"sequential connections served ({r['first_error']})")
        r = ns.load("concurrent", TAP_GUEST, 80, CONCURRENT_CONNECTIONS,
                    timeout=600)
        check_eq(r["connected"], CONCURRENT_CONNECTIONS,
                 f"concurrent connections made ({r['first_error']})")
        check_eq(r["served"], CONCURRENT_CONNECTIONS,
                 f"concurrent connections served ({r['first_error']})")
        time.sleep(2)
        check_eq(live_counts(ns), before, "live sockets and TCP blocks")


RECEIVER_PORT = 9000
UDP_BURST_COUNT = 20
# Several times what the guest's TCP send buffer takes, so that most of
# it is still in flight when close returns.
TCP_STREAM_BYTES = 4 * 1024 * 1024


def send_and_exit(mode, count):
    """Runs SEND_AND_EXIT with mode and count against netload.py's
    MODE-receive in a namespace; returns netload's result."""
    with Namespace() as ns:
        receiver = ns.spawn_load(f"{mode}-receive", "0.0.0.0", RECEIVER_PORT,
                                 count)
        try:
            check_eq(receiver.stdout.readline().strip(), "ready",
                     "the receiver's first line")
            srv = Server(SEND_AND_EXIT, 0, netns=ns, variant="net",
                         sets=("NET=y",),
                         args=[mode, TAP_HOST, str(RECEIVER_PORT), str(count)])
            with srv:
                status = srv.proc.wait(timeout=START_TIMEOUT)
                check_eq(status, 0, f"send_and_exit's status\n{srv.logs()}")
            out, _ = receiver.communicate(timeout=300)
        finally:
            if receiver.poll() is None:
                receiver.kill()
                receiver.wait()
    return json.loads(out)


def test_udp_burst_to_unresolved_peer_arrives_whole():
    # Every datagram after the first leaves while ARP still resolves the
    # namespace's address, so each waits in the ARP queue, and the exit
    # comes before the reply.
    r = send_and_exit("udp", UDP_BURST_COUNT)
    check_eq(r["received"], UDP_BURST_COUNT, "datagrams received")


def test_tcp_data_sent_before_exit_arrives():
    r = send_and_exit("tcp", TCP_STREAM_BYTES)
    check_eq(r["received"], TCP_STREAM_BYTES, "bytes received")
    check(r["intact"], "the bytes are those sent, in order")


def test_udp_echo_answers_10000_datagrams():
    with Namespace() as ns, Server(UDPECHO, 7, netns=ns) as srv:
        deadline = time.monotonic() + START_TIMEOUT
        while True:
            try:
                # Fails while ./pogo is still setting up the tap device.
                if ns.load("udp", TAP_GUEST, 7, 1)["echoed"] == 1:
                    break
            except Failure:
                time.sleep(0.3)
            if srv.proc.poll() is not None or time.monotonic() > deadline:
                raise Failure(f"udpecho did not answer:\n{srv.logs()}")
        r = ns.load("udp", TAP_GUEST, 7, 10000, timeout=600)
        check_eq(r["echoed"], 10000, f"datagrams echoed ({r})")


def large_file_archive():
    """An initrd with httpd's rootfs and a 256 MiB random file, made once
    per test run; returns (archive, SHA-256 of the file)."""
    folder = os.path.join(pogotest.BUILD, "net-large-file")
    archive = os.path.join(folder, "rootfs.cpio")
    digest_path = os.path.join(folder, "sha256")
    with pogotest.lock_for(folder):
        if not os.path.exists(digest_path):
            tree = os.path.join(folder, "rootfs")
            shutil.rmtree(folder, ignore_errors=True)
            shutil.copytree(os.path.join(HTTPD, "rootfs"), tree)
            digest = pogotest.write_random_file(
                os.path.join(tree, "www", "large.bin"), LARGE_FILE_SIZE)
            pogotest.pack_cpio(tree, archive)
            shutil.rmtree(tree)
            with open(digest_path, "w") as f:
                f.write(digest)
        with open(digest_path) as f:
            return archive, f.read()


def download_large_file(machine, net_opts=""):
    def test():
        archive, want = large_file_archive()
        with Server(HTTPD, 80, machine=machine, mem=LARGE_FILE_MEM,
                    net_opts=net_opts, extra=["--initrd", archive]) as srv:
            srv.wait_http()
            c = http.client.HTTPConnection("127.0.0.1", srv.port, timeout=120)
            c.request("GET", "/large.bin")
            r = c.getresponse()
            check_eq(r.status, 200, "status")
            check_eq(r.getheader("Content-Length"), str(LARGE_FILE_SIZE),
                     "Content-Length")
            digest, size = hashlib.sha256(), 0
            for chunk in iter(lambda: r.read(1 << 20), b""):
                digest.update(chunk)
                size += len(chunk)
            c.close()
            check_eq(size, LARGE_FILE_SIZE, "bytes received")
            check_eq(digest.hexdigest(), want, "SHA-256 of the download")
    return test


add("256_mib_download_on_microvm_over_mmio", download_large_file("microvm"))
add("256_mib_download_on_q35_over_pci", download_large_file("q35"))
add("256_mib_download_without_mergeable_buffers",
    download_large_file("microvm", "mrg_rxbuf=off"))
add("256_mib_download_without_checksum_offload",
    download_large_file("q35", "csum=off,guest_csum=off"))


def test_reset_mid_download_server_goes_on():
    archive, _ = large_file_archive()
    with Server(HTTPD, 80, mem=LARGE_FILE_MEM,
                extra=["--initrd", archive]) as srv:
        srv.wait_http()
        for i in range(5):
            s = socket.create_connection(("127.0.0.1", srv.port), timeout=30)
            s.sendall(b"GET /large.bin HTTP/1.1\r\nHost: x\r\n\r\n")
            got = 0
            while got < (1 + i) * 1024 * 1024:
                b = s.recv(65536)
                check(b, f"download {i} ended after {got} bytes")
                got += len(b)
            # Linger with a zero timeout: close sends a reset.
            s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER,
                         struct.pack("ii", 1, 0))
            s.close()
            status, _, body = http_get(srv.port, "/")
            check_eq((status, body), (200, INDEX), f"a request after reset {i}")


# SYNs of the flood: more than the largest backlog lwIP keeps (255).
SYN_FLOOD_COUNT = 3000
# A client whose SYN is dropped sends it again after 1 s and 3 s. A client
# that had to wait for the half-open connections to time out (20 s) would
# take longer.
AFTER_FLOOD_TIMEOUT = 8


def test_syn_flood_leaves_room_for_new_clients():
    with Namespace() as ns, Server(HTTPD, 80, netns=ns) as srv:
        srv.wait_http()
        flood = ns.load("syn-flood", TAP_GUEST, 80, SYN_FLOOD_COUNT)
        check_eq(flood["sent"], SYN_FLOOD_COUNT, "SYNs sent")
        for i in range(3):
            got = ns.load("get", TAP_GUEST, 80, "/", AFTER_FLOOD_TIMEOUT)
            check_eq(got.get("status"), 200,
                     f"request {i} after the flood: {got}")


for name, fn in list(globals().items()):
    if name.startswith("test_"):
        add(name[5:], fn)
