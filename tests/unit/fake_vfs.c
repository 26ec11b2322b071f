/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Host stand-ins for what lib/vfs and lib/ramfs use beyond fake_mm.c:
 * the rest of the kernel heap, application memory (here the test's own
 * memory), the clock and the memory manager's file-mapping hook.
 */
#include <stdlib.h>
#include <string.h>

#include <pogo/alloc.h>
#include <pogo/errno.h>
#include <pogo/mm.h>
#include <pogo/time.h>
#include <pogo/uaccess.h>

#include "fake_vfs.h"

int fake_zap_calls;

void *pogo_calloc(size_t n, size_t size)
{
    return fake_malloc_fails ? NULL : calloc(n, size);
}

void *pogo_realloc(void *p, size_t size)
{
    return fake_malloc_fails ? NULL : realloc(p, size);
}

int pogo_copy_from_user(void *dst, const void *user_src, size_t n)
{
    memcpy(dst, user_src, n);
    return 0;
}

int pogo_copy_to_user(void *user_dst, const void *src, size_t n)
{
    memcpy(user_dst, src, n);
    return 0;
}

int pogo_clear_user(void *user_dst, size_t n)
{
    memset(user_dst, 0, n);
    return 0;
}

/* A clock that moves by one microsecond per reading. */
int64_t pogo_time_realtime_ns(void)
{
    static int64_t now = 1700000000LL * POGO_NSEC_PER_SEC;

    now += 1000;
    return now;
}

void pogo_vm_file_zap(const void *object, uint64_t start, uint64_t end)
{
    fake_zap_calls++;
}
