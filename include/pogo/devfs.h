/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * /dev: device nodes of a Linux system on a ramfs mounted at boot, and
 * the console behind fds 0, 1 and 2. The console's input is the serial
 * port when the kernel option console.input=serial is given; otherwise
 * reads see end of file.
 */
#ifndef POGO_DEVFS_H
#define POGO_DEVFS_H

#include <pogo/vfs.h>

/* Device numbers, as Linux numbers these devices. */
#define POGO_DEV_NULL    POGO_MKDEV(1, 3)
#define POGO_DEV_TTY     POGO_MKDEV(5, 0)
#define POGO_DEV_CONSOLE POGO_MKDEV(5, 1)

/* Tells whether the console reads the serial port (console.input). */
bool pogo_devfs_console_input(void);

#endif
