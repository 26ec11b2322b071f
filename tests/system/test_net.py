# SPDX-License-Identifier: BSD-3-Clause
"""Networking system tests: httpd and a UDP echo server in Pogo, driven
from the host through QEMU user networking (restrict=on, forwards bound
to 127.0.0.1). Every connection goes to 127.0.0.1 only."""
import hashlib
import http.client
import os
import socket
import struct
import subprocess
import tempfile
import threading
import time

import pogotest
from pogotest import Failure, check, check_eq

HTTPD = os.path.join(pogotest.ROOT, "apps", "httpd")
UDPECHO = os.path.join(pogotest.ROOT, "apps", "udpecho")
INDEX = open(os.path.join(HTTPD, "rootfs", "www", "index.html"), "rb").read()
TESTS = []

# Booting under TCG and bringing the network up takes a few seconds.
START_TIMEOUT = 90


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """An image started in the background with a TCP or UDP forward."""

    def __init__(self, app, guest_port, machine="microvm", mem="256M",
                 net_opts="", extra=(), udp=False, args=None):
        self.port = free_port()
        build_dir, config_dir = pogotest.build(app)
        proto = "udp:" if udp else ""
        cmd = [pogotest.POGO, "run", app, "--no-build", "--build-dir", build_dir,
               "--accel", "tcg", "--machine", machine, "-m", mem,
               "-p", f"{proto}{self.port}:{guest_port}"] + list(extra)
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
                status, _, _ = http_get(self.port, "/", timeout=5)
                if status == 200:
                    return self
            except OSError:
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


def stats(port):
    status, _, body = http_get(port, "/__stats")
    check_eq(status, 200, "status of /__stats")
    return dict(line.split(None, 1) for line in body.decode().splitlines()
                if line.strip())


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


def test_many_connections_are_served_and_released():
    with Server(HTTPD, 80, mem="512M") as srv:
        srv.wait_http()
        # The connections of wait_http close first, as afterwards below.
        time.sleep(2)
        before = stats(srv.port)
        for i in range(2000):
            status, _, body = http_get(srv.port, "/")
            if status != 200 or body != INDEX:
                raise Failure(f"sequential request {i}: status {status}")
        socks = []
        for _ in range(1000):
            s = socket.create_connection(("127.0.0.1", srv.port), timeout=60)
            socks.append(s)
        for s in socks:
            s.sendall(b"GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        for i, s in enumerate(socks):
            data = b""
            while True:
                b = s.recv(65536)
                if not b:
                    break
                data += b
            s.close()
            check(data.endswith(INDEX), f"concurrent connection {i}")
        time.sleep(2)
        after = stats(srv.port)
        check_eq(after.get("sockets"), before.get("sockets"), "live sockets")
        # Connections the server closed wait in TIME_WAIT, as on Linux.
        live = {name: int(v["tcp_pcbs"]) - int(v["tcp_time_wait"])
                for name, v in (("before", before), ("after", after))}
        check_eq(live["after"], live["before"],
                 "TCP protocol blocks outside TIME_WAIT")


for name, fn in list(globals().items()):
    if name.startswith("test_"):
        add(name[5:], fn)
