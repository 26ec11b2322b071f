/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * futex: wait and wake on 32-bit words of application memory. Pogo has one
 * address space, so private and shared futexes are the same: waiters are
 * kept in buckets hashed by address. Priority-inheritance operations are
 * not implemented.
 */
#include <pogo/errno.h>
#include <pogo/log.h>
#include <pogo/sched.h>
#include <pogo/time.h>
#include <pogo/uaccess.h>

#include "abi.h"
#include "posix.h"
#include "syscalls.h"

#define FUTEX_WAIT            0
#define FUTEX_WAKE            1
#define FUTEX_FD              2
#define FUTEX_REQUEUE         3
#define FUTEX_CMP_REQUEUE     4
#define FUTEX_WAKE_OP         5
#define FUTEX_LOCK_PI         6
#define FUTEX_UNLOCK_PI       7
#define FUTEX_TRYLOCK_PI      8
#define FUTEX_WAIT_BITSET     9
#define FUTEX_WAKE_BITSET     10
#define FUTEX_WAIT_REQUEUE_PI 11
#define FUTEX_CMP_REQUEUE_PI  12
#define FUTEX_LOCK_PI2        13
#define FUTEX_PRIVATE_FLAG    128
#define FUTEX_CLOCK_REALTIME  256
#define FUTEX_CMD_MASK        (~(FUTEX_PRIVATE_FLAG | FUTEX_CLOCK_REALTIME))
#define FUTEX_BITSET_ALL      0xffffffffu

#define FUTEX_OWNER_DIED 0x40000000
#define FUTEX_WAITERS    0x80000000
#define FUTEX_TID_MASK   0x3fffffff

#define BUCKETS 64

static struct pogo_waitqueue buckets[BUCKETS];

static struct pogo_waitqueue *bucket(uintptr_t uaddr)
{
    return &buckets[(uaddr >> 2) * 0x9e3779b97f4a7c15ULL >> 58];
}

static int read_word(uintptr_t uaddr, uint32_t *v)
{
    return pogo_copy_from_user(v, (const void *)uaddr, sizeof(*v));
}

int posix_futex_wake(uintptr_t uaddr, int n)
{
    return pogo_wake(bucket(uaddr), uaddr, FUTEX_BITSET_ALL, n);
}

void posix_futex_owner_died(uintptr_t uaddr, int tid)
{
    uint32_t word, dead;

    if ((uaddr & 3) || read_word(uaddr, &word) ||
        (word & FUTEX_TID_MASK) != (uint32_t)tid)
        return;
    dead = (word & FUTEX_WAITERS) | FUTEX_OWNER_DIED;
    if (pogo_copy_to_user((void *)uaddr, &dead, sizeof(dead)) == 0 &&
        (word & FUTEX_WAITERS))
        posix_futex_wake(uaddr, 1);
}

/* Computes the monotonic deadline of a wait: relative for FUTEX_WAIT,
 * absolute on the chosen clock for FUTEX_WAIT_BITSET. */
static int wait_deadline(long timeout, int cmd, bool realtime, uint64_t *out)
{
    struct linux_timespec ts;
    int err;

    *out = 0;
    if (!timeout)
        return 0;
    err = posix_read_timespec(timeout, &ts);
    if (err)
        return err;
    if (cmd == FUTEX_WAIT) {
        *out = pogo_time_monotonic_ns() + posix_timespec_ns(&ts);
        if (*out == 0)
            *out = 1;
        return 0;
    }
    *out =
        posix_deadline(realtime ? LINUX_CLOCK_REALTIME : LINUX_CLOCK_MONOTONIC,
                       posix_timespec_ns(&ts));
    return 0;
}

static long futex_wait(uintptr_t uaddr, uint32_t val, long timeout, int cmd,
                       bool realtime, uint32_t bitset)
{
    uint64_t deadline;
    uint32_t word;
    int err;

    if (bitset == 0)
        return -EINVAL;
    err = wait_deadline(timeout, cmd, realtime, &deadline);
    if (err)
        return err;
    if (read_word(uaddr, &word))
        return -EFAULT;
    if (word != val)
        return -EAGAIN;
    /* A deadline that has passed: Linux still checks the word first. */
    if (deadline && deadline <= pogo_time_monotonic_ns())
        return -ETIMEDOUT;
    return pogo_wait(bucket(uaddr), uaddr, bitset, deadline);
}

static long futex_requeue(uintptr_t uaddr, int nwake, int nmove,
                          uintptr_t uaddr2, bool compare, uint32_t val3)
{
    uint32_t word;
    int woken, moved;

    if (nwake < 0 || nmove < 0)
        return -EINVAL;
    if ((uaddr2 & 3))
        return -EINVAL;
    if (compare) {
        if (read_word(uaddr, &word))
            return -EFAULT;
        if (word != val3)
            return -EAGAIN;
    }
    woken = pogo_wake(bucket(uaddr), uaddr, FUTEX_BITSET_ALL, nwake);
    moved =
        pogo_wait_requeue(bucket(uaddr), uaddr, bucket(uaddr2), uaddr2, nmove);
    return woken + moved;
}

static int sign_extend12(uint32_t v)
{
    return (int)(v << 20) >> 20;
}

/* Applies the operation of FUTEX_WAKE_OP and evaluates its comparison. */
static long futex_wake_op(uintptr_t uaddr, int nwake, int nwake2,
                          uintptr_t uaddr2, uint32_t encoded)
{
    unsigned op = (encoded >> 28) & 7;
    unsigned cmp = (encoded >> 24) & 15;
    int oparg = sign_extend12(encoded >> 12);
    int cmparg = sign_extend12(encoded);
    uint32_t old, new;
    bool hit;
    int woken;

    if ((encoded >> 28) & 8)
        oparg = oparg < 0 || oparg > 31 ? 0 : (int)(1u << oparg);
    if ((uaddr2 & 3) || read_word(uaddr2, &old))
        return (uaddr2 & 3) ? -EINVAL : -EFAULT;
    switch (op) {
    case 0:
        new = oparg;
        break;
    case 1:
        new = old + oparg;
        break;
    case 2:
        new = old | oparg;
        break;
    case 3:
        new = old & ~oparg;
        break;
    case 4:
        new = old ^ oparg;
        break;
    default:
        return -ENOSYS;
    }
    switch (cmp) {
    case 0:
        hit = (int)old == cmparg;
        break;
    case 1:
        hit = (int)old != cmparg;
        break;
    case 2:
        hit = (int)old < cmparg;
        break;
    case 3:
        hit = (int)old <= cmparg;
        break;
    case 4:
        hit = (int)old > cmparg;
        break;
    case 5:
        hit = (int)old >= cmparg;
        break;
    default:
        return -ENOSYS;
    }
    if (pogo_copy_to_user((void *)uaddr2, &new, sizeof(new)))
        return -EFAULT;
    woken = pogo_wake(bucket(uaddr), uaddr, FUTEX_BITSET_ALL, nwake);
    if (hit)
        woken += pogo_wake(bucket(uaddr2), uaddr2, FUTEX_BITSET_ALL, nwake2);
    return woken;
}

static long not_supported(int cmd)
{
    static bool warned;

    if (!warned) {
        warned = true;
        pogo_warn("posix: futex operation %d (priority inheritance) is not "
                  "implemented; returning ENOSYS\n",
                  cmd);
    }
    return -ENOSYS;
}

/* Linux wakes at least one waiter whatever the count, 0 included. */
static int wake_count(unsigned int val)
{
    return (int)val > 0 ? (int)val : 1;
}

long sys_futex(long uaddr, int op, unsigned int val, long timeout, long uaddr2,
               unsigned int val3)
{
    int cmd = op & FUTEX_CMD_MASK;
    bool realtime = op & FUTEX_CLOCK_REALTIME;

    if (uaddr & 3)
        return -EINVAL;
    if (!uaddr)
        return -EFAULT;
    if (realtime && cmd != FUTEX_WAIT && cmd != FUTEX_WAIT_BITSET &&
        cmd != FUTEX_WAIT_REQUEUE_PI && cmd != FUTEX_LOCK_PI2)
        return -ENOSYS;

    switch (cmd) {
    case FUTEX_WAIT:
        return futex_wait(uaddr, val, timeout, cmd, realtime, FUTEX_BITSET_ALL);
    case FUTEX_WAIT_BITSET:
        return futex_wait(uaddr, val, timeout, cmd, realtime, val3);
    case FUTEX_WAKE:
        return pogo_wake(bucket(uaddr), uaddr, FUTEX_BITSET_ALL,
                         wake_count(val));
    case FUTEX_WAKE_BITSET:
        if (val3 == 0)
            return -EINVAL;
        return pogo_wake(bucket(uaddr), uaddr, val3, wake_count(val));
    case FUTEX_REQUEUE:
        return futex_requeue(uaddr, val, timeout, uaddr2, false, 0);
    case FUTEX_CMP_REQUEUE:
        return futex_requeue(uaddr, val, timeout, uaddr2, true, val3);
    case FUTEX_WAKE_OP:
        return futex_wake_op(uaddr, val, timeout, uaddr2, val3);
    case FUTEX_LOCK_PI:
    case FUTEX_UNLOCK_PI:
    case FUTEX_TRYLOCK_PI:
    case FUTEX_WAIT_REQUEUE_PI:
    case FUTEX_CMP_REQUEUE_PI:
    case FUTEX_LOCK_PI2:
        return not_supported(cmd);
    case FUTEX_FD:
    default:
        return -ENOSYS;
    }
}
