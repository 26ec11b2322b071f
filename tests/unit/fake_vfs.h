/* SPDX-License-Identifier: BSD-3-Clause */
/* Controls of the host stand-ins for lib/vfs (fake_vfs.c, fake_mm.c). */
#ifndef POGO_FAKE_VFS_H
#define POGO_FAKE_VFS_H

#include "fake_mm.h"

/* Calls of pogo_vm_file_zap so far. */
extern int fake_zap_calls;

#endif
