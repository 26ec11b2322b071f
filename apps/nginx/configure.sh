#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# Runs nginx's own ./configure on Debian's nginx source tree, with
# musl-gcc and the module set below, and prints the folder of the result.
# That folder contains objs/, with the generated headers and
# ngx_modules.c, and a file "sources" that lists the C files of this
# module set, one absolute path a line. configure compiles and runs small
# test programs with musl-gcc on this machine, which is fine because Pogo
# implements the same Linux ABI. It runs once per Debian version of the
# package and version of this script, and later calls print the folder
# of that run.
#
# usage: apps/nginx/configure.sh NGINX_SOURCE_TREE
set -eu
src=${1:?usage: configure.sh NGINX_SOURCE_TREE}
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)

if [ ! -f "$src/configure" ] || [ ! -f "$src/src/core/nginx.c" ] ||
    [ ! -f "$src/debian/changelog" ]; then
    echo "nginx configure: $src is not Debian's nginx source tree" \
        "(configure, src/core/nginx.c or debian/changelog is missing)" >&2
    exit 1
fi
# A run's key is the version with Debian's revision (such as
# 1.22.1-9+deb12u9), a checksum of this script, which contains the
# options, and the tree. The result always goes to the same folder, so a
# new run gives the headers new modification times, and the objects are
# compiled again.
version=$(sed -n '1s/^[^(]*(\([^)]*\)).*/\1/p' "$src/debian/changelog")
key="$version $(cksum < "$0" | cut -d' ' -f1) $src"
out=$root/.cache/nginx-configure
if [ -f "$out/.complete" ] && [ "$(cat "$out/.complete")" = "$key" ]; then
    echo "$out"
    exit 0
fi

mkdir -p "$root/.cache"
exec 9>"$root/.cache/nginx-configure.lock"
flock 9
if [ -f "$out/.complete" ] && [ "$(cat "$out/.complete")" = "$key" ]; then
    echo "$out"
    exit 0
fi

# Modules left out: rewrite needs PCRE, gzip needs zlib, and none of the
# others is needed to serve a static site. What remains is the core, the
# event loop on epoll, and the HTTP modules http_core, log, static,
# index, try_files, range, headers (add_header, expires), not_modified
# and chunked. The copy, write and postpone filters and upstream remain
# too, because the HTTP core refers to them.
without="ssi userid access auth_basic mirror autoindex geo map split_clients
    referer rewrite proxy fastcgi uwsgi scgi grpc memcached limit_conn
    limit_req empty_gif browser upstream_hash upstream_ip_hash
    upstream_least_conn upstream_random upstream_keepalive upstream_zone
    charset gzip"
options="--with-cc=musl-gcc --prefix=/ --conf-path=/etc/nginx/nginx.conf
    --error-log-path=stderr --http-log-path=/dev/stdout
    --pid-path=/tmp/nginx.pid --lock-path=/tmp/nginx.lock
    --http-client-body-temp-path=/tmp/nginx-client-body
    --without-pcre --without-http-cache --without-poll_module
    --without-select_module"
for m in $without; do
    options="$options --without-http_${m}_module"
done

# configure writes objs/ and a Makefile into the folder it runs in and
# reads auto/ and src/ from there, so it runs in a folder of links into
# the source tree, which stays unchanged.
work=$out.work
rm -rf "$work"
mkdir -p "$work"
ln -s "$src/auto" "$src/src" "$src/configure" "$work/"
log=$work/configure.log
echo "  CONFIG  nginx (Debian nginx $version)" >&2
# shellcheck disable=SC2086
if ! (cd "$work" && ./configure $options) >"$log" 2>&1; then
    echo "nginx configure: nginx's configure failed; see $log" >&2
    exit 1
fi

# The C files are the ones the generated Makefile compiles, each on a
# line of its own after the -o line of its rule.
sed -n 's|^\t\t\(src/.*\.c\)$|\1|p' "$work/objs/Makefile" |
    sed "s|^|$src/|" > "$work/sources"
echo "$out/objs/ngx_modules.c" >> "$work/sources"
if ! grep -q '/src/core/nginx\.c$' "$work/sources"; then
    echo "nginx configure: no C files found in $work/objs/Makefile" >&2
    exit 1
fi

rm -rf "$out"
mkdir -p "$out"
cp -r "$work/objs" "$work/sources" "$log" "$out/"
rm -rf "$work"
echo "$key" > "$out/.complete"
echo "$out"
