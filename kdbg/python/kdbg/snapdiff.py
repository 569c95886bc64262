"""The comparison of two snapshot documents, as data and as text.

diff_docs works on the documents alone, without GDB: caps are matched by
slot address, objects by address, untyped regions by base and size. A cap
that disappeared from one slot while a cap to the same object, of the
same type, appeared in another is a move. render turns the changes into
the lines `kdbg diff` and `kdbg watch` print. snapshot.py re-exports
these names.
"""

GROUPS = ("caps", "tasks", "channels", "notifications", "untyped", "problems")


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


def _created_destroyed(before, after):
    """Changes for the labelled objects (channels, notifications), by
    address, that are only in after (created) or only in before."""
    out = [{"change": "created", "addr": x, "label": c["label"], "after": c}
           for x, c in after.items() if x not in before]
    out += [{"change": "destroyed", "addr": x, "label": c["label"], "before": c}
            for x, c in before.items() if x not in after]
    return out


def diff_channels(a, b, n):
    ca = {c["addr"]: c for c in a["channels"]}
    cb = {c["addr"]: c for c in b["channels"]}
    out = _created_destroyed(ca, cb)
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
    out = _created_destroyed(na, nb)
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
