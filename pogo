#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# pogo: build, run, configure and inspect Pogo unikernel images.
# Run "./pogo help" for the commands.
set -o pipefail

POGO_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
PYTHON=/usr/bin/python3

# Debian packages behind the tools each command needs.
BUILD_PACKAGES="gcc make binutils musl-tools python3-kconfiglib cpio"
RUN_PACKAGES="qemu-system-x86"

usage() {
    cat <<'EOF'
usage: ./pogo COMMAND [ARGS]

  build APP [--set NAME=VALUE]... [--build-dir DIR]
        Build the application folder APP into build/<name>/.
  run APP [options] [-- ARGS...]
        Build APP if needed and boot it under QEMU; the serial console is on
        stdout and the application's exit status is pogo's exit status.
          -m MEM              guest memory, as QEMU takes it (default 64M)
          --accel auto|tcg|kvm
                              accelerator (default auto: KVM where the host
                              has hardware virtualization, TCG otherwise)
          --machine microvm|q35|pc
                              QEMU machine type (default microvm)
          --cpu MODEL         QEMU CPU model (default: max, or host under KVM)
          --boot-trace        print the time-stamp counter per boot stage;
                              under TCG also counts guest instructions
          --kernel-opts OPTS  kernel options, for example loglevel=debug
          --args-line LINE    application arguments as one line, quoted as
                              for sh, which the guest splits itself
          --set NAME=VALUE    configuration setting for this build
          --build-dir DIR     build into DIR instead of build/<name>
          --no-build          boot the image already built in the build folder
          --dry-run           print the QEMU command instead of running it
  menuconfig APP
        Edit APP's resolved configuration (build/<name>/.config).
  help  Show this text.
EOF
}

die() {
    echo "pogo: $*" >&2
    exit 2
}

# Installs the Debian packages that provide missing tools, or says how.
ensure_packages() {
    local missing=()
    local pkg
    for pkg in "$@"; do
        dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null |
            grep -q "install ok installed" || missing+=("$pkg")
    done
    [ ${#missing[@]} -eq 0 ] && return 0
    if [ "$(id -u)" -ne 0 ]; then
        die "missing packages: ${missing[*]}; run: sudo apt-get install ${missing[*]}"
    fi
    echo "pogo: installing ${missing[*]}" >&2
    if ! DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}" \
        >/tmp/pogo-apt.log 2>&1; then
        apt-get update -q >>/tmp/pogo-apt.log 2>&1
        DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}" \
            >>/tmp/pogo-apt.log 2>&1 ||
            die "apt-get install ${missing[*]} failed; see /tmp/pogo-apt.log"
    fi
}

# Reads KEY from the manifest of application folder $1.
manifest_value() {
    sed -n "s/^[[:space:]]*$2[[:space:]]*=[[:space:]]*//p" "$1/manifest" |
        tail -n 1 | sed 's/[[:space:]]*$//'
}

app_dir() {
    local app=$1
    [ -n "$app" ] || die "no application given; for example: ./pogo run apps/helloworld"
    [ -d "$app" ] || die "$app: no such application folder"
    [ -f "$app/manifest" ] || die "$app: not an application folder (no manifest file)"
    (cd "$app" && pwd)
}

# build APP_DIR BUILD_DIR SETTINGS...
build_app() {
    local dir=$1 build=$2
    shift 2
    ensure_packages $BUILD_PACKAGES
    make -s --no-print-directory -C "$POGO_DIR" -f mk/image.mk APP="$dir" \
        BUILD="$build" POGO_SET="$*" >&2 ||
        die "building $dir failed (see the messages above)"
}

host_has_hw_virt() {
    grep -qE '^flags.*\b(vmx|svm)\b' /proc/cpuinfo
}

# Prints the accelerator to use, or fails with the reason.
choose_accel() {
    case $1 in
    tcg) echo tcg ;;
    kvm)
        if [ -d /sys/module/kvm_pvm ] && ! host_has_hw_virt; then
            die "--accel kvm: this host's /dev/kvm is kvm_pvm, a software" \
                "nested hypervisor that runs Pogo in KVM's instruction emulator," \
                "which stops at the first SSE instruction; use --accel tcg"
        fi
        host_has_hw_virt || die "--accel kvm: this CPU has no vmx or svm flag"
        [ -r /dev/kvm ] && [ -w /dev/kvm ] || die "--accel kvm: cannot open /dev/kvm"
        echo kvm
        ;;
    auto)
        if host_has_hw_virt && [ -r /dev/kvm ] && [ -w /dev/kvm ] &&
            ! [ -d /sys/module/kvm_pvm ]; then
            echo kvm
        else
            echo tcg
        fi
        ;;
    *) die "--accel: expected auto, tcg or kvm, not '$1'" ;;
    esac
}

# Quotes one argument for the guest's command-line splitter.
guest_quote() {
    local s=$1
    case $s in
    '' | *[!A-Za-z0-9_./=:,+@%-]*)
        printf "'%s'" "${s//\'/\'\\\'\'}"
        ;;
    *) printf '%s' "$s" ;;
    esac
}

# Decodes QEMU's exit: the status byte from debugcon, or isa-debug-exit's
# (status << 1) | 1 when the byte is missing.
exit_status() {
    local qemu_status=$1 file=$2
    if [ -s "$file" ]; then
        od -An -tu1 -N1 "$file" | tr -d ' '
    elif [ "$qemu_status" -ge 128 ]; then
        echo "$qemu_status"
    elif [ $((qemu_status % 2)) -eq 1 ]; then
        echo $(((qemu_status - 1) / 2))
    else
        echo "pogo: qemu exited with status $qemu_status before the image" \
            "reported one" >&2
        echo 125
    fi
}

cmd_build() {
    local app="" build="" sets=()
    while [ $# -gt 0 ]; do
        case $1 in
        --set) sets+=("$2"); shift 2 ;;
        --build-dir) build=$2; shift 2 ;;
        -*) die "build: unknown option $1" ;;
        *) app=$1; shift ;;
        esac
    done
    local dir
    dir=$(app_dir "$app") || exit 2
    [ -n "$build" ] || build="$POGO_DIR/build/$(manifest_value "$dir" name)"
    build_app "$dir" "$build" "${sets[@]}"
}

cmd_run() {
    local app="" mem=64M accel=auto machine=microvm cpu="" trace=0 dry=0
    local kopts="" build="" sets=() args=() no_build=0 args_line=
    while [ $# -gt 0 ]; do
        case $1 in
        -m) mem=$2; shift 2 ;;
        --accel) accel=$2; shift 2 ;;
        --machine) machine=$2; shift 2 ;;
        --cpu) cpu=$2; shift 2 ;;
        --boot-trace) trace=1; shift ;;
        --kernel-opts) kopts="$kopts $2"; shift 2 ;;
        --args-line) args_line=$2; shift 2 ;;
        --set) sets+=("$2"); shift 2 ;;
        --build-dir) build=$2; shift 2 ;;
        --dry-run) dry=1; shift ;;
        --no-build) no_build=1; shift ;;
        --) shift; args=("$@"); break ;;
        -*) die "run: unknown option $1 (see ./pogo help)" ;;
        *) [ -z "$app" ] || die "run: more than one application given"; app=$1; shift ;;
        esac
    done
    case $machine in
    microvm | q35 | pc) ;;
    *) die "--machine: expected microvm, q35 or pc, not '$machine'" ;;
    esac

    local dir name image
    dir=$(app_dir "$app") || exit 2
    name=$(manifest_value "$dir" name)
    [ -n "$name" ] || die "$dir/manifest: 'name' is missing"
    [ -n "$build" ] || build="$POGO_DIR/build/$name"
    [ $no_build -eq 1 ] || build_app "$dir" "$build" "${sets[@]}"
    image="$build/$name"
    [ -f "$image" ] || die "$image: no such image; build it with ./pogo build $app"
    ensure_packages $RUN_PACKAGES

    accel=$(choose_accel "$accel") || exit 2
    if [ -z "$cpu" ]; then
        if [ "$accel" = kvm ]; then cpu=host,-arch-capabilities; else cpu=max; fi
    fi

    local line default_args
    line="$(manifest_value "$dir" kernel_options) $kopts"
    if [ $trace -eq 1 ] && [ "$accel" = tcg ]; then
        line="$line boot.trace=icount"
    elif [ $trace -eq 1 ]; then
        line="$line boot.trace"
    fi
    line="$line --"
    if [ -n "$args_line" ]; then
        line="$line $args_line"
    elif [ ${#args[@]} -eq 0 ]; then
        default_args=$(manifest_value "$dir" cmdline)
        [ -n "$default_args" ] && line="$line $default_args"
    else
        local a
        for a in "${args[@]}"; do line="$line $(guest_quote "$a")"; done
    fi

    local status_file
    status_file=$(mktemp /tmp/pogo-status.XXXXXX)
    local qemu=(qemu-system-x86_64 -M "$machine" -m "$mem" -accel "$accel"
        -cpu "$cpu" -display none -nodefaults -no-user-config -no-reboot
        -serial stdio -kernel "$image" -append "${line# }"
        -device isa-debug-exit,iobase=0x501,iosize=1
        -debugcon "file:$status_file"
        -chardev file,id=stderr,path=/dev/stderr,append=on
        -device isa-debugcon,iobase=0x4e8,chardev=stderr)
    [ $trace -eq 1 ] && [ "$accel" = tcg ] && qemu+=(-icount shift=0)

    if [ $dry -eq 1 ]; then
        printf '%q ' "${qemu[@]}"
        echo
        rm -f "$status_file"
        return 0
    fi
    "${qemu[@]}"
    local qs=$?
    local status
    status=$(exit_status "$qs" "$status_file")
    rm -f "$status_file"
    exit "$status"
}

cmd_menuconfig() {
    local dir name build
    dir=$(app_dir "$1") || exit 2
    name=$(manifest_value "$dir" name)
    build="$POGO_DIR/build/$name"
    ensure_packages $BUILD_PACKAGES
    make --no-print-directory -C "$POGO_DIR" -f mk/image.mk APP="$dir" \
        BUILD="$build" config >&2 || die "resolving the configuration failed"
    cd "$POGO_DIR" && KCONFIG_CONFIG="$build/.config" "$PYTHON" -m menuconfig Kconfig
}

case ${1:-help} in
build) shift; cmd_build "$@" ;;
run) shift; cmd_run "$@" ;;
menuconfig) shift; cmd_menuconfig "$@" ;;
help | -h | --help) usage ;;
*) usage >&2; exit 2 ;;
esac
