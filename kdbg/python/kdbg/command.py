"""The `kdbg` prefix command and the base class of its subcommands.

A subcommand implements run(world, args) and writes with self.out(); the
base class turns every failure into a one-line message, never a Python
traceback: Corrupt -> <corrupt: reason>, bad usage -> gdb.GdbError.
"""
import re
import shlex

import gdb

from . import consts
from .layout import LayoutError
from .mem import Corrupt
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
            self.run(World(), args)
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


def task_arg(world, arg):
    """A task from a name or an expression (struct task *, address)."""
    a = find_task(world, arg)
    if a is not None:
        return a
    addr, _ = pointer_to(value_of(arg), "task")
    return addr


def task_display(world, o):
    return o.name or "(unnamed)"


def task_root_pool(world, task_addr):
    s = world.task(task_addr)["slots"][0]
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
