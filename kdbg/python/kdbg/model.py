"""A consistent view of kernel state for one command: objects, slots, tasks.

Everything is read in bulk (one read per object or table) and decoded in
Python. Walks are bounded and detect cycles; anything that does not make
sense raises Corrupt, which callers print as <corrupt: reason>.
"""
from . import consts
from .mem import Corrupt, cstr, read, symbol_address, u64
from .types import K

# Longest linked list kdbg follows (object lists, wait queues).
MAX_LIST = 1 << 20
MAX_RADIX = 20


class Obj:
    """A kernel object's header."""
    __slots__ = ("addr", "type", "state", "flags", "cap_count", "next", "prev", "name", "raw")

    def __init__(self, addr, buf):
        d = K().obj.decode(buf)
        self.addr = addr
        self.type = d["type"]
        self.state = d["state"]
        self.flags = d["flags"]
        self.cap_count = d["cap_count"]
        self.next = d["next"]
        self.prev = d["prev"]
        self.name = cstr(d["name"])
        self.raw = buf


class Slot:
    """A capability slot and its CDT links; `where` names its holder."""
    __slots__ = ("addr", "type", "rights", "bits", "flags", "spare", "obj", "data",
                 "parent", "first_child", "next_sibling", "prev_sibling", "clean", "where",
                 "holder")

    def __init__(self, addr, buf, off, where, holder=None):
        d = K().slot.decode(buf, off)
        self.addr = addr
        for k, v in d.items():
            setattr(self, k, v)
        self.where = where
        self.holder = holder
        self.clean = not any(buf[off:off + K().slot_size])

    @property
    def empty(self):
        return self.type == consts.NULL

    @property
    def paddr(self):
        return self.obj


class World:
    """Lazy, cached reads of the kernel's objects for one command."""

    def __init__(self):
        self.k = K()
        self._objs = {}
        self._lists = None
        self._index = None
        self._pool_names = None

    # ---- globals -------------------------------------------------------
    def lists(self):
        """{type: (objects, problems)} walking object_lists[] with bounds."""
        if self._lists is not None:
            return self._lists
        k = self.k
        base = symbol_address("object_lists")
        n = k.type_count
        size = k.object_list.size
        buf = read(base, n * size, "object_lists")
        out = {}
        for t in range(n):
            d = k.object_list.decode(buf, t * size)
            objs, problems = [], []
            seen = set()
            a, prev = d["head"], 0
            while a:
                if a in seen:
                    problems.append("list %s: cycle at %#x" % (consts.type_label(t), a))
                    break
                if len(objs) > min(d["count"], MAX_LIST):
                    problems.append("list %s: walk passes its count %d"
                                    % (consts.type_label(t), d["count"]))
                    break
                seen.add(a)
                try:
                    o = self.obj(a)
                except Corrupt as e:
                    problems.append("list %s: %s" % (consts.type_label(t), e))
                    break
                if o.prev != prev:
                    problems.append("list %s: object %#x has prev %#x, expected %#x"
                                    % (consts.type_label(t), a, o.prev, prev))
                if o.type != t or o.state != k.object_live:
                    problems.append("list %s: object %#x has type %d state %d"
                                    % (consts.type_label(t), a, o.type, o.state))
                objs.append(o)
                prev, a = a, o.next
            if not problems and (len(objs) != d["count"] or d["tail"] != prev):
                problems.append("list %s: %d objects linked, count %d, tail %s"
                                % (consts.type_label(t), len(objs), d["count"],
                                   "ok" if d["tail"] == prev else "wrong"))
            out[t] = (objs, problems)
        self._lists = out
        return out

    def objects(self, t):
        return self.lists()[t][0]

    def current(self):
        k = self.k
        buf = read(symbol_address("sched"), k.sched.size, "sched")
        return k.sched.decode(buf)["current"]

    # ---- objects -------------------------------------------------------
    def obj(self, addr):
        """The header of the object at addr (cached)."""
        o = self._objs.get(("o", addr))
        if o is None:
            if addr % 8:
                raise Corrupt("object pointer %#x misaligned" % addr)
            o = Obj(addr, read(addr, self.k.obj_size, "object header"))
            self._objs[("o", addr)] = o
        return o

    def _typed(self, addr, want):
        o = self.obj(addr)
        if o.type != want:
            raise Corrupt("%#x is a %s, not a %s" % (addr, consts.type_label(o.type),
                                                     consts.type_label(want)))
        return o

    def pool(self, addr):
        """(Obj, radix, [Slot]) of the CPool at addr: one read for all slots."""
        key = ("pool", addr)
        if key not in self._objs:
            o = self._typed(addr, consts.CPOOL)
            k = self.k
            radix = u64(read(addr + k.cpool_radix, 8, "cpool radix"), 0) & 0xffffffff
            if radix > MAX_RADIX:
                raise Corrupt("cpool %#x: radix %d" % (addr, radix))
            n = 1 << radix
            buf = read(addr + k.cpool_slots, n * k.slot_size, "cpool slots")
            label = self.pool_label(addr, o)
            slots = [Slot(addr + k.cpool_slots + i * k.slot_size, buf, i * k.slot_size,
                          "%s[%d]" % (label, i), addr) for i in range(n)]
            self._objs[key] = (o, radix, slots)
        return self._objs[key]

    def task(self, addr):
        """A dict of the task's fields plus 'obj' and 'slots'."""
        key = ("task", addr)
        if key not in self._objs:
            o = self._typed(addr, consts.TASK)
            k = self.k
            buf = read(addr, k.task_size, "task")
            d = k.task.decode(buf)
            d["raw"] = buf
            d["obj"] = o
            d["addr"] = addr
            d["slots"] = [Slot(addr + k.task_slots + i * k.slot_size, buf,
                               k.task_slots + i * k.slot_size,
                               "task '%s'.%s" % (o.name, k.task_slot_names[i]
                                                 if i < len(k.task_slot_names) else i), addr)
                          for i in range(k.task_slot_count)]
            self._objs[key] = d
        return self._objs[key]

    def channel(self, addr):
        key = ("chan", addr)
        if key not in self._objs:
            o = self._typed(addr, consts.CHANNEL)
            k = self.k
            buf = read(addr, k.channel_size, "channel")
            d = k.channel.decode(buf)
            d["raw"] = buf
            d["obj"] = o
            d["addr"] = addr
            msgs = []
            for i in range(k.ring_len):
                off = k.ring + i * k.msg_size
                m = k.msg.decode(buf, off)
                m["words"] = [u64(buf, off + k.msg_words + 8 * w)
                              for w in range(k.msg_word_count)]
                m["cap"] = Slot(addr + off + k.msg_cap, buf, off + k.msg_cap,
                                "chan %s.ring[%d].cap" % (self.label(o), i), addr)
                msgs.append(m)
            d["ring"] = msgs
            self._objs[key] = d
        return self._objs[key]

    def notification(self, addr):
        o = self._typed(addr, consts.NOTIFICATION)
        d = self.k.ntfn.decode(read(addr, self.k.ntfn_size, "notification"))
        d["obj"] = o
        return d

    def irq_handler(self, addr):
        key = ("irq", addr)
        if key not in self._objs:
            o = self._typed(addr, consts.IRQ_HANDLER)
            k = self.k
            buf = read(addr, k.irq_handler_size, "irq handler")
            d = k.irq_handler.decode(buf)
            d["obj"] = o
            d["slot"] = Slot(addr + k.irq_handler_slot, buf, k.irq_handler_slot,
                             "irqhandler %d.notification" % d["irq"], addr)
            self._objs[key] = d
        return self._objs[key]

    # ---- queues --------------------------------------------------------
    def queue(self, head, expect_queue=None):
        """Tasks on a wait/run queue from head: ([addr], problem or None)."""
        out, seen, prev = [], set(), 0
        a = head
        while a:
            if a in seen:
                return out, "cycle at task %#x" % a
            if len(out) >= MAX_LIST:
                return out, "longer than %d" % MAX_LIST
            seen.add(a)
            try:
                t = self.task(a)
            except Corrupt as e:
                return out, str(e)
            if t["queue_prev"] != prev:
                return out, "task %#x has queue_prev %#x, expected %#x" % (a, t["queue_prev"], prev)
            if expect_queue is not None and t["queue"] != expect_queue:
                return out, "task %#x says it is on queue %#x" % (a, t["queue"])
            out.append(a)
            prev, a = a, t["queue_next"]
        return out, None

    # ---- naming --------------------------------------------------------
    def label(self, o):
        return "'%s'" % o.name if o.name else "%#x" % o.addr

    def pool_label(self, addr, o=None):
        """A CPool's name: its debug name, else 'TASK:root', else cpool@ADDR."""
        if o is not None and o.name:
            return o.name
        if self._pool_names is None:
            self._pool_names = {}
            for t in self.objects(consts.TASK):
                try:
                    s = self.task(t.addr)["slots"][0]
                except Corrupt:
                    continue
                if s.type == consts.CPOOL and s.obj not in self._pool_names:
                    self._pool_names[s.obj] = "%s:root" % (t.name or "%#x" % t.addr)
        return self._pool_names.get(addr, "cpool@%#x" % addr)

    def task_name(self, addr):
        try:
            o = self.obj(addr)
            return o.name or "%#x" % addr
        except Corrupt:
            return "<corrupt task %#x>" % addr

    # ---- every slot ----------------------------------------------------
    def containers(self):
        """(holder Obj, [Slot]) for every listed object with slots; problems."""
        out, problems = [], []
        for t, getter in ((consts.CPOOL, lambda a: self.pool(a)[2]),
                          (consts.TASK, lambda a: self.task(a)["slots"]),
                          (consts.CHANNEL, lambda a: [m["cap"] for m in self.channel(a)["ring"]]),
                          (consts.IRQ_HANDLER, lambda a: [self.irq_handler(a)["slot"]])):
            for o in self.objects(t):
                try:
                    out.append((o, getter(o.addr)))
                except Corrupt as e:
                    problems.append(str(e))
        return out, problems

    def index(self):
        """{slot address: Slot} over every container."""
        if self._index is None:
            idx = {}
            for _, slots in self.containers()[0]:
                for s in slots:
                    idx[s.addr] = s
            self._index = idx
        return self._index

    def slot_at(self, addr):
        """The Slot at addr: from the index, else read on its own."""
        s = self.index().get(addr)
        if s is None:
            if addr % 8:
                raise Corrupt("slot pointer %#x misaligned" % addr)
            s = Slot(addr, read(addr, self.k.slot_size, "slot"), 0, "slot@%#x" % addr)
        return s

    # ---- physical memory -------------------------------------------------
    def phys_to_virt(self, pa):
        return consts.arch("DIRECT_MAP_BASE") + pa

    def virt_to_phys(self, va):
        kb = consts.arch("KERNEL_VBASE")
        return va - kb if va >= kb else va - consts.arch("DIRECT_MAP_BASE")
