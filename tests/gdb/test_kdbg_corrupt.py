"""kdbg on damaged kernel memory: write garbage into live structures from
GDB, run every command, expect <corrupt ...> markers, no traceback and no
endless walk, and `kdbg check` to name the damage; then restore."""
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from gdbtest import check, guarded, no_traceback, run, run_until_idle, shell  # noqa: E402
import gdb  # noqa: E402

COMMANDS = ["kdbg tasks", "kdbg cpool", "kdbg cpool rinit", "kdbg cdt", "kdbg cdt rinit 2",
            "kdbg cdt rinit 255", "kdbg chan", "kdbg untyped", "kdbg vspace rinit", "kdbg log",
            "kdbg check", "kdbg checkpoint", "print *$kdbg_cap(\"rinit\", 255).obj",
            "print $kdbg_cap(\"rinit\", 2)"]


def addr(expr):
    return int(gdb.parse_and_eval(expr))


def poke(a, data):
    inf = gdb.selected_inferior()
    old = inf.read_memory(a, len(data)).tobytes()
    inf.write_memory(a, data)
    return old


def run_all():
    outs = {}
    for c in COMMANDS:
        t = time.time()
        try:
            outs[c] = run(c)
        except gdb.error as e:  # a clean GDB error is allowed; a traceback is not
            outs[c] = "gdb error: %s" % e
        outs[c] += "" if time.time() - t < 10 else "\nTOO SLOW"
    return outs


def damage(what, a, data, expect_in=None):
    old = poke(a, data)
    try:
        outs = run_all()
    finally:
        poke(a, old)
    text = "\n".join("== %s\n%s" % kv for kv in outs.items())
    check(all(no_traceback(o) and "TOO SLOW" not in o for o in outs.values()),
          "%s: no traceback, every command ends" % what, text)
    check("<corrupt" in text, "%s: shown as <corrupt ...>" % what, text)
    check("violation:" in outs["kdbg check"], "%s: kdbg check reports it" % what,
          outs["kdbg check"])
    if expect_in:
        check(expect_in in text, "%s: names the problem (%s)" % (what, expect_in), text)
    after = run("kdbg check")
    check("0 violations" in after, "%s: clean again after restoring" % what, after)


def test():
    shell(["start child", "copy 255 101"], "setup")
    run_until_idle()
    check("0 violations" in run("kdbg check"), "kdbg check clean before damage",
          run("kdbg check"))
    rinit = addr('$kdbg_task("rinit")')
    child = addr('$kdbg_cap("rinit", 249).obj')
    slot255 = addr('&$kdbg_cap("rinit", 255)')
    chan = addr('$kdbg_cap("rinit", 255).obj')
    pool = addr('$kdbg_cap("rinit", 0).obj')
    off = lambda t, f: addr("&((%s *)0)->%s" % (t, f))  # noqa: E731
    garbage = b"\xde\xad\xbe\xef" * 2
    damage("task list cycle", child + off("struct object", "next"), child.to_bytes(8, "little"),
           "cycle")
    damage("object header garbage", rinit, b"\xff" * 16)
    damage("CDT sibling loop", slot255 + off("struct slot", "first_child"),
           slot255.to_bytes(8, "little"))
    damage("CDT pointer to nowhere", slot255 + off("struct slot", "first_child"), garbage)
    damage("cpool radix 40", pool + off("struct cpool", "radix_bits"), (40).to_bytes(4, "little"),
           "radix 40")
    damage("channel ring count", chan + off("struct channel", "count"),
           (1000).to_bytes(4, "little"))
    damage("wait queue cycle", chan + off("struct channel", "receivers.head"),
           rinit.to_bytes(8, "little"))
    damage("cap type 200", slot255, bytes([200]))
    damage("unreadable object pointer", slot255 + off("struct slot", "cap.obj"),
           (0xffff8fff00000000).to_bytes(8, "little"))
    log = addr("&kernel_log.size")
    old = poke(log, (3).to_bytes(4, "little"))
    out = run("kdbg log")
    poke(log, old)
    check("<corrupt" in out and no_traceback(out), "damaged log size: <corrupt ...>", out)


guarded(test)
