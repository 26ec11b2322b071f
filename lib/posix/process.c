/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The one process (pid 1): its identity, session and process group,
 * resource limits (Linux's defaults) and usage. fork fails and wait finds
 * no children, because Pogo runs no second process.
 */
#include <pogo/arch.h>
#include <pogo/config.h>
#include <pogo/errno.h>
#include <pogo/log.h>
#include <pogo/mm.h>
#include <pogo/param.h>
#include <pogo/procfs.h>
#include <pogo/sched.h>
#include <pogo/string.h>
#include <pogo/time.h>
#include <pogo/uaccess.h>
#include <pogo/vfs.h>

#include "abi.h"
#include "posix.h"
#include "syscalls.h"

#define POGO_PID 1

long sys_getpid(void)
{
    return POGO_PID;
}

long sys_getppid(void)
{
    return 0;
}

/* The same values as /proc/sys/kernel shows. */
long sys_uname(long buf)
{
    struct linux_utsname u;

    pogo_memset(&u, 0, sizeof(u));
    pogo_strlcpy(u.sysname, "Linux", sizeof(u.sysname));
    pogo_strlcpy(u.nodename, POGO_PROCFS_HOSTNAME, sizeof(u.nodename));
    pogo_strlcpy(u.release, POGO_PROCFS_OSRELEASE, sizeof(u.release));
    pogo_strlcpy(u.version, POGO_PROCFS_VERSION, sizeof(u.version));
    pogo_strlcpy(u.machine, "x86_64", sizeof(u.machine));
    pogo_strlcpy(u.domainname, "(none)", sizeof(u.domainname));
    return pogo_copy_to_user((void *)buf, &u, sizeof(u));
}

long sys_arch_prctl(int code, long addr)
{
    uint64_t base;

    if ((code == LINUX_ARCH_SET_FS || code == LINUX_ARCH_SET_GS) &&
        (unsigned long)addr >= LINUX_TASK_SIZE_MAX)
        return -EPERM;
    switch (code) {
    case LINUX_ARCH_SET_FS:
        pogo_arch_set_fs_base(addr);
        return 0;
    case LINUX_ARCH_SET_GS:
        pogo_arch_set_gs_base(addr);
        return 0;
    case LINUX_ARCH_GET_FS:
        base = pogo_arch_get_fs_base();
        return pogo_copy_to_user((void *)addr, &base, sizeof(base));
    case LINUX_ARCH_GET_GS:
        base = pogo_arch_get_gs_base();
        return pogo_copy_to_user((void *)addr, &base, sizeof(base));
    default:
        return -EINVAL;
    }
}

/* --- Resource limits ----------------------------------------------------- */

#define RLIMIT_STACK      3
#define RLIMIT_NPROC      6
#define RLIMIT_NOFILE     7
#define RLIMIT_SIGPENDING 11
#define RLIM_NLIMITS      16
#define RLIM_INFINITY     (~0ULL)
/* fs.nr_open, the largest RLIMIT_NOFILE that Linux accepts. */
#define NR_OPEN 1048576
/* x86_64's kernel stack size, from which Linux sizes NPROC. */
#define LINUX_THREAD_SIZE (16 * 1024)

struct linux_rlimit {
    uint64_t cur;
    uint64_t max;
};

/*
 * Linux 6.1's limits at boot (INIT_RLIMITS), which a process of root
 * inherits unless something lowers them. Only RLIMIT_NOFILE is enforced,
 * as the fd limit; the others are stored and reported.
 */
static struct linux_rlimit limits[RLIM_NLIMITS] = {
    {RLIM_INFINITY, RLIM_INFINITY},     /* CPU */
    {RLIM_INFINITY, RLIM_INFINITY},     /* FSIZE */
    {RLIM_INFINITY, RLIM_INFINITY},     /* DATA */
    {8 * 1024 * 1024, RLIM_INFINITY},   /* STACK */
    {0, RLIM_INFINITY},                 /* CORE */
    {RLIM_INFINITY, RLIM_INFINITY},     /* RSS */
    {0, 0},                             /* NPROC: set on first use */
    {POGO_FD_LIMIT, 4096},              /* NOFILE */
    {8 * 1024 * 1024, 8 * 1024 * 1024}, /* MEMLOCK */
    {RLIM_INFINITY, RLIM_INFINITY},     /* AS */
    {RLIM_INFINITY, RLIM_INFINITY},     /* LOCKS */
    {0, 0},                             /* SIGPENDING: set on first use */
    {819200, 819200},                   /* MSGQUEUE */
    {0, 0},                             /* NICE */
    {0, 0},                             /* RTPRIO */
    {RLIM_INFINITY, RLIM_INFINITY},     /* RTTIME */
};

/*
 * Linux sets NPROC and SIGPENDING to half its thread limit, which is the
 * memory size over 8 kernel stacks, and at least 20. Pogo's memory size
 * gives an estimate of the same value.
 */
static void size_thread_limits(void)
{
    uint64_t threads;

    if (limits[RLIMIT_NPROC].max)
        return;
    threads = (uint64_t)pogo_frames_total() * POGO_PAGE_SIZE /
              (8 * LINUX_THREAD_SIZE);
    threads = POGO_MAX(threads, 20) / 2;
    limits[RLIMIT_NPROC] = (struct linux_rlimit){threads, threads};
    limits[RLIMIT_SIGPENDING] = limits[RLIMIT_NPROC];
}

#ifdef CONFIG_VFS
static void apply_nofile(uint64_t cur)
{
    pogo_fd_set_limit(cur > NR_OPEN ? NR_OPEN : (int)cur);
}
#else
/* Without the VFS only fds 0, 1 and 2 exist, whatever the limit. */
static void apply_nofile(uint64_t cur)
{
}
#endif

/*
 * rlimit.nofile=N sets RLIMIT_NOFILE, soft and hard, before the program
 * starts, as "ulimit -n N" in a shell would. It is for programs that
 * expect more than 1024 fds and do not raise the limit themselves. nginx
 * in one process is one, because it applies worker_rlimit_nofile only in
 * worker processes.
 */
static int set_nofile_option(const char *value)
{
    uint64_t n;

    if (pogo_parse_u64(value, false, &n) || n < 1 || n > NR_OPEN) {
        pogo_error("posix: invalid rlimit.nofile '%s': use a number of fds "
                   "from 1 to %d\n",
                   value, NR_OPEN);
        return -EINVAL;
    }
    limits[RLIMIT_NOFILE] = (struct linux_rlimit){n, n};
    apply_nofile(n);
    return 0;
}
POGO_PARAM("rlimit.nofile", set_nofile_option);

/* Checks a new limit as Linux's do_prlimit does, before it is compared
 * with the current one. */
static int check_rlimit(unsigned int resource, const struct linux_rlimit *new)
{
    if (resource >= RLIM_NLIMITS)
        return -EINVAL;
    if (!new)
        return 0;
    if (new->cur > new->max)
        return -EINVAL;
    if (resource == RLIMIT_NOFILE && new->max > NR_OPEN)
        return -EPERM;
    return 0;
}

/* Stores the old limit in *old (if old) and sets the new one (if new). */
static int do_prlimit(unsigned int resource, const struct linux_rlimit *new,
                      struct linux_rlimit *old)
{
    int err = check_rlimit(resource, new);

    if (err)
        return err;
    size_thread_limits();
    /* Raising a hard limit needs CAP_SYS_RESOURCE, which root has. */
    if (new && !posix_has_root_caps() && limits[resource].max < new->max)
        return -EPERM;
    if (old)
        *old = limits[resource];
    if (new) {
        limits[resource] = *new;
        if (resource == RLIMIT_NOFILE)
            apply_nofile(new->cur);
    }
    return 0;
}

long sys_getrlimit(unsigned int resource, long user_rlim)
{
    struct linux_rlimit old;
    int err = do_prlimit(resource, NULL, &old);

    if (err)
        return err;
    return pogo_copy_to_user((void *)user_rlim, &old, sizeof(old));
}

long sys_setrlimit(unsigned int resource, long user_rlim)
{
    struct linux_rlimit new;

    if (pogo_copy_from_user(&new, (const void *)user_rlim, sizeof(new)))
        return -EFAULT;
    return do_prlimit(resource, &new, NULL);
}

/* As on Linux, the new limit stays set when storing the old one faults. */
long sys_prlimit64(int pid, unsigned int resource, long user_new, long user_old)
{
    struct linux_rlimit new, old;
    int err;

    if (user_new &&
        pogo_copy_from_user(&new, (const void *)user_new, sizeof(new)))
        return -EFAULT;
    if (pid != 0 && pid != POGO_PID)
        return -ESRCH;
    err = do_prlimit(resource, user_new ? &new : NULL, user_old ? &old : NULL);
    if (err || !user_old)
        return err;
    return pogo_copy_to_user((void *)user_old, &old, sizeof(old));
}

/* --- Sessions and process groups ----------------------------------------- */

/*
 * Linux starts its pid 1 in session 0 and process group 0, and so does
 * Pogo. The process is then no group leader, so setsid succeeds once.
 */
static int session_id;
static int group_id;

/* Tells whether pid names this process: 0, its pid or one of its
 * threads, which Linux accepts in the same calls. */
static bool is_this_process(int pid)
{
    return pid == 0 || pid == POGO_PID || pogo_thread_find(pid);
}

long sys_setsid(void)
{
    if (group_id == POGO_PID)
        return -EPERM;
    session_id = POGO_PID;
    group_id = POGO_PID;
    return POGO_PID;
}

long sys_getsid(int pid)
{
    if (!is_this_process(pid))
        return -ESRCH;
    return session_id;
}

long sys_getpgid(int pid)
{
    if (!is_this_process(pid))
        return -ESRCH;
    return group_id;
}

long sys_getpgrp(void)
{
    return group_id;
}

/*
 * Moves the process into group pgid (0: its own pid), as Linux's setpgid
 * does for a process without children: the only group it can join is
 * the one it is in, and a session leader cannot move.
 */
long sys_setpgid(int pid, int pgid)
{
    if (pgid < 0)
        return -EINVAL;
    if (pid != 0 && pid != POGO_PID)
        return pogo_thread_find(pid) ? -EINVAL : -ESRCH;
    if (pgid == 0)
        pgid = POGO_PID;
    if (session_id == POGO_PID)
        return -EPERM;
    if (pgid != POGO_PID && pgid != group_id)
        return -EPERM;
    group_id = pgid;
    return 0;
}

/* --- fork and wait ------------------------------------------------------- */

/*
 * Pogo runs one process in one address space, so there is no second
 * process to create. Linux returns ENOSYS where it cannot fork either
 * (kernels for processors without an MMU), and programs report that as
 * a failed fork.
 */
static long no_fork(const char *call)
{
    static bool warned;

    if (!warned) {
        warned = true;
        pogo_warn("posix: %s is not supported: Pogo runs one process; "
                  "returning ENOSYS\n",
                  call);
    }
    return -ENOSYS;
}

long sys_fork(void)
{
    return no_fork("fork");
}

long sys_vfork(void)
{
    return no_fork("vfork");
}

#define WNOHANG    0x00000001
#define WSTOPPED   0x00000002 /* WUNTRACED for wait4 */
#define WEXITED    0x00000004
#define WCONTINUED 0x00000008
#define WNOWAIT    0x01000000
#define WNOTHREAD  0x20000000
#define WALL       0x40000000
#define WCLONE     0x80000000
#define P_ALL      0
#define P_PID      1
#define P_PGID     2
#define P_PIDFD    3

/* The process never has children, so a valid wait finds none. */
long sys_wait4(int pid, long status, int options, long rusage)
{
    if (options &
        ~(WNOHANG | WSTOPPED | WCONTINUED | WNOTHREAD | WALL | WCLONE))
        return -EINVAL;
    if (pid == INT32_MIN)
        return -ESRCH;
    return -ECHILD;
}

long sys_waitid(int idtype, int id, long info, int options, long rusage)
{
    if (options & ~(WNOHANG | WNOWAIT | WEXITED | WSTOPPED | WCONTINUED |
                    WNOTHREAD | WALL | WCLONE))
        return -EINVAL;
    if (!(options & (WEXITED | WSTOPPED | WCONTINUED)))
        return -EINVAL;
    switch (idtype) {
    case P_ALL:
        return -ECHILD;
    case P_PID:
        return id <= 0 ? -EINVAL : -ECHILD;
    case P_PGID:
        return id < 0 ? -EINVAL : -ECHILD;
    case P_PIDFD:
        /* Pogo hands out no pidfds, so no fd is one. */
        return id < 0 ? -EINVAL : -EBADF;
    default:
        return -EINVAL;
    }
}

/* --- sysinfo and getrusage ----------------------------------------------- */

/* struct sysinfo of <linux/sysinfo.h> on x86_64. */
struct linux_sysinfo {
    int64_t uptime;
    uint64_t loads[3];
    uint64_t totalram, freeram, sharedram, bufferram, totalswap, freeswap;
    uint16_t procs;
    uint16_t pad;
    uint64_t totalhigh, freehigh;
    uint32_t mem_unit;
};

POGO_STATIC_ASSERT(sizeof(struct linux_sysinfo) == 112, "Linux sysinfo");

long sys_sysinfo(long user_info)
{
    struct linux_sysinfo info;
    uint64_t up = pogo_time_monotonic_ns();

    pogo_memset(&info, 0, sizeof(info));
    /* Linux rounds the uptime up to whole seconds. */
    info.uptime = (up + POGO_NSEC_PER_SEC - 1) / POGO_NSEC_PER_SEC;
    info.totalram = pogo_frames_total() * POGO_PAGE_SIZE;
    info.freeram = pogo_frames_free_count() * POGO_PAGE_SIZE;
    info.procs = POGO_MIN(pogo_thread_app_count(), UINT16_MAX);
    info.mem_unit = 1;
    return pogo_copy_to_user((void *)user_info, &info, sizeof(info));
}

#define RUSAGE_CHILDREN (-1)
#define RUSAGE_SELF     0
#define RUSAGE_THREAD   1

/* struct rusage of <linux/resource.h> on x86_64. */
struct linux_rusage {
    struct linux_timeval utime, stime;
    int64_t maxrss, ixrss, idrss, isrss, minflt, majflt, nswap, inblock,
        oublock, msgsnd, msgrcv, nsignals, nvcsw, nivcsw;
};

POGO_STATIC_ASSERT(sizeof(struct linux_rusage) == 144, "Linux rusage");

static struct linux_timeval ns_to_timeval(uint64_t ns)
{
    return (struct linux_timeval){ns / POGO_NSEC_PER_SEC,
                                  ns % POGO_NSEC_PER_SEC / 1000};
}

/*
 * Pogo does not split CPU time between the application and the kernel
 * working for it, so all of it is user time.
 * NOTE: ru_maxrss is the resident size now, not its peak, and the fault
 * and context switch counts are 0, because nothing counts them.
 */
long sys_getrusage(int who, long user_usage)
{
    struct linux_rusage usage;

    if (who != RUSAGE_SELF && who != RUSAGE_CHILDREN && who != RUSAGE_THREAD)
        return -EINVAL;
    pogo_memset(&usage, 0, sizeof(usage));
    if (who == RUSAGE_SELF) {
        usage.utime = ns_to_timeval(pogo_time_process_cpu_ns());
        usage.maxrss = pogo_vm_resident_pages() * POGO_PAGE_SIZE / 1024;
    } else if (who == RUSAGE_THREAD) {
        usage.utime = ns_to_timeval(pogo_time_thread_cpu_ns());
        usage.maxrss = pogo_vm_resident_pages() * POGO_PAGE_SIZE / 1024;
    }
    return pogo_copy_to_user((void *)user_usage, &usage, sizeof(usage));
}
