/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * AF_UNIX stream socket pairs, for the socket syscalls of socket.c. The
 * functions take the file of one end and return Linux's errno values.
 */
#ifndef POGO_POSIX_UNIX_H
#define POGO_POSIX_UNIX_H

#include <pogo/vfs.h>

/* Makes a connected pair of type SOCK_STREAM, SOCK_DGRAM or
 * SOCK_SEQPACKET and stores its two fds at the user address sv. */
long posix_unix_socketpair(int type, bool nonblock, bool cloexec, long sv);

bool posix_unix_is_end(struct pogo_file *f);

/*
 * send and recv with their MSG_ flags; MSG_DONTWAIT and the file's
 * O_NONBLOCK make them return -EAGAIN instead of waiting. to_address is
 * true when the caller named a destination. recv adds MSG_TRUNC to
 * *out_flags (when not NULL) for a message that did not fit.
 */
long posix_unix_send(struct pogo_file *f, struct pogo_uio *u, int msg_flags,
                     bool to_address);
long posix_unix_recv(struct pogo_file *f, struct pogo_uio *u, int msg_flags,
                     int *out_flags);

/* The error of listen and accept on a connected end. */
int posix_unix_not_listening(struct pogo_file *f);

/* connect on an end: a stream or seqpacket end is connected already. */
int posix_unix_connect(struct pogo_file *f);

int posix_unix_shutdown(struct pogo_file *f, int how);

/* Integer SOL_SOCKET options; *len is the buffer size in and the size
 * written out. */
int posix_unix_getopt(struct pogo_file *f, int level, int name, void *val,
                      size_t *len);
int posix_unix_setopt(struct pogo_file *f, int level, int name, const void *val,
                      size_t len);

#endif
