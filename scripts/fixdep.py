#!/usr/bin/python3
"""Rewrite a gcc -MMD dependency file so an object depends on the Kconfig
symbols it uses, not on autoconf.h as a whole (the idea of Linux's fixdep).

Usage: fixdep.py CONFIG_DIR DEPFILE...

Every prerequisite file is scanned for CONFIG_FOO_BAR; the object then
depends on CONFIG_DIR/foo/bar.h, which kconfiglib touches only when that
symbol's value changes. autoconf.h itself is dropped from the list.
The Makefile runs it once before the link, on the .d files of the
objects rebuilt since (one Python start per build, not per object). A
.d file it has not yet seen still names autoconf.h, so an interrupted
build rebuilds too much, never too little; a rewritten file is left as
it is by a second pass.
"""
import os
import re
import sys

CONFIG_RE = re.compile(rb"\bCONFIG_([A-Z0-9_]+)")


def fix(depfile, config_dir):
    with open(depfile) as f:
        text = f.read().replace("\\\n", " ")
    if "$(wildcard " in text:
        return      # rewritten already
    rules = [line for line in text.splitlines() if line.strip()]
    if not rules:
        return
    target, _, prereqs = rules[0].partition(":")
    files = [p for p in prereqs.split() if not p.endswith("autoconf.h")]
    symbols = set()
    for path in files:
        try:
            with open(path, "rb") as src:
                symbols.update(m.decode() for m in CONFIG_RE.findall(src.read()))
        except OSError:
            pass
    # A symbol's file exists once its value has changed since the tree was
    # configured; until then (a bool that has always been n, a macro of
    # our own) it is named through $(wildcard): kconfig.py creates it when
    # the value changes, and make, which reads auto.conf, starts again
    # after that and finds it. Leaving it out instead meant that turning
    # on an option that had been off rebuilt nothing that tests it.
    sym_files = sorted("%s/%s.h" % (config_dir, s.lower().replace("_", "/"))
                       for s in symbols)
    deps = files + ["$(wildcard %s)" % p for p in sym_files]
    out = [target + ": \\"] + ["  %s \\" % d for d in deps] + [""]
    # -MP style phony targets so a deleted header does not break the build.
    out += ["%s:" % d for d in files[1:]]
    with open(depfile, "w") as f:
        f.write("\n".join(out) + "\n")


if __name__ == "__main__":
    if len(sys.argv) < 3 or any(a.startswith("-") for a in sys.argv[1:]):
        sys.stderr.write("usage: fixdep.py CONFIG_DIR DEPFILE...\n")
        sys.exit(2)
    try:
        for depfile in sys.argv[2:]:
            fix(depfile, sys.argv[1])
    except OSError as e:
        sys.stderr.write("fixdep.py: %s\n" % e)
        sys.exit(1)
