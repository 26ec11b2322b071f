/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * nginx's ngx_linux_config.h includes <crypt.h>, which Debian's musl-dev
 * does not ship. musl declares crypt() in <unistd.h>, and nothing in this
 * module set calls it (auth_basic, its only user, is left out).
 */
#include <unistd.h>
