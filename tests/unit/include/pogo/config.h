/* SPDX-License-Identifier: BSD-3-Clause */
/* Configuration for libraries compiled into host unit tests. */
#ifndef POGO_CONFIG_H
#define POGO_CONFIG_H
#define CONFIG_LOG_MAX_LEVEL 3
#define CONFIG_DEBUG_ASSERT  1
#endif
