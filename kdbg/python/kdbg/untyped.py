"""kdbg untyped: every untyped region, its watermark and children."""
from . import consts, fmt
from .command import KdbgCommand, register


def untyped_slots(world):
    out = []
    for _, slots in world.containers()[0]:
        out.extend(s for s in slots if s.type == consts.UNTYPED)
    return out


@register
class Untyped(KdbgCommand):
    """List every untyped region: base, size, watermark, free bytes, children, holder.

Untyped caps are found by scanning the slots of every live CPool and
task (they have no object header)."""
    name = "untyped"

    @staticmethod
    def arguments(p):
        p.json("the untyped regions as one line of JSON, as `kdbg json untyped`")

    def run(self, world, args):
        if self.json:
            from . import schema
            self.out(schema.dumps(schema.Snapshot(world).document(("untyped",))))
            return
        uts = sorted(untyped_slots(world), key=lambda s: s.obj)
        self.out("%-18s %-9s %-12s %-12s %8s  %s" % ("BASE", "SIZE", "WATERMARK", "FREE",
                                                     "CHILDREN", "HOLDER"))
        for s in uts:
            if s.bits > 63:
                self.out("%#018x <corrupt: size 2^%d>  [%s]" % (s.obj, s.bits, s.where))
                continue
            total = 1 << s.bits
            kids, c, seen = 0, s.first_child, set()
            while c and c not in seen and kids <= len(world.index()):
                seen.add(c)
                kids += 1
                c = world.index()[c].next_sibling if c in world.index() else 0
            wm = "%#x" % s.data
            if s.data > total:
                wm = "<corrupt: %#x past size>" % s.data
            self.out("%#018x %-9s %-12s %-12s %8d  %s%s" % (
                s.obj, fmt.size(s.bits), wm, "%#x" % max(0, total - s.data), kids, s.where,
                " device" if s.flags & 2 else ""))
        self.out("%d untyped region%s" % (len(uts), "" if len(uts) == 1 else "s"))
