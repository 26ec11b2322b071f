/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ramfs rename: the checks that need both names, in Linux's order, then a
 * change that cannot fail. A replaced target keeps its directory entry
 * (and position), which now names the renamed node, so no moment exists
 * where the new name is missing; the old target loses its name and stays
 * readable through its open files.
 */
#include <pogo/errno.h>

#include "ramfs_internal.h"

/* Tells whether directory a is b or one of its ancestors. */
static bool is_ancestor(const struct ramfs_node *a, const struct ramfs_node *b)
{
    for (; b; b = b->parent) {
        if (a == b)
            return true;
    }
    return false;
}

static bool is_dir(const struct ramfs_node *n)
{
    return POGO_S_ISDIR(n->v.mode);
}

/* The checks of Linux's do_renameat2 and vfs_rename, in that order. */
static int check(struct ramfs_node *old_dir, struct ramfs_node *src,
                 struct ramfs_node *new_dir, struct ramfs_node *tgt,
                 unsigned flags)
{
    bool exchange = flags & POGO_RENAME_EXCHANGE;

    if ((flags & POGO_RENAME_NOREPLACE) && tgt)
        return -EEXIST;
    if (exchange && !tgt)
        return -ENOENT;
    if (exchange && !is_dir(tgt) && (flags & POGO_RENAME_NEW_SLASH))
        return -ENOTDIR;
    if (!is_dir(src) && (flags & POGO_RENAME_OLD_SLASH))
        return -ENOTDIR;
    if (!is_dir(src) && !exchange && (flags & POGO_RENAME_NEW_SLASH))
        return -ENOTDIR;
    if (is_dir(src) && is_ancestor(src, new_dir))
        return -EINVAL;
    if (tgt && is_dir(tgt) && is_ancestor(tgt, old_dir))
        return exchange ? -EINVAL : -ENOTEMPTY;
    if (src == tgt)
        return 1; /* two names of one file: nothing to do */
    if (tgt && !exchange && is_dir(src) && !is_dir(tgt))
        return -ENOTDIR;
    if (tgt && !exchange && !is_dir(src) && is_dir(tgt))
        return -EISDIR;
    if (!tgt && new_dir->v.nlink == 0)
        return -ENOENT;
    if (src->v.mounted || (tgt && tgt->v.mounted))
        return -EBUSY;
    if (tgt && !exchange && is_dir(tgt) && tgt->dir.count)
        return -ENOTEMPTY;
    return 0;
}

/* Moves directory node from old_dir to new_dir: "..", link counts. */
static void reparent(struct ramfs_node *node, struct ramfs_node *old_dir,
                     struct ramfs_node *new_dir)
{
    if (!is_dir(node) || old_dir == new_dir)
        return;
    pogo_vnode_get(&new_dir->v);
    node->parent = new_dir;
    new_dir->v.nlink++;
    old_dir->v.nlink--;
    pogo_vnode_put(&old_dir->v);
}

static void exchange(struct ramfs_node *old_dir, struct ramfs_dirent *oe,
                     struct ramfs_node *new_dir, struct ramfs_dirent *ne)
{
    struct ramfs_node *src = oe->node, *tgt = ne->node;

    oe->node = tgt;
    ne->node = src;
    if (is_dir(src))
        src->dirent = ne;
    if (is_dir(tgt))
        tgt->dirent = oe;
    reparent(src, old_dir, new_dir);
    reparent(tgt, new_dir, old_dir);
}

/* Makes entry ne name src instead of tgt, which loses that name. */
static void replace(struct ramfs_node *new_dir, struct ramfs_dirent *ne,
                    struct ramfs_node *src)
{
    struct ramfs_node *tgt = ne->node;

    ne->node = src;
    if (is_dir(src))
        src->dirent = ne;
    if (is_dir(tgt)) {
        tgt->dirent = NULL;
        new_dir->v.nlink--;
    }
    ramfs_drop_name(tgt);
}

int ramfs_rename(struct pogo_vnode *old_vdir, const char *old_name,
                 size_t old_len, struct pogo_vnode *new_vdir,
                 const char *new_name, size_t new_len, unsigned flags)
{
    struct ramfs_node *old_dir = ramfs_node(old_vdir);
    struct ramfs_node *new_dir = ramfs_node(new_vdir);
    struct ramfs_dirent *oe = ramfs_dir_find(old_dir, old_name, old_len);
    struct ramfs_dirent *ne = ramfs_dir_find(new_dir, new_name, new_len);
    struct ramfs_node *src, *tgt;
    int err;

    if (!oe)
        return -ENOENT;
    src = oe->node;
    tgt = ne ? ne->node : NULL;
    err = check(old_dir, src, new_dir, tgt, flags);
    if (err)
        return err < 0 ? err : 0;

    if (flags & POGO_RENAME_EXCHANGE) {
        exchange(old_dir, oe, new_dir, ne);
        pogo_vnode_touch_change(&tgt->v);
    } else if (tgt) {
        /* The reference that oe held on src is now ne's. */
        replace(new_dir, ne, src);
        ramfs_dir_remove(old_dir, oe);
        reparent(src, old_dir, new_dir);
    } else {
        err = ramfs_dir_add(new_dir, new_name, new_len, src);
        if (err)
            return err;
        ramfs_dir_remove(old_dir, oe);
        reparent(src, old_dir, new_dir);
    }
    pogo_vnode_touch_change(&src->v);
    pogo_vnode_touch_write(&old_dir->v);
    pogo_vnode_touch_write(&new_dir->v);
    return 0;
}
