"""kdbg cdt: the capability derivation tree drawn with box characters."""
from . import consts, fmt
from .command import KdbgCommand, Usage, default_task, find_task, pointer_to, register, \
    task_arg, task_root_pool, value_of
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


def resolve(world, args, raw):
    if len(args) == 2 and find_task(world, args[0]) is not None:
        t = task_arg(world, args[0])
        try:
            idx = int(value_of(args[1]))
        except (ValueError, OverflowError):
            raise Usage("SLOT must be a number")
        o, radix, slots = world.pool(task_root_pool(world, t))
        if not 0 <= idx < len(slots):
            raise Usage("slot %d out of range (pool has %d)" % (idx, len(slots)))
        return [slots[idx]]
    if len(args) == 1 and find_task(world, args[0]) is not None:
        raise Usage("give TASK SLOT, or an EXPR for a struct slot *")
    if args:
        addr, _ = pointer_to(value_of(raw), "slot")
        return [world.slot_at(addr)]
    # The whole forest: every root, in container order.
    roots = []
    for _, slots in world.containers()[0]:
        roots.extend(s for s in slots if not s.empty and not s.parent)
    return roots


@register
class Cdt(KdbgCommand):
    """Draw the capability derivation tree below a cap, with each node's holder.

Usage: kdbg cdt [TASK SLOT | EXPR]
TASK SLOT is a slot of a task's root CPool (e.g. `kdbg cdt rinit 2`);
EXPR evaluates to a struct slot * (e.g. `&$kdbg_cap("rinit", 2)`).
Without arguments: every tree (all roots). Each node shows the cap and,
in brackets, the slot holding it: POOL[INDEX] (POOL is the pool's name,
or TASK:root for a task's root CPool), task 'NAME'.cpool|vspace|buffer|
fault for a task's internal slots, or chan NAME.ring[i].cap for a cap in
flight."""
    name = "cdt"
    usage = "[TASK SLOT | EXPR]"

    def run(self, world, args):
        if not args:
            default_task(world)  # fail clearly on an empty system
        roots = resolve(world, args, self.raw)
        total = 0
        for r in roots:
            total += draw(world, r, self.out)
        self.out("%d node%s" % (total, "" if total == 1 else "s"))
