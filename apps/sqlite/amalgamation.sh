#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# Generates SQLite's amalgamation (sqlite3.c, sqlite3.h) and the shell's
# shell.c from Debian's sqlite3 source tree, which contains only SQLite's
# separate sources, and prints the folder that contains them. It runs
# the tree's own configure and "make sqlite3.c shell.c", which need a C
# compiler and tclsh (Debian package tcl). That happens once per Debian
# version of the package, and later calls print the folder of that run.
#
# usage: apps/sqlite/amalgamation.sh SQLITE_SOURCE_TREE
set -eu
src=${1:?usage: amalgamation.sh SQLITE_SOURCE_TREE}
root=$(cd "$(dirname "$0")/../.." && pwd)

if [ ! -f "$src/configure" ] || [ ! -f "$src/debian/changelog" ]; then
    echo "sqlite amalgamation: $src is not Debian's sqlite3 source tree" \
        "(configure or debian/changelog is missing)" >&2
    exit 1
fi
# The version with Debian's revision, such as 3.40.1-2+deb12u2.
version=$(sed -n '1s/^[^(]*(\([^)]*\)).*/\1/p' "$src/debian/changelog")
out=$root/.cache/sqlite3-amalgamation/$version
if [ -f "$out/.complete" ]; then
    echo "$out"
    exit 0
fi

if ! command -v tclsh >/dev/null 2>&1; then
    if [ "$(id -u)" -ne 0 ]; then
        echo "sqlite amalgamation: tclsh is missing; run: sudo apt-get install tcl" >&2
        exit 1
    fi
    echo "sqlite amalgamation: installing tcl" >&2
    if ! DEBIAN_FRONTEND=noninteractive apt-get install -y -q \
        --no-install-recommends tcl >/tmp/pogo-apt.log 2>&1; then
        echo "sqlite amalgamation: apt-get install tcl failed; see /tmp/pogo-apt.log" >&2
        exit 1
    fi
fi

# Two builds (of the sqlite and speedtest1 applications) may start at
# the same time, so the second waits here and then finds the result.
mkdir -p "$root/.cache/sqlite3-amalgamation"
exec 9>"$root/.cache/sqlite3-amalgamation/.lock"
flock 9
if [ -f "$out/.complete" ]; then
    echo "$out"
    exit 0
fi

work=$out.work
rm -rf "$work" "$out"
mkdir -p "$work"
log=$work/build.log
echo "  GEN     sqlite3.c shell.c (Debian sqlite3 $version)" >&2
# The configure options affect only the library that the Makefile
# builds, which is not used here. The amalgamation does not depend on them.
if ! (cd "$work" && "$src/configure" --disable-tcl --disable-readline \
        --disable-editline && make sqlite3.c shell.c) >"$log" 2>&1; then
    echo "sqlite amalgamation: generating the amalgamation failed; see $log" >&2
    exit 1
fi
mkdir -p "$out"
cp "$work/sqlite3.c" "$work/sqlite3.h" "$work/sqlite3ext.h" \
    "$work/shell.c" "$log" "$out/"
rm -rf "$work"
touch "$out/.complete"
echo "$out"
