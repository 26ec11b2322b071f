#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""Resolve an application's configuration with Debian's kconfiglib.

A configuration is built from layers, each applied over the one before:
the Kconfig defaults, the application's fragment (its manifest's config
file), the edits saved in menuconfig (the EDITS file, when it exists) and
the NAME=VALUE settings given with --set. A fragment that is newer than
EDITS was edited after menuconfig saved, so it is applied after EDITS.
The previous resolved configuration is never read, so a --set setting
lasts for one build only.

resolve: write OUT from these layers.
check: only check the --set settings of these layers.
save-edits: write EDITS from a configuration that menuconfig saved: the
settings in which it differs from the defaults and fragments.
header: write the C header of a resolved configuration.

A --set setting that the resolved configuration does not keep (a value
outside the option's range, an unmet dependency, a choice, an option
without a prompt) is rejected with one line and exit status 2.
"""
import argparse
import os
import sys

try:
    import kconfiglib
except ImportError:
    sys.exit("kconfig: python3-kconfiglib is missing; "
             "run: apt-get install python3-kconfiglib")

BOOL_TYPES = (kconfiglib.BOOL, kconfiglib.TRISTATE)


class ConfigError(Exception):
    """An invalid input of a configuration: a --set setting that is
    invalid or that the configuration drops, or a missing fragment."""


def load_kconfig(path):
    kconf = kconfiglib.Kconfig(path, warn_to_stderr=False)
    for warning in kconf.warnings:
        print("kconfig: " + warning, file=sys.stderr)
    return kconf


def parse_settings(kconf, settings):
    """Return the (symbol, value) pairs of NAME=VALUE settings, the last
    one of each name only."""
    pairs = {}
    for setting in settings:
        name, sep, value = setting.partition("=")
        name = name.removeprefix("CONFIG_")
        sym = kconf.syms.get(name)
        if not sep or sym is None or not sym.nodes:
            raise ConfigError(f"invalid setting '{setting}': expected "
                               "NAME=VALUE with a known option name")
        pairs[name] = (sym, value)
    return list(pairs.values())


def int_value(sym, text):
    """Return text as the integer it means for an int or hex option, or
    None when it is not a number."""
    try:
        return int(text, 16 if sym.type == kconfiglib.HEX else 10)
    except ValueError:
        return None


def active_range(sym):
    """Return the (low, high) range of an int or hex option that applies
    now, or None when it has none."""
    for low, high, cond in sym.ranges:
        if kconfiglib.expr_value(cond):
            return int_value(sym, low.str_value), int_value(sym, high.str_value)
    return None


def dependency_text(syms, expr):
    """Return a dependency expression with the current value of each
    option in it, such as 'NET, which is n'."""
    if isinstance(expr, kconfiglib.Symbol):
        return f"{expr.name}, which is {expr.str_value}"
    names = sorted({s.name for s in kconfiglib.expr_items(expr) if s.nodes})
    values = ", ".join(f"{n}={syms[n].str_value}" for n in names)
    return f"{kconfiglib.expr_str(expr)} (now {values})"


def has_prompt(sym):
    return any(node.prompt for node in sym.nodes)


def check_type(sym, value):
    if sym.type in BOOL_TYPES and value not in ("y", "n"):
        return f"{sym.name} is a bool option: use y or n"
    if sym.type in (kconfiglib.INT, kconfiglib.HEX):
        number = int_value(sym, value)
        if number is None:
            kind = "a hexadecimal" if sym.type == kconfiglib.HEX else "an"
            return f"{sym.name} takes {kind} integer"
        bounds = active_range(sym)
        if bounds and not bounds[0] <= number <= bounds[1]:
            return f"outside the range {bounds[0]} to {bounds[1]}"
    return None


def kept(sym, value):
    if sym.type in (kconfiglib.INT, kconfiglib.HEX):
        return int_value(sym, sym.str_value) == int_value(sym, value)
    return sym.str_value == value


def why_dropped(sym, value):
    """Return why the resolved configuration does not keep sym=value."""
    if not has_prompt(sym):
        exprs = [sym.rev_dep] + [e for default in sym.defaults
                                 for e in default]
        deps = sorted({s.name for e in exprs
                       for s in kconfiglib.expr_items(e) if s.nodes})
        source = ", ".join(deps) if deps else "its default"
        return (f"{sym.name} has no prompt, so its value "
                f"({sym.str_value}) follows from {source}")
    if not kconfiglib.expr_value(sym.direct_dep):
        return f"it depends on {dependency_text(sym.kconfig.syms, sym.direct_dep)}"
    choice = sym.choice
    if choice is not None:
        prompt = choice.nodes[0].prompt[0]
        if value == "n":
            others = ", ".join(s.name for s in choice.syms if s is not sym)
            return (f"it is the selected member of the choice '{prompt}', "
                    f"so set another member to y instead ({others})")
        if choice.selection is not None:
            return (f"another setting selects {choice.selection.name} in "
                    f"the choice '{prompt}'")
    if value == "n" and kconfiglib.expr_value(sym.rev_dep):
        return f"it is selected by {dependency_text(sym.kconfig.syms, sym.rev_dep)}"
    return f"the resolved value is {sym.str_value}"


def apply_settings(kconf, settings):
    """Apply NAME=VALUE settings, then check that the configuration keeps
    each of them. Raise ConfigError for the first one it drops."""
    pairs = parse_settings(kconf, settings)
    for sym, value in pairs:
        problem = check_type(sym, value)
        if problem:
            raise ConfigError(f"invalid setting {sym.name}={value}: "
                               f"{problem}")
        sym.set_value(value)
    for sym, value in pairs:
        if not kept(sym, value):
            raise ConfigError(f"invalid setting {sym.name}={value}: "
                               f"{why_dropped(sym, value)}")


def newer(a, b):
    return os.path.getmtime(a) > os.path.getmtime(b)


def load_layers(args):
    """Return the Kconfig tree with every layer of the docstring applied."""
    kconf = load_kconfig(args.kconfig)
    fragments = [f for f in args.fragment if f]
    edits = args.edits if args.edits and os.path.exists(args.edits) else None
    for frag in fragments:
        if not os.path.isfile(frag):
            raise ConfigError(f"{frag}: no such configuration fragment")
        if not edits or not newer(frag, edits):
            kconf.load_config(frag, replace=False)
    if edits:
        kconf.load_config(edits, replace=False)
        for frag in fragments:
            if newer(frag, edits):
                kconf.load_config(frag, replace=False)
    apply_settings(kconf, args.set)
    return kconf


def replace_if_changed(tmp, out):
    if os.path.exists(out) and open(tmp).read() == open(out).read():
        os.remove(tmp)
        return False
    os.replace(tmp, out)
    return True


def resolve(args):
    kconf = load_layers(args)
    os.makedirs(os.path.dirname(args.out) or ".", exist_ok=True)
    tmp = args.out + ".tmp"
    kconf.write_config(tmp, header="# Pogo configuration, resolved by "
                       "scripts/kconfig.py\n")
    # A new modification time marks OUT as up to date with its newer
    # inputs for make, even when their changes did not change it.
    if not replace_if_changed(tmp, args.out):
        os.utime(args.out)


def check(args):
    load_layers(args)


def save_edits(args):
    base = load_kconfig(args.kconfig)
    for frag in args.fragment:
        if frag:
            base.load_config(frag, replace=False)
    defaults = {sym.name: sym.str_value for sym in base.unique_defined_syms}
    saved = load_kconfig(args.kconfig)
    saved.load_config(args.config)
    lines = [sym.config_string for sym in saved.unique_defined_syms
             if has_prompt(sym) and sym.config_string
             and sym.str_value != defaults[sym.name]]
    tmp = args.out + ".tmp"
    with open(tmp, "w") as f:
        f.write("# The settings saved in ./pogo menuconfig; remove this "
                "file to undo them.\n")
        f.writelines(lines)
    os.replace(tmp, args.out)


def header(args):
    kconf = load_kconfig(args.kconfig)
    kconf.load_config(args.config)
    os.makedirs(os.path.dirname(args.out), exist_ok=True)
    tmp = args.out + ".tmp"
    kconf.write_autoconf(tmp, header="/* Generated from .config. */\n")
    replace_if_changed(tmp, args.out)


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    for command in ("resolve", "check"):
        p = sub.add_parser(command)
        p.add_argument("--kconfig", default="Kconfig")
        if command == "resolve":
            p.add_argument("--out", required=True)
        p.add_argument("--fragment", action="append", default=[])
        p.add_argument("--edits")
        p.add_argument("--set", action="append", default=[])
    p = sub.add_parser("save-edits")
    p.add_argument("--kconfig", default="Kconfig")
    p.add_argument("--config", required=True)
    p.add_argument("--fragment", action="append", default=[])
    p.add_argument("--out", required=True)
    p = sub.add_parser("header")
    p.add_argument("--kconfig", default="Kconfig")
    p.add_argument("--config", required=True)
    p.add_argument("--out", required=True)
    args = parser.parse_args()
    commands = {"resolve": resolve, "check": check, "save-edits": save_edits,
                "header": header}
    try:
        commands[args.command](args)
    except ConfigError as e:
        print(f"kconfig: {e}", file=sys.stderr)
        sys.exit(2)


if __name__ == "__main__":
    main()
