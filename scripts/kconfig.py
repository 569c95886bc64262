#!/usr/bin/python3
"""Turn .config into what the build reads, refusing a broken one.

Usage: kconfig.py sync KCONFIG CONFIG BUILD_DIR

Writes, each only when its contents change (so make rebuilds only what
depends on a changed option):
  BUILD_DIR/include/generated/autoconf.h   #defines for C
  BUILD_DIR/auto.conf                       CONFIG_X=... for make
  BUILD_DIR/include/config/...              one file per symbol (fixdep)

A .config with malformed lines or invalid values stops the build with
each problem named, rather than being silently repaired.
"""
import os
import sys

import kconfiglib


def fail(msg):
    sys.stderr.write("kconfig: " + msg + "\n")
    sys.exit(1)


def sync(kconfig_path, config_path, build_dir):
    if not os.path.exists(config_path):
        fail("%s does not exist; run 'make defconfig' or 'make menuconfig'"
             % config_path)
    kconf = kconfiglib.Kconfig(kconfig_path, warn_to_stderr=False)
    kconf.load_config(config_path)
    problems = []
    for w in kconf.warnings:
        # An option that no longer exists is harmless (olddefconfig drops
        # it); anything else means the file is damaged or hand-edited wrong.
        if "undefined symbol" in w:
            sys.stderr.write("kconfig: note: %s\n" % w.replace("\n", " "))
        else:
            problems.append(w.replace("\n", " "))
    if problems:
        fail("%s is broken:\n  %s\nFix it, or run 'make olddefconfig' "
             "(keeps what it can) or 'make defconfig' (starts over)."
             % (config_path, "\n  ".join(problems)))
    inc = os.path.join(build_dir, "include")
    os.makedirs(os.path.join(inc, "generated"), exist_ok=True)
    os.makedirs(os.path.join(inc, "config"), exist_ok=True)
    kconf.write_autoconf(os.path.join(inc, "generated", "autoconf.h"))
    kconf.sync_deps(os.path.join(inc, "config"))
    # auto.conf for make: kconfiglib only writes when changed.
    kconf.write_config(os.path.join(build_dir, "auto.conf"),
                       header="# generated from %s; do not edit\n"
                       % config_path, save_old=False)


def main(argv):
    if len(argv) != 5 or argv[1] != "sync":
        sys.stderr.write("kconfig: usage: kconfig.py sync KCONFIG CONFIG BUILD_DIR\n")
        sys.exit(2)
    sync(argv[2], argv[3], argv[4])


if __name__ == "__main__":
    main(sys.argv)
