#!/usr/bin/python3
"""bench_gdbserver.py [--arch x86_64|aarch64] [--runs N] - the gdbserver's
figures under load (docs/PERFORMANCE.md): boot the demo kernel
(configs/ARCH_demo_defconfig: 64 tasks, over 1,000 caps), wait until it is
steady, put kdbg-gdbserver in front of its gdbstub and time, inside GDB
(gdb-multiarch, Python's perf_counter around gdb.execute):

  - `info threads`: every task as a thread, each with its frame (GDB reads
    each task's registers and unwinds one frame through its VSpace);
  - `info os caps`: every capability as a table row;

each right after a `stepi` (a new stop: the server reads the kernel
again, nothing is cached), and once more at the same stop (warm); and
`stepi` itself (a stop costs the server a snapshot, to name the task
that runs), through the server and straight on QEMU's gdbstub. Every
figure is the median over --runs stops (default 7). BENCH_QMP=0: without
--qmp (the server reads through the gdbstub). Exit status 1 if a run
failed.
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "monitor"))
from vmlib import VM  # noqa: E402
from bench_top import build, fail, wait_steady  # noqa: E402

GDB_SCRIPT = r'''
import gdb, json, statistics, time

def timed(cmd):
    t = time.perf_counter()
    out = gdb.execute(cmd, to_string=True)
    return (time.perf_counter() - t) * 1000, out

res = {"threads": [], "threads_warm": [], "caps": [], "caps_warm": [], "stepi": []}
gdb.execute("set pagination off")
gdb.execute("target remote %(addr)s", to_string=True)
for _ in range(%(runs)d):
    res["stepi"].append(timed("stepi")[0])
    ms, out = timed("info threads")
    res["threads"].append(ms)
    res["nthreads"] = sum(1 for l in out.splitlines() if " Thread " in l)
    res["threads_warm"].append(timed("info threads")[0])
    gdb.execute("stepi", to_string=True)
    ms, out = timed("info os caps")
    res["caps"].append(ms)
    res["ncaps"] = len(out.splitlines()) - 1
    res["caps_warm"].append(timed("info os caps")[0])
out = {k: statistics.median(v) if isinstance(v, list) else v for k, v in res.items()}
print("BENCH " + json.dumps(out))
gdb.execute("detach", to_string=True)
'''

# The cost of a stop, for comparison: stepi straight on QEMU's gdbstub.
QEMU_SCRIPT = r'''
import gdb, json, statistics, time
gdb.execute("target remote %(addr)s", to_string=True)
times = []
for _ in range(%(runs)d):
    t = time.perf_counter()
    gdb.execute("stepi", to_string=True)
    times.append((time.perf_counter() - t) * 1000)
print("BENCH " + json.dumps({"stepi": statistics.median(times)}))
gdb.execute("detach", to_string=True)
'''


def gdb_bench(elf, script, values, tmpdir):
    with tempfile.NamedTemporaryFile("w", suffix=".py", dir=tmpdir, delete=False) as f:
        f.write(script % values)
    r = subprocess.run(["gdb-multiarch", "-q", "-nx", "-batch", elf, "-x", f.name],
                       capture_output=True, text=True, timeout=600)
    rows = [l for l in r.stdout.splitlines() if l.startswith("BENCH ")]
    if not rows:
        fail("gdb: status %d\n%s\n%s" % (r.returncode, r.stdout[-2000:], r.stderr[-2000:]))
    return json.loads(rows[-1][6:])


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--arch", choices=("x86_64", "aarch64"), default="x86_64")
    ap.add_argument("--runs", type=int, default=7)
    a = ap.parse_args()
    if a.runs < 1:
        ap.error("--runs must be at least 1")
    out = build(a.arch)
    elf = os.path.join(out, "cairn.elf")
    exe_top = os.path.join(out, "kdbg-top")
    server_exe = os.path.join(out, "kdbg-gdbserver")
    vm = VM(elf, gdb=True)
    server = None
    try:
        wait_steady(exe_top, elf, vm, 64)
        user = [os.path.join(out, "user", "demo.elf")]
        server = subprocess.Popen(
            [server_exe, "--elf", elf, "--target", "127.0.0.1:%d" % vm.gdb_port,
             "--listen", "127.0.0.1:0", "--once"] + (["--qmp", "unix:" + vm.monitor_qmp] if os.environ.get("BENCH_QMP", "1") == "1" else []) + (["--verbose"] if os.environ.get("BENCH_VERBOSE") else []) +
            [x for u in user if os.path.isfile(u) for x in ("--user-elf", u)],
            stdout=subprocess.PIPE, text=True)
        line = server.stdout.readline()
        if not line.startswith("listening on "):
            fail("kdbg-gdbserver did not start: %r" % line)
        m = gdb_bench(elf, GDB_SCRIPT, {"addr": line.split()[-1], "runs": a.runs}, vm.dir)
        server.wait(30)   # --once: it ends with the debugger
        m["qemu_stepi"] = gdb_bench(elf, QEMU_SCRIPT, {"addr": "127.0.0.1:%d" % vm.gdb_port,
                                                       "runs": a.runs}, vm.dir)["stepi"]
    finally:
        if server and server.poll() is None:
            server.terminate()
            server.wait()
        vm.close()
    print("gdbserver, %s (demo: %d threads, %d caps), medians of %d stops:"
          % (a.arch, m["nthreads"], m["ncaps"], a.runs))
    print("  info threads   %6.1f ms after a stop, %6.1f ms again" % (m["threads"], m["threads_warm"]))
    print("  info os caps   %6.1f ms after a stop, %6.1f ms again" % (m["caps"], m["caps_warm"]))
    print("  stepi          %6.1f ms (%.1f ms on QEMU's gdbstub alone)"
          % (m["stepi"], m["qemu_stepi"]))


if __name__ == "__main__":
    main()
