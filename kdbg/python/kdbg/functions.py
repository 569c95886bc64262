"""Convenience functions: $kdbg_task, $kdbg_cap, $kdbg_current."""
import gdb

from . import consts
from .command import MASK64, Usage, find_task, live_object, task_names
from .layout import lookup
from .mem import Corrupt, NoKernel, require_kernel
from .model import World


def _world(fn):
    """A World once there is a kernel to read (else the reason, as an error)."""
    try:
        require_kernel()
    except NoKernel as e:
        raise gdb.GdbError("$%s: %s" % (fn, e))
    return World()


def _task(world, arg, fn="kdbg_task"):
    """A live task from a name string, a struct task * or an address."""
    t = arg.type.strip_typedefs()
    name = None
    if t.code in (gdb.TYPE_CODE_ARRAY, gdb.TYPE_CODE_PTR) and \
            t.target().strip_typedefs().code == gdb.TYPE_CODE_INT and \
            t.target().strip_typedefs().sizeof == 1:
        try:
            name = arg.string()
        except gdb.error:
            name = None
    if name is not None:
        a = find_task(world, name)
        if a is None:
            raise gdb.GdbError("$%s: no task named '%s' (tasks: %s)"
                               % (fn, name, task_names(world)))
        return a
    if t.code not in (gdb.TYPE_CODE_PTR, gdb.TYPE_CODE_INT):
        raise gdb.GdbError("$%s: TASK is a name string or a struct task *, not a %s"
                           % (fn, arg.type))
    if t.code == gdb.TYPE_CODE_PTR:
        target = t.target().strip_typedefs()
        if target.code == gdb.TYPE_CODE_STRUCT and target.tag != "task":
            raise gdb.GdbError("$%s: TASK is a name string or a struct task *, not a %s"
                               % (fn, arg.type))
    a = int(arg) & MASK64
    try:
        return live_object(world, a, (consts.TASK,), "%#x" % a)[0]
    except Usage as e:
        raise gdb.GdbError("$%s: %s" % (fn, e))


class TaskFn(gdb.Function):
    """$kdbg_task("NAME") - the struct task * of the task with that debug name."""

    def __init__(self):
        super().__init__("kdbg_task")

    def invoke(self, name):
        world = _world("kdbg_task")
        try:
            a = _task(world, name)
        except Corrupt as e:
            raise gdb.GdbError("$kdbg_task: <corrupt: %s>" % e)
        return gdb.Value(a).cast(lookup("struct task").pointer())


class CurrentFn(gdb.Function):
    """$kdbg_current() - the running task (sched.current), NULL while idle."""

    def __init__(self):
        super().__init__("kdbg_current")

    def invoke(self):
        world = _world("kdbg_current")
        try:
            a = world.current()
        except Corrupt as e:
            raise gdb.GdbError("$kdbg_current: <corrupt: %s>" % e)
        return gdb.Value(a).cast(lookup("struct task").pointer())


def resolve_caddr(world, root, addr, depth, who="the task"):
    """Slot address for `addr` resolved from the root CPool cap (a Slot),
    as cpool_lookup_slot does; depth 0 means one level (guard + radix)."""
    cap = root
    if addr < 0:
        raise gdb.GdbError("CADDR %d is negative" % addr)
    if depth == 0:
        if cap.empty and cap.clean:
            raise gdb.GdbError("task %s has no root CPool yet (its cpool slot is empty)" % who)
        if cap.type != consts.CPOOL:
            raise gdb.GdbError("root is not a CPool")
        radix = world.pool(cap.obj)[1]
        depth = cap.bits + radix
        if addr >> depth:
            raise gdb.GdbError(
                "CADDR %d (%#x) is out of range: %s's root CPool has %d slots%s (a plain "
                "slot number is one level; give DEPTH for an address into nested pools)"
                % (addr, addr, who, 1 << radix,
                   ", behind a %d-bit guard" % cap.bits if cap.bits else ""))
    if not 1 <= depth <= 64:
        raise gdb.GdbError("DEPTH %d is out of range (1..64, or 0 for one level)" % depth)
    if depth < 64 and addr >> depth:
        raise gdb.GdbError("CADDR %#x does not fit in DEPTH %d bits" % (addr, depth))
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
        world = _world("kdbg_cap")
        try:
            t = world.task(_task(world, task, "kdbg_cap"))
            a = resolve_caddr(world, t["slots"][0], int(caddr), int(depth) if depth else 0,
                              t["obj"].name or "%#x" % t["addr"])
        except gdb.GdbError as e:
            if str(e).startswith("$"):
                raise
            raise gdb.GdbError("$kdbg_cap: %s" % e)
        except Corrupt as e:
            raise gdb.GdbError("$kdbg_cap: <corrupt: %s>" % e)
        return gdb.Value(a).cast(lookup("struct cap").pointer()).dereference()


def register():
    TaskFn()
    CurrentFn()
    CapFn()
