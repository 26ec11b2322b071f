#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# Fetches and unpacks a Debian source package into .cache/debian/PACKAGE/
# and prints the path of its unpacked tree. The deb-src entries are made
# from the machine's deb entries, in an apt configuration of the build's
# own, so the system's apt setup is not changed.
#
# usage: scripts/debian-source.sh PACKAGE
set -eu
pkg=${1:?usage: debian-source.sh PACKAGE}
root=$(cd "$(dirname "$0")/.." && pwd)
cache=$root/.cache/debian
apt_dir=$cache/apt
dest=$cache/$pkg

# Already unpacked: print the tree (the newest if there are several).
print_if_complete() {
    tree=$(find "$dest" -mindepth 1 -maxdepth 1 -type d 2>/dev/null | sort | tail -n 1)
    if [ -n "$tree" ] && [ -f "$dest/.complete" ]; then
        echo "$tree"
        exit 0
    fi
}
print_if_complete

# Builds run in parallel (make -j, several test images at once) and all
# fetches share one apt configuration, so one fetch runs at a time; the
# others wait, then find the tree unpacked.
mkdir -p "$cache"
exec 9>"$cache/fetch.lock"
flock 9
print_if_complete

for tool in apt-get dpkg-source; do
    if ! command -v $tool >/dev/null 2>&1; then
        echo "debian-source: $tool is missing; run: apt-get install dpkg-dev" >&2
        exit 1
    fi
done

# deb-src entries for every deb entry of this machine, one-line and deb822.
mkdir -p "$apt_dir/sources.list.d" "$apt_dir/lists/partial" \
    "$apt_dir/cache/archives/partial"
: > "$apt_dir/sources.list"
if [ -f /etc/apt/sources.list ]; then
    sed -n 's/^[[:space:]]*deb[[:space:]]/deb-src /p' /etc/apt/sources.list \
        >> "$apt_dir/sources.list"
fi
rm -f "$apt_dir/sources.list.d/"*
for f in /etc/apt/sources.list.d/*.sources; do
    [ -f "$f" ] || continue
    sed 's/^Types:.*/Types: deb-src/' "$f" > "$apt_dir/sources.list.d/$(basename "$f")"
done
for f in /etc/apt/sources.list.d/*.list; do
    [ -f "$f" ] || continue
    sed -n 's/^[[:space:]]*deb[[:space:]]/deb-src /p' "$f" \
        > "$apt_dir/sources.list.d/$(basename "$f")"
done

apt_opts="-o Dir::Etc::SourceList=$apt_dir/sources.list \
-o Dir::Etc::SourceParts=$apt_dir/sources.list.d \
-o Dir::State::Lists=$apt_dir/lists -o Dir::Cache=$apt_dir/cache \
-o APT::Sandbox::User=root -q"

if [ ! -f "$apt_dir/lists/.updated" ]; then
    # shellcheck disable=SC2086
    if ! apt-get $apt_opts update >"$apt_dir/update.log" 2>&1; then
        echo "debian-source: apt-get update of the source lists failed; see $apt_dir/update.log" >&2
        exit 1
    fi
    touch "$apt_dir/lists/.updated"
fi

# Fetches one version (or the newest, without an argument) into $dest.
fetch() {
    rm -rf "$dest"
    mkdir -p "$dest"
    # shellcheck disable=SC2086
    (cd "$dest" &&
        apt-get $apt_opts source "$pkg${1:+=$1}" >>"$fetch_log" 2>&1)
}

# A mirror can list a version whose files it does not have (seen: a
# security update whose .dsc returned 404), so the older versions in
# the source lists are tried in turn, newest first.
fetch_log=$(mktemp)
# shellcheck disable=SC2086
versions=$(apt-cache $apt_opts showsrc "$pkg" 2>/dev/null |
    sed -n 's/^Version: //p' | sort -urV)
fetched=0
if fetch; then
    fetched=1
else
    for v in $versions; do
        if fetch "$v"; then
            fetched=1
            break
        fi
    done
fi
mv "$fetch_log" "$dest/fetch.log"
if [ $fetched -eq 0 ]; then
    echo "debian-source: apt-get source $pkg failed; see $dest/fetch.log" >&2
    exit 1
fi
touch "$dest/.complete"
find "$dest" -mindepth 1 -maxdepth 1 -type d | sort | tail -n 1
