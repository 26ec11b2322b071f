/* SPDX-License-Identifier: BSD-3-Clause */
/* Open file descriptions: references, names, and the buffers of I/O. */
#include <pogo/alloc.h>
#include <pogo/errno.h>
#include <pogo/format.h>
#include <pogo/string.h>
#include <pogo/uaccess.h>
#include <pogo/vfs.h>

void pogo_uio_init(struct pogo_uio *u, struct pogo_iovec *iov, uintptr_t base,
                   size_t len, bool kernel)
{
    iov->base = base;
    iov->len = len;
    u->iov = iov;
    u->count = 1;
    u->offset = 0;
    u->resid = len;
    u->kernel = kernel;
}

/* Skips empty buffers so that iov[0] has room, unless none is left. */
static void uio_settle(struct pogo_uio *u)
{
    while (u->count && u->offset == u->iov->len) {
        u->iov++;
        u->count--;
        u->offset = 0;
    }
}

static void uio_advance(struct pogo_uio *u, size_t n)
{
    u->offset += n;
    u->resid -= n;
}

/*
 * Copies between kernel memory at k and the buffers of u. out: from k into
 * u. k NULL with out: zeros. Application memory is copied one page at a
 * time, so that after a fault u has advanced exactly past the bytes that
 * were copied, as Linux counts a partial read or write.
 */
static int uio_move(struct pogo_uio *u, void *k, size_t n, bool out)
{
    char *at = k;

    n = POGO_MIN(n, u->resid);
    while (n) {
        size_t chunk;
        uintptr_t buf;
        int err = 0;

        uio_settle(u);
        chunk = POGO_MIN(n, u->iov->len - u->offset);
        buf = u->iov->base + u->offset;
        if (u->kernel) {
            if (!out)
                pogo_memcpy(at, (void *)buf, chunk);
            else if (at)
                pogo_memcpy((void *)buf, at, chunk);
            else
                pogo_memset((void *)buf, 0, chunk);
        } else {
            chunk =
                POGO_MIN(chunk, POGO_PAGE_SIZE - (buf & (POGO_PAGE_SIZE - 1)));
            if (!out)
                err = pogo_copy_from_user(at, (const void *)buf, chunk);
            else if (at)
                err = pogo_copy_to_user((void *)buf, at, chunk);
            else
                err = pogo_clear_user((void *)buf, chunk);
        }
        if (err)
            return -EFAULT;
        uio_advance(u, chunk);
        if (at)
            at += chunk;
        n -= chunk;
    }
    return 0;
}

int pogo_uio_copy_out(struct pogo_uio *u, const void *src, size_t n)
{
    return uio_move(u, (void *)src, n, true);
}

int pogo_uio_copy_in(struct pogo_uio *u, void *dst, size_t n)
{
    return uio_move(u, dst, n, false);
}

bool pogo_file_readable(const struct pogo_file *f)
{
    unsigned acc = f->flags & POGO_O_ACCMODE;

    return !(f->flags & POGO_O_PATH) &&
           (acc == POGO_O_RDONLY || acc == POGO_O_RDWR);
}

bool pogo_file_writable(const struct pogo_file *f)
{
    unsigned acc = f->flags & POGO_O_ACCMODE;

    return !(f->flags & POGO_O_PATH) &&
           (acc == POGO_O_WRONLY || acc == POGO_O_RDWR);
}

struct pogo_file *pogo_file_alloc(struct pogo_vnode *v,
                                  const struct pogo_file_ops *ops,
                                  unsigned flags)
{
    struct pogo_file *f = pogo_calloc(1, sizeof(*f));

    if (!f)
        return NULL;
    f->ops = ops;
    f->vnode = v;
    f->flags = flags;
    f->refs = 1;
    pogo_vnode_get(v);
    return f;
}

void pogo_file_get(struct pogo_file *f)
{
    f->refs++;
}

void pogo_file_put(struct pogo_file *f)
{
    if (--f->refs)
        return;
    pogo_epoll_file_closing(f);
    if (f->ops && f->ops->release)
        f->ops->release(f);
    pogo_vnode_put(f->vnode);
    pogo_free(f->path);
    pogo_free(f);
}

static const char *anon_kind(uint32_t mode)
{
    switch (POGO_S_TYPE(mode)) {
    case POGO_S_IFIFO:
        return "pipe";
    case POGO_S_IFSOCK:
        return "socket";
    default:
        return "anon_inode";
    }
}

size_t pogo_file_name(const struct pogo_file *f, char *buf, size_t size)
{
    const struct pogo_vnode *v = f->vnode;
    int n;

    if (!f->path)
        n = pogo_snprintf(buf, size, "%s:[%lu]", anon_kind(v->mode),
                          (unsigned long)v->ino);
    else if (v->nlink == 0)
        n = pogo_snprintf(buf, size, "%s (deleted)", f->path);
    else
        n = pogo_snprintf(buf, size, "%s", f->path);
    return POGO_MIN((size_t)n, size ? size - 1 : 0);
}

long pogo_file_read_kernel(struct pogo_file *f, void *buf, size_t len,
                           int64_t *pos)
{
    struct pogo_iovec iov;
    struct pogo_uio u;

    if (!f->ops->read)
        return -EINVAL;
    pogo_uio_init(&u, &iov, (uintptr_t)buf, len, true);
    return f->ops->read(f, &u, pos);
}

long pogo_file_write_kernel(struct pogo_file *f, const void *buf, size_t len,
                            int64_t *pos)
{
    struct pogo_iovec iov;
    struct pogo_uio u;

    if (!f->ops->write)
        return -EINVAL;
    pogo_uio_init(&u, &iov, (uintptr_t)buf, len, true);
    return f->ops->write(f, &u, pos);
}

POGO_WEAK void pogo_epoll_file_closing(struct pogo_file *f)
{
}

static int vm_page(void *file, uint64_t offset, bool create, uintptr_t *frame)
{
    struct pogo_vnode *v = ((struct pogo_file *)file)->vnode;

    if (!v->ops->page)
        return -ENXIO;
    return v->ops->page(v, offset, create, frame);
}

static void vm_hold(void *file)
{
    pogo_file_get(file);
}

static void vm_release(void *file)
{
    pogo_file_put(file);
}

const struct pogo_vm_file_ops pogo_vfs_vm_ops = {
    .page = vm_page,
    .hold = vm_hold,
    .release = vm_release,
};
