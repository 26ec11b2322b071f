/* SPDX-License-Identifier: BSD-3-Clause */
/* Interfaces between the files of lib/devfs. */
#ifndef POGO_DEVFS_INTERNAL_H
#define POGO_DEVFS_INTERNAL_H

#include <pogo/devfs.h>

/* Registers /dev/tty and /dev/console. */
void devfs_console_register(void);

/* Opens fds 0 and 1 on the console and fd 2 on its error channel. */
int devfs_console_open_std_fds(void);

#endif
