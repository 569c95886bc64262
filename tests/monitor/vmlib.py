"""Helpers for kdbg-top's tests: a Cairn VM with shared RAM and two QMP
sockets (one for the monitor under test, one for the test's own checks),
a tmux session to drive the monitor, and a minimal QMP client.

Everything started here is ended by close(), also when a test fails.
"""
import json
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys_path = os.path.join(ROOT, "tests", "lib")


def machine(kernel, ram_file=None):
    """scripts/qemu-machine's command line for kernel (shared RAM if asked)."""
    cmd = [os.path.join(ROOT, "scripts", "qemu-machine"), "--kernel", kernel]
    if ram_file:
        cmd += ["--shared-ram", ram_file]
    out = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                         text=True, check=True)
    return out.stdout.splitlines()


class QMP:
    """One QMP connection (the test's own socket)."""

    def __init__(self, path, timeout=10):
        deadline = time.monotonic() + timeout
        while True:
            try:
                self.s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
                self.s.connect(path)
                break
            except OSError:
                self.s.close()
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.05)
        self.s.settimeout(timeout)
        self.f = self.s.makefile("rb")
        self._reply()
        self.execute("qmp_capabilities")

    def _reply(self):
        while True:
            line = self.f.readline()
            if not line:
                raise EOFError("QMP closed")
            msg = json.loads(line)
            if "event" not in msg:
                return msg

    def execute(self, cmd, **args):
        req = {"execute": cmd}
        if args:
            req["arguments"] = args
        self.s.sendall(json.dumps(req).encode() + b"\n")
        r = self._reply()
        if "error" in r:
            raise RuntimeError("QMP %s: %s" % (cmd, r["error"]))
        return r.get("return")

    def status(self):
        return self.execute("query-status")["status"]

    def wait_status(self, want, timeout=10):
        """Poll query-status until it says want; return the last status."""
        deadline = time.monotonic() + timeout
        status = self.status()
        while status != want and time.monotonic() < deadline:
            time.sleep(0.05)
            status = self.status()
        return status

    def close(self):
        try:
            self.s.close()
        except OSError:
            pass


class VM:
    """A Cairn kernel under QEMU (TCG) with shared RAM, a monitor QMP
    socket (monitor.qmp, for kdbg-top), the test's QMP socket (qmp.sock),
    a gdbstub on a free port and the serial console in serial.log."""

    def __init__(self, kernel, shared=True, gdb=False, run_dir=None, extra=()):
        self.kernel = kernel
        self.extra = list(extra)   # more QEMU arguments (-S: stopped at reset)
        self.dir = run_dir or tempfile.mkdtemp(prefix="kdbg-top-test.", dir=_shm_dir())
        self.monitor_qmp = os.path.join(self.dir, "monitor.qmp")
        self.qmp_path = os.path.join(self.dir, "qmp.sock")
        self.serial_log = os.path.join(self.dir, "serial.log")
        self.ram = os.path.join(self.dir, "ram") if shared else None
        self.gdb_port = free_port() if gdb else None
        self.proc = None
        self.qmp = None
        self.start()

    def start(self):
        cmd = machine(self.kernel, self.ram) + [
            "-qmp", "unix:%s,server=on,wait=off" % self.monitor_qmp,
            "-qmp", "unix:%s,server=on,wait=off" % self.qmp_path,
            "-serial", "file:%s" % self.serial_log]
        if self.gdb_port:
            cmd += ["-gdb", "tcp:127.0.0.1:%d" % self.gdb_port]
        cmd += self.extra
        self.proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL,
                                     stdout=subprocess.DEVNULL,
                                     stderr=open(os.path.join(self.dir, "qemu.err"), "w"),
                                     start_new_session=True)
        self.qmp = QMP(self.qmp_path)

    def serial(self):
        try:
            with open(self.serial_log, errors="replace") as f:
                return f.read()
        except OSError:
            return ""

    def wait_serial(self, text, timeout=30):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if text in self.serial():
                return True
            if self.proc.poll() is not None:
                return False
            time.sleep(0.1)
        return False

    def kill(self):
        """End QEMU now (as a crash would), keeping the run directory."""
        if self.qmp:
            self.qmp.close()
            self.qmp = None
        if self.proc and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait()
        for p in (self.monitor_qmp, self.qmp_path):
            try:
                os.unlink(p)
            except OSError:
                pass

    def close(self):
        self.kill()
        shutil.rmtree(self.dir, ignore_errors=True)


class Tmux:
    """A detached tmux session running one command at a fixed size."""

    def __init__(self, name, cmd, width=80, height=24, env=None):
        self.name = name
        subprocess.run(["tmux", "kill-session", "-t", name], stderr=subprocess.DEVNULL)
        envs = []
        for k, v in (env or {}).items():
            envs += ["-e", "%s=%s" % (k, v)]
        # remain-on-exit keeps the pane readable if the program dies.
        subprocess.run(["tmux", "new-session", "-d", "-s", name, "-x", str(width),
                        "-y", str(height)] + envs + [cmd], check=True)
        subprocess.run(["tmux", "set-option", "-t", name, "remain-on-exit", "on"],
                       check=True)

    def keys(self, *keys):
        subprocess.run(["tmux", "send-keys", "-t", self.name] + list(keys), check=True)

    def screen(self):
        r = subprocess.run(["tmux", "capture-pane", "-p", "-t", self.name],
                           stdout=subprocess.PIPE, text=True)
        return r.stdout

    def dead(self):
        r = subprocess.run(["tmux", "display-message", "-p", "-t", self.name,
                            "#{pane_dead} #{pane_dead_status}"],
                           stdout=subprocess.PIPE, text=True)
        return r.stdout.split()[0] == "1" if r.stdout.strip() else True

    def wait_for(self, pred, timeout=15, interval=0.1):
        """Poll the screen until pred(screen) is true; return the last screen."""
        deadline = time.monotonic() + timeout
        s = self.screen()
        while not pred(s) and time.monotonic() < deadline:
            time.sleep(interval)
            s = self.screen()
        return s

    def resize(self, width, height):
        subprocess.run(["tmux", "resize-window", "-t", self.name, "-x", str(width),
                        "-y", str(height)], check=False)

    def close(self):
        subprocess.run(["tmux", "kill-session", "-t", self.name], stderr=subprocess.DEVNULL)


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def _shm_dir():
    return "/dev/shm" if os.path.isdir("/dev/shm") and os.access("/dev/shm", os.W_OK) else None
