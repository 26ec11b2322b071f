/* SPDX-License-Identifier: BSD-3-Clause */
/* Boot sequence, boot trace, and the end of the image. */
#ifndef POGO_BOOT_H
#define POGO_BOOT_H

#include <pogo/compiler.h>

enum pogo_boot_stage {
    POGO_BOOT_ENTRY,  /* first instruction: the kernel's PVH entry, or the
                         decompressor's in a compressed image */
    POGO_BOOT_KERNEL, /* the kernel's PVH entry */
    POGO_BOOT_C,      /* first C code */
    POGO_BOOT_ARCH,   /* CPU tables and FPU set up */
    POGO_BOOT_PLAT,   /* start info read, console up */
    POGO_BOOT_LIBS,   /* every library initialized */
    POGO_BOOT_APP,    /* jump to the application's _start */
    POGO_BOOT_MAIN,   /* the application's main() called */
    POGO_BOOT_STAGES
};

/* Records the time-stamp counter for a stage of the boot trace. */
void pogo_boot_stamp(enum pogo_boot_stage stage);

/* The application's argv and envp, as split from the command line. */
extern char **pogo_boot_argv;
extern size_t pogo_boot_argc;
extern char **pogo_boot_envp;
extern size_t pogo_boot_envc;

/*
 * Ends the image: runs the shutdown functions of the initialized
 * libraries in reverse order, then powers off with status.
 */
POGO_NORETURN void pogo_boot_exit(int status);

/* Starts the application's main thread; does not return. */
POGO_NORETURN void pogo_app_start(void);

#endif
