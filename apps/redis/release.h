/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Replaces the header that Redis's src/mkreleasehdr.sh generates from git
 * and the build host. A Debian source tree has no git data, so the script
 * would write 00000000 and 0 too. The build id is fixed, so that the same
 * sources give the same image.
 */
#define REDIS_GIT_SHA1  "00000000"
#define REDIS_GIT_DIRTY "0"
#define REDIS_BUILD_ID  "pogo"
