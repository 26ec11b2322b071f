/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ramfs, the file system in memory that is the default root: sparse
 * files in page frames, directories of any size, hard links, symlinks,
 * device nodes and POSIX rename. The root ramfs is mounted at boot with
 * /tmp in it.
 */
#ifndef POGO_RAMFS_H
#define POGO_RAMFS_H

#include <pogo/vfs.h>

/* Creates an empty ramfs whose root has mode root_mode (permission bits),
 * ready to mount. Returns NULL when memory runs out. */
struct pogo_fs *pogo_ramfs_create(uint32_t root_mode);

/*
 * Makes directory name in the ramfs directory dir with exactly mode (no
 * umask), for the directories a file system sets up at boot. Returns a
 * new reference in *out, or -ENOSPC.
 */
int pogo_ramfs_mkdir(struct pogo_vnode *dir, const char *name, uint32_t mode,
                     struct pogo_vnode **out);

#endif
