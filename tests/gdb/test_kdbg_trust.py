"""kdbg never answers over nothing: before the kernel is initialised, with
memory that is not the ELF's, and without a target every command refuses
with the reason (the pretty-printers too); mistakes in arguments are
usage errors that say what is wrong, not <corrupt: ...>. Also the text
of kdbg chan (a message's info word decoded, the cap it carries without
table padding) and of unnamed objects (their address once)."""
import os
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from gdbtest import check, guarded, no_traceback, run, shell  # noqa: E402
import gdb  # noqa: E402

COMMANDS = ["kdbg tasks", "kdbg cpool", "kdbg cpool rinit", "kdbg cdt", "kdbg cdt rinit 2",
            "kdbg chan", "kdbg untyped", "kdbg vspace rinit", "kdbg log", "kdbg check",
            "kdbg checkpoint", "kdbg json", "kdbg tasks --json",
            "print $kdbg_task(\"rinit\")", "print $kdbg_cap(\"rinit\", 2)",
            "print $kdbg_current()"]


def error_of(cmd):
    """(True, message) when cmd fails with a GDB error, else (False, output)."""
    try:
        return False, run(cmd)
    except gdb.error as e:
        return True, str(e)


def refused_all(what, expect):
    """Every command fails with a message containing expect."""
    bad = []
    for c in COMMANDS:
        failed, text = error_of(c)
        if not failed or expect not in text or "<corrupt" in text or not no_traceback(text):
            bad.append("%s -> %s: %s" % (c, "error" if failed else "output", text))
    check(not bad, "%s: every command says '%s'" % (what, expect), "\n".join(bad))


def usage_error(cmd, expect, what=None):
    failed, text = error_of(cmd)
    check(failed and re.search(expect, text) is not None and "<corrupt" not in text and
          no_traceback(text), what or "%s: %s" % (cmd, expect), text)


def test():
    # ---- stopped at the kernel entry (scripts/debug): nothing set up yet ----
    refused_all("at the kernel entry", "kernel not initialised yet: continue to the rinit prompt")
    failed, text = error_of("print *(struct task *)&kernel_debug")
    check(not failed and "<kdbg: kernel not initialised yet" in text,
          "at the kernel entry a pretty-printer says so instead of decoding", text)
    failed, text = error_of("kdbg reference")
    check(not failed and "### `kdbg tasks" in text, "kdbg reference needs no kernel", text[:300])

    # ---- booted: the commands answer ---------------------------------------
    shell([], "boot")
    tasks = run("kdbg tasks")
    check(re.search(r"^\*? +rinit ", tasks, re.M) is not None, "booted: kdbg tasks shows rinit",
          tasks)

    # ---- argument mistakes: usage errors saying what is wrong -----------------
    empty = int(gdb.parse_and_eval('$kdbg_cap("rinit", 100).type')) == 0
    check(empty, "rinit's slot 100 is empty on a fresh boot")
    usage_error("kdbg cpool nosuchtask", r"no task named 'nosuchtask' \(tasks: 'rinit'")
    usage_error("kdbg vspace nosuchtask", r"no task named 'nosuchtask'")
    usage_error("kdbg cdt nosuchtask 2", r"no task named 'nosuchtask'")
    usage_error("kdbg chan 0x1234", r"0x1234 is not a channel")
    usage_error("kdbg chan 0", r"is NULL, not a channel")
    usage_error("kdbg cpool 0", r"is NULL, not a cpool")
    usage_error("kdbg cpool sched", r"'sched' is a struct \w+, not a struct cpool \*")
    usage_error("kdbg chan $kdbg_task(\"rinit\")",
                r"is a struct task \*, not a struct channel \*")
    usage_error("kdbg chan (long)$kdbg_task(\"rinit\")", r"is a task 'rinit', not a channel")
    usage_error("kdbg cpool rinit extra", r"unexpected 'extra' after the task name")
    usage_error("kdbg cpool rinit --json extra", r"unexpected 'extra' after the task name")
    usage_error("kdbg cdt rinit 100", r"slot 100 of rinit's root CPool is empty")
    usage_error("kdbg cdt rinit 4096", r"slot 4096 out of range: rinit's root CPool has \d+ slots")
    usage_error("kdbg cdt rinit two", r"SLOT must be a number, not 'two'")
    usage_error("kdbg cdt 0x1234", r"0x1234 is not a slot of a live CPool")
    usage_error("kdbg vspace rinit --kernel extra", r"unexpected 'extra' after TASK")
    usage_error("print $kdbg_cap(\"rinit\", 9999)",
                r"\$kdbg_cap: CADDR 9999 \(0x270f\) is out of range: rinit's root CPool has "
                r"\d+ slots")
    usage_error("print $kdbg_cap(\"nosuchtask\", 1)", r"\$kdbg_cap: no task named 'nosuchtask'")
    usage_error("print $kdbg_task(\"nosuchtask\")", r"\$kdbg_task: no task named 'nosuchtask'")
    usage_error("print $kdbg_task(8)", r"\$kdbg_task: 0x8 is not a task")
    usage_error("print $kdbg_cap(\"rinit\", 1, 99)", r"DEPTH 99 is out of range")
    # ... and the same arguments, well formed, still work
    for c in ("kdbg chan $kdbg_cap(\"rinit\", 255).obj", "kdbg cpool $kdbg_task(\"rinit\")",
              "kdbg cpool (long)$kdbg_cap(\"rinit\", 0).obj", "kdbg cdt &$kdbg_cap(\"rinit\", 2)",
              "kdbg vspace rinit --kernel"):
        failed, text = error_of(c)
        check(not failed and "<corrupt" not in text, "%s works" % c, text)

    # ---- kdbg chan: info decoded, in-flight cap unpadded, addresses once -----
    shell(["retype channel 2 100", "send raw 5 6", "send cap 100"], "queued")
    new = int(gdb.parse_and_eval('(unsigned long)$kdbg_cap("rinit", 100).obj'))
    chan = run("kdbg chan")
    msgs = [l for l in chan.splitlines() if re.match(r"\s+\[\d\] badge", l)]
    check(len(msgs) == 2 and msgs[0].endswith("len 2 words [0x5 0x6]"),
          "chan: a message without a cap: its length, no flags", chan)
    capmsg = msgs[1] if len(msgs) == 2 else ""
    check(" flags cap cap: channel rwgG " in capmsg and "info" not in capmsg,
          "chan: the info word of a message with a cap is decoded (flags cap)", chan)
    check(capmsg.count("%#x" % new) == 1 and "  " not in capmsg.strip(),
          "chan: the cap in flight without table padding, its unnamed channel's address once",
          capmsg)
    check(re.search(r"^channel at %#x: 0/\d+ messages queued" % new, chan, re.M) is not None and
          not re.search(r"channel %#x at" % new, chan),
          "chan: an unnamed channel is shown by its address once", chan)
    pool = run("kdbg cpool rinit")
    line = next((l for l in pool.splitlines() if re.match(r"\s+100\s", l)), "")
    check(line.count("%#x" % new) == 1 and "0/4 queued" in line,
          "cpool: an unnamed channel's address once (OBJECT column, not again in SUMMARY)", line)
    check("0 violations" in run("kdbg check"), "kdbg check clean with a cap in flight",
          run("kdbg check"))

    # ---- memory that is not the ELF's -------------------------------------------
    from kdbg import consts, mem
    probes = mem.elf_probes(gdb.current_progspace().filename)
    check(len(probes) >= 2, "the ELF has read-only segments to compare", probes)
    if probes:
        paddr, vaddr, data = probes[-1]
        a = consts.arch("DIRECT_MAP_BASE") + paddr + 7
        inf = gdb.selected_inferior()
        old = inf.read_memory(a, 1).tobytes()
        inf.write_memory(a, bytes([old[0] ^ 0xff]))
        try:
            refused_all("kernel memory differs from the ELF",
                        "memory does not match cairn.elf: wrong ELF for this VM/core?")
            failed, text = error_of("print *(struct task *)&kernel_debug")
            check(not failed and "<kdbg: memory does not match cairn.elf" in text,
                  "a pretty-printer over memory that is not the ELF's says so", text)
        finally:
            inf.write_memory(a, old)
        failed, text = error_of("kdbg tasks")
        check(not failed and "rinit" in text, "memory restored: the commands answer again", text)

    # ---- no target ----------------------------------------------------------------
    run("kill")
    refused_all("after kill (no target)", "no target: attach first")
    failed, text = error_of("print *(struct task *)&kernel_debug")
    check(not failed and "<kdbg: no target: attach first" in text,
          "after kill a pretty-printer says there is no target", text)


guarded(test)
