"""Formatting of caps, rights and object summaries shared by the commands."""
from . import consts
from .mem import Corrupt

RIGHTS = "rwgG"


def rights(r):
    return "".join(c if r & (1 << i) else "-" for i, c in enumerate(RIGHTS)) + \
        ("+%#x" % (r & ~0xf) if r & ~0xf else "")


def size(bits):
    if bits >= 64:
        return "2^%d" % bits
    n = 1 << bits
    for unit, shift in (("GiB", 30), ("MiB", 20), ("KiB", 10)):
        if n >= 1 << shift and n % (1 << shift) == 0:
            return "%d %s" % (n >> shift, unit)
    return "%d B" % n


def badge(s):
    """Badge or guard column of a cap."""
    if s.type in (consts.CHANNEL, consts.NOTIFICATION):
        return "%#x" % s.data if s.flags & 1 else ""
    if s.type == consts.CPOOL and s.bits:
        return "guard %#x/%d" % (s.data, s.bits)
    return ""


def obj_column(s):
    if s.type in consts.MEMORY_TYPES:
        return "pa %#x" % s.obj
    return "%#x" % s.obj


def summary(world, s, addr_shown=False):
    """One line about the object a cap refers to. addr_shown: the caller
    prints the object's address already (an unnamed object is not
    labelled with it a second time)."""
    try:
        return _summary(world, s, addr_shown)
    except Corrupt as e:
        return "<corrupt: %s>" % e


def _named(world, o, addr_shown):
    """The object's label and a space, or nothing when it is only its
    address and that is shown already."""
    return "" if addr_shown and not o.name else world.label(o) + " "


def _summary(world, s, addr_shown=False):
    t = s.type
    if t == consts.UNTYPED:
        if s.bits > 63:
            raise Corrupt("untyped size 2^%d" % s.bits)
        total = 1 << s.bits
        used = 100.0 * s.data / total
        return "%s at %#x, watermark %#x (%.0f%% used)%s" % (
            size(s.bits), s.obj, s.data, used, " device" if s.flags & 2 else "")
    if t == consts.CPOOL:
        o, radix, slots = world.pool(s.obj)
        used = sum(1 for x in slots if not x.empty)
        return "%s: %d slots, %d used" % (world.pool_label(s.obj, o), 1 << radix, used)
    if t == consts.TASK:
        d = world.task(s.obj)
        return "'%s' %s prio %d" % (d["obj"].name, consts.state_label(d["state"]),
                                     d["priority"])
    if t == consts.CHANNEL:
        d = world.channel(s.obj)
        ns, _ = world.queue(d["senders_head"])
        nr, _ = world.queue(d["receivers_head"])
        return "%s%d/%d queued, %d senders, %d receivers" % (
            _named(world, d["obj"], addr_shown), d["count"], world.k.ring_len, len(ns), len(nr))
    if t == consts.NOTIFICATION:
        d = world.notification(s.obj)
        nw, _ = world.queue(d["waiters_head"])
        return "%sword %#x, %d waiters" % (_named(world, d["obj"], addr_shown), d["word"],
                                             len(nw))
    if t in (consts.PAGE, consts.PAGE_TABLE):
        mapped = "mapped at %#x" % (s.data & ~0xfff) if s.data & 1 else "unmapped"
        return "frame %#x, %s" % (s.obj, mapped)
    if t == consts.VSPACE:
        return "root table %#x" % s.obj
    if t == consts.IRQ_HANDLER:
        return "irq %d" % world.irq_handler(s.obj)["irq"]
    if t == consts.IRQ_CONTROL:
        return "irq control"
    if t == consts.IO_PORT:
        o = world.obj(s.obj)
        k = world.k
        if k.io_port:
            from .mem import read
            d = k.io_port.decode(read(s.obj, k.io_port.size, "io_port"))
            return "ports %#x-%#x" % (d["first"], d["last"])
        return _named(world, o, addr_shown).strip() or "io port"
    return "<corrupt: type %d>" % t


def cap_line(world, s):
    """type rights badge object summary, for a used slot."""
    if s.type >= world.k.type_count:
        return "<corrupt: cap type %d>" % s.type
    return "%-12s %-5s %-14s %-20s %s" % (consts.type_label(s.type), rights(s.rights),
                                         badge(s), obj_column(s),
                                         summary(world, s, addr_shown=True))


def cap_brief(world, s):
    """cap_line's fields without its table padding: for a cap in a sentence."""
    if s.type >= world.k.type_count:
        return "<corrupt: cap type %d>" % s.type
    b = badge(s)
    return " ".join(x for x in (consts.type_label(s.type), rights(s.rights),
                                "badge " + b if b and s.type != consts.CPOOL else b,
                                obj_column(s), summary(world, s, addr_shown=True)) if x)
