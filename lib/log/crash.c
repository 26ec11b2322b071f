/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The crash report for CPU exceptions and kernel panics: what happened,
 * the fault address, registers, thread, backtrace and a hint, then the
 * exit. The layout is described in docs/crash-report.md.
 */
#include <pogo/arch.h>
#include <pogo/arch/percpu.h>
#include <pogo/crash.h>
#include <pogo/log.h>
#include <pogo/plat.h>
#include <pogo/string.h>

#define BACKTRACE_FIRST    16
#define BACKTRACE_LAST     6
#define BACKTRACE_WALK_MAX 100000
#define SCAN_BYTES         4096
#define SCAN_MAX           12
#define LINE               160
#define CRASH_STACK_SIZE   12288
#define SIGFPE             8
#define SIGILL             4
#define SIGSEGV            11

static void out(const char *fmt, ...) POGO_PRINTF(1, 2);

static void out(const char *fmt, ...)
{
    char line[LINE];
    va_list ap;
    int n;

    va_start(ap, fmt);
    n = pogo_vsnprintf(line, sizeof(line), fmt, ap);
    va_end(ap);
    pogo_log_write(line, n < (int)sizeof(line) ? n : (int)sizeof(line) - 1);
}

static const char *signal_name(int sig)
{
    switch (sig) {
    case 4:
        return "SIGILL";
    case 5:
        return "SIGTRAP";
    case 6:
        return "SIGABRT";
    case 7:
        return "SIGBUS";
    case 8:
        return "SIGFPE";
    case 9:
        return "SIGKILL";
    case 11:
        return "SIGSEGV";
    default:
        return "signal";
    }
}

static void print_location(uintptr_t addr)
{
    uintptr_t off;
    const char *name = pogo_symbol_lookup(addr, &off);

    if (name)
        out("%#018lx  %s+%#lx\n", addr, name, off);
    else
        out("%#018lx  ?\n", addr);
}

static void print_registers(const struct pogo_regs *r)
{
    out("  registers:\n");
    out("    rax %016lx  rbx %016lx  rcx %016lx\n", r->rax, r->rbx, r->rcx);
    out("    rdx %016lx  rsi %016lx  rdi %016lx\n", r->rdx, r->rsi, r->rdi);
    out("    rbp %016lx  rsp %016lx  r8  %016lx\n", r->rbp, r->rsp, r->r8);
    out("    r9  %016lx  r10 %016lx  r11 %016lx\n", r->r9, r->r10, r->r11);
    out("    r12 %016lx  r13 %016lx  r14 %016lx\n", r->r12, r->r13, r->r14);
    out("    r15 %016lx  rip %016lx  rflags %08lx\n", r->r15, r->rip,
        r->rflags);
    out("    cs %04lx  ss %04lx  error code %#lx\n", r->cs, r->ss, r->error);
}

/* The first and the last frames of a walk, for stacks deeper than a
 * report should show (a runaway recursion). */
struct frames {
    uintptr_t first[BACKTRACE_FIRST];
    uintptr_t last[BACKTRACE_LAST];
    size_t count;
};

static bool keep_frame(uintptr_t ret, void *arg)
{
    struct frames *f = arg;

    if (f->count < BACKTRACE_FIRST)
        f->first[f->count] = ret;
    else
        f->last[(f->count - BACKTRACE_FIRST) % BACKTRACE_LAST] = ret;
    f->count++;
    return true;
}

/* Prints frames[0..n) numbered from number, folding repeats. */
static void print_frames(const uintptr_t *frames, size_t n, size_t number)
{
    for (size_t i = 0; i < n; i++) {
        size_t same = 1;

        while (i + same < n && frames[i + same] == frames[i])
            same++;
        out("    #%-2zu ", number + i);
        /* A return address points after the call: look up the call. */
        print_location(frames[i] - 1);
        if (same > 1) {
            out("        (the frame above repeats %zu more times)\n", same - 1);
            i += same - 1;
        }
    }
}

/*
 * A fault on the first instructions of a function, before its frame is
 * set up, leaves the caller's return address at the top of the stack.
 */
static void print_unframed_caller(const struct pogo_regs *r)
{
    uintptr_t off, ret;
    const char *name = pogo_symbol_lookup(r->rip, &off);

    if (!name || off >= 4)
        return;
    if (!pogo_arch_read_word(r->rsp + (off == 0 ? 0 : 8), &ret))
        return;
    out("    #1  ");
    print_location(ret - 1);
}

extern const uint8_t __pogo_image_start[];
extern const uint8_t __pogo_text_end[];

static bool in_text(uintptr_t a)
{
    return a > (uintptr_t)__pogo_image_start + 8 &&
           a <= (uintptr_t)__pogo_text_end;
}

/* Tells whether the bytes before ret encode a call instruction. */
static bool after_call(uintptr_t ret)
{
    const uint8_t *p = (const uint8_t *)ret;

    if (!in_text(ret))
        return false;
    if (p[-5] == 0xe8)
        return true; /* call rel32 */
    /* call through a register or memory: ff /2 with 0 to 4 bytes after */
    for (int len = 2; len <= 7; len++) {
        if (p[-len] == 0xff && ((p[-len + 1] >> 3) & 7) == 2)
            return true;
    }
    return false;
}

/*
 * Code without frame pointers (musl's own functions) breaks the frame
 * chain. Then the words above the stack pointer that are return addresses
 * (they point just after a call) show where the code came from.
 */
static void print_scanned(const struct pogo_regs *r)
{
    size_t found = 0;

    out("    frames found by scanning the stack (may include stale ones):\n");
    for (uintptr_t a = r->rsp; a < r->rsp + SCAN_BYTES && found < SCAN_MAX;
         a += 8) {
        uintptr_t word;
        if (!pogo_arch_read_word(a, &word))
            break;
        if (!after_call(word))
            continue;
        out("    ?   ");
        print_location(word - 1);
        found++;
    }
}

/* Walks the application's or kernel's frames: from the trap frame, or for
 * a panic from the frame of pogo_crash. */
static void print_backtrace(const struct pogo_regs *r, uintptr_t panic_frame)
{
    static struct frames f;
    uintptr_t rbp = r ? r->rbp : panic_frame;
    uintptr_t rsp = r ? r->rsp : panic_frame;
    uintptr_t ordered[BACKTRACE_LAST];
    size_t first = 0;
    size_t shown, skipped, tail;

    out("  backtrace:\n");
    if (r) {
        out("    #0  ");
        print_location(r->rip);
        print_unframed_caller(r);
        first = 1;
    }
    f.count = 0;
    pogo_arch_walk_frames(rbp, rsp, BACKTRACE_WALK_MAX, keep_frame, &f);
    if (r && f.count < 2)
        print_scanned(r);
    shown = POGO_MIN(f.count, (size_t)BACKTRACE_FIRST);
    print_frames(f.first, shown, first);
    if (f.count <= BACKTRACE_FIRST)
        return;

    skipped = f.count > BACKTRACE_FIRST + BACKTRACE_LAST
                  ? f.count - BACKTRACE_FIRST - BACKTRACE_LAST
                  : 0;
    if (skipped)
        out("    ... %zu frames not shown ...\n", skipped);
    tail = f.count - BACKTRACE_FIRST - skipped;
    for (size_t i = 0; i < tail; i++)
        ordered[i] = f.last[(skipped + i) % BACKTRACE_LAST];
    print_frames(ordered, tail, first + BACKTRACE_FIRST + skipped);
}

static void default_hint(const struct pogo_crash *c, char *buf, size_t size)
{
    const struct pogo_regs *r = c->regs;

    buf[0] = '\0';
    if (c->has_fault_address && pogo_crash_hint(c->fault_address, buf, size))
        return;
    if (c->has_fault_address && c->fault_address < 4096) {
        pogo_snprintf(buf, size,
                      "null pointer dereference: %s of address "
                      "%#lx",
                      c->access, c->fault_address);
        return;
    }
    if (c->has_fault_address && c->access[0] == 'i') {
        pogo_snprintf(buf, size, "jump to memory that is not executable");
        return;
    }
    if (!r)
        return;
    if (r->vector == 0)
        pogo_snprintf(buf, size,
                      "integer division by zero, or an "
                      "overflowing division such as INT_MIN / -1");
    else if (r->vector == 6)
        pogo_snprintf(buf, size,
                      "the CPU does not know this instruction, "
                      "or the program reached __builtin_trap() (ud2)");
    else if (r->vector == 13)
        pogo_snprintf(buf, size,
                      "a non-canonical address or a privileged "
                      "instruction");
}

static POGO_NORETURN void finish(int signal)
{
    int status = signal ? POGO_EXIT_SIGNAL + signal : POGO_EXIT_PANIC;

    if (signal)
        out("pogo: exiting with status %d (%s)\n", status, signal_name(signal));
    else
        out("pogo: exiting with status %d (kernel panic)\n", status);
    pogo_plat_exit(status);
}

static uintptr_t panic_frame;

static POGO_NORETURN void report(void *arg)
{
    const struct pogo_crash *c = arg;
    char hint[LINE];

    out("pogo: crash: %s\n", c->what);
    if (c->has_fault_address)
        out("  fault address (CR2): %#lx (%s)\n", c->fault_address, c->access);
    if (c->regs) {
        out("  at ");
        print_location(c->regs->rip);
        print_registers(c->regs);
    }
    out("  thread: %s\n", pogo_crash_thread_name());

    print_backtrace(c->regs, panic_frame);
    default_hint(c, hint, sizeof(hint));
    if (hint[0])
        out("  hint: %s\n", hint);
    /* No return: a fault the walk survived has reused the interrupt stack
     * that pogo_crash's frame is on. */
    finish(c->signal);
}

/*
 * The report runs on a stack of its own, from copies of the crash and the
 * registers: reading memory for the backtrace may fault again, and that
 * fault reuses the interrupt stack that the trap frame is on.
 */
POGO_NORETURN void pogo_crash(const struct pogo_crash *c)
{
    static uint8_t stack[CRASH_STACK_SIZE] POGO_ALIGNED(16);
    static struct pogo_crash crash;
    static struct pogo_regs regs;
    static char what[LINE];

    __asm__ __volatile__("cli");
    if (++pogo_percpu.in_exception > 1) {
        out("pogo: crash: %s while printing a crash report\n", c->what);
        finish(c->signal);
    }

    panic_frame = (uintptr_t)__builtin_frame_address(0);
    crash = *c;
    pogo_strlcpy(what, c->what, sizeof(what));
    crash.what = what;
    if (c->regs) {
        regs = *c->regs;
        crash.regs = &regs;
    }
    pogo_arch_call_on_stack(report, &crash, (uintptr_t)(stack + sizeof(stack)));
    __builtin_unreachable(); /* report ends with finish() */
}

POGO_NORETURN void pogo_panic(const char *fmt, ...)
{
    char what[LINE];
    va_list ap;

    va_start(ap, fmt);
    pogo_vsnprintf(what, sizeof(what), fmt, ap);
    va_end(ap);
    pogo_crash(&(struct pogo_crash){.what = what});
}

POGO_WEAK const char *pogo_crash_thread_name(void)
{
    return "main";
}

POGO_WEAK bool pogo_crash_hint(uint64_t fault_address, char *buf, size_t size)
{
    return false;
}
