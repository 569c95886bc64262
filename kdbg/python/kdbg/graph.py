"""kdbg graph: a picture of authority, drawn with Graphviz.

Who holds what: each holder (a CPool, a task's internal slots, a channel's
ring, an IRQ handler) is a cluster with a header node and one node per cap;
caps point at the objects they name (dashed) and CDT derivation edges join
parent and child caps (bold). Long runs of unconnected page, page-table and
untyped caps in a pool are drawn as one summary node. The caps come from
schema.Snapshot, so the picture shows exactly what `kdbg json` lists.

In the DOT text every node and edge has a class attribute (task, pool, cap,
group, object, stub, holds, names, derive), which Graphviz copies into the
SVG, so that scripts (and tests/gdb/test_kdbg_graph.py) can pick them out.
"""
import os
import shutil
import subprocess

import gdb

from . import consts, fmt
from .command import KdbgCommand, Usage, as_typed, find_task, pointer_to, register, value_of
from .mem import Corrupt

# A run of at least this many unconnected caps of one collapsible type, in
# consecutive used slots of one pool, becomes one summary node.
COLLAPSE_MIN = 3
DOT_TIMEOUT = 120

FILL = {
    "task": "#cfe2f3", "cpool": "#fff2cc", "channel": "#d9ead3", "notification": "#ead1dc",
    "untyped": "#eeeeee", "vspace": "#fce5cd", "pagetable": "#fce5cd", "page": "#fdf3e7",
    "irqcontrol": "#f4cccc", "irqhandler": "#f4cccc", "ioport": "#d0e0e3",
}


def esc(text):
    """Text for an HTML-like label."""
    return (str(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
            .replace('"', "&quot;"))


def ranges(nums):
    """[1,2,3,7] -> '1-3, 7' (en dash)."""
    out, start, prev = [], None, None
    for n in sorted(nums):
        if start is None:
            start = prev = n
        elif n == prev + 1:
            prev = n
        else:
            out.append((start, prev))
            start = prev = n
    if start is not None:
        out.append((start, prev))
    return ", ".join("%d" % a if a == b else "%d\u2013%d" % (a, b) for a, b in out)


def human(n):
    for unit, shift in (("GiB", 30), ("MiB", 20), ("KiB", 10)):
        if n >= 1 << shift:
            return "%.4g %s" % (n / float(1 << shift), unit)
    return "%d B" % n


def hexrange(lo, hi):
    return "%#x\u2013%#x" % (lo, hi)


class Holder:
    """Something with slots: kind is pool, task, channel or irqhandler."""

    def __init__(self, addr, kind, label):
        self.addr = addr
        self.kind = kind
        self.label = label
        self.caps = []


class Graph:
    """The nodes and edges of one picture, built from one Snapshot."""

    def __init__(self, world):
        from . import schema
        self.w = world
        self.snap = schema.Snapshot(world)
        pools, caps = self.snap.pools_and_caps()
        self.tasks = {int(t["addr"], 16): t for t in self.snap.tasks()}
        self.pools = {int(p["addr"], 16): p for p in pools}
        self.caps = caps
        self.by_slot = {}
        self.children = {}
        self.holders = {}
        for c in caps:
            s = c["_slot"]
            self.by_slot[s.addr] = c
            h = int(c["holder_addr"], 16)
            if h not in self.holders:
                self.holders[h] = Holder(h, self._kind(h), c["holder"])
            self.holders[h].caps.append(c)
        for c in caps:
            p = c["_slot"].parent
            if p and p in self.by_slot:
                self.children.setdefault(p, []).append(c)
        self.lines = []
        self.stats = {"tasks": 0, "pools": 0, "caps": 0, "derive": 0}

    def _kind(self, h):
        if h in self.pools:
            return "pool"
        if h in self.tasks:
            return "task"
        t = self.w.obj(h).type
        return "channel" if t == consts.CHANNEL else "irqhandler"

    # ---- what to draw -------------------------------------------------------
    def task_holders(self, task_addr):
        """The task's own slots and every pool reachable from them."""
        want = [task_addr]
        seen = set()
        while want:
            h = want.pop()
            if h in seen:
                continue
            seen.add(h)
            hold = self.holders.get(h)
            for c in hold.caps if hold else ():
                s = c["_slot"]
                if s.type == consts.CPOOL and s.obj in self.pools:
                    want.append(s.obj)
        return seen

    def subtree(self, root):
        """Slot addresses of root's ancestors, root and its descendants."""
        keep = set()
        a = root["_slot"].parent
        while a and a in self.by_slot and a not in keep:
            keep.add(a)
            a = self.by_slot[a]["_slot"].parent
        todo = [root["_slot"].addr]
        while todo:
            a = todo.pop()
            if a in keep and a != root["_slot"].addr:
                continue
            keep.add(a)
            todo.extend(c["_slot"].addr for c in self.children.get(a, ()))
        return keep

    # ---- DOT ------------------------------------------------------------------
    def emit(self, text):
        self.lines.append(text)

    def node(self, nid, label, cls, **attrs):
        a = "".join(' %s="%s"' % (k, v) for k, v in sorted(attrs.items()))
        self.emit('  "%s" [class="%s" label=<%s>%s];' % (nid, cls, label, a))

    def edge(self, a, b, cls, **attrs):
        x = "".join(' %s="%s"' % (k, v) for k, v in sorted(attrs.items()))
        self.emit('  "%s" -> "%s" [class="%s"%s];' % (a, b, cls, x))

    @staticmethod
    def cap_id(c):
        return "c_%x" % c["_slot"].addr

    @staticmethod
    def obj_id(kind, a):
        return "%s_%x" % (kind, a)

    def holder_node_id(self, h):
        return self.obj_id({"pool": "pool", "task": "task"}.get(h.kind, "o"), h.addr)

    def object_of(self, c):
        """(node id, kind) of what a cap names, or None for plain memory."""
        s = c["_slot"]
        t = s.type
        if t == consts.CPOOL:
            return self.obj_id("pool", s.obj), "pool"
        if t == consts.TASK:
            return self.obj_id("task", s.obj), "task"
        if t == consts.VSPACE:
            return self.obj_id("vs", s.obj), "vspace"
        if t in consts.HEADER_TYPES:
            return self.obj_id("o", s.obj), "object"
        return None

    def slot_name(self, c):
        """[INDEX], or the name of a task's internal slot (cpool, vspace, ...)."""
        names = self.w.k.task_slot_names
        h = self.holders.get(int(c["holder_addr"], 16))
        if h is not None and h.kind == "task" and c["slot"] < len(names):
            return names[c["slot"]]
        return "[%d]" % c["slot"]

    def where(self, c):
        n = self.slot_name(c)
        return c["holder"] + (n if n.startswith("[") else "." + n)

    def cap_label(self, c, holder):
        s = c["_slot"]
        t = c["type"]
        where = self.slot_name(c)
        head = "<b>%s</b> %s <font face=\"monospace\">%s</font>" % (esc(where), esc(t),
                                                                    esc(c["rights"]))
        extra = []
        if c["badge"] is not None:
            extra.append('<font color="#b00000"><b>badge %#x</b></font>' % c["badge"])
        b = fmt.badge(s)
        if s.type == consts.CPOOL and b:
            extra.append(esc(b))
        if s.type == consts.UNTYPED:
            extra.append(esc("%s at %#x, %d%% used" % (
                fmt.size(s.bits), s.obj, 100 * s.data // (1 << s.bits) if s.bits < 64 else 0)))
        elif s.type in (consts.PAGE, consts.PAGE_TABLE):
            extra.append(esc("frame %#x%s" % (s.obj, ", at %#x" % (s.data & ~0xfff)
                                              if s.data & 1 else "")))
        return head + "".join("<br/>" + e for e in extra)

    def object_label(self, c):
        s = c["_slot"]
        return "<b>%s</b><br/>%s" % (esc(c["type"]), esc(fmt.summary(self.w, s)))

    def task_label(self, a):
        t = self.tasks.get(a)
        if t is None:
            return "<b>task</b> %#x" % a
        return "<b>task %s</b><br/>%s prio %d" % (esc(t["name"] or "%#x" % a), esc(t["state"]),
                                                 t["priority"])

    def pool_label(self, a):
        p = self.pools.get(a)
        if p is None:
            return "<b>cpool</b> %#x" % a
        return "<b>cpool %s</b><br/>%d slots, %d used" % (esc(p["label"]), p["slots"], p["used"])

    def holder_label(self, h):
        if h.kind == "task":
            return self.task_label(h.addr)
        if h.kind == "pool":
            return self.pool_label(h.addr)
        for c in self.caps:
            if c["_slot"].obj == h.addr and self.object_of(c):
                return self.object_label(c)
        try:
            o = self.w.obj(h.addr)
            return "<b>%s</b><br/>%s" % (esc(consts.type_label(o.type)), esc(self.w.label(o)))
        except Corrupt as e:
            return esc("<corrupt: %s>" % e)

    def groups(self, holder, caps, collapse):
        """Split a holder's caps into single caps and runs to summarise."""
        if not collapse or holder.kind != "pool":
            return [[c] for c in caps]
        kinds = (consts.PAGE, consts.PAGE_TABLE, consts.UNTYPED)

        def lone(c):
            s = c["_slot"]
            return s.type in kinds and not s.parent and s.addr not in self.children

        out, run = [], []
        for c in caps + [None]:
            if run and (c is None or not lone(c) or c["_slot"].type != run[0]["_slot"].type):
                if len(run) >= COLLAPSE_MIN:
                    out.append(run)
                else:
                    out.extend([x] for x in run)
                run = []
            if c is None:
                break
            if lone(c):
                run.append(c)
            else:
                out.append([c])
        return out

    def group_label(self, run):
        slots = [c["_slot"] for c in run]
        t = slots[0].type
        lines = ["<b>%s \u00d7%d</b>" % (esc(run[0]["type"]), len(run)),
                 "slots %s" % ranges(c["slot"] for c in run)]
        if t == consts.UNTYPED:
            total = sum(1 << s.bits for s in slots if s.bits < 64)
            used = sum(s.data for s in slots)
            lines.append("pa %s" % hexrange(min(s.obj for s in slots),
                                            max(s.obj + (1 << s.bits) for s in slots
                                                if s.bits < 64)))
            lines.append("%s in all, %s used" % (human(total), human(used)))
        else:
            mapped = [s.data & ~0xfff for s in slots if s.data & 1]
            if mapped:
                lines.append("mapped %s" % hexrange(min(mapped), max(mapped) + 0x1000))
            lines.append("frames %s" % hexrange(min(s.obj for s in slots),
                                                max(s.obj for s in slots) + 0x1000))
        rights = sorted(set(c["rights"] for c in run))
        lines.append('<font face="monospace">%s</font>' % esc(" ".join(rights)))
        return "<br/>".join(lines)

    def build(self, holders=None, keep=None, collapse=True, title=""):
        """DOT text. holders: addresses of holders to draw (None: all);
        keep: slot addresses to draw (None: every cap of those holders)."""
        e = self.emit
        e("digraph cairn_authority {")
        e('  graph [rankdir=LR compound=true fontname="Helvetica" fontsize=11 '
          'nodesep=0.12 ranksep=0.5 label=<%s> labelloc=t];' % esc(title))
        e('  node [shape=box style="rounded,filled" fillcolor="white" fontname="Helvetica" '
          'fontsize=10 margin="0.08,0.03"];')
        e('  edge [fontname="Helvetica" fontsize=9];')
        drawn = {}          # slot address -> node id (cap or group)
        objects = {}        # node id -> label, kind (objects named, not holders)
        holder_ids = set()
        order = [h for h in self.holders.values()
                 if holders is None or h.addr in holders]
        # Tasks with no used slot still appear (and are named by caps).
        for h in order:
            caps = [c for c in h.caps if keep is None or c["_slot"].addr in keep]
            if not caps:
                continue
            hid = self.holder_node_id(h)
            holder_ids.add(hid)
            e('  subgraph "cluster_%s" {' % hid)
            e('    style="rounded,dashed" color="#999999" label="";')
            cls = h.kind if h.kind in ("task", "pool") else "object"
            fill = FILL["task"] if h.kind == "task" else FILL["cpool"] if h.kind == "pool" \
                else FILL.get(consts.type_label(self.w.obj(h.addr).type), "white")
            shape = {"pool": "folder", "task": "box"}.get(h.kind, "box")
            self.node(hid, self.holder_label(h), cls, fillcolor=fill, shape=shape, ordering="out",
                      style="filled,bold" if h.kind != "pool" else "filled")
            if h.kind == "task":
                self.stats["tasks"] += 1
            elif h.kind == "pool":
                self.stats["pools"] += 1
            for run in self.groups(h, caps, collapse):
                if len(run) == 1:
                    c = run[0]
                    nid = self.cap_id(c)
                    self.node(nid, self.cap_label(c, h), "cap",
                              fillcolor=FILL.get(c["type"], "white"))
                    self.stats["caps"] += 1
                else:
                    nid = "g_%x" % run[0]["_slot"].addr
                    self.node(nid, self.group_label(run), "group",
                              fillcolor=FILL.get(run[0]["type"], "white"), style="filled,dashed")
                    self.stats["caps"] += len(run)
                for c in run:
                    drawn[c["_slot"].addr] = nid
                self.edge(hid, nid, "holds", style="invis", weight="4")
            e("  }")
        # Tasks and pools named by caps but not drawn as holders.
        for addr, nid in list(drawn.items()):
            c = self.by_slot[addr]
            named = self.object_of(c)
            if named is None:
                continue
            oid, kind = named
            if oid in holder_ids or oid in objects:
                continue
            s = c["_slot"]
            if kind == "task":
                objects[oid] = (self.task_label(s.obj), "task", FILL["task"])
            elif kind == "pool":
                objects[oid] = (self.pool_label(s.obj), "pool", FILL["cpool"])
            else:
                objects[oid] = (self.object_label(c), "object", FILL.get(c["type"], "white"))
        if holders is None and keep is None:
            # The whole system: every task and pool, even one holding nothing.
            for a in self.tasks:
                oid = self.obj_id("task", a)
                if oid not in holder_ids:
                    objects.setdefault(oid, (self.task_label(a), "task", FILL["task"]))
            for a in self.pools:
                oid = self.obj_id("pool", a)
                if oid not in holder_ids:
                    objects.setdefault(oid, (self.pool_label(a), "pool", FILL["cpool"]))
        for oid, (label, cls, fill) in sorted(objects.items()):
            self.node(oid, label, cls, fillcolor=fill, shape="box", style="filled,bold"
                      if cls == "task" else "filled")
            if cls == "task":
                self.stats["tasks"] += 1
            elif cls == "pool":
                self.stats["pools"] += 1
        # Caps -> the objects they name.
        for addr, nid in sorted(drawn.items()):
            c = self.by_slot[addr]
            named = self.object_of(c)
            if named is None or not nid.startswith("c_"):
                continue
            oid = named[0]
            attrs = {"style": "dashed", "color": "#777777", "arrowhead": "open"}
            own = self.holders[int(c["holder_addr"], 16)]
            if c["_slot"].type == consts.CPOOL and own.kind == "task":
                attrs.update(label="root", style="solid", color="#b8860b", penwidth="1.5",
                             constraint="false")
            if oid == self.holder_node_id(own):
                attrs["constraint"] = "false"
            elif oid in holder_ids and "label" not in attrs:
                attrs["lhead"] = "cluster_%s" % oid
            self.edge(nid, oid, "names", **attrs)
        # Derivation: parent -> child; stubs for the ends not drawn.
        stubs = {}
        for c in self.caps:
            s = c["_slot"]
            p = s.parent
            if not p or p not in self.by_slot:
                continue
            a, b = drawn.get(p), drawn.get(s.addr)
            if a is None and b is None:
                continue
            for end, other in ((p, a), (s.addr, b)):
                if other is None:
                    sid = "s_%x" % end
                    x = self.by_slot[end]
                    if sid not in stubs:
                        stubs[sid] = "%s %s %s" % (self.where(x), x["type"], x["rights"])
            self.edge(a or "s_%x" % p, b or "s_%x" % s.addr, "derive", color="#b00000",
                      penwidth="1.6")
            self.stats["derive"] += 1
        for sid, text in sorted(stubs.items()):
            self.node(sid, esc(text), "stub", shape="box", style="dashed", color="#b00000",
                      fontcolor="#666666", fontsize="8")
        if self.snap.problems:
            self.node("problems", "<br/>".join(esc("<corrupt: %s>" % p)
                                               for p in self.snap.problems[:8]),
                      "problems", color="red", fontcolor="red", style="solid")
        e("}")
        return "\n".join(self.lines) + "\n"


def check_output(out):
    """-o's FILE: '-' or a name ending in .svg, .dot or .gv."""
    if out != "-":
        ext = os.path.splitext(out)[1].lower()
        if ext not in (".svg", ".dot", ".gv"):
            raise Usage("unknown extension '%s' in '%s': write FILE.svg (Graphviz dot) "
                        "or FILE.dot (the DOT text)" % (ext or "(none)", out))


def resolve_task(world, word):
    a = find_task(world, word)
    if a is not None:
        return a
    names = ", ".join(o.name or "%#x" % o.addr for o in world.objects(consts.TASK))
    arg = as_typed(word)
    if arg[:1].isalpha() or arg[:1] == "_":
        try:
            v = gdb.parse_and_eval(arg)
        except gdb.error:
            raise Usage("no task named '%s' (tasks: %s)" % (arg, names))
    else:
        v = value_of(arg)
    addr, _ = pointer_to(v, "task")
    try:
        world.task(addr)
    except Corrupt:
        raise Usage("'%s' is not a task (tasks: %s)" % (word, names))
    return addr


def write(text, out):
    if out == "-":
        return None
    path = os.path.expanduser(out)
    if os.path.splitext(path)[1].lower() == ".svg":
        dot = shutil.which("dot")
        if dot is None:
            raise gdb.GdbError("kdbg graph: no 'dot' program to draw %s: install graphviz "
                               "(scripts/install-deps), or write FILE.dot" % out)
        try:
            r = subprocess.run([dot, "-Tsvg"], input=text.encode(), stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, timeout=DOT_TIMEOUT)
        except (OSError, subprocess.TimeoutExpired) as e:
            raise gdb.GdbError("kdbg graph: dot failed: %s" % e)
        if r.returncode != 0:
            raise gdb.GdbError("kdbg graph: dot failed (status %d): %s"
                               % (r.returncode, r.stderr.decode(errors="replace").strip()))
        data = r.stdout
    else:
        data = text.encode()
    try:
        with open(path, "wb") as f:
            f.write(data)
    except OSError as e:
        raise gdb.GdbError("kdbg graph: cannot write %s: %s" % (out, e.strerror or e))
    return path


@register
class GraphCommand(KdbgCommand):
    """Draw who holds which capabilities, and the CDT, as a Graphviz picture.

Each holder is a cluster: a CPool (folder), a task's own slots (cpool,
vspace, buffer, fault), a channel's queued caps, an IRQ handler's slot.
Its caps are nodes (slot, type, rights, badge in red); dashed arrows go
to the objects caps name (a task's cpool cap, labelled "root", to its
root CPool), bold red arrows from CDT parent to child. Runs of 3 or more
page, page-table or untyped caps with no derivation edges are drawn as
one node ("page x35, slots 7-41, mapped ...") unless --all."""
    name = "graph"

    @staticmethod
    def arguments(p):
        p.arg("target", nargs="*", rest=True, metavar="TASK [SLOT]", complete=("task", "slot"),
              help="TASK: only that task's own slots and the pools reachable from them, and "
                   "the objects they name (derivation edges to caps outside end in dashed "
                   "stubs); TASK SLOT: the derivation path from the root down to the cap in "
                   "slot SLOT of the task's root CPool and every cap below it, with their "
                   "holders, nothing collapsed")
        p.arg("--all", action="store_true", help="draw every cap, no summary nodes")
        p.arg("-o", "--output", metavar="FILE.svg|FILE.dot", required=True, complete="file",
              missing="missing -o FILE.svg|FILE.dot (where to write the picture)",
              needs="a file name (FILE.svg or FILE.dot)",
              help="FILE.dot: the DOT text; FILE.svg: Graphviz's `dot -Tsvg` (Debian package "
                   "graphviz); -: print the DOT")
        p.json("what was drawn: \"graph\": {\"file\", \"tasks\", \"pools\", \"caps\", "
               "\"derivations\"} and the problems found (docs/schema.md)")

    def run(self, world, args):
        pos, out, collapse = args.target, args.output, not args.all
        check_output(out)
        if len(pos) > 2:
            raise Usage("too many arguments: %s" % " ".join(pos[2:]))
        if self.json and out == "-":
            raise Usage("--json with -o -: the DOT text is the output; write a FILE")
        g = Graph(world)
        holders = keep = None
        title = "Cairn capabilities (%s)" % consts.arch_name()
        if pos:
            t = resolve_task(world, pos[0])
            tname = world.task_name(t)
            if len(pos) == 1:
                holders = g.task_holders(t)
                title = "capabilities held by task '%s'" % tname
            else:
                pool = world.task(t)["slots"][0]
                if pool.type != consts.CPOOL:
                    raise Usage("task '%s' has no root CPool" % tname)
                try:
                    idx = int(pos[1], 0)
                except ValueError:
                    raise Usage("SLOT must be a number, not '%s'" % pos[1])
                _, _, slots = world.pool(pool.obj)
                if not 0 <= idx < len(slots):
                    raise Usage("slot %d out of range: %s's root CPool has %d slots"
                                % (idx, tname, len(slots)))
                s = slots[idx]
                if s.empty:
                    raise Usage("slot %d of %s's root CPool is empty" % (idx, tname))
                root = g.by_slot.get(s.addr)
                if root is None:
                    raise Corrupt("slot %d of %s is not among the caps" % (idx, tname))
                keep = g.subtree(root)
                collapse = False
                title = "derivation of %s[%d] (%s %s)" % (root["holder"], idx, root["type"],
                                                          root["rights"])
        text = g.build(holders, keep, collapse, title)
        path = write(text, out)
        if path is None:
            self.out(text.rstrip("\n"))
            return
        st = g.stats
        if self.json:
            from . import schema
            self.out(schema.dumps(g.snap.document((), graph={
                "file": os.path.abspath(path), "tasks": st["tasks"], "pools": st["pools"],
                "caps": st["caps"], "derivations": st["derive"]})))
            return
        self.out("kdbg graph: wrote %s: %d task%s, %d pool%s, %d cap%s, %d derivation edge%s%s"
                 % (out, st["tasks"], "" if st["tasks"] == 1 else "s",
                    st["pools"], "" if st["pools"] == 1 else "s",
                    st["caps"], "" if st["caps"] == 1 else "s",
                    st["derive"], "" if st["derive"] == 1 else "s",
                    "; %d problem%s (kdbg check)" % (len(g.snap.problems), "" if
                                                      len(g.snap.problems) == 1 else "s")
                    if g.snap.problems else ""))
