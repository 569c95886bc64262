#!/usr/bin/python3
"""AArch64 entered at EL2 (QEMU virt with virtualization=on, as firmware
that leaves a hypervisor level does): boot.S drops to EL1, and the kernel
self-tests (argv[1], an aarch64_selftest_defconfig build) pass there."""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "lib"))
from console import Console, ConsoleTimeout  # noqa: E402
from tap import Tap  # noqa: E402


def main(kernel):
    t = Tap()
    os.environ["QEMU_CPU"] = "max"  # EL2 needs a CPU that has it
    with Console(kernel, extra_args=["-M", "virt,virtualization=on"]) as c:
        try:
            m = c.expect(r"cpu: entered at EL(\d), kernel at EL1")
            t.check(m.group(1) == "2", "entered at EL2, the kernel runs at EL1", m.group(0))
            m = c.expect(r"(\d+) passed, (\d+) failed")
            t.check(m.group(2) == "0" and int(m.group(1)) > 0,
                    "the self-tests pass after the drop from EL2", m.group(0))
            t.check(c.wait_exit(30) == 0, "QEMU exits with the self-tests' status 0")
        except ConsoleTimeout as e:
            t.check(False, "EL2 boot output", e)
    return t.done()


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
