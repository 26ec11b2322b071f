/* SPDX-License-Identifier: BSD-3-Clause */
/* The platform interface: boot information, console and power off. */
#ifndef POGO_PLAT_H
#define POGO_PLAT_H

#include <pogo/compiler.h>
#include <pogo/memmap.h>

/*
 * Reads the boot information the monitor handed over (the PVH start info
 * at boot_info) and sets up the console. Returns 0, or a negative errno
 * after printing what was wrong.
 */
int pogo_plat_early_init(uintptr_t boot_info);

/* The kernel command line, or "" when the monitor gave none. */
const char *pogo_plat_cmdline(void);

/* The normalized memory map; the count is returned, the array stored. */
size_t pogo_plat_memmap(const struct pogo_mem_region **map);

/* The initial ramdisk the monitor loaded, if any. Returns false if none. */
bool pogo_plat_initrd(uintptr_t *addr, size_t *size);

/* Physical address of the ACPI RSDP, or 0 when the monitor gave none. */
uintptr_t pogo_plat_rsdp(void);

/* Writes to the console (standard output); blocks until all bytes are out. */
void pogo_plat_console_write(const char *buf, size_t len);

/*
 * Writes to the error channel (standard error and the kernel log), which
 * is the console when the monitor has no separate one.
 */
void pogo_plat_error_write(const char *buf, size_t len);

/*
 * Reads up to len bytes that have arrived on the console without waiting.
 * Returns the count, 0 when none are there.
 */
size_t pogo_plat_console_read(char *buf, size_t len);

/*
 * The number of CPUs the machine may have, counting those that could be
 * added later, or 0 when the monitor does not report it.
 */
unsigned pogo_plat_max_cpus(void);

/*
 * Powers the machine off so that the monitor exits with this status (see
 * plat/kvm/shutdown.c for how QEMU reports it).
 */
POGO_NORETURN void pogo_plat_exit(int status);

#endif
