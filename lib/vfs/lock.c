/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * POSIX record locks of the one process. A process never conflicts with
 * its own locks, so nothing waits here. The ranges are still kept exactly
 * (split, merged, released on close), so that F_GETLK and later
 * multi-process or OFD locks build on correct state.
 */
#include <pogo/alloc.h>
#include <pogo/errno.h>
#include <pogo/vfs.h>

static struct pogo_lock *new_lock(struct pogo_lock **spare, int type,
                                  int64_t start, int64_t end)
{
    struct pogo_lock *l = *spare;

    *spare = l->next;
    l->type = type;
    l->start = start;
    l->end = end;
    l->next = NULL;
    return l;
}

/* Removes [start, end] from the list, splitting a lock around it. */
static void cut_range(struct pogo_vnode *v, int64_t start, int64_t end,
                      struct pogo_lock **spare)
{
    struct pogo_lock **link = &v->locks;

    while (*link) {
        struct pogo_lock *l = *link;

        if (l->end < start || l->start > end) {
            link = &l->next;
        } else if (l->start < start && l->end > end) {
            struct pogo_lock *upper = new_lock(spare, l->type, end + 1, l->end);

            upper->next = l->next;
            l->next = upper;
            l->end = start - 1;
            link = &upper->next;
        } else if (l->start < start) {
            l->end = start - 1;
            link = &l->next;
        } else if (l->end > end) {
            l->start = end + 1;
            link = &l->next;
        } else {
            *link = l->next;
            pogo_free(l);
        }
    }
}

/* Inserts l in start order and merges it with touching locks of its type. */
static void insert_merged(struct pogo_vnode *v, struct pogo_lock *l)
{
    struct pogo_lock **link = &v->locks;
    struct pogo_lock *prev = NULL;

    while (*link && (*link)->start < l->start) {
        prev = *link;
        link = &prev->next;
    }
    l->next = *link;
    *link = l;
    if (l->next && l->next->type == l->type && l->end != POGO_OFFSET_MAX &&
        l->next->start == l->end + 1) {
        struct pogo_lock *next = l->next;

        l->end = next->end;
        l->next = next->next;
        pogo_free(next);
    }
    if (prev && prev->type == l->type && prev->end + 1 == l->start) {
        prev->end = l->end;
        prev->next = l->next;
        pogo_free(l);
    }
}

int pogo_lock_set(struct pogo_vnode *v, int type, int64_t start, int64_t end)
{
    struct pogo_lock *spare = NULL;

    /* Reserve the two locks a split and an insert may need. */
    for (int i = 0; i < 2; i++) {
        struct pogo_lock *l = pogo_malloc(sizeof(*l));

        if (!l) {
            while (spare) {
                struct pogo_lock *next = spare->next;

                pogo_free(spare);
                spare = next;
            }
            return -ENOLCK;
        }
        l->next = spare;
        spare = l;
    }

    cut_range(v, start, end, &spare);
    if (type != POGO_F_UNLCK)
        insert_merged(v, new_lock(&spare, type, start, end));
    while (spare) {
        struct pogo_lock *next = spare->next;

        pogo_free(spare);
        spare = next;
    }
    return 0;
}

void pogo_lock_release_all(struct pogo_vnode *v)
{
    while (v->locks) {
        struct pogo_lock *l = v->locks;

        v->locks = l->next;
        pogo_free(l);
    }
}
