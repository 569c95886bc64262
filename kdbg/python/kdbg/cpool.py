"""kdbg cpool: the used slots of a CPool."""
from . import consts, fmt
from .command import KdbgCommand, address_arg, default_task, find_task, live_object, \
    register, task_root_pool
from .mem import Corrupt


def resolve_pool(world, args, raw):
    """The CPool named by the words args (raw: as typed)."""
    if not args:
        return task_root_pool(world, default_task(world))
    t = find_task(world, args[0]) if len(args) == 1 else None
    if t is not None:
        return task_root_pool(world, t)
    addr, tag = address_arg(world, raw, ("cpool", "task"))
    want = {"cpool": (consts.CPOOL,), "task": (consts.TASK,)}.get(tag, (consts.CPOOL, consts.TASK))
    addr, t = live_object(world, addr, want, raw)
    return task_root_pool(world, addr) if t == consts.TASK else addr


@register
class CPool(KdbgCommand):
    """Show the used slots of a CPool: index, type, rights, badge, object, summary.

The whole slot array is read in one access."""
    name = "cpool"

    @staticmethod
    def arguments(p):
        p.arg("target", nargs="*", rest=True, metavar="TASK | EXPR", complete=("task",),
              help="a task's debug name (its root CPool), or an expression for a struct "
                   "cpool *, a struct task * or an address; default: the running task's "
                   "root CPool (rinit's when idle)")
        p.json("the pool and its caps as one line of JSON (\"pools\": [the pool], "
               "\"caps\": [its used slots]; docs/schema.md)")

    def run(self, world, args):
        addr = resolve_pool(world, args.target, args.target.text)
        if self.json:
            from . import schema
            snap = schema.Snapshot(world)
            world.pool(addr)  # a CPool, or Corrupt with the reason
            pool, caps = snap.pool(addr)
            self.out(schema.dumps(snap.document((), pools=[pool], caps=caps)))
            return
        o, radix, slots = world.pool(addr)
        used = [s for s in slots if not s.empty]
        self.out("cpool %s at %#x: %d slots (radix %d), %d used" % (
            world.pool_label(addr, o), addr, 1 << radix, radix, len(used)))
        self.out("%6s  %-12s %-5s %-14s %-20s %s" % ("SLOT", "TYPE", "RIGHTS", "BADGE",
                                                      "OBJECT", "SUMMARY"))
        for i, s in enumerate(slots):
            if s.empty:
                if not s.clean:
                    self.out("%6d  <corrupt: empty slot with nonzero bytes>" % i)
                continue
            try:
                self.out("%6d  %s" % (i, fmt.cap_line(world, s)))
            except Corrupt as e:
                self.out("%6d  <corrupt: %s>" % (i, e))
