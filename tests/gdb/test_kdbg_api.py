"""kdbg's Python API (import kdbg; w = kdbg.World()): the same objects as
`kdbg json` and the commands' --json, with names for states, types and
rights, CDT links as objects; refusals before the kernel is up and after
kill; lookups that fail say what there is; the example script in
docs/examples runs (kdbg script and source) and prints what the kernel
holds; pretty-printers say why they do not decode. One named test each."""
import json
import os
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from gdbtest import check, guarded, no_traceback, run, run_until_idle, shell, rinit_slot  # noqa: E402
import gdb  # noqa: E402

import kdbg  # noqa: E402

TREE = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
EXAMPLE = os.path.join(TREE, "docs", "examples", "kdbg_report.py")


def doc_of(out):
    lines = [l for l in out.splitlines() if l.startswith("{")]
    if len(lines) != 1:
        raise ValueError("expected one JSON line, got %d:\n%s" % (len(lines), out[-2000:]))
    return json.loads(lines[0])


def error_of(fn):
    """The exception fn raises (None if none)."""
    try:
        fn()
    except Exception as e:  # noqa: BLE001 - the test looks at it
        return e
    return None


def hx(v):
    return "0x%x" % int(v)


# ---- the named tests, in order (each may rely on the state before it) --------------

def test_refuses_before_init():
    e = error_of(kdbg.World)
    check(isinstance(e, kdbg.NoKernel) and "kernel not initialised yet: continue to the rinit "
          "prompt" in str(e), "World() at the kernel entry: NoKernel, as the commands say", repr(e))
    out = run("print *(struct task *)&kernel_debug")
    check("<kdbg: kernel not initialised yet" in out and "print/r" in out,
          "print of a struct task before the kernel is up says so (no garbage)", out)


def test_tasks():
    shell([], "boot")
    run_until_idle()
    w = kdbg.World()
    ref = doc_of(run("kdbg tasks --json"))["tasks"]
    check([t.as_dict() for t in w.tasks()] == ref, "tasks(): the objects of kdbg tasks --json",
          [t.as_dict() for t in w.tasks()])
    rinit = w.task("rinit")
    check((rinit.name, rinit.state, rinit.priority) == ("rinit", "BlockedRecv", ref[0]["priority"])
          and rinit.addr == int(ref[0]["addr"], 16) and isinstance(rinit.ip, int),
          "task('rinit'): name, state by name, priority; addresses are ints", rinit.as_dict())
    drv = w.task("serial-driver")
    waited = drv.blocked_on()
    check(drv.waits_on.kind == "notification" and isinstance(waited, kdbg.Notification)
          and waited.waiters == [drv], "blocked_on(): the Notification, whose waiters are [the "
          "task]", (drv.waits_on, waited))
    check(w.current() is None and w.kernel.ticks == int(gdb.parse_and_eval("kernel_debug.ticks")),
          "current() is None while idle; kernel.ticks is the kernel's", w.kernel)


def test_caps_and_rights():
    w = kdbg.World()
    rinit = w.task("rinit")
    ref = doc_of(run("kdbg cpool rinit --json"))
    check([c.as_dict() for c in rinit.caps()] == ref["caps"]
          and rinit.pool().as_dict() == ref["pools"][0],
          "task.caps() and task.pool(): the objects of kdbg cpool --json")
    c255 = rinit.cap(255)
    check(c255.type == "channel" and c255.rights == ("read", "write", "grant", "grant_reply")
          and str(c255.rights) == "rwgG" and c255.badge is None and c255.parent is None
          and c255.slot_addr == int(rinit_slot(255).address)
          and c255.object == int(rinit_slot(255)["cap"]["obj"]),
          "cap(255): type and rights by name, no badge, original (parent None), slot and object",
          c255.as_dict())
    check(rinit.cap(100) is None, "cap(100) of a fresh boot: None (empty)")
    ch = c255.target()
    check(isinstance(ch, kdbg.Channel) and ch.label == "'shared'" and ch.count == 0,
          "cap.target(): the Channel it names", repr(ch))
    slots = rinit.slots()
    check(slots.get("cpool") is not None and slots["cpool"].object == rinit.cpool,
          "task.slots(): its own slots by name (cpool -> its root CPool)", slots)
    check(all(isinstance(u.cap, kdbg.Cap) and u.free == u.size - u.watermark
              for u in w.untyped()), "untyped(): each region with its Cap and free bytes")


def test_cdt_links():
    shell(["start child", "copy 255 101", "mint 255 102 rw 9"], "minted")
    run_until_idle()  # the child runs to its receive on 255
    w = kdbg.World()
    rinit = w.task("rinit")
    child_task = rinit.cap(249)
    check(child_task is not None and child_task.type == "task"
          and child_task.parent == rinit.cap(2) and child_task in rinit.cap(2).children(),
          "a retyped task cap: parent is the untyped cap, among its children()")
    kids = rinit.cap(255).children()
    c102 = rinit.cap(102)
    check([k.slot for k in kids] == [102, 101] or [k.slot for k in kids] == [101, 102],
          "cap(255).children(): the copy and the mint", [repr(k) for k in kids])
    check(c102.badge == 9 and c102.rights == ("read", "write") and c102.parent == rinit.cap(255),
          "the mint: badge 9, rights (read, write), parent cap(255)", c102.as_dict())
    tree = doc_of(run("kdbg cdt rinit 255 --json"))["caps"]
    mine = [rinit.cap(255)] + rinit.cap(255).descendants()
    check(sorted(c["slot_addr"] for c in tree) == sorted(hx(c.slot_addr) for c in mine),
          "descendants(): the caps of kdbg cdt rinit 255 --json", (tree, mine))
    child = w.task(child_task.object)
    check(child.name == child_task.target().name and child.state == "BlockedRecv"
          and child.blocked_on() == rinit.cap(255).target()
          and rinit.cap(255).target().receivers == [child],
          "the child: task(addr), BlockedRecv on 'shared', its receiver", child.as_dict())


def test_messages():
    shell(["suspend 249", "send raw 1", "send raw 2 3"], "queued")
    w = kdbg.World()
    shared = w.channel("shared")
    check([(m.length, m.words, m.cap, m.caller) for m in shared.messages] ==
          [(1, [1], None, None), (2, [2, 3], None, None)] and shared.count == 2,
          "channel('shared').messages: oldest first, words, no cap or caller",
          shared.messages)
    check(shared.as_dict() == next(c for c in doc_of(run("kdbg chan --json"))["channels"]
                                   if c["label"] == "'shared'"),
          "channel.as_dict() is kdbg chan --json's object")
    check(w.check() == [] and w.problems == [], "check() and problems: none")
    check("checkpoint queued" in w.log(3), "log(3): the log's last lines", w.log(3))


def test_lookups_fail_precisely():
    w = kdbg.World()
    e = error_of(lambda: w.task("nosuch"))
    check(isinstance(e, kdbg.NotFound) and re.match(r"no task named 'nosuch' \(tasks: 'rinit'",
                                                    str(e)) is not None,
          "task('nosuch'): NotFound listing the tasks", repr(e))
    e = error_of(lambda: w.task("rinit").cap(4096))
    check(isinstance(e, kdbg.NotFound) and "slot 4096 out of range" in str(e),
          "cap(4096): NotFound, out of range", repr(e))
    e = error_of(lambda: w.task("rinit").colour)
    check(isinstance(e, AttributeError) and "fields: addr, name, state" in str(e),
          "an unknown attribute names the fields there are", repr(e))
    e = error_of(lambda: w.channel("nosuch"))
    check(isinstance(e, kdbg.NotFound) and "'shared'" in str(e), "channel('nosuch'): NotFound "
          "listing the channels", repr(e))


def test_example_script():
    out = run("kdbg script %s" % EXAMPLE)
    w = kdbg.World()
    lines = out.splitlines()
    check(lines and lines[0] == "%d tasks, %d caps, tick %d" % (len(w.tasks()), len(w.caps()),
                                                                 w.kernel.ticks),
          "the example's first line: counts and tick of this kernel", out)
    for t in w.tasks():
        check(any(re.match(r"task %s +%s +prio +%d " % (re.escape(t.name), t.state, t.priority), l)
                  for l in lines), "the example lists task %s with its state" % t.name, out)
    check(re.search(r"^rinit\[255\] channel rwgG -> 'shared', 2 derived$", out, re.M) and
          re.search(r"^rinit\[102\] channel rw-- badge 9 -> 'shared', 0 derived$", out, re.M) and
          re.search(r"^from rinit\[2\]: task in rinit\[249\]$", out, re.M) and
          re.search(r"^channel 'shared': 2/\d+ queued, receivers none$", out, re.M) and
          out.rstrip().endswith("check: sound"),
          "the example: rinit's caps, what slot 2 made, the channels, check sound", out)
    check(no_traceback(out), "the example: no traceback")
    src = run("source %s" % EXAMPLE)
    check(src == out, "`source` runs the same script with the same output")
    bad = os.path.join(os.environ.get("KDBG_TEST_RUN_DIR", "/tmp"), "bad_script.py")
    with open(bad, "w") as f:
        f.write("import kdbg\nw = kdbg.World()\nw.task('nosuch')\n")
    e = error_of(lambda: run("kdbg script %s" % bad))
    check(isinstance(e, gdb.error) and re.match(r"kdbg script: %s:3: no task named 'nosuch'"
                                                % re.escape(bad), str(e)) and no_traceback(str(e)),
          "kdbg script: a NotFound is one line with FILE:LINE", str(e))
    os.unlink(bad)


def test_refuses_without_target():
    run("kill")
    e = error_of(kdbg.World)
    check(isinstance(e, kdbg.NoKernel) and str(e).startswith("no target: attach first"),
          "World() after kill: NoKernel 'no target'", repr(e))


TESTS = [test_refuses_before_init, test_tasks, test_caps_and_rights, test_cdt_links,
         test_messages, test_lookups_fail_precisely, test_example_script,
         test_refuses_without_target]


def test():
    for t in TESTS:
        print("# %s" % t.__name__)
        t()


guarded(test)
