"""kdbg json and the --json flags: docs/schema.md's vocabulary, checked
against the kernel state read through GDB (independently of kdbg), at
named checkpoints of rinit's shell, and the same document from a core
taken with `kdbg dump`."""
import json
import os
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from gdbtest import check, guarded, no_traceback, run, run_until_idle, shell, rinit_slot  # noqa: E402
import gdb  # noqa: E402

TREE = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BUILD = os.environ.get("KDBG_TEST_BUILD", os.path.join(TREE, "build"))
KDBG = os.path.join(TREE, "kdbg", "bin", "kdbg")
TOP_KEYS = ["schema", "arch", "kernel", "tasks", "pools", "caps", "channels", "notifications",
            "untyped", "log", "problems"]
TASK_KEYS = {"addr", "name", "state", "priority", "waits_on", "waits", "ip", "sp", "current",
             "cpool", "cpu_ticks", "ipc_sent", "fault"}
CAP_KEYS = {"holder", "holder_addr", "slot", "slot_addr", "type", "rights", "badge", "object",
            "parent"}
CHANNEL_KEYS = {"addr", "label", "depth", "count", "messages", "sent", "senders", "receivers"}
UNTYPED_KEYS = {"holder", "slot", "slot_addr", "base", "size", "watermark", "device"}


def doc_of(out):
    """The JSON line in a command's output (one object on one line)."""
    lines = [l for l in out.splitlines() if l.startswith("{")]
    if len(lines) != 1:
        raise ValueError("expected one JSON line, got %d:\n%s" % (len(lines), out[-2000:]))
    return json.loads(lines[0])


def kdbg_json(args=""):
    return doc_of(run("kdbg json " + args))


def task_ptr(addr):
    return gdb.parse_and_eval("(struct task *)%s" % addr)


def state_name(value):
    """The ABI name of a task state value, from the kernel's enum (DWARF)."""
    for f in gdb.lookup_type("enum cairn_task_state").fields():
        if f.enumval == value:
            return f.name
    return None


ABI_STATE = {"CAIRN_TASK_INACTIVE": "Inactive", "CAIRN_TASK_READY": "Ready",
             "CAIRN_TASK_RUNNING": "Running", "CAIRN_TASK_BLOCKED_SEND": "BlockedSend",
             "CAIRN_TASK_BLOCKED_RECV": "BlockedRecv", "CAIRN_TASK_BLOCKED_REPLY": "BlockedReply",
             "CAIRN_TASK_BLOCKED_NOTIFICATION": "BlockedNotification",
             "CAIRN_TASK_FAULTED": "Faulted"}


def by(items, key, value):
    return next((x for x in items if x[key] == value), None)


def hx(v):
    return "0x%x" % int(v)


def test_other_commands(doc, pool, c255, c102):
    """The --json of cdt, check, log, vspace, checkpoint, symbols, graph and
    the lists of snapshot, break and watch: the same vocabulary, the same
    values as the text commands and the kernel."""
    import re
    tmp = os.environ.get("KDBG_TEST_RUN_DIR", "/tmp")
    envelope = ["schema", "arch", "kernel"]
    tree = doc_of(run("kdbg cdt rinit 255 --json"))
    caps = {c["slot_addr"]: c for c in doc["caps"]}
    check(list(tree) == envelope + ["caps", "problems"] and c255 is not None and c102 is not None
          and tree["caps"] == [caps[c255["slot_addr"]], caps[c102["slot_addr"]]],
          "kdbg cdt rinit 255 --json: the tree's caps (the schema's), parent first", tree)
    whole = doc_of(run("kdbg cdt --json"))["caps"]
    seen = set()
    ordered = True
    for c in whole:
        ordered &= c["parent"] is None or c["parent"] in seen
        seen.add(c["slot_addr"])
    check(sorted(c["slot_addr"] for c in whole) == sorted(caps) and ordered,
          "kdbg cdt --json: every cap once, each after its CDT parent")

    text = run("kdbg check")
    m = re.search(r"(\d+) objects, (\d+) used slots, (\d+) violations", text)
    ck = doc_of(run("kdbg check --json"))
    check(m is not None and list(ck) == envelope + ["check", "problems"] and ck["check"] ==
          {"objects": int(m.group(1)), "used": int(m.group(2)), "violations": 0}
          and ck["problems"] == [], "kdbg check --json: the counts of kdbg check, no violations",
          (text, ck))

    lg = doc_of(run("kdbg log 3 --json"))
    check(list(lg) == envelope + ["log", "problems"] and lg["log"] == kdbg_json("--log 3")["log"]
          and lg["log"] == "\n".join(run("kdbg log 3").splitlines()) + "\n",
          "kdbg log 3 --json: the last 3 lines, as kdbg json --log 3 and kdbg log 3", lg)

    rinit = by(doc["tasks"], "name", "rinit")
    vs = doc_of(run("kdbg vspace rinit --json"))["vspace"]
    text = run("kdbg vspace rinit")
    rows = []
    for va, end, pa, size, pages, flags, memory in re.findall(
            r"^(0x[0-9a-f]+)-(0x[0-9a-f]+) (0x[0-9a-f]+) +(0x[0-9a-f]+) +(\d+)  (\S+) ?(\S*)$",
            text, re.M):
        rows.append({"va": hx(int(va, 16)), "pa": hx(int(pa, 16)), "size": int(size, 16),
                     "pages": int(pages), "flags": flags, "memory": memory or "normal"})
    root = hx(gdb.parse_and_eval("((struct task *)%s)->slots[1].cap.obj" % rinit["addr"]))
    check(rows and vs == {"task": "rinit", "task_addr": rinit["addr"], "root": root,
                          "kernel": False, "mappings": rows},
          "kdbg vspace rinit --json: the task, its root table, kdbg vspace's mappings",
          (vs, rows))

    cp = doc_of(run("kdbg checkpoint --json"))
    check(list(cp) == envelope + ["checkpoint", "problems"] and cp["checkpoint"] == "queued",
          "kdbg checkpoint --json: the last checkpoint's name", cp)

    sym = doc_of(run("kdbg symbols --json"))["symbols"]
    again = doc_of(run("kdbg symbols --json"))["symbols"]
    ok = len(sym) == 1 and sym[0]["file"].endswith(".elf") and os.path.isfile(sym[0]["file"])
    if ok:
        with open(sym[0]["file"], "rb") as f:
            entry = int.from_bytes(f.read(32)[24:32], "little")
        ok = sym[0]["entry"] == hx(entry) and again[0]["loaded"] is False and \
            again[0]["file"] == sym[0]["file"]
    check(ok, "kdbg symbols --json: the ELF, its entry point; loaded false the second time",
          (sym, again))

    g = doc_of(run("kdbg graph rinit -o %s/g.dot --json" % tmp))
    text = run("kdbg graph rinit -o %s/g2.dot" % tmp)
    m = re.search(r"(\d+) tasks?, (\d+) pools?, (\d+) caps?, (\d+) derivation", text)
    check(m is not None and g["graph"] == {"file": "%s/g.dot" % os.path.abspath(tmp),
                                           "tasks": int(m.group(1)), "pools": int(m.group(2)),
                                           "caps": int(m.group(3)),
                                           "derivations": int(m.group(4))}
          and os.path.isfile("%s/g.dot" % tmp),
          "kdbg graph --json: the file written and what it holds, as the text says", (g, text))

    snap = doc_of(run("kdbg snapshot save %s/js1.json --json" % tmp))["snapshot"]
    listed = doc_of(run("kdbg snapshot list %s --json" % tmp))["snapshots"]
    one = by(listed, "name", "js1")
    check(snap["path"] == "%s/js1.json" % os.path.abspath(tmp) and snap["checkpoint"] == "queued"
          and one is not None and one["tasks"] == len(doc["tasks"]) and
          one["caps"] == len(doc["caps"]) and one["checkpoint"] == "queued",
          "kdbg snapshot save/list --json: the file, its checkpoint and counts", (snap, listed))

    run("kdbg break mint --task rinit --slot 5")
    br = doc_of(run("kdbg break list --json"))["breaks"]
    run("kdbg break remove all")
    check(len(br) == 1 and {k: br[0][k] for k in ("op", "task", "slot", "type", "hits", "last")}
          == {"op": "mint", "task": "rinit", "slot": 5, "type": None, "hits": 0, "last": None}
          and br[0]["functions"] == ["sys_cap_mint"],
          "kdbg break list --json: the breakpoint with its filters and kernel function", br)
    run("kdbg watch cap rinit 255")
    wl = doc_of(run("kdbg watch list --json"))["watches"]
    run("kdbg watch delete all")
    check(len(wl) == 1 and wl[0]["kind"] == "cap" and wl[0]["addr"] == c255["slot_addr"],
          "kdbg watch list --json: the watch, its kind and slot address", wl)


def test():
    # ---- the booted system, every task waiting -------------------------------
    shell([], "boot")
    run_until_idle()
    out = run("kdbg json")
    check(no_traceback(out) and len([l for l in out.splitlines() if l.startswith("{")]) == 1,
          "kdbg json prints one line of JSON", out[-500:])
    doc = doc_of(out)
    arch = "aarch64" if "aarch64" in gdb.selected_inferior().architecture().name() else "x86_64"
    check(list(doc) == TOP_KEYS and doc["schema"] == 1 and doc["arch"] == arch,
          "top level: schema 1, arch %s, every key in schema order" % arch, list(doc))
    check(doc["problems"] == [] and doc["log"] is None, "no problems; log null unless --log",
          doc["problems"])
    kern = doc["kernel"]
    ticks = int(gdb.parse_and_eval("kernel_debug.ticks"))
    # Stopped at arch_run_idle, inside the kernel: seq may be odd here.
    check(kern["ticks"] == ticks and kern["seq"] == int(gdb.parse_and_eval("kernel_debug.seq"))
          and kern["current"] is None
          and kern["panicked"] is False and kern["panic"] is None
          and kern["switches"] == int(gdb.parse_and_eval("sched.switches")),
          "kernel: seq, ticks and switches as in the kernel, idle, not panicked", kern)

    tasks = doc["tasks"]
    check(all(set(t) == TASK_KEYS for t in tasks), "every task has exactly the schema's keys",
          tasks)
    states_ok = all(ABI_STATE.get(state_name(int(task_ptr(t["addr"])["state"]))) == t["state"]
                    for t in tasks)
    check(states_ok, "every task's state is the kernel's, by its ABI name", tasks)
    rinit, drv = by(tasks, "name", "rinit"), by(tasks, "name", "serial-driver")
    check(rinit is not None and rinit["state"] == "BlockedRecv"
          and rinit["waits_on"]["kind"] == "recv"
          and rinit["waits"] == "recv on channel %s" % rinit["waits_on"]["name"]
          and rinit["cpool"] == hx(rinit_slot(0)["cap"]["obj"]) and rinit["fault"] is None,
          "rinit is BlockedRecv (console input channel), its root CPool named", rinit)
    check(drv is not None and drv["state"] == "BlockedNotification"
          and drv["waits_on"]["kind"] == "notification"
          and drv["waits"] == "notification %s" % drv["waits_on"]["name"],
          "serial-driver is BlockedNotification on its IRQ notification", drv)
    check(rinit is not None and rinit["cpu_ticks"] == int(task_ptr(rinit["addr"])["run_ticks"])
          and rinit["ipc_sent"] == int(task_ptr(rinit["addr"])["ipc_sent"]),
          "cpu_ticks and ipc_sent are the kernel's run_ticks and ipc_sent", rinit)

    pool = rinit["cpool"] if rinit else None
    caps = doc["caps"]
    check(all(set(c) == CAP_KEYS for c in caps), "every cap has exactly the schema's keys")
    c255 = next((c for c in caps if c["holder_addr"] == pool and c["slot"] == 255), None)
    c0 = next((c for c in caps if c["holder_addr"] == pool and c["slot"] == 0), None)
    check(c255 is not None and c255["type"] == "channel" and c255["rights"] == "rwgG"
          and c255["object"] == hx(rinit_slot(255)["cap"]["obj"]) and c255["badge"] is None
          and c255["slot_addr"] == hx(rinit_slot(255).address),
          "rinit's slot 255 is a channel cap with its object and slot address", c255)
    check(c0 is not None and c0["type"] == "cpool" and c0["object"] == pool
          and c0["parent"] is None, "rinit's slot 0 is its root CPool (an original cap)", c0)
    p = by(doc["pools"], "addr", pool)
    used = sum(1 for c in caps if c["holder_addr"] == pool)
    check(p is not None and p["slots"] == 1 << int(gdb.parse_and_eval(
        "((struct cpool *)%s)->radix_bits" % pool)) and p["used"] == used,
          "rinit's pool: slots from its radix, used = its caps", p)

    uts = doc["untyped"]
    u2 = next((u for u in uts if u["slot_addr"] == hx(rinit_slot(2).address)), None)
    s2 = rinit_slot(2)["cap"]
    check(all(set(u) == UNTYPED_KEYS for u in uts) and u2 is not None
          and u2["base"] == hx(s2["obj"]) and u2["watermark"] == int(s2["data"])
          and u2["size"] == 1 << int(s2["bits"]) and u2["device"] is False,
          "untyped slot 2: base, size and watermark as in the kernel", u2)
    check([int(u["base"], 16) for u in uts] == sorted(int(u["base"], 16) for u in uts),
          "untyped regions sorted by base")

    chans = doc["channels"]
    shared = by(chans, "addr", c255["object"] if c255 else None)
    check(shared is not None and set(shared) == CHANNEL_KEYS and shared["label"] == "'shared'"
          and shared["depth"] == int(gdb.parse_and_eval("sizeof(((struct channel *)0)->ring) / "
                                                        "sizeof(((struct channel *)0)->ring[0])"))
          and shared["count"] == 0 and shared["messages"] == [],
          "channel 255 ('shared'): its depth, nothing queued", shared)
    check(any(n["waiters"] == ["serial-driver"] for n in doc["notifications"]),
          "a notification lists serial-driver as its waiter", doc["notifications"])

    # ---- the --json flags print the same objects ------------------------------
    check(doc_of(run("kdbg tasks --json"))["tasks"] == tasks, "kdbg tasks --json = kdbg json's tasks")
    cp = doc_of(run("kdbg cpool rinit --json"))
    check(cp["pools"] == [p] and cp["caps"] == [c for c in caps if c["holder_addr"] == pool],
          "kdbg cpool rinit --json = the pool and its caps")
    check(doc_of(run("kdbg untyped --json"))["untyped"] == uts, "kdbg untyped --json = untyped")
    check(doc_of(run("kdbg chan --json"))["channels"] == chans, "kdbg chan --json = channels")
    one = doc_of(run("kdbg chan $kdbg_cap(\"rinit\", 255).obj --json"))
    check(one["channels"] == [shared], "kdbg chan EXPR --json = that channel", one)
    part = kdbg_json("tasks channels")
    check(list(part) == ["schema", "arch", "kernel", "tasks", "channels", "problems"],
          "kdbg json tasks channels: just those sections", list(part))
    withlog = kdbg_json("--log 3")
    check(isinstance(withlog["log"], str) and len(withlog["log"].splitlines()) <= 3
          and "rinit>" in withlog["log"], "kdbg json --log 3: the log's last lines", withlog["log"])
    for bad, msg in (("kdbg json frobs", "unknown section 'frobs'"),
                     ("kdbg reference --json", "has no --json (it prints help texts"),
                     ("kdbg break mint --json", "has no --json there (setting or removing")):
        try:
            gdb.execute(bad, to_string=True)
            err = ""
        except gdb.error as e:
            err = str(e)
        check(msg in err and "usage: " in err, "'%s' is a usage error" % bad, err)

    # ---- a child blocked on 255, queued messages, a badged mint --------------------
    shell(["start child"], "started")
    run_until_idle()
    doc = kdbg_json()
    child_addr = hx(rinit_slot(249)["cap"]["obj"])
    child = by(doc["tasks"], "addr", child_addr)
    check(child is not None and child["state"] == "BlockedRecv"
          and child["waits_on"] == {"kind": "recv", "addr": c255["object"], "name": "'shared'"}
          and child["waits"] == "recv on channel 'shared'",
          "the child is BlockedRecv on channel 'shared'", child)
    shared = by(doc["channels"], "addr", c255["object"])
    ref = child["name"] or child_addr if child else None
    check(shared is not None and shared["receivers"] == [ref], "'shared' lists the child as receiver",
          shared)
    c249 = next((c for c in doc["caps"] if c["holder_addr"] == pool and c["slot"] == 249), None)
    check(c249 is not None and c249["type"] == "task" and c249["parent"] == hx(rinit_slot(2).address),
          "the child's task cap is derived from untyped slot 2 (CDT parent)", c249)

    u2 = next((u for u in doc["untyped"] if u["slot_addr"] == hx(rinit_slot(2).address)), None)
    wm = int(rinit_slot(2)["cap"]["data"])
    check(u2 is not None and u2["watermark"] == wm > 0,
          "untyped slot 2 after retyping the child: watermark %#x, as in the kernel" % wm, u2)

    sent0 = shared["sent"] if shared else 0
    shell(["suspend 249", "send raw 1", "send raw 2 3", "mint 255 102 rw 9"], "queued")
    doc = kdbg_json()
    shared = by(doc["channels"], "addr", c255["object"])
    check(shared is not None and shared["count"] == 2
          and [m["words"] for m in shared["messages"]] == [[1], [2, 3]]
          and [m["length"] for m in shared["messages"]] == [1, 2]
          and all(m["cap"] is None and m["caller"] is None for m in shared["messages"]),
          "two messages queued on 'shared', oldest first, with their words", shared)
    check(shared is not None and shared["sent"] == sent0 + 2
          and shared["sent"] == int(gdb.parse_and_eval("((struct channel *)%s)->sent"
                                                       % shared["addr"])),
          "the channel's sent count rose by two (the kernel's channel.sent)", shared)
    c102 = next((c for c in doc["caps"] if c["holder_addr"] == pool and c["slot"] == 102), None)
    check(c102 is not None and c102["type"] == "channel" and c102["rights"] == "rw--"
          and c102["badge"] == 9 and c102["parent"] == hx(rinit_slot(255).address),
          "mint: slot 102 is a badged rw-- channel cap, child of slot 255", c102)
    check(doc["problems"] == [], "no problems with queued messages", doc["problems"])
    test_other_commands(doc, pool, c255, c102)

    # ---- the same document from a core ---------------------------------------------
    live = run("kdbg json --log")
    core = os.path.join(os.environ.get("KDBG_TEST_RUN_DIR", "/tmp"), "json.core")
    r = subprocess.run([KDBG, "dump", core, "--qmp", os.environ["KDBG_TEST_QMP"],
                        "--build", BUILD], capture_output=True, text=True, timeout=60)
    check(r.returncode == 0, "kdbg dump wrote a core", r.stdout + r.stderr)
    r = subprocess.run([KDBG, "attach", "core:" + core, "--build", BUILD, "--", "-batch",
                        "-ex", "kdbg json --log"], capture_output=True, text=True, timeout=60)
    try:
        offline = doc_of(r.stdout)
    except ValueError as e:
        offline = {"error": str(e), "stderr": r.stderr[-800:]}
    check(offline == doc_of(live), "core: kdbg json equals the live VM's, object by object",
          json.dumps(offline)[:1500])
    os.unlink(core)
    check(no_traceback(live) and no_traceback(r.stdout + r.stderr), "no traceback")


guarded(test)
