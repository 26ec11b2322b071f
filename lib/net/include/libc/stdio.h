/* SPDX-License-Identifier: BSD-3-Clause */
/* lwIP includes stdio.h in a few places; nothing it calls from there is used.
 */
#ifndef POGO_LWIP_STDIO_H
#define POGO_LWIP_STDIO_H
#include <stddef.h>
#endif
