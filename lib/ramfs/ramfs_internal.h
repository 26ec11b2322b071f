/* SPDX-License-Identifier: BSD-3-Clause */
/* Interfaces between the files of lib/ramfs. */
#ifndef POGO_RAMFS_INTERNAL_H
#define POGO_RAMFS_INTERNAL_H

#include <pogo/vfs.h>

/*
 * One name in a directory. Entries are kept in the order they were made,
 * each with a position (seq) that never changes, so that a directory
 * read continues after the last entry it returned. A removed entry that
 * a reader's cursor points at stays in that list, without a node, until
 * the cursor moves on.
 */
struct ramfs_dirent {
    struct ramfs_dirent *next; /* in position order */
    struct ramfs_dirent *prev;
    struct ramfs_dirent *hash_next;
    struct ramfs_node *node; /* NULL once removed */
    int64_t seq;             /* the position; "." is 0, ".." 1 */
    unsigned pins;           /* cursors that point here */
    uint32_t hash;
    uint16_t len;
    char name[];
};

struct ramfs_dir {
    struct ramfs_dirent *first;
    struct ramfs_dirent *last;
    struct ramfs_dirent **buckets;
    size_t nbuckets;
    size_t count; /* names, not counting removed entries */
    int64_t next_seq;
};

/*
 * The pages of a regular file in a radix tree of frames: each interior
 * node is a frame of 512 frame addresses, a leaf slot points to a data page,
 * and depth levels cover 512^depth pages. Missing pages are holes.
 */
struct ramfs_pages {
    uintptr_t root;
    unsigned depth;
    size_t count; /* data pages */
};

struct ramfs_node {
    struct pogo_vnode v;
    struct ramfs_node *parent;   /* directories: holds a reference */
    struct ramfs_dirent *dirent; /* directories: the entry in parent */
    bool linkable;               /* an O_TMPFILE file may get a name */
    union {
        struct ramfs_dir dir;
        struct ramfs_pages pages;
        char *target; /* symlinks */
    };
};

static inline struct ramfs_node *ramfs_node(struct pogo_vnode *v)
{
    return pogo_container_of(v, struct ramfs_node, v);
}

extern const struct pogo_file_ops ramfs_file_ops;
extern const struct pogo_file_ops ramfs_dir_ops;

/* Frames a ramfs may not take, so that the kernel keeps working. */
size_t ramfs_reserve(void);

/* --- dir.c --------------------------------------------------------------- */

/* Finds name in dir, or returns NULL. */
struct ramfs_dirent *ramfs_dir_find(struct ramfs_node *dir, const char *name,
                                    size_t len);

/* Adds name for node (which gains no reference here). 0 or -ENOSPC. */
int ramfs_dir_add(struct ramfs_node *dir, const char *name, size_t len,
                  struct ramfs_node *node);

/* Removes the entry e from dir. */
void ramfs_dir_remove(struct ramfs_node *dir, struct ramfs_dirent *e);

/* Frees the entries of an empty directory that is going away. */
void ramfs_dir_destroy(struct ramfs_node *dir);

int ramfs_dir_open(struct ramfs_node *dir, struct pogo_file *f);

/* --- data.c -------------------------------------------------------------- */

/* Sets the size, freeing pages past it. */
int ramfs_data_truncate(struct ramfs_node *n, uint64_t size);
void ramfs_data_destroy(struct ramfs_node *n);
int ramfs_data_fallocate(struct ramfs_node *n, int mode, int64_t offset,
                         int64_t len);
int ramfs_data_page(struct ramfs_node *n, uint64_t offset, bool create,
                    uintptr_t *frame);

/* --- rename.c ------------------------------------------------------------ */

int ramfs_rename(struct pogo_vnode *old_dir, const char *old_name,
                 size_t old_len, struct pogo_vnode *new_dir,
                 const char *new_name, size_t new_len, unsigned flags);

/* Drops one name of node: nlink, and the entry's reference. */
void ramfs_drop_name(struct ramfs_node *node);

#endif
