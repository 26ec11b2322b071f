/* SPDX-License-Identifier: BSD-3-Clause */
/* Interfaces between the files of lib/procfs. */
#ifndef POGO_PROCFS_INTERNAL_H
#define POGO_PROCFS_INTERNAL_H

#include <pogo/procfs.h>
#include <pogo/vfs.h>

/* The text of a proc file, made when it is opened. */
struct proc_text {
    char *buf;
    size_t len;
    size_t cap;
    bool failed; /* memory ran out */
};

void proc_printf(struct proc_text *t, const char *fmt, ...) POGO_PRINTF(2, 3);
void proc_show_pogo_net(struct proc_text *t, int arg);
void proc_write(struct proc_text *t, const char *s, size_t n);

/* Pads t with spaces up to column width of its last line. */
void proc_pad(struct proc_text *t, size_t width);

/* Generators of the files; arg is the thread id for task files. */
void proc_show_maps(struct proc_text *t, int arg);
void proc_show_stat(struct proc_text *t, int arg);
void proc_show_status(struct proc_text *t, int arg);
void proc_show_comm(struct proc_text *t, int arg);
void proc_show_cmdline(struct proc_text *t, int arg);
void proc_show_environ(struct proc_text *t, int arg);
void proc_show_mounts(struct proc_text *t, int arg);
void proc_show_meminfo(struct proc_text *t, int arg);
void proc_show_cpuinfo(struct proc_text *t, int arg);
void proc_show_loadavg(struct proc_text *t, int arg);
void proc_show_uptime(struct proc_text *t, int arg);
void proc_show_cpu_stat(struct proc_text *t, int arg);
void proc_show_filesystems(struct proc_text *t, int arg);
void proc_show_overcommit(struct proc_text *t, int arg);
void proc_show_version(struct proc_text *t, int arg);

/* Writes name to the comm of thread tid (0: the main thread). */
int proc_store_comm(int tid, const char *buf, size_t len);
int proc_store_overcommit(int arg, const char *buf, size_t len);

/* The thread with id tid (0: the main thread), or NULL. */
struct pogo_thread *proc_thread(int tid);

/* The main thread's id, the process id. */
#define PROC_PID 1

#endif
