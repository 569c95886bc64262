"""kdbg's Python API: the kernel's objects for scripts run inside GDB.

    import kdbg
    w = kdbg.World()
    for t in w.tasks():
        print(t.name, t.state, t.priority)
    for cap in w.task("rinit").caps():
        print(cap.slot, cap.type, cap.rights, cap.badge, cap.parent)
    print([c.holder for c in w.task("rinit").cap(2).children()])

The objects are those of `kdbg json` (docs/schema.md), with the same
field names, built by the same code (schema.Snapshot over model.World);
as Python values: addresses are ints, rights a Rights tuple of names,
and references are objects (cap.parent is a Cap, channel.senders are
Tasks). obj.as_dict() is the object exactly as `kdbg json` prints it.

A World is one consistent reading of the stopped kernel: objects are read
when first asked for and then kept. After the target has run, make a new
World. World() refuses, with the same reasons as the commands, when there
is no kernel to read (NoKernel: no target, not initialised, wrong ELF);
a name that is not there raises NotFound saying what is.
"""
import collections
import os
import runpy
import sys
import traceback

import gdb

from .command import KdbgCommand, Usage, register
from .mem import Corrupt, NoKernel, require_kernel

__all__ = ["World", "NoKernel", "NotFound", "Task", "Pool", "Cap", "Channel", "Notification",
           "Untyped", "Rights"]


class NotFound(LookupError):
    """No object of that name or address (the message lists what there is)."""


RIGHT_NAMES = ("read", "write", "grant", "grant_reply")


class Rights(tuple):
    """A cap's rights as names: ("read", "write"); str() is "rw--"."""

    def __new__(cls, letters):
        return super().__new__(cls, [n for n, c in zip(RIGHT_NAMES, letters) if c != "-"])

    def __str__(self):
        return "".join(c if n in self else "-" for n, c in zip(RIGHT_NAMES, "rwgG"))


WaitsOn = collections.namedtuple("WaitsOn", "kind addr name")
Fault = collections.namedtuple("Fault", "kind ip addr")
Kernel = collections.namedtuple("Kernel", "seq ticks idle_ticks switches current panicked panic")


def _int(v):
    return None if v is None else int(v, 16)


class _Object:
    """An object of docs/schema.md: its fields are attributes."""
    _addresses = ("addr",)  # "0x..." fields, ints here

    def __init__(self, world, d):
        self._world = world
        self._d = d

    def __getattr__(self, k):
        if k.startswith("_"):
            raise AttributeError(k)
        try:
            v = self._d[k]
        except KeyError:
            raise AttributeError("%s has no attribute '%s' (fields: %s)"
                                 % (type(self).__name__, k, ", ".join(self.fields())))
        return _int(v) if k in self._addresses else v

    def fields(self):
        return [k for k in self._d if not k.startswith("_")]

    def __dir__(self):
        return sorted(set(super().__dir__()) | set(self.fields()))

    def as_dict(self):
        """The object as `kdbg json` prints it."""
        from .schema import _clean
        return _clean(self._d)

    def __eq__(self, other):
        return type(other) is type(self) and other._key() == self._key()

    def __hash__(self):
        return hash((type(self).__name__, self._key()))

    def _key(self):
        return self._d["addr"]

    def __repr__(self):
        return "<%s %s at %s>" % (type(self).__name__.lower(), self._label(), self._key())

    def _label(self):
        return self._d.get("label") or self._d.get("name") or ""


class Task(_Object):
    """A task: name, state (its ABI name: "BlockedRecv"), priority,
    waits_on, waits, ip, sp, current, cpool, cpu_ticks, ipc_sent, fault."""
    _addresses = ("addr", "ip", "sp", "cpool")

    @property
    def waits_on(self):
        """WaitsOn(kind, addr, name), or None when not waiting."""
        x = self._d["waits_on"]
        return None if x is None else WaitsOn(x["kind"], _int(x["addr"]), x["name"])

    @property
    def fault(self):
        """Fault(kind, ip, addr) of a Faulted task, else None."""
        x = self._d["fault"]
        return None if x is None else Fault(x["kind"], _int(x["ip"]), _int(x["addr"]))

    def blocked_on(self):
        """The Channel, Notification or Task it waits on, or None."""
        w = self.waits_on
        return self._world.object(w.addr) if w and w.addr else None

    def pool(self):
        """Its root CPool (a Pool), or None before it has one."""
        return self._world.pool(self.cpool) if self.cpool else None

    def caps(self):
        """The used slots of its root CPool, as Caps (empty without one)."""
        p = self.pool()
        return p.caps() if p else []

    def cap(self, slot):
        """The Cap in slot `slot` of its root CPool, or None when empty."""
        p = self.pool()
        if p is None:
            raise NotFound("task '%s' has no root CPool yet" % self.name)
        return p.cap(slot)

    def slots(self):
        """Its own slots (cpool, vspace, buffer, fault) that hold a cap:
        {slot name: Cap}."""
        names = self._world._m.k.task_slot_names
        return {names[c.slot] if c.slot < len(names) else str(c.slot): c
                for c in self._world._caps_of(self._d["addr"])}

    @property
    def label(self):
        """'NAME', or the address of an unnamed task (as channels' labels)."""
        return "'%s'" % self._d["name"] if self._d["name"] else self._d["addr"]

    def _label(self):
        return "'%s'" % self._d["name"] if self._d["name"] else ""


class Pool(_Object):
    """A CPool: addr, label, slots (2^radix), used."""

    def caps(self):
        """Its used slots, as Caps, by slot number."""
        return self._world._caps_of(self._d["addr"])

    def cap(self, slot):
        """The Cap in `slot`, or None when the slot is empty."""
        if not 0 <= slot < self._d["slots"]:
            raise NotFound("slot %d out of range: %s has %d slots"
                           % (slot, self._d["label"], self._d["slots"]))
        return next((c for c in self.caps() if c.slot == slot), None)


class Cap(_Object):
    """A used slot: holder, holder_addr, slot, slot_addr, type (object
    type name), rights (a Rights), badge (or None), object (the address it
    names), parent (its CDT parent, a Cap, or None), parent_addr."""
    _addresses = ("holder_addr", "slot_addr", "object")

    @property
    def rights(self):
        return Rights(self._d["rights"])

    @property
    def parent(self):
        a = self._d["parent"]
        return self._world._cap_at(a) if a else None

    @property
    def parent_addr(self):
        return _int(self._d["parent"])

    def children(self):
        """The caps derived from this one (copies, mints, retyped objects),
        in the CDT's order."""
        by = self._world._by_slot()
        out, k, seen = [], self._d["_slot"].first_child, set()
        while k and k not in seen and k in by:
            seen.add(k)
            out.append(by[k])
            k = by[k]._d["_slot"].next_sibling
        return out

    def descendants(self):
        """Every cap below this one, parents before children."""
        out, todo, seen = [], list(reversed(self.children())), set()
        while todo:
            c = todo.pop()
            if c.slot_addr in seen:
                continue
            seen.add(c.slot_addr)
            out.append(c)
            todo.extend(reversed(c.children()))
        return out

    def target(self):
        """The object the cap names (Task, Pool, Channel, Notification),
        or None for memory (untyped, pages, tables) and other types."""
        return self._world.object(self.object)

    def holder_object(self):
        """What holds the slot: a Pool, Task, Channel (a cap in flight)..."""
        return self._world.object(self.holder_addr)

    def _key(self):
        return self._d["slot_addr"]

    def _label(self):
        return "%s %s %s[%d]" % (self._d["type"], self._d["rights"], self._d["holder"],
                                 self._d["slot"])


Message = collections.namedtuple("Message", "badge length words cap caller")


class Channel(_Object):
    """A channel: addr, label, depth, count, messages (oldest first:
    Message(badge, length, words, cap type or None, caller Task or None)),
    sent, senders and receivers (Tasks, in queue order)."""

    def _queue(self, which):
        m, k = self._world._m, self._world._m.k
        a = self._d["addr"]
        raw = m.channel(int(a, 16))
        head = raw[which + "_head"]
        off = k.channel_senders if which == "senders" else k.channel_receivers
        return [self._world._task_at(t) for t in m.queue(head, int(a, 16) + off)[0]]

    @property
    def senders(self):
        return self._queue("senders")

    @property
    def receivers(self):
        return self._queue("receivers")

    @property
    def messages(self):
        raw = self._world._m.channel(int(self._d["addr"], 16))
        depth = self._d["depth"]
        out = []
        for n, x in enumerate(self._d["messages"]):
            caller = raw["ring"][(raw["head"] + n) % depth]["caller"]
            out.append(Message(x["badge"], x["length"], list(x["words"]), x["cap"],
                               self._world._task_at(caller) if caller else None))
        return out


class Notification(_Object):
    """A notification: addr, label, word (pending bits), waiters (Tasks)."""

    @property
    def word(self):
        return int(self._d["word"], 16)

    @property
    def waiters(self):
        m = self._world._m
        a = int(self._d["addr"], 16)
        head = m.notification(a)["waiters_head"]
        return [self._world._task_at(t) for t in m.queue(head, a + m.k.ntfn_waiters)[0]]


class Untyped(_Object):
    """An untyped region: holder, slot, slot_addr, base, size, watermark,
    device; cap is its Cap, free the bytes above the watermark."""
    _addresses = ("slot_addr", "base")

    @property
    def cap(self):
        return self._world._cap_at(self._d["slot_addr"])

    @property
    def free(self):
        return None if self._d["size"] is None else self._d["size"] - self._d["watermark"]

    def _key(self):
        return self._d["slot_addr"]

    def _label(self):
        return "%s[%d]" % (self._d["holder"], self._d["slot"])


class World:
    """The stopped kernel's objects, read once (make a new World after
    the target has run). NoKernel when there is nothing to read."""

    def __init__(self):
        require_kernel()
        from .model import World as Model
        from .schema import Snapshot
        self._m = Model()
        self._snap = Snapshot(self._m)
        self._cache = {}

    def _memo(self, key, make):
        if key not in self._cache:
            self._cache[key] = make()
        return self._cache[key]

    # ---- the schema's sections -------------------------------------------------
    def tasks(self):
        """Every task, in the kernel's list order."""
        return self._memo("tasks", lambda: [Task(self, d) for d in self._snap.tasks()])

    def pools(self):
        return self._memo("pools", lambda: [Pool(self, d)
                                            for d in self._snap.pools_and_caps()[0]])

    def caps(self):
        """Every used slot of every holder (pools, tasks, channel rings, IRQ handlers)."""
        return self._memo("caps", lambda: [Cap(self, d) for d in self._snap.pools_and_caps()[1]])

    def channels(self):
        return self._memo("channels", lambda: [Channel(self, d) for d in self._snap.channels()])

    def notifications(self):
        return self._memo("ntfns", lambda: [Notification(self, d)
                                            for d in self._snap.notifications()])

    def untyped(self):
        """Every untyped cap's region, by base address."""
        return self._memo("untyped", lambda: [Untyped(self, d) for d in self._snap.untyped()])

    @property
    def kernel(self):
        """Kernel(seq, ticks, idle_ticks, switches, current, panicked, panic)."""
        return Kernel(**self._memo("kernel", self._snap.kernel))

    @property
    def problems(self):
        """Inconsistencies found so far in what was read (as `kdbg json`'s)."""
        return list(self._snap.problems)

    # ---- lookups ------------------------------------------------------------------
    def task(self, which):
        """The task named `which` (its debug name), or at address `which`."""
        for t in self.tasks():
            if t.name == which or t.addr == which:
                return t
        names = ", ".join("'%s'" % t.name if t.name else "%#x" % t.addr for t in self.tasks())
        raise NotFound("no task %s (tasks: %s)" % ("named '%s'" % which if isinstance(which, str)
                                                   else "at %#x" % which, names or "none"))

    def current(self):
        """The running task, or None while idle."""
        a = self._m.current()
        return self._task_at(a) if a else None

    def pool(self, which):
        """The CPool at address `which`, or with that label ("rinit")."""
        return self._find(self.pools(), which, "CPool")

    def channel(self, which):
        """The channel at address `which`, or labelled so ("'shared'" or "shared")."""
        return self._find(self.channels(), which, "channel")

    def notification(self, which):
        return self._find(self.notifications(), which, "notification")

    def _find(self, objs, which, what):
        for o in objs:
            if o.addr == which or o.label in (which, "'%s'" % which):
                return o
        raise NotFound("no %s %s (%s: %s)" % (
            what, "%#x" % which if isinstance(which, int) else "'%s'" % which,
            what + "s" if what != "CPool" else "CPools",
            ", ".join(o.label for o in objs) or "none"))

    def object(self, addr):
        """The Task, Pool, Channel or Notification at addr, else None."""
        if not addr:
            return None
        for objs in (self.tasks(), self.pools(), self.channels(), self.notifications()):
            for o in objs:
                if o.addr == addr:
                    return o
        return None

    # ---- whole-kernel questions -------------------------------------------------------
    def check(self):
        """`kdbg check`'s violations, as a list of sentences (empty: sound)."""
        from .check import check_world
        return check_world(self._m)[0]

    def log(self, lines=None):
        """The kernel log (its last `lines` lines)."""
        from .log import json_log
        return json_log(self._m, lines)

    def document(self, sections=None):
        """The `kdbg json` document (all sections, or those named)."""
        from .schema import SECTIONS, _clean
        return _clean(self._snap.document(tuple(sections) if sections else SECTIONS))

    # ---- internals ----------------------------------------------------------------------
    def _by_slot(self):
        return self._memo("by_slot", lambda: {c._d["_slot"].addr: c for c in self.caps()})

    def _cap_at(self, slot_addr):
        return self._by_slot().get(_int(slot_addr) if isinstance(slot_addr, str) else slot_addr)

    def _caps_of(self, holder_addr):
        return [c for c in self.caps() if c._d["holder_addr"] == holder_addr]

    def _task_at(self, addr):
        for t in self.tasks():
            if t.addr == addr:
                return t
        return None



@register
class Script(KdbgCommand):
    """Run a Python script that uses kdbg's API (import kdbg; w = kdbg.World()).

As `source FILE.py`, but a kdbg refusal (NoKernel: no target, not
initialised, wrong ELF; NotFound: no such task or object; Corrupt) ends
the script with one line, and so does any other exception, with the
script's file and line: never a Python traceback."""
    name = "script"
    requires = None  # the script's kdbg.World() refuses by itself
    no_json = "a script prints what it chooses"

    @staticmethod
    def arguments(p):
        p.arg("file", metavar="FILE", complete="file", missing="which FILE?",
              help="the Python script")
        p.arg("args", nargs="*", metavar="ARG", help="its arguments (sys.argv[1:])")

    def run(self, world, args):
        path = os.path.expanduser(args.file)
        if not os.path.isfile(path):
            raise Usage("no file %s" % path)
        saved = sys.argv
        sys.argv = [path] + list(args.args)
        try:
            runpy.run_path(path, run_name="__main__")
        except SystemExit as e:
            if e.code not in (None, 0):
                raise gdb.GdbError("kdbg script: %s exited with %s" % (path, e.code))
        except (NoKernel, NotFound) as e:
            raise gdb.GdbError("kdbg script: %s: %s" % (where(path, e), e))
        except Corrupt as e:
            raise gdb.GdbError("kdbg script: %s: <corrupt: %s>" % (where(path, e), e))
        except gdb.GdbError:
            raise
        except Exception as e:  # noqa: BLE001 - the script's own error, in one line
            raise gdb.GdbError("kdbg script: %s: %s: %s" % (where(path, e), type(e).__name__, e))
        finally:
            sys.argv = saved


def where(path, e):
    """FILE:LINE of the script's innermost frame in e's traceback."""
    real = os.path.realpath(path)
    line = None
    for f in traceback.extract_tb(e.__traceback__):
        if os.path.realpath(f.filename) == real:
            line = f.lineno
    return "%s:%d" % (path, line) if line else path
