/* SPDX-License-Identifier: BSD-3-Clause */
/* Process identity and exit: one process with pid 1, root's ids. */
#include <pogo/arch.h>
#include <pogo/errno.h>
#include <pogo/string.h>
#include <pogo/uaccess.h>

#include "abi.h"
#include "syscalls.h"

#define POGO_PID 1

static char hostname[65] = "pogo";

long sys_getpid(void)
{
    return POGO_PID;
}

long sys_getppid(void)
{
    return 0;
}

long sys_getuid(void)
{
    return 0;
}

long sys_geteuid(void)
{
    return 0;
}

long sys_getgid(void)
{
    return 0;
}

long sys_getegid(void)
{
    return 0;
}

long sys_uname(long buf)
{
    struct linux_utsname u;

    pogo_memset(&u, 0, sizeof(u));
    pogo_strlcpy(u.sysname, "Linux", sizeof(u.sysname));
    pogo_strlcpy(u.nodename, hostname, sizeof(u.nodename));
    pogo_strlcpy(u.release, "6.1.0-pogo", sizeof(u.release));
    pogo_strlcpy(u.version, "#1 Pogo unikernel", sizeof(u.version));
    pogo_strlcpy(u.machine, "x86_64", sizeof(u.machine));
    pogo_strlcpy(u.domainname, "(none)", sizeof(u.domainname));
    return pogo_copy_to_user((void *)buf, &u, sizeof(u));
}

long sys_arch_prctl(int code, long addr)
{
    uint64_t base;

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
