/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Mounts, the root and the working directory, getcwd, statfs and the
 * umask of the one process.
 */
#include <pogo/alloc.h>
#include <pogo/errno.h>
#include <pogo/mm.h>
#include <pogo/string.h>

#include "vfs_internal.h"

static struct pogo_vnode *root;
static struct pogo_fs *mounts;
static struct pogo_fs **mounts_tail = &mounts;
static struct pogo_vnode *cwd;
static char *cwd_path;
static uint32_t umask_bits = 022;

struct pogo_vnode *pogo_vfs_root(void)
{
    return root;
}

struct pogo_fs *pogo_vfs_mounts(void)
{
    return mounts;
}

static void add_mount(struct pogo_fs *fs)
{
    fs->next = NULL;
    *mounts_tail = fs;
    mounts_tail = &fs->next;
}

int pogo_vfs_mount(struct pogo_fs *fs, const char *path)
{
    struct pogo_vnode *v;
    int err;

    if (!root) {
        root = fs->root;
        pogo_vnode_get(root);
        cwd = root;
        pogo_vnode_get(cwd);
        fs->where = "/";
        add_mount(fs);
        return 0;
    }
    err = pogo_vfs_lookup(NULL, path, POGO_LOOKUP_FOLLOW, &v);
    if (err)
        return err;
    if (!POGO_S_ISDIR(v->mode)) {
        pogo_vnode_put(v);
        return -ENOTDIR;
    }
    if (v == v->fs->root) {
        pogo_vnode_put(v);
        return -EBUSY;
    }
    /* The mount keeps the reference on the covered vnode. */
    v->mounted = fs;
    fs->covered = v;
    fs->where = path;
    add_mount(fs);
    return 0;
}

struct pogo_vnode *pogo_vfs_cwd(void)
{
    pogo_vnode_get(cwd);
    return cwd;
}

const char *vfs_cwd_path(void)
{
    if (!cwd)
        return NULL;
    return cwd_path ? cwd_path : "/";
}

bool vfs_dir_removed(const struct pogo_vnode *v)
{
    return POGO_S_ISDIR(v->mode) && v->nlink == 0;
}

int pogo_vfs_chdir(struct pogo_vnode *v, const char *path)
{
    char *copy = NULL;

    if (!POGO_S_ISDIR(v->mode))
        return -ENOTDIR;
    if (path) {
        size_t len = pogo_strlen(path);

        copy = pogo_malloc(len + 1);
        if (!copy)
            return -ENOMEM;
        pogo_memcpy(copy, path, len + 1);
    }
    pogo_vnode_get(v);
    pogo_vnode_put(cwd);
    cwd = v;
    pogo_free(cwd_path);
    cwd_path = copy;
    return 0;
}

/* Moves *v from the root of a mounted file system to the vnode it covers,
 * as often as that applies. */
static void leave_mounts(struct pogo_vnode **v)
{
    while (*v == (*v)->fs->root && (*v)->fs->covered) {
        struct pogo_vnode *covered = (*v)->fs->covered;

        pogo_vnode_get(covered);
        pogo_vnode_put(*v);
        *v = covered;
    }
}

/*
 * Writes the path of v backwards, ending at buf + size - 1. Returns the
 * offset of its first byte, or a negative errno; -ENOSYS when a
 * directory on the way cannot name itself.
 */
static long path_backwards(struct pogo_vnode *v, char *buf, size_t size)
{
    char name[POGO_NAME_MAX + 1];
    size_t at = size - 1;
    long err = 0;

    buf[at] = '\0';
    pogo_vnode_get(v);
    for (;;) {
        struct pogo_vnode *parent;
        long n;

        leave_mounts(&v);
        if (v == root)
            break;
        if (!v->ops->dir_name || !v->ops->parent) {
            err = -ENOSYS;
            break;
        }
        n = v->ops->dir_name(v, name, sizeof(name));
        if (n < 0 || (size_t)n + 1 > at) {
            err = n < 0 ? n : -ENAMETOOLONG;
            break;
        }
        at -= n;
        pogo_memcpy(buf + at, name, n);
        buf[--at] = '/';
        parent = v->ops->parent(v);
        pogo_vnode_put(v);
        v = parent;
    }
    pogo_vnode_put(v);
    if (err)
        return err;
    if (at == size - 1)
        buf[--at] = '/';
    return at;
}

long pogo_vfs_getcwd(char *buf, size_t size)
{
    char *tmp;
    const char *path;
    long at;
    size_t len;

    if (vfs_dir_removed(cwd))
        return -ENOENT;
    tmp = pogo_malloc(POGO_PATH_MAX);
    if (!tmp)
        return -ENOMEM;
    at = path_backwards(cwd, tmp, POGO_PATH_MAX);
    if (at == -ENOSYS && cwd_path)
        path = cwd_path;
    else if (at < 0) {
        pogo_free(tmp);
        return at;
    } else {
        path = tmp + at;
    }
    len = pogo_strlen(path) + 1;
    if (len > size) {
        pogo_free(tmp);
        return -ERANGE;
    }
    pogo_memcpy(buf, path, len);
    pogo_free(tmp);
    return len;
}

uint32_t pogo_vfs_umask(uint32_t mask)
{
    uint32_t old = umask_bits;

    umask_bits = mask & 0777;
    return old;
}

uint32_t vfs_umask_bits(void)
{
    return umask_bits;
}

int pogo_vfs_statfs(struct pogo_vnode *v, struct pogo_statfs *st)
{
    pogo_memset(st, 0, sizeof(*st));
    st->bsize = POGO_PAGE_SIZE;
    st->namelen = POGO_NAME_MAX;
    if (!v->fs->statfs)
        return 0;
    return v->fs->statfs(v->fs, st);
}
