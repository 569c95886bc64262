#!/usr/bin/python3
"""test_dump_wait.py - `kdbg dump` stops a running VM only where
kernel_debug.seq is even (no kernel change half made), TAP.

kdbg/cli/cores.py's stop_outside_kernel and read_phys_u64 run against a
fake QMP peer whose guest is inside the kernel (seq odd) for a given
number of stops: the real code, with no VM, so every path is taken on
purpose -- a VM catches the kernel mid-update only now and then (the
flaky core that made kdbg dump wait was one run in many).
"""
import os
import sys

TREE = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(TREE, "tests", "lib"))
sys.path.insert(0, os.path.join(TREE, "kdbg"))
from tap import Tap  # noqa: E402
from cli.cores import read_phys_u64, stop_outside_kernel  # noqa: E402

SEQ_PADDR = 0x25b000


class FakeQMP:
    """A VM that is running or not; while stopped, the first `odd_stops`
    stops find seq odd. `xp` answers in HMP's format, or `garbage`."""

    def __init__(self, running=True, odd_stops=0, garbage=None):
        self.running = running
        self.odd_stops = odd_stops
        self.garbage = garbage
        self.stops = 0
        self.log = []

    def execute(self, cmd, **args):
        self.log.append(cmd)
        if cmd == "query-status":
            return {"running": self.running, "status": "running" if self.running else "paused"}
        if cmd == "stop":
            self.running = False
            self.stops += 1
            return {}
        if cmd == "cont":
            self.running = True
            return {}
        if cmd == "human-monitor-command":
            line = args["command-line"]
            assert line == "xp /1gx %#x" % SEQ_PADDR, line
            assert not self.running, "xp while the VM runs"
            if self.garbage is not None:
                return self.garbage
            seq = 41 if self.stops <= self.odd_stops else 42
            return "%016x: 0x%016x\r\n" % (SEQ_PADDR, seq)
        raise AssertionError("unexpected QMP command " + cmd)


def main():
    T = Tap()

    q = FakeQMP(odd_stops=0)
    r = stop_outside_kernel(q, SEQ_PADDR)
    T.check(r == (True, True) and q.stops == 1 and not q.running and "cont" not in q.log,
            "seq even at the first stop: the VM stays stopped there, and was running", q.log)

    q = FakeQMP(odd_stops=5)
    r = stop_outside_kernel(q, SEQ_PADDR)
    T.check(r == (True, True) and q.stops == 6 and q.log.count("cont") == 5 and not q.running,
            "seq odd at 5 stops: it lets the VM run on 5 times and stops at the 6th, even",
            "%r, %d stops" % (r, q.stops))

    q = FakeQMP(odd_stops=10 ** 6)
    r = stop_outside_kernel(q, SEQ_PADDR, tries=20)
    T.check(r == (True, False) and q.stops == 21 and not q.running,
            "always inside the kernel: it gives up after its tries, the VM left stopped, "
            "and says no such point was found", "%r, %d stops" % (r, q.stops))

    q = FakeQMP(running=False, odd_stops=10 ** 6)
    r = stop_outside_kernel(q, SEQ_PADDR)
    T.check(r == (False, True) and q.log == ["query-status"],
            "a VM already stopped is dumped as it is: not resumed, not waited on", q.log)

    q = FakeQMP()
    r = stop_outside_kernel(q, None)
    T.check(r == (True, False) and q.stops == 1,
            "no kernel_debug symbol: stopped once, and no consistent point claimed", q.log)

    q = FakeQMP()
    q.execute("stop")
    T.check(read_phys_u64(q, SEQ_PADDR) == 42, "xp's answer read as the 64-bit word it shows")
    for garbage in ("", "Cannot access memory\r\n", "0000: zz\r\n", {"error": 1}, 7):
        q = FakeQMP(garbage=garbage)
        q.execute("stop")
        T.check(read_phys_u64(q, SEQ_PADDR) is None,
                "an xp answer %r reads as no value, not as a number" % (garbage,))
    q = FakeQMP(garbage="garbage")
    r = stop_outside_kernel(q, SEQ_PADDR, tries=3)
    T.check(r == (True, False) and q.stops == 4,
            "unreadable seq counts as inside the kernel: tries, then gives up", "%r" % (r,))

    return T.done()


if __name__ == "__main__":
    sys.exit(main())
