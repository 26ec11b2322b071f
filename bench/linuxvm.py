#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""The Linux VM baseline of the benchmarks: Debian's linux-image-amd64
kernel with an initramfs of busybox-static, the kernel's virtio modules
and one static musl program, booted under the same QEMU machine,
accelerator, memory and network backend as Pogo. /init brings up eth0
with the address and gateway that qemu_command puts on the kernel
command line (those of QEMU user networking, or of a tap device in a
network namespace as ./pogo run --net tap:NETNS sets it up), runs the
program and ends QEMU with the program's exit status, written to the
isa-debugcon port as Pogo does.

The Debian packages are downloaded with apt-get download and unpacked
with dpkg-deb -x into .cache/linuxvm/, so nothing is installed on the
host. The initramfs archives go to build/bench/linuxvm/.

usage: bench/linuxvm.py run [-m MEM] [--machine microvm|q35]
                            [-p HOSTPORT:GUESTPORT]... [--icount]
                            [--rootfs DIR] PROGRAM [ARGS...]
       bench/linuxvm.py fetch
"run" prints the serial console on stdout and exits with the program's
exit status; PROGRAM is a static binary on the host, copied into the
initramfs as /bin/PROGRAM-NAME, and DIR a folder copied to / beside it.
"""
import argparse
import glob
import lzma
import os
import shlex
import signal
import stat
import struct
import subprocess
import sys
import tempfile

import lib

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CACHE = os.path.join(ROOT, ".cache", "linuxvm")
BUILD = os.path.join(ROOT, "build", "bench", "linuxvm")
KERNEL_PACKAGE = "linux-image-amd64"
BUSYBOX_PACKAGE = "busybox-static"

# The modules /init loads; their dependencies come first, found from each
# module's .modinfo "depends=" entry.
MODULES = ("virtio_mmio", "virtio_pci", "virtio_net")

# The busybox applets /init calls, linked in /bin.
APPLETS = ("sh", "mount", "mkdir", "insmod", "ip", "dd", "printf",
           "poweroff", "cat", "sleep", "echo")

# Kernel options. "quiet" keeps the boot log off the serial console,
# which is slow to emulate; panic=-1 turns a panic into a reboot, which
# -no-reboot turns into the end of QEMU. tsc_early_khz is added per run.
KERNEL_OPTIONS = "console=ttyS0 quiet panic=-1 rdinit=/init tsc=reliable"

# The kernel options that give /init eth0's address (with prefix length)
# and gateway. The kernel passes an unknown option to init only when its
# name has no dot (Documentation/admin-guide/kernel-parameters.rst), so
# /init reads these from /proc/cmdline.
ADDRESS_OPTION = "linuxvm.address"
GATEWAY_OPTION = "linuxvm.gateway"
# The guest's address and gateway under QEMU user networking, the same
# that ./pogo run gives Pogo there.
USER_NET_ADDRESS = "10.0.2.15/24"
USER_NET_GATEWAY = "10.0.2.2"

# The ports of the exit status (isa-debugcon, read back from a file) and
# of isa-debug-exit, as ./pogo run uses them.
DEBUGCON_PORT = 0xE9
DEBUG_EXIT_PORT = 0x501


def sh(cmd, **kw):
    return subprocess.run(cmd, capture_output=True, text=True, **kw)


def kernel_package_name():
    """Resolves linux-image-amd64 to the versioned package it depends on."""
    p = sh(["apt-cache", "depends", KERNEL_PACKAGE])
    for line in p.stdout.splitlines():
        key, _, value = line.strip().partition(": ")
        if key == "Depends" and value.startswith("linux-image-"):
            return value
    raise RuntimeError(f"apt-cache depends {KERNEL_PACKAGE} names no "
                       f"linux-image-* package; run apt-get update")


def download(package, folder):
    """Downloads one .deb into folder (apt-get update once if needed)."""
    os.makedirs(folder, exist_ok=True)
    found = glob.glob(os.path.join(folder, f"{package}_*.deb"))
    if found:
        return found[0]
    for attempt in range(2):
        p = sh(["apt-get", "download", package], cwd=folder)
        found = glob.glob(os.path.join(folder, f"{package}_*.deb"))
        if p.returncode == 0 and found:
            return found[0]
        if attempt == 0:
            sh(["apt-get", "update", "-q"])
    raise RuntimeError(f"apt-get download {package} failed: {p.stderr.strip()}")


def unpack(deb, folder):
    if not os.path.isdir(folder):
        tmp = folder + ".tmp"
        subprocess.run(["rm", "-rf", tmp], check=True)
        subprocess.run(["dpkg-deb", "-x", deb, tmp], check=True)
        os.rename(tmp, folder)
    return folder


def fetch():
    """Downloads and unpacks the kernel and busybox packages once, and
    returns them as a Kernel."""
    package = kernel_package_name()
    debs = os.path.join(CACHE, "debs")
    kernel_dir = unpack(download(package, debs), os.path.join(CACHE, package))
    busybox_dir = unpack(download(BUSYBOX_PACKAGE, debs),
                         os.path.join(CACHE, BUSYBOX_PACKAGE))
    vmlinuz = glob.glob(os.path.join(kernel_dir, "boot", "vmlinuz-*"))
    modules = glob.glob(os.path.join(kernel_dir, "lib", "modules", "*"))
    if not vmlinuz or not modules:
        raise RuntimeError(f"{package} has no vmlinuz or no modules")
    return Kernel(vmlinuz[0], vmlinux(vmlinuz[0]), modules[0],
                  os.path.join(busybox_dir, "bin", "busybox"), package)


class Kernel:
    """The unpacked packages: vmlinuz (bzImage), vmlinux (its ELF kernel),
    the modules folder, busybox and the kernel package's name."""

    def __init__(self, vmlinuz, vmlinux, modules, busybox, package):
        self.vmlinuz = vmlinuz
        self.vmlinux = vmlinux
        self.modules = modules
        self.busybox = busybox
        self.package = package


def vmlinux(vmlinuz):
    """Extracts the ELF kernel from the XZ stream inside vmlinuz (Debian
    builds with CONFIG_KERNEL_XZ) into the cache. QEMU boots that ELF
    through its PVH note, the entry Pogo uses too, and so skips the
    bzImage decompressor, which takes seconds under TCG."""
    out = vmlinuz.replace("vmlinuz-", "vmlinux-")
    if os.path.exists(out):
        return out
    with open(vmlinuz, "rb") as f:
        data = f.read()
    start = data.find(b"\xfd7zXZ\x00")
    if start < 0:
        raise RuntimeError(f"{vmlinuz}: no XZ stream found")
    elf = lzma.LZMADecompressor(format=lzma.FORMAT_XZ).decompress(data[start:])
    if elf[:4] != b"\x7fELF":
        raise RuntimeError(f"{vmlinuz}: the XZ stream is not an ELF kernel")
    with open(out + ".tmp", "wb") as f:
        f.write(elf)
    os.replace(out + ".tmp", out)
    return out


def elf_section(path, wanted):
    """Returns the bytes of section wanted of a 64-bit ELF file."""
    with open(path, "rb") as f:
        data = f.read()
    if data[:4] != b"\x7fELF" or data[4] != 2:
        raise RuntimeError(f"{path}: not a 64-bit ELF file")
    shoff, = struct.unpack_from("<Q", data, 0x28)
    shentsize, shnum, shstrndx = struct.unpack_from("<HHH", data, 0x3A)

    def header(i):
        return struct.unpack_from("<IIQQQQ", data, shoff + i * shentsize)

    names_offset = header(shstrndx)[4]
    for i in range(shnum):
        name, _, _, _, offset, size = header(i)
        end = data.index(b"\0", names_offset + name)
        if data[names_offset + name:end].decode() == wanted:
            return data[offset:offset + size]
    return b""


def module_depends(path):
    for entry in elf_section(path, ".modinfo").split(b"\0"):
        key, _, value = entry.decode(errors="replace").partition("=")
        if key == "depends":
            return [m for m in value.split(",") if m]
    return []


def module_load_order(modules_dir, names):
    """Returns the paths of the modules names and their dependencies,
    each after what it depends on."""
    paths = {}
    for path in glob.glob(os.path.join(modules_dir, "kernel", "**", "*.ko"),
                          recursive=True):
        paths[os.path.basename(path)[:-3].replace("-", "_")] = path
    order = []

    def visit(name, chain):
        if name in order:
            return
        if name in chain:
            raise RuntimeError(f"module dependency cycle: {chain + [name]}")
        if name not in paths:
            raise RuntimeError(f"module {name} is not in {modules_dir}")
        for dep in module_depends(paths[name]):
            visit(dep.replace("-", "_"), chain + [name])
        order.append(name)

    for name in names:
        visit(name, [])
    return [paths[name] for name in order]


class Cpio:
    """A cpio newc archive written entry by entry, as the kernel unpacks
    an initramfs: every entry owned by root, mtime 0."""

    def __init__(self, path):
        self.out = open(path, "wb")
        self.ino = 1

    def entry(self, name, mode, data=b""):
        name_bytes = name.encode() + b"\0"
        fields = [self.ino, mode, 0, 0, 1, 0, len(data), 0, 0, 0, 0,
                  len(name_bytes), 0]
        self.ino += 1
        head = b"070701" + b"".join(b"%08X" % v for v in fields)
        self.out.write(head + name_bytes)
        self.out.write(b"\0" * (-(len(head) + len(name_bytes)) % 4))
        self.out.write(data)
        self.out.write(b"\0" * (-len(data) % 4))

    def directory(self, name):
        self.entry(name, stat.S_IFDIR | 0o755)

    def file(self, name, data, mode=0o644):
        self.entry(name, stat.S_IFREG | mode, data)

    def symlink(self, name, target):
        self.entry(name, stat.S_IFLNK | 0o777, target.encode())

    def tree(self, folder, prefix=""):
        """Adds the files, folders and links below folder at prefix."""
        for dirpath, dirnames, filenames in os.walk(folder):
            dirnames.sort()
            rel = os.path.relpath(dirpath, folder)
            base = prefix if rel == "." else f"{prefix}/{rel}".lstrip("/")
            if base:
                self.directory(base)
            for name in sorted(filenames):
                path = os.path.join(dirpath, name)
                target = f"{base}/{name}".lstrip("/")
                if os.path.islink(path):
                    self.symlink(target, os.readlink(path))
                else:
                    with open(path, "rb") as f:
                        self.file(target, f.read(),
                                  stat.S_IMODE(os.stat(path).st_mode))

    def close(self):
        self.entry("TRAILER!!!", 0)
        self.out.write(b"\0" * (-self.out.tell() % 512))
        self.out.close()


def init_script(modules, command):
    """Returns the initramfs's /init script: mounts, modules, network
    (eth0 with the address and gateway of the kernel command line, when
    both exist), the program, and its exit status to the debug ports
    (poweroff -f if those fail)."""
    insmods = "\n".join(f"insmod /lib/modules/{os.path.basename(m)}"
                        for m in modules)
    return f"""#!/bin/sh
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
{insmods}
ip link set lo up
address=
gateway=
for option in $(cat /proc/cmdline); do
    case $option in
    {ADDRESS_OPTION}=*) address=${{option#*=}} ;;
    {GATEWAY_OPTION}=*) gateway=${{option#*=}} ;;
    esac
done
if [ -e /sys/class/net/eth0 ] && [ -n "$address" ] && [ -n "$gateway" ]; then
    ip addr add "$address" dev eth0
    ip link set eth0 up
    ip route add default via "$gateway"
fi
cd /
ulimit -n 4096
{command}
status=$?
printf "\\\\$(printf %03o $status)" |
    dd of=/dev/port bs=1 seek={DEBUGCON_PORT} count=1 2>/dev/null
printf '\\000' | dd of=/dev/port bs=1 seek={DEBUG_EXIT_PORT} count=1 2>/dev/null
poweroff -f
"""


def build_initramfs(program, args=(), rootfs=None, name=None):
    """Writes an initramfs that runs program (a static binary on the host)
    with args, beside the files of folder rootfs; returns its path."""
    kernel = fetch()
    modules = module_load_order(kernel.modules, MODULES)
    name = name or os.path.basename(program)
    os.makedirs(BUILD, exist_ok=True)
    path = os.path.join(BUILD, f"{name}.cpio")
    command = " ".join(shlex.quote(a)
                       for a in [f"/bin/{os.path.basename(program)}"] +
                       list(args))
    archive = Cpio(path + ".tmp")
    for folder in ("bin", "dev", "proc", "sys", "tmp", "lib",
                   "lib/modules"):
        archive.directory(folder)
    with open(kernel.busybox, "rb") as f:
        archive.file("bin/busybox", f.read(), 0o755)
    for applet in APPLETS:
        archive.symlink(f"bin/{applet}", "busybox")
    for module in modules:
        with open(module, "rb") as f:
            archive.file(f"lib/modules/{os.path.basename(module)}", f.read())
    with open(program, "rb") as f:
        archive.file(f"bin/{os.path.basename(program)}", f.read(), 0o755)
    if rootfs:
        archive.tree(rootfs)
    archive.file("init", init_script(modules, command).encode(), 0o755)
    archive.close()
    os.replace(path + ".tmp", path)
    return path


def tsc_khz(icount):
    """Returns the guest's TSC frequency in kHz. Under TCG the guest reads the
    host's TSC, and with -icount shift=0 a counter of one per
    nanosecond. microvm has no PIT channel 2, HPET or ACPI PM timer, so
    Linux cannot measure the TSC itself: it then marks the TSC unstable,
    and under host load its boot was seen to hang right after that."""
    if icount:
        return 1000000
    with open("/proc/cpuinfo") as f:
        for line in f:
            key, _, value = line.partition(":")
            if key.strip() == "cpu MHz":
                return round(float(value) * 1000)
    raise RuntimeError("/proc/cpuinfo has no 'cpu MHz' line")


def network_options(machine, forwards, netns):
    """Returns the QEMU options and the kernel options of the network:
    none, QEMU user networking with TCP forwards (host port, guest port)
    bound to 127.0.0.1, or the tap device lib.TAP_DEVICE inside network
    namespace netns (a name), as ./pogo run --net tap:NETNS has it."""
    if forwards and netns:
        raise ValueError("forwards need QEMU user networking, not a tap device")
    device = "virtio-net-device" if machine == "microvm" else "virtio-net-pci"
    if forwards:
        fwd = "".join(f",hostfwd=tcp:127.0.0.1:{h}-:{g}" for h, g in forwards)
        return (["-netdev", f"user,id=net0,restrict=on{fwd}",
                 "-device", f"{device},netdev=net0"],
                f" {ADDRESS_OPTION}={USER_NET_ADDRESS}"
                f" {GATEWAY_OPTION}={USER_NET_GATEWAY}")
    if netns:
        return (["-netdev", f"tap,id=net0,ifname={lib.TAP_DEVICE},"
                 "script=no,downscript=no",
                 "-device", f"{device},netdev=net0,mac={lib.TAP_GUEST_MAC}"],
                f" {ADDRESS_OPTION}={lib.TAP_GUEST}/{lib.TAP_PREFIX_LENGTH}"
                f" {GATEWAY_OPTION}={lib.TAP_HOST}")
    return [], ""


def qemu_command(initramfs, status_file, mem="256M", machine="microvm",
                 forwards=(), netns=None, icount=False, compressed=False):
    """Returns the QEMU command of the Linux VM: the options of ./pogo
    run, with ACPI left on under microvm because Debian's kernel finds
    virtio-mmio devices through ACPI (it lacks
    VIRTIO_MMIO_CMDLINE_DEVICES). The kernel is vmlinux, or with
    compressed the package's vmlinuz. The network is that of
    network_options(); with netns, QEMU runs under ip netns exec, and
    the tap device must exist in that namespace."""
    kernel = fetch()
    net_args, net_kopts = network_options(machine, forwards, netns)
    cmd = ["qemu-system-x86_64", "-M", machine, "-m", mem, "-accel", "tcg",
           "-cpu", "max", "-display", "none", "-nodefaults",
           "-no-user-config", "-no-reboot", "-serial", "stdio",
           "-kernel", kernel.vmlinuz if compressed else kernel.vmlinux,
           "-initrd", initramfs,
           "-append", f"{KERNEL_OPTIONS} tsc_early_khz={tsc_khz(icount)}"
           f"{net_kopts}",
           "-device", "isa-debug-exit,iobase=0x501,iosize=1",
           "-debugcon", f"file:{status_file}"] + net_args
    if netns:
        cmd = ["ip", "netns", "exec", netns] + cmd
    if icount:
        cmd += ["-icount", "shift=0"]
    else:
        # As ./pogo run gives it: TCG keeps memory fences only when the
        # machine may have more than one CPU, and virtio needs them.
        cmd += ["-smp", "1,maxcpus=2"]
    return cmd


def exit_status(qemu_status, status_file):
    """Returns the program's exit status from the byte /init wrote, or 125
    when there is none (QEMU failed or the kernel did not get that far)."""
    try:
        with open(status_file, "rb") as f:
            data = f.read(1)
    except OSError:
        data = b""
    if data:
        return data[0]
    return qemu_status if qemu_status >= 128 else 125


def main():
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("fetch")
    run = sub.add_parser("run")
    run.add_argument("-m", default="256M", help="guest memory (default 256M)")
    run.add_argument("--machine", default="microvm", choices=("microvm", "q35"))
    run.add_argument("-p", action="append", default=[], metavar="HOST:GUEST",
                     help="forward TCP port 127.0.0.1:HOST to the guest's GUEST")
    run.add_argument("--icount", action="store_true",
                     help="run with -icount shift=0")
    run.add_argument("--rootfs", help="folder copied to the initramfs's /")
    run.add_argument("program")
    run.add_argument("args", nargs=argparse.REMAINDER)
    args = parser.parse_args()

    if args.command == "fetch":
        kernel = fetch()
        print(f"{kernel.package}: {kernel.vmlinux}")
        return 0
    forwards = []
    for f in args.p:
        host, sep, guest = f.partition(":")
        if not sep or not host.isdigit() or not guest.isdigit():
            parser.error(f"-p: invalid forward '{f}': expected HOSTPORT:GUESTPORT")
        forwards.append((int(host), int(guest)))
    initramfs = build_initramfs(args.program, args.args, args.rootfs)
    with tempfile.NamedTemporaryFile(prefix="linuxvm-status.") as status:
        cmd = qemu_command(initramfs, status.name, args.m, args.machine,
                           forwards, args.icount)
        p = subprocess.Popen(cmd)
        # SIGTERM of this script ends QEMU too.
        signal.signal(signal.SIGTERM, lambda *_: p.terminate())
        return exit_status(p.wait(), status.name)


if __name__ == "__main__":
    sys.exit(main())
