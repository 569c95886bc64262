"""kdbg against a live kernel: drive rinit's shell to named checkpoints and
check every command's output against the kernel state read through GDB,
then the same commands on a core taken with `kdbg dump`."""
import os
import re
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from gdbtest import check, guarded, no_traceback, run, run_until_idle, shell, rinit_slot  # noqa: E402
import gdb  # noqa: E402

TREE = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BUILD = os.environ.get("KDBG_TEST_BUILD", os.path.join(TREE, "build"))
KDBG = os.path.join(TREE, "kdbg", "bin", "kdbg")
COMMANDS = ["kdbg tasks", "kdbg cpool", "kdbg cdt rinit 2", "kdbg cdt rinit 255", "kdbg chan",
            "kdbg untyped", "kdbg vspace rinit", "kdbg log 20", "kdbg check",
            "kdbg checkpoint", "print *$kdbg_task(\"rinit\")", "print $kdbg_cap(\"rinit\", 255)"]


def rinit_entry():
    """The entry point in rinit's ELF header (e_entry), as the build made it."""
    with open(os.path.join(BUILD, "user", "rinit.elf"), "rb") as f:
        return int.from_bytes(f.read(32)[24:32], "little")


def uapi_define(header, name):
    """A UINT64_C(...) constant from include/uapi (the ABI's one source)."""
    with open(os.path.join(TREE, "include", "uapi", "cairn", header)) as f:
        m = re.search(r"#define %s UINT64_C\((0x[0-9a-fA-F]+)\)" % name, f.read())
    return int(m.group(1), 16)


def line_of(out, pattern):
    for line in out.splitlines():
        if re.search(pattern, line):
            return line
    return None


def clean(out):
    return "0 violations" in out and "violation:" not in out


def test():
    shell([], "boot")
    before = run("kdbg cpool rinit")
    used0 = int(re.search(r"(\d+) used", before).group(1))
    check(line_of(before, r"^\s+2\s+untyped") is not None, "cpool lists untyped slot 2", before)
    check(line_of(before, r"^\s+100\s") is None, "slot 100 starts empty", before)

    # ---- the pool after a retype ----------------------------------------
    out = shell(["retype channel 2 100"], "retyped")
    check("channel in slot 100" in out, "shell retyped a channel", out)
    pool = run("kdbg cpool rinit")
    used1 = int(re.search(r"(\d+) used", pool).group(1))
    line = line_of(pool, r"^\s+100\s")
    obj = int(rinit_slot(100)["cap"]["obj"])
    check(line is not None and "channel" in line and "%#x" % obj in line and "0/4 queued" in line,
          "cpool shows the new channel in slot 100 with its object", pool)
    check(used1 == used0 + 1, "cpool's used count grows by one", "%d -> %d" % (used0, used1))
    check(pool == run("kdbg cpool $kdbg_task(\"rinit\")"), "cpool TASK equals cpool EXPR")
    check(clean(run("kdbg check")), "kdbg check clean after retype", run("kdbg check"))
    log = run("kdbg log 4")
    check("retype: channel in slot 100" in log and len(log.splitlines()) <= 4,
          "kdbg log shows the shell's last lines", log)
    check(run("kdbg checkpoint").strip() == "checkpoint: retyped", "kdbg checkpoint names it")

    # ---- start child: CDT under untyped slot 2, child blocked on 255 ---------
    out = shell(["start child"], "started")
    check("child running in slot 249" in out, "shell started a child", out)
    run_until_idle()
    cdt = run("kdbg cdt rinit 2")
    lines = cdt.splitlines()
    check(lines[0].startswith("untyped") and "[rinit[2]]" in lines[0], "cdt root is untyped slot 2",
          cdt)
    check(line_of(cdt, r"^(├|└)── task .*\[rinit\[249\]\]") is not None
          and line_of(cdt, r"^(├|└)── channel .*\[rinit\[100\]\]") is not None,
          "cdt shows the child task and the channel under slot 2, with holders", cdt)
    check(re.search(r"\n(\d+) nodes", cdt) and int(re.search(r"(\d+) nodes", cdt).group(1))
          == len(lines) - 1, "cdt counts its nodes", cdt)
    tasks = run("kdbg tasks")
    child = line_of(tasks, r"0x%x" % int(rinit_slot(249)["cap"]["obj"]))
    state = int(rinit_slot(249)["cap"]["obj"].cast(gdb.lookup_type("struct task").pointer())["state"])
    check(child is not None and "BlockedRecv" in child and "channel 'shared'" in child
          and state == int(gdb.parse_and_eval("CAIRN_TASK_BLOCKED_RECV")),
          "child is BlockedRecv on channel 255 ('shared')", tasks)
    check(line_of(tasks, r"^  rinit .* Blocked\w+ ") is not None,
          "rinit is blocked waiting for input", tasks)
    chan = run("kdbg chan")
    check(re.search(r"channel 'shared'.*\n.*\n  blocked receivers: '.*' BlockedRecv", chan)
          is not None, "chan lists the child as a blocked receiver", chan)
    check(clean(run("kdbg check")), "kdbg check clean with a blocked child", run("kdbg check"))

    # ---- messages queued on channel 255 ------------------------------------
    # The child is suspended first so that nothing receives: with the
    # user-space serial driver rinit may block between lines and let it run.
    out = shell(["suspend 249", "send raw 1", "send raw 2 3", "send raw 4 5 6",
                 "send raw 7 8 9 10"], "queued")
    chan = run("kdbg chan $kdbg_cap(\"rinit\", 255).obj")
    count = int(rinit_slot(255)["cap"]["obj"].cast(gdb.lookup_type("struct channel").pointer())
                ["count"])
    msgs = [l for l in chan.splitlines() if re.match(r"\s+\[\d\] badge", l)]
    check(count == 4 and len(msgs) == count, "chan lists every queued message (%d)" % count,
          chan + out)
    check(msgs and msgs[0].endswith("words [0x1]") and msgs[-1].endswith("words [0x7 0x8 0x9 0xa]"),
          "the newest message carries its words", chan)
    check(clean(run("kdbg check")), "kdbg check clean with queued messages", run("kdbg check"))

    # ---- vspace: rinit's mappings, and the kernel half ----------------------
    vs = run("kdbg vspace rinit")
    bi = uapi_define("bootinfo.h", "CAIRN_BOOTINFO_VADDR")
    tb = uapi_define("bootinfo.h", "CAIRN_ROOT_TASK_BUFFER_VADDR")
    check(line_of(vs, r"^%#018x-\S+ .* r--u$" % bi) is not None
          and line_of(vs, r"^%#018x-\S+ .* rw-u$" % tb) is not None,
          "vspace: boot info read-only, task buffer writable, both user", vs)
    entry = rinit_entry()
    text = [l for l in vs.splitlines() if l.endswith("r-xu")]
    check(any(int(l[:18], 16) <= entry < int(l[19:37], 16) for l in text),
          "vspace: rinit's entry point %#x lies in an executable user mapping" % entry, vs)
    if "aarch64" in gdb.selected_inferior().architecture().name():
        check(line_of(vs, r"^0x\S+ 0x0000000009000000 .* rw-u device$") is not None,
              "vspace: rinit's PL011 registers are a user device mapping", vs)
    check(not [l for l in vs.splitlines()[2:-1] if re.search(r" r[w-][x-]k", l)],
          "vspace without --kernel shows user mappings only", vs)
    kvs = run("kdbg vspace rinit --kernel")
    kmain = int(gdb.parse_and_eval("(unsigned long)&kmain"))
    ktext = [l for l in kvs.splitlines() if re.search(r" r[w-]xk$", l)]
    check(any(int(l[:18], 16) <= kmain < int(l[19:37], 16) for l in ktext),
          "vspace --kernel: kmain %#x lies in an executable kernel mapping" % kmain, kvs)

    # ---- the same commands on a core taken with kdbg dump --------------------
    core = os.path.join(os.environ.get("KDBG_TEST_RUN_DIR", "/tmp"), "test.core")
    r = subprocess.run([KDBG, "dump", core, "--qmp", os.environ["KDBG_TEST_QMP"],
                        "--build", BUILD],
                       capture_output=True, text=True, timeout=60)
    check(r.returncode == 0 and os.path.getsize(core) > 1 << 20, "kdbg dump wrote a core",
          r.stdout + r.stderr)
    live = {c: run(c) for c in COMMANDS}
    argv = [KDBG, "attach", "core:" + core, "--build", BUILD, "--", "-batch"]
    for c in COMMANDS:
        argv += ["-ex", "echo @@@ %s\\n" % c, "-ex", c]
    r = subprocess.run(argv, capture_output=True, text=True, timeout=60)
    parts = r.stdout.split("@@@ ")[1:]
    offline = {p.split("\n", 1)[0]: p.split("\n", 1)[1] for p in parts}
    for c in COMMANDS:
        got = re.sub(r"^\$\d+ = ", "", offline.get(c, "<missing>"))
        want = re.sub(r"^\$\d+ = ", "", live[c])
        check(got == want, "core: '%s' prints as on the live VM" % c,
              "live:\n%s\ncore:\n%s\nstderr:\n%s" % (want, got, r.stderr[-800:]))
    os.rename(core, core + ".kept") if os.environ.get("KDBG_KEEP_CORE") else os.unlink(core)

    # ---- copy, mint, revoke -----------------------------------------------
    shell(["copy 255 101", "mint 255 102 rw 9"], "minted")
    cdt = run("kdbg cdt rinit 255")
    check(line_of(cdt, r"── channel rwgG .*\[rinit\[101\]\]") is not None
          and line_of(cdt, r"── channel rw-- 0x9 .*\[rinit\[102\]\]") is not None,
          "cdt shows the copy and the badged mint under slot 255", cdt)
    check(clean(run("kdbg check")), "kdbg check clean after copy and mint")
    shell(["revoke 255"], "revoked")
    cdt = run("kdbg cdt rinit 255")
    check("[rinit[101]]" not in cdt and "[rinit[102]]" not in cdt and "1 node" in cdt,
          "after revoke the cdt under 255 is the cap alone", cdt)
    check(int(rinit_slot(101)["cap"]["type"]) == 0, "slot 101 is empty in the kernel too")
    check(clean(run("kdbg check")), "kdbg check clean after revoke")
    for c in COMMANDS:
        check(no_traceback(run(c)), "no traceback from '%s'" % c)


guarded(test)
