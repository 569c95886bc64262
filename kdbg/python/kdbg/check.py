"""kdbg check: the kernel's invariants (kernel/capcheck.c) over live memory.

Re-implemented in Python over one bulk read per object, plus the
scheduler and IPC queues. Every violation is listed.
"""
from . import consts
from .command import KdbgCommand, register
from .mem import Corrupt, symbol_address

PAGE = 4096


def check_world(world):
    """A list of violation messages (empty when the kernel state is sound)."""
    k = world.k
    v = []
    lists = world.lists()
    for t in range(k.type_count):
        v.extend(lists[t][1])
    listed = {o.addr: o for t in range(k.type_count) for o in lists[t][0]}
    containers, problems = world.containers()
    v.extend(problems)
    idx = {}
    for _, slots in containers:
        for s in slots:
            idx[s.addr] = s
    used = [s for s in idx.values() if not s.empty]
    refs = {}
    links_bad = False

    def link_ok(p):
        return p == 0 or (p in idx)

    for s in idx.values():
        if s.empty:
            if not s.clean:
                v.append("slot %#x [%s]: empty but not clean" % (s.addr, s.where))
                links_bad = True
            continue
        # caps well formed
        if s.type >= k.type_count:
            v.append("slot %#x [%s]: bad type %d" % (s.addr, s.where, s.type))
        else:
            if s.rights & ~k.rights_all or s.spare and s.type not in (consts.PAGE,
                                                                        consts.PAGE_TABLE):
                v.append("slot %#x [%s]: bad rights %#x or spare %#x"
                         % (s.addr, s.where, s.rights, s.spare))
            if s.type in consts.HEADER_TYPES:
                o = listed.get(s.obj)
                if o is None or o.type != s.type:
                    v.append("slot %#x [%s]: %s cap refers to %#x, not a live object of its type"
                             % (s.addr, s.where, consts.type_label(s.type), s.obj))
                else:
                    refs[s.obj] = refs.get(s.obj, 0) + 1
            if s.flags & k.flag_badged and s.type not in (consts.CHANNEL, consts.NOTIFICATION):
                v.append("slot %#x [%s]: badge on a %s cap"
                         % (s.addr, s.where, consts.type_label(s.type)))
            if s.type in (consts.CHANNEL, consts.NOTIFICATION) and \
                    not s.flags & k.flag_badged and s.data:
                v.append("slot %#x [%s]: unbadged cap with data %#x" % (s.addr, s.where, s.data))
            if s.type == consts.CPOOL and s.obj in listed:
                try:
                    radix = world.pool(s.obj)[1]
                    if s.bits + radix > 64 or (s.bits < 64 and s.data >> s.bits):
                        v.append("slot %#x [%s]: guard %#x/%d does not fit"
                                 % (s.addr, s.where, s.data, s.bits))
                except Corrupt as e:
                    v.append("slot %#x [%s]: %s" % (s.addr, s.where, e))
        # CDT links, locally
        p, fc, nx, pv = s.parent, s.first_child, s.next_sibling, s.prev_sibling
        if not all(link_ok(x) for x in (p, fc, nx, pv)):
            v.append("slot %#x [%s]: a CDT link points outside live objects" % (s.addr, s.where))
            links_bad = True
            continue
        if p and idx[p].empty:
            v.append("slot %#x [%s]: parent %#x is empty" % (s.addr, s.where, p))
            links_bad = True
        if not p and (nx or pv):
            v.append("slot %#x [%s]: root with siblings" % (s.addr, s.where))
            links_bad = True
        if p and not pv and idx[p].first_child != s.addr:
            v.append("slot %#x [%s]: first sibling but parent's first child is %#x"
                     % (s.addr, s.where, idx[p].first_child))
            links_bad = True
        if pv and (idx[pv].next_sibling != s.addr or idx[pv].parent != p):
            v.append("slot %#x [%s]: prev sibling %#x does not link back" % (s.addr, s.where, pv))
            links_bad = True
        if nx and (idx[nx].prev_sibling != s.addr or idx[nx].parent != p):
            v.append("slot %#x [%s]: next sibling %#x does not link back" % (s.addr, s.where, nx))
            links_bad = True
        if fc and (idx[fc].parent != s.addr or idx[fc].prev_sibling):
            v.append("slot %#x [%s]: first child %#x does not link back" % (s.addr, s.where, fc))
            links_bad = True

    # cap counts
    for a, o in listed.items():
        n = refs.get(a, 0)
        if n != o.cap_count:
            v.append("%s %#x '%s': cap_count %d but %d caps refer to it"
                     % (consts.type_label(o.type), a, o.name, o.cap_count, n))
        if o.cap_count == 0:
            v.append("%s %#x: live without caps" % (consts.type_label(o.type), a))

    # untyped regions
    for s in used:
        if s.type == consts.UNTYPED:
            v.extend(check_untyped(world, s, idx, listed, links_bad, len(used)))

    # the CDT is a forest reaching every used slot once
    if not links_bad:
        seen = 0
        roots = [s for s in used if not s.parent]
        for r in roots:
            seen += walk_tree(idx, r, len(used) - seen + 1)
            if seen > len(used):
                break
        if seen != len(used):
            v.append("CDT: walking from %d roots reaches %d%s of %d used slots (a cycle?)"
                     % (len(roots), seen, "+" if seen > len(used) else "", len(used)))
    v.extend(check_queues(world, listed))
    return v, len(used), len(listed)


def walk_tree(idx, root, budget):
    n, seen = root, 0
    while True:
        seen += 1
        if seen > budget:
            return seen
        if n.first_child:
            n = idx[n.first_child]
            continue
        while n is not root and not n.next_sibling:
            n = idx[n.parent]
        if n is root:
            return seen
        n = idx[n.next_sibling]


def child_memory(world, c, listed):
    if c.type == consts.UNTYPED:
        return (c.obj, 1 << c.bits) if c.bits < 64 else None
    if c.type in (consts.PAGE, consts.PAGE_TABLE, consts.VSPACE):
        return c.obj, PAGE
    o = listed.get(c.obj)
    if o is None:
        return None
    radix = world.pool(o.addr)[1] if o.type == consts.CPOOL else 0
    return world.virt_to_phys(o.addr), world.k.object_size(o.type, radix)


def check_untyped(world, s, idx, listed, links_bad, used):
    v = []
    if not 4 <= s.bits <= 47:
        return ["untyped %#x [%s]: size bits %d" % (s.addr, s.where, s.bits)]
    size = 1 << s.bits
    if s.obj % size:
        v.append("untyped %#x [%s]: base %#x not aligned" % (s.addr, s.where, s.obj))
    if s.data > size:
        v.append("untyped %#x [%s]: watermark %#x past size" % (s.addr, s.where, s.data))
    if not s.first_child and s.data:
        v.append("untyped %#x [%s]: no children but watermark %#x" % (s.addr, s.where, s.data))
    if links_bad:
        return v
    c, n = s.first_child, 0
    while c:
        n += 1
        if n > used + 1 or c not in idx:
            break
        cs = idx[c]
        try:
            mem = child_memory(world, cs, listed)
        except Corrupt:
            mem = None
        if mem is None or mem[0] < s.obj or mem[0] - s.obj > s.data or \
                mem[1] > s.data - (mem[0] - s.obj):
            v.append("untyped %#x [%s]: child %#x (%s) outside [base, watermark)"
                     % (s.addr, s.where, c, consts.type_label(cs.type)))
        if s.flags & world.k.flag_device and cs.type not in (consts.PAGE, consts.UNTYPED):
            v.append("device untyped %#x: child of type %s" % (s.addr, consts.type_label(cs.type)))
        c = cs.next_sibling
    return v


def check_queues(world, listed):
    """Run and wait queues: linked both ways, states matching, tasks live."""
    k = world.k
    v = []
    where = {}

    def walk(name, qaddr, head, want_state):
        tasks, problem = world.queue(head, qaddr)
        if problem:
            v.append("%s: %s" % (name, problem))
        for t in tasks:
            if t not in listed:
                v.append("%s: task %#x is not a live task" % (name, t))
                continue
            if t in where:
                v.append("%s: task '%s' also on %s" % (name, world.task_name(t), where[t]))
            where[t] = name
            st = world.task(t)["state"]
            if want_state is not None and st != want_state:
                v.append("%s: task '%s' is %s" % (name, world.task_name(t),
                                                   consts.state_label(st)))

    sched = symbol_address("sched")
    from .mem import read
    buf = read(sched, k.sched_size, "sched")
    from .mem import u64
    ready = consts.state_value("READY")
    for p in range(k.prio_count):
        off = k.sched_ready + p * k.queue_size
        head = u64(buf, off)
        if head:
            walk("ready[%d]" % p, sched + off, head, ready)
    for o in world.objects(consts.CHANNEL):
        try:
            d = world.channel(o.addr)
        except Corrupt as e:
            v.append(str(e))
            continue
        walk("channel %s senders" % world.label(o), o.addr + k.channel_senders,
             d["senders_head"], None)
        walk("channel %s receivers" % world.label(o), o.addr + k.channel_receivers,
             d["receivers_head"], consts.state_value("BLOCKED_RECV"))
        if d["count"] > k.ring_len or d["head"] >= k.ring_len:
            v.append("channel %s: head %d count %d, ring of %d"
                     % (world.label(o), d["head"], d["count"], k.ring_len))
    cur = world.current()
    if cur:
        if cur not in listed:
            v.append("sched.current %#x is not a live task" % cur)
        elif world.task(cur)["state"] != consts.state_value("RUNNING"):
            v.append("sched.current '%s' is %s" % (world.task_name(cur), consts.state_label(
                world.task(cur)["state"])))
    for a, o in listed.items():
        if o.type != consts.TASK:
            continue
        t = world.task(a)
        if t["state"] == ready and a not in where:
            v.append("task '%s' is Ready but on no ready queue" % o.name)
    return v


@register
class Check(KdbgCommand):
    """Check the kernel's invariants over live memory and list every violation.

The checks of kernel/capcheck.c: object lists well linked and counted;
every slot of every live object well formed (empty slots all zero,
rights, badges, guards, referenced objects live and of the cap's type);
CDT links mutually consistent; cap_count equal to the caps referring to
each object; untyped watermarks within the region and children inside
[base, watermark); the CDT a forest reaching each used slot once. Also:
ready and wait queues linked both ways with tasks in matching states."""
    name = "check"

    @staticmethod
    def arguments(p):
        p.json("\"check\": {\"objects\", \"used\", \"violations\"} and the violations "
               "as \"problems\" (docs/schema.md)")

    def run(self, world, args):
        v, used, objs = check_world(world)
        if self.json:
            from . import schema
            snap = schema.Snapshot(world)
            snap.problems = list(v)
            self.out(schema.dumps(snap.document((), check={"objects": objs, "used": used,
                                                           "violations": len(v)})))
            return
        for msg in v:
            self.out("violation: %s" % msg)
        self.out("kdbg check: %d objects, %d used slots, %d violation%s" % (
            objs, used, len(v), "" if len(v) == 1 else "s"))
