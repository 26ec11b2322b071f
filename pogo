#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# pogo: build, run, configure and inspect Pogo unikernel images.
# Run "./pogo help" for the commands.
set -o pipefail

POGO_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
PYTHON=/usr/bin/python3

# Debian packages behind the tools each command needs.
BUILD_PACKAGES="gcc make binutils musl-tools python3-kconfiglib cpio dpkg-dev lz4"
RUN_PACKAGES="qemu-system-x86"

usage() {
    cat <<'EOF'
usage: ./pogo COMMAND [ARGS]

  new DIR
        Create the application folder DIR: a manifest, a hello-world
        main.c and an empty config file; the name is DIR's last part.
  build APP [--set NAME=VALUE]... [--build-dir DIR]
        Build the application folder APP into build/<name>/. Its
        configuration is the Kconfig defaults, then APP's config file,
        then the settings saved in menuconfig, then this build's --set
        settings; a --set setting that it cannot keep is an error.
  run APP [options] [-- ARGS...]
        Build APP if needed and boot it under QEMU; the serial console is on
        stdout and the application's exit status is pogo's exit status.
          -m SIZE             guest memory: a whole number of MiB, or a number
                              with the suffix K, M, G or T, such as 1.5G
                              (default 64M)
          --accel auto|tcg|kvm
                              accelerator (default auto: KVM where the host
                              has hardware virtualization, TCG otherwise)
          --machine microvm|q35|pc
                              QEMU machine type (default microvm)
          --cpu MODEL         QEMU CPU model (default: max, or host,-arch-capabilities
                              under KVM)
          --boot-trace        print the time-stamp counter per boot stage;
                              under TCG also counts guest instructions
          --icount            under TCG, run with -icount shift=0: guest time
                              and the TSC count executed instructions
          --kernel-opts OPTS  kernel options, for example loglevel=debug
          --args-line LINE    application arguments as one line, quoted as
                              for sh, which the guest splits itself
          -p [tcp:|udp:]HOST:GUEST
                              forward 127.0.0.1:HOST on this machine to the
                              guest's port GUEST (QEMU user networking with
                              restrict=on); may be repeated
          --net none|user|tap[:NETNS]
                              the network: none (default without -p), QEMU
                              user networking, or a tap device in network
                              namespace NETNS (created and removed for the
                              run when NETNS is not given)
          --net-opts OPTS     extra properties of the virtio-net device, for
                              example mrg_rxbuf=off,csum=off
          --qemu-opt ARG      one more argument for QEMU; may be repeated
          --initrd FILE       a cpio newc archive to unpack as the root file
                              system instead of the one built into the image
          --set NAME=VALUE    configuration setting for this build only
          --build-dir DIR     build into DIR instead of build/<name>
          --no-build          boot the image already built in the build folder
          --dry-run           print the QEMU command instead of running it
  menuconfig APP
        Edit APP's resolved configuration (build/<name>/.config) in a
        terminal. What it saves is kept in build/<name>/menuconfig.config
        and applied by later builds; remove that file to undo it.
  inspect APP [options]
        Build APP if needed and report the image's size by library and by
        section, its configuration, the syscalls it implements and those
        the application's code can make (marking those not implemented).
          --boot              boot the image once and report the time of
                              each boot stage
          --plot FILE.png     also draw the sizes (and the boot stages) as a
                              PNG bar chart with gnuplot
          --set NAME=VALUE    configuration setting for this build only
          --build-dir DIR     build into DIR instead of build/<name>
  help  Show this text.
EOF
}

die() {
    echo "pogo: $*" >&2
    exit 2
}

# Installs the Debian packages that provide missing tools, or says how.
ensure_packages() {
    "$POGO_DIR/scripts/ensure-packages.sh" "$@" || exit 2
}

# Reads KEY from the manifest of application folder $1, as make reads it
# (the manifest is a makefile fragment: comments and := work as in make).
manifest_value() {
    make -s --no-print-directory -f "$POGO_DIR/mk/manifest.mk" APP="$1" \
        KEY="$2" 2>/dev/null
}

# The keys a manifest may set (mk/image.mk reads them).
MANIFEST_KEYS="name sources cflags ldflags libs config cmdline kernel_options rootfs debian_source"

# Prints the names of the variables that the manifest of application
# folder $1 sets.
manifest_keys() {
    make -s --no-print-directory -f "$POGO_DIR/mk/manifest.mk" APP="$1" \
        2>/dev/null
}

# Checks the manifest of application folder $1 beyond its name: warns
# about each key that Pogo does not know, unless another line of the
# manifest uses it (a helper variable) or a makefile that the manifest
# includes sets it, and fails when the config file that it names is
# missing.
check_manifest() {
    local manifest="$1/manifest" key pattern uses config
    for key in $(manifest_keys "$1"); do
        case " $MANIFEST_KEYS " in *" $key "*) continue ;; esac
        pattern=$(printf '%s' "$key" | sed 's/[][\.*^$+?(){}|/]/\\&/g')
        grep -qE "^[[:space:]]*$pattern[[:space:]]*(::?|[?+!])?=" \
            "$manifest" || continue
        uses=$(sed 's/^[[:space:]]*#.*//' "$manifest" |
            grep -oE "(^|[^A-Za-z0-9_.-])$pattern([^A-Za-z0-9_.-]|\$)" | wc -l)
        [ "$uses" -gt 1 ] ||
            echo "pogo: warning: $manifest: unknown key '$key' is ignored" \
                "(known keys: ${MANIFEST_KEYS// /, })" >&2
    done
    config=$(config_fragment "$1")
    [ -z "$config" ] || [ -f "$config" ] ||
        die "$manifest: config file not found: $config"
}

# Prints the path of the Kconfig fragment that the manifest of
# application folder $1 names, or nothing when it names none.
config_fragment() {
    local config
    config=$(manifest_value "$1" config)
    config=${config//[[:space:]]/}
    [ -z "$config" ] || printf '%s/%s\n' "$1" "$config"
}

# Checks the manifest's name: it becomes a folder and a file name.
app_name() {
    local name
    name=$(manifest_value "$1" name)
    [ -n "$name" ] || die "$1/manifest: 'name' is missing"
    case $name in
    .* | *[!A-Za-z0-9._-]*)
        die "$1/manifest: invalid name '$name': use letters, digits, '.', '_' and '-', not starting with '.'" ;;
    esac
    printf '%s\n' "$name"
}

# Fails unless option $1 has a value ($2 is the number of words left).
need_value() {
    [ "$2" -ge 2 ] || die "$1: missing value (see ./pogo help)"
}

app_dir() {
    local app=$1
    [ -n "$app" ] || die "no application given; for example: ./pogo run apps/helloworld"
    case $app in
    *[[:space:]]*) die "$app: paths with spaces are not supported (make cannot handle them)" ;;
    esac
    [ -d "$app" ] || die "$app: no such application folder"
    [ -f "$app/manifest" ] || die "$app: not an application folder (no manifest file)"
    (cd "$app" && pwd)
}

# Checks the --set settings $3... against the configuration of
# application folder $1 built in $2, so that a rejected one ends the
# build with kconfig's one line and status 2.
check_settings() {
    local dir=$1 build=$2 fragment
    shift 2
    [ $# -gt 0 ] || return 0
    local args=(--edits "$build/menuconfig.config")
    fragment=$(config_fragment "$dir")
    [ -z "$fragment" ] || args+=(--fragment "$fragment")
    local setting
    for setting in "$@"; do
        args+=(--set "$setting")
    done
    (cd "$POGO_DIR" && "$PYTHON" scripts/kconfig.py check "${args[@]}") ||
        exit 2
}

# build APP_DIR BUILD_DIR SETTINGS...
build_app() {
    local dir=$1 build=$2
    shift 2
    ensure_packages $BUILD_PACKAGES
    check_settings "$dir" "$build" "$@"
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

# Decodes the image's exit status from the byte it wrote to isa-debugcon.
# Without that byte QEMU failed, or the guest ended without reporting a
# status (a triple fault ends QEMU with status 0 under -no-reboot): 125.
exit_status() {
    local qemu_status=$1 file=$2
    if [ -s "$file" ]; then
        od -An -tu1 -N1 "$file" | tr -d ' '
    elif [ "$qemu_status" -ge 128 ]; then
        echo "$qemu_status"
    else
        echo "pogo: qemu exited with status $qemu_status and the image" \
            "reported no status (see QEMU's messages above, if any)" >&2
        echo 125
    fi
}

# Prints the KiB of RAM the image occupies from 0 (its end address).
image_end_kib() {
    local type off vaddr paddr filesz memsz rest end max=0
    while read -r type off vaddr paddr filesz memsz rest; do
        [ "$type" = LOAD ] || continue
        end=$((paddr + memsz))
        [ $end -le $max ] || max=$end
    done < <(readelf -lW "$1" 2>/dev/null)
    echo $(((max + 1023) / 1024))
}

# Fails when QEMU would load the initrd over the image. QEMU puts it at
# the top of RAM, below 160 KiB kept for ACPI tables on q35 and pc
# (measured with QEMU 7.2), and loads it before the image runs.
# check_initrd_room FILE MACHINE MEM MEM_KIB IMAGE_END_KIB
check_initrd_room() {
    local size_k acpi_k=160 need_k
    size_k=$(( ($(stat -c %s "$1") + 4095) / 4096 * 4 ))
    [ "$2" = microvm ] && acpi_k=0
    need_k=$(($5 + size_k + acpi_k + 4))
    [ "$4" -ge "$need_k" ] ||
        die "-m $3 is too small for the image ($5 KiB) and the initrd" \
            "($size_k KiB), which QEMU puts at the top of RAM: use -m ${need_k}K" \
            "or more"
}

# Converts a memory size for QEMU's -m to KiB, rounded down: a whole
# number of MiB, or a number with up to 9 decimals and the suffix K, M, G
# or T in either case (64, 1200K, 1.5G). QEMU takes more forms (a B, P or
# E suffix, hexadecimal, size=...), which pogo rejects.
mem_kib() {
    local pattern='^([0-9]{1,9})(\.([0-9]{1,9}))?([KkMmGgTt]?)$'
    [[ $1 =~ $pattern ]] || return 1
    local whole=$((10#${BASH_REMATCH[1]})) fraction=${BASH_REMATCH[3]}
    local unit=${BASH_REMATCH[4]} scale=1024
    [ -n "$unit" ] || [ -z "$fraction" ] || return 1
    case $unit in
    K | k) scale=1 ;;
    G | g) scale=$((1024 * 1024)) ;;
    T | t) scale=$((1024 * 1024 * 1024)) ;;
    esac
    local kib=$((whole * scale))
    if [ -n "$fraction" ]; then
        kib=$((kib + 10#$fraction * scale / 10 ** ${#fraction}))
    fi
    echo "$kib"
}

# Succeeds when $1 is a port number from 1 to 65535.
valid_port() {
    case $1 in '' | *[!0-9]*) return 1 ;; esac
    [ ${#1} -le 5 ] && [ "$1" -ge 1 ] && [ "$1" -le 65535 ]
}

# Prints the hostfwd property of QEMU's user network for one -p value,
# [tcp:|udp:]HOST:GUEST, or fails with the expected form.
hostfwd() {
    local f=$1 proto=tcp
    case $f in tcp:* | udp:*) proto=${f%%:*}; f=${f#*:} ;; esac
    local hostport=${f%%:*} guestport=${f#*:}
    if [ "$hostport" = "$f" ] || ! valid_port "$hostport" ||
        ! valid_port "$guestport"; then
        die "-p: invalid forward '$1': expected [tcp:|udp:]HOST:GUEST" \
            "with ports from 1 to 65535, such as 8080:80"
    fi
    printf ',hostfwd=%s:127.0.0.1:%s-:%s' "$proto" "$hostport" "$guestport"
}

# Sets net_args (QEMU options), net_kopts (kernel options) and net_prefix
# (a command to run QEMU under, for tap in a namespace).
# net_setup NET MACHINE DEVICE_OPTS FORWARDS...
net_setup() {
    local net=$1 machine=$2 dev_opts=$3
    shift 3
    local device=virtio-net-pci
    [ "$machine" = microvm ] && device=virtio-net-device
    net_args=()
    net_kopts=""
    net_prefix=()
    net_ns=""
    case $net in
    none)
        [ $# -eq 0 ] || die "-p needs networking: drop --net none"
        return 0
        ;;
    user)
        local fwd="" f
        for f in "$@"; do
            fwd="$fwd$(hostfwd "$f")" || exit 2
        done
        net_args=(-netdev "user,id=net0,restrict=on$fwd"
            -device "$device,netdev=net0$dev_opts")
        net_kopts="netdev.ip=10.0.2.15 netdev.gw=10.0.2.2 netdev.mask=255.255.255.0"
        ;;
    tap | tap:*)
        [ $# -eq 0 ] || die "-p works with --net user; with tap, reach the guest at 10.0.0.2 inside the namespace"
        [ "$(id -u)" -eq 0 ] || die "--net tap needs root (to create the network namespace and tap device)"
        net_ns=${net#tap}
        net_ns=${net_ns#:}
        if [ -z "$net_ns" ]; then
            net_ns="pogo-$$"
            net_created=1
            ip netns add "$net_ns" || die "--net tap: cannot create network namespace $net_ns"
            echo "pogo: guest at 10.0.0.2 in network namespace $net_ns; for example:" \
                "ip netns exec $net_ns curl http://10.0.0.2/" >&2
        fi
        ip netns exec "$net_ns" ip tuntap add dev pogo0 mode tap 2>/dev/null || true
        ip netns exec "$net_ns" ip addr replace 10.0.0.1/24 dev pogo0 &&
            ip netns exec "$net_ns" ip link set pogo0 up &&
            ip netns exec "$net_ns" ip link set lo up ||
            die "--net tap: cannot set up the tap device in $net_ns"
        net_prefix=(ip netns exec "$net_ns")
        net_args=(-netdev "tap,id=net0,ifname=pogo0,script=no,downscript=no"
            -device "$device,netdev=net0$dev_opts")
        net_kopts="netdev.ip=10.0.0.2 netdev.gw=10.0.0.1 netdev.mask=255.255.255.0"
        ;;
    esac
}

# Succeeds unless the configuration in build folder $1 leaves networking
# out (an image without a .config there is given the benefit of the doubt).
has_networking() {
    [ -f "$1/.config" ] || return 0
    grep -qx 'CONFIG_NET=y' "$1/.config"
}

# Ends QEMU, if it runs, when pogo gets signal number $1, then exits with
# status 128 + $1; the EXIT trap then cleans up after QEMU has gone. A
# second signal while QEMU shuts down ends it with SIGKILL.
stop_qemu() {
    trap '' HUP INT TERM
    if [ -n "${qemu_pid:-}" ]; then
        trap 'kill -KILL "$qemu_pid" 2>/dev/null' HUP INT TERM
        kill -TERM "$qemu_pid" 2>/dev/null
        # wait returns early, with a status above 128, when a signal
        # arrives; QEMU is gone once kill -0 fails.
        while ! wait "$qemu_pid" && kill -0 "$qemu_pid" 2>/dev/null; do
            :
        done
    fi
    exit $((128 + $1))
}

net_teardown() {
    if [ -n "${net_created:-}" ] && [ -n "$net_ns" ]; then
        ip netns delete "$net_ns" 2>/dev/null
    fi
}

cmd_build() {
    local app="" build="" sets=()
    while [ $# -gt 0 ]; do
        case $1 in
        --set) need_value "$1" $#; sets+=("$2"); shift 2 ;;
        --build-dir) need_value "$1" $#; build=$2; shift 2 ;;
        -h | --help) usage; exit 0 ;;
        -*) die "build: unknown option $1 (see ./pogo help)" ;;
        *) [ -z "$app" ] || die "build: more than one application given"; app=$1; shift ;;
        esac
    done
    local dir name
    dir=$(app_dir "$app") || exit 2
    name=$(app_name "$dir") || exit 2
    check_manifest "$dir"
    [ -n "$build" ] || build="$POGO_DIR/build/$name"
    build_app "$dir" "$build" "${sets[@]}"
}

cmd_run() {
    local app="" mem=64M accel=auto machine=microvm cpu="" trace=0 dry=0
    local kopts="" build="" sets=() args=() no_build=0 args_line= icount=0
    local forwards=() net="" net_opts="" qemu_extra=()
    local initrd=""
    while [ $# -gt 0 ]; do
        case $1 in
        -m) need_value "$1" $#; mem=$2; shift 2 ;;
        --accel) need_value "$1" $#; accel=$2; shift 2 ;;
        --machine) need_value "$1" $#; machine=$2; shift 2 ;;
        --cpu) need_value "$1" $#; cpu=$2; shift 2 ;;
        --boot-trace) trace=1; shift ;;
        --icount) icount=1; shift ;;
        --initrd) need_value "$1" $#; initrd=$2; shift 2 ;;
        --kernel-opts) need_value "$1" $#; kopts="$kopts $2"; shift 2 ;;
        --args-line) need_value "$1" $#; args_line=$2; shift 2 ;;
        -p) need_value "$1" $#; forwards+=("$2"); shift 2 ;;
        --net) need_value "$1" $#; net=$2; shift 2 ;;
        --net-opts) need_value "$1" $#; net_opts=",$2"; shift 2 ;;
        --qemu-opt) need_value "$1" $#; qemu_extra+=("$2"); shift 2 ;;
        --set) need_value "$1" $#; sets+=("$2"); shift 2 ;;
        --build-dir) need_value "$1" $#; build=$2; shift 2 ;;
        --dry-run) dry=1; shift ;;
        --no-build) no_build=1; shift ;;
        -h | --help) usage; exit 0 ;;
        --) shift; args=("$@"); break ;;
        -*) die "run: unknown option $1 (see ./pogo help)" ;;
        *) [ -z "$app" ] || die "run: more than one application given"; app=$1; shift ;;
        esac
    done
    case $machine in
    microvm | q35 | pc) ;;
    *) die "--machine: expected microvm, q35 or pc, not '$machine'" ;;
    esac
    case $net in
    '' | none | user | tap | tap:*) ;;
    *) die "--net: expected none, user or tap[:NETNS], not '$net'" ;;
    esac

    [ -z "$args_line" ] || [ ${#args[@]} -eq 0 ] ||
        die "--args-line and arguments after -- cannot be combined"
    if [ -n "$initrd" ]; then
        [ -f "$initrd" ] && [ -r "$initrd" ] ||
            die "--initrd: $initrd: no such readable file"
        [ -s "$initrd" ] ||
            die "--initrd: $initrd is empty, so it is not a cpio newc archive"
    fi
    local f
    for f in "${forwards[@]}"; do
        hostfwd "$f" >/dev/null || exit 2
    done
    local mem_k
    mem_k=$(mem_kib "$mem") ||
        die "-m: invalid size '$mem': use a whole number of MiB, or a" \
            "number with the suffix K, M, G or T, such as 64M or 1.5G"

    local dir name image
    dir=$(app_dir "$app") || exit 2
    name=$(app_name "$dir") || exit 2
    check_manifest "$dir"
    [ -n "$build" ] || build="$POGO_DIR/build/$name"
    [ $no_build -eq 1 ] || build_app "$dir" "$build" "${sets[@]}"
    image="$build/$name"
    [ -f "$image" ] || die "$image: no such image; build it with ./pogo build $app"
    ensure_packages $RUN_PACKAGES
    local need_k
    need_k=$(image_end_kib "$image")
    if [ -n "$need_k" ] && [ "$mem_k" -le "$need_k" ]; then
        die "-m $mem is too small: the image itself reaches $need_k KiB of RAM"
    fi
    [ -z "$initrd" ] || check_initrd_room "$initrd" "$machine" "$mem" "$mem_k" "$need_k"

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
        for a in "${args[@]}"; do
            line="$line $(guest_quote "$a")"
            [ ${#line} -lt 4096 ] ||
                die "the command line is longer than 4095 bytes, the image's limit"
        done
    fi
    line=${line# }

    local net_option="--net $net"
    if [ -z "$net" ] && [ ${#forwards[@]} -gt 0 ]; then
        net=user
        net_option="-p ${forwards[0]}"
    fi
    [ -n "$net" ] || net=none
    if [ "$net" != none ] && ! has_networking "$build"; then
        die "$net_option: the image has no networking (CONFIG_NET is not" \
            "set in $build/.config); add CONFIG_NET=y to $app's config" \
            "file, or --set NET=y"
    fi

    local status_file
    status_file=$(mktemp /tmp/pogo-status.XXXXXX)
    trap 'rm -f "$status_file"; net_teardown' EXIT
    trap 'stop_qemu 1' HUP
    trap 'stop_qemu 2' INT
    trap 'stop_qemu 15' TERM
    net_setup "$net" "$machine" "$net_opts" "${forwards[@]}" || exit 2
    line="$net_kopts $line"
    local machine_opts=$machine
    [ "$machine" = microvm ] && machine_opts="microvm,acpi=off"
    # The wall-clock time at launch, which QEMU's RTC gives in whole
    # seconds only; a printed command may run much later, so it has none.
    [ $dry -eq 1 ] || line="clock.realtime=$(date +%s.%N) $line"
    local qemu=("${net_prefix[@]}" qemu-system-x86_64 -M "$machine_opts" -m "$mem" -accel "$accel"
        -cpu "$cpu" -display none -nodefaults -no-user-config -no-reboot
        -serial stdio -kernel "$image" -append "$line"
        -device isa-debug-exit,iobase=0x501,iosize=1
        -debugcon "file:$status_file"
        -chardev file,id=stderr,path=/dev/stderr,append=on
        -device isa-debugcon,iobase=0x4e8,chardev=stderr "${net_args[@]}"
        "${qemu_extra[@]}")
    [ -z "$initrd" ] || qemu+=(-initrd "$initrd")
    if [ "$accel" = tcg ] && { [ $trace -eq 1 ] || [ $icount -eq 1 ]; }; then
        qemu+=(-icount shift=0)
    elif [ $icount -eq 1 ]; then
        die "--icount needs --accel tcg"
    elif [ "$accel" = tcg ]; then
        # TCG keeps the guest's memory fences only when the machine may
        # have more than one CPU; virtio needs them (arch/x86_64/cpu.c).
        qemu+=(-smp 1,maxcpus=2)
    fi

    if [ $dry -eq 1 ]; then
        printf '%q ' "${qemu[@]}"
        echo
        rm -f "$status_file"
        return 0
    fi
    # QEMU runs in the background and pogo waits for it, so that a signal
    # to pogo runs its trap at once, not when QEMU ends. Standard input
    # is redirected explicitly because bash gives a background command
    # /dev/null instead.
    "${qemu[@]}" <&0 &
    qemu_pid=$!
    wait "$qemu_pid"
    local qs=$?
    qemu_pid=""
    exit "$(exit_status "$qs" "$status_file")"
}

# Runs menuconfig on the resolved configuration of APP, then keeps what
# it saved as build/<name>/menuconfig.config, the settings in which it
# differs from the defaults and the config file, which later builds
# apply (scripts/kconfig.py).
cmd_menuconfig() {
    local dir name build
    dir=$(app_dir "$1") || exit 2
    name=$(app_name "$dir") || exit 2
    check_manifest "$dir"
    [ -t 0 ] && [ -t 1 ] ||
        die "menuconfig needs a terminal for its standard input and output;" \
            "without one, put CONFIG_ settings in $1's config file or pass --set"
    build="$POGO_DIR/build/$name"
    ensure_packages $BUILD_PACKAGES
    make -s --no-print-directory -C "$POGO_DIR" -f mk/image.mk APP="$dir" \
        BUILD="$build" config >&2 || die "resolving the configuration failed"
    local resolved fragment
    resolved=$(cat "$build/.config")
    (cd "$POGO_DIR" && KCONFIG_CONFIG="$build/.config" "$PYTHON" -m menuconfig Kconfig) ||
        exit
    [ "$(cat "$build/.config")" != "$resolved" ] || return 0
    local args=(--config "$build/.config" --out "$build/menuconfig.config")
    fragment=$(config_fragment "$dir")
    [ -z "$fragment" ] || args+=(--fragment "$fragment")
    (cd "$POGO_DIR" && "$PYTHON" scripts/kconfig.py save-edits "${args[@]}") ||
        die "saving the menuconfig settings to $build/menuconfig.config failed"
    echo "pogo: builds of $1 now apply $build/menuconfig.config;" \
        "remove it to undo these settings" >&2
}

# new DIR: creates an application folder whose name is DIR's last part.
cmd_new() {
    local dir=$1 name
    [ -n "$dir" ] || die "new: no folder given; for example: ./pogo new myapp"
    [ $# -le 1 ] || die "new: more than one folder given"
    [ ! -e "$dir" ] || die "new: $dir already exists; give a new folder"
    case $dir in
    *[[:space:]]*) die "new: $dir: paths with spaces are not supported (make cannot handle them)" ;;
    esac
    name=$(basename "$dir")
    case $name in
    .* | *[!A-Za-z0-9._-]*)
        die "new: invalid name '$name' (the folder's last part): use" \
            "letters, digits, '.', '_' and '-', not starting with '.'" ;;
    esac
    [ -d "$(dirname "$dir")" ] ||
        die "new: no such folder $(dirname "$dir") to create $name in"
    mkdir "$dir" || die "new: cannot create $dir"
    printf '%s\n' "# $name: a Pogo application (README.md lists the keys)." \
        "name = $name" "sources = main.c" "config = config" >"$dir/manifest"
    printf '%s\n' '#include <stdio.h>' '' 'int main(void)' '{' \
        "    printf(\"Hello from $name!\\n\");" '    return 0;' '}' >"$dir/main.c"
    : >"$dir/config"
    echo "pogo: created $dir; run it with: ./pogo run $dir" >&2
}

# inspect APP [--boot] [--plot FILE] [--set NAME=VALUE]... [--build-dir DIR]
cmd_inspect() {
    local app="" build="" sets=() boot=0 plot=""
    while [ $# -gt 0 ]; do
        case $1 in
        --boot) boot=1; shift ;;
        --plot) need_value "$1" $#; plot=$2; shift 2 ;;
        --set) need_value "$1" $#; sets+=("$2"); shift 2 ;;
        --build-dir) need_value "$1" $#; build=$2; shift 2 ;;
        -h | --help) usage; exit 0 ;;
        -*) die "inspect: unknown option $1 (see ./pogo help)" ;;
        *) [ -z "$app" ] || die "inspect: more than one application given"; app=$1; shift ;;
        esac
    done
    case $plot in
    '' | *.png) ;;
    *) die "--plot $plot: the chart is a PNG image, so FILE must end in .png" ;;
    esac
    if [ -n "$plot" ] && ! [ -d "$(dirname "$plot")" ]; then
        die "--plot $plot: no such folder $(dirname "$plot")"
    fi
    local dir name
    dir=$(app_dir "$app") || exit 2
    name=$(app_name "$dir") || exit 2
    check_manifest "$dir"
    [ -n "$build" ] || build="$POGO_DIR/build/$name"
    build_app "$dir" "$build" "${sets[@]}"
    [ -z "$plot" ] || ensure_packages gnuplot-nox
    [ $boot -eq 0 ] || ensure_packages $RUN_PACKAGES

    local args=(--build-dir "$build" --name "$name" --app "$dir")
    [ $boot -eq 0 ] || args+=(--boot)
    [ -z "$plot" ] || args+=(--plot "$plot")
    PYTHONPATH="$POGO_DIR/scripts${PYTHONPATH:+:$PYTHONPATH}" \
        "$PYTHON" -m pogo_inspect "${args[@]}"
}

case ${1:-help} in
new) shift; cmd_new "$@" ;;
build) shift; cmd_build "$@" ;;
run) shift; cmd_run "$@" ;;
menuconfig) shift; cmd_menuconfig "$@" ;;
inspect) shift; cmd_inspect "$@" ;;
help | -h | --help) usage ;;
*) echo "pogo: unknown command '$1'" >&2; usage >&2; exit 2 ;;
esac
