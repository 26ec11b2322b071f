/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Socket syscalls: AF_INET stream and datagram sockets as files, on the
 * kernel sockets of lib/net. Other address families answer EAFNOSUPPORT.
 * A write to a connection that ended raises SIGPIPE unless MSG_NOSIGNAL
 * is given (or SIGPIPE is ignored), as on Linux.
 */
#include <pogo/alloc.h>
#include <pogo/errno.h>
#include <pogo/socket.h>
#include <pogo/string.h>
#include <pogo/uaccess.h>
#include <pogo/vfs.h>

#include "abi.h"
#include "posix.h"
#include "syscalls.h"

#define AF_UNSPEC 0
#define AF_INET   2

#define SOCK_STREAM    1
#define SOCK_DGRAM     2
#define SOCK_TYPE_MASK 0xf
#define SOCK_NONBLOCK  04000
#define SOCK_CLOEXEC   02000000

#define IPPROTO_IP  0
#define IPPROTO_TCP 6
#define IPPROTO_UDP 17

#define SIGPIPE  13
#define FIONREAD 0x541b

#define MAX_IOV 1024

struct sockaddr_in_k {
    uint16_t family;
    uint16_t port;
    uint32_t addr;
    uint8_t zero[8];
};

struct msghdr_k {
    uintptr_t name;
    uint32_t namelen;
    uint32_t pad0;
    uintptr_t iov;
    size_t iovlen;
    uintptr_t control;
    size_t controllen;
    int32_t flags;
    int32_t pad1;
};

struct sockfile {
    struct pogo_socket *sock;
    struct pogo_poll_head poll;
};

static void notify(void *arg)
{
    struct sockfile *sf = arg;

    pogo_poll_notify(&sf->poll, pogo_socket_poll(sf->sock));
}

static struct sockfile *sock_of(struct pogo_file *f)
{
    return f->data;
}

static bool nonblocking(struct pogo_file *f)
{
    return f->flags & POGO_O_NONBLOCK;
}

/* A short write that ended the connection raises SIGPIPE. */
static long pipe_error(long r, int flags)
{
    if (r == -EPIPE && !(flags & POGO_MSG_NOSIGNAL))
        posix_signal_send(pogo_thread_current(), SIGPIPE);
    return r;
}

static long sock_read(struct pogo_file *f, struct pogo_uio *u, int64_t *pos)
{
    struct sockfile *sf = sock_of(f);
    long total = 0;

    /* One receive per buffer: stop at the first short one. */
    while (u->count > 0 && u->resid > 0) {
        const struct pogo_iovec *v = &u->iov[0];
        size_t len = v->len - u->offset;
        long n = pogo_socket_recv(sf->sock, (void *)(v->base + u->offset), len,
                                  0, NULL, NULL, nonblocking(f) || total > 0);
        if (n < 0)
            return total ? total : n;
        total += n;
        u->resid -= n;
        if ((size_t)n < len) {
            u->offset += n;
            break;
        }
        u->iov++;
        u->count--;
        u->offset = 0;
    }
    return total;
}

static long sock_write(struct pogo_file *f, struct pogo_uio *u, int64_t *pos)
{
    struct sockfile *sf = sock_of(f);
    long total = 0;

    while (u->count > 0 && u->resid > 0) {
        const struct pogo_iovec *v = &u->iov[0];
        size_t len = v->len - u->offset;
        long n = pogo_socket_send(sf->sock, (const void *)(v->base + u->offset),
                                  len, POGO_MSG_NOSIGNAL, NULL, nonblocking(f));
        if (n < 0)
            return total ? total : pipe_error(n, 0);
        total += n;
        u->resid -= n;
        if ((size_t)n < len) {
            u->offset += n;
            break;
        }
        u->iov++;
        u->count--;
        u->offset = 0;
    }
    return total;
}

static unsigned sock_poll(struct pogo_file *f, struct pogo_poll_head **head)
{
    struct sockfile *sf = sock_of(f);

    *head = &sf->poll;
    return pogo_socket_poll(sf->sock);
}

static long sock_ioctl(struct pogo_file *f, unsigned int cmd, unsigned long arg)
{
    int n;

    if (cmd != FIONREAD)
        return -ENOTTY;
    n = (int)pogo_socket_readable(sock_of(f)->sock);
    return pogo_copy_to_user((void *)arg, &n, sizeof(n));
}

static void sock_release(struct pogo_file *f)
{
    struct sockfile *sf = sock_of(f);

    pogo_socket_set_notify(sf->sock, NULL, NULL);
    pogo_socket_close(sf->sock);
    pogo_free(sf);
}

static const struct pogo_file_ops socket_ops = {
    .read = sock_read,
    .write = sock_write,
    .poll = sock_poll,
    .ioctl = sock_ioctl,
    .release = sock_release,
};

/* Wraps a kernel socket in a file and an fd. Returns the fd, or an error
 * after closing the socket. */
static int install(struct pogo_socket *sock, int flags)
{
    struct sockfile *sf = pogo_calloc(1, sizeof(*sf));
    struct pogo_vnode *v = pogo_vnode_anon(POGO_S_IFSOCK | 0777, NULL);
    struct pogo_file *f = NULL;
    int fd;

    if (sf && v)
        f = pogo_file_alloc(
            v, &socket_ops,
            POGO_O_RDWR | ((flags & SOCK_NONBLOCK) ? POGO_O_NONBLOCK : 0));
    if (v)
        pogo_vnode_put(v);
    if (!f) {
        pogo_free(sf);
        pogo_socket_close(sock);
        return -ENOMEM;
    }
    sf->sock = sock;
    f->data = sf;
    pogo_socket_set_notify(sock, notify, sf);
    fd = pogo_fd_install(f, 0, flags & SOCK_CLOEXEC);
    if (fd < 0)
        pogo_file_put(f);
    return fd;
}

/* Takes a new reference to the socket file of fd; -EBADF or -ENOTSOCK. */
static int get_socket(int fd, struct pogo_file **out)
{
    struct pogo_file *f = pogo_fd_get(fd);

    if (!f)
        return -EBADF;
    if (f->ops != &socket_ops) {
        pogo_file_put(f);
        return -ENOTSOCK;
    }
    *out = f;
    return 0;
}

static int read_sockaddr(uintptr_t uaddr, uint32_t len, struct pogo_sockaddr *a,
                         bool allow_unspec)
{
    struct sockaddr_in_k sin;

    if (len < sizeof(uint16_t))
        return -EINVAL;
    if (pogo_copy_from_user(&sin, (void *)uaddr, POGO_MIN(len, sizeof(sin))))
        return -EFAULT;
    if (sin.family == AF_UNSPEC && allow_unspec) {
        a->addr = 0;
        a->port = 0;
        return 1;
    }
    if (sin.family != AF_INET)
        return -EAFNOSUPPORT;
    if (len < sizeof(sin))
        return -EINVAL;
    a->addr = sin.addr;
    a->port = sin.port;
    return 0;
}

/* Writes a to the application's sockaddr and length, truncating as
 * Linux does while reporting the full length. */
static int write_sockaddr(uintptr_t uaddr, uintptr_t ulen,
                          const struct pogo_sockaddr *a)
{
    struct sockaddr_in_k sin = {
        .family = AF_INET, .port = a->port, .addr = a->addr};
    int32_t len;

    if (!uaddr)
        return 0;
    if (pogo_copy_from_user(&len, (void *)ulen, sizeof(len)))
        return -EFAULT;
    if (len < 0)
        return -EINVAL;
    if (pogo_copy_to_user((void *)uaddr, &sin,
                          POGO_MIN((size_t)len, sizeof(sin))))
        return -EFAULT;
    len = sizeof(sin);
    return pogo_copy_to_user((void *)ulen, &len, sizeof(len));
}

long sys_socket(int domain, int type, int protocol)
{
    struct pogo_socket *sock;
    int kind = type & SOCK_TYPE_MASK;
    int err;

    if (type & ~(SOCK_TYPE_MASK | SOCK_NONBLOCK | SOCK_CLOEXEC))
        return -EINVAL;
    if (domain != AF_INET)
        return -EAFNOSUPPORT;
    if (kind == SOCK_STREAM) {
        if (protocol != IPPROTO_IP && protocol != IPPROTO_TCP)
            return -EPROTONOSUPPORT;
        err = pogo_socket_create(POGO_SOCK_STREAM, &sock);
    } else if (kind == SOCK_DGRAM) {
        if (protocol != IPPROTO_IP && protocol != IPPROTO_UDP)
            return -EPROTONOSUPPORT;
        err = pogo_socket_create(POGO_SOCK_DGRAM, &sock);
    } else {
        return -ESOCKTNOSUPPORT;
    }
    if (err)
        return err;
    return install(sock, type);
}

long sys_socketpair(int domain, int type, int protocol, long sv)
{
    return domain == AF_INET ? -EOPNOTSUPP : -EAFNOSUPPORT;
}

long sys_bind(int fd, long uaddr, int len)
{
    struct pogo_sockaddr a;
    struct pogo_file *f;
    int err = get_socket(fd, &f);

    if (err)
        return err;
    err = read_sockaddr(uaddr, len, &a, false);
    if (!err)
        err = pogo_socket_bind(sock_of(f)->sock, &a);
    pogo_file_put(f);
    return err;
}

long sys_listen(int fd, int backlog)
{
    struct pogo_file *f;
    int err = get_socket(fd, &f);

    if (err)
        return err;
    err = pogo_socket_listen(sock_of(f)->sock, backlog);
    pogo_file_put(f);
    return err;
}

long sys_accept4(int fd, long uaddr, long ulen, int flags)
{
    struct pogo_socket *child;
    struct pogo_sockaddr peer;
    struct pogo_file *f;
    int err;

    if (flags & ~(SOCK_NONBLOCK | SOCK_CLOEXEC))
        return -EINVAL;
    err = get_socket(fd, &f);
    if (err)
        return err;
    err = pogo_socket_accept(sock_of(f)->sock, &child, &peer, nonblocking(f));
    pogo_file_put(f);
    if (err)
        return err;
    err = write_sockaddr(uaddr, ulen, &peer);
    if (err) {
        pogo_socket_close(child);
        return err;
    }
    return install(child, flags);
}

long sys_accept(int fd, long uaddr, long ulen)
{
    return sys_accept4(fd, uaddr, ulen, 0);
}

long sys_connect(int fd, long uaddr, int len)
{
    struct pogo_sockaddr a;
    struct pogo_file *f;
    int err = get_socket(fd, &f);

    if (err)
        return err;
    err = read_sockaddr(uaddr, len, &a, true);
    if (err == 1)
        err = pogo_socket_disconnect(sock_of(f)->sock);
    else if (!err)
        err = pogo_socket_connect(sock_of(f)->sock, &a, nonblocking(f));
    pogo_file_put(f);
    return err;
}

long sys_sendto(int fd, long buf, long len, unsigned int flags, long uaddr,
                int alen)
{
    struct pogo_sockaddr to;
    struct pogo_file *f;
    long r = get_socket(fd, &f);

    if (r)
        return r;
    if (uaddr && pogo_socket_type(sock_of(f)->sock) == POGO_SOCK_DGRAM) {
        r = read_sockaddr(uaddr, alen, &to, false);
        if (r == 0)
            r = pogo_socket_send(sock_of(f)->sock, (void *)buf, len, flags, &to,
                                 nonblocking(f));
    } else {
        r = pogo_socket_send(sock_of(f)->sock, (void *)buf, len, flags, NULL,
                             nonblocking(f));
    }
    pogo_file_put(f);
    return pipe_error(r, flags);
}

long sys_recvfrom(int fd, long buf, long len, unsigned int flags, long uaddr,
                  long ulen)
{
    struct pogo_sockaddr from = {0, 0};
    struct pogo_file *f;
    long r = get_socket(fd, &f);

    if (r)
        return r;
    r = pogo_socket_recv(sock_of(f)->sock, (void *)buf, len, flags, &from, NULL,
                         nonblocking(f));
    pogo_file_put(f);
    if (r >= 0 && uaddr) {
        int err = write_sockaddr(uaddr, ulen, &from);
        if (err)
            return err;
    }
    return r;
}

/* Gathers the iovecs of a message into one kernel buffer (datagrams must
 * go out whole). Returns the length or a negative errno. */
static long gather(const struct msghdr_k *m, uint8_t **out)
{
    struct linux_iovec v;
    size_t total = 0, at = 0;
    uint8_t *buf;

    if (m->iovlen > MAX_IOV)
        return -EMSGSIZE;
    for (size_t i = 0; i < m->iovlen; i++) {
        if (pogo_copy_from_user(&v, (void *)(m->iov + i * sizeof(v)),
                                sizeof(v)))
            return -EFAULT;
        total += v.len;
        if (total > 65536)
            return -EMSGSIZE;
    }
    buf = pogo_malloc(total ? total : 1);
    if (!buf)
        return -ENOMEM;
    for (size_t i = 0; i < m->iovlen; i++) {
        pogo_copy_from_user(&v, (void *)(m->iov + i * sizeof(v)), sizeof(v));
        if (pogo_copy_from_user(buf + at, (void *)v.base, v.len)) {
            pogo_free(buf);
            return -EFAULT;
        }
        at += v.len;
    }
    *out = buf;
    return total;
}

long sys_sendmsg(int fd, long umsg, unsigned int flags)
{
    struct pogo_sockaddr to, *top = NULL;
    struct msghdr_k m;
    struct linux_iovec v;
    struct pogo_file *f;
    long r = get_socket(fd, &f), total = 0;
    struct pogo_socket *sock;
    uint8_t *buf;

    if (r)
        return r;
    sock = sock_of(f)->sock;
    if (pogo_copy_from_user(&m, (void *)umsg, sizeof(m))) {
        r = -EFAULT;
        goto out;
    }
    if (m.name && pogo_socket_type(sock) == POGO_SOCK_DGRAM) {
        r = read_sockaddr(m.name, m.namelen, &to, false);
        if (r)
            goto out;
        top = &to;
    }
    if (pogo_socket_type(sock) == POGO_SOCK_DGRAM) {
        r = gather(&m, &buf);
        if (r >= 0) {
            r = pogo_socket_send(sock, buf, r, flags, top, nonblocking(f));
            pogo_free(buf);
        }
        goto out;
    }
    if (m.iovlen > MAX_IOV) {
        r = -EMSGSIZE;
        goto out;
    }
    for (size_t i = 0; i < m.iovlen; i++) {
        long n;
        if (pogo_copy_from_user(&v, (void *)(m.iov + i * sizeof(v)),
                                sizeof(v))) {
            r = -EFAULT;
            break;
        }
        n = pogo_socket_send(sock, (void *)v.base, v.len,
                             flags | (i + 1 < m.iovlen ? POGO_MSG_MORE : 0),
                             NULL, nonblocking(f) || total > 0);
        if (n < 0) {
            r = n;
            break;
        }
        total += n;
        if ((size_t)n < v.len)
            break;
    }
    if (total > 0)
        r = total;
out:
    pogo_file_put(f);
    return pipe_error(r, flags);
}

long sys_recvmsg(int fd, long umsg, unsigned int flags)
{
    struct pogo_sockaddr from = {0, 0};
    struct msghdr_k m;
    struct linux_iovec v;
    struct pogo_file *f;
    long r = get_socket(fd, &f), total = 0;
    int msg_flags = 0;

    if (r)
        return r;
    if (pogo_copy_from_user(&m, (void *)umsg, sizeof(m))) {
        r = -EFAULT;
        goto out;
    }
    if (m.iovlen > MAX_IOV) {
        r = -EMSGSIZE;
        goto out;
    }
    for (size_t i = 0; i < m.iovlen; i++) {
        long n;
        if (pogo_copy_from_user(&v, (void *)(m.iov + i * sizeof(v)),
                                sizeof(v))) {
            r = -EFAULT;
            break;
        }
        n = pogo_socket_recv(sock_of(f)->sock, (void *)v.base, v.len, flags,
                             &from, &msg_flags, nonblocking(f) || total > 0);
        if (n < 0) {
            r = total ? total : n;
            break;
        }
        total += n;
        /* A datagram fills the first buffer only. */
        if ((size_t)n < v.len ||
            pogo_socket_type(sock_of(f)->sock) == POGO_SOCK_DGRAM)
            break;
    }
    if (total > 0 || r == 0)
        r = total;
    if (r >= 0) {
        struct sockaddr_in_k sin = {
            .family = AF_INET, .port = from.port, .addr = from.addr};
        uint32_t namelen = POGO_MIN(m.namelen, (uint32_t)sizeof(sin));
        if (m.name && pogo_copy_to_user((void *)m.name, &sin, namelen))
            r = -EFAULT;
        m.namelen = m.name ? sizeof(sin) : 0;
        m.controllen = 0;
        m.flags = msg_flags;
        if (r >= 0 && pogo_copy_to_user((void *)umsg, &m, sizeof(m)))
            r = -EFAULT;
    }
out:
    pogo_file_put(f);
    return r;
}

long sys_shutdown(int fd, int how)
{
    struct pogo_file *f;
    int err = get_socket(fd, &f);

    if (err)
        return err;
    err = pogo_socket_shutdown(sock_of(f)->sock, how);
    pogo_file_put(f);
    return err;
}

static long name_of(int fd, long uaddr, long ulen, bool peer)
{
    struct pogo_sockaddr a;
    struct pogo_file *f;
    int err = get_socket(fd, &f);

    if (err)
        return err;
    err = peer ? pogo_socket_peer(sock_of(f)->sock, &a)
               : pogo_socket_name(sock_of(f)->sock, &a);
    pogo_file_put(f);
    return err ? err : write_sockaddr(uaddr, ulen, &a);
}

long sys_getsockname(int fd, long uaddr, long ulen)
{
    return name_of(fd, uaddr, ulen, false);
}

long sys_getpeername(int fd, long uaddr, long ulen)
{
    return name_of(fd, uaddr, ulen, true);
}

long sys_setsockopt(int fd, int level, int name, long uval, int len)
{
    uint8_t val[64];
    struct pogo_file *f;
    int err;

    if (len < 0)
        return -EINVAL;
    err = get_socket(fd, &f);
    if (err)
        return err;
    if ((size_t)len > sizeof(val))
        len = sizeof(val);
    if (pogo_copy_from_user(val, (void *)uval, len))
        err = -EFAULT;
    else
        err = pogo_socket_setopt(sock_of(f)->sock, level, name, val, len);
    pogo_file_put(f);
    return err;
}

long sys_getsockopt(int fd, int level, int name, long uval, long ulen)
{
    uint8_t val[64];
    struct pogo_file *f;
    int32_t len;
    size_t n;
    int err = get_socket(fd, &f);

    if (err)
        return err;
    if (pogo_copy_from_user(&len, (void *)ulen, sizeof(len))) {
        err = -EFAULT;
        goto out;
    }
    if (len < 0) {
        err = -EINVAL;
        goto out;
    }
    n = POGO_MIN((size_t)len, sizeof(val));
    err = pogo_socket_getopt(sock_of(f)->sock, level, name, val, &n);
    if (!err) {
        len = n;
        if (pogo_copy_to_user((void *)uval, val, n) ||
            pogo_copy_to_user((void *)ulen, &len, sizeof(len)))
            err = -EFAULT;
    }
out:
    pogo_file_put(f);
    return err;
}
