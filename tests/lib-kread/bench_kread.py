#!/usr/bin/python3
"""Time kread snapshots of a running guest through shared RAM, with a
populated kernel: rinit's shell makes 64 tasks, a 1,024-slot CPool and
fills the root CPool with copies of a channel cap.

usage: tests/lib-kread/bench_kread.py [--arch x86_64|aarch64] [--runs N]
Prints the object counts and kread-dump --bench's median/min/max.
"""
import os
import re
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import test_kread as tk  # noqa: E402
import vm  # noqa: E402


def main():
    arch = sys.argv[sys.argv.index("--arch") + 1] if "--arch" in sys.argv else "x86_64"
    runs = sys.argv[sys.argv.index("--runs") + 1] if "--runs" in sys.argv else "1000"
    b = tk.ARCHES[arch]["build"]
    elf = os.path.join(vm.ROOT, b, "cairn.elf")
    tmp = tempfile.mkdtemp(prefix="kread-bench-")
    ram = "/dev/shm/kread-bench-%d" % os.getpid()
    v = vm.VM(elf, tmp, ram=ram, mem="%dM" % (tk.MEM >> 20))   # (the regions are for it)
    try:
        v.expect(r"rinit> ")

        def cmd(line):
            v.send(line + "\n")
            v.expect(r"rinit> ")

        cmd("retype cpool 2 199 10")          # a 1,024-slot pool
        for i in range(64):                   # 64 tasks (Inactive)
            cmd("retype task 2 %d" % (100 + i))
        free = [s for s in range(80, 249) if not 100 <= s < 164 and s != 199]
        for s in free:                        # fill the root pool
            cmd("copy 255 %d" % s)
        regions = sum((["--region", x] for x in tk.ARCHES[arch]["regions"]), [])
        dump = tk.dump_tool(arch)
        argv = [dump, elf, "--ram", ram] + regions
        r = subprocess.run(argv + ["--bench", runs, "--quiet"], capture_output=True, text=True)
        print("running guest:", r.stderr.strip())
        v.qmp.execute("stop")
        r = subprocess.run(argv + ["--bench", runs, "--quiet"], capture_output=True, text=True)
        print("paused guest: ", r.stderr.strip())
        r = subprocess.run(argv + ["--bench", runs, "--quiet", "--no-caps"], capture_output=True,
                           text=True)
        print("paused, --no-caps:", r.stderr.strip())
        m = re.search(r"median ([\d.]+) ms", r.stderr)
        print("command:", " ".join(argv + ["--bench", runs, "--quiet"]))
        sys.exit(0 if m else 1)
    finally:
        v.close()
        if os.path.exists(ram):
            os.unlink(ram)


if __name__ == "__main__":
    main()
