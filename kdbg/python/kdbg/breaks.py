"""kdbg break: stop when a task performs a capability or IPC operation.

Each `kdbg break OP` plants internal GDB breakpoints on the kernel
functions that carry OP out (OPS below); their stop() reads the caller
(sched.current) and the system call's argument words from its saved
user context (struct arch_context, register names of the syscall ABI in
include/uapi/cairn/syscalls.h), decides whether the filters match, and
says what the task is doing before GDB stops. Argument names come from
the generated SYSCALLS table, types and rights from cairn_constants.

CHAN_CALL and CHAN_REPLY_RECV enter the IPC fastpath first on both
arches (arch/*/trapentry.S, vectors.S call fastpath_call and
fastpath_reply_recv for every such call, then fall back to
kernel_syscall when the fastpath declines). So `call` breaks at
fastpath_call only and `reply` at fastpath_reply_recv (plus
sys_chan_reply for a plain CHAN_REPLY): each call stops exactly once,
whichever path then handles it. A kernel without the fastpath symbols
gets sys_chan_call / sys_chan_reply_recv instead.
"""

import gdb

from . import consts, mem
from .command import KdbgCommand, Usage, as_typed, find_task, number, pointer_to, register, value_of
from .fmt import rights as rights_text
from .layout import field, lookup
from .mem import Corrupt
from .model import World

# operation -> [(kernel function, syscall it handles, fallback function)]
OPS = {
    "retype": [("sys_untyped_retype", "UNTYPED_RETYPE", None)],
    "copy": [("sys_cap_copy", "CAP_COPY", None)],
    "mint": [("sys_cap_mint", "CAP_MINT", None)],
    "move": [("sys_cap_move", "CAP_MOVE", None)],
    "delete": [("sys_cap_delete", "CAP_DELETE", None)],
    "revoke": [("sys_cap_revoke", "CAP_REVOKE", None)],
    "send": [("sys_chan_send", "CHAN_SEND", None),
             ("sys_chan_try_send", "CHAN_TRY_SEND", None)],
    "recv": [("sys_chan_recv", "CHAN_RECV", None),
             ("sys_chan_try_recv", "CHAN_TRY_RECV", None),
             ("fastpath_reply_recv", "CHAN_REPLY_RECV", "sys_chan_reply_recv")],
    "call": [("fastpath_call", "CHAN_CALL", "sys_chan_call")],
    "reply": [("sys_chan_reply", "CHAN_REPLY", None),
              ("fastpath_reply_recv", "CHAN_REPLY_RECV", "sys_chan_reply_recv")],
    "fault": [("kernel_user_fault", None, None)],
}

# Syscall argument registers (include/uapi/cairn/syscalls.h), as
# struct arch_context field names: a0..a5.
ABI_ARGS = {"x86_64": ["rdi", "rsi", "rdx", "r10", "r8", "r9"],
            "aarch64": ["x[%d]" % i for i in range(6)]}

_breaks = {}
_next_id = 1


def _function_exists(name):
    try:
        sym = gdb.lookup_global_symbol(name) or gdb.lookup_static_symbol(name)
    except gdb.error:
        sym = None
    return sym is not None and sym.type is not None and \
        sym.type.strip_typedefs().code == gdb.TYPE_CODE_FUNC


def _syscall_args(name):
    """Argument names of a syscall from the generated table."""
    for e in consts._need().SYSCALLS.values():
        if e["name"] == name:
            return [a.strip() for a in e["args"].split(",") if a.strip()]
    raise Corrupt("no syscall %s in cairn_constants" % name)


def _dwarf_enum(name, default):
    try:
        return int(gdb.parse_and_eval(name))
    except gdb.error:
        return default


def type_by_name(text):
    """An object type number from its label or ABI name, or None."""
    t = text.lower()
    for value, e in consts._need().OBJ_TYPES.items():
        if value != consts.NULL and t in (e["label"].lower(), e["name"].lower(),
                                          e["name"].lower().replace("_", "")):
            return value
    return None


def type_names():
    return ", ".join(e["label"] for v, e in sorted(consts._need().OBJ_TYPES.items())
                     if v != consts.NULL)


class _Call:
    """The caller and argument words of the syscall being handled."""

    def __init__(self, syscall):
        self.cur = gdb.parse_and_eval("sched.current")
        self.task = int(self.cur)
        self.name = self.cur.dereference()["hdr"]["name"].string() if self.task else ""
        self.syscall = syscall
        self.words = {}
        if syscall:
            ctx = self.cur.dereference()["ctx"]
            regs = ABI_ARGS[consts.arch_name()]
            for i, a in enumerate(_syscall_args(syscall)):
                self.words[a] = int(_field(ctx, regs[i])) & 0xffffffffffffffff

    def __getitem__(self, k):
        return self.words[k]


def _field(v, path):
    if "[" in path:
        name, idx = path.rstrip("]").split("[")
        return v[name][int(idx)]
    return v[path]


def caddr(word):
    """(addr, depth) of a CAddr argument word."""
    shift = consts.define("CAIRN_SYS_DEPTH_SHIFT", 57)
    return word & ((1 << shift) - 1), word >> shift


def slot_text(word):
    addr, depth = caddr(word)
    if word == 0xffffffffffffffff:
        return "no slot"
    return "slot %d" % addr if depth == 0 else "caddr %#x/%d" % (addr, depth)


class _Stop:
    """What one hit decodes: a sentence, the slots named, the type."""

    def __init__(self, call, world):
        self.call = call
        self.world = world
        self.slots = []
        self.type = None
        self.text = ""

    def lookup(self, word):
        """The Slot a CAddr word names in the caller's CSpace, or None."""
        from .functions import resolve_caddr
        addr, depth = caddr(word)
        try:
            root = self.world.task(self.call.task)["slots"][0]
            return self.world.slot_at(resolve_caddr(self.world, root, addr, depth))
        except (gdb.GdbError, Corrupt):
            return None

    def cap_type(self, word):
        s = self.lookup(word)
        return None if s is None else s.type


def _describe_cap(stop, word, with_type=True):
    addr, _ = caddr(word)
    stop.slots.append(addr)
    t = stop.cap_type(word)
    if with_type:
        stop.type = t
    label = "empty" if t == consts.NULL else ("?" if t is None else consts.type_label(t))
    return "%s (%s)" % (slot_text(word), label)


def _chan_text(stop, word):
    addr, _ = caddr(word)
    stop.slots.append(addr)
    s = stop.lookup(word)
    if s is None:
        return slot_text(word) + " (unresolved)"
    if s.type != consts.CHANNEL:
        return "%s (%s, not a channel)" % (slot_text(word), consts.type_label(s.type))
    try:
        o = stop.world.obj(s.obj)
        name = " " + stop.world.label(o)
    except Corrupt:
        name = ""
    badge = ", badge %#x" % s.data if s.flags & stop.world.k.flag_badged else ""
    return "%s (channel%s%s)" % (slot_text(word), name, badge)


def _message(stop, info, words):
    n = info & _dwarf_enum("CAIRN_MSG_LEN_MASK", 0xf)
    inline = [words[k] for k in ("w0", "w1", "w2", "w3") if k in words][:n]
    text = "%d word%s [%s]" % (n, "" if n == 1 else "s",
                               " ".join("%#x" % w for w in inline) + (" ..." if n > 4 else ""))
    if info & _dwarf_enum("CAIRN_MSG_CAP", 1 << 8):
        text += ", with a cap" + _sent_cap(stop)
    return text


def _sent_cap(stop):
    """ the cap named by tb.send_cap (the task buffer, via the direct map)."""
    try:
        w = stop.world
        buf = w.task(stop.call.task)["slots"][w.k.task_slot_names.index("buffer")]
        if buf.type != consts.PAGE:
            return ""
        off = field(lookup("struct task_buffer"), "send_cap")[0]
        word = int(gdb.parse_and_eval("*(unsigned long *)%#x" % (w.phys_to_virt(buf.obj) + off)))
        return " from " + _describe_cap(stop, word)
    except Exception:  # noqa: BLE001 - an unreadable buffer only loses the detail
        return ""


def describe(op, fn, syscall, call, world):
    """(sentence, _Stop) for a hit of `op` in kernel function fn."""
    st = _Stop(call, world)
    c = call
    if op in ("copy", "mint"):
        text = "%s %s -> %s, rights %s" % (op, _describe_cap(st, c["src"]), slot_text(c["dest"]),
                                          rights_text(c["rights"] & 0xff))
        st.slots.append(caddr(c["dest"])[0])
        if op == "mint":
            text += ", badge %s" % (c["data"] if c["data"] < 10 else "%#x" % c["data"])
    elif op == "move":
        text = "move %s -> %s" % (_describe_cap(st, c["src"]), slot_text(c["dest"]))
        st.slots.append(caddr(c["dest"])[0])
    elif op in ("delete", "revoke"):
        text = "%s %s" % (op, _describe_cap(st, c["slot"]))
    elif op == "retype":
        ut = _describe_cap(st, c["ut"], with_type=False)
        tl = consts.type_label(c["type"])
        first, count = c["dest_index"], c["count"]
        st.type = c["type"]
        st.slots.extend(range(first, first + min(count, 1 << 20)))
        pool = slot_text(c["dest_pool"])
        text = "retype %s -> %d %s%s at index %d%s of the cpool in %s" % (
            ut, count, tl, "" if count == 1 else "s", first,
            "" if count <= 1 else "..%d" % (first + count - 1), pool)
        if c["size_bits"]:
            text += ", size bits %d" % c["size_bits"]
    elif op in ("send", "call"):
        verb = {"CHAN_TRY_SEND": "send (non-blocking)"}.get(syscall, op)
        text = "%s on %s: %s" % (verb, _chan_text(st, c["chan"]),
                                 _message(st, c["info"], c.words))
    elif op == "recv":
        verb = {"CHAN_TRY_RECV": "recv (non-blocking)",
                "CHAN_REPLY_RECV": "recv (reply-recv)"}.get(syscall, "recv")
        text = "%s on %s" % (verb, _chan_text(st, c["chan"]))
    elif op == "reply":
        client = _reply_to(call)
        text = "reply to '%s': %s" % (world.task_name(client) if client else "?",
                                       _message(st, c["info"], c.words))
        if syscall == "CHAN_REPLY_RECV":
            text += ", then recv on " + _chan_text(st, c["chan"])
    elif op == "fault":
        f = gdb.selected_frame().read_var("f").dereference()
        kind, ip, addr = int(f["kind"]), int(f["ip"]), int(f["addr"])
        from .usersyms import symbolize
        sym = symbolize(ip)
        text = "fault: %s at ip %#x%s (address %#x, code %#x)" % (
            consts.fault_label(kind), ip, " <%s>" % sym if sym else "", addr, int(f["code"]))
    else:
        text = op
    st.text = text
    return st


def _reply_to(call):
    return int(call.cur.dereference()["reply_to"])


class _Bp(gdb.Breakpoint):
    def __init__(self, owner, fn, syscall):
        super().__init__(fn, gdb.BP_BREAKPOINT, internal=True)
        self.owner = owner
        self.fn = fn
        self.syscall = syscall

    def stop(self):
        with mem.reading_in_stop():
            return self._stop()

    def _stop(self):
        b = self.owner
        try:
            call = _Call(self.syscall)
            if not call.task:
                return False
            if b.task is not None and call.task != b.task:
                return False
            if b.op == "reply" and self.syscall == "CHAN_REPLY_RECV" and not _reply_to(call):
                return False  # a reply-recv with no call pending only receives
            st = describe(b.op, self.fn, self.syscall, call, World())
            if b.slot is not None and b.slot not in st.slots:
                return False
            if b.type is not None and st.type != b.type:
                return False
            msg = "kdbg break %d: %s: %s" % (b.id, call.name or "%#x" % call.task, st.text)
        except Exception as e:  # noqa: BLE001 - stop and say why, never a traceback
            msg = "kdbg break %d: %s in %s: <corrupt: %s: %s>" % (b.id, b.op, self.fn,
                                                                 type(e).__name__, e)
        b.hits += 1
        b.last = msg
        gdb.write(msg + "\n")
        return True


class Break:
    def __init__(self, op, task, task_label, slot, type_):
        global _next_id
        self.id = _next_id
        self.op, self.task, self.task_label, self.slot, self.type = op, task, task_label, slot, type_
        self.hits = 0
        self.last = ""
        self.bps = []
        try:
            for fn, syscall, fallback in OPS[op]:
                if not _function_exists(fn) and fallback and _function_exists(fallback):
                    fn = fallback
                if not _function_exists(fn):
                    raise Usage("the kernel has no function %s (for %s)" % (fn, op))
                self.bps.append(_Bp(self, fn, syscall))
        except Exception:
            self.delete()
            raise
        _next_id += 1

    def functions(self):
        return ", ".join(bp.fn for bp in self.bps)

    def filters(self):
        f = []
        if self.task is not None:
            f.append("--task %s" % self.task_label)
        if self.slot is not None:
            f.append("--slot %d" % self.slot)
        if self.type is not None:
            f.append("--type %s" % consts.type_label(self.type))
        return " ".join(f)

    def delete(self):
        for bp in self.bps:
            if bp.is_valid():
                bp.delete()
        self.bps = []


def object_type(text):
    """An argparse type: an object type's number from its name."""
    t = type_by_name(text)
    if t is None:
        import argparse
        raise argparse.ArgumentTypeError("'%s' is not an object type (%s)" % (text, type_names()))
    return t


def parse(world, args):
    """(op, task address, task label, slot, type) from the parsed arguments."""
    op, task, label = args.sub, None, args.task
    if label is not None:
        task = find_task(world, label)
        if task is None:
            try:
                task, is_task = pointer_to(value_of(as_typed(label)), "task")
            except Usage:
                is_task = False
            if not is_task:
                raise Usage("--task: no task named '%s' (kdbg tasks lists them)" % label)
    if args.slot is not None and op == "fault":
        raise Usage("--slot does not apply to fault")
    if args.type is not None and op in ("fault", "recv"):
        raise Usage("--type does not apply to %s" % op)
    return op, task, label, args.slot, args.type


@register
class KdbgBreak(KdbgCommand):
    """Stop when a task performs a capability or IPC operation.

GDB stops in the kernel function that carries the operation out, before
it acts, and kdbg says who does what, e.g.
  kdbg break 1: rinit: mint slot 255 (channel) -> slot 100, rights -w--, badge 7
send includes the non-blocking form; recv includes the receive of a
reply-recv; call and reply are caught whether the IPC fastpath or the
full path runs them. The breakpoints are internal: `kdbg break list`
shows them with their kernel functions and hits, `kdbg break remove`
deletes them."""
    name = "break"
    no_json = "setting or removing a breakpoint prints no data; `kdbg break list --json` " \
              "lists them"

    @staticmethod
    def arguments(p):
        ops = list(OPS)
        s = p.subcommands("operation", missing="needs an operation")
        op = p.sub(s, ops[0], aliases=ops[1:],
                   help="stop when a task does that operation (filters below)")
        op.arg("--task", metavar="NAME", complete="task",
               help="only that task (a name or a struct task * expression)")
        op.arg("--slot", metavar="N", type=number("a slot number"),
               help="only when the operation names slot N: a source, destination, the "
                    "channel, or a retype's untyped or new slots")
        op.arg("--type", metavar="T", type=object_type, complete="type",
               help="cap operations: the type of the cap acted on; retype: the type made; "
                    "send, call, reply: the type of a cap the message carries")
        ls = p.sub(s, "list", help="the kdbg breakpoints, their kernel functions and hits")
        ls.json("{\"breaks\": [{\"number\", \"op\", \"task\", \"slot\", \"type\", "
                "\"functions\", \"hits\", \"last\"}]}")
        rm = p.sub(s, "remove", help="delete kdbg breakpoint N, or all")
        rm.arg("which", metavar="N|all",
               missing="remove takes one kdbg breakpoint number or all")

    def run(self, world, args):
        if args.sub == "list":
            if getattr(args, "json", False):
                import json
                self.out(json.dumps({"breaks": [{
                    "number": b.id, "op": b.op, "task": b.task_label, "slot": b.slot,
                    "type": consts.type_label(b.type) if b.type is not None else None,
                    "functions": [bp.fn for bp in b.bps], "hits": b.hits,
                    "last": b.last or None} for b in _breaks.values()]},
                    separators=(",", ":")))
                return
            if not _breaks:
                self.out("no kdbg breakpoints")
            for b in _breaks.values():
                self.out("%d  %s %s  at %s  %d hit%s%s" % (
                    b.id, b.op, b.filters() or "(any task)", b.functions(), b.hits,
                    "" if b.hits == 1 else "s", "\n   last: " + b.last if b.last else ""))
            return
        if args.sub == "remove":
            which = args.which
            if not (which == "all" or which.isdigit()):
                raise Usage("remove takes one kdbg breakpoint number or all")
            ids = list(_breaks) if which == "all" else [int(which)]
            for i in ids:
                if i not in _breaks:
                    raise Usage("no kdbg breakpoint %d (kdbg break list)" % i)
                _breaks.pop(i).delete()
            self.out("deleted %s" % ("every kdbg breakpoint" if which == "all"
                                     else "kdbg breakpoint %s" % which))
            return
        op, task, label, slot, type_ = parse(world, args)
        b = Break(op, task, label, slot, type_)
        _breaks[b.id] = b
        self.out("kdbg break %d: %s%s at %s" % (b.id, op, " " + b.filters() if b.filters() else "",
                                                b.functions()))


def breaks():
    """The kdbg breakpoints, by number (for tests and other modules)."""
    return dict(_breaks)
