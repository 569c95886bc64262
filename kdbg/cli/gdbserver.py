"""`kdbg gdbserver` and the pieces `kdbg run --ide` shares: the
kdbg-gdbserver command line, its options, and running it."""
import os
import signal
import subprocess
import sys

from .common import GDB, TREE, UsageError, die, take_opt
from .libvirt import libvirt_qmp_sockets, libvirt_target
from .rundir import latest_gdb_target


# ---- kdbg gdbserver -------------------------------------------------------------
def root_task_elfs(build):
    """The root task's ELF in build/user/ (the newest: the one the kernel
    carries), for user-space symbols; [] when there is none."""
    d = os.path.join(build, "user")
    try:
        elfs = [os.path.join(d, f) for f in os.listdir(d) if f.endswith(".elf")]
    except OSError:
        return []
    elfs = [e for e in elfs if os.path.isfile(e)]
    return [max(elfs, key=os.path.getmtime)] if elfs else []


def gdbserver_argv(build, elf, target, listen, user_elfs, qmp=None):
    binary = os.path.join(build, "kdbg-gdbserver")
    if not os.access(binary, os.X_OK):
        binary = os.path.join(TREE, "build", "kdbg-gdbserver")
    if not os.access(binary, os.X_OK):
        die("no %s: run make" % os.path.join(build, "kdbg-gdbserver"))
    argv = [binary, "--elf", elf, "--target", target, "--listen", listen]
    for u in user_elfs:
        argv += ["--user-elf", u]
    if qmp:
        # Used at start only, to read guest RAM directly (much faster than
        # the gdbstub's 2 KiB packets); the server says if it cannot.
        argv += ["--qmp", qmp]
    return argv


def gdbserver_options(args):
    listen = take_opt(args, "--listen", "127.0.0.1:1235")
    qmp = take_opt(args, "--qmp")
    host, sep, port = listen.rpartition(":")
    if not sep or not port.isdigit():
        raise UsageError("--listen must be HOST:PORT, not %s" % listen)
    user_elfs = []
    while "--user-elf" in args:
        u = take_opt(args, "--user-elf")
        if not os.path.isfile(u):
            die("no user ELF %s" % u)
        user_elfs.append(os.path.abspath(u))
    return listen, user_elfs, qmp


def run_gdbserver(argv, elf, note=""):
    """Start kdbg-gdbserver, say where to connect once it listens (it has
    reached QEMU by then), and wait for it; Ctrl-C stops it."""
    server = subprocess.Popen(argv, stdout=subprocess.PIPE, text=True,
                              preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    try:
        line = server.stdout.readline().strip()
        if not line.startswith("listening on "):
            return server.wait()     # it said why on stderr
        addr = line[len("listening on "):]
        sys.stdout.write(
            "kdbg: gdbserver listening on %s: Cairn's tasks are threads, `info os` lists tables\n"
            "kdbg:   %s %s -ex 'target remote %s'\n"
            "kdbg:   VS Code, Theia, Eclipse: docs/ide.md%s\n" % (addr, GDB, elf, addr, note))
        sys.stdout.flush()
        return server.wait()
    except KeyboardInterrupt:
        return 0
    finally:
        if server.poll() is None:
            server.terminate()
            server.wait()


def cmd_gdbserver(args):
    explicit = "--build" in args or "--elf" in args
    build = take_opt(args, "--build", os.path.join(TREE, "build"))
    elf = take_opt(args, "--elf") or os.path.join(build, "cairn.elf")
    listen, user_elfs, qmp = gdbserver_options(args)
    if len(args) > 1 or (args and args[0].startswith("-")):
        raise UsageError("gdbserver takes one TARGET and --listen, --qmp, --user-elf, "
                         "--build, --elf")
    if not args:
        target, run = latest_gdb_target("serve")
        args = [target]
        if not explicit:
            elf = os.path.realpath(os.path.join(run, "cairn.elf"))
            build = os.path.dirname(elf)
        qmp = qmp or "unix:" + os.path.join(run, "qmp.sock")
    target = args[0]
    if target.startswith("core:"):
        die("gdbserver serves a live VM; for a core use: kdbg attach %s" % target)
    if target.startswith("libvirt:"):
        if not qmp:
            socks = [x for x in libvirt_qmp_sockets(target[8:])
                     if os.path.basename(x) == "qmp.sock"]
            qmp = "unix:" + socks[0] if socks else None
        target = libvirt_target(target[8:])
    elif not target.startswith("unix:"):
        host, sep, port = target.rpartition(":")
        if not sep or not port.isdigit():
            raise UsageError("target must be HOST:PORT, unix:PATH or libvirt:DOMAIN")
        target = "%s:%s" % (host or "127.0.0.1", port)
    if not os.path.isfile(elf):
        die("no kernel ELF at %s (run make, or give --build DIR / --elf FILE)" % elf)
    elf = os.path.abspath(elf)
    argv = gdbserver_argv(build, elf, target, listen, user_elfs or root_task_elfs(build), qmp)
    return run_gdbserver(argv, elf, "; Ctrl-C stops the gdbserver")
