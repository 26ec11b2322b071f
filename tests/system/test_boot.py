# SPDX-License-Identifier: BSD-3-Clause
"""Boot, exit status, crash reports, memory sizes and the command line,
on each QEMU machine type."""
import os
import re
import subprocess
import time

import pogotest
from pogotest import Failure, check, check_eq

HELLO = os.path.join(pogotest.ROOT, "apps", "helloworld")
MACHINES = ("microvm", "q35", "pc")
TESTS = []


def guest(name):
    return pogotest.guest_app(os.path.join("tests", "guest", name + ".c"))


def crash_app():
    return pogotest.guest_app(os.path.join("tests", "system", "crash.c"))


def add(name, fn):
    TESTS.append((f"system.boot.{name}", fn))


def hello_boots(machine, cpu):
    def test():
        r = pogotest.run(HELLO, machine=machine, cpu=cpu)
        check_eq(r.stdout, "Hello from Pogo!\n", "output")
        check_eq(r.status, 0, "exit status")
        check_eq(r.stderr, "", "standard error of a normal boot")
    return test


for m in MACHINES:
    for cpu in ("max", "qemu64"):
        add(f"hello_on_{m}_with_cpu_{cpu}", hello_boots(m, cpu))


def exit_status_passes_through(machine, status):
    def test():
        r = pogotest.run(guest("exit_status"), [str(status)], machine=machine)
        check_eq(r.status, status, "exit status")
    return test


for m in MACHINES:
    for s in (0, 1, 42, 255):
        add(f"exit_status_{s}_on_{m}", exit_status_passes_through(m, s))


CRASHES = {
    "null": (139, [r"pogo: crash: page fault \(#PF, vector 14\)",
                   r"fault address \(CR2\): 0 \(read\)",
                   r"hint: null pointer dereference"]),
    "div": (136, [r"pogo: crash: division error \(#DE, vector 0\)",
                  r"hint: integer division by zero"]),
    "ud": (132, [r"pogo: crash: invalid opcode \(#UD, vector 6\)",
                 r"hint: the CPU does not know this instruction"]),
    "stack": (139, [r"pogo: crash: page fault \(#PF, vector 14\)",
                    r"\(write\)",
                    r"hint: stack overflow in thread 'crash'"]),
    # The walk reads the unmapped page above the stack and goes on.
    "frames": (139, [r"pogo: crash: page fault \(#PF, vector 14\)",
                     r"hint: null pointer dereference"]),
}
COMMON = [r"registers:\n\s+rax [0-9a-f]{16}", r"rip [0-9a-f]{16}",
          r"thread: crash \(tid 1, the main thread\)", r"backtrace:\n\s+#0 ", r"crash_\w+\+(0x[0-9a-f]+|0)\n",
          r"main\+0x[0-9a-f]+", r"pogo: exiting with status \d+ \(SIG"]


def crash_is_reported(kind, machine):
    def test():
        status, patterns = CRASHES[kind]
        r = pogotest.run(crash_app(), [kind], machine=machine)
        check_eq(r.status, status, "exit status")
        for p in patterns + COMMON:
            check(re.search(p, r.stderr), f"crash report lacks /{p}/:\n{r.stderr}")
        check("while printing a crash report" not in r.stderr,
              f"the report itself faulted:\n{r.stderr}")
        check(r.stdout == "", f"nothing on standard output, got {r.stdout!r}")
    return test


for kind in CRASHES:
    add(f"crash_report_for_{kind}", crash_is_reported(kind, "microvm"))
add("crash_report_on_q35", crash_is_reported("null", "q35"))
add("crash_report_on_pc", crash_is_reported("stack", "pc"))


def size_kib(mem):
    n = int(mem[:-1])
    return n * 1024 if mem.endswith("M") else n * 1024 * 1024


def finds_all_ram(machine, mem):
    def test():
        r = pogotest.run(HELLO, machine=machine, mem=mem,
                         kernel_opts="loglevel=info")
        m = re.search(r"mm: (\d+) KiB usable RAM", r.stderr)
        check(m, f"no memory report in:\n{r.stderr}")
        found, total = int(m.group(1)), size_kib(mem)
        # Firmware and the ISA hole below 1 MiB take at most 1 MiB.
        check(total - 1024 <= found <= total,
              f"found {found} KiB of {total} KiB")
        check_eq(r.stdout, "Hello from Pogo!\n", "output")
        check_eq(r.status, 0, "exit status")
    return test


for m in MACHINES:
    for mem in ("2M", "16M", "1023M", "1G", "1025M", "3584M", "4G", "5G"):
        add(f"finds_all_ram_of_{mem}_on_{m}", finds_all_ram(m, mem))


def sh_words(line):
    out = subprocess.run(["/bin/sh", "-c", f"printf '%s\\n' {line}"],
                         capture_output=True, text=True).stdout
    return out.splitlines()


ARGS_LINES = [
    "plain words here",
    "'single quoted' \"double quoted\" mixed'part'\"s\"",
    "escaped\\ space \\\"quote\\\" back\\\\slash",
    "\"\" '' empty",
    "key=a=b opt=\"x y\" 'it'\\''s'",
    "\"in \\\"double\\\" \\$x \\\\ \\a\"",
    "  spaced   out  ",
]


def argv_matches_sh(index):
    def test():
        line = ARGS_LINES[index]
        r = pogotest.run(guest("echo_args"), extra=["--args-line", line])
        want = [f"argc={len(sh_words(line))}"] + [f"[{w}]" for w in sh_words(line)]
        check_eq(r.stdout.splitlines(), want, f"argv for {line!r}")
    return test


for i in range(len(ARGS_LINES)):
    add(f"argv_matches_sh_for_line_{i}", argv_matches_sh(i))


def test_unterminated_quote_stops_the_boot():
    r = pogotest.run(HELLO, extra=["--args-line", "ok 'never closed"])
    check_eq(r.status, 120, "exit status")
    check(re.search(r"boot: invalid command line: unterminated single quote "
                    r"at byte \d+", r.stderr), f"stderr: {r.stderr!r}")
    check_eq(r.stdout, "", "output")


def test_invalid_loglevel_stops_the_boot():
    r = pogotest.run(HELLO, kernel_opts="loglevel=loud")
    check_eq(r.status, 120, "exit status")
    check("invalid loglevel 'loud'" in r.stderr, f"stderr: {r.stderr!r}")


def test_invalid_clock_realtime_stops_the_boot():
    for value in ("1764849600", "1764849600.", "x.5", "1764849600.1234567890",
                  "-1.5", "99999999999999999999.0"):
        r = pogotest.run(HELLO, kernel_opts=f"clock.realtime={value}")
        check_eq(r.status, 120, f"exit status with clock.realtime={value}")
        check(f"invalid clock.realtime '{value}'" in r.stderr,
              f"stderr: {r.stderr!r}")


def test_unknown_kernel_option_is_ignored_with_a_warning():
    r = pogotest.run(HELLO, kernel_opts="no.such.option=1")
    check_eq(r.status, 0, "exit status")
    check("ignoring unknown kernel option 'no.such.option=1'" in r.stderr,
          f"stderr: {r.stderr!r}")


def test_unknown_syscall_is_logged_once():
    r = pogotest.run(guest("syscall_enosys"))
    check_eq(r.status, 0, "exit status")
    check_eq(r.stderr.count("posix: syscall 999 (unknown) is not implemented"),
             1, "log lines for syscall 999")


def test_boot_trace_reports_stages_and_instructions():
    r = pogotest.run(HELLO, extra=["--boot-trace"])
    check_eq(r.status, 0, "exit status")
    for stage in ("entry", "kernel", "c", "arch", "plat", "libraries", "app",
                  "main"):
        check(re.search(rf"boot-trace: {stage} \d+", r.stderr),
              f"no stage {stage} in:\n{r.stderr}")
    check(re.search(r"boot-trace: \d+ guest instructions from the first "
                    r"instruction to main", r.stderr), f"stderr: {r.stderr}")


def test_pogo_rejects_a_missing_application_folder():
    p = subprocess.run([pogotest.POGO, "run", "/nonexistent/app"],
                       capture_output=True, text=True)
    check_eq(p.returncode, 2, "exit status")
    check_eq(p.stderr, "pogo: /nonexistent/app: no such application folder\n",
             "message")


def test_pogo_reports_a_failed_build_in_one_line():
    app = os.path.join(pogotest.BUILD, "apps", "broken")
    os.makedirs(app, exist_ok=True)
    with open(os.path.join(app, "manifest"), "w") as f:
        f.write("name = broken\nsources = broken.c\n")
    with open(os.path.join(app, "broken.c"), "w") as f:
        f.write("int main(void) { return undefined_symbol; }\n")
    p = subprocess.run([pogotest.POGO, "build", app, "--build-dir",
                        os.path.join(pogotest.BUILD, "images", "broken")],
                       capture_output=True, text=True)
    check_eq(p.returncode, 2, "exit status")
    check(p.stderr.rstrip().splitlines()[-1] ==
          f"pogo: building {app} failed (see the messages above)",
          f"last line: {p.stderr!r}")


for name, fn in list(globals().items()):
    if name.startswith("test_"):
        add(name[5:], fn)


def test_thread_stack_overflow_names_the_thread():
    r = pogotest.run(guest("thread_stack_overflow"))
    check_eq(r.status, 139, "exit status")
    check(re.search(r"hint: stack overflow in thread 'deep-worker'", r.stderr),
          f"no stack overflow hint naming the thread in:\n{r.stderr}")
    check(re.search(r"thread: deep-worker \(tid \d+\)", r.stderr),
          f"no thread line in:\n{r.stderr}")


def test_abort_ends_with_sigabrt_and_a_report():
    r = pogotest.run(crash_app(), ["abort"])
    check_eq(r.status, 134, "exit status")
    check("pogo: crash: the application got SIGABRT (signal 6)" in r.stderr,
          f"stderr: {r.stderr}")
    check(re.search(r"0x[0-9a-f]+\s+main(\.cold)?\+0x", r.stderr),
          f"no main in the backtrace:\n{r.stderr}")


def test_touching_more_than_memory_ends_as_oom_kill():
    r = pogotest.run(crash_app(), ["oom"], mem="32M")
    check_eq(r.status, 137, "exit status (SIGKILL, as Linux's OOM killer)")
    check(re.search(r"mm: out of memory: no frame for address 0x[0-9a-f]+",
                    r.stderr), f"no out-of-memory line in:\n{r.stderr}")
    check(re.search(r"0x[0-9a-f]+\s+crash_oom\+0x", r.stderr),
          f"no application frame in the backtrace:\n{r.stderr}")


def test_strict_overcommit_refuses_the_mapping():
    r = pogotest.run(crash_app(), ["oom"], mem="32M",
                     kernel_opts="vm.overcommit_memory=2")
    check_eq(r.status, 1, "exit status")
    check("crash: mmap: Out of memory" in r.stderr,
          f"no ENOMEM from mmap in:\n{r.stderr}")


def test_invalid_overcommit_option_stops_the_boot():
    r = pogotest.run(crash_app(), ["oom"], kernel_opts="vm.overcommit_memory=7")
    check_eq(r.status, 120, "exit status")
    check("mm: invalid vm.overcommit_memory '7'" in r.stderr,
          f"no error line in:\n{r.stderr}")


add("touching_more_than_memory_ends_as_oom_kill",
    test_touching_more_than_memory_ends_as_oom_kill)
add("strict_overcommit_refuses_the_mapping",
    test_strict_overcommit_refuses_the_mapping)
add("invalid_overcommit_option_stops_the_boot",
    test_invalid_overcommit_option_stops_the_boot)
# The guest's line reaches the test within this many seconds of its
# clock reading, even on a loaded machine. A wall clock set from the RTC
# alone would trail by up to 1 s, the part of a second the RTC lacks.
WALL_CLOCK_TOLERANCE = 0.3


def test_wall_clock_matches_the_hosts():
    app = pogotest.guest_app(os.path.join("tests", "system", "wall_clock.c"))
    build_dir, _ = pogotest.build(app)
    cmd = [pogotest.POGO, "run", app, "--no-build", "--build-dir", build_dir,
           "--accel", "tcg"]
    p = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                         text=True, start_new_session=True)
    try:
        line = p.stdout.readline()
        host = time.time()
        p.communicate(timeout=60)
    finally:
        pogotest.kill_group(p)
    check(re.fullmatch(r"\d+\.\d{9}\n", line), f"the guest printed {line!r}")
    behind = host - float(line)
    check(-WALL_CLOCK_TOLERANCE < behind < WALL_CLOCK_TOLERANCE,
          f"the guest's wall clock is {behind:.3f} s behind the host's")


add("wall_clock_matches_the_hosts", test_wall_clock_matches_the_hosts)


def test_pid_one_matches_linux_pid_namespace():
    """Pogo's process is alone, so Linux's reference is pid 1 of a new pid
    namespace (unshare needs root, as the tap tests do)."""
    source = os.path.join("tests", "system", "pid_one.c")
    native = pogotest.run_host("unshare", ["--pid", "--fork",
                                           pogotest.host_binary(source)])
    check_eq(native.status, 0, f"native run under unshare: {native.stderr}")
    r = pogotest.run(pogotest.guest_app(source))
    check_eq(r.stdout, native.stdout, "output")
    check_eq(r.status, 0, "exit status")


add("pid_one_matches_linux_pid_namespace",
    test_pid_one_matches_linux_pid_namespace)
add("thread_stack_overflow_names_the_thread",
    test_thread_stack_overflow_names_the_thread)
add("abort_ends_with_sigabrt_and_a_report", test_abort_ends_with_sigabrt_and_a_report)
