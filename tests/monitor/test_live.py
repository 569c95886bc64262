#!/usr/bin/python3
"""test_live.py ARCH BUILD_DIR - kdbg-top while the in-guest test suite
runs (TAP), as a user starts it: `kdbg top --run tests --arch ARCH` in
tmux (it builds build/top-ARCH-tests with TESTS_REPEAT=0, boots it with
shared RAM and runs kdbg-top on it). Meanwhile BUILD_DIR/kdbg-top samples
the same VM through kdbg's own QMP socket (--json --count) as a script
would.

  - the tasks view shows the suite's test tasks ("topic-N", named by the
    harness) and their states change from one screen to the next;
  - the samples show tasks blocked on channels and the test channel
    'held' with its three queued messages, and the guest was never
    stopped except for the counted pauses;
  - the channels view, filtered to 'held', shows the queued messages;
  - p pauses the VM (QEMU says so), p again continues it;
  - q quits, and kdbg stops QEMU and removes the run directory.
"""
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
from tap import Tap  # noqa: E402
from vmlib import ROOT, QMP, Tmux  # noqa: E402

T = Tap()
TEST_TASK = re.compile(r"^[ *] ([a-z][a-z ]{0,8}-\d+)\s+(\S+)", re.M)


def task_rows(screen):
    """(name, state) of the test tasks on a tasks-view screen."""
    return set(TEST_TASK.findall(screen))


def main():
    arch, build = sys.argv[1], os.path.abspath(sys.argv[2])
    runtime = tempfile.mkdtemp(prefix="kdbg-live-test.")
    env = {"KDBG_RUNTIME_DIR": runtime}
    tm = Tmux("kdbg-live-%s" % arch, "%s/kdbg/bin/kdbg top --run tests --arch %s --view tasks"
              % (ROOT, arch), width=80, height=24, env=env)
    qmp = None
    try:
        # The build (when needed) and the boot, then the first tasks.
        s = tm.wait_for(lambda s: TEST_TASK.search(s) or tm.dead(), 240, 0.5)
        if not T.check(TEST_TASK.search(s) and not tm.dead(),
                       "%s: kdbg top --run tests builds, boots and shows the suite's tasks"
                       % arch, s):
            return T.done()
        run = os.path.realpath(os.path.join(runtime, "latest"))
        elf = os.path.join(run, "cairn.elf")

        # Screens over a few seconds: test tasks come and go and change state.
        seen, screens = [], []
        deadline = time.monotonic() + 6
        while time.monotonic() < deadline:
            s = tm.screen()
            screens.append(s)
            seen.append(task_rows(s))
            time.sleep(0.2)
        names = {n for rows in seen for n, _ in rows}
        changes = sum(1 for a, b in zip(seen, seen[1:]) if a != b)
        T.check(len(names) >= 3 and changes >= 5,
                "%s tasks view: %d test tasks seen, the rows changed %d times in 6 s"
                % (arch, len(names), changes), "\n".join(screens[-3:]))
        T.check(not any("not initialised" in s for s in screens),
                "%s: the boot-time 'kernel not initialised yet' is gone once snapshots work"
                % arch, screens[-1])
        states = {st for rows in seen for _, st in rows}
        T.check(len(states) >= 2, "%s tasks view: test tasks in several states: %s"
                % (arch, " ".join(sorted(states))), "\n".join(screens[-3:]))

        # A script's view of the same VM: 300 samples through kdbg's QMP socket.
        r = subprocess.run([os.path.join(build, "kdbg-top"), "--elf", elf, "--json",
                            "--count", "300", "--interval", "10",
                            "unix:" + os.path.join(run, "qmp.sock")],
                           capture_output=True, text=True, timeout=120)
        snaps = [json.loads(line) for line in r.stdout.splitlines()] if r.returncode == 0 else []
        held = [c for d in snaps for c in d["channels"] if c["label"] == "'held'"
                and c["count"] == 3]
        blocked = {t["waits_on"]["kind"] for d in snaps for t in d["tasks"]
                   if t["waits_on"] and t["waits_on"]["kind"] in ("recv", "send", "reply")}
        T.check(len(snaps) == 300 and all(d["monitor"]["source"] == "shared memory"
                                          for d in snaps),
                "%s: 300 samples with --json --count from shared memory" % arch,
                r.stderr[-2000:])
        T.check(held and [m["words"][0] for m in held[0]["messages"]] ==
                [0x4e1d0, 0x4e1d1, 0x4e1d2],
                "%s samples: channel 'held' with its 3 queued messages, in order" % arch,
                json.dumps(held[:1]))
        T.check(blocked, "%s samples: tasks blocked on channels (%s)"
                % (arch, " ".join(sorted(blocked))), "")
        paused = sum(d["monitor"]["paused"] for d in snaps)
        # The screen's kdbg-top pauses the same VM now and then: a sample
        # taken while it has the vCPU stopped inside the kernel (odd seq)
        # is that state as it is; any other sample must be consistent.
        mid = [d for d in snaps if d["kernel"]["seq"] % 2]
        bad = [d["problems"] for d in snaps if d["problems"] and d["kernel"]["seq"] % 2 == 0]
        T.check(snaps and not bad,
                "%s samples: no torn read of a running kernel shown as corruption (%d retries, "
                "%d pauses; %d samples of a kernel stopped mid-update by the other monitor)"
                % (arch, sum(d["monitor"]["retries"] for d in snaps), paused, len(mid)),
                json.dumps(bad[:3]))

        # The channels view, filtered to 'held': its messages, listed.
        tm.keys("5")
        tm.keys("/")
        tm.keys("-l", "held")
        tm.keys("Enter")
        s = tm.wait_for(lambda s: re.search(r"#0 +badge .*0x4e1d0", s) and
                        re.search(r"#2 +badge .*0x4e1d2", s), 20)
        T.check(re.search(r"#0 +badge .*0x4e1d0", s) and re.search(r"#2 +badge .*0x4e1d2", s),
                "%s channels view: 'held' with 3/N queued and its messages #0..#2" % arch, s)

        # Pause and continue, seen by QEMU through kdbg's QMP socket.
        qmp = QMP(os.path.join(run, "qmp.sock"))
        tm.keys("p")
        st = qmp.wait_status("paused")
        s = tm.wait_for(lambda s: "paused" in s, 10)
        T.check(st == "paused" and "paused" in s, "%s: p pauses the suite's VM" % arch, s)
        tm.keys("p")
        st = qmp.wait_status("running")
        s = tm.wait_for(lambda s: "running" in s, 10)
        T.check(st == "running" and "running" in s, "%s: p again continues it" % arch, s)
        qmp.close()
        qmp = None

        tm.keys("q")
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline and (not tm.dead() or os.path.exists(run)):
            time.sleep(0.2)
        T.check(tm.dead() and not os.path.exists(run),
                "%s: q quits; kdbg stops QEMU and removes the run directory" % arch,
                tm.screen())
    finally:
        if qmp:
            qmp.close()
        tm.close()
        # tmux's kill sends SIGHUP: kdbg stops QEMU on it; wait for that.
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and any(
                n.startswith("run-") for n in os.listdir(runtime)):
            time.sleep(0.2)
        shutil.rmtree(runtime, ignore_errors=True)
    return T.done()


if __name__ == "__main__":
    sys.exit(main())
