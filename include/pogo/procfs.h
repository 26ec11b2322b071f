/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * /proc: the files of Linux's procfs that programs and libraries read,
 * generated when opened: /proc/self (pid 1) with maps, stat, status,
 * comm, cmdline, environ, mounts, the fd and task directories and the
 * exe, cwd and root links, /proc/thread-self, meminfo, cpuinfo, loadavg,
 * uptime, stat, version, filesystems, mounts and a few /proc/sys values.
 */
#ifndef POGO_PROCFS_H
#define POGO_PROCFS_H

/* The values that /proc/sys/kernel shows, as uname reports them. */
#define POGO_PROCFS_HOSTNAME  "pogo"
#define POGO_PROCFS_OSRELEASE "6.1.0-pogo"
#define POGO_PROCFS_VERSION   "#1 Pogo unikernel"

#endif
