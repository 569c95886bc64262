"""Boot a Cairn kernel under QEMU for kread's tests: shared RAM, a QMP
socket and the serial console on a Unix socket (so the test can type at
rinit's shell). Every QEMU started here is killed by close() / atexit.
"""
import atexit
import json
import os
import re
import socket
import subprocess
import threading
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
_LIVE = []


def _kill_all():
    for vm in list(_LIVE):
        vm.close()


atexit.register(_kill_all)


def _connect(path, timeout):
    end = time.time() + timeout
    while True:
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            s.connect(path)
            return s
        except OSError:
            s.close()
            if time.time() > end:
                raise
            time.sleep(0.05)


class QMP:
    def __init__(self, path, timeout=20):
        self.s = _connect(path, timeout)
        self.s.settimeout(120)
        self.buf = b""
        self._msg()  # greeting
        self.execute("qmp_capabilities")

    def _msg(self):
        while b"\n" not in self.buf:
            data = self.s.recv(65536)
            if not data:
                raise EOFError("QMP closed")
            self.buf += data
        line, self.buf = self.buf.split(b"\n", 1)
        return json.loads(line)

    def execute(self, cmd, **args):
        req = {"execute": cmd}
        if args:
            req["arguments"] = args
        self.s.sendall(json.dumps(req).encode() + b"\n")
        while True:
            m = self._msg()
            if "event" in m:
                continue
            if "error" in m:
                raise RuntimeError("QMP %s: %s" % (cmd, m["error"]))
            return m.get("return")

    def hmp(self, line):
        return self.execute("human-monitor-command", **{"command-line": line})


class VM:
    """QEMU running `elf` with guest RAM in `ram` (shared, mmap-able)."""

    def __init__(self, elf, workdir, ram=None, extra=(), mem=None):
        """mem: guest RAM as QEMU_MEM takes it ("64M"), else QEMU_MEM's."""
        self.workdir = workdir
        self.qmp_path = os.path.join(workdir, "qmp.sock")
        self.serial_path = os.path.join(workdir, "serial.sock")
        self.ram = ram
        for p in (self.qmp_path, self.serial_path):
            if os.path.exists(p):
                os.unlink(p)
        machine = [os.path.join(ROOT, "scripts/qemu-machine"), "--kernel", elf]
        if ram:
            machine += ["--shared-ram", ram]
        env = dict(os.environ, QEMU_MEM=mem) if mem else None
        cmd = subprocess.check_output(machine, text=True, env=env).split("\n")
        cmd = [a for a in cmd if a]
        # Stopped (-S) until the serial client is there, so that nothing
        # the kernel prints is lost: a microvm boots to the prompt in a
        # few milliseconds, before the client could connect.
        start = "-S" not in extra
        cmd += ["-qmp", "unix:%s,server=on,wait=off" % self.qmp_path,
                "-chardev", "socket,id=ser0,path=%s,server=on,wait=off" % self.serial_path,
                "-serial", "chardev:ser0", "-monitor", "none"] + list(extra) + \
            (["-S"] if start else [])
        self.cmdline = cmd
        self.log = open(os.path.join(workdir, "qemu.log"), "w")
        self.proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=self.log,
                                     stderr=subprocess.STDOUT)
        _LIVE.append(self)
        self.serial = _connect(self.serial_path, 20)
        self.out = ""
        # A thread reads the serial console from the start: QEMU's PL011
        # writes with the big lock held and blocks when the socket is full,
        # which a few hundred bytes written one at a time do, so a console
        # nobody reads stops the whole VM, QMP included.
        self._text = []
        self._more = threading.Condition()
        threading.Thread(target=self._reader, daemon=True).start()
        self.qmp = QMP(self.qmp_path)
        if start:
            self.qmp.execute("cont")

    def _reader(self):
        while True:
            try:
                data = self.serial.recv(65536)
            except OSError:
                data = b""
            with self._more:
                if data:
                    self._text.append(data.decode("utf-8", "replace"))
                else:
                    self._text.append(None)
                self._more.notify_all()
            if not data:
                return

    def expect(self, pattern, timeout=90):
        end = time.time() + timeout
        while True:
            with self._more:
                self.out += "".join(t for t in self._text if t)
                del self._text[:]
            m = re.search(pattern, self.out)
            if m:
                self.out = self.out[m.end():]
                return m
            if time.time() > end or self.proc.poll() is not None:
                raise TimeoutError("no %r in serial output; last: %r" % (pattern, self.out[-500:]))
            with self._more:
                if not self._text:
                    self._more.wait(0.2)

    def send(self, text):
        # The UART has a small FIFO: type slowly.
        for ch in text:
            self.serial.sendall(ch.encode())
            time.sleep(0.01)

    def regions(self):
        """Guest RAM -> file offset from HMP `info mtree -f` (the ram
        backend's name is `ram` when booted with --shared-ram)."""
        text = self.qmp.hmp("info mtree -f")
        regs = []
        for line in text.splitlines():
            m = re.match(r"\s*([0-9a-f]+)-([0-9a-f]+) \(prio \d+, ram\): (\S+?)(?: @([0-9a-f]+))?"
                         r"(?: KVM)?\s*$", line)
            if not m:
                continue
            start, end, name, off = m.groups()
            if name not in ("ram", "pc.ram", "mach-virt.ram"):
                continue
            r = (int(start, 16), int(end, 16) - int(start, 16) + 1, int(off or "0", 16))
            if r not in regs:
                regs.append(r)
        return regs

    def dump(self, path, paging=False):
        if os.path.exists(path):
            os.unlink(path)
        self.qmp.execute("dump-guest-memory", paging=paging, protocol="file:" + path)

    def close(self):
        if self in _LIVE:
            _LIVE.remove(self)
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait()
        self.log.close()
        for s in (getattr(self, "serial", None),):
            if s:
                s.close()
