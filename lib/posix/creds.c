/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * User and group ids of the one process: real, effective, saved and
 * file-system ids and the supplementary groups, changed by Linux's rules.
 * The process starts as root. Root may set any id; other ids may only
 * switch between the values they already have.
 * NOTE: the ids change nothing else. Files are not checked against them
 * and new files belong to root, so dropping root gives up no access.
 */
#include <pogo/alloc.h>
#include <pogo/errno.h>
#include <pogo/string.h>
#include <pogo/uaccess.h>

#include "posix.h"
#include "syscalls.h"

#define NO_ID       ((uint32_t)-1) /* "leave unchanged"; never a valid id */
#define NGROUPS_MAX 65536

struct ids {
    uint32_t real, effective, saved, fs;
};

static struct ids uids;
static struct ids gids;
static uint32_t *groups;
static int ngroups;

/*
 * Root's capabilities (CAP_SETUID, CAP_SETGID, CAP_SYS_RESOURCE) are in
 * effect while the effective user id is 0, as Linux arranges when a
 * process without SECBIT_KEEP_CAPS changes its ids.
 */
bool posix_has_root_caps(void)
{
    return uids.effective == 0;
}

static bool privileged(void)
{
    return posix_has_root_caps();
}

static bool is_one_of(const struct ids *ids, uint32_t id)
{
    return id == ids->real || id == ids->effective || id == ids->saved;
}

/* setuid and setgid: root sets all three ids, others the effective one. */
static long set_id(struct ids *ids, uint32_t id)
{
    if (id == NO_ID)
        return -EINVAL;
    if (privileged()) {
        ids->real = id;
        ids->saved = id;
    } else if (id != ids->real && id != ids->saved) {
        return -EPERM;
    }
    ids->effective = id;
    ids->fs = id;
    return 0;
}

/* setreuid and setregid. */
static long set_real_effective(struct ids *ids, uint32_t real,
                               uint32_t effective)
{
    struct ids old = *ids;

    if (real != NO_ID && !privileged() && real != old.real &&
        real != old.effective)
        return -EPERM;
    if (effective != NO_ID && !privileged() && !is_one_of(&old, effective))
        return -EPERM;
    if (real != NO_ID)
        ids->real = real;
    if (effective != NO_ID)
        ids->effective = effective;
    /* The saved id follows the effective one when the real id is set or
     * the effective id leaves the old real id. */
    if (real != NO_ID || (effective != NO_ID && effective != old.real))
        ids->saved = ids->effective;
    ids->fs = ids->effective;
    return 0;
}

/* setresuid and setresgid. */
static long set_all(struct ids *ids, uint32_t real, uint32_t effective,
                    uint32_t saved)
{
    const uint32_t wanted[] = {real, effective, saved};

    for (size_t i = 0; i < POGO_ARRAY_SIZE(wanted); i++) {
        if (wanted[i] != NO_ID && !privileged() && !is_one_of(ids, wanted[i]))
            return -EPERM;
    }
    if (real != NO_ID)
        ids->real = real;
    if (effective != NO_ID)
        ids->effective = effective;
    if (saved != NO_ID)
        ids->saved = saved;
    ids->fs = ids->effective;
    return 0;
}

static long get_all(const struct ids *ids, long real, long effective,
                    long saved)
{
    if (pogo_copy_to_user((void *)real, &ids->real, sizeof(uint32_t)) ||
        pogo_copy_to_user((void *)effective, &ids->effective,
                          sizeof(uint32_t)) ||
        pogo_copy_to_user((void *)saved, &ids->saved, sizeof(uint32_t)))
        return -EFAULT;
    return 0;
}

/* setfsuid and setfsgid return the old id, also when they change nothing. */
static long set_fs(struct ids *ids, uint32_t id)
{
    uint32_t old = ids->fs;

    if (id != NO_ID && (privileged() || is_one_of(ids, id) || id == ids->fs))
        ids->fs = id;
    return old;
}

long sys_getuid(void)
{
    return uids.real;
}

long sys_geteuid(void)
{
    return uids.effective;
}

long sys_getgid(void)
{
    return gids.real;
}

long sys_getegid(void)
{
    return gids.effective;
}

long sys_setuid(uint32_t uid)
{
    return set_id(&uids, uid);
}

long sys_setgid(uint32_t gid)
{
    return set_id(&gids, gid);
}

long sys_setreuid(uint32_t ruid, uint32_t euid)
{
    return set_real_effective(&uids, ruid, euid);
}

long sys_setregid(uint32_t rgid, uint32_t egid)
{
    return set_real_effective(&gids, rgid, egid);
}

long sys_setresuid(uint32_t ruid, uint32_t euid, uint32_t suid)
{
    return set_all(&uids, ruid, euid, suid);
}

long sys_setresgid(uint32_t rgid, uint32_t egid, uint32_t sgid)
{
    return set_all(&gids, rgid, egid, sgid);
}

long sys_getresuid(long ruid, long euid, long suid)
{
    return get_all(&uids, ruid, euid, suid);
}

long sys_getresgid(long rgid, long egid, long sgid)
{
    return get_all(&gids, rgid, egid, sgid);
}

long sys_setfsuid(uint32_t uid)
{
    return set_fs(&uids, uid);
}

long sys_setfsgid(uint32_t gid)
{
    return set_fs(&gids, gid);
}

long sys_getgroups(int size, long list)
{
    if (size < 0)
        return -EINVAL;
    if (size == 0)
        return ngroups;
    if (size < ngroups)
        return -EINVAL;
    if (pogo_copy_to_user((void *)list, groups, ngroups * sizeof(uint32_t)))
        return -EFAULT;
    return ngroups;
}

static void sift_down(uint32_t *list, int root, int n)
{
    for (int child; (child = 2 * root + 1) < n; root = child) {
        uint32_t g;

        if (child + 1 < n && list[child + 1] > list[child])
            child++;
        if (list[root] >= list[child])
            return;
        g = list[root];
        list[root] = list[child];
        list[child] = g;
    }
}

/* Heapsort: Linux keeps the groups sorted, and getgroups shows it. */
static void sort_groups(uint32_t *list, int n)
{
    for (int i = n / 2 - 1; i >= 0; i--)
        sift_down(list, i, n);
    for (int end = n - 1; end > 0; end--) {
        uint32_t g = list[0];

        list[0] = list[end];
        list[end] = g;
        sift_down(list, 0, end);
    }
}

long sys_setgroups(int size, long list)
{
    uint32_t *copy = NULL;

    if (!privileged())
        return -EPERM;
    if ((unsigned int)size > NGROUPS_MAX)
        return -EINVAL;
    if (size > 0) {
        copy = pogo_malloc(size * sizeof(uint32_t));
        if (!copy)
            return -ENOMEM;
        if (pogo_copy_from_user(copy, (const void *)list,
                                size * sizeof(uint32_t))) {
            pogo_free(copy);
            return -EFAULT;
        }
        sort_groups(copy, size);
    }
    pogo_free(groups);
    groups = copy;
    ngroups = size;
    return 0;
}
