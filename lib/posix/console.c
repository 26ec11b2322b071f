/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Standard input, output and error on the console, for images built
 * without the VFS (CONFIG_VFS): fd 1 is the serial console, fd 2 the
 * error channel, fd 0 reads end of file, and any other fd is EBADF.
 */
#include <pogo/errno.h>
#include <pogo/plat.h>
#include <pogo/uaccess.h>

#include "abi.h"
#include "syscalls.h"

#define CHUNK 512

static bool is_console(unsigned int fd)
{
    return fd <= 2;
}

/*
 * Copies the application's buffer in chunks and writes it to the console,
 * or for fd 2 to the error channel.
 */
static long console_write(long fd, uintptr_t buf, size_t count)
{
    char chunk[CHUNK];
    size_t done = 0;

    while (done < count) {
        size_t n = count - done < CHUNK ? count - done : CHUNK;
        if (pogo_copy_from_user(chunk, (const void *)(buf + done), n))
            return done ? (long)done : -EFAULT;
        if (fd == 2)
            pogo_plat_error_write(chunk, n);
        else
            pogo_plat_console_write(chunk, n);
        done += n;
    }
    return done;
}

long sys_read(unsigned int fd, long buf, size_t count)
{
    if (!is_console(fd))
        return -EBADF;
    return 0;
}

long sys_write(unsigned int fd, long buf, size_t count)
{
    if (!is_console(fd))
        return -EBADF;
    /* As Linux, a count past MAX_RW_COUNT is cut to it. */
    return console_write(fd, buf, POGO_MIN(count, (size_t)0x7ffff000));
}

long sys_writev(unsigned long fd, long iov, unsigned long iovcnt)
{
    struct linux_iovec v;
    long total = 0;

    if (!is_console(fd))
        return -EBADF;
    if (iovcnt > LINUX_IOV_MAX)
        return -EINVAL;
    for (unsigned long i = 0; i < iovcnt; i++) {
        long n;
        if (pogo_copy_from_user(&v, (const void *)(iov + i * sizeof(v)),
                                sizeof(v)))
            return total ? total : -EFAULT;
        if ((long)v.len < 0)
            return -EINVAL;
        n = console_write(fd, v.base, v.len);
        if (n < 0)
            return total ? total : n;
        total += n;
    }
    return total;
}

long sys_ioctl(unsigned int fd, unsigned int request, unsigned long arg)
{
    struct linux_winsize ws = {0, 0, 0, 0};

    if (!is_console(fd))
        return -EBADF;
    if (request == LINUX_TIOCGWINSZ)
        return pogo_copy_to_user((void *)arg, &ws, sizeof(ws));
    return -ENOTTY;
}
