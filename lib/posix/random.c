/* SPDX-License-Identifier: BSD-3-Clause */
/* getrandom: bytes from the kernel generator, which never blocks. */
#include <pogo/errno.h>
#include <pogo/random.h>
#include <pogo/uaccess.h>

#include "abi.h"
#include "syscalls.h"

#define CHUNK 256
/* Linux returns at most this much per call (a little under 32 MiB). */
#define MAX_PER_CALL 33554431L

long sys_getrandom(long buf, long count, unsigned int flags)
{
    uint8_t chunk[CHUNK];
    long done = 0;

    if (flags &
        ~(LINUX_GRND_NONBLOCK | LINUX_GRND_RANDOM | LINUX_GRND_INSECURE))
        return -EINVAL;
    if ((flags & LINUX_GRND_RANDOM) && (flags & LINUX_GRND_INSECURE))
        return -EINVAL;
    if (count < 0)
        return -EINVAL;
    if (count > MAX_PER_CALL)
        count = MAX_PER_CALL;
    while (done < count) {
        long n = count - done < CHUNK ? count - done : CHUNK;
        pogo_random_bytes(chunk, n);
        if (pogo_copy_to_user((void *)(buf + done), chunk, n))
            return done ? done : -EFAULT;
        done += n;
    }
    return done;
}
