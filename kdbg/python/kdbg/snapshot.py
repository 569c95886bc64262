"""kdbg snapshot, diff, watch: kernel state saved, compared, followed.

`kdbg snapshot save NAME` writes the `kdbg json` document (docs/schema.md)
to a file, with a "snapshot" object saying what it was taken from (arch,
kernel ELF and its SHA-256, last checkpoint, time). `kdbg diff A [B]`
compares two such documents (B: the live kernel by default) and says
what changed, grouped by kind; `kdbg watch` prints the same changes,
restricted to one cap, task or channel, at every stop.

The comparison (diff_docs) works on the documents alone, without GDB:
caps are matched by slot address, objects by address, untyped regions by
base and size. A cap that disappeared from one slot while a cap to the
same object, of the same type, appeared in another is a move.
"""
import datetime
import hashlib
import json
import os

import gdb

from . import consts
from .command import KdbgCommand, Usage, find_task, pointer_to, register, task_arg, \
    task_root_pool, value_of
from .mem import Corrupt, cstr, read, symbol_address

SECTIONS = ("tasks", "pools", "caps", "channels", "notifications", "untyped")
GROUPS = ("caps", "tasks", "channels", "notifications", "untyped", "problems")


# ---- snapshot files ------------------------------------------------------------

def snapshot_dir():
    return os.environ.get("KDBG_SNAPSHOT_DIR") or os.getcwd()


def snapshot_path(name):
    """NAME -> DIR/NAME.json; a NAME with a '/' or ending in .json is a path."""
    if not name:
        raise Usage("empty snapshot name")
    if "/" in name or name.endswith(".json"):
        return os.path.expanduser(name)
    return os.path.join(snapshot_dir(), name + ".json")


_elf_ids = {}


def elf_identity():
    """(path, sha256) of the kernel ELF GDB has loaded; (None, None) without one."""
    try:
        path = gdb.current_progspace().filename
    except gdb.error:
        path = None
    if not path:
        return None, None
    try:
        st = os.stat(path)
    except OSError:
        return path, None
    key = (path, st.st_size, st.st_mtime_ns)
    if key not in _elf_ids:
        h = hashlib.sha256()
        try:
            with open(path, "rb") as f:
                for chunk in iter(lambda: f.read(1 << 20), b""):
                    h.update(chunk)
        except OSError:
            return path, None
        _elf_ids[key] = h.hexdigest()
    return path, _elf_ids[key]


def checkpoint_name():
    try:
        sym = gdb.lookup_global_symbol("kdbg_checkpoint_name")
        if sym is None:
            return None
        return cstr(read(symbol_address("kdbg_checkpoint_name"), sym.type.sizeof,
                         "checkpoint name")) or None
    except (Corrupt, gdb.error):
        return None


def need_kernel():
    """mem.require_kernel() where kdbg has it: a live VM or core to read."""
    from . import mem
    f = getattr(mem, "require_kernel", None)
    if f is not None:
        f()


def live_document(world, sections=SECTIONS, log=False):
    """The live kernel's `kdbg json` document (private _slot keys dropped)."""
    from .schema import LOG_MAX, Snapshot, _clean, printable
    text = None
    if log:
        from .log import log_bytes
        try:
            text = printable(log_bytes(world)[0].decode("latin-1")[-LOG_MAX:])
        except Corrupt:
            text = None
    return _clean(Snapshot(world).document(sections, log=text))


def live_meta(name="now"):
    path, sha = elf_identity()
    return {"name": name, "elf": path, "elf_sha256": sha, "checkpoint": checkpoint_name(),
            "saved": None}


def load_snapshot(name):
    """(path, document) of a saved snapshot, or Usage saying what is wrong."""
    path = snapshot_path(name)
    if not os.path.exists(path):
        raise Usage("no such snapshot: %s" % path)
    try:
        with open(path) as f:
            doc = json.load(f)
    except OSError as e:
        raise Usage("cannot read snapshot %s: %s" % (path, e.strerror or e))
    except (ValueError, UnicodeDecodeError) as e:
        raise Usage("snapshot %s is not valid JSON: %s" % (path, e))
    problem = document_problem(doc)
    if problem:
        raise Usage("%s is not a kdbg snapshot: %s" % (path, problem))
    return path, doc


def document_problem(doc):
    """Why doc is not a full schema-1 document, or None."""
    if not isinstance(doc, dict):
        return "not a JSON object"
    if doc.get("schema") != 1:
        return "schema %r (kdbg reads schema 1)" % (doc.get("schema"),)
    if doc.get("arch") not in ("x86_64", "aarch64"):
        return "arch %r" % (doc.get("arch"),)
    for s in SECTIONS:
        if not isinstance(doc.get(s), list):
            return "no '%s' list (a partial `kdbg json`?)" % s
    for s, keys in KEYS.items():
        for x in doc[s]:
            if not isinstance(x, dict):
                return "an item of '%s' is not an object" % s
            missing = [k for k in keys if k not in x]
            if missing:
                return "an item of '%s' has no '%s'" % (s, missing[0])
    return None


# The keys diff_docs reads, per section (docs/schema.md).
KEYS = {
    "tasks": ("addr", "name", "state", "priority", "waits"),
    "pools": ("addr", "label"),
    "caps": ("holder", "holder_addr", "slot", "slot_addr", "type", "rights", "badge", "object",
             "parent"),
    "channels": ("addr", "label", "depth", "count", "messages", "senders", "receivers"),
    "notifications": ("addr", "label", "word", "waiters"),
    "untyped": ("holder", "slot", "slot_addr", "base", "size", "watermark"),
}


def meta_of(doc, name):
    m = doc.get("snapshot") if isinstance(doc.get("snapshot"), dict) else {}
    out = {"name": name, "elf": m.get("elf"), "elf_sha256": m.get("elf_sha256"),
           "checkpoint": m.get("checkpoint"), "saved": m.get("saved")}
    return out


def check_same_kernel(a, an, b, bn):
    """Refuse (Usage) to compare documents of different arches or ELFs."""
    if a["arch"] != b["arch"]:
        raise Usage("%s is of %s, %s of %s: refusing to compare"
                    % (an, a["arch"], bn, b["arch"]))
    ma, mb = meta_of(a, an), meta_of(b, bn)
    if ma["elf_sha256"] and mb["elf_sha256"] and ma["elf_sha256"] != mb["elf_sha256"]:
        raise Usage("%s was taken with another kernel ELF than %s (%s sha256 %s..., %s sha256 "
                    "%s...): refusing to compare" % (an, bn, ma["elf"], ma["elf_sha256"][:12],
                                                    mb["elf"], mb["elf_sha256"][:12]))


# ---- the comparison ---------------------------------------------------------------

def _size(n):
    if n is None:
        return "?"
    for unit, shift in (("GiB", 30), ("MiB", 20), ("KiB", 10)):
        if n >= 1 << shift and n % (1 << shift) == 0:
            return "%d %s" % (n >> shift, unit)
    return "%d bytes" % n


class _Names:
    """Labels for slots and objects in one or two documents."""

    def __init__(self, *docs):
        self.objs = {}
        self.slots = {}
        try:
            from .types import K
            self.task_slot_names = K().task_slot_names
        except Exception:  # noqa: BLE001 - no DWARF: indexes
            self.task_slot_names = []
        for d in docs:
            for t in d["tasks"]:
                self.objs[t["addr"]] = "'%s'" % t["name"] if t["name"] else t["addr"]
            for s in ("channels", "notifications"):
                for o in d[s]:
                    self.objs[o["addr"]] = o["label"]
            for p in d["pools"]:
                self.objs[p["addr"]] = p["label"]
            for u in d["untyped"]:
                self.objs[u["base"]] = "%s at %s" % (_size(u.get("size")), u["base"])
            for c in d["caps"]:
                self.slots[c["slot_addr"]] = self.slot(c)

    def slot(self, c):
        h = c.get("holder", "?")
        if h.startswith("task '"):
            name = h[6:-1] or c.get("holder_addr", "?")
            i = c.get("slot", 0)
            what = self.task_slot_names[i] if i < len(self.task_slot_names) else str(i)
            return "task %s.%s" % (name, what)
        return "%s[%s]" % (h, c.get("slot"))

    def slot_at(self, a):
        return self.slots.get(a, "slot %s" % a) if a else "-"

    def cap(self, c):
        parts = [c["type"], c.get("rights", "????")]
        if c.get("badge") is not None:
            parts.append("badge %#x" % c["badge"])
        parts.append(self.objs.get(c["object"], c["object"]))
        return " ".join(parts)


def _same_obj(a, b):
    return a["type"] == b["type"] and a["object"] == b["object"]


def _cap_entry(change, c, n, **extra):
    e = {"change": change, "slot": n.slot(c), "slot_addr": c["slot_addr"], "cap": c}
    e.update(extra)
    return e


def diff_caps(a, b, n):
    ca = {c["slot_addr"]: c for c in a["caps"]}
    cb = {c["slot_addr"]: c for c in b["caps"]}
    gone, new, kept = {}, {}, []
    for s, c in ca.items():
        d = cb.get(s)
        if d is None:
            gone[s] = c
        elif not _same_obj(c, d):
            gone[s] = c        # replaced: the old cap went, a new one came
            new[s] = d
        else:
            kept.append((c, d))
    for s, d in cb.items():
        if s not in ca:
            new[s] = d
    # moves: the same object and type in a new slot, the old slot emptied
    moved = {}   # old slot -> new slot
    for s, d in sorted(new.items(), key=lambda x: (x[1]["holder"], x[1]["slot"])):
        cands = [c for o, c in gone.items() if o not in moved and o not in cb and _same_obj(c, d)]
        if not cands:
            continue
        cands.sort(key=lambda c: (c["rights"] != d["rights"], c.get("badge") != d.get("badge"),
                                  c.get("parent") != d.get("parent")))
        moved[cands[0]["slot_addr"]] = s
    mapped = lambda p: moved.get(p, p)  # noqa: E731 - a parent that moved is the same parent
    out = []
    for old, s in moved.items():
        c, d = gone.pop(old), new.pop(s)
        out.append(_cap_entry("moved", d, n, from_slot=n.slot(c), from_slot_addr=old,
                              before=c))
    for s, d in new.items():
        p = d.get("parent")
        pc = cb.get(p) if p else None
        if not p:
            out.append(_cap_entry("created", d, n))
            continue
        if pc is not None and pc["type"] == "untyped" and d["type"] != "untyped":
            how = "derived"
        elif pc is not None and pc["object"] == d["object"] and \
                d.get("badge") != pc.get("badge"):
            how = "minted"
        elif pc is not None and pc["object"] == d["object"]:
            how = "copied"
        else:
            how = "derived"
        out.append(_cap_entry(how, d, n, parent=n.slot_at(p), parent_addr=p,
                              parent_type=pc["type"] if pc else None))
    # deletions; a surviving cap that lost all its (2 or more) descendants was revoked
    children = {}
    for c in ca.values():
        if c.get("parent"):
            children.setdefault(c["parent"], []).append(c["slot_addr"])

    def descendants(s):
        seen, todo = [], list(children.get(s, ()))
        while todo:
            x = todo.pop()
            if x in seen:
                continue
            seen.append(x)
            todo.extend(children.get(x, ()))
        return seen

    revoked = set()
    for s in sorted(ca, key=lambda x: (ca[x]["holder"], ca[x]["slot"])):
        if s in gone or s not in cb:
            continue
        ds = descendants(s)
        if len(ds) >= 2 and all(x in gone for x in ds):
            revoked.update(ds)
            caps = sorted((ca[x] for x in ds), key=lambda c: (c["holder"], c["slot"]))
            out.append(_cap_entry("revoked", cb[s], n, gone=[n.slot(c) for c in caps],
                                  gone_caps=caps))
    for s, c in gone.items():
        if s in revoked:
            continue
        out.append(_cap_entry("deleted", c, n, parent=n.slot_at(c.get("parent")),
                              replaced=s in cb))
    for c, d in kept:
        changes = {}
        if c["rights"] != d["rights"]:
            changes["rights"] = [c["rights"], d["rights"]]
        if c.get("badge") != d.get("badge"):
            changes["badge"] = [c.get("badge"), d.get("badge")]
        if mapped(c.get("parent")) != d.get("parent"):
            changes["parent"] = [n.slot_at(c.get("parent")), n.slot_at(d.get("parent"))]
        if changes:
            out.append(_cap_entry("changed", d, n, changes=changes, before=c))
    order = {"derived": 0, "copied": 1, "minted": 2, "created": 3, "moved": 4, "changed": 5,
             "revoked": 6, "deleted": 7}
    out.sort(key=lambda e: (order[e["change"]], e["cap"]["holder"], e["cap"]["slot"]))
    return out


TASK_FIELDS = ("state", "waits", "priority", "name", "fault")


def diff_tasks(a, b, n):
    ta = {t["addr"]: t for t in a["tasks"]}
    tb = {t["addr"]: t for t in b["tasks"]}
    out = []
    for x, t in tb.items():
        if x not in ta:
            out.append({"change": "created", "addr": x, "task": n.objs.get(x, x), "after": t})
    for x, t in ta.items():
        if x not in tb:
            out.append({"change": "destroyed", "addr": x, "task": n.objs.get(x, x), "before": t})
    for x, t in tb.items():
        s = ta.get(x)
        if s is None:
            continue
        changes = {f: [s.get(f), t.get(f)] for f in TASK_FIELDS if s.get(f) != t.get(f)}
        if changes:
            out.append({"change": "changed", "addr": x, "task": n.objs.get(x, x),
                        "changes": changes, "before": s, "after": t})
    return out


def diff_channels(a, b, n):
    ca = {c["addr"]: c for c in a["channels"]}
    cb = {c["addr"]: c for c in b["channels"]}
    out = []
    for x, c in cb.items():
        if x not in ca:
            out.append({"change": "created", "addr": x, "label": c["label"], "after": c})
    for x, c in ca.items():
        if x not in cb:
            out.append({"change": "destroyed", "addr": x, "label": c["label"], "before": c})
    for x, d in cb.items():
        c = ca.get(x)
        if c is None:
            continue
        sent = d.get("sent", 0) - c.get("sent", 0)
        if sent < 0:  # a counter that went back: trust only the queues
            sent = max(0, d["count"] - c["count"])
        received = max(0, c["count"] + sent - d["count"])
        kept = c["count"] - min(received, c["count"])
        e = {"change": "changed", "addr": x, "label": d["label"], "sent": sent,
             "received": received, "count": [c["count"], d["count"]], "depth": d["depth"],
             "dequeued": c["messages"][:c["count"] - kept], "queued": d["messages"][kept:]}
        for q in ("senders", "receivers"):
            e[q] = {"added": [t for t in d[q] if t not in c[q]],
                    "removed": [t for t in c[q] if t not in d[q]]}
        if sent or received or c["count"] != d["count"] or c["messages"] != d["messages"] or \
                any(e[q]["added"] or e[q]["removed"] for q in ("senders", "receivers")):
            out.append(e)
    return out


def diff_notifications(a, b, n):
    na = {c["addr"]: c for c in a["notifications"]}
    nb = {c["addr"]: c for c in b["notifications"]}
    out = []
    for x, c in nb.items():
        if x not in na:
            out.append({"change": "created", "addr": x, "label": c["label"], "after": c})
    for x, c in na.items():
        if x not in nb:
            out.append({"change": "destroyed", "addr": x, "label": c["label"], "before": c})
    for x, d in nb.items():
        c = na.get(x)
        if c is None:
            continue
        w = {"added": [t for t in d["waiters"] if t not in c["waiters"]],
             "removed": [t for t in c["waiters"] if t not in d["waiters"]]}
        if c["word"] != d["word"] or w["added"] or w["removed"]:
            out.append({"change": "changed", "addr": x, "label": d["label"],
                        "word": [c["word"], d["word"]], "waiters": w})
    return out


def diff_untyped(a, b, n):
    ua = {(u["base"], u["size"]): u for u in a["untyped"]}
    out = []
    for u in b["untyped"]:
        v = ua.get((u["base"], u["size"]))
        if v is not None and v["watermark"] != u["watermark"]:
            out.append({"change": "watermark", "base": u["base"], "size": u["size"],
                        "slot": n.slots.get(u["slot_addr"], "%s[%s]" % (u["holder"], u["slot"])),
                        "slot_addr": u["slot_addr"], "before": v["watermark"],
                        "after": u["watermark"], "delta": u["watermark"] - v["watermark"]})
    return out


def diff_docs(a, b):
    """What changed from document a to document b, as data (one list per group)."""
    n = _Names(a, b)
    pa, pb = a.get("problems") or [], b.get("problems") or []
    return {
        "caps": diff_caps(a, b, n),
        "tasks": diff_tasks(a, b, n),
        "channels": diff_channels(a, b, n),
        "notifications": diff_notifications(a, b, n),
        "untyped": diff_untyped(a, b, n),
        "problems": [{"change": "new", "problem": p} for p in pb if p not in pa] +
                    [{"change": "gone", "problem": p} for p in pa if p not in pb],
    }, n


def count(d):
    return sum(len(d[g]) for g in GROUPS)


# ---- as text ---------------------------------------------------------------------

def _waits(t):
    return "%s (%s)" % (t["state"], t["waits"]) if t.get("waits") else t["state"]


def _msg(m):
    words = m.get("words") or []
    s = "badge %#x, %d words %s" % (m.get("badge") or 0, m.get("length", len(words)),
                                    "[" + " ".join("%#x" % w for w in words) + "]")
    if m.get("cap"):
        s += ", cap %s" % m["cap"]
    if m.get("caller"):
        s += ", call from %s" % m["caller"]
    return s


def cap_lines(e, n):
    c = e["cap"]
    ch = e["change"]
    if ch == "moved":
        return ["moved     %s -> %s  %s" % (e["from_slot"], e["slot"], n.cap(c))]
    if ch == "derived":
        return ["derived   %s  %s  from %s%s" % (e["slot"], n.cap(c), e["parent_type"] + " "
                                                   if e["parent_type"] else "", e["parent"])]
    if ch in ("copied", "minted"):
        return ["%-9s %s  %s  from %s" % (ch, e["slot"], n.cap(c), e["parent"])]
    if ch == "created":
        return ["created   %s  %s  (original)" % (e["slot"], n.cap(c))]
    if ch == "deleted":
        return ["deleted   %s  %s%s" % (e["slot"], n.cap(c),
                                        "  (replaced)" if e.get("replaced") else "")]
    if ch == "revoked":
        return ["revoked   %s  %s: %d descendants gone (%s)"
                % (e["slot"], n.cap(c), len(e["gone"]), ", ".join(e["gone"]))]
    parts = []
    for f, (x, y) in e["changes"].items():
        if f == "badge":
            x = "none" if x is None else "%#x" % x
            y = "none" if y is None else "%#x" % y
        parts.append("%s %s -> %s" % (f, x, y))
    return ["changed   %s  %s: %s" % (e["slot"], n.cap(c), ", ".join(parts))]


def task_lines(e, n):
    if e["change"] == "created":
        t = e["after"]
        return ["created   task %s at %s: %s, prio %d" % (e["task"], e["addr"], _waits(t),
                                                         t["priority"])]
    if e["change"] == "destroyed":
        return ["destroyed task %s at %s (was %s)" % (e["task"], e["addr"],
                                                      _waits(e["before"]))]
    ch, s, t = e["changes"], e["before"], e["after"]
    parts = []
    if "state" in ch or "waits" in ch:
        parts.append("%s -> %s" % (_waits(s), _waits(t)))
    if "priority" in ch:
        parts.append("priority %d -> %d" % tuple(ch["priority"]))
    if "name" in ch:
        parts.append("renamed '%s' -> '%s'" % tuple(ch["name"]))
    if "fault" in ch and t.get("fault"):
        f = t["fault"]
        parts.append("faulted: %s at %s (ip %s)" % (f["kind"], f["addr"], f["ip"]))
    return ["task %s: %s" % (e["task"], "; ".join(parts))]


def _queue_text(q):
    return " ".join(["+" + t for t in q["added"]] + ["-" + t for t in q["removed"]])


def channel_lines(e, n):
    if e["change"] == "created":
        return ["created   channel %s (depth %d)" % (e["label"], e["after"]["depth"])]
    if e["change"] == "destroyed":
        b = e["before"]
        return ["destroyed channel %s%s" % (e["label"], " (%d messages were queued)" % b["count"]
                                            if b["count"] else "")]
    out = ["channel %s: %d sent, %d received; queued %d -> %d of %d"
           % (e["label"], e["sent"], e["received"], e["count"][0], e["count"][1], e["depth"])]
    for m in e["queued"]:
        out.append("    + %s" % _msg(m))
    for m in e["dequeued"]:
        out.append("    - %s" % _msg(m))
    for q in ("senders", "receivers"):
        if e[q]["added"] or e[q]["removed"]:
            out.append("    blocked %s: %s" % (q, _queue_text(e[q])))
    return out


def notification_lines(e, n):
    if e["change"] in ("created", "destroyed"):
        return ["%-9s notification %s" % (e["change"], e["label"])]
    out = "notification %s:" % e["label"]
    if e["word"][0] != e["word"][1]:
        out += " word %s -> %s" % tuple(e["word"])
    if e["waiters"]["added"] or e["waiters"]["removed"]:
        out += " waiters %s" % _queue_text(e["waiters"])
    return [out]


def untyped_lines(e, n):
    return ["%s (%s at %s): watermark %#x -> %#x (%+d bytes)"
            % (e["slot"], _size(e["size"]), e["base"], e["before"], e["after"], e["delta"])]


def problem_lines(e, n):
    return ["%s %s" % ("+" if e["change"] == "new" else "-", e["problem"])]


RENDER = {"caps": cap_lines, "tasks": task_lines, "channels": channel_lines,
          "notifications": notification_lines, "untyped": untyped_lines,
          "problems": problem_lines}


def render(d, n):
    """[(group, [lines of one change])] in GROUPS order."""
    out = []
    for g in GROUPS:
        for e in d[g]:
            out.append((g, RENDER[g](e, n)))
    return out


def describe_end(m, doc):
    bits = []
    if m.get("checkpoint"):
        bits.append("checkpoint '%s'" % m["checkpoint"])
    k = doc.get("kernel") or {}
    if "ticks" in k:
        bits.append("tick %s" % k["ticks"])
    if m.get("saved"):
        bits.append("saved %s" % m["saved"])
    return "%s (%s)" % (m["name"], ", ".join(bits)) if bits else m["name"]


def _json_clean(d):
    """The diff as data: drop whole-object copies that repeat the snapshots."""
    out = {}
    for g in GROUPS:
        out[g] = []
        for e in d[g]:
            e = dict(e)
            if g == "caps":
                e.pop("gone_caps", None)
            out[g].append(e)
    return out


# ---- commands -------------------------------------------------------------------

@register
class SnapshotCmd(KdbgCommand):
    """Save the whole kernel state to a file, or list the saved snapshots.

A snapshot is the `kdbg json` document (docs/schema.md, with the log
tail) plus a "snapshot" object (kernel ELF and its SHA-256, arch, last
checkpoint, time). `kdbg diff` compares snapshots with each other or
with the live kernel."""
    name = "snapshot"
    requires = None  # list reads files only; save asks for the kernel itself

    @staticmethod
    def arguments(p):
        s = p.subcommands(missing="save or list?")
        save = p.sub(s, "save", help="write the snapshot to NAME.json in $KDBG_SNAPSHOT_DIR "
                                     "or the current directory")
        save.arg("name", metavar="NAME", missing="save takes one NAME",
                 help="a name, or a path (with a '/' or ending in .json)")
        save.json("{\"snapshot\": the \"snapshot\" object and its \"path\"}")
        ls = p.sub(s, "list", help="the snapshots in $KDBG_SNAPSHOT_DIR or the current "
                                   "directory, or DIR")
        ls.arg("dir", nargs="?", metavar="DIR", complete="file", help="another directory")
        ls.json("{\"snapshots\": [{\"name\", \"path\", \"arch\", \"saved\", "
                "\"checkpoint\", \"tasks\", \"caps\"}]}")

    def run(self, world, args):
        if args.sub == "save":
            self.save(world, args.name)
        else:
            self.list(args.dir or snapshot_dir())

    def save(self, world, name):
        path = snapshot_path(name)
        need_kernel()
        doc = live_document(world, log=True)
        meta = live_meta(os.path.basename(path)[:-5] if path.endswith(".json") else name)
        meta["saved"] = datetime.datetime.now().astimezone().isoformat(timespec="seconds")
        doc["snapshot"] = meta
        d = os.path.dirname(os.path.abspath(path))
        if not os.path.isdir(d):
            raise Usage("no directory %s" % d)
        tmp = path + ".tmp"
        try:
            with open(tmp, "w") as f:
                json.dump(doc, f, indent=1)
                f.write("\n")
            os.replace(tmp, path)
        except OSError as e:
            raise Usage("cannot write %s: %s" % (path, e.strerror or e))
        if self.json:
            self.out(json.dumps({"snapshot": dict(meta, path=os.path.abspath(path), arch=doc["arch"],
                                                  tasks=len(doc["tasks"]), caps=len(doc["caps"]))},
                                separators=(",", ":")))
            return
        self.out("kdbg snapshot: saved %s (%d tasks, %d caps, %d channels%s)"
                 % (path, len(doc["tasks"]), len(doc["caps"]), len(doc["channels"]),
                    ", checkpoint '%s'" % meta["checkpoint"] if meta["checkpoint"] else ""))

    def list(self, d):
        try:
            names = sorted(f for f in os.listdir(d) if f.endswith(".json"))
        except OSError as e:
            raise Usage("cannot list %s: %s" % (d, e.strerror or e))
        shown = []
        for f in names:
            path = os.path.join(d, f)
            try:
                with open(path) as fh:
                    doc = json.load(fh)
            except (OSError, ValueError, UnicodeDecodeError):
                continue
            if document_problem(doc):
                continue
            m = meta_of(doc, f[:-5])
            shown.append({"name": f[:-5], "path": os.path.abspath(path), "arch": doc["arch"],
                          "saved": m["saved"], "checkpoint": m["checkpoint"],
                          "tasks": len(doc["tasks"]), "caps": len(doc["caps"])})
            if self.json:
                continue
            self.out("  %-16s %-8s %-25s %-20s %3d tasks %4d caps" % (
                f[:-5], doc["arch"], m["saved"] or "-",
                "checkpoint '%s'" % m["checkpoint"] if m["checkpoint"] else "-",
                len(doc["tasks"]), len(doc["caps"])))
        if self.json:
            self.out(json.dumps({"snapshots": shown}, separators=(",", ":")))
            return
        self.out("%d snapshot%s in %s" % (len(shown), "" if len(shown) == 1 else "s", d))


@register
class Diff(KdbgCommand):
    """Show what changed in the kernel from snapshot A to snapshot B (default: now).

Changes are grouped:
caps derived (retyped from an untyped), copied, minted (badge), moved
(same object and type in a new slot, the old one empty), changed
(rights, badge, CDT parent), revoked (every descendant of a cap gone),
deleted; tasks created, destroyed and changed (state and what they wait
on, priority, name); channels' messages sent, received, still queued,
and blocked senders and receivers; notifications; untyped watermarks;
new and resolved problems. Caps are matched by slot address, objects by
address. Snapshots of another arch or kernel ELF are refused."""
    name = "diff"
    requires = None  # two files need no target; A against now asks for it

    @staticmethod
    def arguments(p):
        p.arg("a", metavar="A", complete="snapshot", missing="takes one or two snapshots",
              help="a snapshot saved by `kdbg snapshot save` (or any full `kdbg json` / "
                   "`kdbg-top --json` document in a file)")
        p.arg("b", nargs="?", metavar="B", complete="snapshot",
              help="another snapshot; default: the live kernel")
        p.json("the changes as one line of data")

    def run(self, world, args):
        args = [args.a] + ([args.b] if args.b is not None else [])
        pa, a = load_snapshot(args[0])
        ma = meta_of(a, args[0])
        if len(args) == 2:
            pb, b = load_snapshot(args[1])
            mb = meta_of(b, args[1])
            check_same_kernel(a, args[0], b, args[1])
        else:
            if a["arch"] != consts.arch_name():
                raise Usage("%s is a snapshot of %s, this kernel is %s: refusing to compare"
                            % (args[0], a["arch"], consts.arch_name()))
            need_kernel()
            mb = live_meta("now")
            if ma["elf_sha256"] and mb["elf_sha256"] and ma["elf_sha256"] != mb["elf_sha256"]:
                raise Usage("%s was taken with another kernel ELF (%s, sha256 %s...), not %s "
                            "(sha256 %s...): refusing to compare"
                            % (args[0], ma["elf"], ma["elf_sha256"][:12], mb["elf"],
                               mb["elf_sha256"][:12]))
            b = live_document(world)
        d, n = diff_docs(a, b)
        if self.json:
            out = {"from": dict(ma, ticks=(a.get("kernel") or {}).get("ticks")),
                   "to": dict(mb, ticks=(b.get("kernel") or {}).get("ticks"))}
            out.update(_json_clean(d))
            self.out(json.dumps(out, separators=(",", ":")))
            return
        self.out("diff %s -> %s" % (describe_end(ma, a), describe_end(mb, b)))
        group = None
        for g, lines in render(d, n):
            if g != group:
                self.out("%s:" % g)
                group = g
            for line in lines:
                self.out("  " + line)
        c = count(d)
        self.out("%s change%s" % (c or "no", "" if c == 1 else "s"))


def _a(word):
    return ("an " if word[:1] in "aeiou" else "a ") + word


def _is_int(s):
    try:
        int(s, 0)
        return True
    except ValueError:
        return False


# ---- watch --------------------------------------------------------------------------

class Watch:
    """One watched cap slot, task or channel and its state at the last stop."""

    def __init__(self, number, kind, key, label):
        self.number = number
        self.kind = kind      # "cap", "task", "chan"
        self.key = key        # "0x..." slot address or object address
        self.label = label
        self.doc = None

    def sections(self):
        if self.kind == "chan":
            return ("tasks", "pools", "caps", "channels")
        if self.kind == "task":
            return ("tasks", "pools", "caps", "channels", "notifications")
        return SECTIONS

    def document(self, world):
        doc = live_document(world, self.sections())
        for s in SECTIONS:
            doc.setdefault(s, [])
        return doc

    def relevant(self, d):
        """d restricted to this watch."""
        k = self.key
        out = {g: [] for g in GROUPS}
        if self.kind == "cap":
            keys = {k} | {e["slot_addr"] for e in d["caps"]
                          if e["change"] == "moved" and e["from_slot_addr"] == k}
            for e in d["caps"]:
                c = e["cap"]
                if e["slot_addr"] in keys or e.get("from_slot_addr") in keys or \
                        (e["change"] in ("derived", "copied", "minted") and
                         e.get("parent_addr") in keys) or \
                        (e["change"] == "deleted" and c.get("parent") in keys):
                    out["caps"].append(e)
            out["untyped"] = [e for e in d["untyped"] if e["slot_addr"] in keys]
        elif self.kind == "task":
            out["tasks"] = [e for e in d["tasks"] if e["addr"] == k]
            out["caps"] = [e for e in d["caps"] if e["cap"].get("holder_addr") == k]
        else:
            out["channels"] = [e for e in d["channels"] if e["addr"] == k]
            out["caps"] = [e for e in d["caps"] if e["cap"].get("holder_addr") == k]
        return out

    def step(self, world):
        """Lines for what changed since the last stop; updates the state."""
        doc = self.document(world)
        prev, self.doc = self.doc, doc
        if prev is None:
            return []
        d, n = diff_docs(prev, doc)
        d = self.relevant(d)
        lines = []
        for _, ls in render(d, n):
            lines.extend(ls)
        if self.kind == "cap":
            for e in d["caps"]:
                if e["change"] == "moved" and e["from_slot_addr"] == self.key:
                    self.key = e["slot_addr"]
                    self.label = "cap %s" % e["slot"]
                    lines.append("now watching %s" % e["slot"])
        else:
            gone = [e for e in d["tasks" if self.kind == "task" else "channels"]
                    if e["change"] == "destroyed"]
            if gone:
                lines.append("watch ends: the %s is gone" % self.kind.replace("chan", "channel"))
                self.ended = True
        return lines

    ended = False


_watches = []
_next = [1]
_connected = [False]


def _on_stop(event):
    if not _watches:
        return
    try:
        from .model import World
        world = World()
    except Exception as e:  # noqa: BLE001 - never a traceback at a stop
        gdb.write("kdbg watch: %s\n" % e)
        return
    for w in list(_watches):
        try:
            lines = w.step(world)
        except Corrupt as e:
            lines = ["<corrupt: %s>" % e]
            w.doc = None
        except Exception as e:  # noqa: BLE001 - e.g. no kernel to read at this stop
            lines = ["cannot read the kernel at this stop (%s); watching from the next one" % e]
            w.doc = None
        for line in lines:
            gdb.write("kdbg watch %d: %s\n" % (w.number, line))
        if w.ended:
            _watches.remove(w)


@register
class WatchCmd(KdbgCommand):
    """At every stop, print what changed in a cap, task or channel since the last stop.

Changes are printed as by `kdbg diff`, each line prefixed with "kdbg
watch N:"; checkpoints (rinit's `checkpoint NAME`) are stops too when a
breakpoint is set on kdbg_checkpoint. Without a subcommand: list."""
    name = "watch"
    no_json = "a watch prints changes at stops; `kdbg watch list --json` lists the watches, " \
              "`kdbg diff --json` has changes as data"

    @staticmethod
    def arguments(p):
        s = p.subcommands(required=False)
        cap = p.sub(s, "cap", help="the slot SLOT of TASK's root CPool: the cap in it, caps "
                                   "derived from it, its watermark if untyped (a moved cap is "
                                   "followed to its new slot)")
        cap.arg("target", nargs="+", rest=True, metavar="TASK SLOT", complete=("task", "slot"),
                missing="cap takes TASK SLOT",
                help="a task's debug name and a slot of its root CPool")
        task = p.sub(s, "task", help="the task's state, what it waits on, priority, name and "
                                     "its internal slots")
        task.arg("target", nargs="+", rest=True, metavar="TASK", complete=("task",),
                 missing="task takes one TASK",
                 help="a task's debug name or a struct task * expression")
        chan = p.sub(s, "chan", help="the channel in TASK's slot SLOT, or at EXPR (a struct "
                                     "channel * or an address): messages sent, received and "
                                     "queued, blocked senders and receivers")
        chan.arg("target", nargs="+", rest=True, metavar="TASK SLOT|EXPR",
                 complete=("task", "slot"), missing="chan takes TASK SLOT or EXPR")
        ls = p.sub(s, "list", help="the watches (the default)")
        ls.json("{\"watches\": [{\"number\", \"kind\" (cap, task, chan), \"addr\" (the "
                "slot or object), \"label\"}]}")
        rm = p.sub(s, "delete", help="delete watch N, or all")
        rm.arg("which", metavar="N|all", missing="delete takes N or all")

    def run(self, world, args):
        if args.sub in (None, "list"):
            if getattr(args, "json", False):
                self.out(json.dumps({"watches": [{"number": w.number, "kind": w.kind,
                                                  "addr": w.key, "label": w.label}
                                                 for w in _watches]}, separators=(",", ":")))
                return
            for w in _watches:
                self.out("%d: %s (%s)" % (w.number, w.label, w.key))
            if not _watches:
                self.out("no watches")
            return
        sub = args.sub
        if sub == "delete":
            rest = [args.which]
        else:
            rest = args.target
            expr = rest.text  # an expression as typed, quotes and all
        if sub == "delete":
            if rest[0] == "all":
                n = len(_watches)
                del _watches[:]
                self.out("deleted %d watch%s" % (n, "" if n == 1 else "es"))
                return
            try:
                num = int(rest[0])
            except ValueError:
                raise Usage("'%s' is not a watch number" % rest[0])
            for w in _watches:
                if w.number == num:
                    _watches.remove(w)
                    self.out("deleted watch %d" % num)
                    return
            raise Usage("no watch %d (kdbg watch list)" % num)
        if sub == "cap":
            if len(rest) != 2:
                raise Usage("cap takes TASK SLOT")
            c = self._slot(world, rest[0], rest[1])
            w = Watch(_next[0], "cap", "%#x" % c.addr, "cap %s" % c.where)
        elif sub == "task":
            a = self._task(world, expr if len(rest) > 1 else rest[0])
            w = Watch(_next[0], "task", "%#x" % a, "task %s" % world.label(world.obj(a)))
        elif sub == "chan":
            if len(rest) == 2 and _is_int(rest[1]):
                c = self._slot(world, rest[0], rest[1])
                if c.type != consts.CHANNEL:
                    raise Usage("%s holds %s cap, not a channel" % (
                        c.where, _a(consts.type_label(c.type))))
                a = c.obj
            elif rest:
                a, _ = pointer_to(value_of(expr), "channel")
                try:
                    world.channel(a)
                except Corrupt as e:
                    raise Usage("%s is not a channel: %s" % (expr, e))
            else:
                raise Usage("chan takes TASK SLOT or EXPR")
            w = Watch(_next[0], "chan", "%#x" % a, "channel %s" % world.label(world.obj(a)))
        w.doc = w.document(world)
        _next[0] += 1
        _watches.append(w)
        if not _connected[0]:
            gdb.events.stop.connect(_on_stop)
            _connected[0] = True
        self.out("kdbg watch %d: %s" % (w.number, w.label))

    def _task(self, world, arg):
        if find_task(world, arg) is None and _is_int(arg) is False and \
                not any(ch in arg for ch in "$()*&+-.[]\"'"):
            raise Usage("no task '%s'" % arg)
        try:
            a = task_arg(world, arg)
            world.task(a)
        except Usage as e:
            raise Usage("no task '%s' (%s)" % (arg, e))
        except Corrupt as e:
            raise Usage("'%s' is not a task: %s" % (arg, e))
        return a

    def _slot(self, world, task, slot):
        a = self._task(world, task)
        try:
            i = int(slot, 0)
        except ValueError:
            raise Usage("'%s' is not a slot number" % slot)
        pool = task_root_pool(world, a)
        _, radix, slots = world.pool(pool)
        if not 0 <= i < len(slots):
            raise Usage("slot %d is out of range: the root CPool has %d slots" % (i, len(slots)))
        s = slots[i]
        if s.empty:
            raise Usage("%s is empty" % s.where)
        return s
