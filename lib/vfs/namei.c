/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Path lookup. A walk keeps a reference on the directory it is in and
 * moves one component at a time. "." stays, and ".." goes to the parent,
 * out of a mounted file system through the vnode it covers. A name is
 * looked up and mount points are crossed. A symlink's target replaces the
 * component, so that the walk goes on with target + rest. Nothing in a
 * walk blocks, so the tree cannot change under it.
 */
#include <pogo/alloc.h>
#include <pogo/errno.h>
#include <pogo/string.h>

#include "vfs_internal.h"

static char *dup_string(const char *s, size_t len)
{
    char *copy = pogo_malloc(len + 1);

    if (copy) {
        pogo_memcpy(copy, s, len);
        copy[len] = '\0';
    }
    return copy;
}

/* --- The tracked absolute path ------------------------------------------- */

static void canon_set(struct nameidata *nd, const char *path)
{
    size_t len = path ? pogo_strlen(path) : 0;

    if (!nd->canon)
        return;
    if (!path || path[0] != '/' || len >= POGO_PATH_MAX) {
        pogo_free(nd->canon);
        nd->canon = NULL;
        return;
    }
    pogo_memcpy(nd->canon, path, len + 1);
    nd->canon_len = len;
}

static void canon_append(struct nameidata *nd, const char *name, size_t len)
{
    size_t sep = nd->canon_len > 1 ? 1 : 0;

    if (!nd->canon)
        return;
    if (nd->canon_len + sep + len >= POGO_PATH_MAX) {
        canon_set(nd, NULL);
        return;
    }
    if (sep)
        nd->canon[nd->canon_len++] = '/';
    pogo_memcpy(nd->canon + nd->canon_len, name, len);
    nd->canon_len += len;
    nd->canon[nd->canon_len] = '\0';
}

static void canon_up(struct nameidata *nd)
{
    if (!nd->canon)
        return;
    while (nd->canon_len > 1 && nd->canon[nd->canon_len - 1] != '/')
        nd->canon_len--;
    if (nd->canon_len > 1)
        nd->canon_len--;
    nd->canon[nd->canon_len] = '\0';
}

void nd_canon_append_last(struct nameidata *nd)
{
    if (nd->last_type == LAST_NORM)
        canon_append(nd, nd->last, nd->last_len);
    else if (nd->last_type == LAST_DOTDOT)
        canon_up(nd);
}

/* --- Moving between vnodes ----------------------------------------------- */

struct pogo_vnode *vfs_cross_mounts(struct pogo_vnode *v)
{
    while (v->mounted) {
        struct pogo_vnode *root = v->mounted->root;

        pogo_vnode_get(root);
        pogo_vnode_put(v);
        v = root;
    }
    return v;
}

static void move_to(struct nameidata *nd, struct pogo_vnode *v)
{
    pogo_vnode_put(nd->dir);
    nd->dir = v;
}

static void go_to_root(struct nameidata *nd)
{
    struct pogo_vnode *root = pogo_vfs_root();

    pogo_vnode_get(root);
    move_to(nd, root);
    canon_set(nd, "/");
}

static void go_up(struct nameidata *nd)
{
    struct pogo_vnode *d = nd->dir;
    struct pogo_vnode *parent;

    if (d == pogo_vfs_root())
        return;
    /* At the root of a mounted file system, ".." is the parent of the
     * directory it covers. */
    while (d == d->fs->root && d->fs->covered)
        d = d->fs->covered;
    if (d == pogo_vfs_root()) {
        parent = d;
        pogo_vnode_get(parent);
    } else {
        parent = d->ops->parent(d);
    }
    move_to(nd, parent);
    canon_up(nd);
}

/* --- Symlinks ------------------------------------------------------------ */

static bool only_slashes(const char *s)
{
    while (*s == '/')
        s++;
    return *s == '\0';
}

/* Follows a magic link: the walk continues at what it names. */
static int follow_magic(struct nameidata *nd, struct pogo_vnode *link,
                        bool at_end)
{
    struct pogo_vnode *target;
    struct pogo_file *file = NULL;
    int err = link->ops->follow(link, &target, &file);

    pogo_vnode_put(link);
    if (err)
        return err;
    move_to(nd, target);
    canon_set(nd, file ? file->path : NULL);
    if (file && at_end) {
        if (nd->file)
            pogo_file_put(nd->file);
        nd->file = file;
    } else if (file) {
        pogo_file_put(file);
    }
    return 0;
}

/*
 * Replaces the walked part of the path up to and including the symlink
 * link with its target, so that the walk continues with target + rest.
 * Consumes the reference on link.
 */
static int follow_link(struct nameidata *nd, struct pogo_vnode *link,
                       const char *rest)
{
    size_t rest_len = pogo_strlen(rest);
    char *target, *path;
    long len;

    if (++nd->links > POGO_SYMLOOP_MAX) {
        pogo_vnode_put(link);
        return -ELOOP;
    }
    if (link->ops->follow)
        return follow_magic(nd, link, only_slashes(rest));
    target = pogo_malloc(POGO_PATH_MAX);
    if (!target) {
        pogo_vnode_put(link);
        return -ENOMEM;
    }
    len = link->ops->readlink(link, target, POGO_PATH_MAX);
    pogo_vnode_put(link);
    if (len <= 0) {
        pogo_free(target);
        return len ? (int)len : -ENOENT;
    }
    path = pogo_malloc(len + rest_len + 1);
    if (!path) {
        pogo_free(target);
        return -ENOMEM;
    }
    pogo_memcpy(path, target, len);
    pogo_memcpy(path + len, rest, rest_len + 1);
    pogo_free(target);
    pogo_free(nd->buf);
    nd->buf = path;
    nd->next = path;
    if (path[0] == '/')
        go_to_root(nd);
    return 0;
}

/* --- Components ---------------------------------------------------------- */

static enum last_type type_of(const char *name, size_t len)
{
    if (len == 1 && name[0] == '.')
        return LAST_DOT;
    if (len == 2 && name[0] == '.' && name[1] == '.')
        return LAST_DOTDOT;
    return LAST_NORM;
}

static int lookup_child(struct pogo_vnode *dir, const char *name, size_t len,
                        struct pogo_vnode **out)
{
    int err;

    if (!POGO_S_ISDIR(dir->mode))
        return -ENOTDIR;
    if (!dir->ops->lookup)
        return -ENOENT;
    err = dir->ops->lookup(dir, name, len, out);
    if (err)
        return err;
    *out = vfs_cross_mounts(*out);
    return 0;
}

/*
 * Walks one component. rest is what follows it, and follow tells whether
 * a symlink here is followed.
 */
static int step(struct nameidata *nd, const char *name, size_t len, bool follow,
                const char *rest)
{
    struct pogo_vnode *child;
    int err;

    if (!POGO_S_ISDIR(nd->dir->mode))
        return -ENOTDIR;
    switch (type_of(name, len)) {
    case LAST_DOT:
        return 0;
    case LAST_DOTDOT:
        go_up(nd);
        return 0;
    default:
        break;
    }
    err = lookup_child(nd->dir, name, len, &child);
    if (err)
        return err;
    if (POGO_S_ISLNK(child->mode) && follow)
        return follow_link(nd, child, rest);
    canon_append(nd, name, len);
    move_to(nd, child);
    return 0;
}

/* A component of the path: name and len, and what comes after it. */
struct component {
    const char *name;
    size_t len;
    const char *after; /* the rest, starting with its slashes */
    bool is_last;
    bool trailing;
};

/* Takes the next component of nd->next; returns false at the end. */
static bool next_component(struct nameidata *nd, struct component *c)
{
    const char *p = nd->next;
    const char *q;

    while (*p == '/')
        p++;
    nd->next = p;
    if (!*p)
        return false;
    c->name = p;
    c->len = 0;
    while (p[c->len] && p[c->len] != '/')
        c->len++;
    c->after = p + c->len;
    for (q = c->after; *q == '/'; q++)
        ;
    c->is_last = !*q;
    c->trailing = c->is_last && q != c->after;
    return true;
}

static int walk(struct nameidata *nd, unsigned flags, bool stop_at_last)
{
    struct component c;

    while (next_component(nd, &c)) {
        bool follow = !c.is_last || (flags & POGO_LOOKUP_FOLLOW) || c.trailing;
        int err;

        if (c.len > POGO_NAME_MAX)
            return -ENAMETOOLONG;
        if (c.is_last && stop_at_last) {
            nd->last = c.name;
            nd->last_len = c.len;
            nd->last_type = type_of(c.name, c.len);
            nd->trailing = c.trailing;
            nd->next = c.after;
            return 0;
        }
        if (c.is_last)
            nd->trailing = c.trailing;
        nd->next = c.after;
        err = step(nd, c.name, c.len, follow, c.after);
        if (err)
            return err;
    }
    if (stop_at_last) {
        nd->last = nd->next;
        nd->last_len = 0;
        nd->last_type = LAST_ROOT;
        nd->trailing = false;
    }
    return 0;
}

int nd_init(struct nameidata *nd, struct pogo_file *dirf, const char *path,
            unsigned flags, bool want_canon)
{
    size_t len = pogo_strnlen(path, POGO_PATH_MAX);
    const char *start_path;

    pogo_memset(nd, 0, sizeof(*nd));
    if (len >= POGO_PATH_MAX)
        return -ENAMETOOLONG;
    if (len == 0 && !(flags & POGO_LOOKUP_EMPTY))
        return -ENOENT;
    nd->buf = dup_string(path, len);
    if (!nd->buf)
        return -ENOMEM;
    nd->next = nd->buf;
    if (want_canon)
        nd->canon = pogo_malloc(POGO_PATH_MAX);
    if (want_canon && !nd->canon)
        return -ENOMEM;

    if (path[0] == '/') {
        nd->dir = pogo_vfs_root();
        pogo_vnode_get(nd->dir);
        start_path = "/";
    } else if (dirf) {
        nd->dir = dirf->vnode;
        pogo_vnode_get(nd->dir);
        start_path = dirf->path;
    } else {
        nd->dir = pogo_vfs_cwd();
        start_path = vfs_cwd_path();
    }
    canon_set(nd, start_path);
    return 0;
}

void nd_finish(struct nameidata *nd)
{
    if (nd->dir)
        pogo_vnode_put(nd->dir);
    if (nd->file)
        pogo_file_put(nd->file);
    pogo_free(nd->buf);
    pogo_free(nd->canon);
    nd->dir = NULL;
    nd->file = NULL;
    nd->buf = NULL;
    nd->canon = NULL;
}

int nd_walk(struct nameidata *nd, unsigned flags)
{
    int err = walk(nd, flags, false);

    if (err)
        return err;
    if ((nd->trailing || (flags & POGO_LOOKUP_DIRECTORY)) &&
        !POGO_S_ISDIR(nd->dir->mode))
        return -ENOTDIR;
    return 0;
}

int nd_walk_parent(struct nameidata *nd)
{
    int err = walk(nd, 0, true);

    if (err)
        return err;
    if (!POGO_S_ISDIR(nd->dir->mode))
        return -ENOTDIR;
    if (nd->last_len > POGO_NAME_MAX)
        return -ENAMETOOLONG;
    return 0;
}

int nd_lookup_last(struct nameidata *nd, struct pogo_vnode **out)
{
    return lookup_child(nd->dir, nd->last, nd->last_len, out);
}

int nd_follow_last(struct nameidata *nd, struct pogo_vnode *link,
                   bool *resolved)
{
    const char *end = nd->last + nd->last_len;
    int err;

    *resolved = link->ops->follow != NULL;
    err = follow_link(nd, link, end);
    return err;
}

int pogo_vfs_lookup(struct pogo_file *dir, const char *path, unsigned flags,
                    struct pogo_vnode **out)
{
    struct nameidata nd;
    int err = nd_init(&nd, dir, path, flags, false);

    if (!err)
        err = nd_walk(&nd, flags);
    if (!err) {
        *out = nd.dir;
        nd.dir = NULL;
    }
    nd_finish(&nd);
    return err;
}
