"""Shared by every kdbg subcommand: where the tree is, the usage-error
exception and die(), option parsing (split_rest, take_opt), the kernel
ELF a --build / --elf names, GDB's command line with kdbg loaded, and a
free TCP port."""
import os
import shutil
import socket
import sys


TREE = os.path.dirname(os.path.dirname(os.path.dirname(os.path.realpath(__file__))))
GDB = "gdb-multiarch"


class UsageError(Exception):
    pass


def die(msg, status=2):
    sys.stderr.write("kdbg: %s\n" % msg)
    sys.exit(status)


def split_rest(args):
    if "--" in args:
        i = args.index("--")
        return args[:i], args[i + 1:]
    return args, []


def take_opt(args, name, default=None):
    if name in args:
        i = args.index(name)
        if i + 1 >= len(args):
            raise UsageError("%s needs a value" % name)
        value = args[i + 1]
        del args[i:i + 2]
        return value
    return default


def elf_for(args, command):
    """The kernel ELF that --elf / --build name (default: build/), once
    every other argument is known to be right: a wrong option is a usage
    error even where no kernel is built."""
    elf = take_opt(args, "--elf")
    build = take_opt(args, "--build", os.path.join(TREE, "build"))
    if args:
        raise UsageError("%s: unexpected %s" % (command, " ".join(args)))
    return need_elf(elf or os.path.join(build, "cairn.elf"))


def need_elf(elf):
    if not os.path.isfile(elf):
        die("no kernel ELF at %s (run make, or give --build DIR / --elf FILE)" % elf)
    return os.path.abspath(elf)


def gdb_argv(elf, target_cmds, extra):
    if not shutil.which(GDB):
        die("%s is not installed (scripts/install-deps installs it)" % GDB)
    script = elf + "-gdb.py"
    if not os.path.isfile(script):
        die("no %s: run make (it builds kdbg's auto-load script)" % script)
    argv = [GDB, "-q", "-nx", "-iex", "set auto-load python-scripts off",
            "-ex", "set pagination off", "-ex", "set confirm off",
            "-ex", "file " + elf, "-ex", "source " + script]
    for c in target_cmds:
        argv += ["-ex", c]
    return argv + extra


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port
