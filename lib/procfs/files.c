/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The contents of the proc files, in Linux's formats: the process (maps,
 * stat, status, comm, cmdline, environ, mounts) and the system (meminfo,
 * loadavg, uptime, stat, version, filesystems). cpuinfo is in its own
 * file, because it reads the CPU.
 */
#include <pogo/alloc.h>
#include <pogo/boot.h>
#include <pogo/errno.h>
#include <pogo/format.h>
#include <pogo/mm.h>
#include <pogo/net.h>
#include <pogo/sched.h>
#include <pogo/string.h>
#include <pogo/time.h>

#include "procfs_internal.h"

#define USER_HZ      100 /* the unit of CPU times in stat files */
#define NS_PER_TICK  (POGO_NSEC_PER_SEC / USER_HZ)
#define MAPS_NAME_AT 73 /* Linux pads names to column 25 + 6 * 8 */

extern const char pogo_app_name[];

/* --- Text buffers -------------------------------------------------------- */

static bool reserve(struct proc_text *t, size_t more)
{
    size_t cap = t->cap ? t->cap : 256;
    char *buf;

    if (t->failed)
        return false;
    if (t->len + more <= t->cap)
        return true;
    while (cap < t->len + more)
        cap *= 2;
    buf = pogo_realloc(t->buf, cap);
    if (!buf) {
        t->failed = true;
        return false;
    }
    t->buf = buf;
    t->cap = cap;
    return true;
}

void proc_write(struct proc_text *t, const char *s, size_t n)
{
    if (!reserve(t, n))
        return;
    pogo_memcpy(t->buf + t->len, s, n);
    t->len += n;
}

void proc_printf(struct proc_text *t, const char *fmt, ...)
{
    va_list ap;
    int n;

    va_start(ap, fmt);
    n = pogo_vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0 || !reserve(t, n + 1))
        return;
    va_start(ap, fmt);
    pogo_vsnprintf(t->buf + t->len, n + 1, fmt, ap);
    va_end(ap);
    t->len += n;
}

void proc_pad(struct proc_text *t, size_t width)
{
    size_t line = t->len;

    while (line > 0 && t->buf[line - 1] != '\n')
        line--;
    while (t->len - line < width && !t->failed)
        proc_write(t, " ", 1);
}

/* --- Threads ------------------------------------------------------------- */

int proc_store_comm(int tid, const char *buf, size_t len)
{
    struct pogo_thread *t = proc_thread(tid);
    char name[POGO_THREAD_NAME_MAX];

    if (!t)
        return -ESRCH;
    len = POGO_MIN(len, sizeof(name) - 1);
    pogo_memcpy(name, buf, len);
    name[len] = '\0';
    pogo_thread_set_name(t, name);
    return 0;
}

void proc_show_comm(struct proc_text *t, int arg)
{
    struct pogo_thread *th = proc_thread(arg);

    proc_printf(t, "%s\n", th ? th->name : "");
}

/* --- maps ---------------------------------------------------------------- */

struct maps {
    struct proc_text *t;
    uintptr_t main_stack; /* start of the highest stack: the main one */
    char *name;           /* POGO_PATH_MAX bytes for a line's name */
};

static void find_main_stack(const struct pogo_vm_info *info, void *arg)
{
    struct maps *m = arg;

    if (info->kind == POGO_VM_STACK)
        m->main_stack = info->start;
}

static void maps_line(const struct pogo_vm_info *info, void *arg)
{
    struct maps *m = arg;
    const struct pogo_file *f = NULL;
    uint64_t dev = 0, ino = 0, offset = 0;
    char *name = m->name;
    size_t size = POGO_PATH_MAX;

    name[0] = '\0';
    if (info->kind == POGO_VM_FILE && info->file_ops == &pogo_vfs_vm_ops) {
        f = info->file;
        dev = f->vnode->fs->dev;
        ino = f->vnode->ino;
        offset = info->offset;
        pogo_file_name(f, name, size);
    } else if (info->kind == POGO_VM_HEAP) {
        pogo_strlcpy(name, "[heap]", size);
    } else if (info->kind == POGO_VM_STACK && info->start == m->main_stack) {
        pogo_strlcpy(name, "[stack]", size);
    } else if (info->shared) {
        /* Linux backs shared anonymous memory with an unlinked file. */
        pogo_strlcpy(name, "/dev/zero (deleted)", size);
        dev = POGO_MKDEV(0, 1);
        ino = 1;
    }
    proc_printf(
        m->t, "%08lx-%08lx %c%c%c%c %08lx %02x:%02x %lu ",
        (unsigned long)info->start, (unsigned long)info->end,
        (info->prot & POGO_PROT_READ) ? 'r' : '-',
        (info->prot & POGO_PROT_WRITE) ? 'w' : '-',
        (info->prot & POGO_PROT_EXEC) ? 'x' : '-', info->shared ? 's' : 'p',
        (unsigned long)offset, (unsigned)((dev >> 8) & 0xfff),
        (unsigned)((dev & 0xff) | ((dev >> 12) & ~0xffu)), (unsigned long)ino);
    if (name[0]) {
        proc_pad(m->t, MAPS_NAME_AT);
        proc_printf(m->t, "%s", name);
    }
    proc_write(m->t, "\n", 1);
}

void proc_show_maps(struct proc_text *t, int arg)
{
    struct maps m = {.t = t, .name = pogo_malloc(POGO_PATH_MAX)};

    if (!m.name) {
        t->failed = true;
        return;
    }
    pogo_vm_for_each(find_main_stack, &m);
    pogo_vm_for_each(maps_line, &m);
    pogo_free(m.name);
}

/* --- stat and status ----------------------------------------------------- */

struct vm_sizes {
    size_t total, data, stack;
};

static void add_size(const struct pogo_vm_info *info, void *arg)
{
    struct vm_sizes *s = arg;
    size_t len = info->end - info->start;

    s->total += len;
    if (info->kind == POGO_VM_STACK)
        s->stack += len;
    else if (info->kind != POGO_VM_FILE && !info->shared)
        s->data += len;
}

static void count_thread(struct pogo_thread *t, void *arg)
{
    if (t->is_app)
        (*(int *)arg)++;
}

static int app_threads(void)
{
    int n = 0;

    pogo_thread_for_each(count_thread, &n);
    return n;
}

static uint64_t ticks(uint64_t ns)
{
    return ns / NS_PER_TICK;
}

void proc_show_stat(struct proc_text *t, int arg)
{
    struct pogo_thread *th = proc_thread(arg);
    struct vm_sizes sizes = {0};
    uint64_t cpu;

    if (!th)
        return;
    pogo_vm_for_each(add_size, &sizes);
    cpu = arg ? pogo_sched_thread_cpu_ns(th) : pogo_time_process_cpu_ns();
    proc_printf(t, "%d (%s) %c 0 %d %d 0 -1 4194560 0 0 0 0 ",
                arg ? arg : PROC_PID, th->name,
                th->state == POGO_THREAD_BLOCKED ? 'S' : 'R', PROC_PID,
                PROC_PID);
    proc_printf(t, "%lu 0 0 0 %d %d %d 0 0 %lu %lu 18446744073709551615 ",
                (unsigned long)ticks(cpu), 20 + th->nice, th->nice,
                app_threads(), (unsigned long)sizes.total,
                (unsigned long)pogo_vm_resident_pages());
    proc_printf(t,
                "0 0 0 0 0 %lu %lu 0 0 0 0 0 17 0 0 0 0 0 0 0 0 0 0 0 0 0 "
                "0\n",
                (unsigned long)th->sigpending, (unsigned long)th->sigmask);
}

static void kb_line(struct proc_text *t, const char *name, size_t bytes)
{
    proc_printf(t, "%s:\t%8lu kB\n", name, (unsigned long)(bytes / 1024));
}

void proc_show_status(struct proc_text *t, int arg)
{
    struct pogo_thread *th = proc_thread(arg);
    struct vm_sizes sizes = {0};
    size_t rss = pogo_vm_resident_pages() * POGO_PAGE_SIZE;
    uint32_t umask = pogo_vfs_umask(0);
    int pid = arg ? arg : PROC_PID;

    pogo_vfs_umask(umask);
    if (!th)
        return;
    pogo_vm_for_each(add_size, &sizes);
    proc_printf(t, "Name:\t%s\nUmask:\t%04o\nState:\t%s\n", th->name, umask,
                th->state == POGO_THREAD_BLOCKED ? "S (sleeping)"
                                                 : "R (running)");
    proc_printf(t, "Tgid:\t%d\nNgid:\t0\nPid:\t%d\nPPid:\t0\nTracerPid:\t0\n",
                PROC_PID, pid);
    proc_printf(t, "Uid:\t0\t0\t0\t0\nGid:\t0\t0\t0\t0\nFDSize:\t%d\n",
                POGO_MAX(pogo_fd_table_size(), 64));
    proc_printf(t,
                "Groups:\t\nNStgid:\t%d\nNSpid:\t%d\nNSpgid:\t%d\n"
                "NSsid:\t%d\n",
                PROC_PID, pid, PROC_PID, PROC_PID);
    kb_line(t, "VmPeak", sizes.total);
    kb_line(t, "VmSize", sizes.total);
    kb_line(t, "VmLck", 0);
    kb_line(t, "VmPin", 0);
    kb_line(t, "VmHWM", rss);
    kb_line(t, "VmRSS", rss);
    kb_line(t, "RssAnon", rss);
    kb_line(t, "RssFile", 0);
    kb_line(t, "RssShmem", 0);
    kb_line(t, "VmData", sizes.data);
    kb_line(t, "VmStk", sizes.stack);
    kb_line(t, "VmExe", 0);
    kb_line(t, "VmLib", 0);
    kb_line(t, "VmPTE", 0);
    kb_line(t, "VmSwap", 0);
    proc_printf(t, "Threads:\t%d\nSigQ:\t0/%d\n", app_threads(), 1 << 14);
    /* NOTE: the process's dispositions and pending set are kept by the
     * signal code, so ShdPnd, SigIgn and SigCgt always read 0. */
    proc_printf(t, "SigPnd:\t%016lx\nShdPnd:\t%016lx\nSigBlk:\t%016lx\n",
                (unsigned long)th->sigpending, 0ul, (unsigned long)th->sigmask);
    proc_printf(t, "SigIgn:\t%016lx\nSigCgt:\t%016lx\n", 0ul, 0ul);
    proc_printf(t, "CapInh:\t%016lx\nCapPrm:\t%016lx\nCapEff:\t%016lx\n", 0ul,
                0x1fffffffffful, 0x1fffffffffful);
    proc_printf(t, "CapBnd:\t%016lx\nCapAmb:\t%016lx\n", 0x1fffffffffful, 0ul);
    proc_printf(t, "NoNewPrivs:\t0\nSeccomp:\t0\nCpus_allowed:\t1\n"
                   "Cpus_allowed_list:\t0\nMems_allowed:\t1\n"
                   "Mems_allowed_list:\t0\n");
    proc_printf(t, "voluntary_ctxt_switches:\t0\n"
                   "nonvoluntary_ctxt_switches:\t0\n");
}

/* --- cmdline, environ, mounts -------------------------------------------- */

static void nul_words(struct proc_text *t, char *const *words, size_t n)
{
    for (size_t i = 0; i < n; i++)
        proc_write(t, words[i], pogo_strlen(words[i]) + 1);
}

void proc_show_cmdline(struct proc_text *t, int arg)
{
    proc_write(t, pogo_app_name, pogo_strlen(pogo_app_name) + 1);
    nul_words(t, pogo_boot_argv, pogo_boot_argc);
}

void proc_show_environ(struct proc_text *t, int arg)
{
    nul_words(t, pogo_boot_envp, pogo_boot_envc);
}

void proc_show_mounts(struct proc_text *t, int arg)
{
    for (struct pogo_fs *fs = pogo_vfs_mounts(); fs; fs = fs->next) {
        bool proc = pogo_strcmp(fs->type, "proc") == 0;

        proc_printf(t, "%s %s %s %s 0 0\n", fs->type, fs->where, fs->type,
                    proc ? "rw,nosuid,nodev,noexec,relatime" : "rw,relatime");
    }
}

void proc_show_filesystems(struct proc_text *t, int arg)
{
    proc_printf(t, "nodev\tramfs\nnodev\tproc\n");
}

/* --- The system ---------------------------------------------------------- */

void proc_show_overcommit(struct proc_text *t, int arg)
{
    proc_printf(t, "%d\n", (int)pogo_vm_overcommit());
}

/* Sets the policy from "0", "1" or "2", with an optional newline. */
int proc_store_overcommit(int arg, const char *buf, size_t len)
{
    if (len > 0 && buf[len - 1] == '\n')
        len--;
    if (len != 1 || buf[0] < '0' || buf[0] > '9')
        return -EINVAL;
    return pogo_vm_set_overcommit(buf[0] - '0');
}

void proc_show_meminfo(struct proc_text *t, int arg)
{
    size_t total = pogo_frames_total() * POGO_PAGE_SIZE;
    size_t free = pogo_frames_free_count() * POGO_PAGE_SIZE;
    size_t anon = pogo_vm_resident_pages() * POGO_PAGE_SIZE;
    static const char *const zeros[] = {
        "Buffers",        "Cached",       "SwapCached", "Active(file)",
        "Inactive(file)", "Unevictable",  "Mlocked",    "SwapTotal",
        "SwapFree",       "Dirty",        "Writeback",  "Mapped",
        "Shmem",          "KReclaimable", "Slab",       "SReclaimable",
        "SUnreclaim",     "KernelStack",  "PageTables", "NFS_Unstable",
        "Bounce",         "WritebackTmp",
    };

    kb_line(t, "MemTotal", total);
    kb_line(t, "MemFree", free);
    kb_line(t, "MemAvailable", free);
    for (size_t i = 0; i < POGO_ARRAY_SIZE(zeros); i++)
        kb_line(t, zeros[i], 0);
    kb_line(t, "AnonPages", anon);
    kb_line(t, "CommitLimit", total);
    kb_line(t, "Committed_AS", anon);
    proc_printf(t, "HugePages_Total:       0\nHugePages_Free:        0\n"
                   "HugePages_Rsvd:        0\nHugePages_Surp:        0\n");
    kb_line(t, "Hugepagesize", 2048 * 1024);
}

static int max_tid;

static void note_tid(struct pogo_thread *t, void *arg)
{
    if (t->is_app && t->tid > max_tid)
        max_tid = t->tid;
}

void proc_show_loadavg(struct proc_text *t, int arg)
{
    max_tid = PROC_PID;
    pogo_thread_for_each(note_tid, NULL);
    proc_printf(t, "0.00 0.00 0.00 1/%d %d\n", app_threads(), max_tid);
}

static void hundredths(struct proc_text *t, uint64_t ns, const char *end)
{
    proc_printf(t, "%lu.%02lu%s", (unsigned long)(ns / POGO_NSEC_PER_SEC),
                (unsigned long)(ns % POGO_NSEC_PER_SEC / NS_PER_TICK), end);
}

void proc_show_uptime(struct proc_text *t, int arg)
{
    uint64_t up = pogo_time_monotonic_ns();
    uint64_t busy = pogo_time_process_cpu_ns();

    hundredths(t, up, " ");
    hundredths(t, up > busy ? up - busy : 0, "\n");
}

void proc_show_cpu_stat(struct proc_text *t, int arg)
{
    uint64_t up = pogo_time_monotonic_ns();
    uint64_t busy = pogo_time_process_cpu_ns();
    unsigned long user = ticks(busy);
    unsigned long idle = ticks(up > busy ? up - busy : 0);
    int64_t boot = (pogo_time_realtime_ns() - (int64_t)up) / POGO_NSEC_PER_SEC;

    proc_printf(t, "cpu  %lu 0 0 %lu 0 0 0 0 0 0\n", user, idle);
    proc_printf(t, "cpu0 %lu 0 0 %lu 0 0 0 0 0 0\n", user, idle);
    proc_printf(t, "intr 0\nctxt 0\nbtime %ld\nprocesses 1\n", (long)boot);
    proc_printf(t, "procs_running 1\nprocs_blocked 0\n"
                   "softirq 0 0 0 0 0 0 0 0 0 0 0\n");
}

void proc_show_version(struct proc_text *t, int arg)
{
    proc_printf(t, "Linux version %s (pogo@pogo) %s\n", POGO_PROCFS_OSRELEASE,
                POGO_PROCFS_VERSION);
}

/* Without the network stack there are no sockets to count. */
POGO_WEAK void pogo_net_stats(struct pogo_net_stats *st)
{
    pogo_memset(st, 0, sizeof(*st));
}

/* /proc/pogo/net: counters of the network stack, for tests that check
 * that closed connections leave nothing behind. */
void proc_show_pogo_net(struct proc_text *t, int arg)
{
    struct pogo_net_stats st;

    pogo_net_stats(&st);
    proc_printf(t,
                "sockets %zu\ntcp_pcbs %zu\ntcp_time_wait %zu\n"
                "tcp_listen_pcbs %zu\nudp_pcbs %zu\n",
                st.sockets, st.tcp_pcbs, st.tcp_time_wait, st.tcp_listen_pcbs,
                st.udp_pcbs);
}
