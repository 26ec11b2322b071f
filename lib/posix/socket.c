/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Socket syscalls: AF_INET stream and datagram sockets as files, on the
 * kernel sockets of lib/net, and the AF_UNIX stream pairs of unix.c.
 * socket(2) of other address families, AF_UNIX included, fails with
 * EAFNOSUPPORT.
 * A TCP write to a connection that ended raises SIGPIPE unless
 * MSG_NOSIGNAL is given (or SIGPIPE is ignored), as on Linux.
 */
#include <pogo/alloc.h>
#include <pogo/errno.h>
#include <pogo/log.h>
#include <pogo/socket.h>
#include <pogo/string.h>
#include <pogo/uaccess.h>
#include <pogo/vfs.h>

#include "abi.h"
#include "files.h"
#include "posix.h"
#include "syscalls.h"
#include "unix.h"

#define SOCK_STREAM    1
#define SOCK_DGRAM     2
#define SOCK_RAW       3
#define SOCK_SEQPACKET 5
#define SOCK_MAX       11 /* types at or above it are invalid */
#define SOCK_TYPE_MASK 0xf
#define SOCK_NONBLOCK  04000
#define SOCK_CLOEXEC   02000000

#define IPPROTO_IP  0
#define IPPROTO_TCP 6
#define IPPROTO_UDP 17

#define FIONREAD 0x541b
#define SIOCOUTQ 0x5411

#define MAX_IOV 1024

struct sockaddr_in_k {
    uint16_t family;
    uint16_t port;
    uint32_t addr;
    uint8_t zero[8];
};

struct msghdr_k {
    uintptr_t name;
    int32_t namelen;
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

/* A TCP send that found the connection ended raises SIGPIPE. */
static long pipe_error(struct pogo_socket *sock, long r, int flags)
{
    if (r == -EPIPE && !(flags & POGO_MSG_NOSIGNAL) &&
        pogo_socket_type(sock) == POGO_SOCK_STREAM)
        posix_send_sigpipe();
    return r;
}

static long sock_read(struct pogo_file *f, struct pogo_uio *u, int64_t *pos)
{
    /* Linux's read of 0 bytes returns at once, unlike recv. */
    if (u->resid == 0)
        return 0;
    return pogo_socket_recv(sock_of(f)->sock, u, 0, NULL, NULL, nonblocking(f));
}

static long sock_write(struct pogo_file *f, struct pogo_uio *u, int64_t *pos)
{
    struct pogo_socket *sock = sock_of(f)->sock;

    return pipe_error(sock, pogo_socket_send(sock, u, 0, NULL, nonblocking(f)),
                      0);
}

static unsigned sock_poll(struct pogo_file *f, struct pogo_poll_head **head)
{
    struct sockfile *sf = sock_of(f);

    *head = &sf->poll;
    return pogo_socket_poll(sf->sock);
}

static long sock_ioctl(struct pogo_file *f, unsigned int cmd, unsigned long arg)
{
    struct pogo_socket *sock = sock_of(f)->sock;
    long n;
    int v;

    if (cmd == FIONREAD)
        n = pogo_socket_readable(sock);
    else if (cmd == SIOCOUTQ)
        n = pogo_socket_unsent(sock);
    else
        return -ENOTTY;
    if (n < 0)
        return n;
    v = (int)n;
    return pogo_copy_to_user((void *)arg, &v, sizeof(v));
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

/* Takes a new reference to the socket file of fd, an AF_INET socket or an
 * AF_UNIX pair's end; -EBADF or -ENOTSOCK. */
static int get_socket(int fd, struct pogo_file **out)
{
    struct pogo_file *f = pogo_fd_get(fd);

    if (!f)
        return -EBADF;
    if (f->ops != &socket_ops && !posix_unix_is_end(f)) {
        pogo_file_put(f);
        return -ENOTSOCK;
    }
    *out = f;
    return 0;
}

/*
 * Copies an address from the application as Linux's move_addr_to_kernel
 * does: a length below 0 or beyond sockaddr_storage is -EINVAL, and all
 * the bytes given must be readable. The socket checks the rest.
 */
static int read_sockaddr(uintptr_t uaddr, int len, struct pogo_sockaddr_arg *a)
{
    uint8_t raw[POGO_SOCKADDR_STORAGE_LEN];
    struct sockaddr_in_k sin;

    if (len < 0 || len > (int)sizeof(raw))
        return -EINVAL;
    if (len > 0 && pogo_copy_from_user(raw, (const void *)uaddr, len))
        return -EFAULT;
    pogo_memset(&sin, 0, sizeof(sin));
    pogo_memcpy(&sin, raw, POGO_MIN((size_t)len, sizeof(sin)));
    a->len = len;
    a->family = sin.family;
    a->in.addr = sin.addr;
    a->in.port = sin.port;
    return 0;
}

/*
 * Writes an address of klen bytes (0: none, as TCP's receives give) to the
 * application's buffer and length, as Linux's move_addr_to_user: it
 * truncates to the buffer and stores the full length.
 */
static int copy_name_out(uintptr_t uaddr, uintptr_t ulen, const void *kaddr,
                         int32_t klen)
{
    int32_t len;

    if (pogo_copy_from_user(&len, (void *)ulen, sizeof(len)))
        return -EFAULT;
    len = POGO_MIN(len, klen);
    if (len < 0)
        return -EINVAL;
    if (len > 0 && pogo_copy_to_user((void *)uaddr, kaddr, len))
        return -EFAULT;
    return pogo_copy_to_user((void *)ulen, &klen, sizeof(klen));
}

static int write_sockaddr(uintptr_t uaddr, uintptr_t ulen,
                          const struct pogo_sockaddr *a, int32_t klen)
{
    struct sockaddr_in_k sin = {
        .family = POGO_AF_INET, .port = a->port, .addr = a->addr};

    return copy_name_out(uaddr, ulen, &sin, klen);
}

/* The name of an AF_UNIX pair's end, which is unbound: the family alone. */
static int write_unix_name(uintptr_t uaddr, uintptr_t ulen)
{
    uint16_t family = POGO_AF_UNIX;

    return copy_name_out(uaddr, ulen, &family, sizeof(family));
}

long sys_socket(int domain, int type, int protocol)
{
    struct pogo_socket *sock;
    int kind = type & SOCK_TYPE_MASK;
    int err;

    if (type & ~(SOCK_TYPE_MASK | SOCK_NONBLOCK | SOCK_CLOEXEC))
        return -EINVAL;
    if (domain != POGO_AF_INET)
        return -EAFNOSUPPORT;
    if (kind >= SOCK_MAX)
        return -EINVAL;
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
    int kind = type & SOCK_TYPE_MASK;

    if (type & ~(SOCK_TYPE_MASK | SOCK_NONBLOCK | SOCK_CLOEXEC))
        return -EINVAL;
    if (domain != POGO_AF_INET && domain != POGO_AF_UNIX)
        return -EAFNOSUPPORT;
    if (kind >= SOCK_MAX)
        return -EINVAL;
    if (domain == POGO_AF_INET)
        return -EOPNOTSUPP;
    if (protocol != 0 && protocol != POGO_AF_UNIX)
        return -EPROTONOSUPPORT;
    if (kind == SOCK_RAW)
        kind = SOCK_DGRAM; /* as Linux's AF_UNIX does */
    if (kind != SOCK_STREAM && kind != SOCK_DGRAM && kind != SOCK_SEQPACKET)
        return -ESOCKTNOSUPPORT;
    return posix_unix_socketpair(kind, type & SOCK_NONBLOCK,
                                 type & SOCK_CLOEXEC, sv);
}

/* Binding a pair's end to a path would give it a name in the file system,
 * which Pogo's AF_UNIX sockets do not have. */
static int bind_unix_end(void)
{
    static bool warned;

    if (!warned) {
        warned = true;
        pogo_warn("posix: bind of an AF_UNIX socket is not implemented; "
                  "returning ENOSYS\n");
    }
    return -ENOSYS;
}

long sys_bind(int fd, long uaddr, int len)
{
    struct pogo_sockaddr_arg a;
    struct pogo_file *f;
    int err = get_socket(fd, &f);

    if (err)
        return err;
    if (posix_unix_is_end(f)) {
        pogo_file_put(f);
        return bind_unix_end();
    }
    err = read_sockaddr(uaddr, len, &a);
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
    if (posix_unix_is_end(f))
        err = posix_unix_not_listening(f);
    else
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
    if (posix_unix_is_end(f)) {
        err = posix_unix_not_listening(f);
        pogo_file_put(f);
        return err;
    }
    /* Linux takes the fd first, so a full table keeps the connection. */
    err = pogo_fd_lowest_free(0);
    if (err >= 0)
        err =
            pogo_socket_accept(sock_of(f)->sock, &child, &peer, nonblocking(f));
    pogo_file_put(f);
    if (err)
        return err;
    if (uaddr)
        err = write_sockaddr(uaddr, ulen, &peer, sizeof(struct sockaddr_in_k));
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
    struct pogo_sockaddr_arg a;
    struct pogo_file *f;
    int err = get_socket(fd, &f);

    if (err)
        return err;
    err = read_sockaddr(uaddr, len, &a);
    if (!err && posix_unix_is_end(f))
        err = posix_unix_connect(f);
    else if (!err)
        err = pogo_socket_connect(sock_of(f)->sock, &a, nonblocking(f));
    pogo_file_put(f);
    return err;
}

/* Sends u on the socket of f with MSG_ flags, to the address to (NULL:
 * the peer), for sendto and sendmsg. */
static long send_on(struct pogo_file *f, struct pogo_uio *u, int flags,
                    const struct pogo_sockaddr_arg *to)
{
    struct pogo_socket *sock;

    if (posix_unix_is_end(f))
        return posix_unix_send(f, u, flags, to != NULL);
    sock = sock_of(f)->sock;
    return pipe_error(
        sock, pogo_socket_send(sock, u, flags, to, nonblocking(f)), flags);
}

/* Receives into u from the socket of f, for recvfrom and recvmsg. Stores
 * the sender in *from, and the length of its address in *from_len (0 when
 * the call reports none). */
static long recv_on(struct pogo_file *f, struct pogo_uio *u, int flags,
                    struct pogo_sockaddr *from, int *msg_flags,
                    int32_t *from_len)
{
    struct pogo_socket *sock;

    if (posix_unix_is_end(f)) {
        *from_len = 0;
        return posix_unix_recv(f, u, flags, msg_flags);
    }
    sock = sock_of(f)->sock;
    *from_len = pogo_socket_type(sock) == POGO_SOCK_DGRAM
                    ? sizeof(struct sockaddr_in_k)
                    : 0;
    return pogo_socket_recv(sock, u, flags, from, msg_flags, nonblocking(f));
}

long sys_sendto(int fd, long buf, long len, unsigned int flags, long uaddr,
                int alen)
{
    struct pogo_sockaddr_arg to;
    struct pogo_iovec iov;
    struct pogo_uio u;
    struct pogo_file *f;
    long r = get_socket(fd, &f);

    if (r)
        return r;
    if (uaddr)
        r = read_sockaddr(uaddr, alen, &to);
    if (!r) {
        pogo_uio_init(&u, &iov, buf,
                      POGO_MIN((size_t)len, (size_t)LINUX_MAX_RW_COUNT), false);
        r = send_on(f, &u, flags, uaddr ? &to : NULL);
    }
    pogo_file_put(f);
    return r;
}

long sys_recvfrom(int fd, long buf, long len, unsigned int flags, long uaddr,
                  long ulen)
{
    struct pogo_sockaddr from = {0, 0};
    struct pogo_iovec iov;
    struct pogo_uio u;
    struct pogo_file *f;
    int32_t from_len;
    long r = get_socket(fd, &f);

    if (r)
        return r;
    pogo_uio_init(&u, &iov, buf,
                  POGO_MIN((size_t)len, (size_t)LINUX_MAX_RW_COUNT), false);
    r = recv_on(f, &u, flags, &from, NULL, &from_len);
    if (r >= 0 && uaddr) {
        int err = write_sockaddr(uaddr, ulen, &from, from_len);

        if (err)
            r = err;
    }
    pogo_file_put(f);
    return r;
}

/*
 * Reads a msghdr as Linux's __copy_msghdr: a NULL name has length 0, a
 * negative length is -EINVAL, and a longer one is cut to
 * sockaddr_storage. Then reads the iovecs into u (*iov to free).
 */
static long read_msghdr(long umsg, struct msghdr_k *m, struct pogo_uio *u,
                        struct pogo_iovec **iov)
{
    size_t total;
    long r;

    *iov = NULL;
    if (pogo_copy_from_user(m, (void *)umsg, sizeof(*m)))
        return -EFAULT;
    if (!m->name)
        m->namelen = 0;
    if (m->namelen < 0)
        return -EINVAL;
    m->namelen = POGO_MIN(m->namelen, POGO_SOCKADDR_STORAGE_LEN);
    if (m->iovlen > MAX_IOV)
        return -EMSGSIZE;
    r = posix_get_iovec(m->iov, m->iovlen, iov, &total);
    if (r)
        return r;
    *u = (struct pogo_uio){.iov = *iov, .count = m->iovlen, .resid = total};
    return 0;
}

long sys_sendmsg(int fd, long umsg, unsigned int flags)
{
    struct pogo_sockaddr_arg to;
    struct pogo_iovec *iov = NULL;
    struct msghdr_k m;
    struct pogo_uio u;
    struct pogo_file *f;
    long r = get_socket(fd, &f);

    if (r)
        return r;
    r = read_msghdr(umsg, &m, &u, &iov);
    if (!r && m.namelen)
        r = read_sockaddr(m.name, m.namelen, &to);
    /* NOTE: control messages are ignored, where Linux rejects the ones
     * that it does not know with EINVAL. */
    if (!r)
        r = send_on(f, &u, flags, m.namelen ? &to : NULL);
    pogo_free(iov);
    pogo_file_put(f);
    return r;
}

/* Stores the results of a recvmsg in the application's msghdr: the
 * sender's name, the flags, and no control data. */
static int write_msg_results(long umsg, const struct msghdr_k *m,
                             const struct pogo_sockaddr *from, int32_t klen,
                             int msg_flags)
{
    struct msghdr_k *um = (struct msghdr_k *)umsg;
    size_t none = 0;
    int err = 0;

    if (m->name)
        err = write_sockaddr(m->name, (uintptr_t)&um->namelen, from, klen);
    if (!err && (pogo_copy_to_user(&um->flags, &msg_flags, sizeof(msg_flags)) ||
                 pogo_copy_to_user(&um->controllen, &none, sizeof(none))))
        err = -EFAULT;
    return err;
}

long sys_recvmsg(int fd, long umsg, unsigned int flags)
{
    struct pogo_sockaddr from = {0, 0};
    struct pogo_iovec *iov = NULL;
    struct msghdr_k m;
    struct pogo_uio u;
    struct pogo_file *f;
    int msg_flags = 0;
    int32_t from_len;
    long r = get_socket(fd, &f);

    if (r)
        return r;
    r = read_msghdr(umsg, &m, &u, &iov);
    if (!r)
        r = recv_on(f, &u, flags, &from, &msg_flags, &from_len);
    if (r >= 0) {
        int err = write_msg_results(umsg, &m, &from, from_len, msg_flags);

        if (err)
            r = err;
    }
    pogo_free(iov);
    pogo_file_put(f);
    return r;
}

long sys_shutdown(int fd, int how)
{
    struct pogo_file *f;
    int err = get_socket(fd, &f);

    if (err)
        return err;
    if (posix_unix_is_end(f))
        err = posix_unix_shutdown(f, how);
    else
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
    if (posix_unix_is_end(f)) {
        pogo_file_put(f);
        return write_unix_name(uaddr, ulen);
    }
    err = peer ? pogo_socket_peer(sock_of(f)->sock, &a)
               : pogo_socket_name(sock_of(f)->sock, &a);
    pogo_file_put(f);
    return err ? err
               : write_sockaddr(uaddr, ulen, &a, sizeof(struct sockaddr_in_k));
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
    else if (posix_unix_is_end(f))
        err = posix_unix_setopt(f, level, name, val, len);
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
    if (posix_unix_is_end(f))
        err = posix_unix_getopt(f, level, name, val, &n);
    else
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
