"""kdbg snapshot, diff and watch: snapshots saved at rinit's shell prompt,
shell commands that derive, copy, mint, move, delete and revoke caps and
start a child, then `kdbg diff` must show exactly those changes (checked
against the kernel read through GDB, without kdbg), `kdbg watch` must
print them at the next stop, and bad arguments are usage errors."""
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import gdbtest  # noqa: E402
from gdbtest import check, guarded, no_traceback, run, serial, serial_drain, shell, \
    wait_for_shell, rinit_slot  # noqa: E402
import gdb  # noqa: E402

SNAP_DIR = os.path.join(os.environ.get("KDBG_TEST_RUN_DIR", "/tmp"), "snapshots")


def drive(commands, name):
    """gdbtest.shell(), returning what GDB printed on the way (kdbg watch's
    lines come at every stop) rather than the serial output."""
    if gdbtest._bp is None:
        gdbtest._bp = gdb.Breakpoint("kdbg_checkpoint", internal=True)
    s = serial()
    wait_for_shell()
    serial_drain()
    for cmd in list(commands) + ["checkpoint " + name]:
        s.sendall((cmd + "\n").encode())
    out = []
    for _ in range(20):
        out.append(gdb.execute("continue", to_string=True))
        try:
            hit = gdb.parse_and_eval("name").string()
        except gdb.error:
            hit = None
        if hit == name:
            out.append(gdb.execute("finish", to_string=True))
            serial_drain()
            return "".join(out)
    raise RuntimeError("checkpoint %s never reached" % name)


def hx(v):
    return "0x%x" % int(v)


def diff(args):
    out = run("kdbg diff %s --json" % args)
    lines = [l for l in out.splitlines() if l.startswith("{")]
    return json.loads(lines[0])


def summary(d, group="caps"):
    """The changes of one group as comparable tuples."""
    out = []
    for e in d[group]:
        if group == "caps":
            c = e["cap"]
            out.append((e["change"], e.get("from_slot"), e["slot"], c["type"], c["rights"],
                        c["badge"], e.get("parent")) if e["change"] != "revoked" else
                       (e["change"], e["slot"], tuple(e["gone"])))
        elif group == "tasks":
            out.append((e["change"], e["addr"]))
        else:
            out.append((e["change"], e.get("addr") or e.get("base")))
    return sorted(out, key=str)


def usage_error(cmd, want):
    try:
        out = run(cmd)
    except gdb.error as e:
        msg = str(e)
        return check(want in msg and "usage: kdbg " in msg and no_traceback(msg),
                     "'%s' is a usage error: %s" % (cmd, want), msg)
    return check(False, "'%s' is a usage error: %s" % (cmd, want), out)


def test():
    os.makedirs(SNAP_DIR, exist_ok=True)
    os.environ["KDBG_SNAPSHOT_DIR"] = SNAP_DIR
    shell([], "s0")

    # ---- save: the kdbg json document, with where it came from ---------------
    out = run("kdbg snapshot save s0")
    path = os.path.join(SNAP_DIR, "s0.json")
    check(("saved %s" % path) in out and os.path.exists(path), "snapshot save writes DIR/NAME.json",
          out)
    with open(path) as f:
        s0 = json.load(f)
    live = json.loads([l for l in run("kdbg json").splitlines() if l.startswith("{")][0])
    check(all(s0[k] == live[k] for k in ("tasks", "caps", "channels", "untyped", "pools")),
          "the snapshot holds the kdbg json document")
    elf = gdb.current_progspace().filename
    check(s0["snapshot"]["elf"] == elf and len(s0["snapshot"]["elf_sha256"]) == 64 and
          s0["snapshot"]["checkpoint"] == "s0" and s0["arch"] == live["arch"],
          "the snapshot names its ELF, arch and checkpoint", s0["snapshot"])
    out = run("kdbg diff s0")
    check(out.rstrip().endswith("no changes"), "diff of a snapshot against the unchanged kernel "
          "is empty", out)
    d = diff("s0 %s" % path)
    check(all(d[g] == [] for g in ("caps", "tasks", "channels", "notifications", "untyped",
                                    "problems")), "diff of a snapshot against itself is empty", d)
    wm0 = int(rinit_slot(2)["cap"]["data"])

    # ---- watches set before the shell runs ---------------------------------
    out = run("kdbg watch cap rinit 2") + run("kdbg watch chan rinit 255")
    check("kdbg watch 1: cap rinit[2]" in out and "kdbg watch 2: channel 'shared'" in out,
          "watch cap and watch chan are numbered", out)

    # ---- retype, copy, mint ---------------------------------------------------------
    out = drive(["retype channel 2 100", "copy 100 101 rw", "mint 100 102 w 7"], "s1")
    wm1 = int(rinit_slot(2)["cap"]["data"])
    check("kdbg watch 1: derived   rinit[100]  channel rwgG" in out and
          "kdbg watch 1: rinit[2] (" in out and
          "watermark %#x -> %#x (+%d bytes)" % (wm0, wm1, wm1 - wm0) in out,
          "watch cap rinit 2 prints the derived channel and the watermark at the next stop", out)
    check("kdbg watch 2:" not in out, "watch chan rinit 255 is quiet while 'shared' is unchanged",
          out)
    run("kdbg snapshot save s1")
    d = diff("s0")
    want = [("copied", None, "rinit[101]", "channel", "rw--", None, "rinit[100]"),
            ("derived", None, "rinit[100]", "channel", "rwgG", None, "rinit[2]"),
            ("minted", None, "rinit[102]", "channel", "-w--", 7, "rinit[100]")]
    check(summary(d) == sorted(want, key=str),
          "diff: derived rinit[100] from untyped 2, copied 101 (rw), minted 102 (w, badge 7)",
          json.dumps(d["caps"]))
    check(d["untyped"] and len(d["untyped"]) == 1 and d["untyped"][0]["slot"] == "rinit[2]" and
          d["untyped"][0]["before"] == wm0 and d["untyped"][0]["after"] == wm1 and
          d["untyped"][0]["delta"] == wm1 - wm0 > 0,
          "diff: untyped rinit[2]'s watermark grew by %d bytes" % (wm1 - wm0), d["untyped"])
    chan = hx(rinit_slot(100)["cap"]["obj"])
    check(("created", chan) in summary(d, "channels") and
          [t for t in summary(d, "tasks") if t[0] != "changed"] == [],
          "diff: the new channel is created, no task created or gone", d["channels"])
    text = run("kdbg diff s0")
    check("caps:\n  derived   rinit[100]  channel rwgG %s  from untyped rinit[2]\n" % chan in text
          and "  copied    rinit[101]  channel rw-- %s  from rinit[100]\n" % chan in text and
          "  minted    rinit[102]  channel -w-- badge 0x7 %s  from rinit[100]\n" % chan in text and
          "watermark %#x -> %#x (+%d bytes)" % (wm0, wm1, wm1 - wm0) in text,
          "diff as text: one line per change, grouped", text)

    # ---- move, delete ------------------------------------------------------------------
    drive(["move 101 103", "delete 102"], "s2")
    d = diff("s1")
    check(summary(d) == sorted([("moved", "rinit[101]", "rinit[103]", "channel", "rw--", None,
                                 None),
                                ("deleted", None, "rinit[102]", "channel", "-w--", 7,
                                 "rinit[100]")], key=str),
          "diff: moved 101 -> 103, deleted 102, nothing else", json.dumps(d["caps"]))
    check(d["untyped"] == [] and [t for t in d["tasks"] if t["change"] != "changed"] == [],
          "diff: move and delete use no memory, create no task", d)

    # ---- start child: a new task ---------------------------------------------------------
    run("kdbg snapshot save s2")
    drive(["start child"], "s3")
    wm3 = int(rinit_slot(2)["cap"]["data"])
    child = hx(rinit_slot(249)["cap"]["obj"])
    d = diff("s2")
    check([t for t in summary(d, "tasks") if t[0] != "changed"] == [("created", child)],
          "diff: start child created task %s" % child, d["tasks"])
    check(("derived", None, "rinit[249]", "task", "rwgG", None, "rinit[2]") in summary(d),
          "diff: the child's task cap derived from untyped 2", json.dumps(d["caps"]))
    check(len(d["untyped"]) == 1 and d["untyped"][0]["delta"] == wm3 - wm1 > 0,
          "diff: the watermark grew by %d bytes for the child" % (wm3 - wm1), d["untyped"])

    # ---- watch a task: its state change at the next stop ------------------------------------
    out = run("kdbg watch task %s" % child)
    check("kdbg watch 3: task" in out, "watch task ADDR", out)
    before = [t for t in diff("s0")["tasks"] if t["addr"] == child][0]["after"]["state"]
    out = drive(["suspend 249", "send raw 5"], "s4")
    check("kdbg watch 3: task 'child': %s" % before in out and "-> Inactive" in out,
          "watch task prints %s -> Inactive after suspend" % before, out)
    check("kdbg watch 2: channel 'shared': 1 sent, 0 received; queued 0 -> 1 of 4" in out and
          "kdbg watch 2:     + badge 0x0, 1 words [0x5]" in out,
          "watch chan prints the queued message", out)
    check("kdbg watch 1:" not in out, "watch cap is quiet when its cap is unchanged", out)

    # ---- revoke: a subtree gone at once -------------------------------------------------------
    drive(["copy 255 110", "copy 255 111"], "s5")
    run("kdbg snapshot save s5")
    drive(["revoke 255"], "s6")
    d = diff("s5")
    check(summary(d) == [("revoked", "rinit[255]", ("rinit[110]", "rinit[111]"))],
          "diff: revoke 255 is one change, its two copies gone", json.dumps(d["caps"]))
    d = diff("s1 s0")
    check(("created", chan) not in summary(d, "channels") and
          ("destroyed", chan) in summary(d, "channels") and d["untyped"][0]["delta"] == wm0 - wm1,
          "diff B A is the reverse: the channel destroyed, the watermark shrinks", d)

    # ---- list and delete --------------------------------------------------------------------
    out = run("kdbg snapshot list")
    check(all(("  %s " % n) in out for n in ("s0", "s1", "s2", "s5")) and
          "4 snapshots in %s" % SNAP_DIR in out, "snapshot list shows the saved ones", out)
    out = run("kdbg watch list")
    check("1: cap rinit[2]" in out and "2: channel 'shared'" in out and "3: task" in out,
          "watch list", out)
    check("deleted watch 1" in run("kdbg watch delete 1") and
          "1: cap" not in run("kdbg watch list"), "watch delete N")
    check("deleted 2 watches" in run("kdbg watch delete all") and
          "no watches" in run("kdbg watch list"), "watch delete all")

    # ---- bad arguments --------------------------------------------------------------------------
    with open(os.path.join(SNAP_DIR, "garbage.json"), "w") as f:
        f.write("{not json")
    with open(os.path.join(SNAP_DIR, "partial.json"), "w") as f:
        json.dump({"schema": 1, "arch": s0["arch"], "kernel": {}, "tasks": []}, f)
    other = dict(s0, arch="aarch64" if s0["arch"] == "x86_64" else "x86_64")
    with open(os.path.join(SNAP_DIR, "otherarch.json"), "w") as f:
        json.dump(other, f)
    otherelf = dict(s0, snapshot=dict(s0["snapshot"], elf_sha256="ab" * 32))
    with open(os.path.join(SNAP_DIR, "otherelf.json"), "w") as f:
        json.dump(otherelf, f)
    for cmd, want in (
            ("kdbg diff", "takes one or two snapshots"),
            ("kdbg diff nosuch", "no such snapshot: %s/nosuch.json" % SNAP_DIR),
            ("kdbg diff garbage", "is not valid JSON"),
            ("kdbg diff partial", "is not a kdbg snapshot: no 'pools' list"),
            ("kdbg diff otherarch", "is a snapshot of %s, this kernel is %s: refusing"
             % (other["arch"], s0["arch"])),
            ("kdbg diff otherelf", "was taken with another kernel ELF"),
            ("kdbg diff s0 otherarch", "refusing to compare"),
            ("kdbg snapshot", "save or list?"),
            ("kdbg snapshot save", "save takes one NAME"),
            ("kdbg snapshot save /nonexistent/dir/x", "no directory /nonexistent/dir"),
            ("kdbg watch cap rinit 199", "rinit[199] is empty"),
            ("kdbg watch cap rinit 9999", "slot 9999 is out of range"),
            ("kdbg watch cap nosuch 1", "no task 'nosuch'"),
            ("kdbg watch task nosuch", "no task 'nosuch'"),
            ("kdbg watch chan rinit 2", "rinit[2] holds an untyped cap, not a channel"),
            ("kdbg watch delete 42", "no watch 42"),
            ("kdbg watch frob", "unknown subcommand 'frob'")):
        usage_error(cmd, want)
    out = run("kdbg diff s0 s1") + run("kdbg diff s5 --json")
    check(no_traceback(out), "no traceback from diff")


guarded(test)
