#!/usr/bin/python3
"""bench_top.py [--arch x86_64|aarch64] [--runs N] - kdbg-top's figures
under load (docs/PERFORMANCE.md): boot the demo kernel
(configs/ARCH_demo_defconfig: 64 tasks, 1,000 caps, channels filling and
draining) with shared RAM, wait until it is steady, then measure the real
program in every memory mode:

  - `kdbg-top --mem MODE --bench N`: snapshot and redraw time (medians),
    refreshes a second back to back, torn-read retries and pauses;
  - `kdbg-top --json --count N --interval 1`: JSON lines a second (the
    sampler);
  - `kdbg-top --json --count N` at the default interval (33 ms): retries
    and pauses a second at the screen's refresh rate, and whether QEMU saw
    the VM stop (it must not, in the default mode); then the same while the
    in-guest test suite runs over and over (build/top-ARCH-tests).

Every figure is the median over --runs runs (default 3). Host-side
figures: they depend on this machine and on what else it runs.
Exit status 1 if a run failed.
"""
import argparse
import json
import os
import re
import signal
import statistics
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from vmlib import ROOT, VM  # noqa: E402

BENCH = {
    "snapshot": re.compile(r"snapshot\s+median ([\d.]+) ms\s+p90 ([\d.]+) ms"),
    "redraw": re.compile(r"redraw\s+median ([\d.]+) ms"),
    "refreshes": re.compile(r"refreshes ([\d.]+)/s"),
    "retries": re.compile(r"retries (\d+)\s+pauses (\d+)\s+\(over (\d+) snapshots\)"),
    "kernel": re.compile(r"kernel: (\d+) tasks, (\d+) caps, (\d+) channels"),
}


def fail(msg):
    sys.exit("bench_top: " + msg)


def build(arch, load="demo"):
    """build/top-ARCH-LOAD, as `kdbg top --run LOAD` builds it (the suite
    repeating forever)."""
    out = "build/top-%s-%s" % (arch, load)
    make = ["make", "--no-print-directory", "-C", ROOT, "O=" + out]
    config = os.path.join(ROOT, out, ".config")
    if not os.path.isfile(config):
        r = subprocess.run(make + ["%s_%s_defconfig" % (arch, load)], capture_output=True,
                           text=True)
        if r.returncode:
            fail(r.stdout + r.stderr)
        if load == "tests":
            r = subprocess.run(["/usr/bin/python3", "-m", "setconfig", "TESTS_REPEAT=0"],
                               cwd=ROOT, env=dict(os.environ, KCONFIG_CONFIG=config),
                               capture_output=True, text=True)
            if r.returncode:
                fail(r.stdout + r.stderr)
    r = subprocess.run(make + ["-j%d" % (os.cpu_count() or 1)], capture_output=True, text=True)
    if r.returncode:
        fail(r.stdout + r.stderr)
    return os.path.join(ROOT, out)


def top(exe, elf, vm, *args, timeout=300):
    cmd = [exe, "--elf", elf] + list(args) + ["unix:" + vm.monitor_qmp]
    r = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout,
                       stdin=subprocess.DEVNULL)
    if r.returncode:
        fail("%s: status %d\n%s" % (" ".join(cmd), r.returncode, r.stderr[-2000:]))
    return r


def wait_steady(exe, elf, vm, tasks):
    """Until the demo has its tasks, then two seconds more (setup done)."""
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        r = subprocess.run([exe, "--elf", elf, "--json", "unix:" + vm.monitor_qmp],
                           capture_output=True, text=True, stdin=subprocess.DEVNULL)
        if r.returncode == 0 and len(json.loads(r.stdout)["tasks"]) >= tasks:
            time.sleep(2)
            return
        time.sleep(0.5)
    fail("the demo did not reach %d tasks in 120 s:\n%s" % (tasks, vm.serial()[-2000:]))


def bench_mode(exe, elf, vm, mode, cycles, runs):
    extra = ["--pause"] if mode == "pause" else ["--mem", mode]
    rows = []
    for _ in range(runs):
        out = top(exe, elf, vm, *extra, "--bench", str(cycles)).stdout
        m = {k: rx.search(out) for k, rx in BENCH.items()}
        if not all(m.values()):
            fail("cannot read kdbg-top --bench's output:\n" + out)
        rows.append({
            "snapshot": float(m["snapshot"].group(1)),
            "p90": float(m["snapshot"].group(2)),
            "redraw": float(m["redraw"].group(1)),
            "refreshes": float(m["refreshes"].group(1)),
            "retry_rate": int(m["retries"].group(1)) / int(m["retries"].group(3)),
            "pause_rate": int(m["retries"].group(2)) / int(m["retries"].group(3)),
            "kernel": m["kernel"].groups(),
        })
    med = {k: statistics.median(r[k] for r in rows) for k in rows[0] if k != "kernel"}
    med["kernel"] = rows[-1]["kernel"]
    return med


def sampler(exe, elf, vm, count, runs):
    rates = []
    for _ in range(runs):
        # Into a file on tmpfs: the figure is kdbg-top's, not a pipe reader's.
        with tempfile.TemporaryFile("w+", dir=vm.dir) as out:
            t0 = time.monotonic()
            r = subprocess.run([exe, "--elf", elf, "--json", "--count", str(count),
                                "--interval", "1", "unix:" + vm.monitor_qmp], stdout=out,
                               stderr=subprocess.PIPE, text=True, stdin=subprocess.DEVNULL)
            dt = time.monotonic() - t0
            if r.returncode:
                fail("--json --count: status %d: %s" % (r.returncode, r.stderr))
            out.seek(0)
            n = sum(1 for _ in out)
        if n != count:
            fail("--json --count %d printed %d lines" % (count, n))
        rates.append(n / dt)
    return statistics.median(rates)


def default_rate(exe, elf, vm, seconds):
    """Retries and pauses a second at the default 33 ms interval, and
    whether QEMU's own QMP ever saw the VM stopped."""
    count = int(seconds * 1000 / 33)
    # Lines go to a file: a pipe read only at the end would fill and block.
    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
        proc = subprocess.Popen([exe, "--elf", elf, "--json", "--count", str(count),
                                 "unix:" + vm.monitor_qmp], stdout=out, stderr=err,
                                text=True, stdin=subprocess.DEVNULL)
        stopped = 0
        t0 = time.monotonic()
        while proc.poll() is None:
            stopped += vm.qmp.status() != "running"
            time.sleep(0.01)
        dt = time.monotonic() - t0
        out.seek(0)
        err.seek(0)
        if proc.returncode:
            fail("--json --count %d: %s" % (count, err.read()))
        lines = [json.loads(line)["monitor"] for line in out]
    return {"snapshots": len(lines) / dt,
            "retries": sum(m["retries"] for m in lines) / dt,
            "pauses": sum(m["paused"] for m in lines) / dt,
            "stopped_seen": stopped, "seconds": dt}


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--arch", default="x86_64", choices=["x86_64", "aarch64"])
    ap.add_argument("--runs", type=int, default=3)
    args = ap.parse_args()
    if args.runs < 1:
        ap.error("--runs must be at least 1")
    # SIGTERM/SIGHUP end the run through the finally below (QEMU with it).
    for sig in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(sig, lambda *_: sys.exit("bench_top: stopped by a signal"))
    d = build(args.arch)
    exe, elf = os.path.join(d, "kdbg-top"), os.path.join(d, "cairn.elf")
    vm = VM(elf)
    try:
        wait_steady(exe, elf, vm, 64)
        modes = [("shared", 1000), ("process", 1000), ("qmp", 50), ("pause", 100)]
        res = [(m, bench_mode(exe, elf, vm, m, n, args.runs)) for m, n in modes]
        lines_s = sampler(exe, elf, vm, 1000, args.runs)
        live = default_rate(exe, elf, vm, 10)
    finally:
        vm.close()
    # The in-guest suite, over and over: system calls back to back.
    d = build(args.arch, "tests")
    vm = VM(os.path.join(d, "cairn.elf"))
    try:
        time.sleep(3)
        suite = default_rate(exe, os.path.join(d, "cairn.elf"), vm, 10)
    finally:
        vm.close()
    tasks, caps, chans = res[0][1]["kernel"]
    print("kdbg-top under the demo load, %s: %s tasks, %s caps, %s channels; "
          "median of %d runs\n" % (args.arch, tasks, caps, chans, args.runs))
    print("| memory | snapshot median (p90) | redraw | refreshes/s | retries per snapshot "
          "| VM stops per snapshot |")
    print("|---|---|---|---|---|---|")
    names = {"shared": "shared RAM (`--mem shared`)", "process": "process_vm_readv "
             "(`--mem process`)", "qmp": "QMP pmemsave (`--mem qmp`)",
             "pause": "shared, VM paused (`--pause`)"}
    for mode, m in res:
        print("| %s | %.3f (%.3f) ms | %.3f ms | %.0f | %.3f | %.3f |" % (
            names[mode], m["snapshot"], m["p90"], m["redraw"], m["refreshes"],
            m["retry_rate"], m["pause_rate"]))
    print("\n`--json --count 1000 --interval 1` (shared RAM): %.0f JSON lines a second" % lines_s)
    print("default interval (33 ms), %.0f s: %.1f snapshots/s, %.2f retries/s, "
          "%.2f paused snapshots/s; "
          "QEMU saw the VM stopped %d times" % (live["seconds"], live["snapshots"],
                                                  live["retries"], live["pauses"],
                                                  live["stopped_seen"]))
    print("the same while the in-guest test suite runs (TESTS_REPEAT=0): %.1f snapshots/s, "
          "%.2f retries/s, %.2f paused snapshots/s" % (suite["snapshots"], suite["retries"],
                                                       suite["pauses"]))


if __name__ == "__main__":
    main()
