/* SPDX-License-Identifier: BSD-3-Clause */
/* Interfaces between the files of lib/vfs. */
#ifndef POGO_VFS_INTERNAL_H
#define POGO_VFS_INTERNAL_H

#include <pogo/vfs.h>

/* Kinds of the last component of a path, as Linux names them. */
enum last_type { LAST_NORM, LAST_DOT, LAST_DOTDOT, LAST_ROOT };

/* The state of one path walk. */
struct nameidata {
    struct pogo_vnode *dir; /* where the walk is now (a reference) */
    char *buf;              /* the path being walked (heap) */
    const char *next;       /* its part not walked yet */
    const char *last;       /* last component, after walk_parent */
    size_t last_len;
    enum last_type last_type;
    bool trailing;          /* a slash follows the last component */
    int links;              /* symlinks followed so far */
    struct pogo_file *file; /* open file named by a magic link at the end */
    char *canon;            /* absolute path of dir, NULL when unknown */
    size_t canon_len;
};

/*
 * Starts a walk of path from dirf (NULL: the working directory). With
 * want_canon, the walk also tracks the absolute path. Needs nd_finish,
 * also on error.
 */
int nd_init(struct nameidata *nd, struct pogo_file *dirf, const char *path,
            unsigned flags, bool want_canon);

/* Walks all of the path; the result is nd->dir. */
int nd_walk(struct nameidata *nd, unsigned flags);

/* Walks all but the last component, which goes to nd->last. nd->dir is
 * then a directory. */
int nd_walk_parent(struct nameidata *nd);

/*
 * With nd at the parent of the symlink link (the last component), makes
 * the link's target the path to walk next. A magic link instead replaces
 * nd->dir with what it names and leaves nothing to walk; *resolved is
 * then set. Consumes the reference on link.
 */
int nd_follow_last(struct nameidata *nd, struct pogo_vnode *link,
                   bool *resolved);

/* Looks the last component up in nd->dir, crossing mount points. */
int nd_lookup_last(struct nameidata *nd, struct pogo_vnode **out);

/* Appends the last component to the tracked path (before opening it). */
void nd_canon_append_last(struct nameidata *nd);

void nd_finish(struct nameidata *nd);

/* Replaces v with the roots of file systems mounted on it. */
struct pogo_vnode *vfs_cross_mounts(struct pogo_vnode *v);

/* The working directory's tracked path, or NULL. */
const char *vfs_cwd_path(void);

/* The registered character device with rdev, or NULL. */
const struct pogo_chrdev *vfs_find_chrdev(uint64_t rdev);

/* The umask bits. */
uint32_t vfs_umask_bits(void);

/* Tells whether v is a removed directory, where nothing may be created. */
bool vfs_dir_removed(const struct pogo_vnode *v);

#endif
