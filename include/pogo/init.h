/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The init table. Each library registers an init function (and optionally
 * a shutdown function) at a level; the linker sorts the table by level, the
 * boot code runs the init functions in that order before the application
 * starts, and the exit path runs the shutdown functions in reverse.
 */
#ifndef POGO_INIT_H
#define POGO_INIT_H

#include <pogo/compiler.h>

/* Levels, two digits each so that the linker's name sort orders them. */
#define POGO_INIT_MM     10 /* physical frames, page tables, regions */
#define POGO_INIT_ALLOC  20 /* kernel heap */
#define POGO_INIT_TIME   30 /* clocks and timers */
#define POGO_INIT_SCHED  40 /* threads */
#define POGO_INIT_BUS    50 /* interrupt controllers, PCI, virtio-mmio */
#define POGO_INIT_DEVICE 60 /* device drivers */
#define POGO_INIT_FS     70 /* file systems and the initial files */
#define POGO_INIT_NET    80 /* network stack */
#define POGO_INIT_LATE   90 /* anything that needs all of the above */

struct pogo_init_entry {
    const char *name;
    int (*init)(void);      /* returns 0 or a negative errno */
    void (*shutdown)(void); /* may be NULL */
};

#define POGO_INIT_STR2(x) #x
#define POGO_INIT_STR(x)  POGO_INIT_STR2(x)

#define POGO_INIT(level, lname, init_fn, shutdown_fn)                        \
    static const struct pogo_init_entry pogo_init_##init_fn POGO_USED        \
        POGO_ALIGNED(8) POGO_SECTION(".pogo_init." POGO_INIT_STR(level)) = { \
            .name = lname,                                                   \
            .init = init_fn,                                                 \
            .shutdown = shutdown_fn,                                         \
    }

#endif
