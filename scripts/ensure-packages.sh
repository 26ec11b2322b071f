#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# Installs those of the Debian packages named as arguments that are
# missing. Without root it prints the apt-get line to run and exits with
# status 2. Used by ./pogo for its tools and by the test runner.
set -o pipefail

missing=()
for pkg in "$@"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null |
        grep -q "install ok installed" || missing+=("$pkg")
done
[ ${#missing[@]} -eq 0 ] && exit 0
if [ "$(id -u)" -ne 0 ]; then
    echo "pogo: missing packages: ${missing[*]}; run: sudo apt-get install ${missing[*]}" >&2
    exit 2
fi
echo "pogo: installing ${missing[*]}" >&2
log=/tmp/pogo-apt.log
export DEBIAN_FRONTEND=noninteractive
if ! apt-get install -y -q --no-install-recommends "${missing[@]}" >"$log" 2>&1; then
    apt-get update -q >>"$log" 2>&1
    if ! apt-get install -y -q --no-install-recommends "${missing[@]}" >>"$log" 2>&1; then
        echo "pogo: apt-get install ${missing[*]} failed; see $log" >&2
        exit 2
    fi
fi
