/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Signal dispositions and the signal mask. Handlers are recorded and
 * reported back as Linux does; delivery comes with the signal library.
 */
#include <pogo/errno.h>
#include <pogo/uaccess.h>

#include "abi.h"
#include "syscalls.h"

static struct linux_sigaction actions[LINUX_NSIG];
static uint64_t blocked;

/* SIGKILL and SIGSTOP can be neither caught nor blocked. */
#define UNBLOCKABLE \
    ((1ULL << (LINUX_SIGKILL - 1)) | (1ULL << (LINUX_SIGSTOP - 1)))

long sys_rt_sigaction(long sig, long act, long oldact, long sigsetsize)
{
    struct linux_sigaction new;

    if (sigsetsize != sizeof(uint64_t))
        return -EINVAL;
    if (sig < 1 || sig > LINUX_NSIG)
        return -EINVAL;
    if (act && (sig == LINUX_SIGKILL || sig == LINUX_SIGSTOP))
        return -EINVAL;
    if (act && pogo_copy_from_user(&new, (void *)act, sizeof(new)))
        return -EFAULT;
    if (oldact &&
        pogo_copy_to_user((void *)oldact, &actions[sig - 1], sizeof(new)))
        return -EFAULT;
    if (act) {
        new.mask &= ~UNBLOCKABLE;
        actions[sig - 1] = new;
    }
    return 0;
}

long sys_rt_sigprocmask(long how, long set, long oldset, long sigsetsize)
{
    uint64_t mask;

    if (sigsetsize != sizeof(uint64_t))
        return -EINVAL;
    if (set && how != LINUX_SIG_BLOCK && how != LINUX_SIG_UNBLOCK &&
        how != LINUX_SIG_SETMASK)
        return -EINVAL;
    if (set && pogo_copy_from_user(&mask, (void *)set, sizeof(mask)))
        return -EFAULT;
    if (oldset && pogo_copy_to_user((void *)oldset, &blocked, sizeof(mask)))
        return -EFAULT;
    if (!set)
        return 0;
    if (how == LINUX_SIG_BLOCK)
        blocked |= mask;
    else if (how == LINUX_SIG_UNBLOCK)
        blocked &= ~mask;
    else
        blocked = mask;
    blocked &= ~UNBLOCKABLE;
    return 0;
}
