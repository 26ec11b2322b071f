# SPDX-License-Identifier: BSD-3-Clause
# What the sqlite and speedtest1 applications share, included by their
# manifests: the folder of SQLite's generated amalgamation and SQLite's
# compile-time options.
# NOTE: mk/image.mk recompiles an application when its manifest changes,
# not when this file does: after editing it, touch both manifests.

sqlite_dir := $(abspath $(dir $(lastword $(MAKEFILE_LIST))))

# The folder of sqlite3.c, sqlite3.h and shell.c. It is computed on first
# use, once: after mk/image.mk has set SRC, and not when ./pogo only reads
# a manifest's name or cmdline.
sqlite_amalgamation = $(eval sqlite_amalgamation := \
    $$(call sqlite_generate))$(sqlite_amalgamation)
sqlite_generate = $(or $(shell $(sqlite_dir)/amalgamation.sh $(SRC)),\
    $(error generating SQLite's amalgamation failed (see the message above)))

# One process, one thread, no dynamic loading: no mutexes
# (SQLITE_THREADSAFE=0) and no load_extension(). The HAVE_ macros are
# what SQLite's configure finds on Linux (in sqlite_cfg.h), and musl has
# them too: without them SQLite falls back to read() after lseek(),
# fsync(), sleep() in whole seconds and localtime(). The rest are from
# SQLite's list of recommended options (https://sqlite.org/compile.html),
# less the ones that change how SQL behaves: they drop deprecated
# interfaces, shared-cache mode, test hooks, memory statistics
# (sqlite3_status() then reports 0 bytes in use) and progress callbacks,
# and they make LIKE false for BLOBs, as Debian's build does.
sqlite_cflags = -DSQLITE_THREADSAFE=0 -DSQLITE_OMIT_LOAD_EXTENSION \
    -DHAVE_PREAD=1 -DHAVE_PWRITE=1 -DHAVE_FDATASYNC=1 -DHAVE_USLEEP=1 \
    -DHAVE_LOCALTIME_R=1 -DHAVE_GMTIME_R=1 -DHAVE_ISNAN=1 -DHAVE_STRCHRNUL=1 \
    -DSQLITE_OMIT_DEPRECATED -DSQLITE_OMIT_SHARED_CACHE -DSQLITE_UNTESTABLE \
    -DSQLITE_DEFAULT_MEMSTATUS=0 -DSQLITE_OMIT_PROGRESS_CALLBACK \
    -DSQLITE_LIKE_DOESNT_MATCH_BLOBS
