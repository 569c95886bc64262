"""kdbg chan: a channel's queued messages and blocked tasks."""
import gdb

from . import consts, fmt
from .command import KdbgCommand, address_arg, live_object, register
from .mem import Corrupt

# include/uapi/cairn/syscalls.h, enum cairn_msginfo_bits (read from DWARF
# when the kernel has it, these values otherwise).
MSGINFO = {"CAIRN_MSG_LEN_MASK": 0xf, "CAIRN_MSG_CAP": 1 << 8,
           "CAIRN_MSG_CAP_DROPPED": 1 << 9, "CAIRN_MSG_CALL": 1 << 10}


def msginfo_bits():
    bits = dict(MSGINFO)
    try:
        for f in gdb.lookup_type("enum cairn_msginfo_bits").fields():
            bits[f.name] = f.enumval
    except gdb.error:
        pass
    return bits


def decode_info(info, has_cap):
    """(length, flag words, problem or None) of a queued message's info word."""
    b = msginfo_bits()
    length = info & b["CAIRN_MSG_LEN_MASK"]
    flags, rest = [], info & ~b["CAIRN_MSG_LEN_MASK"]
    for name, word in (("CAIRN_MSG_CAP", "cap"), ("CAIRN_MSG_CAP_DROPPED", "cap-dropped"),
                       ("CAIRN_MSG_CALL", "call")):
        if rest & b[name]:
            flags.append(word)
            rest &= ~b[name]
    problem = None
    if rest:
        problem = "info %#x: unknown bits %#x" % (info, rest)
    elif has_cap != bool(info & b["CAIRN_MSG_CAP"]):
        problem = ("info %#x says a cap comes with it, but its cap slot is empty" % info
                   if not has_cap else "a cap in its slot, but info %#x has no CAP bit" % info)
    return length, flags, problem


def describe(world, addr, out):
    d = world.channel(addr)
    k = world.k
    name = d["obj"].name
    out("channel %sat %#x: %d/%d messages queued (head %d)" % (
        "'%s' " % name if name else "", addr, d["count"], k.ring_len, d["head"]))
    if d["count"] > k.ring_len or d["head"] >= k.ring_len:
        out("  <corrupt: head %d count %d for a ring of %d>" % (d["head"], d["count"], k.ring_len))
    for n in range(min(d["count"], k.ring_len)):
        i = (d["head"] + n) % k.ring_len
        m = d["ring"][i]
        length, flags, problem = decode_info(m["info"], not m["cap"].empty)
        words = " ".join("%#x" % w for w in m["words"][:min(length, k.msg_word_count)])
        line = "  [%d] badge %#x len %d words [%s]" % (i, m["badge"], length, words)
        if flags:
            line += " flags %s" % "|".join(flags)
        if not m["cap"].empty:
            line += " cap: %s" % fmt.cap_brief(world, m["cap"])
        if m["caller"]:
            line += " call from '%s'" % world.task_name(m["caller"])
        if problem:
            line += " <corrupt: %s>" % problem
        out(line)
    for title, head, off in (("senders", d["senders_head"], k.channel_senders),
                             ("receivers", d["receivers_head"], k.channel_receivers)):
        tasks, problem = world.queue(head, addr + off)
        names = ", ".join("'%s' %s" % (world.task_name(t), consts.state_label(
            world.task(t)["state"])) for t in tasks)
        out("  blocked %s: %s" % (title, names or "none"))
        if problem:
            out("  <corrupt: %s queue: %s>" % (title, problem))


def channel_arg(world, raw):
    addr, _ = address_arg(world, raw, ("channel",))
    return live_object(world, addr, (consts.CHANNEL,), raw)[0]


@register
class Chan(KdbgCommand):
    """Show a channel's queued messages (badge, words, cap) and its blocked senders and receivers.

Messages are listed oldest first (the info word's length and flags:
cap, call); blocked tasks in queue order."""
    name = "chan"

    @staticmethod
    def arguments(p):
        p.arg("expr", nargs="*", rest=True, metavar="EXPR", complete="expr",
              help="an expression for a struct channel * or an address (e.g. "
                   "`$kdbg_cap(\"rinit\", 255).obj`); default: every live channel")
        p.json("the channels as one line of JSON (docs/schema.md)")

    def run(self, world, args):
        raw = args.expr.text
        if self.json:
            from . import schema
            snap = schema.Snapshot(world)
            if raw:
                chans = [snap.channel(channel_arg(world, raw))]
            else:
                chans = snap.channels()
            self.out(schema.dumps(snap.document((), channels=chans)))
            return
        if raw:
            describe(world, channel_arg(world, raw), self.out)
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
