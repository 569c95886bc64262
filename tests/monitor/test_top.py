#!/usr/bin/python3
"""test_top.py BUILD_DIR - kdbg-top end to end (TAP): the real program
(BUILD_DIR/kdbg-top) against a real Cairn VM booted from
BUILD_DIR/cairn.elf with shared RAM: --batch and --json in every memory
mode, a stream of --json lines, the screen in tmux (tasks, views, pause
and continue seen by QEMU), the VM killed under it and brought back,
and bad arguments.
"""
import glob
import json
import os
import re
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
from console import elf_arch  # noqa: E402
from tap import Tap  # noqa: E402
from vmlib import ROOT, VM, Tmux  # noqa: E402

T = Tap()


def top(build, *args, timeout=60):
    cmd = [os.path.join(build, "kdbg-top")] + list(args)
    try:
        r = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                           text=True, timeout=timeout, stdin=subprocess.DEVNULL)
        return r.returncode, r.stdout, r.stderr
    except subprocess.TimeoutExpired:
        return None, "", "timed out after %ds" % timeout


def main():
    build = os.path.abspath(sys.argv[1])
    elf = os.path.join(build, "cairn.elf")
    arch = elf_arch(elf)
    exe = os.path.join(build, "kdbg-top")

    # Usage errors: exit 2 and say what is wrong.
    for args, msg in ((["--bogus"], "unknown option"), (["--interval", "abc"], "not a number"),
                      (["--interval", "0"], "out of range"), (["--mem", "floppy"], "--mem"),
                      (["--count", "3"], "--json")):
        st, out, err = top(build, *args)
        T.check(st == 2 and msg in err, "kdbg-top %s: usage error (exit 2) naming the problem"
                % " ".join(args), "status %s: %s" % (st, err))
    st, out, err = top(build, "--batch", "--elf", elf, "unix:/nonexistent/x.qmp", timeout=30)
    T.check(st == 1 and "/nonexistent/x.qmp" in err,
            "no VM at the socket: exit 1 with the reason, no report on nothing",
            "status %s: %s %s" % (st, out, err))

    # A VM stopped at reset: the kernel has not published anything yet.
    vm = VM(elf, extra=["-S"])
    try:
        st, out, err = top(build, "--json", "--elf", elf, "unix:" + vm.monitor_qmp)
        T.check(st == 1 and "not initialised yet" in err and not out,
                "a VM stopped before the kernel ran: exit 1, 'kernel not initialised yet'",
                "status %s: %s %s" % (st, out[:500], err))
    finally:
        vm.close()

    vm = VM(elf, gdb=True)
    tm = None
    try:
        ok = vm.wait_serial("rinit> ", 60)
        T.check(ok, "%s VM with shared RAM boots to the rinit prompt" % arch, vm.serial())
        target = "unix:" + vm.monitor_qmp

        for mode, name in (("shared", "shared memory"), ("process", "process_vm_readv"),
                           ("qmp", None)):
            st, out, err = top(build, "--json", "--mem", mode, "--elf", elf, target)
            try:
                snap = json.loads(out.splitlines()[0])
            except (ValueError, IndexError):
                snap = {}
            names = {t.get("name"): t for t in snap.get("tasks", [])}
            good = (st == 0 and snap.get("schema") == 1 and snap.get("arch") == arch
                    and names.get("rinit", {}).get("state") == "BlockedRecv"
                    and names.get("serial-driver", {}).get("state") == "BlockedNotification"
                    and (name is None or snap.get("monitor", {}).get("source") == name))
            T.check(good, "--json --mem %s: schema 1, rinit BlockedRecv, serial-driver "
                    "BlockedNotification, read by %s" % (mode, name or "QMP"),
                    "status %s\n%s\n%s" % (st, out[:1500], err))
            if mode == "shared":
                # rinit's root pool, whatever its label: the pool its task names.
                root = names.get("rinit", {}).get("cpool")
                caps = {c["slot"]: c for c in snap.get("caps", []) if c["holder_addr"] == root}
                T.check(caps.get(0, {}).get("type") == "cpool"
                        and caps.get(255, {}).get("type") == "channel"
                        and caps.get(2, {}).get("type") == "untyped",
                        "--json: rinit's root pool slots 0, 2, 255 are cpool, untyped, channel",
                        json.dumps(list(caps.values())[:6]))
                T.check(any(u["watermark"] > 0 for u in snap.get("untyped", [])),
                        "--json: an untyped with a raised watermark", json.dumps(snap.get("untyped")))
                T.check(vm.qmp.status() == "running",
                        "the guest was never stopped to read it (shared memory)", vm.qmp.status())

        st, out, err = top(build, "--batch", "--elf", elf, target)
        T.check(st == 0 and "rinit" in out and "serial-driver" in out,
                "--batch prints the tasks as text", out[:1500] + err)

        st, out, err = top(build, "--json", "--count", "20", "--interval", "20", "--elf", elf,
                           target)
        lines = [l for l in out.splitlines() if l.strip()]
        try:
            seqs = [json.loads(l)["kernel"]["seq"] for l in lines]
        except (ValueError, KeyError):
            seqs = []
        T.check(st == 0 and len(seqs) == 20 and seqs == sorted(seqs),
                "--json --count 20 --interval 20: 20 snapshots, kernel seq never goes back",
                "status %s, %d lines: %s %s" % (st, len(lines), out[-500:], err))

        # The VM stopped: kdbg-top --json and kdbg json (GDB over the
        # gdbstub) must agree object by object.
        vm.qmp.execute("stop")
        st, out, err = top(build, "--json", "--elf", elf, target)
        mine = json.loads(out) if st == 0 else {}
        r = subprocess.run([os.path.join(ROOT, "kdbg", "bin", "kdbg"), "attach",
                            "127.0.0.1:%d" % vm.gdb_port, "--build", build, "--", "-batch",
                            "-ex", "kdbg json"], capture_output=True, text=True, timeout=120)
        lines = [l for l in r.stdout.splitlines() if l.startswith("{")]
        theirs = json.loads(lines[0]) if len(lines) == 1 else {}
        diffs = []
        for key in sorted((set(mine) | set(theirs)) - {"monitor", "log"}):
            a, b = mine.get(key), theirs.get(key)
            if isinstance(a, list) and isinstance(b, list):
                diffs += ["%s[%d]: %s != %s" % (key, i, x, y)
                          for i, (x, y) in enumerate(zip(a, b)) if x != y]
                if len(a) != len(b):
                    diffs.append("%s: %d objects != %d" % (key, len(a), len(b)))
            elif a != b:
                diffs.append("%s: %s != %s" % (key, a, b))
        n = sum(len(mine.get(k, [])) for k in ("tasks", "caps", "channels", "untyped"))
        T.check(mine and theirs and n > 50 and not diffs,
                "VM stopped: kdbg-top --json and kdbg json agree object by object "
                "(%d tasks, caps, channels, untyped)" % n,
                "\n".join(diffs[:20]) + err + r.stderr[-1000:])
        if vm.qmp.status() != "running":
            vm.qmp.execute("cont")

        # The screen, driven in tmux at 80x24.
        tm = Tmux("kdbg-top-test-%s" % arch, "%s --elf %s %s" % (exe, elf, target))
        # Up with a snapshot: the overview counts the tasks (it names none).
        s = tm.wait_for(lambda s: re.search(r"objects +\d+ tasks", s), 20)
        tm.keys("2")
        s = tm.wait_for(lambda s: "BlkRecv" in s or "BlockedRecv" in s, 10)
        T.check("rinit" in s and "serial-driver" in s and "notification" in s,
                "tasks view (80x24) lists rinit and serial-driver with what they wait on", s)
        tm.keys("p")
        vm.qmp.wait_status("paused")
        s = tm.wait_for(lambda s: "paused" in s, 10)
        T.check(vm.qmp.status() == "paused" and "paused" in s,
                "p pauses the VM: QEMU says paused and so does the header", s)
        tm.keys("p")
        vm.qmp.wait_status("running")
        s = tm.wait_for(lambda s: "running" in s, 10)
        T.check(vm.qmp.status() == "running" and "running" in s,
                "p again continues it", s)
        for key, word in (("5", "channel"), ("6", "untyped"), ("7", "log"), ("1", "overview")):
            tm.keys(key)
            s = tm.wait_for(lambda s, w=word: w in s.lower(), 5)
            T.check(word in s.lower() and not tm.dead(), "key %s shows the %s view" % (key, word), s)
        tm.keys("?")
        s = tm.wait_for(lambda s: "quit" in s.lower(), 5)
        T.check("quit" in s.lower(), "? shows the help", s)
        tm.keys("Escape")

        vm.kill()
        s = tm.wait_for(lambda s: "gone" in s.lower() or "disconnected" in s.lower(), 15)
        T.check(("gone" in s.lower() or "disconnected" in s.lower()) and not tm.dead(),
                "the VM killed mid-run: the monitor stays up and says so", s)
        vm.start()
        vm.wait_serial("rinit> ", 60)
        # (The overview again: live figures, no longer marked stale.)
        s = tm.wait_for(lambda s: "running" in s and "(stale)" not in s, 30)
        T.check("running" in s and "(stale)" not in s and not tm.dead(),
                "the VM back on the same socket: the monitor reconnects", s)
        # A panic record, written by GDB through the gdbstub the way
        # panic() writes it (kernel_debug.panicked, .panic_msg): the VM is
        # stopped while GDB holds it, and runs on after.
        msg = "gdb-made"
        cmds = ["set var kernel_debug.panic_msg[%d] = %d" % (i, ord(c))
                for i, c in enumerate(msg + "\0")] + ["set var kernel_debug.panicked = 1"]
        r = subprocess.run(["gdb-multiarch", "-nx", "-batch", elf,
                            "-ex", "target remote 127.0.0.1:%d" % vm.gdb_port] +
                           sum((["-ex", c] for c in cmds), []) + ["-ex", "detach"],
                           capture_output=True, text=True, timeout=60)
        s = tm.wait_for(lambda s: "kernel panicked: " + msg in s and
                        "kdbg attach core:" in s, 20)
        # The path is longer than 80 columns: find the core where it goes,
        # beside the QMP socket.
        cores = glob.glob(os.path.join(vm.dir, "kdbg-top-panic-*.core"))
        core = cores[0] if len(cores) == 1 else None
        # (GDB's own detach can fail while kdbg-top has the VM stopped
        # for its core, "Can't detach process": the writes were made.)
        wrote = r.returncode == 0 or "Can't detach" in r.stderr
        T.check(wrote and "kdbg attach core:" + vm.dir in s and core and
                os.path.getsize(core) > 1 << 20,
                "kernel_debug.panicked set (by GDB, as panic() does): the banner shows the "
                "message and a core is written", s + r.stderr[-1000:])
        if core:
            r = subprocess.run([os.path.join(ROOT, "kdbg", "bin", "kdbg"), "attach",
                                "core:" + core, "--build", build, "--", "-batch",
                                "-ex", "kdbg tasks"], capture_output=True, text=True,
                               timeout=120)
            T.check(r.returncode == 0 and "rinit" in r.stdout,
                    "kdbg attach core:FILE opens the monitor's core (kdbg tasks)",
                    r.stdout[-1500:] + r.stderr[-1500:])
        tm.keys("q")
        deadline = time.monotonic() + 10
        while not tm.dead() and time.monotonic() < deadline:
            time.sleep(0.05)
        T.check(tm.dead(), "q quits", tm.screen())
    finally:
        if tm:
            tm.close()
        vm.close()
    return T.done()


if __name__ == "__main__":
    sys.exit(main())
