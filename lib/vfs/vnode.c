/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Vnode references and timestamps, the anonymous file system behind pipes
 * and sockets, and the table of character devices.
 */
#include <pogo/alloc.h>
#include <pogo/errno.h>
#include <pogo/log.h>
#include <pogo/time.h>
#include <pogo/vfs.h>

#include "vfs_internal.h"

/* Linux numbers anonymous devices from minor 1 up in major 0. */
static unsigned next_minor = 1;
static int next_mount_id = 20;

static struct pogo_fs anon_fs;
static struct pogo_chrdev *chrdevs;

struct pogo_timespec pogo_vfs_now(void)
{
    int64_t ns = pogo_time_realtime_ns();
    struct pogo_timespec t = {ns / POGO_NSEC_PER_SEC, ns % POGO_NSEC_PER_SEC};

    return t;
}

void pogo_vnode_touch_write(struct pogo_vnode *v)
{
    v->mtime = v->ctime = pogo_vfs_now();
}

void pogo_vnode_touch_change(struct pogo_vnode *v)
{
    v->ctime = pogo_vfs_now();
}

void pogo_fs_init(struct pogo_fs *fs, const char *type)
{
    fs->type = type;
    fs->dev = POGO_MKDEV(0, next_minor);
    next_minor++;
    fs->mount_id = next_mount_id++;
    fs->next_ino = 1;
}

void pogo_vnode_init(struct pogo_vnode *v, struct pogo_fs *fs, uint32_t mode,
                     const struct pogo_vnode_ops *ops)
{
    v->ops = ops;
    v->fs = fs;
    v->ino = fs->next_ino++;
    v->mode = mode;
    v->nlink = 1;
    v->refs = 1;
    v->atime = v->mtime = v->ctime = v->btime = pogo_vfs_now();
}

void pogo_vnode_get(struct pogo_vnode *v)
{
    v->refs++;
}

void pogo_vnode_put(struct pogo_vnode *v)
{
    POGO_ASSERT(v->refs > 0);
    if (--v->refs)
        return;
    if (v->ops && v->ops->release)
        v->ops->release(v);
}

static void anon_release(struct pogo_vnode *v)
{
    pogo_free(v);
}

static const struct pogo_vnode_ops anon_ops = {.release = anon_release};

struct pogo_vnode *pogo_vnode_anon(uint32_t mode,
                                   const struct pogo_vnode_ops *ops)
{
    struct pogo_vnode *v = pogo_calloc(1, sizeof(*v));

    if (!v)
        return NULL;
    if (!anon_fs.type)
        pogo_fs_init(&anon_fs, "anon");
    pogo_vnode_init(v, &anon_fs, mode, ops ? ops : &anon_ops);
    return v;
}

void pogo_vfs_register_chrdev(struct pogo_chrdev *dev)
{
    dev->next = chrdevs;
    chrdevs = dev;
}

const struct pogo_chrdev *vfs_find_chrdev(uint64_t rdev)
{
    for (const struct pogo_chrdev *d = chrdevs; d; d = d->next) {
        if (d->rdev == rdev)
            return d;
    }
    return NULL;
}
