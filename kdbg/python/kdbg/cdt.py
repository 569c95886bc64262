"""kdbg cdt: the capability derivation tree drawn with box characters."""
import gdb

from . import consts, fmt
from .command import KdbgCommand, Usage, address_arg, default_task, find_task, register, \
    task_root_pool
from .mem import Corrupt

MAX_NODES = 1 << 21


def node_text(world, s):
    if s.type >= world.k.type_count:
        return "<corrupt: cap type %d>" % s.type
    b = fmt.badge(s)
    return "%s %s%s  %s  [%s]" % (consts.type_label(s.type), fmt.rights(s.rights),
                                   " " + b if b else "", fmt.summary(world, s), s.where)


def draw(world, root, out, limit=MAX_NODES):
    """Pre-order walk below root; bounded, with cycle and link checks."""
    seen = set()
    count = 0
    # stack of (slot address, prefix, is_last, expected parent)
    stack = [(root.addr, "", True, None, True)]
    while stack:
        addr, prefix, last, parent, top = stack.pop()
        if count >= limit:
            out("%s<corrupt: more than %d nodes, stopping>" % (prefix, limit))
            return count
        count += 1
        branch = "" if top else ("└── " if last else "├── ")
        if addr in seen:
            out("%s%s<corrupt: cycle back to slot %#x>" % (prefix, branch, addr))
            continue
        seen.add(addr)
        try:
            s = world.slot_at(addr)
        except Corrupt as e:
            out("%s%s<corrupt: %s>" % (prefix, branch, e))
            continue
        note = ""
        if parent is not None and s.parent != parent:
            note = "  <corrupt: parent link %#x, expected %#x>" % (s.parent, parent)
        if s.empty:
            out("%s%s<corrupt: empty slot %s in the tree>%s" % (prefix, branch, s.where, note))
            continue
        out("%s%s%s%s" % (prefix, branch, node_text(world, s), note))
        kids = []
        c = s.first_child
        sib_seen = set()
        while c:
            if c in sib_seen or len(kids) >= limit:
                out("%s    <corrupt: sibling list loops>" % prefix)
                break
            sib_seen.add(c)
            kids.append(c)
            try:
                c = world.slot_at(c).next_sibling
            except Corrupt:
                break
        child_prefix = prefix if top else prefix + ("    " if last else "│   ")
        for i in range(len(kids) - 1, -1, -1):
            stack.append((kids[i], child_prefix, i == len(kids) - 1, addr, False))
    return count


def slot_number(text):
    try:
        return int(text, 0)
    except ValueError:
        pass
    try:
        return int(gdb.parse_and_eval(text))
    except (gdb.error, ValueError, OverflowError):
        raise Usage("SLOT must be a number, not '%s'" % text)


def resolve(world, args, raw):
    t = find_task(world, args[0]) if args else None
    if t is not None:
        if len(args) == 1:
            raise Usage("give TASK SLOT, or an EXPR for a struct slot *")
        if len(args) > 2:
            raise Usage("unexpected '%s' after TASK SLOT" % " ".join(args[2:]))
        idx = slot_number(args[1])
        o, radix, slots = world.pool(task_root_pool(world, t))
        if not 0 <= idx < len(slots):
            raise Usage("slot %d out of range: %s's root CPool has %d slots"
                        % (idx, args[0], len(slots)))
        if slots[idx].empty and slots[idx].clean:
            raise Usage("slot %d of %s's root CPool is empty" % (idx, args[0]))
        return [slots[idx]]
    if args:
        addr, _ = address_arg(world, raw, ("slot", "cap"))
        s = world.index().get(addr)
        if s is None:
            raise Usage("%s is not a slot of a live CPool, task, channel or IRQ handler"
                        % ("%#x" % addr if raw.strip() in ("%#x" % addr, str(addr))
                           else "'%s' (%#x)" % (raw, addr)))
        if s.empty and s.clean:
            raise Usage("the slot at %#x [%s] is empty" % (addr, s.where))
        return [s]
    # The whole forest: every root, in container order.
    roots = []
    for _, slots in world.containers()[0]:
        roots.extend(s for s in slots if not s.empty and not s.parent)
    return roots


def tree_caps(world, roots):
    """The schema's cap objects of the trees below roots, each parent
    before its children (pre-order, CDT sibling order), and the Snapshot."""
    from . import schema
    snap = schema.Snapshot(world)
    _, caps = snap.pools_and_caps()
    by_slot = {c["_slot"].addr: c for c in caps}
    out, seen = [], set()
    for r in roots:
        stack = [r.addr]
        while stack:
            a = stack.pop()
            if a in seen:
                snap.problem("CDT: slot %#x reached twice (a cycle?)" % a)
                continue
            seen.add(a)
            c = by_slot.get(a)
            if c is None:
                snap.problem("CDT: slot %#x is not a used slot of a live object" % a)
                continue
            out.append(c)
            kids, k = [], c["_slot"].first_child
            while k and k not in kids and len(kids) <= len(by_slot):
                kids.append(k)
                k = by_slot[k]["_slot"].next_sibling if k in by_slot else 0
            stack.extend(reversed(kids))
    return out, snap


@register
class Cdt(KdbgCommand):
    """Draw the capability derivation tree below a cap, with each node's holder.

Each node shows the cap and, in brackets, the slot holding it:
POOL[INDEX] (POOL is the pool's name, or TASK:root for a task's root
CPool), task 'NAME'.cpool|vspace|buffer|fault for a task's internal
slots, or chan NAME.ring[i].cap for a cap in flight."""
    name = "cdt"

    @staticmethod
    def arguments(p):
        p.arg("target", nargs="*", rest=True, metavar="TASK SLOT | EXPR",
              complete=("task", "slot"),
              help="a slot of a task's root CPool (e.g. `kdbg cdt rinit 2`), or an "
                   "expression for a struct slot * (e.g. `&$kdbg_cap(\"rinit\", 2)`); "
                   "default: every tree (all roots)")
        p.json("the caps of the tree(s) as one line of JSON: \"caps\", parents before "
               "children, each with its CDT parent (docs/schema.md)")

    def run(self, world, args):
        if not args.target:
            default_task(world)  # fail clearly on an empty system
        roots = resolve(world, args.target, args.target.text)
        if self.json:
            from . import schema
            caps, snap = tree_caps(world, roots)
            self.out(schema.dumps(snap.document((), caps=caps)))
            return
        total = 0
        for r in roots:
            total += draw(world, r, self.out)
        self.out("%d node%s" % (total, "" if total == 1 else "s"))
