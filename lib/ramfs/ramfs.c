/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ramfs: a file system in memory, the default root. Nodes live on the
 * kernel heap, file data in frames (data.c) and directories in hash
 * tables (dir.c). Each name holds a reference on its node, so a node is
 * freed when its last name and its last open file are gone.
 */
#include <pogo/alloc.h>
#include <pogo/errno.h>
#include <pogo/init.h>
#include <pogo/log.h>
#include <pogo/mm.h>
#include <pogo/ramfs.h>
#include <pogo/string.h>

#include "ramfs_internal.h"

/* statfs f_type: ramfs reports sizes as tmpfs does, so it claims tmpfs. */
#define TMPFS_MAGIC 0x01021994
#define ST_VALID    0x0020
#define ST_RELATIME 0x1000

/* Frames kept back from file data, as the commit limit of lib/mm. */
#define RESERVE_MIN 64

struct ramfs {
    struct pogo_fs fs;
    size_t nodes;
};

static const struct pogo_vnode_ops ramfs_vnode_ops;

size_t ramfs_reserve(void)
{
    return POGO_MAX(pogo_frames_total() / 32, (size_t)RESERVE_MIN);
}

static struct ramfs *fs_of(struct pogo_vnode *v)
{
    return pogo_container_of(v->fs, struct ramfs, fs);
}

static struct ramfs_node *new_node(struct pogo_fs *fs, uint32_t mode)
{
    struct ramfs_node *n = pogo_calloc(1, sizeof(*n));

    if (!n)
        return NULL;
    pogo_vnode_init(&n->v, fs, mode, &ramfs_vnode_ops);
    if (POGO_S_ISDIR(mode))
        n->v.nlink = 2;
    pogo_container_of(fs, struct ramfs, fs)->nodes++;
    return n;
}

static void free_node(struct ramfs_node *n)
{
    struct ramfs *fs = fs_of(&n->v);

    switch (POGO_S_TYPE(n->v.mode)) {
    case POGO_S_IFDIR:
        ramfs_dir_destroy(n);
        if (n->parent)
            pogo_vnode_put(&n->parent->v);
        break;
    case POGO_S_IFREG:
        ramfs_data_destroy(n);
        break;
    case POGO_S_IFLNK:
        pogo_free(n->target);
        break;
    default:
        break;
    }
    pogo_lock_release_all(&n->v);
    fs->nodes--;
    pogo_free(n);
}

static void ramfs_release(struct pogo_vnode *v)
{
    free_node(ramfs_node(v));
}

void ramfs_drop_name(struct ramfs_node *node)
{
    if (POGO_S_ISDIR(node->v.mode))
        node->v.nlink = 0;
    else
        node->v.nlink--;
    pogo_vnode_touch_change(&node->v);
    pogo_vnode_put(&node->v);
}

static int ramfs_lookup(struct pogo_vnode *dir, const char *name, size_t len,
                        struct pogo_vnode **out)
{
    struct ramfs_dirent *e = ramfs_dir_find(ramfs_node(dir), name, len);

    if (!e)
        return -ENOENT;
    pogo_vnode_get(&e->node->v);
    *out = &e->node->v;
    return 0;
}

static struct pogo_vnode *ramfs_parent(struct pogo_vnode *dir)
{
    struct ramfs_node *n = ramfs_node(dir);
    struct pogo_vnode *up = n->parent ? &n->parent->v : dir;

    pogo_vnode_get(up);
    return up;
}

static long ramfs_dir_name(struct pogo_vnode *v, char *buf, size_t size)
{
    struct ramfs_dirent *e = ramfs_node(v)->dirent;
    size_t n;

    if (!e)
        return -ENOENT;
    n = POGO_MIN((size_t)e->len, size - 1);
    pogo_memcpy(buf, e->name, n);
    buf[n] = '\0';
    return n;
}

/* Gives dir a new name for node, whose reference the name takes. */
static int add_name(struct ramfs_node *dir, const char *name, size_t len,
                    struct ramfs_node *node)
{
    int err = ramfs_dir_add(dir, name, len, node);

    if (err)
        return err;
    if (POGO_S_ISDIR(node->v.mode)) {
        node->parent = dir;
        pogo_vnode_get(&dir->v);
        dir->v.nlink++;
    }
    pogo_vnode_touch_write(&dir->v);
    return 0;
}

static int ramfs_create(struct pogo_vnode *dir, const char *name, size_t len,
                        uint32_t mode, uint64_t rdev, struct pogo_vnode **out)
{
    struct ramfs_node *n = new_node(dir->fs, mode);
    int err;

    if (!n)
        return -ENOSPC;
    n->v.rdev = rdev;
    err = add_name(ramfs_node(dir), name, len, n);
    if (err) {
        free_node(n);
        return err;
    }
    pogo_vnode_get(&n->v);
    *out = &n->v;
    return 0;
}

static int ramfs_symlink(struct pogo_vnode *dir, const char *name, size_t len,
                         const char *target)
{
    size_t tlen = pogo_strlen(target);
    struct ramfs_node *n = new_node(dir->fs, POGO_S_IFLNK | 0777);
    int err = -ENOSPC;

    if (!n)
        return err;
    n->target = pogo_malloc(tlen + 1);
    if (n->target) {
        pogo_memcpy(n->target, target, tlen + 1);
        n->v.size = tlen;
        err = add_name(ramfs_node(dir), name, len, n);
    }
    if (err)
        free_node(n);
    return err;
}

static int ramfs_link(struct pogo_vnode *dir, const char *name, size_t len,
                      struct pogo_vnode *v)
{
    struct ramfs_node *n = ramfs_node(v);
    int err;

    if (v->nlink == 0 && !n->linkable)
        return -ENOENT;
    err = add_name(ramfs_node(dir), name, len, n);
    if (err)
        return err;
    pogo_vnode_get(v);
    v->nlink++;
    n->linkable = false;
    pogo_vnode_touch_change(v);
    return 0;
}

static int ramfs_unlink(struct pogo_vnode *dir, const char *name, size_t len)
{
    struct ramfs_node *d = ramfs_node(dir);
    struct ramfs_dirent *e = ramfs_dir_find(d, name, len);
    struct ramfs_node *node;

    if (!e)
        return -ENOENT;
    node = e->node;
    ramfs_dir_remove(d, e);
    pogo_vnode_touch_write(dir);
    ramfs_drop_name(node);
    return 0;
}

static int ramfs_rmdir(struct pogo_vnode *dir, const char *name, size_t len)
{
    struct ramfs_node *d = ramfs_node(dir);
    struct ramfs_dirent *e = ramfs_dir_find(d, name, len);
    struct ramfs_node *node;

    if (!e)
        return -ENOENT;
    node = e->node;
    if (node->dir.count)
        return -ENOTEMPTY;
    ramfs_dir_remove(d, e);
    dir->nlink--;
    pogo_vnode_touch_write(dir);
    ramfs_drop_name(node);
    return 0;
}

static int ramfs_tmpfile(struct pogo_vnode *dir, uint32_t mode,
                         struct pogo_vnode **out)
{
    struct ramfs_node *n;

    if (dir->nlink == 0)
        return -ENOENT;
    n = new_node(dir->fs, mode);
    if (!n)
        return -ENOSPC;
    n->v.nlink = 0;
    n->linkable = true;
    *out = &n->v;
    return 0;
}

static long ramfs_readlink(struct pogo_vnode *v, char *buf, size_t size)
{
    size_t n = POGO_MIN(size, (size_t)v->size);

    pogo_memcpy(buf, ramfs_node(v)->target, n);
    return n;
}

static int ramfs_open(struct pogo_vnode *v, struct pogo_file *f)
{
    if (POGO_S_ISDIR(v->mode))
        return ramfs_dir_open(ramfs_node(v), f);
    if (POGO_S_ISREG(v->mode)) {
        f->ops = &ramfs_file_ops;
        return 0;
    }
    return -ENXIO;
}

static int ramfs_setattr(struct pogo_vnode *v, const struct pogo_attr *attr)
{
    if (attr->mask & POGO_ATTR_SIZE) {
        int err = ramfs_data_truncate(ramfs_node(v), attr->size);

        if (err)
            return err;
    }
    if (attr->mask & POGO_ATTR_MODE)
        v->mode = POGO_S_TYPE(v->mode) | (attr->mode & 07777);
    if (attr->mask & POGO_ATTR_UID)
        v->uid = attr->uid;
    if (attr->mask & POGO_ATTR_GID)
        v->gid = attr->gid;
    if (attr->mask & POGO_ATTR_ATIME)
        v->atime = attr->atime;
    if (attr->mask & POGO_ATTR_MTIME)
        v->mtime = attr->mtime;
    pogo_vnode_touch_change(v);
    return 0;
}

static int ramfs_fallocate(struct pogo_vnode *v, int mode, int64_t offset,
                           int64_t len)
{
    return ramfs_data_fallocate(ramfs_node(v), mode, offset, len);
}

static int ramfs_page(struct pogo_vnode *v, uint64_t offset, bool create,
                      uintptr_t *frame)
{
    return ramfs_data_page(ramfs_node(v), offset, create, frame);
}

static const struct pogo_vnode_ops ramfs_vnode_ops = {
    .lookup = ramfs_lookup,
    .parent = ramfs_parent,
    .create = ramfs_create,
    .symlink = ramfs_symlink,
    .link = ramfs_link,
    .unlink = ramfs_unlink,
    .rmdir = ramfs_rmdir,
    .rename = ramfs_rename,
    .tmpfile = ramfs_tmpfile,
    .readlink = ramfs_readlink,
    .open = ramfs_open,
    .setattr = ramfs_setattr,
    .fallocate = ramfs_fallocate,
    .page = ramfs_page,
    .dir_name = ramfs_dir_name,
    .release = ramfs_release,
};

static int ramfs_statfs(struct pogo_fs *fs, struct pogo_statfs *st)
{
    size_t total = pogo_frames_total();
    size_t free = pogo_frames_free_count();
    size_t nodes = pogo_container_of(fs, struct ramfs, fs)->nodes;

    st->type = TMPFS_MAGIC;
    st->bsize = POGO_PAGE_SIZE;
    st->blocks = total;
    st->bfree = free - POGO_MIN(free, ramfs_reserve());
    st->bavail = st->bfree;
    /* A node takes about a heap block; count one per frame of memory. */
    st->files = total;
    st->ffree = total > nodes ? total - nodes : 0;
    st->namelen = POGO_NAME_MAX;
    st->flags = ST_VALID | ST_RELATIME;
    return 0;
}

struct pogo_fs *pogo_ramfs_create(uint32_t root_mode)
{
    struct ramfs *fs = pogo_calloc(1, sizeof(*fs));
    struct ramfs_node *root;

    if (!fs)
        return NULL;
    pogo_fs_init(&fs->fs, "ramfs");
    fs->fs.statfs = ramfs_statfs;
    root = new_node(&fs->fs, POGO_S_IFDIR | (root_mode & 07777));
    if (!root) {
        pogo_free(fs);
        return NULL;
    }
    fs->fs.root = &root->v;
    return &fs->fs;
}

int pogo_ramfs_mkdir(struct pogo_vnode *dir, const char *name, uint32_t mode,
                     struct pogo_vnode **out)
{
    return ramfs_create(dir, name, pogo_strlen(name),
                        POGO_S_IFDIR | (mode & 07777), 0, out);
}

/* Mounts a ramfs at "/" with /tmp in it, as Linux systems have. */
static int ramfs_init(void)
{
    struct pogo_fs *fs = pogo_ramfs_create(0755);
    struct pogo_vnode *tmp;
    int err;

    if (!fs)
        return -ENOMEM;
    err = pogo_vfs_mount(fs, "/");
    if (!err)
        err = pogo_ramfs_mkdir(fs->root, "tmp", 01777, &tmp);
    if (err)
        return err;
    pogo_vnode_put(tmp);
    return 0;
}
POGO_INIT(POGO_INIT_FS, "ramfs", ramfs_init, NULL);
