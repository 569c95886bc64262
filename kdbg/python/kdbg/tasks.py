"""kdbg tasks: every task with its state and what it waits on."""
from . import consts
from .command import KdbgCommand, register
from .mem import Corrupt, symbol_address
from .usersyms import symbolize


def blocked_on(world, t):
    """What a task waits on, as text."""
    if t["blocked_on"]:
        try:
            o = world.obj(t["blocked_on"])
            what = "%s %s" % (consts.type_label(o.type), world.label(o))
        except Corrupt as e:
            what = "<corrupt: %s>" % e
        return what
    if t["queue"]:
        try:
            console = symbol_address("console_input") + world.k.console_waiters
        except Corrupt:
            console = None
        if t["queue"] == console:
            return "console input"
        if t["reply_from"]:
            return "reply from '%s'" % world.task_name(t["reply_from"])
    elif t["reply_from"]:
        return "reply from '%s'" % world.task_name(t["reply_from"])
    return ""


@register
class Tasks(KdbgCommand):
    """List every task: name, state, priority, what it is blocked on, ip and sp.

Tasks come from object_lists[task]; `*` marks the running task
(sched.current). A Faulted task shows its fault. With user symbols
loaded (kdbg symbols) a line ends with the ip's <function+offset>."""
    name = "tasks"

    @staticmethod
    def arguments(p):
        p.json("the tasks as one line of JSON (docs/schema.md), as `kdbg json tasks`")

    def run(self, world, args):
        if self.json:
            from . import schema
            self.out(schema.dumps(schema.Snapshot(world).document(("tasks",))))
            return
        cur = world.current()
        objs, problems = world.lists()[consts.TASK]
        self.out("  %-16s %-18s %-20s %4s  %-28s %-18s %s" % (
            "TASK", "ADDRESS", "STATE", "PRIO", "BLOCKED ON", "IP", "SP"))
        for o in objs:
            try:
                t = world.task(o.addr)
            except Corrupt as e:
                self.out("  %-16s %#018x <corrupt: %s>" % (o.name, o.addr, e))
                continue
            state = consts.state_label(t["state"])
            extra = ""
            if t["state"] == consts.state_value("FAULTED"):
                extra = "  (%s at %#x)" % (consts.fault_label(t["fault_kind"]), t["fault_addr"])
            sym = symbolize(t["ip"])
            if sym:
                extra += "  <%s>" % sym
            self.out("%s %-16s %#018x %-20s %4d  %-28s %#018x %#x%s" % (
                "*" if o.addr == cur else " ", o.name or "(unnamed)", o.addr, state,
                t["priority"], blocked_on(world, t) or "-", t["ip"], t["sp"], extra))
        for p in problems:
            self.out("<corrupt: %s>" % p)
        self.out("%d task%s" % (len(objs), "" if len(objs) == 1 else "s"))
