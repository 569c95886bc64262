"""Convenience functions: $kdbg_task, $kdbg_cap, $kdbg_current."""
import gdb

from . import consts
from .command import find_task
from .layout import lookup
from .mem import Corrupt
from .model import World


def _task(world, arg):
    if arg.type.strip_typedefs().code == gdb.TYPE_CODE_PTR:
        return int(arg)
    try:
        name = arg.string()
    except gdb.error:
        return int(arg)
    a = find_task(world, name)
    if a is None:
        raise gdb.GdbError("$kdbg_task: no task named '%s'" % name)
    return a


class TaskFn(gdb.Function):
    """$kdbg_task("NAME") - the struct task * of the task with that debug name."""

    def __init__(self):
        super().__init__("kdbg_task")

    def invoke(self, name):
        try:
            a = _task(World(), name)
        except Corrupt as e:
            raise gdb.GdbError("$kdbg_task: <corrupt: %s>" % e)
        return gdb.Value(a).cast(lookup("struct task").pointer())


class CurrentFn(gdb.Function):
    """$kdbg_current() - the running task (sched.current), NULL while idle."""

    def __init__(self):
        super().__init__("kdbg_current")

    def invoke(self):
        try:
            a = World().current()
        except Corrupt as e:
            raise gdb.GdbError("$kdbg_current: <corrupt: %s>" % e)
        return gdb.Value(a).cast(lookup("struct task").pointer())


def resolve_caddr(world, root, addr, depth):
    """Slot address for `addr` resolved from the root CPool cap (a Slot),
    as cpool_lookup_slot does; depth 0 means one level (guard + radix)."""
    cap = root
    if depth == 0:
        if cap.type != consts.CPOOL:
            raise gdb.GdbError("root is not a CPool")
        depth = cap.bits + world.pool(cap.obj)[1]
    if not 1 <= depth <= 64 or (depth < 64 and addr >> depth):
        raise gdb.GdbError("RANGE: depth %d for address %#x" % (depth, addr))
    left = depth
    for _ in range(64):
        if cap.type != consts.CPOOL:
            raise gdb.GdbError("DEPTH_MISMATCH: %d bits left at a %s cap"
                               % (left, consts.type_label(cap.type)))
        _, radix, slots = world.pool(cap.obj)
        g = cap.bits
        if g + radix > left:
            raise gdb.GdbError("DEPTH_MISMATCH: address ends inside a pool's guard/radix")
        left -= g
        if g and ((addr >> left) & ((1 << g) - 1)) != cap.data:
            raise gdb.GdbError("GUARD_MISMATCH")
        left -= radix
        s = slots[(addr >> left) & ((1 << radix) - 1)]
        if left == 0:
            return s.addr
        if s.empty:
            raise gdb.GdbError("MISSING_CAP: %d bits left at an empty slot" % left)
        cap = s
    raise gdb.GdbError("lookup does not end")


class CapFn(gdb.Function):
    """$kdbg_cap(TASK, CADDR [, DEPTH]) - the struct cap at CADDR in TASK's CSpace.

TASK is a name string or a struct task *. CADDR is resolved from the
task's root CPool like the kernel does (guards, nested pools); DEPTH 0 or
omitted means one level, as a plain slot number in the shell. The result
is an lvalue: `&$kdbg_cap(...)` is the slot address (struct slot *)."""

    def __init__(self):
        super().__init__("kdbg_cap")

    def invoke(self, task, caddr, depth=None):
        world = World()
        try:
            t = world.task(_task(world, task))
            a = resolve_caddr(world, t["slots"][0], int(caddr), int(depth) if depth else 0)
        except Corrupt as e:
            raise gdb.GdbError("$kdbg_cap: <corrupt: %s>" % e)
        return gdb.Value(a).cast(lookup("struct cap").pointer()).dereference()


def register():
    TaskFn()
    CurrentFn()
    CapFn()
