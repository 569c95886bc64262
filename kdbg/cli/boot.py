"""Booting QEMU: the VM in a run directory (sockets, shared RAM, cleanup
on signals), `kdbg run` (with GDB, or --ide behind kdbg-gdbserver),
`kdbg boot` and `kdbg console`."""
import os
import signal
import socket
import subprocess
import sys
import time

from .common import TREE, UsageError, die, elf_for, free_port, gdb_argv, split_rest, take_opt
from .gdbserver import gdbserver_argv, gdbserver_options, root_task_elfs, run_gdbserver
from .rundir import RunDir, latest_run_dir


def machine_argv(elf, arch, ram_file):
    argv = [os.path.join(TREE, "scripts", "qemu-machine"), "--kernel", elf]
    argv += ["--arch", arch] if arch else []
    argv += ["--shared-ram", ram_file] if ram_file else []
    machine = subprocess.run(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    if machine.returncode:
        die(machine.stderr.strip().replace("qemu-machine: ", ""))
    return machine.stdout.splitlines()


def wait_for(pred, proc, seconds, what):
    deadline = time.monotonic() + seconds
    while not pred():
        if proc.poll() is not None:
            die("QEMU exited with status %d before %s" % (proc.returncode, what), 1)
        if time.monotonic() > deadline:
            die("QEMU did not offer %s within %d s" % (what, seconds), 1)
        time.sleep(0.02)


def port_open(port):
    try:
        socket.create_connection(("127.0.0.1", port), 0.1).close()
        return True
    except OSError:
        return False


class VM:
    """QEMU booting elf with the run directory's sockets and shared RAM."""

    def __init__(self, elf, arch, qemu_extra, stopped, console=False, qemu_log=None):
        self.run = RunDir(elf)
        self.proc = None
        r = self.run
        qemu_log = r.file("qemu.log") if qemu_log else None
        self.port = free_port()
        self.qmp = r.file("qmp.sock")
        self.monitor_qmp = r.file("monitor.qmp")
        self.serial = r.file("serial.sock")
        self.log = r.file("serial.log")
        with open(r.file("gdb.port"), "w") as f:
            f.write("%d\n" % self.port)
        qemu = machine_argv(elf, arch, r.ram_file)
        if console:
            # The serial console and QEMU's monitor on stdio (Ctrl-A X
            # quits, Ctrl-A C the monitor, as with -serial mon:stdio),
            # logged to serial.log.
            qemu += ["-chardev", "stdio,id=ser0,mux=on,signal=off,logfile=%s" % self.log,
                     "-serial", "chardev:ser0", "-mon", "chardev=ser0,mode=readline"]
            self.serial = None
        else:
            qemu += ["-chardev", "socket,id=ser0,path=%s,server=on,wait=off,logfile=%s"
                     % (self.serial, self.log), "-serial", "chardev:ser0"]
        qemu += ["-qmp", "unix:%s,server=on,wait=off" % self.qmp,
                 "-qmp", "unix:%s,server=on,wait=off" % self.monitor_qmp,
                 "-pidfile", r.file("qemu.pid"),
                 "-gdb", "tcp:127.0.0.1:%d" % self.port]
        if stopped:
            qemu.append("-S")
        qemu += qemu_extra
        err = open(qemu_log, "w") if qemu_log else None
        prctl = _libc_prctl()
        try:
            self.proc = subprocess.Popen(qemu, stdin=None if console else subprocess.DEVNULL,
                                         stderr=err,
                                         preexec_fn=lambda: _child_setup(not console, prctl))
        except OSError as e:
            r.close()
            die("cannot start %s: %s" % (qemu[0], e), 1)
        finally:
            if err:
                err.close()
        try:
            # Probing the gdbstub would stop the guest (a gdb client connecting
            # halts it): only when it starts stopped anyway.
            wait_for(lambda: os.path.exists(self.monitor_qmp) and os.path.exists(self.qmp)
                     and (not stopped or port_open(self.port)), self.proc, 20, "its sockets")
        except SystemExit:
            self.stop()
            raise
        r.publish()

    def stop(self, note=None):
        """Stop QEMU and remove the run directory. Nothing (a second
        Ctrl-C, the terminal closing) may cut this short: signals wait
        until it is done, and one that arrives before just repeats it."""
        while True:
            try:
                with signals_blocked():
                    self._stop()
                break
            except (SystemExit, KeyboardInterrupt):
                continue
        if note:
            try:
                sys.stderr.write("kdbg: %s; serial log kept in %s\n"
                                 % (note, os.path.join(self.run.base, "serial-last.log")))
            except OSError:
                pass  # the terminal is gone

    def _stop(self):
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.run.close()

    def describe(self, out=sys.stdout):
        r = self.run
        out.write("kdbg: run directory %s (also %s)\n" % (r.path, os.path.join(r.base, "latest")))
        if self.serial:
            out.write("kdbg: serial console: kdbg console (socket %s; output also in %s)\n"
                      % (self.serial, self.log))
        out.write("kdbg: QMP %s (kdbg dump FILE --qmp %s); gdbstub 127.0.0.1:%d\n"
                  % (self.qmp, self.qmp, self.port))
        out.write("kdbg: kdbg-top: QMP %s, guest RAM %s -> %s; watch with: kdbg top\n"
                  % (self.monitor_qmp, r.file("ram"), r.ram_file))
        out.flush()


class signals_blocked:
    SIGS = {signal.SIGINT, signal.SIGTERM, signal.SIGHUP}

    def __enter__(self):
        self.old = signal.pthread_sigmask(signal.SIG_BLOCK, self.SIGS)

    def __exit__(self, *exc):
        signal.pthread_sigmask(signal.SIG_SETMASK, self.old)


def _libc_prctl():
    try:
        import ctypes
        return ctypes.CDLL(None, use_errno=True).prctl
    except (OSError, AttributeError):
        return None


def _child_setup(new_session, prctl):
    """In QEMU before exec: die with kdbg (PR_SET_PDEATHSIG), so that a
    killed kdbg never leaves a VM behind; its own session unless on stdio."""
    if new_session:
        os.setsid()
    if prctl is not None:
        prctl(1, signal.SIGTERM, 0, 0, 0)  # PR_SET_PDEATHSIG


def _terminate(signum, frame):
    raise SystemExit(128 + signum)


def cleanup_on_signals():
    """SIGTERM/SIGHUP (a closed terminal, tmux kill) unwind through finally."""
    for sig in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(sig, _terminate)


def run_args(args):
    args, qemu_extra = split_rest(args)
    arch = take_opt(args, "--arch")
    if arch not in (None, "x86_64", "aarch64"):
        raise UsageError("--arch must be x86_64 or aarch64, not %s" % arch)
    return args, qemu_extra, arch


def cmd_run(args):
    args, qemu_extra, arch = run_args(args)
    ide = "--ide" in args
    ready = "--ready" in args
    if ready:
        args.remove("--ready")
    if ide:
        if ready:
            raise UsageError("run --ide lets the VM boot on its own; no --ready")
        args.remove("--ide")
        listen, user_elfs, qmp = gdbserver_options(args)
        if qmp:
            raise UsageError("run --ide makes its own QMP socket; no --qmp")
    elf = elf_for(args, "run")
    if ide:
        return run_ide(elf, arch, qemu_extra, listen, user_elfs)
    gdb_argv(elf, [], [])  # GDB and the loader exist, before booting anything
    cleanup_on_signals()
    vm = VM(elf, arch, qemu_extra, stopped=True)
    old = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        vm.describe()
        cmds = ["target remote 127.0.0.1:%d" % vm.port]
        if ready:
            # kernel_debug.ready is set just before the first entry to user
            # mode (kernel/boot_root.c); a hardware breakpoint, as
            # scripts/debug uses, works before the kernel is mapped.
            cmds += ["thbreak %s" % READY_SYMBOL, "continue"]
            sys.stdout.write("kdbg: continuing to %s (kernel initialised)\n" % READY_SYMBOL)
        else:
            sys.stdout.write("kdbg: stopped at the first instruction; kdbg commands work once "
                             "the kernel is initialised (`continue`, or kdbg run --ready)\n")
        sys.stdout.flush()
        argv = gdb_argv(elf, cmds, [])
        env = dict(os.environ, KDBG_QMP=vm.qmp)
        status = subprocess.call(argv, env=env, preexec_fn=lambda: signal.signal(
            signal.SIGINT, signal.SIG_DFL))
    finally:
        vm.stop("run directory removed")
        signal.signal(signal.SIGINT, old)
    return status


READY_SYMBOL = "arch_return_to_user"


def run_ide(elf, arch, qemu_extra, listen, user_elfs):
    """kdbg run --ide: the VM, stopped at boot's end, behind kdbg-gdbserver."""
    build = os.path.dirname(elf)
    argv = gdbserver_argv(build, elf, "", listen, user_elfs or root_task_elfs(build), "-")
    cleanup_on_signals()
    # Running, so that the kernel's objects exist when a debugger connects
    # (connecting stops the VM, as GDB on QEMU's gdbstub always does).
    vm = VM(elf, arch, qemu_extra, stopped=False)
    old = signal.signal(signal.SIGINT, signal.SIG_IGN)
    status = 1
    try:
        vm.describe()
        # The kernel starts its root task and says so; a moment later
        # the root task is at its prompt (or in its suite). Probing the
        # gdbstub earlier would stop the VM before there is anything to see.
        def root_task_started():
            try:
                with open(vm.log, errors="replace") as f:
                    return "[kernel] starting" in f.read()
            except OSError:
                return False
        wait_for(root_task_started, vm.proc, 30, "the root task (serial log)")
        time.sleep(0.5)
        argv[argv.index("--target") + 1] = "127.0.0.1:%d" % vm.port
        argv[argv.index("--qmp") + 1] = "unix:" + vm.qmp
        signal.signal(signal.SIGINT, signal.default_int_handler)
        status = run_gdbserver(argv, elf, "; Ctrl-C stops the gdbserver and QEMU")
    finally:
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        vm.stop("run directory removed")
        signal.signal(signal.SIGINT, old)
    return status


def cmd_boot(args):
    args, qemu_extra, arch = run_args(args)
    console = "--console" in args
    if console:
        args.remove("--console")
    elf = elf_for(args, "boot")
    cleanup_on_signals()
    vm = VM(elf, arch, qemu_extra, stopped=False, console=console)
    old = signal.signal(signal.SIGINT, signal.SIG_IGN if console else signal.default_int_handler)
    try:
        vm.describe()
        if console:
            sys.stdout.write("kdbg: serial console on stdio (Ctrl-A X quits QEMU)\n")
        else:
            sys.stdout.write("kdbg: Ctrl-C stops QEMU\n")
        sys.stdout.flush()
        try:
            status = vm.proc.wait()
        except KeyboardInterrupt:
            status = 130
    finally:
        vm.stop("run directory removed")
        signal.signal(signal.SIGINT, old)
    return status


def cmd_console(args):
    """The serial console of a run directory's VM on this terminal."""
    if len(args) > 1 or (args and args[0].startswith("-")):
        raise UsageError("console takes at most one RUN_DIR or socket")
    path = args[0] if args else latest_run_dir()
    if path is None:
        die("no VM in a run directory (`latest`): start one with kdbg run or kdbg boot", 1)
    if os.path.isdir(path):
        path = os.path.join(path, "serial.sock")
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        s.connect(path)
    except OSError as e:
        die("cannot connect to %s: %s (make run MONITOR=1 has its console on stdio)"
            % (path, e), 1)
    import select
    import termios
    import tty
    tty_in = sys.stdin.isatty()
    sys.stderr.write("kdbg: connected to %s (Ctrl-] leaves)\r\n" % path)
    old = termios.tcgetattr(0) if tty_in else None
    try:
        if tty_in:
            tty.setraw(0)
        while True:
            ready, _, _ = select.select([0, s], [], [])
            if s in ready:
                data = s.recv(65536)
                if not data:
                    break
                os.write(1, data)
            if 0 in ready:
                data = os.read(0, 1024)
                if not data or (tty_in and b"\x1d" in data):
                    break
                s.sendall(data)
    finally:
        if old is not None:
            termios.tcsetattr(0, termios.TCSADRAIN, old)
        s.close()
    sys.stderr.write("\nkdbg: console closed\n")
    return 0
