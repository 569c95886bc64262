"""The kernel's structures as kdbg decodes them, all from DWARF.

K() returns the layouts, built once per loaded ELF (reset() on a new
objfile). Constants (type, state, error names) come from the generated
cairn_constants module; enum values are checked against DWARF.
"""
import gdb

from . import consts
from .layout import Record, array_info, field, lookup

_cache = None


class Kernel:
    def __init__(self):
        self.obj = Record("struct object", [
            ("type", "type"), ("state", "state"), ("flags", "flags"),
            ("cap_count", "cap_count"), ("next", "next"), ("prev", "prev"),
            ("name", "name")])
        self.slot = Record("struct slot", [
            ("type", "cap.type"), ("rights", "cap.rights"), ("bits", "cap.bits"),
            ("flags", "cap.flags"), ("spare", "cap.spare"), ("obj", "cap.obj"),
            ("data", "cap.data"), ("parent", "parent"), ("first_child", "first_child"),
            ("next_sibling", "next_sibling"), ("prev_sibling", "prev_sibling")])
        self.cap_size = lookup("struct cap").sizeof
        self.object_list = Record("struct object_list", [
            ("head", "head"), ("tail", "tail"), ("count", "count")])
        cp = lookup("struct cpool")
        self.cpool_radix = field(cp, "radix_bits")[0]
        self.cpool_slots = field(cp, "slots")[0]
        self.cpool_header = self.cpool_slots
        tk = lookup("struct task")
        ctx = lookup("struct arch_context")
        ip = next(n for n in ("rip", "pc", "elr") if _has(ctx, n))
        sp = next(n for n in ("rsp", "sp", "sp_el0") if _has(ctx, n))
        self.task = Record("struct task", [
            ("state", "state"), ("priority", "priority"), ("time_slice", "time_slice"),
            ("queue_next", "queue_next"), ("queue_prev", "queue_prev"), ("queue", "queue"),
            ("blocked_on", "blocked_on"), ("buffer_vaddr", "buffer_vaddr"),
            ("reply_to", "reply_to"), ("reply_from", "reply_from"),
            ("fault_kind", "fault.kind"), ("fault_addr", "fault.addr"),
            ("ip", "ctx." + ip), ("sp", "ctx." + sp)])
        self.task_slots, _, self.task_slot_count = array_info(tk, "slots")
        self.task_size = tk.sizeof
        self.task_slot_names = [e.name[len("TASK_SLOT_"):].lower()
                                for e in lookup("enum task_slot_index").fields()
                                if e.name != "TASK_SLOT_COUNT"]
        ch = lookup("struct channel")
        self.channel = Record("struct channel", [
            ("senders_head", "senders.head"), ("senders_tail", "senders.tail"),
            ("receivers_head", "receivers.head"), ("receivers_tail", "receivers.tail"),
            ("head", "head"), ("count", "count")])
        self.channel_senders = field(ch, "senders")[0]
        self.channel_receivers = field(ch, "receivers")[0]
        self.ring, self.msg_size, self.ring_len = array_info(ch, "ring")
        self.channel_size = ch.sizeof
        msg = lookup("struct channel_msg")
        self.msg = Record("struct channel_msg", [
            ("badge", "badge"), ("info", "info"), ("caller", "caller")])
        self.msg_words, _, self.msg_word_count = array_info(msg, "words")
        self.msg_cap = field(msg, "cap")[0]
        nt = lookup("struct notification")
        self.ntfn = Record("struct notification", [
            ("word", "word"), ("waiters_head", "waiters.head"), ("waiters_tail", "waiters.tail")])
        self.ntfn_waiters = field(nt, "waiters")[0]
        self.ntfn_size = nt.sizeof
        ih = lookup("struct irq_handler")
        self.irq_handler = Record("struct irq_handler", [("irq", "irq")])
        self.irq_handler_slot = field(ih, "notification")[0]
        self.irq_handler_size = ih.sizeof
        self.sizes = {}
        for t, name in ((consts.obj_type("IRQ_CONTROL"), "struct irq_control"),
                        (consts.obj_type("IO_PORT"), "struct io_port")):
            try:
                self.sizes[t] = lookup(name).sizeof
            except Exception:  # noqa: BLE001 - optional types
                self.sizes[t] = self.obj.size
        try:
            self.io_port = Record("struct io_port", [("first", "first"), ("last", "last")])
        except Exception:  # noqa: BLE001
            self.io_port = None
        self.log = Record("struct kernel_log", [("head", "head"), ("size", "size")])
        self.log_buf = field(lookup("struct kernel_log"), "buf")[0]
        sc = lookup("struct scheduler")
        self.sched = Record("struct scheduler", [("current", "current"), ("switches", "switches")])
        self.sched_ready, self.queue_size, self.prio_count = array_info(sc, "ready")
        self.sched_size = sc.sizeof
        ci = lookup("struct console_input")
        self.console_waiters = field(ci, "waiters")[0]
        self.slot_size = self.slot.size
        self.obj_size = self.obj.size
        self.type_count = consts.obj_type_count()
        self.rights_all = _enum_value("enum cairn_rights", "CAIRN_RIGHTS_ALL", 0xf)
        self.object_live = _enum_value("enum object_state", "OBJECT_LIVE", 1)
        self.flag_badged = 1
        self.flag_device = 2

    def object_size(self, type_, radix=0):
        """Bytes of a kernel object, as object_size() in kernel/object.c."""
        if type_ == consts.CPOOL:
            return self.cpool_slots + (self.slot_size << radix)
        if type_ == consts.TASK:
            return self.task_size
        if type_ == consts.CHANNEL:
            return self.channel_size
        if type_ == consts.NOTIFICATION:
            return self.ntfn_size
        if type_ == consts.IRQ_HANDLER:
            return self.irq_handler_size
        return self.sizes.get(type_, self.obj_size)


def _has(t, name):
    return any(f.name == name for f in t.fields())


def _enum_value(enum, name, default):
    try:
        for f in lookup(enum).fields():
            if f.name == name:
                return f.enumval
    except Exception:  # noqa: BLE001
        pass
    return default


def K():
    global _cache
    if _cache is None:
        _cache = Kernel()
    return _cache


def reset(_event=None):
    global _cache
    _cache = None


gdb.events.new_objfile.connect(reset)
