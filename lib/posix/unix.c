/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * AF_UNIX socket pairs from socketpair(2): stream, seqpacket and datagram.
 * Each end reads one pipe buffer and writes the other, so stream ends have
 * a pipe's capacity and blocking rules, and the other types queue each
 * message whole. Shutdown and close set Linux's shutdown bits on the ends.
 * A receive shutdown also takes the writer out of the end's receive
 * buffer, so that its reads return 0 once the buffer is empty.
 */
#include <pogo/alloc.h>
#include <pogo/errno.h>
#include <pogo/log.h>
#include <pogo/socket.h>
#include <pogo/string.h>
#include <pogo/uaccess.h>

#include "files.h"
#include "syscalls.h"
#include "unix.h"

#define SOCK_STREAM    1
#define SOCK_DGRAM     2
#define SOCK_SEQPACKET 5

#define SOL_SOCKET    1
#define SO_TYPE       3
#define SO_ERROR      4
#define SO_SNDBUF     7
#define SO_RCVBUF     8
#define SO_ACCEPTCONN 30
#define SO_PROTOCOL   38
#define SO_DOMAIN     39

#define SHUT_RD   0
#define SHUT_RDWR 2

/* Linux's shutdown bits of a socket. */
#define RCV_SHUTDOWN  1
#define SEND_SHUTDOWN 2
#define SHUTDOWN_MASK 3

/* Linux's largest message: the default send buffer less 32 bytes. */
#define MAX_MESSAGE (POSIX_PIPE_MESSAGE_BYTES - 32)

#define FIONREAD 0x541b
#define SIOCOUTQ 0x5411

struct unix_end {
    struct pipe *rx;
    struct pipe *tx;
    struct unix_end *peer;
    struct unix_pair *pair;
    struct pogo_poll_head poll;
    unsigned shutdown; /* RCV_SHUTDOWN and SEND_SHUTDOWN */
    int error;         /* for SO_ERROR and the next read: ECONNRESET or 0 */
    bool open;
    bool disconnected; /* a datagram send found the peer closed */
};

struct unix_pair {
    struct pipe *pipes[2];
    struct unix_end ends[2];
    int type;
};

static const struct pogo_file_ops unix_ops;

static struct unix_end *end_of(struct pogo_file *f)
{
    return f->data;
}

bool posix_unix_is_end(struct pogo_file *f)
{
    return f->ops == &unix_ops;
}

static bool is_stream(const struct unix_end *e)
{
    return e->pair->type == SOCK_STREAM;
}

static bool is_datagram(const struct unix_end *e)
{
    return e->pair->type == SOCK_DGRAM;
}

/* Sets shutdown bits of e and wakes its waiters. */
static void shut(struct unix_end *e, unsigned bits)
{
    bits &= ~e->shutdown;
    e->shutdown |= bits;
    if (bits & RCV_SHUTDOWN)
        posix_pipe_shut(e->rx, false, true);
    else if (bits)
        posix_pipe_notify_all(e->tx);
}

static int pipe_flags(struct pogo_file *f, int msg_flags)
{
    int flags = POSIX_PIPE_NOSIGNAL; /* SIGPIPE is raised here */

    if ((f->flags & POGO_O_NONBLOCK) || (msg_flags & POGO_MSG_DONTWAIT))
        flags |= POSIX_PIPE_NONBLOCK;
    if (msg_flags & POGO_MSG_PEEK)
        flags |= POSIX_PIPE_PEEK;
    if (!is_stream(end_of(f)))
        flags |= POSIX_PIPE_MESSAGE;
    return flags;
}

/*
 * Reads once. At the end of the data, a pending error comes first, as
 * Linux reports ECONNRESET after a peer closed with data unread. Stores
 * the length of a message in *len.
 */
static long receive_once(struct unix_end *e, struct pogo_uio *u, int flags,
                         size_t *len)
{
    long r = posix_pipe_read(e->rx, u, flags, len);
    int err = e->error;

    if (r == 0 && err) {
        e->error = 0;
        return -err;
    }
    return r;
}

static long receive_stream(struct unix_end *e, struct pogo_uio *u, int flags,
                           int msg_flags)
{
    long total = 0, r;

    do {
        r = receive_once(e, u, flags, NULL);
        if (r > 0)
            total += r;
    } while (r > 0 && u->resid && (msg_flags & POGO_MSG_WAITALL) &&
             !(flags & (POSIX_PIPE_PEEK | POSIX_PIPE_NONBLOCK)));
    return total ? total : r;
}

long posix_unix_recv(struct pogo_file *f, struct pogo_uio *u, int msg_flags,
                     int *out_flags)
{
    struct unix_end *e = end_of(f);
    int flags = pipe_flags(f, msg_flags);
    size_t len = 0;
    long r;

    if (!u->resid)
        return 0;
    if (is_stream(e))
        return receive_stream(e, u, flags, msg_flags);
    /* Linux's datagram receive looks at the queue before the shutdown
     * state, so a non-blocking one fails with EAGAIN either way. */
    if (is_datagram(e) && (flags & POSIX_PIPE_NONBLOCK) &&
        posix_pipe_is_empty(e->rx))
        return -EAGAIN;
    r = receive_once(e, u, flags, &len);
    if (r < 0 || len <= (size_t)r)
        return r;
    if (out_flags)
        *out_flags |= POGO_MSG_TRUNC;
    return (msg_flags & POGO_MSG_TRUNC) ? (long)len : r;
}

/* The error of a send that cannot reach the peer: only a stream end raises
 * SIGPIPE. */
static long broken_pipe(struct unix_end *e, int msg_flags)
{
    if (is_stream(e) && !(msg_flags & POGO_MSG_NOSIGNAL))
        posix_send_sigpipe();
    return -EPIPE;
}

/* A datagram end whose peer closed: the first send fails with
 * ECONNREFUSED and disconnects the end, so later ones fail with ENOTCONN. */
static long peer_gone(struct unix_end *e)
{
    if (e->disconnected)
        return -ENOTCONN;
    e->disconnected = true;
    return -ECONNREFUSED;
}

/* A datagram end's send to an address or connect: Pogo has no named
 * AF_UNIX sockets for either to reach. */
static long address_not_implemented(const char *call)
{
    static bool warned;

    if (!warned) {
        warned = true;
        pogo_warn("posix: %s of an AF_UNIX datagram socket to an address is "
                  "not implemented; returning ENOSYS\n",
                  call);
    }
    return -ENOSYS;
}

int posix_unix_connect(struct pogo_file *f)
{
    if (is_datagram(end_of(f)))
        return address_not_implemented("connect");
    return -EISCONN;
}

long posix_unix_send(struct pogo_file *f, struct pogo_uio *u, int msg_flags,
                     bool to_address)
{
    struct unix_end *e = end_of(f);
    long r;

    if (msg_flags & POGO_MSG_OOB)
        return -EOPNOTSUPP;
    /* Linux's seqpacket send ignores an address. */
    if (to_address && is_stream(e))
        return -EISCONN;
    if (to_address && is_datagram(e))
        return address_not_implemented("sendto");
    if (e->shutdown & SEND_SHUTDOWN)
        return broken_pipe(e, msg_flags);
    if (!is_stream(e) && u->resid > MAX_MESSAGE)
        return -EMSGSIZE;
    if (!e->peer->open)
        return peer_gone(e);
    r = posix_pipe_write(e->tx, u, pipe_flags(f, msg_flags));
    if (r != -EPIPE)
        return r;
    return e->peer->open ? broken_pipe(e, msg_flags) : peer_gone(e);
}

static long unix_read(struct pogo_file *f, struct pogo_uio *u, int64_t *pos)
{
    return posix_unix_recv(f, u, 0, NULL);
}

static long unix_write(struct pogo_file *f, struct pogo_uio *u, int64_t *pos)
{
    return posix_unix_send(f, u, 0, false);
}

/* The bits of Linux's unix_poll and unix_dgram_poll for a connected end. */
static unsigned unix_poll(struct pogo_file *f, struct pogo_poll_head **head)
{
    struct unix_end *e = end_of(f);
    unsigned mask = 0;

    *head = &e->poll;
    if (e->error)
        mask |= POGO_POLLERR;
    if (e->shutdown == SHUTDOWN_MASK)
        mask |= POGO_POLLHUP;
    if (e->shutdown & RCV_SHUTDOWN)
        mask |= POGO_POLLRDHUP | POGO_POLLIN | POGO_POLLRDNORM;
    if (!posix_pipe_is_empty(e->rx))
        mask |= POGO_POLLIN | POGO_POLLRDNORM;
    /* Linux frees what a closed peer left unread, so the end can write. */
    if (!posix_pipe_is_full(e->tx) || !e->peer->open) {
        mask |= POGO_POLLOUT | POGO_POLLWRNORM;
        if (!is_stream(e))
            mask |= POGO_POLLWRBAND;
    }
    return mask;
}

static long unix_ioctl(struct pogo_file *f, unsigned int cmd, unsigned long arg)
{
    struct unix_end *e = end_of(f);
    int n;

    if (cmd == FIONREAD)
        n = posix_pipe_bytes(e->rx);
    else if (cmd == SIOCOUTQ)
        n = posix_pipe_bytes(e->tx);
    else
        return -ENOTTY;
    return pogo_copy_to_user((void *)arg, &n, sizeof(n));
}

/* Shuts down one end. A stream or seqpacket peer gets the mirror bits:
 * what one end stops sending, the other stops receiving. */
int posix_unix_shutdown(struct pogo_file *f, int how)
{
    struct unix_end *e = end_of(f);
    unsigned bits, mirror;

    if (how < SHUT_RD || how > SHUT_RDWR)
        return -EINVAL;
    bits = how + 1;
    shut(e, bits);
    if (is_datagram(e) || !e->peer->open)
        return 0;
    mirror = ((bits & RCV_SHUTDOWN) ? SEND_SHUTDOWN : 0) |
             ((bits & SEND_SHUTDOWN) ? RCV_SHUTDOWN : 0);
    shut(e->peer, mirror);
    return 0;
}

int posix_unix_not_listening(struct pogo_file *f)
{
    return is_datagram(end_of(f)) ? -EOPNOTSUPP : -EINVAL;
}

static void free_pair(struct unix_pair *pair)
{
    for (int i = 0; i < 2; i++) {
        if (pair->pipes[i])
            posix_pipe_free(pair->pipes[i]);
    }
    pogo_free(pair);
}

/*
 * Closes one end. A stream or seqpacket peer reads what is left and then
 * end of file, with ECONNRESET first when this end left data unread. A
 * datagram peer keeps what it received, and its next send fails.
 */
static void unix_release(struct pogo_file *f)
{
    struct unix_end *e = end_of(f);
    struct unix_end *peer = e->peer;

    e->open = false;
    if (!is_datagram(e) && peer->open) {
        if (!posix_pipe_is_empty(e->rx))
            peer->error = ECONNRESET;
        shut(peer, SHUTDOWN_MASK);
    }
    /* Wakes the peer's writers that wait for room in this end's buffer. */
    posix_pipe_shut(e->rx, true, true);
    if (!peer->open)
        free_pair(e->pair);
}

static const struct pogo_file_ops unix_ops = {
    .read = unix_read,
    .write = unix_write,
    .poll = unix_poll,
    .ioctl = unix_ioctl,
    .release = unix_release,
};

/* --- Options ------------------------------------------------------------- */

static int int_option(struct unix_end *e, int name, int *value)
{
    switch (name) {
    case SO_TYPE:
        *value = e->pair->type;
        return 0;
    case SO_DOMAIN:
        *value = POGO_AF_UNIX;
        return 0;
    case SO_PROTOCOL:
    case SO_ACCEPTCONN:
        *value = 0;
        return 0;
    case SO_ERROR:
        *value = e->error;
        e->error = 0;
        return 0;
    case SO_SNDBUF:
    case SO_RCVBUF:
        /* NOTE: the buffer's capacity, where Linux reports what
         * SO_SNDBUF and SO_RCVBUF set. */
        *value = is_stream(e) ? posix_pipe_capacity(e->tx)
                              : POSIX_PIPE_MESSAGE_BYTES;
        return 0;
    default:
        return -ENOPROTOOPT;
    }
}

int posix_unix_getopt(struct pogo_file *f, int level, int name, void *val,
                      size_t *len)
{
    int value, err;

    if (level != SOL_SOCKET)
        return -EOPNOTSUPP;
    err = int_option(end_of(f), name, &value);
    if (err)
        return err;
    *len = POGO_MIN(*len, sizeof(value));
    pogo_memcpy(val, &value, *len);
    return 0;
}

int posix_unix_setopt(struct pogo_file *f, int level, int name, const void *val,
                      size_t len)
{
    if (level != SOL_SOCKET)
        return -EOPNOTSUPP;
    if (name != SO_SNDBUF && name != SO_RCVBUF)
        return -ENOPROTOOPT;
    if (len < sizeof(int))
        return -EINVAL;
    /* NOTE: accepted and ignored: the pair keeps the pipe's capacity. */
    return 0;
}

/* --- socketpair ---------------------------------------------------------- */

static struct unix_pair *new_pair(int type)
{
    struct unix_pair *pair = pogo_calloc(1, sizeof(*pair));

    if (!pair)
        return NULL;
    pair->type = type;
    pair->pipes[0] = posix_pipe_new();
    pair->pipes[1] = posix_pipe_new();
    if (!pair->pipes[0] || !pair->pipes[1]) {
        free_pair(pair);
        return NULL;
    }
    for (int i = 0; i < 2; i++) {
        struct unix_end *e = &pair->ends[i];

        e->rx = pair->pipes[i];
        e->tx = pair->pipes[1 - i];
        e->peer = &pair->ends[1 - i];
        e->pair = pair;
        e->open = true;
    }
    /* A direction's readers wait on the receiving end's head, its writers
     * on the sending end's head. */
    for (int i = 0; i < 2; i++)
        posix_pipe_set_heads(pair->pipes[i], &pair->ends[i].poll,
                             &pair->ends[1 - i].poll);
    return pair;
}

/* Makes the file of one end, or NULL; the pair is not touched on failure. */
static struct pogo_file *new_end_file(struct unix_end *e, bool nonblock)
{
    struct pogo_vnode *v = pogo_vnode_anon(POGO_S_IFSOCK | 0777, NULL);
    struct pogo_file *f = NULL;

    if (!v)
        return NULL;
    f = pogo_file_alloc(v, &unix_ops,
                        POGO_O_RDWR | (nonblock ? POGO_O_NONBLOCK : 0));
    pogo_vnode_put(v);
    if (f)
        f->data = e;
    return f;
}

long posix_unix_socketpair(int type, bool nonblock, bool cloexec, long sv)
{
    struct unix_pair *pair = new_pair(type);
    struct pogo_file *files[2];

    if (!pair)
        return -ENOMEM;
    files[0] = new_end_file(&pair->ends[0], nonblock);
    files[1] = files[0] ? new_end_file(&pair->ends[1], nonblock) : NULL;
    if (!files[1]) {
        /* Releasing the first file frees the pair once the second end is
         * marked closed. */
        pair->ends[1].open = false;
        if (files[0])
            pogo_file_put(files[0]);
        else
            free_pair(pair);
        return -ENFILE;
    }
    return posix_install_fd_pair(files[0], files[1], cloexec, sv);
}
