/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ramfs directories: a hash table of names for lookups, and the entries
 * in the order they were made, for reads. An open directory keeps a
 * cursor on the last entry it returned. A removed entry stays linked
 * (without its node) while a cursor points at it, so a read goes on
 * correctly when entries around it go away. No entry is returned twice,
 * and none that still exists is skipped.
 */
#include <pogo/alloc.h>
#include <pogo/errno.h>
#include <pogo/string.h>

#include "ramfs_internal.h"

#define BUCKETS_MIN 8
#define FIRST_SEQ   2 /* after "." and ".." */

/* The position lseek(SEEK_END) gives a directory, as ext4 and tmpfs. */
#define DIR_END INT64_MAX

/* FNV-1a. */
static uint32_t hash_name(const char *name, size_t len)
{
    uint32_t h = 2166136261u;

    for (size_t i = 0; i < len; i++) {
        h ^= (unsigned char)name[i];
        h *= 16777619u;
    }
    return h;
}

static struct ramfs_dirent **bucket(struct ramfs_dir *d, uint32_t hash)
{
    return &d->buckets[hash & (d->nbuckets - 1)];
}

struct ramfs_dirent *ramfs_dir_find(struct ramfs_node *dir, const char *name,
                                    size_t len)
{
    struct ramfs_dir *d = &dir->dir;
    uint32_t hash = hash_name(name, len);

    if (!d->nbuckets)
        return NULL;
    for (struct ramfs_dirent *e = *bucket(d, hash); e; e = e->hash_next) {
        if (e->hash == hash && e->len == len &&
            pogo_memcmp(e->name, name, len) == 0)
            return e;
    }
    return NULL;
}

/* Doubles the hash table (or makes the first one); -ENOMEM. */
static int grow_table(struct ramfs_dir *d)
{
    size_t n = d->nbuckets ? d->nbuckets * 2 : BUCKETS_MIN;
    struct ramfs_dirent **old = d->buckets;
    size_t old_n = d->nbuckets;
    struct ramfs_dirent **table = pogo_calloc(n, sizeof(*table));

    if (!table)
        return -ENOMEM;
    d->buckets = table;
    d->nbuckets = n;
    for (size_t i = 0; i < old_n; i++) {
        struct ramfs_dirent *e = old[i];

        while (e) {
            struct ramfs_dirent *next = e->hash_next;
            struct ramfs_dirent **b = bucket(d, e->hash);

            e->hash_next = *b;
            *b = e;
            e = next;
        }
    }
    pogo_free(old);
    return 0;
}

int ramfs_dir_add(struct ramfs_node *dir, const char *name, size_t len,
                  struct ramfs_node *node)
{
    struct ramfs_dir *d = &dir->dir;
    struct ramfs_dirent *e;
    struct ramfs_dirent **b;

    /* Memory is ramfs's only limit, so running out of it means a full
     * file system: ENOSPC, as Linux's tmpfs gives at its size limit. */
    if (d->count >= d->nbuckets && grow_table(d) != 0 && !d->nbuckets)
        return -ENOSPC;
    e = pogo_malloc(sizeof(*e) + len);
    if (!e)
        return -ENOSPC;
    pogo_memcpy(e->name, name, len);
    e->len = len;
    e->hash = hash_name(name, len);
    e->node = node;
    e->pins = 0;
    if (!d->next_seq)
        d->next_seq = FIRST_SEQ;
    e->seq = d->next_seq++;
    b = bucket(d, e->hash);
    e->hash_next = *b;
    *b = e;
    e->next = NULL;
    e->prev = d->last;
    if (d->last)
        d->last->next = e;
    else
        d->first = e;
    d->last = e;
    d->count++;
    if (POGO_S_ISDIR(node->v.mode))
        node->dirent = e;
    return 0;
}

static void unlink_from_list(struct ramfs_dir *d, struct ramfs_dirent *e)
{
    if (e->prev)
        e->prev->next = e->next;
    else
        d->first = e->next;
    if (e->next)
        e->next->prev = e->prev;
    else
        d->last = e->prev;
}

void ramfs_dir_remove(struct ramfs_node *dir, struct ramfs_dirent *e)
{
    struct ramfs_dir *d = &dir->dir;
    struct ramfs_dirent **link = bucket(d, e->hash);

    while (*link != e)
        link = &(*link)->hash_next;
    *link = e->hash_next;
    d->count--;
    if (e->node && e->node->dirent == e)
        e->node->dirent = NULL;
    e->node = NULL;
    if (e->pins)
        return; /* a cursor frees it when it moves on */
    unlink_from_list(d, e);
    pogo_free(e);
}

void ramfs_dir_destroy(struct ramfs_node *dir)
{
    struct ramfs_dir *d = &dir->dir;

    /* Only removed entries that cursors pin can be left, and the open
     * files that pin them hold references on dir, so none are. */
    while (d->first) {
        struct ramfs_dirent *e = d->first;

        d->first = e->next;
        pogo_free(e);
    }
    pogo_free(d->buckets);
    d->buckets = NULL;
}

/* --- Reading ------------------------------------------------------------- */

/* The state of one open directory. */
struct cursor {
    struct ramfs_dirent *after; /* last entry returned (pinned), or NULL */
    int64_t pos;                /* f->pos when after was set */
};

static void pin(struct cursor *c, struct ramfs_dirent *e, int64_t pos)
{
    if (e)
        e->pins++;
    c->after = e;
    c->pos = pos;
}

static void unpin(struct ramfs_node *dir, struct cursor *c)
{
    struct ramfs_dirent *e = c->after;

    c->after = NULL;
    if (!e || --e->pins || e->node)
        return;
    unlink_from_list(&dir->dir, e);
    pogo_free(e);
}

static unsigned dtype(uint32_t mode)
{
    return (mode & POGO_S_IFMT) >> 12;
}

/* The first entry at position pos or later, removed ones included. */
static struct ramfs_dirent *entry_at(struct ramfs_node *dir, struct cursor *c,
                                     int64_t pos)
{
    struct ramfs_dirent *e;

    if (c->after && c->pos == pos)
        return c->after->next;
    for (e = dir->dir.first; e && e->seq < pos; e = e->next)
        ;
    return e;
}

static int dir_readdir(struct pogo_file *f, struct pogo_dir_ctx *ctx)
{
    struct ramfs_node *dir = ramfs_node(f->vnode);
    struct cursor *c = f->data;
    struct ramfs_dirent *e, *last = NULL;

    if (f->pos == 0) {
        if (!ctx->emit(ctx, ".", 1, dir->v.ino, POGO_DT_DIR, 1))
            return 0;
        f->pos = 1;
    }
    if (f->pos == 1) {
        struct ramfs_node *up = dir->parent ? dir->parent : dir;

        if (!ctx->emit(ctx, "..", 2, up->v.ino, POGO_DT_DIR, FIRST_SEQ))
            return 0;
        f->pos = FIRST_SEQ;
    }
    for (e = entry_at(dir, c, f->pos); e; e = e->next) {
        struct ramfs_node *n = e->node;

        if (!n)
            continue;
        if (!ctx->emit(ctx, e->name, e->len, n->v.ino, dtype(n->v.mode),
                       e->seq + 1))
            break;
        f->pos = e->seq + 1;
        last = e;
    }
    if (last) {
        unpin(dir, c);
        pin(c, last, f->pos);
    }
    dir->v.atime = pogo_vfs_now();
    return 0;
}

static int64_t dir_llseek(struct pogo_file *f, int64_t offset, int whence)
{
    int64_t pos;

    switch (whence) {
    case 0: /* SEEK_SET */
        pos = offset;
        break;
    case 1: /* SEEK_CUR */
        if (__builtin_add_overflow(f->pos, offset, &pos))
            return -EINVAL;
        break;
    case 2: /* SEEK_END */
        pos = DIR_END;
        break;
    default:
        return -EINVAL;
    }
    if (pos < 0)
        return -EINVAL;
    f->pos = pos;
    return pos;
}

static void dir_release(struct pogo_file *f)
{
    unpin(ramfs_node(f->vnode), f->data);
    pogo_free(f->data);
}

static int dir_fsync(struct pogo_file *f)
{
    return 0;
}

const struct pogo_file_ops ramfs_dir_ops = {
    .llseek = dir_llseek,
    .readdir = dir_readdir,
    .fsync = dir_fsync,
    .release = dir_release,
};

int ramfs_dir_open(struct ramfs_node *dir, struct pogo_file *f)
{
    struct cursor *c = pogo_calloc(1, sizeof(*c));

    if (!c)
        return -ENOMEM;
    f->data = c;
    f->ops = &ramfs_dir_ops;
    return 0;
}
