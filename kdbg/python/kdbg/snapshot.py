"""kdbg snapshot, diff, watch: kernel state saved, compared, followed.

`kdbg snapshot save NAME` writes the `kdbg json` document (docs/schema.md)
to a file, with a "snapshot" object saying what it was taken from (arch,
kernel ELF and its SHA-256, last checkpoint, time). `kdbg diff A [B]`
compares two such documents (B: the live kernel by default) and says
what changed, grouped by kind; `kdbg watch` prints the same changes,
restricted to one cap, task or channel, at every stop.

This module holds the commands. The documents (files, the live one) are
in snapfile.py, the comparison and its text in snapdiff.py; their names
are re-exported here, as callers import them from this module.
"""
import datetime
import json
import os

import gdb

from . import consts
from .command import KdbgCommand, Usage, find_task, pointer_to, register, task_arg, \
    task_root_pool, value_of
from .mem import Corrupt
from .snapdiff import GROUPS, RENDER, TASK_FIELDS, _json_clean, cap_lines, channel_lines, \
    count, describe_end, diff_caps, diff_channels, diff_docs, diff_notifications, \
    diff_tasks, diff_untyped, notification_lines, problem_lines, render, task_lines, \
    untyped_lines
from .snapfile import KEYS, SECTIONS, check_same_kernel, checkpoint_name, document_problem, \
    elf_identity, live_document, live_meta, load_snapshot, meta_of, need_kernel, \
    snapshot_dir, snapshot_path

# Every public name the module had before snapfile and snapdiff were split off;
# listing them also marks the re-exports as used (pyflakes).
__all__ = [
    # snapfile
    "SECTIONS", "KEYS", "snapshot_dir", "snapshot_path", "elf_identity", "checkpoint_name",
    "need_kernel", "live_document", "live_meta", "load_snapshot", "document_problem",
    "meta_of", "check_same_kernel",
    # snapdiff
    "GROUPS", "TASK_FIELDS", "diff_caps", "diff_tasks", "diff_channels", "diff_notifications",
    "diff_untyped", "diff_docs", "count", "cap_lines", "task_lines", "channel_lines",
    "notification_lines", "untyped_lines", "problem_lines", "RENDER", "render", "describe_end",
    # here
    "SnapshotCmd", "Diff", "Watch", "WatchCmd",
]


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
