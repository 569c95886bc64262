"""Pretty-printers for struct task, cap, slot, channel and cpool.

Each decodes through the same bulk readers as the commands; a value that
is not in memory (no address) falls back to GDB's default printing, and
corrupt memory prints as <corrupt: reason>. Like the commands, they
first check that there is a kernel to read (mem.require_kernel), and say
why not instead of decoding garbage.
"""
import gdb

from . import consts, fmt
from .mem import Corrupt, NoKernel, read, require_kernel
from .model import Slot, World
from .types import K


_ready = {}


def _forget(_event=None):
    _ready.clear()


for _ev in ("stop", "cont", "exited", "new_objfile", "memory_changed", "before_prompt"):
    if hasattr(gdb.events, _ev):
        getattr(gdb.events, _ev).connect(_forget)


def readiness():
    """None when there is a kernel to decode, else why not. Kept until the
    target runs, stops or changes (a CPool prints 2^n slot printers)."""
    try:
        inf = gdb.selected_inferior()
        key = (inf.num, inf.pid, len(inf.threads()))
    except gdb.error:
        key = None
    if key not in _ready:
        try:
            require_kernel()
            _ready[key] = None
        except NoKernel as e:
            _ready[key] = "%s; print/r shows the raw fields" % e
        except Exception as e:  # noqa: BLE001 - e.g. the target is running: not kept
            return str(e)
    return _ready[key]


class _Printer:
    def __init__(self, val):
        self.addr = int(val.address)

    def to_string(self):
        # As the commands: no decoding of memory that is not a live
        # kernel's (before kernel_debug.ready, the wrong ELF, no target).
        why = readiness()
        if why:
            return "<kdbg: %s>" % why
        try:
            return self.text(World())
        except Corrupt as e:
            return "<corrupt: %s>" % e
        except Exception as e:  # noqa: BLE001 - a printer must never raise
            return "<corrupt: %s: %s>" % (type(e).__name__, e)


def _cap_text(world, s):
    if s.empty:
        return "empty" + ("" if s.clean else " <corrupt: nonzero bytes>")
    return fmt.cap_line(world, s).rstrip()


class CapPrinter(_Printer):
    def text(self, world):
        s = world.index().get(self.addr)
        if s is None:
            s = Slot(self.addr, read(self.addr, K().slot_size, "cap"), 0, "?")
        return "cap " + " ".join(_cap_text(world, s).split())


class SlotPrinter(_Printer):
    def text(self, world):
        s = world.slot_at(self.addr)
        return "slot [%s] %s parent %#x first_child %#x next %#x prev %#x" % (
            s.where, " ".join(_cap_text(world, s).split()), s.parent, s.first_child,
            s.next_sibling, s.prev_sibling)


class TaskPrinter(_Printer):
    def text(self, world):
        from .tasks import blocked_on
        t = world.task(self.addr)
        b = blocked_on(world, t)
        return "task '%s' %s prio %d ip %#x sp %#x%s" % (
            t["obj"].name, consts.state_label(t["state"]), t["priority"], t["ip"], t["sp"],
            " blocked on " + b if b else "")


class ChannelPrinter(_Printer):
    def text(self, world):
        from .chan import describe
        lines = []
        describe(world, self.addr, lines.append)
        return "\n".join(lines)


class CPoolPrinter(_Printer):
    def text(self, world):
        o, radix, slots = world.pool(self.addr)
        lines = ["cpool %s: %d slots (radix %d)" % (world.pool_label(self.addr, o), 1 << radix,
                                                    radix)]
        for i, s in enumerate(slots):
            if not s.empty or not s.clean:
                lines.append("  [%d] %s" % (i, _cap_text(world, s)))
        return "\n".join(lines)


PRINTERS = {"cap": CapPrinter, "slot": SlotPrinter, "task": TaskPrinter,
            "channel": ChannelPrinter, "cpool": CPoolPrinter}


def lookup_printer(val):
    try:
        t = val.type.strip_typedefs()
    except gdb.error:
        return None
    if t.code != gdb.TYPE_CODE_STRUCT or t.tag not in PRINTERS or val.address is None:
        return None
    return PRINTERS[t.tag](val)


lookup_printer.name = "kdbg"


def register():
    gdb.pretty_printers[:] = [p for p in gdb.pretty_printers
                              if getattr(p, "name", None) != "kdbg"]
    gdb.pretty_printers.append(lookup_printer)
