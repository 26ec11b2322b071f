# SPDX-License-Identifier: BSD-3-Clause
"""LZ4-compressed images (CONFIG_IMAGE_COMPRESS), built in a variant of
their own. They boot and serve as the uncompressed ones do on every
machine type, and keep the boot trace and crash reports. A corrupt image
stops with status 122 and one line, and an initrd that QEMU loaded over
the image is reported."""
import http.client
import os
import re
import struct
import subprocess
import tempfile
import time

import pogotest
from pogotest import Failure, check, check_eq

HELLO = os.path.join(pogotest.ROOT, "apps", "helloworld")
HTTPD = os.path.join(pogotest.ROOT, "apps", "httpd")
INDEX = open(os.path.join(HTTPD, "rootfs", "www", "index.html"), "rb").read()
VARIANT = "compressed"
SETS = ("IMAGE_COMPRESS=y",)
MACHINES = ("microvm", "q35", "pc")
# A corrupt image must stop at once, so this only bounds a hang.
CORRUPT_TIMEOUT = 60
START_TIMEOUT = 90
CORRUPT_LINE = (r"pogo: the compressed image is corrupt: .+; build or copy "
                r"the image again")

ELF_HEADER = struct.Struct("<16sHHIQQQIHHHHHH")
PROGRAM_HEADER = struct.Struct("<IIQQQQQQ")
PT_LOAD = 1
# The decompressor's header (arch/x86_64/decompress/decompress.h): six
# 32-bit fields, then the segments, four fields each.
HEADER = struct.Struct("<6I")
SEGMENT = struct.Struct("<4I")
TESTS = []


def add(name, fn):
    TESTS.append((f"system.compress.{name}", fn))


def crash_app():
    return pogotest.guest_app(os.path.join("tests", "system", "crash.c"))


def build(app):
    return pogotest.build(app, VARIANT, SETS)[0]


def run(app, args=(), **kwargs):
    return pogotest.run(app, args, variant=VARIANT, sets=SETS, **kwargs)


def load_segments(path):
    """Returns the (file offset, address, file size, memory size) of each
    loadable segment of the image at path."""
    with open(path, "rb") as f:
        data = f.read()
    header = ELF_HEADER.unpack_from(data)
    phoff, phnum = header[5], header[10]
    segments = []
    for i in range(phnum):
        kind, _, offset, _, paddr, filesz, memsz, _ = \
            PROGRAM_HEADER.unpack_from(data, phoff + i * PROGRAM_HEADER.size)
        if kind == PT_LOAD:
            segments.append((offset, paddr, filesz, memsz))
    return segments


def frames(path):
    """Returns the file offset and size of each LZ4 frame of a compressed
    image, from its decompressor's header."""
    (offset, _, _, _), = load_segments(path)
    with open(path, "rb") as f:
        data = f.read()
    _, _, _, _, payload, count = HEADER.unpack_from(data, offset)
    at = offset + payload
    out = []
    for i in range(count):
        _, _, _, size = SEGMENT.unpack_from(data, offset + HEADER.size +
                                            i * SEGMENT.size)
        out.append((at, size))
        at += size
    return out


def hello_boots(machine):
    def test():
        r = run(HELLO, machine=machine)
        check_eq(r.stdout, "Hello from Pogo!\n", "output")
        check_eq(r.status, 0, "exit status")
        check_eq(r.stderr, "", "standard error of a normal boot")
    return test


for m in MACHINES:
    add(f"hello_on_{m}", hello_boots(m))


def test_smaller_image_above_the_kernel():
    image = os.path.join(build(HELLO), "helloworld")
    kernel = load_segments(image + ".uncompressed")
    outer = load_segments(image)
    check_eq(len(outer), 1, "loadable segments of the compressed image")
    kernel_end = max(address + memsz for _, address, _, memsz in kernel)
    check_eq(outer[0][1], (kernel_end + 4095) // 4096 * 4096,
             "address of the compressed image's segment")
    check(os.path.getsize(image) < os.path.getsize(image + ".uncompressed"),
          f"{image} is not smaller than {image}.uncompressed")


def test_boot_trace_counts_the_decompressor():
    r = run(HELLO, extra=["--boot-trace"])
    check_eq(r.status, 0, "exit status")
    stages = dict(re.findall(r"boot-trace: (\w+) \d+ (\d+) \d+ ", r.stderr))
    for stage in ("entry", "kernel", "c", "arch", "plat", "libraries", "app",
                  "main"):
        check(stage in stages, f"no stage {stage} in:\n{r.stderr}")
    check_eq(stages["entry"], "0", "cycles of the entry stage")
    check(int(stages["kernel"]) > 0,
          f"the kernel's entry is not after the decompressor's:\n{r.stderr}")
    m = re.search(r"boot-trace: (\d+) guest instructions from the first "
                  r"instruction to main", r.stderr)
    check(m, f"no instruction count in:\n{r.stderr}")
    check(int(m.group(1)) > int(stages["kernel"]),
          f"the instruction count leaves out the decompressor:\n{r.stderr}")


def test_crash_report_has_a_symbolized_backtrace():
    r = run(crash_app(), ["null"])
    check_eq(r.status, 139, "exit status")
    for p in (r"pogo: crash: page fault \(#PF, vector 14\)",
              r"hint: null pointer dereference", r"backtrace:\n\s+#0 ",
              r"crash_\w+\+(0x[0-9a-f]+|0)\n", r"main\+0x[0-9a-f]+"):
        check(re.search(p, r.stderr), f"crash report lacks /{p}/:\n{r.stderr}")


def http_get(port, path):
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
    try:
        c.request("GET", path)
        r = c.getresponse()
        return r.status, r.read()
    finally:
        c.close()


def test_httpd_serves():
    build_dir = build(HTTPD)
    port = pogotest.free_port()
    cmd = [pogotest.POGO, "run", HTTPD, "--no-build", "--build-dir", build_dir,
           "--accel", "tcg", "-m", "64M", "-p", f"{port}:80"]
    with tempfile.TemporaryFile() as log:
        p = subprocess.Popen(cmd, stdout=log, stderr=log,
                             stdin=subprocess.DEVNULL, start_new_session=True)
        try:
            deadline = time.monotonic() + START_TIMEOUT
            while True:
                check(p.poll() is None, f"httpd exited with {p.returncode}")
                try:
                    status, body = http_get(port, "/")
                    break
                except OSError:
                    check(time.monotonic() < deadline,
                          f"httpd did not answer within {START_TIMEOUT} s")
                    time.sleep(0.3)
            check_eq(status, 200, "GET / status")
            check_eq(body, INDEX, "GET / body")
            check_eq(http_get(port, "/missing.html")[0], 404, "404")
        finally:
            pogotest.kill_group(p)


def run_corrupt(flips, machine="microvm"):
    """Boots a copy of the compressed helloworld with the bytes at the file
    offsets of flips inverted. Returns the Result."""
    image = os.path.join(build(HELLO), "helloworld")
    with tempfile.TemporaryDirectory() as tmp:
        with open(image, "rb") as f:
            data = bytearray(f.read())
        for at in flips:
            data[at] ^= 0xff
        with open(os.path.join(tmp, "helloworld"), "wb") as f:
            f.write(data)
        cmd = [pogotest.POGO, "run", HELLO, "--no-build", "--build-dir", tmp,
               "--accel", "tcg", "--machine", machine]
        p = subprocess.Popen(cmd, stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, stdin=subprocess.DEVNULL,
                             start_new_session=True)
        try:
            out, err = p.communicate(timeout=CORRUPT_TIMEOUT)
        except subprocess.TimeoutExpired:
            pogotest.kill_group(p)
            raise Failure(f"the corrupt image did not stop within "
                          f"{CORRUPT_TIMEOUT} s")
        return pogotest.Result(p.returncode, out.decode(errors="replace"),
                               err.decode(errors="replace"))


def check_corrupt(r, reason):
    check_eq(r.status, 122, f"exit status; stderr: {r.stderr!r}")
    check_eq(r.stdout, "", "output")
    lines = r.stderr.splitlines()
    check_eq(len(lines), 1, f"lines on standard error ({r.stderr!r})")
    check(re.fullmatch(CORRUPT_LINE, lines[0]), f"message: {lines[0]!r}")
    check(reason in lines[0], f"message without '{reason}': {lines[0]!r}")


def corrupt_frame_data_stops_the_boot(machine):
    def test():
        image = os.path.join(build(HELLO), "helloworld")
        at, size = frames(image)[0]
        check_corrupt(run_corrupt([at + size // 2, at + size // 2 + 7],
                                  machine), "a block checksum does not match")
    return test


for m in MACHINES:
    add(f"corrupt_frame_data_stops_the_boot_on_{m}",
        corrupt_frame_data_stops_the_boot(m))


def test_corrupt_frame_header_stops_the_boot():
    image = os.path.join(build(HELLO), "helloworld")
    at, _ = frames(image)[-1]
    check_corrupt(run_corrupt([at]), "no LZ4 frame magic number")


def test_corrupt_decompressor_header_stops_the_boot():
    image = os.path.join(build(HELLO), "helloworld")
    (offset, _, _, _), = load_segments(image)
    # The third field, the kernel's entry point.
    check_corrupt(run_corrupt([offset + 8]),
                  "the decompressor's header checksum does not match")


def test_corrupt_end_mark_stops_the_boot():
    image = os.path.join(build(HELLO), "helloworld")
    at, size = frames(image)[-1]
    # A frame without content checksum ends with its 4-byte end mark,
    # which then reads as the size of a block that is too large.
    check_corrupt(run_corrupt([at + size - 1]),
                  "a block is larger than the frame's maximum block size")


def exit_status_app():
    return pogotest.guest_app(os.path.join("tests", "guest", "exit_status.c"))


def boot_with_initrd(app, start, mem_kib):
    """Boots app on microvm with -m mem_kib K and an initrd that QEMU 7.2
    places at start: a cpio archive of one file, padded with zeros. QEMU
    puts the initrd at (RAM size - 1 - its size), rounded down to a page.
    The initrd goes to QEMU directly, because ./pogo run refuses one that
    could reach the image."""
    size = mem_kib * 1024 - 1 - start
    with tempfile.TemporaryDirectory() as tmp:
        tree = os.path.join(tmp, "tree")
        os.makedirs(tree)
        with open(os.path.join(tree, "file"), "w") as f:
            f.write("initrd\n")
        archive = os.path.join(tmp, "initrd.cpio")
        pogotest.pack_cpio(tree, archive)
        check(os.path.getsize(archive) <= size, "the archive is too large")
        with open(archive, "ab") as f:
            f.truncate(size)
        return run(app, ["0"], mem=f"{mem_kib}K", kernel_opts="loglevel=info",
                   extra=["--qemu-opt", "-initrd", "--qemu-opt", archive])


def image_segment(app):
    """Returns the start and end address of the compressed image's
    loadable segment."""
    name = os.path.basename(app)
    (_, address, _, memsz), = load_segments(os.path.join(build(app), name))
    return address, address + memsz


def test_initrd_over_the_image_is_reported():
    app = exit_status_app()
    _, end = image_segment(app)
    start = (end - 1) // 4096 * 4096
    r = boot_with_initrd(app, start, 4096)
    check_eq(r.status, 120, f"exit status; stderr: {r.stderr!r}")
    check_eq(r.stderr,
             f"pogo: the initrd at {start:#x}-{4096 * 1024 - 1:#x} "
             f"overlaps the memory of the image at 0x100000-{end:#x}; give "
             f"the machine more memory\n", "message")


def test_initrd_just_above_the_image_is_unpacked():
    app = exit_status_app()
    _, end = image_segment(app)
    start = (end + 4095) // 4096 * 4096
    r = boot_with_initrd(app, start, 4096)
    check_eq(r.status, 0, f"exit status; stderr: {r.stderr!r}")
    size = 4096 * 1024 - 1 - start
    check(re.search(rf"initrd: unpacked [1-9]\d* entries \({size} bytes\) "
                    r"from the monitor's initrd", r.stderr),
          f"no unpacked initrd of {size} bytes in:\n{r.stderr}")


def test_startup_state_matches_uncompressed_image():
    app = pogotest.guest_app(os.path.join("tests", "guest",
                                          "startup_state.c"))
    compressed = run(app)
    plain = pogotest.run(app)
    check_eq(compressed.status, 0, "exit status")
    check_eq(compressed.stdout, plain.stdout,
             "output, which includes the auxiliary vector's AT_PHDR check")


def test_pogo_rejects_an_initrd_over_the_image():
    image_dir = build(HELLO)
    with tempfile.NamedTemporaryFile(suffix=".cpio") as f:
        f.truncate(700 * 1024)
        p = subprocess.run([pogotest.POGO, "run", HELLO, "--no-build",
                            "--build-dir", image_dir, "--machine", "pc",
                            "-m", "2M", "--initrd", f.name],
                           capture_output=True, text=True, timeout=60)
    check_eq(p.returncode, 2, "exit status")
    check(re.fullmatch(r"pogo: -m 2M is too small for the image \(\d+ KiB\) "
                       r"and the initrd \(700 KiB\), which QEMU puts at the "
                       r"top of RAM: use -m \d+K or more\n", p.stderr),
          f"message: {p.stderr!r}")


for name, fn in list(globals().items()):
    if name.startswith("test_"):
        add(name[5:], fn)
