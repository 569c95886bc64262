"""The corrupted-core generator: seeded, reproducible, symbolic.

A case is a list of mutations, each named by what it damages -- "task
'child'.queue_next = self", "phdr[3].p_offset = 2^64-1" -- and resolved
against the pristine core's meta.json (pristine.py) into byte patches at
file offsets. Case I of seed S is made by random.Random("S:I") alone, so
`fuzz.py --seed S --case I` rebuilds exactly that core; and a regression
(regressions.py) is written the same symbolic way, so that it survives a
rebuild of the kernel that moves every object.

Kinds of case (weights in KINDS):
  objects  1-4 damages to kernel objects found via DWARF and `kdbg json`:
           a field of an object header, task, cpool, slot (cap and CDT
           links), channel (queues, ring head/count, queued caps) or
           notification set to 0, all ones, its own address, the object's,
           another object's, a misaligned, wild, non-canonical or user
           address, a count or radix out of range, a nearby value; random
           bytes or words inside an object; a name without NUL or with
           control bytes; globals (object_lists heads/tails/counts,
           sched.current and run queues, kernel_log head/size)
  storm    8-24 such damages at once (as kread's random test does)
  header   the ELF header or a program header of the (normalized) core
           damaged: e_phoff, e_phnum, e_phentsize, p_offset/p_filesz past
           the end, p_memsz < p_filesz, p_type, e_ident, e_machine ...
  trunc    the core cut short (inside the ELF header, the program
           headers, the data)
  raw      like header/trunc, on the raw (not yet normalized) core, opened
           through `kdbg attach core:` (kdbg's own normalization)
"""
import random
import struct

KINDS = (("objects", 70), ("storm", 10), ("header", 10), ("trunc", 5), ("raw", 5))
M64 = (1 << 64) - 1
EHDR_FIELDS = {  # name: (offset, width)
    "e_ident.class": (4, 1), "e_ident.data": (5, 1), "e_ident.pad": (15, 1), "e_type": (16, 2),
    "e_machine": (18, 2), "e_version": (20, 4), "e_phoff": (32, 8), "e_shoff": (40, 8),
    "e_ehsize": (52, 2), "e_phentsize": (54, 2), "e_phnum": (56, 2), "e_shentsize": (58, 2),
    "e_shnum": (60, 2), "e_shstrndx": (62, 2)}
PHDR_FIELDS = {"p_type": (0, 4), "p_flags": (4, 4), "p_offset": (8, 8), "p_vaddr": (16, 8),
               "p_paddr": (24, 8), "p_filesz": (32, 8), "p_memsz": (40, 8), "p_align": (48, 8)}


class Core:
    """What a generator needs of a pristine core: its headers and meta."""

    def __init__(self, path, meta):
        self.path = path
        self.meta = meta
        with open(path, "rb") as f:
            self.ehdr = f.read(64)
            f.seek(0, 2)
            self.size = f.tell()
            self.phoff, = struct.unpack_from("<Q", self.ehdr, 32)
            self.phentsize, self.phnum = struct.unpack_from("<HH", self.ehdr, 54)
            f.seek(self.phoff)
            table = f.read(self.phentsize * self.phnum)
        self.phdrs = [struct.unpack_from("<IIQQQQQQ", table, i * self.phentsize)
                      for i in range(self.phnum)]
        self.loads = sorted((p[3], p[2], p[5]) for p in self.phdrs if p[0] == 1 and p[5])
        d = meta["doc"]
        h = lambda x: int(x, 16)  # noqa: E731
        sz = meta["sizes"]
        self.objects = {"task": [(h(t["addr"]), "task '%s'" % t["name"], sz["task"])
                                 for t in d["tasks"]],
                        "cpool": [(h(p["addr"]), "cpool %s" % p["label"],
                                   meta["cpool_slots"] + p["slots"] * sz["slot"])
                                  for p in d["pools"]],
                        "channel": [(h(c["addr"]), "channel %s" % c["label"], sz["channel"])
                                    for c in d["channels"]],
                        "notification": [(h(n["addr"]), "notification %s" % n["label"],
                                          sz["notification"]) for n in d["notifications"]],
                        "slot": [(h(c["slot_addr"]), "slot %s[%d] (%s)" % (c["holder"], c["slot"],
                                                                         c["type"]), sz["slot"])
                                 for c in d["caps"]]}
        self.all_objects = [o for k in ("task", "cpool", "channel", "notification")
                            for o in self.objects[k]]
        self.dmap = meta["dmap"]
        self.ram_end = max(p[4] + p[5] for p in self.phdrs if p[0] == 1)

    def offset(self, va):
        """File offset of virtual address va, or None."""
        for vaddr, off, size in self.loads:
            if vaddr <= va < vaddr + size:
                return off + va - vaddr
        return None


# ---- values ----------------------------------------------------------------
def pointer_values(core, rnd, at, base):
    others = [o[0] for o in core.all_objects] + [s[0] for s in core.objects["slot"]]
    return [("0", 0), ("all ones", M64), ("its own address", at), ("the object's address", base),
            ("another object", rnd.choice(others)),
            ("another object + 4 (misaligned)", rnd.choice(others) + 4),
            ("another object + 8", rnd.choice(others) + 8),
            ("a wild direct-map address", core.dmap + (rnd.getrandbits(40) & ~7)),
            ("past the end of RAM", core.dmap + (1 << 45) + rnd.randrange(0, 1 << 20, 8)),
            ("a non-canonical address", 0x4141414141414140),
            ("a user address", 0x400000 + rnd.randrange(0, 1 << 20, 8)),
            ("1", 1), ("a kernel-image address", core.meta["kbase"] + rnd.randrange(0, 1 << 21, 8)),
            ("the object_lists array", core.meta["globals"]["object_lists"][0]),
            ("a random word", rnd.getrandbits(64))]


def int_values(rnd, width):
    top = (1 << (8 * width)) - 1
    vals = [("0", 0), ("all ones", top), ("1", 1), ("2", 2), ("7", 7), ("21", 21),
            ("40", 40), ("64", 64), ("255", 255), ("1000", 1000), ("2^31-1", 0x7fffffff),
            ("a random value", rnd.getrandbits(8 * width))]
    return [(n, v & top) for n, v in vals]


def pick_value(core, rnd, at, base, width, current):
    if width == 8 and rnd.random() < 0.75:
        name, v = rnd.choice(pointer_values(core, rnd, at, base))
    else:
        name, v = rnd.choice(int_values(rnd, width) + [("its value + 1", current + 1),
                                                       ("its value - 1", current - 1)])
    return name, v & ((1 << (8 * width)) - 1)


# ---- mutations ---------------------------------------------------------------
# A mutation resolves to (description, vaddr, bytes) for memory, or
# (description, file offset, bytes) for headers (vaddr None).
def read_current(core, va, width):
    off = core.offset(va)
    if off is None:
        return 0
    with open(core.path, "rb") as f:
        f.seek(off)
        return int.from_bytes(f.read(width).ljust(width, b"\0"), "little")


def field_mutation(core, rnd):
    kind = rnd.choice(["object", "task", "task", "cpool", "slot", "slot", "channel",
                       "channel", "notification"])
    fields = core.meta["fields"].get(kind, [])
    if kind == "object":
        pool = core.all_objects
    else:
        pool = core.objects.get(kind) or core.all_objects
    base, label, _ = rnd.choice(pool)
    name, off, width = rnd.choice(fields)
    if kind == "slot" and rnd.random() < 0.3:
        # a slot inside a CPool other than the used ones
        p = rnd.choice(core.objects["cpool"])
        base = p[0] + core.meta["cpool_slots"] + rnd.randrange(
            (p[2] - core.meta["cpool_slots"]) // core.meta["sizes"]["slot"]) * \
            core.meta["sizes"]["slot"]
        label = "slot @%#x of %s" % (base, p[1])
    at = base + off
    width = min(width, 8)
    cur = read_current(core, at, width)
    vname, v = pick_value(core, rnd, at, base, width, cur)
    return "%s.%s = %s (%#x)" % (label, name, vname, v), at, v.to_bytes(width, "little")


def bytes_mutation(core, rnd):
    base, label, size = rnd.choice(core.all_objects + core.objects["slot"])
    off = rnd.randrange(size)
    n = rnd.choice((1, 1, 2, 4, 8, 16))
    data = bytes(rnd.getrandbits(8) for _ in range(n))
    return "%s +%#x: %d random bytes %s" % (label, off, n, data.hex()), base + off, data


def word_mutation(core, rnd):
    base, label, size = rnd.choice(core.all_objects + core.objects["slot"])
    off = rnd.randrange(0, max(8, size), 8)
    vname, v = rnd.choice(pointer_values(core, rnd, base + off, base))
    return "%s word +%#x = %s (%#x)" % (label, off, vname, v), base + off, \
        (v & M64).to_bytes(8, "little")


def name_mutation(core, rnd):
    base, label, _ = rnd.choice(core.all_objects)
    name = dict((f[0], f) for f in core.meta["fields"]["object"])["name"]
    choices = [("no NUL", b"A" * name[2]), ("control bytes", bytes(range(1, 1 + name[2]))),
               ("high bytes", b"\xff" * name[2]), ("format text", b"%s%n%x{}\\'\"<>"[:name[2]]),
               ("another task's name", b"rinit".ljust(name[2], b"\0"))]
    what, data = rnd.choice(choices)
    return "%s name = %s" % (label, what), base + name[1], data[:name[2]]


def global_mutation(core, rnd):
    m = core.meta
    g = m["globals"]
    which = rnd.choice(["object_lists", "object_lists", "sched", "sched_ready", "kernel_log",
                        "whole"])
    if which == "object_lists":
        base = g["object_lists"][0]
        n = g["object_lists"][1] // m["sizes"]["object_list"]
        t = rnd.randrange(n)
        fname, foff = rnd.choice(m["list_fields"])
        at = base + t * m["sizes"]["object_list"] + foff
        width = 8 if fname != "count" else 8
        label = "object_lists[%d].%s" % (t, fname)
    elif which == "sched":
        fname, foff, width = m["sched_fields"][0]
        at = g["sched"][0] + foff
        label = "sched.%s" % fname
    elif which == "sched_ready":
        off, qsize, n = m["ready"]
        p = rnd.randrange(n)
        at = g["sched"][0] + off + p * qsize + rnd.choice((0, 8))
        width = 8
        label = "sched.ready[%d] %s" % (p, "head" if (at - g["sched"][0] - off) % qsize == 0
                                        else "tail")
    elif which == "kernel_log":
        fname, foff, width = rnd.choice(m["log_fields"])
        at = g["kernel_log"][0] + foff
        label = "kernel_log.%s" % fname
    else:
        name = rnd.choice(["object_lists", "sched", "kernel_debug"])
        base, size = g[name]
        off = rnd.randrange(0, max(8, size), 8)
        vname, v = rnd.choice(pointer_values(core, rnd, base + off, base))
        return "%s word +%#x = %s (%#x)" % (name, off, vname, v), base + off, \
            (v & M64).to_bytes(8, "little")
    width = min(width, 8)
    cur = read_current(core, at, width)
    vname, v = pick_value(core, rnd, at, at, width, cur)
    return "%s = %s (%#x)" % (label, vname, v), at, v.to_bytes(width, "little")


def header_mutation(core, rnd, size=None):
    """A damaged ELF or program header: (description, file offset, bytes)."""
    size = size or core.size
    if rnd.random() < 0.45:
        name = rnd.choice(list(EHDR_FIELDS))
        off, width = EHDR_FIELDS[name]
        top = (1 << (8 * width)) - 1
        cur = int.from_bytes(core.ehdr[off:off + width], "little")
        vals = [("0", 0), ("all ones", top), ("1", 1), ("its value + 1", cur + 1),
                ("its value - 1", cur - 1), ("a random value", rnd.getrandbits(8 * width))]
        if name == "e_phoff":
            vals += [("the file size", size), ("the file size - 8", size - 8),
                     ("misaligned", cur + 3), ("2^63", 1 << 63)]
        if name in ("e_phnum", "e_phentsize"):
            vals += [("55", 55), ("57", 57), ("65535", 65535), ("2 x", cur * 2)]
        if name == "e_machine":
            vals += [("the other arch", 183 if cur == 62 else 62)]
        vname, v = rnd.choice(vals)
        v &= top
        return "ELF header %s = %s (%#x)" % (name, vname, v), off, v.to_bytes(width, "little")
    i = rnd.randrange(core.phnum)
    name = rnd.choice(list(PHDR_FIELDS))
    foff, width = PHDR_FIELDS[name]
    top = (1 << (8 * width)) - 1
    p = core.phdrs[i]
    cur = p[list(PHDR_FIELDS).index(name)]
    vals = [("0", 0), ("all ones", top), ("its value + 1", cur + 1), ("its value - 1", cur - 1),
            ("a random value", rnd.getrandbits(8 * width))]
    if name in ("p_offset", "p_filesz"):
        vals += [("the file size", size), ("past the file", size + 4096),
                 ("2^63", 1 << 63), ("2^64 - 4096", (1 << 64) - 4096)]
    if name == "p_memsz":
        vals += [("less than p_filesz", max(0, p[5] - 4096))]
    if name == "p_type":
        vals += [("PT_NOTE", 4), ("PT_LOAD", 1), ("PT_NULL", 0), ("PT_GNU_STACK", 0x6474e551)]
    if name in ("p_vaddr", "p_paddr"):
        vals += [("the top page", (1 << 64) - 4096), ("another segment's", rnd.choice(core.phdrs)[3])]
    vname, v = rnd.choice(vals)
    v &= top
    return "phdr[%d].%s = %s (%#x)" % (i, name, vname, v), core.phoff + i * core.phentsize + foff, \
        v.to_bytes(width, "little")


def truncation(core, rnd, size=None):
    size = size or core.size
    where = rnd.choice(["in the ELF header", "in the program headers", "in the data",
                        "one byte short", "empty"])
    if where == "in the ELF header":
        n = rnd.randrange(1, 64)
    elif where == "in the program headers":
        n = core.phoff + rnd.randrange(1, max(2, core.phentsize * core.phnum))
        n = min(n, size - 1)
    elif where == "in the data":
        n = rnd.randrange(64, size - 1)
    elif where == "one byte short":
        n = size - 1
    else:
        n = 0
    return "truncated %s at %d bytes" % (where, n), n


MEMORY_MUTATIONS = ((field_mutation, 50), (bytes_mutation, 15), (word_mutation, 15),
                    (name_mutation, 5), (global_mutation, 15))


def _weighted(rnd, table):
    total = sum(w for _, w in table)
    x = rnd.uniform(0, total)
    for item, w in table:
        x -= w
        if x <= 0:
            return item
    return table[-1][0]


def make_case(core, raw, seed, index):
    """Case index of seed: a dict with kind, desc [str], patches
    [(file offset, bytes)], truncate (None or bytes to keep)."""
    rnd = random.Random("%d:%d" % (seed, index))
    kind = _weighted(rnd, KINDS)
    case = {"seed": seed, "index": index, "kind": kind, "desc": [], "patches": [],
            "truncate": None}
    if kind in ("objects", "storm"):
        n = rnd.choice((1, 1, 1, 2, 2, 3, 4)) if kind == "objects" else rnd.randint(8, 24)
        for _ in range(n):
            fn = _weighted(rnd, MEMORY_MUTATIONS)
            desc, va, data = fn(core, rnd)
            off = core.offset(va)
            if off is None:
                desc += " (address not in the core: skipped)"
            else:
                case["patches"].append((off, data))
            case["desc"].append(desc)
    elif kind == "header":
        for _ in range(rnd.choice((1, 1, 2))):
            desc, off, data = header_mutation(core, rnd)
            case["patches"].append((off, data))
            case["desc"].append(desc)
    elif kind == "trunc":
        desc, n = truncation(core, rnd)
        case["truncate"] = n
        case["desc"].append(desc)
    else:
        if rnd.random() < 0.8:
            desc, off, data = header_mutation(raw, rnd)
            case["patches"].append((off, data))
        else:
            desc, n = truncation(raw, rnd)
            case["truncate"] = n
        case["desc"].append("raw core: " + desc)
    return case


def symbolic_case(core, raw, name, mutations):
    """A regression case from symbolic mutations: (kind, target, field, value)
    with target like "task 'child'", "channel 'shared'", "object_lists[N]";
    resolved against this build's core."""
    case = {"seed": None, "index": name, "kind": "objects", "desc": [], "patches": [],
            "truncate": None}
    for m in mutations:
        fn = REGRESSION_RESOLVERS[m[0]]
        desc, where, data = fn(core, raw, case, *m[1:])
        case["desc"].append(desc)
        if where is not None:
            case["patches"].append((where, data))
    return case


def _find(core, kind, label):
    for base, lab, size in core.objects[kind]:
        if lab == "%s %s" % (kind, label) or lab.startswith("%s %s" % (kind, label)):
            return base, lab, size
    raise KeyError("no %s %s in the pristine core" % (kind, label))


def _resolve_value(core, value, at, base):
    if isinstance(value, int):
        return value
    if value == "self":
        return at
    if value == "object":
        return base
    if value.startswith("task "):
        return _find(core, "task", value[5:])[0]
    if value.startswith("channel "):
        return _find(core, "channel", value[8:])[0]
    if value.startswith("slot+"):
        return base + int(value[5:], 0)
    raise KeyError(value)


def _r_field(core, raw, case, kind, label, field, value):
    base, lab, _ = _find(core, kind, label) if kind != "object" else \
        next(o for o in core.all_objects if o[1].endswith(label))
    name, off, width = next(f for f in core.meta["fields"][kind] if f[0] == field)
    v = _resolve_value(core, value, base + off, base) & ((1 << (8 * min(width, 8))) - 1)
    return "%s.%s = %#x" % (lab, field, v), core.offset(base + off), \
        v.to_bytes(min(width, 8), "little")


def _r_global(core, raw, case, name, off, value):
    base = core.meta["globals"][name][0]
    v = _resolve_value(core, value, base + off, base) & M64
    return "%s +%#x = %#x" % (name, off, v), core.offset(base + off), v.to_bytes(8, "little")


def _r_header(core, raw, case, which, field, value):
    if which == "raw":
        case["kind"] = "raw"
        core = raw
    else:
        case["kind"] = "header"
    if field in EHDR_FIELDS:
        off, width = EHDR_FIELDS[field]
        label = "ELF header %s" % field
    else:
        i, fname = field.split(".")
        foff, width = PHDR_FIELDS[fname]
        off = core.phoff + int(i) * core.phentsize + foff
        label = "phdr[%s].%s" % (i, fname)
    if value == "size":
        value = core.size
    v = value & ((1 << (8 * width)) - 1)
    return "%s%s = %#x" % ("raw core: " if which == "raw" else "", label, v), off, \
        v.to_bytes(width, "little")


def _r_trunc(core, raw, case, which, n):
    case["kind"] = "raw" if which == "raw" else "trunc"
    case["truncate"] = n
    return "%struncated at %d bytes" % ("raw core: " if which == "raw" else "", n), None, None


REGRESSION_RESOLVERS = {"field": _r_field, "global": _r_global, "header": _r_header,
                        "trunc": _r_trunc}
