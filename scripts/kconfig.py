#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""Resolve an application's configuration with Debian's kconfiglib.

resolve: write OUT from the defaults and the application's fragment; when
OUT exists already (for example after menuconfig) keep its choices and
apply the fragment again only when the fragment is newer. Extra NAME=VALUE
settings given with --set are applied last and always.
header: write the C header of a resolved configuration.
"""
import argparse
import os
import sys

try:
    import kconfiglib
except ImportError:
    sys.exit("kconfig: python3-kconfiglib is missing; "
             "run: apt-get install python3-kconfiglib")


def load_kconfig(path):
    kconf = kconfiglib.Kconfig(path, warn_to_stderr=False)
    for warning in kconf.warnings:
        print("kconfig: " + warning, file=sys.stderr)
    return kconf


def apply_settings(kconf, settings):
    for setting in settings:
        name, sep, value = setting.partition("=")
        name = name.removeprefix("CONFIG_")
        sym = kconf.syms.get(name)
        if not sep or sym is None:
            sys.exit(f"kconfig: invalid setting '{setting}': "
                     "expected NAME=VALUE with a known option name")
        if not sym.set_value(value):
            sys.exit(f"kconfig: invalid value for {name}: '{value}'")
        if sym.str_value != value and sym.type in (kconfiglib.BOOL,
                                                   kconfiglib.TRISTATE):
            sys.exit(f"kconfig: {name}={value} is not possible here: "
                     "its dependencies are not met")


def newer(a, b):
    return os.path.getmtime(a) > os.path.getmtime(b)


def resolve(args):
    kconf = load_kconfig(args.kconfig)
    fragments = [f for f in args.fragment if f]
    if os.path.exists(args.out):
        kconf.load_config(args.out)
        for frag in fragments:
            if newer(frag, args.out):
                kconf.load_config(frag, replace=False)
    else:
        for frag in fragments:
            kconf.load_config(frag, replace=False)
    apply_settings(kconf, args.set)
    os.makedirs(os.path.dirname(args.out) or ".", exist_ok=True)
    tmp = args.out + ".tmp"
    kconf.write_config(tmp, header="# Pogo configuration, resolved by "
                       "scripts/kconfig.py\n")
    if os.path.exists(args.out) and open(tmp).read() == open(args.out).read():
        os.remove(tmp)
        os.utime(args.out)
    else:
        os.replace(tmp, args.out)


def header(args):
    kconf = load_kconfig(args.kconfig)
    kconf.load_config(args.config)
    os.makedirs(os.path.dirname(args.out), exist_ok=True)
    tmp = args.out + ".tmp"
    kconf.write_autoconf(tmp, header="/* Generated from .config. */\n")
    if os.path.exists(args.out) and open(tmp).read() == open(args.out).read():
        os.remove(tmp)
    else:
        os.replace(tmp, args.out)


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("resolve")
    p.add_argument("--kconfig", default="Kconfig")
    p.add_argument("--out", required=True)
    p.add_argument("--fragment", action="append", default=[])
    p.add_argument("--set", action="append", default=[])
    p = sub.add_parser("header")
    p.add_argument("--kconfig", default="Kconfig")
    p.add_argument("--config", required=True)
    p.add_argument("--out", required=True)
    args = parser.parse_args()
    {"resolve": resolve, "header": header}[args.command](args)


if __name__ == "__main__":
    main()
