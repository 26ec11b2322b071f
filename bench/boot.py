# SPDX-License-Identifier: BSD-3-Clause
"""Boot benchmarks: helloworld from QEMU's start to main and to its exit
in Pogo, in the Linux VM and (to exit) for a stub kernel that powers off
at once; guest instructions before main under TCG with -icount shift=0;
the image sizes of the applications; and the smallest -m with which each
application still runs or serves a request."""
import collections
import os
import re
import signal
import subprocess
import sys
import threading
import time

import lib
import linuxvm

sys.path.insert(0, os.path.join(lib.ROOT, "scripts"))

from pogo_inspect import elf, linkmap, report  # noqa: E402

HELLO = os.path.join(lib.ROOT, "apps", "helloworld")
# The Linux console ends lines with CR LF, Pogo's with LF.
HELLO_OUTPUT = b"Hello from Pogo!"

# Applications whose image size and smallest memory are reported, with
# the issues' targets: (bytes, text) for the size, (KiB, text) for memory.
APPS = {
    "helloworld": {"size": (102400, "<= 100 KB"), "mem": (1228, "<= 1.2 MB")},
    "httpd": {"serves": "httpd"},
    "lua": {},
    "sqlite": {"size": (1000000, "<= 1.0 MB"), "mem": (3072, "<= 3 MB")},
    "nginx": {"size": (900000, "<= 0.9 MB"), "mem": (4096, "<= 4 MB"),
              "serves": "nginx"},
    "redis": {"size": (1100000, "<= 1.1 MB"), "mem": (5120, "<= 5 MB"),
              "serves": "redis"},
}

# Bisection of the smallest memory: bounds and step in KiB (QUICK, full).
MEM_LOW, MEM_HIGH = 1024, 65536
MEM_STEP = (16, 4)
# Seconds a server may take to respond in a memory bisection. It responds
# within a second when it has enough memory, and with too little some
# servers hang instead of exiting.
MEM_SERVE_TIMEOUT = 10
RUNS = (5, 20)
WARMUP = 1


def stub_kernel():
    out = os.path.join(lib.BUILD, "stub", "stub.elf")
    src = os.path.join(lib.ROOT, "bench", "stub", "stub.S")
    os.makedirs(os.path.dirname(out), exist_ok=True)
    obj = out[:-4] + ".o"
    subprocess.run(["gcc", "-m32", "-c", src, "-o", obj], check=True)
    subprocess.run(["ld", "-m", "elf_i386", "-Ttext=0x100000", "-e", "stub_start",
                    "-z", "max-page-size=4096", obj, "-o", out], check=True)
    return out


def timed_run(cmd, marker, timeout=120):
    """Runs cmd and returns the seconds until marker appeared on its
    stdout (None without marker) and until it exited."""
    start = time.perf_counter()
    p = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                         stdin=subprocess.DEVNULL)
    watchdog = threading.Timer(timeout, p.kill)
    watchdog.start()
    seen, data = None, b""
    try:
        while True:
            chunk = p.stdout.read1(65536)
            if not chunk:
                break
            data += chunk
            if seen is None and marker and marker in data:
                seen = time.perf_counter() - start
        p.wait()
    finally:
        watchdog.cancel()
    if p.returncode == -signal.SIGKILL:
        raise RuntimeError(f"{cmd[0]} did not finish within {timeout} s: "
                           f"{data[-500:]!r}")
    if marker and seen is None:
        raise RuntimeError(f"no {marker!r} in the output of {cmd[0]}: {data[-500:]!r}")
    return seen, time.perf_counter() - start


def hello_commands(build_dir):
    status = os.path.join(lib.BUILD, "logs", "boot")
    os.makedirs(status, exist_ok=True)
    pogo = lib.pogo_vm_command(HELLO, build_dir, f"{status}/pogo.status",
                               mem=lib.VM_MEMORY)
    stub = list(pogo)
    stub[stub.index("-kernel") + 1] = stub_kernel()
    initramfs = linuxvm.build_initramfs(lib.host_binary(HELLO), name="helloworld")
    linux = linuxvm.qemu_command(initramfs, f"{status}/linuxvm.status")
    return {"pogo": pogo, "linuxvm": linux, "stub": stub}


def boot_figures(build_dir, quick):
    commands = hello_commands(build_dir)
    markers = {"pogo": HELLO_OUTPUT, "linuxvm": HELLO_OUTPUT, "stub": None}
    times = lib.rounds(list(commands), RUNS[not quick], WARMUP,
                       lambda s: timed_run(commands[s], markers[s]))
    recorded = {s: lib.command_line(c) for s, c in commands.items()}
    to_main = {s: lib.summary([t[0] * 1000 for t in v])
               for s, v in times.items() if s != "stub"}
    to_exit = {s: lib.summary([t[1] * 1000 for t in v]) for s, v in times.items()}
    delta = to_exit["pogo"]["median"] - to_exit["stub"]["median"]
    return [
        lib.figure("helloworld: QEMU start to main (first output line)", "ms",
                   to_main, "lower", plot="boot", accel="tcg",
                   commands=recorded),
        lib.figure("helloworld: QEMU start to exit", "ms", to_exit, "lower",
                   plot="boot", accel="tcg", commands=recorded,
                   target="Pogo within 5 ms of the stub", met=delta <= 5,
                   delta_ms=round(delta, 2)),
    ]


def compressed_kernel_figure(quick):
    """Measures the Linux VM booted from the package's compressed vmlinuz
    instead of the extracted vmlinux, which is the cost of the bzImage
    path."""
    status = os.path.join(lib.BUILD, "logs", "boot", "bzimage.status")
    initramfs = linuxvm.build_initramfs(lib.host_binary(HELLO), name="helloworld")
    cmd = linuxvm.qemu_command(initramfs, status, compressed=True)
    runs = [timed_run(cmd, HELLO_OUTPUT)[0] * 1000
            for _ in range(2 if quick else 5)]
    return lib.figure("helloworld: QEMU start to main, Linux VM from the "
                      "compressed vmlinuz (bzImage)", "ms",
                      {"linuxvm": lib.summary(runs)}, "lower", accel="tcg",
                      commands={"linuxvm": lib.command_line(cmd)})


def instruction_figures(build_dir):
    """Measures guest instructions before main: Pogo's boot trace, and the
    TSC that a program reads at main under -icount shift=0 in both VMs."""
    _, _, err = lib.run_group([lib.POGO, "run", HELLO, "--no-build",
                               "--build-dir", build_dir, "--accel", "tcg",
                               "--boot-trace"], timeout=120, text=True)
    m = re.search(r"boot-trace: (\d+) guest instructions", err)
    stages = re.findall(r"boot-trace: (\w+) \d+ (\d+) (\d+)", err)
    instr = int(m.group(1)) if m else None
    trace = lib.figure(
        "Pogo helloworld: guest instructions from first instruction to main",
        "instructions", {"pogo": instr}, "lower", target="<= 100,000",
        met=instr is not None and instr <= 100000, accel="tcg -icount shift=0",
        plot="stages", stages=[{"stage": s, "since_entry": int(a),
                                "since_previous": int(b)} for s, a, b in stages])

    app = lib.program_app("tsc_at_main.c")
    app_build = os.path.join(lib.BUILD, "tsc_at_main")
    lib.build_app(app, app_build)
    status = os.path.join(lib.BUILD, "logs", "boot", "tsc.status")
    pogo = lib.pogo_vm_command(app, app_build, status, extra=["--icount"])
    initramfs = linuxvm.build_initramfs(lib.host_program("tsc_at_main.c"),
                                        name="tsc_at_main")
    linux = linuxvm.qemu_command(initramfs, status, icount=True)
    values = {}
    for system, cmd in (("pogo", pogo), ("linuxvm", linux)):
        _, out, _ = lib.run_group(cmd, timeout=300, text=True)
        values[system] = int(lib.value_of(out, "tsc_at_main"))
    tsc = lib.figure("helloworld-like program: TSC at main under -icount "
                     "shift=0 (guest instructions since reset, halts included)",
                     "instructions", values, "lower", accel="tcg -icount shift=0",
                     commands={"pogo": lib.command_line(pogo),
                               "linuxvm": lib.command_line(linux)})
    return [trace, tsc]


def app_builds():
    """Builds each application of APPS; returns name -> (app, build dir,
    image, host program)."""
    builds = {}
    for name in APPS:
        app = os.path.join(lib.ROOT, "apps", name)
        build_dir = os.path.join(lib.BUILD, lib.manifest_value(app, "name"))
        try:
            builds[name] = (app, build_dir, lib.build_app(app, build_dir),
                            lib.host_binary(app))
        except RuntimeError as e:
            print(f"bench: skipping {name} in the boot suite: "
                  f"{str(e).splitlines()[0]}", flush=True)
    return builds


def stripped_size(binary):
    out = binary + ".stripped"
    subprocess.run(["strip", "-o", out, binary], check=True)
    size = os.path.getsize(out)
    os.remove(out)
    return size


# The parts of an image in the plot of sizes by library, by the kind that
# pogo inspect gives each library; Pogo's own part leaves out the symbol
# table, which is shown apart.
PART_OF_KIND = {"app": "application", "musl": "musl libc", "lwip": "lwIP",
                "pogo": "Pogo", "libgcc": "other", "other": "other"}
SYMBOL_TABLE = linkmap.GENERATED["symtab.o"]


def size_by_part(build_dir, image):
    """Returns the bytes in the image file of each part (application,
    musl libc, lwIP, Pogo, symbol table, other), from the linker map as
    ./pogo inspect reads it."""
    with open(image + ".map") as f:
        sections, pieces = linkmap.parse_map(f.read())
    elf_sections = elf.read_sections(image + ".dbg")
    names = [s.name for s in elf.allocated(elf_sections)]
    table = linkmap.size_table(sections, pieces, build_dir, names)
    parts = collections.Counter()
    for row in report.size_rows(table, elf_sections):
        if row.library == SYMBOL_TABLE:
            part = "symbol table"
        else:
            part = PART_OF_KIND[linkmap.kind_of(row.library)]
        parts[part] += report.in_file(row)
    return dict(parts)


def size_figures(builds):
    kernel = linuxvm.fetch()
    figures = []
    for name, (app, build_dir, image, binary) in builds.items():
        rootfs = os.path.join(app, "rootfs")
        initramfs = linuxvm.build_initramfs(
            binary, rootfs=rootfs if os.path.isdir(rootfs) else None,
            name=f"size-{name}")
        values = {"pogo": os.path.getsize(image),
                  "host": stripped_size(binary),
                  "linuxvm": os.path.getsize(kernel.vmlinuz) +
                  os.path.getsize(initramfs)}
        f = lib.figure(f"{name}: image size", "bytes", values, "lower",
                       plot="size", label=name,
                       note="image size: Pogo's stripped image; host: the "
                       "stripped static musl program alone; Linux VM: the "
                       "compressed vmlinuz plus the initramfs with that program")
        if "size" in APPS[name]:
            limit, text = APPS[name]["size"]
            f["target"], f["met"] = text, values["pogo"] <= limit
        f["parts"] = size_by_part(build_dir, image)
        figures.append(f)
        figures.append(compressed_size_figure(name, app, build_dir))
    return figures


def compressed_size_figure(name, app, build_dir):
    """The size of the app's image built with CONFIG_IMAGE_COMPRESS=y."""
    image = lib.build_app(app, build_dir + "-lz4", ("IMAGE_COMPRESS=y",))
    f = lib.figure(f"{name}: image size, LZ4-compressed", "bytes",
                   {"pogo": os.path.getsize(image)}, "lower",
                   note="Pogo's image built with CONFIG_IMAGE_COMPRESS=y, "
                   "which decompresses itself at boot; the kernel in memory "
                   "is as large as without it")
    if "size" in APPS[name]:
        limit, text = APPS[name]["size"]
        f["target"] = f"{text} (compressed)"
        f["met"] = f["systems"]["pogo"] <= limit
    return f


def reference_output(app, build_dir):
    status, out, _ = lib.run_group([lib.POGO, "run", app, "--no-build",
                                    "--build-dir", build_dir, "--accel", "tcg",
                                    "-m", lib.VM_MEMORY], timeout=300)
    if status != 0:
        raise RuntimeError(f"{app} failed with status {status} in "
                           f"{lib.VM_MEMORY}")
    return out


def runs_in(app, build_dir, kib, expected):
    status, out, _ = lib.run_group([lib.POGO, "run", app, "--no-build",
                                    "--build-dir", build_dir, "--accel", "tcg",
                                    "-m", f"{kib}K"], timeout=120)
    return status == 0 and out == expected


def serves_in(server, app, build_dir, kib):
    import servers
    spec = servers.SERVERS[server]
    port = lib.free_port()
    status = os.path.join(lib.BUILD, "logs", "boot", "mem.status")
    try:
        cmd = lib.pogo_vm_command(app, build_dir, status, mem=f"{kib}K",
                                  forwards=[(port, spec["guest_port"])],
                                  args=spec["vm_args"])
    except RuntimeError:
        return False  # ./pogo run refuses memory below the image's end
    s = lib.Server("pogo", cmd, ("127.0.0.1", port),
                   os.path.join(lib.BUILD, "logs", "boot", "mem.log"))
    try:
        lib.wait_until_serving(s, spec["probe"], timeout=MEM_SERVE_TIMEOUT)
        return True
    except RuntimeError:
        return False
    finally:
        s.stop()


def smallest_memory(works, step):
    """Bisects the smallest KiB (a multiple of step) for which works()
    is true, assuming that more memory never hurts; None if even
    MEM_HIGH fails."""
    lo, hi = MEM_LOW - step, MEM_HIGH
    if not works(hi):
        return None
    while hi - lo > step:
        mid = (lo + hi) // 2 // step * step
        if works(mid):
            hi = mid
        else:
            lo = mid
    return hi


def memory_figures(builds, quick):
    step = MEM_STEP[not quick]
    figures = []
    for name, (app, build_dir, _, _) in builds.items():
        server = APPS[name].get("serves")
        if server:
            def works(kib):
                return serves_in(server, app, build_dir, kib)
            what = "serves a request"
        else:
            expected = reference_output(app, build_dir)

            def works(kib):
                return runs_in(app, build_dir, kib, expected)
            what = f"runs with the output of -m {lib.VM_MEMORY}"
        kib = smallest_memory(works, step)
        f = lib.figure(f"{name}: smallest -m that {what}", "KiB",
                       {"pogo": kib}, "lower", plot="memory", label=name,
                       step_kib=step)
        if "mem" in APPS[name]:
            limit, text = APPS[name]["mem"]
            f["target"], f["met"] = text, kib is not None and kib <= limit
        figures.append(f)
    return figures


def run(quick):
    builds = app_builds()
    hello_build = builds["helloworld"][1]
    figures = boot_figures(hello_build, quick)
    figures.append(compressed_kernel_figure(quick))
    figures += instruction_figures(hello_build)
    figures += size_figures(builds)
    figures += memory_figures(builds, quick)
    return figures
