# SPDX-License-Identifier: BSD-3-Clause
"""nginx 1.22 from Debian's source package (apps/nginx) in Pogo, driven
with curl and Python clients through QEMU user networking (restrict=on,
forwards bound to 127.0.0.1). Every connection goes to 127.0.0.1 only.
Configuration errors are also run with the same nginx built for Linux
(apps/nginx/host.mk), and the messages must be equal."""
import hashlib
import os
import re
import resource
import shutil
import socket
import subprocess
import tempfile
import time

import pogotest
from pogotest import Failure, check, check_eq

NGINX = os.path.join(pogotest.ROOT, "apps", "nginx")
ROOTFS = os.path.join(NGINX, "rootfs")
WWW = os.path.join(ROOTFS, "www")
HOST_NGINX = os.path.join(pogotest.BUILD, "host", "nginx")
TESTS = []

# Booting under TCG takes about a second here, but CI machines are
# shared.
START_TIMEOUT = 90
# The large file is held twice in guest memory: as the initrd that QEMU
# loads and as its copy in the RAM file system.
LARGE_FILE_SIZE = 100 * 1024 * 1024
LARGE_FILE_MEM = "384M"
# More than the 1024 fds of Linux's default limit, so that the test also
# checks the manifest's rlimit.nofile=4096.
CONNECTIONS = 1500


def add(name, fn):
    TESTS.append((f"system.nginx.{name}", fn))


def read_www(path):
    with open(os.path.join(WWW, path), "rb") as f:
        return f.read()


def copy_rootfs(tmp):
    tree = os.path.join(tmp, "rootfs")
    shutil.copytree(ROOTFS, tree, symlinks=True)
    return tree


class Server:
    """nginx booted in the background with port 80 forwarded."""

    def __init__(self, args=None, mem="64M", initrd=None):
        self.port = pogotest.free_port()
        build_dir, _ = pogotest.build(NGINX)
        cmd = [pogotest.POGO, "run", NGINX, "--no-build", "--build-dir",
               build_dir, "--accel", "tcg", "-m", mem,
               "-p", f"{self.port}:80"]
        if initrd:
            cmd += ["--initrd", initrd]
        if args is not None:
            cmd += ["--"] + list(args)
        self.out = tempfile.TemporaryFile()
        self.err = tempfile.TemporaryFile()
        self.proc = subprocess.Popen(cmd, stdout=self.out, stderr=self.err,
                                     stdin=subprocess.DEVNULL,
                                     start_new_session=True)

    def url(self, path):
        return f"http://127.0.0.1:{self.port}{path}"

    def wait_ready(self):
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise Failure(f"nginx exited with {self.proc.returncode}:\n"
                              f"{self.logs()}")
            try:
                with socket.create_connection(("127.0.0.1", self.port),
                                              timeout=5) as s:
                    s.sendall(b"HEAD / HTTP/1.0\r\n\r\n")
                    if s.recv(12).startswith(b"HTTP/1.1 200"):
                        return self
            except OSError:
                pass
            time.sleep(0.3)
        raise Failure(f"nginx did not answer within {START_TIMEOUT} s:\n"
                      f"{self.logs()}")

    def stdout(self):
        self.out.seek(0)
        return self.out.read().decode(errors="replace")

    def logs(self):
        self.err.seek(0)
        return (self.stdout()[-2000:] +
                self.err.read().decode(errors="replace")[-2000:])

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        pogotest.kill_group(self.proc)
        self.proc.wait()


def curl(*args, timeout=60, data=None):
    """Runs curl with args, and data on its standard input, and returns
    its standard output as bytes."""
    check(pogotest.have("curl"),
          "curl is missing on the host; run: apt-get install curl")
    try:
        p = subprocess.run(["curl", "--silent", "--show-error",
                            "--max-time", str(timeout)] + list(args),
                           input=data or b"", capture_output=True,
                           timeout=timeout + 10)
    except subprocess.TimeoutExpired:
        raise Failure(f"curl {' '.join(args)} did not finish")
    if p.returncode != 0:
        raise Failure(f"curl {' '.join(args)} exited with {p.returncode}: "
                      f"{p.stderr.decode(errors='replace')}")
    return p.stdout


def get(srv, path, *args, data=None):
    """Fetches path; returns (status, headers, body), headers lowercased."""
    with tempfile.TemporaryDirectory(prefix="pogo-nginx-") as tmp:
        head = os.path.join(tmp, "head")
        body = curl("--dump-header", head, *args, srv.url(path), data=data)
        with open(head, "rb") as f:
            lines = f.read().decode(errors="replace").split("\r\n")
    status = int(lines[0].split()[1])
    headers = {}
    for line in lines[1:]:
        if ":" in line:
            name, value = line.split(":", 1)
            headers[name.strip().lower()] = value.strip()
    return status, headers, body


STATIC_FILES = [
    ("/", "index.html", "text/html"),
    ("/index.html", "index.html", "text/html"),
    ("/style.css", "style.css", "text/css"),
    ("/robots.txt", "robots.txt", "text/plain"),
    ("/docs/", "docs/index.html", "text/html"),
]


def test_static_files_served_with_types():
    with Server() as srv:
        srv.wait_ready()
        for path, name, ctype in STATIC_FILES:
            want = read_www(name)
            status, headers, body = get(srv, path)
            check_eq(status, 200, f"status of {path}")
            check_eq(body, want, f"body of {path}")
            check_eq(headers.get("content-type"), ctype,
                     f"Content-Type of {path}")
            check_eq(headers.get("content-length"), str(len(want)),
                     f"Content-Length of {path}")
            check_eq(headers.get("server"), "nginx/1.22.1",
                     f"Server of {path}")
        # nginx's start-up check of EPOLLRDHUP uses an AF_UNIX socketpair,
        # and logs an [alert] where the kernel lacks one.
        check("[alert]" not in srv.stdout(),
              f"nginx logged an alert:\n{srv.stdout()[-2000:]}")


def test_missing_file_gets_404():
    with Server() as srv:
        srv.wait_ready()
        for path in ["/missing.html", "/docs/missing/", "/www/index.html"]:
            status, headers, body = get(srv, path)
            check_eq(status, 404, f"status of {path}")
            check(b"404 Not Found" in body, f"body of {path}: {body!r}")
        check_eq(get(srv, "/")[0], 200, "status of / afterwards")


def test_head_sends_no_body():
    with Server() as srv:
        srv.wait_ready()
        status, headers, body = get(srv, "/index.html", "--head")
        check_eq(status, 200, "HEAD status")
        check_eq(body.split(b"\r\n\r\n", 1)[1], b"", "HEAD body")
        check_eq(headers.get("content-length"),
                 str(len(read_www("index.html"))), "HEAD Content-Length")


def test_keep_alive_reuses_connection():
    with Server() as srv:
        srv.wait_ready()
        # curl reuses the connection for the second URL; num_connects is
        # the number of connections each transfer opened.
        out = curl("--write-out", "%{http_code} %{num_connects}\n",
                   "--output", "/dev/null", srv.url("/index.html"),
                   "--output", "/dev/null", srv.url("/style.css"))
        check_eq(out.decode().splitlines(), ["200 1", "200 0"],
                 "status and new connections of the two transfers")


def test_directory_without_slash_redirects():
    with Server() as srv:
        srv.wait_ready()
        status, headers, _ = get(srv, "/docs")
        check_eq(status, 301, "status of /docs")
        check_eq(headers.get("location"), "/docs/", "Location")
        check_eq(get(srv, "/docs", "--location")[2],
                 read_www("docs/index.html"), "body after the redirect")


def test_range_request_gets_206():
    with Server() as srv:
        srv.wait_ready()
        status, headers, body = get(srv, "/index.html", "--range", "100-199")
        check_eq(status, 206, "status of a range request")
        check_eq(body, read_www("index.html")[100:200], "range body")
        check_eq(headers.get("content-range"),
                 f"bytes 100-199/{len(read_www('index.html'))}",
                 "Content-Range")


def test_conditional_and_invalid_request_statuses():
    with Server() as srv:
        srv.wait_ready()
        _, headers, _ = get(srv, "/index.html")
        modified = headers.get("last-modified")
        check(modified, f"no Last-Modified in {headers}")
        status, _, body = get(srv, "/index.html", "--header",
                              f"If-Modified-Since: {modified}")
        check_eq(status, 304, "status with If-Modified-Since")
        check_eq(body, b"", "body of the 304 response")
        # nginx reads and drops the body of a request it rejects. The
        # empty Expect header makes curl send the body at once.
        status, _, _ = get(srv, "/index.html", "--data-binary", "@-",
                           "--header", "Expect:", data=os.urandom(1 << 20))
        check_eq(status, 405, "status of a POST to a static file")
        status, _, _ = get(srv, "/index.html", "--range", "5000-6000")
        check_eq(status, 416, "status of a range past the end")
        with socket.create_connection(("127.0.0.1", srv.port),
                                      timeout=30) as s:
            s.sendall(b"NOT HTTP\r\n\r\n")
            reply = s.recv(200)
        check(reply.startswith(b"HTTP/1.1 400 Bad Request"),
              f"reply to a malformed request: {reply[:60]!r}")
        check_eq(get(srv, "/")[0], 200, "status of / afterwards")


def sha256_of(path):
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def test_100_mib_file_checksum_matches():
    # The file is not in the image: the test packs the rootfs with it into
    # an archive that the image unpacks instead of its own (--initrd).
    with tempfile.TemporaryDirectory(prefix="pogo-nginx-") as tmp:
        tree = copy_rootfs(tmp)
        want = pogotest.write_random_file(
            os.path.join(tree, "www", "large.bin"), LARGE_FILE_SIZE)
        archive = os.path.join(tmp, "rootfs.cpio")
        pogotest.pack_cpio(tree, archive)
        shutil.rmtree(tree)
        got_path = os.path.join(tmp, "large.bin")
        with Server(mem=LARGE_FILE_MEM, initrd=archive) as srv:
            srv.wait_ready()
            out = curl("--output", got_path, "--write-out",
                       "%{http_code} %{size_download}", srv.url("/large.bin"),
                       timeout=300)
        check_eq(out.decode(), f"200 {LARGE_FILE_SIZE}",
                 "status and size of the download")
        check_eq(sha256_of(got_path), want, "SHA-256 of the download")


def read_response(sock):
    """Reads one HTTP response with a Content-Length; returns
    (status line, body)."""
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = sock.recv(65536)
        if not chunk:
            raise Failure(f"the connection closed after {data[:80]!r}")
        data += chunk
    head, body = data.split(b"\r\n\r\n", 1)
    lines = head.split(b"\r\n")
    length = [int(line.split(b":", 1)[1]) for line in lines[1:]
              if line.lower().startswith(b"content-length:")]
    check(length, f"no Content-Length in {head!r}")
    while len(body) < length[0]:
        chunk = sock.recv(65536)
        if not chunk:
            raise Failure("the connection closed inside a body")
        body += chunk
    return lines[0], body


def test_1500_connections_served_at_once():
    # QEMU's user networking accepts forwarded connections from a listen
    # queue of one, so a burst of connects would mostly wait for SYN
    # retransmits on the host. Each connection is therefore opened and
    # served one request in turn, and stays open (keep-alive). Then all of
    # them send their second request before any response is read.
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < CONNECTIONS + 100:
        resource.setrlimit(resource.RLIMIT_NOFILE,
                           (min(hard, CONNECTIONS + 100), hard))
    request = b"GET /index.html HTTP/1.1\r\nHost: pogo\r\n\r\n"
    index = read_www("index.html")
    socks = []
    with Server() as srv:
        srv.wait_ready()
        try:
            for i in range(CONNECTIONS):
                s = socket.create_connection(("127.0.0.1", srv.port),
                                             timeout=60)
                socks.append(s)
                s.sendall(request)
                status, body = read_response(s)
                check_eq(status, b"HTTP/1.1 200 OK", f"first status on {i}")
                check_eq(body, index, f"first body on {i}")
            for s in socks:
                s.sendall(request)
            for i, s in enumerate(socks):
                status, body = read_response(s)
                check_eq(status, b"HTTP/1.1 200 OK", f"second status on {i}")
                check_eq(body, index, f"second body on {i}")
        finally:
            for s in socks:
                s.close()
        check_eq(get(srv, "/")[0], 200, "status of / afterwards")


def wait_for_output(srv, pattern, seconds=10):
    """Returns the console output once it matches pattern, or None."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        out = srv.stdout()
        if re.search(pattern, out):
            return out
        time.sleep(0.2)
    return None


def test_access_log_only_when_configured():
    line = (r'10\.0\.2\.2 - - \[[^]]+\] "GET /index\.html\?probe=1 HTTP/1\.1"'
            r' 200 612 "-" "pogo-test"')
    with Server(["-c", "/etc/nginx/nginx-access-log.conf"]) as srv:
        srv.wait_ready()
        get(srv, "/index.html?probe=1", "--user-agent", "pogo-test")
        out = wait_for_output(srv, line)
        check(out is not None,
              f"no access log line for the request:\n{srv.logs()}")
    with Server() as srv:
        srv.wait_ready()
        get(srv, "/index.html?probe=1", "--user-agent", "pogo-test")
        # The line would appear within this time with the other file.
        out = wait_for_output(srv, r"probe=1", seconds=3)
        check(out is None, f"the default configuration logged:\n{out}")


def host_nginx():
    """Builds nginx for Linux with apps/nginx/host.mk; returns its path."""
    p = subprocess.run(["make", "-s", "--no-print-directory", "-C",
                        pogotest.ROOT, "-f", "apps/nginx/host.mk",
                        f"OUT={HOST_NGINX}"], capture_output=True, text=True)
    if p.returncode != 0:
        raise Failure(f"building nginx for the host failed:\n"
                      f"{p.stdout}{p.stderr}")
    return HOST_NGINX


def normalize(message, root):
    """Drops the time, the pid and the path of root from nginx's messages."""
    message = re.sub(r"^\d{4}/\d\d/\d\d \d\d:\d\d:\d\d ", "", message,
                     flags=re.M)
    message = re.sub(r"\] \d+#0: ", "] PID#0: ", message)
    return message.replace(root, "")


# A main-level directive in the http block, for a file with an error.
BROKEN_LINE = "\nsendfile on;\n"


def check_config_error(name, args, broken_conf=False):
    with tempfile.TemporaryDirectory(prefix="pogo-nginx-") as tmp:
        tree = copy_rootfs(tmp)
        conf = os.path.join(tree, "etc", "nginx", "nginx.conf")
        initrd = None
        if broken_conf:
            with open(conf, "a") as f:
                f.write(BROKEN_LINE)
            initrd = os.path.join(tmp, "rootfs.cpio")
            pogotest.pack_cpio(tree, initrd)
        extra = ["--initrd", initrd] if initrd else []
        guest = pogotest.run(NGINX, args, extra=extra, timeout=60)
        host_args = [a.replace("/etc/nginx", tree + "/etc/nginx")
                     for a in args]
        if "-c" not in args:
            host_args = ["-c", conf] + host_args
        host = pogotest.run_host(host_nginx(), host_args)
        check_eq(guest.status, 1, f"{name}: exit status")
        check_eq(host.status, 1, f"{name}: exit status on the host")
        check(re.search(r"\[emerg\] 1#0: ", guest.stderr),
              f"{name}: no [emerg] message:\n{guest.stdout}{guest.stderr}")
        check_eq(normalize(guest.stderr, tree),
                 normalize(host.stderr, tree),
                 f"{name}: message compared with the host's")


def test_unknown_directive_exits_with_status_1():
    check_config_error("-g 'bogus on;'", ["-g", "bogus on;"])


def test_missing_config_file_exits_with_status_1():
    check_config_error("-c missing.conf", ["-c", "/etc/nginx/missing.conf"])


def test_misplaced_directive_exits_with_status_1():
    check_config_error("sendfile at main level", [], broken_conf=True)


def test_invalid_rlimit_option_stops_boot():
    for value in ["0", "many", "2000000"]:
        r = pogotest.run(NGINX, ["-t"], kernel_opts=f"rlimit.nofile={value}",
                         timeout=60)
        check_eq(r.status, 120, f"exit status with rlimit.nofile={value}")
        check(f"invalid rlimit.nofile '{value}'" in r.stdout + r.stderr,
              f"message for rlimit.nofile={value}:\n{r.stdout}{r.stderr}")


def test_config_test_succeeds():
    r = pogotest.run(NGINX, ["-t"], timeout=60)
    check_eq(r.status, 0, "exit status of nginx -t")
    check("test is successful" in r.stderr,
          f"nginx -t output:\n{r.stdout}{r.stderr}")


for name, fn in list(globals().items()):
    if name.startswith("test_"):
        add(name[5:], fn)
