"""The `kdbg` prefix command and the base class of its subcommands.

A subcommand implements run(world, args) and writes with self.out(); the
base class turns every failure into a one-line message, never a Python
traceback: Corrupt -> <corrupt: reason>, bad usage -> gdb.GdbError.
Before run() it checks that there is a kernel to read (mem.require_kernel:
a target, initialised, matching the ELF); a class that needs less sets
requires = "target" (a target only) or None (nothing).
"""
import re
import shlex

import gdb

from . import consts
from .layout import LayoutError
from .mem import Corrupt, NoKernel, require_kernel, require_target
from .model import World

COMMANDS = []


class Usage(Exception):
    """Bad arguments: reported with the command's usage line."""


class KdbgPrefix(gdb.Command):
    """Cairn kernel debugger: commands that understand Cairn's objects.

Run `help kdbg COMMAND` for one command. Layouts come from the kernel's
DWARF, constants from include/uapi; memory that does not make sense is
shown as <corrupt: reason>."""

    def __init__(self):
        super().__init__("kdbg", gdb.COMMAND_DATA, gdb.COMPLETE_COMMAND, True)


class KdbgCommand(gdb.Command):
    name = None
    usage = ""
    # Commands that print their objects as data (docs/schema.md) with
    # --json set this; run() then finds self.json True.
    json_ok = False
    # "kernel": run() reads kernel state, so refuse (with the reason) when
    # there is no target, the kernel is not initialised, or memory is not
    # the ELF's. "target": only a target (e.g. to set breakpoints before
    # the kernel is up). None: no target either (e.g. kdbg reference).
    requires = "kernel"

    def __init__(self):
        super().__init__("kdbg " + self.name, gdb.COMMAND_DATA)
        self._buf = None

    def out(self, text=""):
        self._buf.append(text)

    def invoke(self, arg, from_tty):
        self._buf = []
        try:
            try:
                args = shlex.split(arg)
            except ValueError as e:
                raise Usage(str(e))
            self.raw = arg.strip()
            self.json = "--json" in args
            if self.json:
                if not self.json_ok:
                    raise Usage("has no --json (kdbg json prints every object as data)")
                args = [a for a in args if a != "--json"]
                self.raw = re.sub(r"(^|\s)--json(?=\s|$)", " ", self.raw).strip()
            if self.requires == "target":
                require_target()
            elif self.requires:
                require_kernel()
            self.run(World(), args)
        except NoKernel as e:
            self._flush()
            raise gdb.GdbError("kdbg %s: %s" % (self.name, e))
        except Usage as e:
            self._flush()
            raise gdb.GdbError("kdbg %s: %s\nusage: kdbg %s %s" % (self.name, e, self.name,
                                                                    self.usage))
        except Corrupt as e:
            self.out("<corrupt: %s>" % e)
        except (LayoutError, ImportError) as e:
            self._flush()
            raise gdb.GdbError("kdbg %s: %s" % (self.name, e))
        except gdb.GdbError:
            self._flush()
            raise
        except KeyboardInterrupt:
            self.out("kdbg %s: interrupted" % self.name)
        except Exception as e:  # noqa: BLE001 - never a traceback at the user
            self.out("<corrupt: %s: %s>" % (type(e).__name__, e))
        self._flush()

    def _flush(self):
        if self._buf:
            gdb.write("\n".join(self._buf) + "\n")
        self._buf = []

    def run(self, world, args):
        raise NotImplementedError


def register(cls):
    COMMANDS.append(cls)
    return cls


# ---- argument resolution shared by the commands --------------------------

def value_of(expr):
    try:
        return gdb.parse_and_eval(expr)
    except gdb.error as e:
        raise Usage("cannot evaluate '%s': %s" % (expr, e))


def pointer_to(v, struct_name):
    """(address, True) when v is a pointer/struct of struct_name, else (int, False)."""
    t = v.type.strip_typedefs()
    if t.code == gdb.TYPE_CODE_PTR:
        target = t.target().strip_typedefs()
        if target.tag == struct_name:
            return int(v), True
        return int(v), False
    if t.code == gdb.TYPE_CODE_STRUCT:
        if v.address is None:
            raise Usage("value is not in memory")
        return int(v.address), t.tag == struct_name
    return int(v), False


def find_task(world, name):
    """Address of the task with this debug name, or None."""
    for o in world.objects(consts.TASK):
        if o.name == name:
            return o.addr
    return None


# A word that can only be meant as a task's name (or a symbol).
NAME_RE = re.compile(r"[A-Za-z_][\w.-]*$")
MASK64 = (1 << 64) - 1


def task_names(world):
    names = ["'%s'" % o.name if o.name else "%#x" % o.addr for o in world.objects(consts.TASK)]
    if not names:
        return "none"
    return ", ".join(names[:8]) + (", ..." if len(names) > 8 else "")


def no_task(world, name):
    return Usage("no task named '%s' (tasks: %s)" % (name, task_names(world)))


def eval_arg(world, raw):
    """raw evaluated by GDB. A mistake is a Usage that says what is wrong:
    an unknown task name, words after a task name, not an expression."""
    try:
        return gdb.parse_and_eval(raw)
    except gdb.error as e:
        words = raw.split()
        if len(words) > 1 and find_task(world, words[0]) is not None:
            raise Usage("unexpected '%s' after the task name" % raw[len(words[0]):].strip())
        if NAME_RE.match(raw) or (len(words) == 2 and NAME_RE.match(words[0]) and
                                  words[1].isdigit()):
            raise no_task(world, words[0])
        raise Usage("'%s' is neither a task name nor an expression GDB can evaluate (%s)"
                    % (raw, e))


def address_arg(world, raw, tags):
    """(address, tag) of EXPR raw: a pointer to (or an lvalue of) a struct
    whose tag is in tags, or (address, None) for a plain number/pointer.
    Any other struct type is a Usage."""
    v = eval_arg(world, raw)
    t = v.type.strip_typedefs()
    want = " or ".join("struct %s *" % x for x in tags)
    if t.code in (gdb.TYPE_CODE_PTR, gdb.TYPE_CODE_ARRAY):
        target = t.target().strip_typedefs()
        if target.code in (gdb.TYPE_CODE_STRUCT, gdb.TYPE_CODE_UNION) and \
                not (target.tag == "object" and t.code == gdb.TYPE_CODE_PTR):
            # (a struct object * is any object: its header says which)
            if target.tag not in tags:
                raise Usage("'%s' is a %s, not a %s" % (raw, v.type, want))
            if t.code == gdb.TYPE_CODE_ARRAY:
                if v.address is None:
                    raise Usage("'%s' is not in memory" % raw)
                return int(v.address), target.tag
            return int(v) & MASK64, target.tag
        if t.code == gdb.TYPE_CODE_ARRAY:
            raise Usage("'%s' is an array of %s, not a %s" % (raw, target, want))
        return int(v) & MASK64, None
    if t.code in (gdb.TYPE_CODE_STRUCT, gdb.TYPE_CODE_UNION):
        if t.tag not in tags:
            raise Usage("'%s' is a %s, not a %s" % (raw, v.type, want))
        if v.address is None:
            raise Usage("'%s' is a value, not in memory" % raw)
        return int(v.address), t.tag
    if t.code in (gdb.TYPE_CODE_INT, gdb.TYPE_CODE_ENUM, gdb.TYPE_CODE_CHAR,
                  gdb.TYPE_CODE_BOOL):
        return int(v) & MASK64, None
    raise Usage("'%s' is a %s, not an address or a %s" % (raw, v.type, want))


def _describe(raw, addr):
    raw = raw.strip()
    plain = raw in ("%#x" % addr, "%d" % addr) or raw.lower() == "%#x" % addr
    return "%#x" % addr if plain else "'%s' (%#x)" % (raw, addr)


def live_object(world, addr, want, raw):
    """(addr, type) when addr is a live object of one of the types in want;
    otherwise a Usage saying what is (or is not) there."""
    labels = " or ".join(consts.type_label(t) for t in want)
    what = _describe(raw, addr)
    for t in want:
        if any(o.addr == addr for o in world.objects(t)):
            return addr, t
    if not addr:
        raise Usage("%s is NULL, not a %s" % (what, labels))
    try:
        o = world.obj(addr)
    except Corrupt as e:
        raise Usage("%s is not a %s: %s" % (what, labels, e))
    live = o.state == world.k.object_live
    if live and o.type in want:
        # Live and of the type but not on object_lists: the lists are
        # damaged (kdbg check says so); show the object anyway.
        return addr, o.type
    if live and 0 < o.type < world.k.type_count:
        raise Usage("%s is a %s%s, not a %s" % (what, consts.type_label(o.type),
                                                " " + world.label(o) if o.name else "",
                                                labels))
    raise Usage("%s is not a live %s (no object header there)" % (what, labels))


def task_arg(world, arg):
    """A task from a name or an expression (struct task *, address)."""
    a = find_task(world, arg)
    if a is not None:
        return a
    addr, _ = address_arg(world, arg, ("task",))
    return live_object(world, addr, (consts.TASK,), arg)[0]


def task_display(world, o):
    return o.name or "(unnamed)"


def task_root_pool(world, task_addr):
    s = world.task(task_addr)["slots"][0]
    if s.empty and s.clean:
        raise Usage("task '%s' has no root CPool yet (its cpool slot is empty)"
                    % world.task_name(task_addr))
    if s.type != consts.CPOOL:
        raise Corrupt("task %s has no root CPool (slot holds %s)"
                      % (world.task_name(task_addr), consts.type_label(s.type)))
    return s.obj


def default_task(world):
    """The running task, else rinit, else the first task."""
    cur = world.current()
    if cur:
        return cur
    tasks = world.objects(consts.TASK)
    for o in tasks:
        if o.name == "rinit":
            return o.addr
    if tasks:
        return tasks[0].addr
    raise Corrupt("no tasks on object_lists")
