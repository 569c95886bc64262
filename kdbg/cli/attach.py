"""`kdbg attach`: TARGET (HOST:PORT, unix:PATH, libvirt:DOMAIN, core:FILE)
checked and probed, and GDB started on it with kdbg loaded."""
import os
import socket
import sys

from .common import TREE, UsageError, die, gdb_argv, need_elf, split_rest, take_opt
from .cores import check_core, core_view
from .libvirt import libvirt_target
from .rundir import latest_gdb_target


PROBE_TIMEOUT = 3


def probe(target):
    """Fail fast, with the reason, when nothing accepts connections at the
    target (GDB would retry for ~15 s, call it a timeout, and leave a
    prompt over nothing). A connection that is accepted is closed at once:
    QEMU's gdbstub and kdbg gdbserver take the next one (GDB's)."""
    if target.startswith("unix:"):
        path = target[5:]
        if not os.path.exists(path):
            die("cannot attach: no socket %s" % path, 1)
        import stat
        if not stat.S_ISSOCK(os.stat(path).st_mode):
            die("cannot attach: %s is not a socket" % path, 1)
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        addr, shown = path, path
    else:
        host, _, port = target.rpartition(":")
        try:
            infos = socket.getaddrinfo(host, int(port), type=socket.SOCK_STREAM)
        except (socket.gaierror, UnicodeError) as e:
            die("cannot attach to %s: unknown host %s (%s)" % (target, host, e), 1)
        family, _, _, _, addr = infos[0]
        s = socket.socket(family, socket.SOCK_STREAM)
        shown = target
    s.settimeout(PROBE_TIMEOUT)
    try:
        s.connect(addr)
    except ConnectionRefusedError:
        die("cannot attach to %s: connection refused (nothing listens there: is the VM "
            "running with a gdbstub, e.g. kdbg run or -gdb tcp::PORT?)" % shown, 1)
    except socket.timeout:
        die("cannot attach to %s: no answer within %d s (host down or port filtered)"
            % (shown, PROBE_TIMEOUT), 1)
    except OSError as e:
        die("cannot attach to %s: %s" % (shown, e.strerror or e), 1)
    finally:
        s.close()


# After the target command: GDB goes on to its prompt even when that failed;
# a kdbg session without a target would only report over nothing.
ATTACHED_OR_QUIT = ("python import gdb; inf = gdb.selected_inferior(); "
                    "(inf.pid or inf.threads()) or (gdb.write('kdbg: not attached: see the "
                    "error above\\n', gdb.STDERR), gdb.execute('quit 1'))")


def check_target_shape(target):
    """Usage errors in TARGET, before anything else is looked at."""
    if target.startswith("core:"):
        if not os.path.isfile(target[5:]):
            die("no core file %s" % target[5:])
    elif not target.startswith(("libvirt:", "unix:")):
        host, sep, port = target.rpartition(":")
        if not sep or not port.isdigit():
            raise UsageError("target must be HOST:PORT, unix:PATH, libvirt:DOMAIN or core:FILE")


def target_commands(target, build, elf=None):
    if target.startswith("core:"):
        path = target[5:]
        if not os.path.isfile(path):
            die("no core file %s" % path)
        if elf:
            check_core(path, elf)
        # Never written: a core not yet normalized is read through a
        # normalized private copy (an unlinked file GDB inherits).
        view = core_view(path, build)
        if view != path:
            sys.stderr.write("kdbg: %s is not normalized: reading a normalized copy, the file "
                             "is left as it is (kdbg normalize-core FILE does it once)\n" % path)
        return ["core-file " + os.path.abspath(view), ATTACHED_OR_QUIT]
    if target.startswith("libvirt:"):
        target = libvirt_target(target[8:])
    if target.startswith("unix:"):
        probe(target)
        return ["target remote " + target[5:], ATTACHED_OR_QUIT]
    host, sep, port = target.rpartition(":")
    if not sep or not port.isdigit():
        raise UsageError("target must be HOST:PORT, unix:PATH, libvirt:DOMAIN or core:FILE")
    target = "%s:%s" % (host or "localhost", port)
    probe(target)
    return ["target remote " + target, ATTACHED_OR_QUIT]


def cmd_attach(args):
    args, extra = split_rest(args)
    explicit = "--build" in args or "--elf" in args
    build = take_opt(args, "--build", os.path.join(TREE, "build"))
    elf = take_opt(args, "--elf") or os.path.join(build, "cairn.elf")
    if len(args) > 1:
        raise UsageError("attach takes one TARGET")
    if not args:
        # The newest run directory (kdbg run, kdbg boot, make run MONITOR=1).
        target, run = latest_gdb_target("attach to")
        args = [target]
        if not explicit:
            elf = os.path.realpath(os.path.join(run, "cairn.elf"))
            build = os.path.dirname(elf)
    check_target_shape(args[0])
    elf = need_elf(elf)
    argv = gdb_argv(elf, target_commands(args[0], build, elf), extra)
    os.execvp(argv[0], argv)
