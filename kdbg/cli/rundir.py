"""Run directories: the per-run directory layout under
${XDG_RUNTIME_DIR:-/tmp}/kdbg-$UID, `latest`, and removing stale ones."""
import os
import shutil
import tempfile
import time

from .common import UsageError, die


# ---- run directories ---------------------------------------------------------
# Every VM that kdbg (or `make run MONITOR=1`) boots for watching gets a run
# directory with one layout, so that kdbg-top, kdbg dump and kdbg attach
# find everything by name:
#   qmp.sock      QMP for kdbg dump and scripts (QMP serves one client per socket)
#   monitor.qmp   QMP for kdbg-top
#   ram           guest RAM shared with QEMU (memory-backend-file,share=on): a
#                 link to /dev/shm/kdbg-UID-run-XXXXXXXX.ram (tmpfs: QEMU and
#                 kdbg-top share the pages; no disk writeback), a file here
#                 when there is no /dev/shm
#   serial.sock   the serial console (kdbg run, kdbg boot; `kdbg boot
#                 --console` has it on stdio instead)
#   serial.log    everything the guest printed
#   cairn.elf     link to the kernel; build: link to its build directory
#   gdb.port      the gdbstub's TCP port on 127.0.0.1
#   qemu.pid      QEMU's pid (-pidfile); kdbg.pid: the process that cleans up
# and `latest` beside the run directories points at the newest one.
RUN_MARK = "kdbg.pid"


def runtime_base():
    """${XDG_RUNTIME_DIR:-/tmp}/kdbg-$UID (or $KDBG_RUNTIME_DIR), private."""
    base = os.environ.get("KDBG_RUNTIME_DIR") or os.path.join(
        os.environ.get("XDG_RUNTIME_DIR") or "/tmp", "kdbg-%d" % os.getuid())
    try:
        os.makedirs(base, mode=0o700, exist_ok=True)
        st = os.lstat(base)
    except OSError as e:
        die("cannot create %s: %s" % (base, e), 1)
    import stat
    if not stat.S_ISDIR(st.st_mode) or st.st_uid != os.getuid():
        die("%s is not a directory of yours: remove it" % base, 1)
    return base


def _alive(path):
    """True when the pid in file path names a live process."""
    try:
        with open(path) as f:
            os.kill(int(f.read().split()[0]), 0)
        return True
    except PermissionError:
        return True
    except (OSError, ValueError, IndexError):
        return False


def run_dir_live(d):
    return _alive(os.path.join(d, RUN_MARK)) or _alive(os.path.join(d, "qemu.pid"))


def _remove_run_dir(d):
    ram = os.path.join(d, "ram")
    if os.path.islink(ram):
        target = os.readlink(ram)
        if os.path.basename(target).startswith("kdbg-%d-" % os.getuid()):
            try:
                os.unlink(target)
            except OSError:
                pass
    shutil.rmtree(d, ignore_errors=True)


def sweep_stale(base):
    """Remove run directories whose kdbg and QEMU are both gone (killed)."""
    now = time.time()
    for n in os.listdir(base):
        d = os.path.join(base, n)
        if not n.startswith("run-") or os.path.islink(d) or not os.path.isdir(d):
            continue
        try:
            young = now - os.stat(d).st_mtime < 30
        except OSError:
            continue
        if not run_dir_live(d) and not (young and not os.path.exists(os.path.join(d, RUN_MARK))):
            _remove_run_dir(d)


def point_latest(base, target):
    """Make base/latest point at target (atomically), or remove it (None)."""
    latest = os.path.join(base, "latest")
    if target is None:
        try:
            os.unlink(latest)
        except OSError:
            pass
        return
    tmp = os.path.join(base, ".latest.%d" % os.getpid())
    try:
        os.unlink(tmp)
    except OSError:
        pass
    os.symlink(os.path.basename(target), tmp)
    os.replace(tmp, latest)


class RunDir:
    def __init__(self, elf, name_hint="run"):
        self.base = runtime_base()
        sweep_stale(self.base)
        self.path = tempfile.mkdtemp(prefix="run-", dir=self.base)
        self.closed = False
        with open(self.file(RUN_MARK), "w") as f:
            f.write("%d\n" % os.getpid())
        os.symlink(elf, self.file("cairn.elf"))
        os.symlink(os.path.dirname(elf), self.file("build"))
        shm = "/dev/shm"
        if os.path.isdir(shm) and os.access(shm, os.W_OK):
            target = os.path.join(shm, "kdbg-%d-%s.ram" % (os.getuid(), os.path.basename(self.path)))
            os.symlink(target, self.file("ram"))
            self.ram_file = target
        else:
            self.ram_file = self.file("ram")

    def file(self, name):
        return os.path.join(self.path, name)

    def publish(self):
        """Point `latest` here (after QEMU is up, so kdbg-top finds a VM)."""
        point_latest(self.base, self.path)

    def close(self):
        """Keep the serial log as serial-last.log, remove the directory and
        its RAM file, and move `latest` to the newest run still alive."""
        if self.closed:
            return
        log = self.file("serial.log")
        if os.path.isfile(log):
            try:
                shutil.copyfile(log, os.path.join(self.base, "serial-last.log"))
            except OSError:
                pass
        latest = os.path.join(self.base, "latest")
        try:
            ours = os.path.realpath(latest) == os.path.realpath(self.path)
        except OSError:
            ours = False
        _remove_run_dir(self.path)
        if ours:
            others = [os.path.join(self.base, n) for n in os.listdir(self.base)
                      if n.startswith("run-")]
            others = [d for d in others if os.path.isdir(d) and run_dir_live(d)
                      and os.path.exists(os.path.join(d, "monitor.qmp"))]
            others.sort(key=lambda d: os.stat(d).st_mtime)
            # Replace only if nobody else has re-pointed it meanwhile.
            if os.path.realpath(latest) == os.path.realpath(self.path) or \
                    not os.path.exists(latest):
                point_latest(self.base, others[-1] if others else None)
        self.closed = True


def latest_run_dir():
    base = os.environ.get("KDBG_RUNTIME_DIR") or os.path.join(
        os.environ.get("XDG_RUNTIME_DIR") or "/tmp", "kdbg-%d" % os.getuid())
    latest = os.path.join(base, "latest")
    if not os.path.isdir(latest):
        return None
    return os.path.realpath(latest)


def latest_gdb_target(purpose):
    """(127.0.0.1:PORT of its gdbstub, the run directory) of the newest run
    directory, for a command given no TARGET (attach, gdbserver): a usage
    error, saying there is nothing `to PURPOSE`, when there is none."""
    run = latest_run_dir()
    if run is None or not os.path.isfile(os.path.join(run, "gdb.port")):
        raise UsageError("no TARGET, and no VM in a run directory (`latest`) to %s" % purpose)
    with open(os.path.join(run, "gdb.port")) as f:
        return "127.0.0.1:%s" % f.read().strip(), run
