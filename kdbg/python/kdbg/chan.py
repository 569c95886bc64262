"""kdbg chan: a channel's queued messages and blocked tasks."""
from . import consts, fmt
from .command import KdbgCommand, pointer_to, register, value_of
from .mem import Corrupt


def describe(world, addr, out):
    d = world.channel(addr)
    k = world.k
    out("channel %s at %#x: %d/%d messages queued (head %d)" % (
        world.label(d["obj"]), addr, d["count"], k.ring_len, d["head"]))
    if d["count"] > k.ring_len or d["head"] >= k.ring_len:
        out("  <corrupt: head %d count %d for a ring of %d>" % (d["head"], d["count"], k.ring_len))
    for n in range(min(d["count"], k.ring_len)):
        i = (d["head"] + n) % k.ring_len
        m = d["ring"][i]
        length = m["info"] & 0xf
        words = " ".join("%#x" % w for w in m["words"][:min(length, k.msg_word_count)])
        line = "  [%d] badge %#x len %d words [%s]" % (i, m["badge"], length, words)
        if m["info"] & ~0xf:
            line += " info %#x" % m["info"]
        if not m["cap"].empty:
            line += " cap: %s" % fmt.cap_line(world, m["cap"]).strip()
        if m["caller"]:
            line += " call from '%s'" % world.task_name(m["caller"])
        out(line)
    for title, head, off in (("senders", d["senders_head"], k.channel_senders),
                             ("receivers", d["receivers_head"], k.channel_receivers)):
        tasks, problem = world.queue(head, addr + off)
        names = ", ".join("'%s' %s" % (world.task_name(t), consts.state_label(
            world.task(t)["state"])) for t in tasks)
        out("  blocked %s: %s" % (title, names or "none"))
        if problem:
            out("  <corrupt: %s queue: %s>" % (title, problem))


@register
class Chan(KdbgCommand):
    """Show a channel's queued messages (badge, words, cap) and its blocked senders and receivers.

Usage: kdbg chan [EXPR] [--json]
EXPR evaluates to a struct channel * or an address. Without an argument,
every live channel. Messages are listed oldest first; blocked tasks in
queue order. --json: the channels as one line of JSON (docs/schema.md)."""
    name = "chan"
    usage = "[EXPR] [--json]"
    json_ok = True

    def run(self, world, args):
        if self.json:
            from . import schema
            snap = schema.Snapshot(world)
            if args:
                addr, _ = pointer_to(value_of(self.raw), "channel")
                chans = [snap.channel(addr)]
            else:
                chans = snap.channels()
            self.out(schema.dumps(snap.document((), channels=chans)))
            return
        if args:
            addr, _ = pointer_to(value_of(self.raw), "channel")
            describe(world, addr, self.out)
            return
        objs, problems = world.lists()[consts.CHANNEL]
        for o in objs:
            try:
                describe(world, o.addr, self.out)
            except Corrupt as e:
                self.out("channel at %#x: <corrupt: %s>" % (o.addr, e))
        for p in problems:
            self.out("<corrupt: %s>" % p)
        if not objs:
            self.out("no channels")
