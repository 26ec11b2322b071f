/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Replaces the header that debian/rules of Debian's lua5.4 package
 * generates. Debian's patched luaconf.h includes it and puts the
 * multiarch triplet in package.cpath, so that package.cpath is the same
 * as in Debian's lua5.4.
 */
#ifndef _LUA_DEB_MULTIARCH_
#define _LUA_DEB_MULTIARCH_
#define DEB_HOST_MULTIARCH "x86_64-linux-gnu"
#endif
