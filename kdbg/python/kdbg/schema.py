"""Kernel state as data: docs/schema.md's vocabulary (schema 1).

The same objects, field names and values as kdbg-top's --json (kdbg/lib:
decode.c, json.c), built on model.World, so that tests can compare the two
on one stopped VM object by object. Addresses are "0x..." strings, ABI
names for enumerations, null for what does not apply.

`kdbg json [SECTION...]` prints one snapshot as one line of JSON; the
--json flag of the other commands prints the part those commands show,
with the same top level (schema, arch, kernel, ..., problems).
"""
import json

import gdb

from . import consts
from .command import KdbgCommand, number, register
from .layout import Record
from .mem import Corrupt, cstr, read, symbol_address

SCHEMA = 1
SECTIONS = ("tasks", "pools", "caps", "channels", "notifications", "untyped")
RIGHTS = "rwgG"
LOG_MAX = 16384  # bytes of log tail, as kdbg-top's snapshots

_stats = None


class _Stats:
    """Fields for statistics and host tools (kernel/include/debug_state.h,
    task.run_ticks/ipc_sent, channel.sent). kdbg-top reads the same ones;
    a kernel without them is too old for this kdbg (LayoutError: rebuild)."""

    def __init__(self):
        self.task = Record("struct task", [("run_ticks", "run_ticks"), ("ipc_sent", "ipc_sent"),
                                           ("fault_ip", "fault.ip")])
        self.chan = Record("struct channel", [("sent", "sent")])
        self.dbg = Record("struct kernel_debug", [
            ("seq", "seq"), ("ticks", "ticks"), ("idle_ticks", "idle_ticks"),
            ("panicked", "panicked"), ("panic_msg", "panic_msg")])


def stats():
    global _stats
    if _stats is None:
        _stats = _Stats()
    return _stats


def _reset(_event=None):
    global _stats
    _stats = None


gdb.events.new_objfile.connect(_reset)


def addr(a):
    return "0x%x" % a


def addr_or_null(a):
    return addr(a) if a else None


def rights(r):
    return "".join(c if r & (1 << i) else "-" for i, c in enumerate(RIGHTS))


def printable(s):
    return "".join(c if c == "\n" or c == "\t" or " " <= c < "\x7f" else "?" for c in s)


class Snapshot:
    """Builds the schema's objects from one World (one consistent read)."""

    def __init__(self, world):
        self.w = world
        self.k = world.k
        self.problems = []
        self._tasks = None
        self._caps = None
        self._pools = None
        self._channels = None
        self._notifications = None

    def problem(self, text):
        if text not in self.problems:
            self.problems.append(text)

    def objects(self, t):
        objs, problems = self.w.lists()[t]
        for p in problems:
            self.problem(p)
        return objs

    # ---- names ---------------------------------------------------------
    def task_ref(self, a):
        """A task in lists: its debug name, else its address."""
        try:
            o = self.w.obj(a)
            if o.type == consts.TASK and o.name:
                return o.name
        except Corrupt:
            pass
        return addr(a)

    def task_name(self, a):
        """tasks.py / decode.c task_name(): name, address, or corrupt."""
        try:
            o = self.w.obj(a)
        except Corrupt:
            return "<corrupt task %#x>" % a
        if o.type != consts.TASK:
            return "<corrupt task %#x>" % a
        return o.name or "%#x" % a

    # ---- kernel ----------------------------------------------------------
    def kernel(self):
        s = stats()
        d = s.dbg.decode(read(symbol_address("kernel_debug"), s.dbg.span, "kernel_debug"))
        sched = self.k.sched.decode(read(symbol_address("sched"), self.k.sched.size, "sched"))
        cur = sched["current"]
        return {
            "seq": d["seq"],
            "ticks": d["ticks"],
            "idle_ticks": d["idle_ticks"],
            "switches": sched["switches"],
            "current": self.task_ref(cur) if cur else None,
            "panicked": bool(d["panicked"]),
            "panic": printable(cstr(d["panic_msg"])) if d["panicked"] else None,
        }

    # ---- tasks ---------------------------------------------------------
    def tasks(self):
        if self._tasks is not None:
            return self._tasks
        w, st = self.w, stats()
        cur = w.current()
        try:
            console = symbol_address("console_input") + self.k.console_waiters
        except Corrupt:
            console = None
        out = []
        for o in self.objects(consts.TASK):
            try:
                t = w.task(o.addr)
            except Corrupt as e:
                self.problem(str(e))
                continue
            extra = st.task.decode(t["raw"])
            s0 = t["slots"][0]
            faulted = t["state"] == consts.state_value("FAULTED")
            kind, on, on_name, words = self._waits(t, o, console)
            out.append({
                "addr": addr(o.addr),
                "name": o.name,
                "state": consts.state_label(t["state"]),
                "priority": t["priority"],
                "waits_on": {"kind": kind, "addr": addr_or_null(on), "name": on_name}
                if kind else None,
                "waits": words,
                "ip": addr(t["ip"]),
                "sp": addr(t["sp"]),
                "current": o.addr == cur,
                "cpool": addr(s0.obj) if s0.type == consts.CPOOL else None,
                "cpu_ticks": extra["run_ticks"],
                "ipc_sent": extra["ipc_sent"],
                "fault": {"kind": consts.fault_label(t["fault_kind"]), "ip": addr(extra["fault_ip"]),
                          "addr": addr(t["fault_addr"])} if faulted else None,
            })
        self._tasks = out
        return out

    def _waits(self, t, o, console):
        """(kind, address, name, words) as decode.c's task_waits()."""
        w = self.w
        state = t["state"]
        if state == consts.state_value("FAULTED"):
            return ("fault", 0, None, "faulted: %s at %#x" % (consts.fault_label(t["fault_kind"]),
                                                              t["fault_addr"]))
        if state == consts.state_value("BLOCKED_REPLY") and t["reply_from"]:
            n = self.task_name(t["reply_from"])
            return "reply", t["reply_from"], n, "reply from '%s'" % n
        if t["blocked_on"]:
            try:
                b = w.obj(t["blocked_on"])
                if b.state != self.k.object_live:
                    raise Corrupt("not live")
            except Corrupt:
                self.problem("task '%s': blocked_on %#x is not a live object"
                             % (o.name, t["blocked_on"]))
                return None, 0, None, "<corrupt: blocked on %#x>" % t["blocked_on"]
            label = w.label(b)
            tn = consts.type_label(b.type)
            if b.type == consts.NOTIFICATION:
                return "notification", b.addr, label, "notification %s" % label
            if state == consts.state_value("BLOCKED_SEND"):
                return "send", b.addr, label, "send on %s %s" % (tn, label)
            if state == consts.state_value("BLOCKED_REPLY"):
                return "reply", b.addr, label, "call on %s %s" % (tn, label)
            return "recv", b.addr, label, "recv on %s %s" % (tn, label)
        if t["queue"] and t["queue"] == console:
            return "console", 0, "console input", "console input"
        if t["reply_from"]:
            n = self.task_name(t["reply_from"])
            return "reply", t["reply_from"], n, "reply from '%s'" % n
        return None, 0, None, ""

    # ---- pools and caps ------------------------------------------------------
    def _cap(self, s, holder, holder_addr, index):
        if s.type >= self.k.type_count:
            self.problem("%s[%d]: cap type %d" % (holder, index, s.type))
        badged = s.type in (consts.CHANNEL, consts.NOTIFICATION) and s.flags & 1
        return {
            "holder": holder,
            "holder_addr": addr(holder_addr),
            "slot": index,
            "slot_addr": addr(s.addr),
            "type": consts.type_label(s.type),
            "rights": rights(s.rights),
            "badge": s.data if badged else None,
            "object": addr(s.obj),
            "parent": addr_or_null(s.parent),
        }

    def _slots(self, out, slots, holder, holder_addr):
        for i, s in enumerate(slots):
            if s.empty:
                if not s.clean:
                    self.problem("%s[%d]: empty slot with nonzero bytes" % (holder, i))
                continue
            out.append(self._cap(s, holder, holder_addr, i))
            out[-1]["_slot"] = s

    def pools_and_caps(self):
        """(pools, caps): every pool; every used slot of every holder, in
        decode.c's order (pools, tasks' slots, channel rings, IRQ handlers)."""
        if self._pools is not None:
            return self._pools, self._caps
        w = self.w
        pools, caps = [], []
        for o in self.objects(consts.CPOOL):
            try:
                _, radix, slots = w.pool(o.addr)
            except Corrupt as e:
                self.problem(str(e))
                continue
            label = w.pool_label(o.addr, o)
            first = len(caps)
            self._slots(caps, slots, label, o.addr)
            pools.append({"addr": addr(o.addr), "label": label, "slots": 1 << radix,
                          "used": len(caps) - first})
        for o in self.objects(consts.TASK):
            try:
                slots = w.task(o.addr)["slots"]
            except Corrupt:
                continue  # reported with the tasks
            self._slots(caps, slots, "task '%s'" % o.name, o.addr)
        for o in self.objects(consts.CHANNEL):
            try:
                ring = w.channel(o.addr)["ring"]
            except Corrupt as e:
                self.problem(str(e))
                continue
            self._slots(caps, [m["cap"] for m in ring], "channel %s" % w.label(o), o.addr)
        for o in self.objects(consts.IRQ_HANDLER):
            try:
                d = w.irq_handler(o.addr)
            except Corrupt as e:
                self.problem(str(e))
                continue
            self._slots(caps, [d["slot"]], "irqhandler %d" % d["irq"], o.addr)
        known = set(c["_slot"].addr for c in caps)
        for c in caps:
            s = c["_slot"]
            if s.parent and s.parent not in known:
                self.problem("%s[%d]: CDT parent %#x is not a used slot"
                             % (c["holder"], c["slot"], s.parent))
        self._pools, self._caps = pools, caps
        return pools, caps

    def pool(self, pool_addr):
        """(pool, its caps) for one CPool."""
        pools, caps = self.pools_and_caps()
        a = addr(pool_addr)
        for p in pools:
            if p["addr"] == a:
                return p, [c for c in caps if c["holder_addr"] == a]
        raise Corrupt("%#x is not a live CPool" % pool_addr)

    def untyped(self):
        _, caps = self.pools_and_caps()
        out = []
        for c in caps:
            s = c["_slot"]
            if s.type != consts.UNTYPED:
                continue
            if s.bits <= 63 and s.data > 1 << s.bits:
                self.problem("%s[%d]: untyped watermark %#x past its size 2^%d"
                             % (c["holder"], c["slot"], s.data, s.bits))
            out.append((s.obj, s.addr, {
                "holder": c["holder"],
                "slot": c["slot"],
                "slot_addr": addr(s.addr),
                "base": addr(s.obj),
                "size": 1 << s.bits if s.bits < 63 else None,
                "watermark": s.data,
                "device": bool(s.flags & self.k.flag_device),
            }))
        out.sort(key=lambda x: (x[0], x[1]))
        return [x[2] for x in out]

    # ---- channels and notifications ----------------------------------------------
    def channel(self, a):
        w, k = self.w, self.k
        d = w.channel(a)
        label = w.label(d["obj"])
        depth = k.ring_len
        head, count = d["head"], d["count"]
        if count > depth or head >= depth:
            self.problem("channel %s: head %d count %d for a ring of %d"
                         % (label, head, count, depth))
            count = min(count, depth)
            head %= depth
        msgs = []
        for n in range(count):
            m = d["ring"][(head + n) % depth]
            length = m["info"] & 0xf  # CAIRN_MSGINFO_LEN
            nw = length
            if nw > k.msg_word_count:
                self.problem("channel %s: message of %d words" % (label, nw))
                nw = k.msg_word_count
            msgs.append({
                "badge": m["badge"],
                "length": length,
                "words": m["words"][:nw],
                "cap": consts.type_label(m["cap"].type) if m["cap"].type else None,
                "caller": self.task_ref(m["caller"]) if m["caller"] else None,
            })
        queues = {}
        for title, head_, off in (("senders", d["senders_head"], k.channel_senders),
                                  ("receivers", d["receivers_head"], k.channel_receivers)):
            tasks, problem = w.queue(head_, a + off)
            if problem:
                self.problem("channel %s %s queue: %s" % (label, title, problem))
            queues[title] = [self.task_ref(t) for t in tasks]
        return {
            "addr": addr(a),
            "label": label,
            "depth": depth,
            "count": count,
            "messages": msgs,
            "sent": stats().chan.decode(d["raw"])["sent"],
            "senders": queues["senders"],
            "receivers": queues["receivers"],
        }

    def channels(self):
        if self._channels is None:
            out = []
            for o in self.objects(consts.CHANNEL):
                try:
                    out.append(self.channel(o.addr))
                except Corrupt as e:
                    self.problem(str(e))
            self._channels = out
        return self._channels

    def notifications(self):
        if self._notifications is None:
            out = []
            for o in self.objects(consts.NOTIFICATION):
                try:
                    d = self.w.notification(o.addr)
                except Corrupt as e:
                    self.problem(str(e))
                    continue
                label = self.w.label(o)
                tasks, problem = self.w.queue(d["waiters_head"], o.addr + self.k.ntfn_waiters)
                if problem:
                    self.problem("notification %s waiters queue: %s" % (label, problem))
                out.append({"addr": addr(o.addr), "label": label, "word": addr(d["word"]),
                            "waiters": [self.task_ref(t) for t in tasks]})
            self._notifications = out
        return self._notifications

    # ---- the whole ---------------------------------------------------------------
    def section(self, name):
        if name == "tasks":
            return self.tasks()
        if name == "pools":
            return self.pools_and_caps()[0]
        if name == "caps":
            return self.pools_and_caps()[1]
        if name == "channels":
            return self.channels()
        if name == "notifications":
            return self.notifications()
        if name == "untyped":
            return self.untyped()
        raise KeyError(name)

    def document(self, sections=SECTIONS, log=None, **parts):
        """The top-level object: schema, arch, kernel, then the sections
        asked for (all of them: also log and problems), then problems."""
        doc = {"schema": SCHEMA, "arch": consts.arch_name(), "kernel": self.kernel()}
        for name in SECTIONS:
            if name in parts:
                doc[name] = parts[name]
            elif name in sections:
                doc[name] = self.section(name)
        if tuple(sections) == SECTIONS or log is not None:
            doc["log"] = log
        for name, value in parts.items():  # a command's own shapes (cdt, check, vspace...)
            if name not in SECTIONS:
                doc[name] = value
        doc["problems"] = list(self.problems)
        return doc


def dumps(doc):
    """One line, compact, keys in schema order (as kdbg-top's json.c)."""
    return json.dumps(_clean(doc), separators=(",", ":"), ensure_ascii=True)


def _clean(v):
    """Drop the private '_slot' references kept on caps."""
    if isinstance(v, dict):
        return {k: _clean(x) for k, x in v.items() if not k.startswith("_")}
    if isinstance(v, list):
        return [_clean(x) for x in v]
    return v


@register
class Json(KdbgCommand):
    """Print kernel state as one line of JSON in docs/schema.md's vocabulary.

The same objects and field names as `kdbg-top --json` (schema 1):
top-level "schema", "arch", "kernel", the sections asked for (default:
all), "problems" (inconsistencies found, as <corrupt: ...> in the text
commands); a full snapshot also has "log" (null unless --log).
Addresses are "0x..." strings. The --json flag of the other commands
prints the same objects for what those commands show."""
    name = "json"

    @staticmethod
    def arguments(p):
        p.arg("sections", nargs="*", metavar="SECTION", choices=("all",) + SECTIONS,
              what="section", help="all (the default), or any of %s" % ", ".join(SECTIONS))
        p.arg("--log", nargs="?", const=-1, metavar="N", type=number("a number of lines"),
              help="add the log: its last 16 KiB (as kdbg-top's), or its last N lines")
        p.json("accepted for uniformity: the output is JSON anyway")

    def run(self, world, args):
        from .log import json_log
        log = None
        if args.log is not None:
            log = json_log(world, None if args.log < 0 else args.log)
        sections = SECTIONS if not args.sections or "all" in args.sections else \
            tuple(s for s in SECTIONS if s in args.sections)
        self.out(dumps(Snapshot(world).document(sections, log=log)))
