/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Signals of one process: dispositions, per-thread masks and pending
 * sets, delivery on the way back to the application (after a syscall or
 * an interrupt) with the frame layout of Linux x86_64, rt_sigreturn,
 * sigaltstack, kill/tkill/tgkill, sigsuspend and sigtimedwait. A signal
 * whose default action ends the process ends the image with status
 * 128 + the signal number.
 */
#include <pogo/arch/cpu.h>
#include <pogo/boot.h>
#include <pogo/crash.h>
#include <pogo/errno.h>
#include <pogo/log.h>
#include <pogo/sched.h>
#include <pogo/string.h>
#include <pogo/syscall.h>
#include <pogo/syscall_nr.h>
#include <pogo/time.h>
#include <pogo/uaccess.h>

#include "abi.h"
#include "posix.h"
#include "syscalls.h"

#define SIG_DFL 0
#define SIG_IGN 1

#define SA_NOCLDSTOP 0x00000001
#define SA_SIGINFO   0x00000004
#define SA_ONSTACK   0x08000000
#define SA_RESTART   0x10000000
#define SA_NODEFER   0x40000000
#define SA_RESETHAND 0x80000000
#define SA_RESTORER  0x04000000

#define SS_ONSTACK    1
#define SS_DISABLE    2
#define SS_AUTODISARM (1u << 31)
#define MINSIGSTKSZ   2048

#define SI_USER     0
#define SI_TKILL    (-6)
#define SEGV_MAPERR 1

#define SIGHUP   1
#define SIGINT   2
#define SIGQUIT  3
#define SIGILL   4
#define SIGTRAP  5
#define SIGABRT  6
#define SIGBUS   7
#define SIGFPE   8
#define SIGKILL  9
#define SIGSEGV  11
#define SIGCHLD  17
#define SIGCONT  18
#define SIGSTOP  19
#define SIGTSTP  20
#define SIGTTIN  21
#define SIGTTOU  22
#define SIGURG   23
#define SIGXCPU  24
#define SIGXFSZ  25
#define SIGWINCH 28
#define SIGSYS   31

#define BIT(sig)    (1ULL << ((sig)-1))
#define UNBLOCKABLE (BIT(SIGKILL) | BIT(SIGSTOP))
#define IGNORED_BY_DEFAULT                                       \
    (BIT(SIGCHLD) | BIT(SIGCONT) | BIT(SIGURG) | BIT(SIGWINCH) | \
     BIT(SIGSTOP) | BIT(SIGTSTP) | BIT(SIGTTIN) | BIT(SIGTTOU))
#define CORE_BY_DEFAULT                                                       \
    (BIT(SIGQUIT) | BIT(SIGILL) | BIT(SIGTRAP) | BIT(SIGABRT) | BIT(SIGBUS) | \
     BIT(SIGFPE) | BIT(SIGSEGV) | BIT(SIGXCPU) | BIT(SIGXFSZ) | BIT(SIGSYS))

struct k_stack {
    uint64_t sp;
    int32_t flags;
    int32_t pad;
    uint64_t size;
};

struct k_sigcontext {
    uint64_t r8, r9, r10, r11, r12, r13, r14, r15;
    uint64_t rdi, rsi, rbp, rbx, rdx, rax, rcx, rsp, rip, eflags;
    uint16_t cs, gs, fs, ss;
    uint64_t err, trapno, oldmask, cr2;
    uint64_t fpstate;
    uint64_t reserved[8];
};

struct k_ucontext {
    uint64_t flags;
    uint64_t link;
    struct k_stack stack;
    struct k_sigcontext mcontext;
    uint64_t sigmask;
};

struct k_siginfo {
    int32_t signo, err, code, pad;
    union {
        struct {
            int32_t pid;
            uint32_t uid;
        } kill;
        uint64_t addr;
        uint8_t bytes[112];
    } u;
};

struct rt_sigframe {
    uint64_t restorer; /* the handler's return address */
    struct k_ucontext uc;
    struct k_siginfo info;
};

POGO_STATIC_ASSERT(sizeof(struct k_sigcontext) == 256, "Linux sigcontext");
POGO_STATIC_ASSERT(sizeof(struct k_siginfo) == 128, "Linux siginfo");

static struct linux_sigaction actions[LINUX_NSIG];
static uint64_t process_pending;
static struct pogo_waitqueue signal_waiters; /* sigsuspend, sigtimedwait */

static bool valid_signal(long sig)
{
    return sig >= 1 && sig <= LINUX_NSIG;
}

static uint64_t pending_for(struct pogo_thread *t)
{
    return (t->sigpending | process_pending) & ~t->sigmask;
}

bool posix_signal_pending(void)
{
    return pending_for(pogo_thread_current()) != 0;
}

bool pogo_signal_pending(void)
{
    return posix_signal_pending();
}

static const char *signal_name(int sig)
{
    static const char *const names[] = {
        "SIGHUP",  "SIGINT",    "SIGQUIT", "SIGILL",    "SIGTRAP", "SIGABRT",
        "SIGBUS",  "SIGFPE",    "SIGKILL", "SIGUSR1",   "SIGSEGV", "SIGUSR2",
        "SIGPIPE", "SIGALRM",   "SIGTERM", "SIGSTKFLT", "SIGCHLD", "SIGCONT",
        "SIGSTOP", "SIGTSTP",   "SIGTTIN", "SIGTTOU",   "SIGURG",  "SIGXCPU",
        "SIGXFSZ", "SIGVTALRM", "SIGPROF", "SIGWINCH",  "SIGIO",   "SIGPWR",
        "SIGSYS"};

    if (sig >= 1 && sig <= (int)POGO_ARRAY_SIZE(names))
        return names[sig - 1];
    return "a real-time signal";
}

/* Ends the image as the signal's default action would end the process. */
static POGO_NORETURN void die_by_signal(int sig, struct pogo_regs *regs)
{
    char what[64];

    if (BIT(sig) & CORE_BY_DEFAULT) {
        pogo_snprintf(what, sizeof(what), "the application got %s (signal %d)",
                      signal_name(sig), sig);
        pogo_crash(
            &(struct pogo_crash){.what = what, .regs = regs, .signal = sig});
    }
    pogo_log(POGO_LOG_ERROR,
             "pogo: the application was killed by %s "
             "(signal %d)\n",
             signal_name(sig), sig);
    pogo_boot_exit(POGO_EXIT_SIGNAL + sig);
}

/* Wakes a thread that waits in a syscall, so that it can take a signal. */
static void kick(struct pogo_thread *t)
{
    if (t != pogo_thread_current())
        pogo_wait_interrupt(t);
}

static void kick_one(struct pogo_thread *t, void *arg)
{
    int sig = *(int *)arg;

    if (!(t->sigmask & BIT(sig)))
        kick(t);
}

void posix_signal_send(struct pogo_thread *t, int sig)
{
    uintptr_t handler = actions[sig - 1].handler;

    if (sig == SIGKILL)
        die_by_signal(sig, NULL);
    /* An ignored signal is dropped when sent, unless someone waits for it
     * with sigtimedwait. */
    if ((handler == SIG_IGN ||
         (handler == SIG_DFL && (BIT(sig) & IGNORED_BY_DEFAULT))) &&
        !signal_waiters.head)
        return;
    if (t) {
        t->sigpending |= BIT(sig);
        kick(t);
    } else {
        process_pending |= BIT(sig);
        pogo_thread_for_each(kick_one, &sig);
    }
    pogo_wake(&signal_waiters, 0, ~0u, 1 << 30);
}

/* Takes the lowest pending unblocked signal off t's sets; 0 if none. */
static int dequeue(struct pogo_thread *t, uint64_t allowed)
{
    uint64_t mine = t->sigpending & allowed;
    uint64_t any = (t->sigpending | process_pending) & allowed;
    int sig;

    if (!any)
        return 0;
    sig = __builtin_ctzll(mine ? mine : any) + 1;
    if (mine)
        t->sigpending &= ~BIT(sig);
    else
        process_pending &= ~BIT(sig);
    return sig;
}

static bool restartable(unsigned long nr)
{
    switch (nr) {
    case POGO_NR_read:
    case POGO_NR_write:
    case POGO_NR_readv:
    case POGO_NR_writev:
    case POGO_NR_pread64:
    case POGO_NR_pwrite64:
    case POGO_NR_futex:
    case POGO_NR_wait4:
    case POGO_NR_accept:
    case POGO_NR_accept4:
    case POGO_NR_recvfrom:
    case POGO_NR_recvmsg:
    case POGO_NR_sendto:
    case POGO_NR_sendmsg:
    case POGO_NR_connect:
    case POGO_NR_flock:
    case POGO_NR_fcntl:
        return true;
    default:
        return false;
    }
}

/* The top of the stack the handler runs on, below the red zone. */
static uintptr_t handler_stack(struct pogo_thread *t,
                               const struct linux_sigaction *a, uintptr_t sp)
{
    bool on_alt = t->altstack_size && sp > t->altstack_sp &&
                  sp <= t->altstack_sp + t->altstack_size;

    if ((a->flags & SA_ONSTACK) && t->altstack_size && !on_alt)
        return t->altstack_sp + t->altstack_size;
    return sp - 128;
}

static void fill_context(struct k_ucontext *uc, const struct pogo_regs *r,
                         struct pogo_thread *t, uintptr_t fpstate)
{
    struct k_sigcontext *m = &uc->mcontext;

    pogo_memset(uc, 0, sizeof(*uc));
    m->r8 = r->r8;
    m->r9 = r->r9;
    m->r10 = r->r10;
    m->r11 = r->r11;
    m->r12 = r->r12;
    m->r13 = r->r13;
    m->r14 = r->r14;
    m->r15 = r->r15;
    m->rdi = r->rdi;
    m->rsi = r->rsi;
    m->rbp = r->rbp;
    m->rbx = r->rbx;
    m->rdx = r->rdx;
    m->rax = r->rax;
    m->rcx = r->rcx;
    m->rsp = r->rsp;
    m->rip = r->rip;
    m->eflags = r->rflags;
    m->cs = r->cs;
    m->ss = r->ss;
    m->oldmask = t->sigmask;
    m->fpstate = fpstate;
    uc->sigmask = t->in_sigsuspend ? t->saved_sigmask : t->sigmask;
    t->in_sigsuspend = false;
    uc->stack.sp = t->altstack_sp;
    uc->stack.size = t->altstack_size;
    uc->stack.flags = t->altstack_size ? 0 : SS_DISABLE;
}

/* Copies the FPU state of the current thread to the application's stack. */
static int save_fpu(struct pogo_thread *t, uintptr_t area)
{
    size_t size = pogo_arch_fpu_size();

    /* The live registers are the thread's: save them to its area first,
     * then copy the area, so that a bad stack cannot fault mid-XSAVE. */
    pogo_arch_fpu_save(t->fpu);
    return pogo_copy_to_user((void *)area, t->fpu, size);
}

/*
 * Builds the frame for a handler of sig and points regs at the handler.
 * Returns false when the frame does not fit on the stack.
 */
static bool setup_frame(struct pogo_regs *regs, int sig,
                        const struct k_siginfo *info)
{
    struct pogo_thread *t = pogo_thread_current();
    struct linux_sigaction *a = &actions[sig - 1];
    struct rt_sigframe frame;
    uintptr_t sp = handler_stack(t, a, regs->rsp);
    uintptr_t fpstate, frame_addr;

    fpstate = POGO_ALIGN_DOWN(sp - pogo_arch_fpu_size(), 64);
    frame_addr = POGO_ALIGN_DOWN(fpstate - sizeof(frame), 16) - 8;

    pogo_memset(&frame, 0, sizeof(frame));
    frame.restorer = a->restorer;
    fill_context(&frame.uc, regs, t, fpstate);
    frame.info = *info;
    if (save_fpu(t, fpstate) ||
        pogo_copy_to_user((void *)frame_addr, &frame, sizeof(frame)))
        return false;

    regs->rip = a->handler;
    regs->rsp = frame_addr;
    regs->rdi = sig;
    regs->rsi = frame_addr + offsetof(struct rt_sigframe, info);
    regs->rdx = frame_addr + offsetof(struct rt_sigframe, uc);
    regs->rax = 0;
    regs->rflags &= ~(uint64_t)(X86_RFLAGS_DF | X86_RFLAGS_TF);

    t->sigmask |= a->mask | ((a->flags & SA_NODEFER) ? 0 : BIT(sig));
    t->sigmask &= ~UNBLOCKABLE;
    if (a->flags & SA_RESETHAND)
        a->handler = SIG_DFL;
    return true;
}

/* Handles one signal: default action, ignore, or a handler frame.
 * Returns true when regs changed. */
static bool handle(struct pogo_regs *regs, int sig,
                   const struct k_siginfo *info)
{
    uintptr_t handler = actions[sig - 1].handler;

    if (handler == SIG_IGN)
        return false;
    if (handler == SIG_DFL) {
        if (BIT(sig) & IGNORED_BY_DEFAULT)
            return false;
        die_by_signal(sig, regs);
    }
    if (!setup_frame(regs, sig, info)) {
        pogo_error("signal: no room on the stack for the handler of %s; "
                   "ending the application\n",
                   signal_name(sig));
        die_by_signal(SIGSEGV, regs);
    }
    return true;
}

/* Tells whether regs were interrupted in application code: kernel code
 * runs only on the thread's kernel stack. */
static bool in_application(const struct pogo_regs *regs)
{
    struct pogo_thread *t = pogo_thread_current();

    return t->is_app &&
           !(regs->rsp >= t->kstack && regs->rsp <= t->kstack + t->kstack_size);
}

void pogo_signal_return_hook(struct pogo_regs *regs)
{
    if (in_application(regs) && posix_signal_pending())
        posix_signal_deliver(regs, 0);
}

bool posix_signal_deliver(struct pogo_regs *regs, long result)
{
    struct pogo_thread *t = pogo_thread_current();
    struct k_siginfo info;
    bool changed = false;
    int sig;

    while ((sig = dequeue(t, ~t->sigmask)) != 0) {
        const struct linux_sigaction *a = &actions[sig - 1];

        pogo_memset(&info, 0, sizeof(info));
        info.signo = sig;
        info.code = SI_TKILL;
        info.u.kill.pid = 1;
        /* A blocking syscall cut short by the signal starts again after
         * the handler when the handler asked for SA_RESTART. */
        if (!changed && regs->error == (uint64_t)-1 && result == -EINTR &&
            (a->flags & SA_RESTART) && a->handler > SIG_IGN &&
            restartable(regs->vector)) {
            regs->rax = regs->vector;
            regs->rip -= 2;
        }
        changed |= handle(regs, sig, &info);
        if (changed)
            break; /* one frame at a time: the next after sigreturn */
    }
    if (t->in_sigsuspend) {
        /* No handler ran: the temporary mask of sigsuspend ends here. */
        t->sigmask = t->saved_sigmask;
        t->in_sigsuspend = false;
    }
    return changed;
}

bool pogo_fault_signal(struct pogo_regs *regs, int sig, uint64_t addr)
{
    struct pogo_thread *t = pogo_thread_current();
    uintptr_t handler = actions[sig - 1].handler;
    struct k_siginfo info;

    if (!in_application(regs) || handler <= SIG_IGN || (t->sigmask & BIT(sig)))
        return false;
    pogo_memset(&info, 0, sizeof(info));
    info.signo = sig;
    info.code = SEGV_MAPERR;
    info.u.addr = addr;
    return setup_frame(regs, sig, &info);
}

long sys_rt_sigreturn(void)
{
    struct pogo_regs *regs = pogo_syscall_regs();
    struct pogo_thread *t = pogo_thread_current();
    struct k_ucontext uc;
    const struct k_sigcontext *m = &uc.mcontext;

    if (pogo_copy_from_user(&uc, (void *)regs->rsp, sizeof(uc)))
        die_by_signal(SIGSEGV, regs);
    if (m->fpstate && pogo_copy_from_user(t->fpu, (void *)m->fpstate,
                                          pogo_arch_fpu_size()) == 0)
        pogo_arch_fpu_restore(t->fpu);

    regs->r8 = m->r8;
    regs->r9 = m->r9;
    regs->r10 = m->r10;
    regs->r11 = m->r11;
    regs->r12 = m->r12;
    regs->r13 = m->r13;
    regs->r14 = m->r14;
    regs->r15 = m->r15;
    regs->rdi = m->rdi;
    regs->rsi = m->rsi;
    regs->rbp = m->rbp;
    regs->rbx = m->rbx;
    regs->rdx = m->rdx;
    regs->rcx = m->rcx;
    regs->rsp = m->rsp;
    regs->rip = m->rip;
    /* The application may change the arithmetic flags, not IF or IOPL. */
    regs->rflags = (m->eflags & 0x0dd5) | X86_RFLAGS_IF | 2;
    t->sigmask = uc.sigmask & ~UNBLOCKABLE;
    pogo_syscall_set_full_return();
    return m->rax;
}

long sys_rt_sigaction(int sig, long act, long oldact, long sigsetsize)
{
    struct linux_sigaction new;

    if (sigsetsize != sizeof(uint64_t) || !valid_signal(sig))
        return -EINVAL;
    if (act && (sig == SIGKILL || sig == SIGSTOP))
        return -EINVAL;
    if (act && pogo_copy_from_user(&new, (void *)act, sizeof(new)))
        return -EFAULT;
    if (oldact &&
        pogo_copy_to_user((void *)oldact, &actions[sig - 1], sizeof(new)))
        return -EFAULT;
    if (!act)
        return 0;
    new.mask &= ~UNBLOCKABLE;
    actions[sig - 1] = new;
    /* Setting a signal to be ignored discards it where it is pending. */
    if (new.handler == SIG_IGN ||
        (new.handler == SIG_DFL && (BIT(sig) & IGNORED_BY_DEFAULT))) {
        process_pending &= ~BIT(sig);
        pogo_thread_current()->sigpending &= ~BIT(sig);
    }
    return 0;
}

static int change_mask(long how, uint64_t set, uint64_t *mask)
{
    switch (how) {
    case LINUX_SIG_BLOCK:
        *mask |= set;
        break;
    case LINUX_SIG_UNBLOCK:
        *mask &= ~set;
        break;
    case LINUX_SIG_SETMASK:
        *mask = set;
        break;
    default:
        return -EINVAL;
    }
    *mask &= ~UNBLOCKABLE;
    return 0;
}

long sys_rt_sigprocmask(int how, long set, long oldset, long sigsetsize)
{
    struct pogo_thread *t = pogo_thread_current();
    uint64_t new, old = t->sigmask;

    if (sigsetsize != sizeof(uint64_t))
        return -EINVAL;
    if (set && pogo_copy_from_user(&new, (void *)set, sizeof(new)))
        return -EFAULT;
    if (set) {
        uint64_t mask = t->sigmask;
        int err = change_mask(how, new, &mask);
        if (err)
            return err;
        t->sigmask = mask;
    }
    if (oldset && pogo_copy_to_user((void *)oldset, &old, sizeof(old)))
        return -EFAULT;
    return 0;
}

long sys_rt_sigpending(long set, long sigsetsize)
{
    struct pogo_thread *t = pogo_thread_current();
    uint64_t pending = (t->sigpending | process_pending) & t->sigmask;

    if (sigsetsize != sizeof(uint64_t))
        return -EINVAL;
    return pogo_copy_to_user((void *)set, &pending, sizeof(pending));
}

long sys_rt_sigsuspend(long set, long sigsetsize)
{
    struct pogo_thread *t = pogo_thread_current();
    uint64_t mask;

    if (sigsetsize != sizeof(uint64_t))
        return -EINVAL;
    if (pogo_copy_from_user(&mask, (void *)set, sizeof(mask)))
        return -EFAULT;
    /* The handler runs with the temporary mask; its frame records the old
     * one, which rt_sigreturn restores. */
    t->saved_sigmask = t->sigmask;
    t->in_sigsuspend = true;
    t->sigmask = mask & ~UNBLOCKABLE;
    while (!pending_for(t))
        pogo_wait(&signal_waiters, 0, ~0u, 0);
    return -EINTR;
}

long sys_rt_sigtimedwait(long set, long info_ptr, long timeout, long sigsetsize)
{
    struct pogo_thread *t = pogo_thread_current();
    struct linux_timespec ts;
    struct k_siginfo info;
    uint64_t want, deadline = 0;
    int sig;

    if (sigsetsize != sizeof(uint64_t))
        return -EINVAL;
    if (pogo_copy_from_user(&want, (void *)set, sizeof(want)))
        return -EFAULT;
    if (timeout) {
        int err = posix_read_timespec(timeout, &ts);
        if (err)
            return err;
        deadline = pogo_time_monotonic_ns() + posix_timespec_ns(&ts);
    }
    want &= ~UNBLOCKABLE;
    while ((sig = dequeue(t, want)) == 0) {
        if (pending_for(t))
            return -EINTR;
        if (timeout && pogo_time_monotonic_ns() >= deadline)
            return -EAGAIN;
        if (pogo_wait(&signal_waiters, 0, ~0u, deadline) == -ETIMEDOUT)
            return -EAGAIN;
    }
    if (info_ptr) {
        pogo_memset(&info, 0, sizeof(info));
        info.signo = sig;
        info.code = SI_TKILL;
        info.u.kill.pid = 1;
        if (pogo_copy_to_user((void *)info_ptr, &info, sizeof(info)))
            return -EFAULT;
    }
    return sig;
}

long sys_sigaltstack(long ss, long old)
{
    struct pogo_thread *t = pogo_thread_current();
    struct k_stack cur = {t->altstack_sp, t->altstack_size ? 0 : SS_DISABLE, 0,
                          t->altstack_size};
    struct k_stack new;
    uintptr_t sp = pogo_syscall_regs()->rsp;
    bool on = t->altstack_size && sp > t->altstack_sp &&
              sp <= t->altstack_sp + t->altstack_size;

    if (on)
        cur.flags = SS_ONSTACK;
    if (ss) {
        if (pogo_copy_from_user(&new, (void *)ss, sizeof(new)))
            return -EFAULT;
        if (on)
            return -EPERM;
        if ((uint32_t) new.flags & ~(SS_DISABLE | SS_AUTODISARM))
            return -EINVAL;
        if (new.flags & SS_DISABLE) {
            t->altstack_sp = 0;
            t->altstack_size = 0;
        } else {
            if (new.size < MINSIGSTKSZ)
                return -ENOMEM;
            t->altstack_sp = new.sp;
            t->altstack_size = new.size;
        }
    }
    if (old && pogo_copy_to_user((void *)old, &cur, sizeof(cur)))
        return -EFAULT;
    return 0;
}

/*
 * Pogo's process is pid 1 and alone, as in a new Linux pid namespace.
 * There, pid -1 means every process except the caller and pid 1, so it
 * finds none. A pid below -1 names a process group that does not exist.
 */
long sys_kill(int pid, int sig)
{
    if (sig < 0 || sig > LINUX_NSIG)
        return -EINVAL;
    if (pid < 0)
        return -ESRCH;
    if (pid != 0 && !pogo_thread_find(pid))
        return -ESRCH;
    if (sig)
        posix_signal_send(NULL, sig);
    return 0;
}

long sys_tgkill(int tgid, int tid, int sig)
{
    struct pogo_thread *t;

    if (tgid <= 0 || tid <= 0 || sig < 0 || sig > LINUX_NSIG)
        return -EINVAL;
    t = pogo_thread_find(tid);
    if (tgid != 1 || !t)
        return -ESRCH;
    if (sig)
        posix_signal_send(t, sig);
    return 0;
}

long sys_tkill(int tid, int sig)
{
    struct pogo_thread *t;

    if (tid <= 0 || sig < 0 || sig > LINUX_NSIG)
        return -EINVAL;
    t = pogo_thread_find(tid);
    if (!t)
        return -ESRCH;
    if (sig)
        posix_signal_send(t, sig);
    return 0;
}
