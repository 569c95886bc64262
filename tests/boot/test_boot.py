#!/usr/bin/python3
"""Boot the default (shell) kernel and check what it prints at start."""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "lib"))
from console import Console, ConsoleTimeout  # noqa: E402
from tap import Tap  # noqa: E402


def main(kernel):
    t = Tap()
    with Console(kernel) as c:
        try:
            m = c.expect(r"Cairn (\S+) \((\S+)\), built with (\S+)")
            t.check(m.group(2) == c.arch, "banner names the architecture",
                    m.group(0))
            m = c.expect(r"timer (\d+) Hz, time slice (\d+) ticks, root CPool (\d+) slots")
            t.check(m.group(3) == "256", "banner shows the config values",
                    m.group(0))
            m = c.expect(r"memory: (\d+) MiB free")
            t.check(int(m.group(1)) > 200, "memory map read: >200 MiB free of 256",
                    m.group(0))
            m = c.expect(r"starting rinit: entry (0x[0-9a-f]+), (\d+) initial caps")
            t.check(int(m.group(2)) > 8, "kernel starts rinit with its initial caps", m.group(0))
            c.expect(r"rinit> ")
            t.check(True, "rinit reaches its shell prompt")
        except ConsoleTimeout as e:
            t.check(False, "boot output", e)
    return t.done()


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
