"""Drive a Cairn kernel's serial console under QEMU from a test.

    with Console(kernel_elf) as c:
        c.expect(r"boot complete")
        c.send("echo hi\\n")
        c.expect(r"hi")

expect() waits for a regular expression in the output not yet consumed
and returns its match; on timeout it raises ConsoleTimeout carrying the
output seen, so a failing test shows what the kernel printed.
"""
import os
import re
import select
import signal
import subprocess
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


class ConsoleTimeout(Exception):
    pass


ELF_MACHINES = {62: "x86_64", 183: "aarch64"}


def elf_arch(path):
    """The architecture a kernel ELF is built for, from its e_machine."""
    with open(path, "rb") as f:
        head = f.read(20)
    if head[:4] != b"\x7fELF":
        raise ValueError("%s is not an ELF file" % path)
    machine = int.from_bytes(head[18:20], "little")
    if machine not in ELF_MACHINES:
        raise ValueError("%s: unknown ELF machine %d" % (path, machine))
    return ELF_MACHINES[machine]


class Console:
    def __init__(self, kernel, arch=None, extra_args=()):
        self.arch = arch or elf_arch(kernel)
        cmd = [os.path.join(ROOT, "scripts", "qemu-run"), "--arch", self.arch,
               "--kernel", kernel, "--"] + list(extra_args)
        self.proc = subprocess.Popen(cmd, stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE,
                                     stderr=subprocess.STDOUT,
                                     start_new_session=True)
        self.buf = ""      # everything read so far
        self.pos = 0       # where the next expect() starts looking
        self.drop_cr = False   # True: every CR dropped as it arrives
        self._scanned = None   # (literal, pos, buf length) of a search that failed

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def _read(self, timeout):
        ready, _, _ = select.select([self.proc.stdout], [], [], timeout)
        if not ready:
            return False
        data = os.read(self.proc.stdout.fileno(), 65536)
        if not data:
            return None  # QEMU exited
        text = data.decode(errors="replace").replace("\r\n", "\n")
        if self.drop_cr:
            text = text.replace("\r", "")
        # The serial console arrives a few bytes a read: append in place
        # (no other reference to the string), not by a copy of all of it.
        buf, self.buf = self.buf, None
        buf += text
        self.buf = buf
        return True

    def expect(self, pattern, timeout=10.0):
        rx = re.compile(pattern)
        # A plain string (the shell's prompt) is looked for only where it
        # may start after what a failed search saw, not in all the output
        # since the last match again on every read (a 10,000-character
        # line arrives in thousands of reads).
        literal = pattern if not any(ch in pattern for ch in ".^$*+?{}[]\\|()") else None
        deadline = time.monotonic() + timeout
        while True:
            start = self.pos
            if literal is not None and self._scanned and self._scanned[:2] == (literal, start):
                start = max(start, self._scanned[2] - len(literal) + 1)
            m = rx.search(self.buf, start)
            if m:
                self.pos = m.end()
                self._scanned = None
                return m
            self._scanned = (literal, self.pos, len(self.buf))
            left = deadline - time.monotonic()
            if left <= 0 or self._read(left) is None:
                raise ConsoleTimeout("waited for /%s/; output since last match:\n%s"
                                     % (pattern, self.buf[self.pos:][-2000:]))

    def send(self, text):
        self.proc.stdin.write(text.encode())
        self.proc.stdin.flush()

    def wait_exit(self, timeout=10.0):
        """Wait for QEMU to exit; return the kernel's exit status."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self._read(0.1) is None:
                break
        return self.proc.wait(max(0.1, deadline - time.monotonic()))

    def close(self):
        # qemu-run is a shell that waits for QEMU: end the whole process
        # group, or QEMU outlives the test.
        try:
            os.killpg(self.proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        self.proc.wait()
