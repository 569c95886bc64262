"""kdbg vspace: a task's mappings, walking its page tables (x86_64 or AArch64)."""
import struct

from . import consts
from .command import KdbgCommand, Usage, find_task, register, task_arg
from .mem import Corrupt, read, symbol_address

ENTRIES = 512
TABLES = struct.Struct("<512Q")
LEVEL_SHIFT = (39, 30, 21, 12)  # 4 levels of 4 KiB tables on both arches
ADDR_MASK = 0x0000fffffffff000


class X86Format:
    """x86_64 entries: present, writable, user, huge (PS), no-execute."""
    PRESENT, WRITE, USER, HUGE = 1, 2, 4, 0x80
    PCD = 0x10  # cache disable: uncached
    NX = 1 << 63
    ADDR = 0x000ffffffffff000
    user_half_only = True  # one root maps both halves; the top is the kernel's

    def valid(self, e, level):
        return e & self.PRESENT

    def leaf(self, e, level):
        return level == 3 or (level in (1, 2) and e & self.HUGE)

    def address(self, e):
        return e & self.ADDR

    def flags(self, e):
        return "%s%s%s%s%s" % ("r", "w" if e & self.WRITE else "-",
                               "-" if e & self.NX else "x", "u" if e & self.USER else "k",
                               " uncached" if e & self.PCD else "")


class A64Format:
    """AArch64 VMSAv8-64 descriptors (4 KiB granule): valid, table/page
    bit, AP[2:1] (bit 7 read-only, bit 6 EL0), UXN and PXN."""
    VALID, TABLE = 1, 2
    AP_EL0, AP_RO = 1 << 6, 1 << 7
    PXN, UXN = 1 << 53, 1 << 54
    user_half_only = False  # a VSpace root (TTBR0) maps user space only

    def valid(self, e, level):
        return e & self.VALID and (level < 3 or e & self.TABLE)

    def leaf(self, e, level):
        return level == 3 or (level in (1, 2) and not e & self.TABLE)

    def address(self, e):
        return e & ADDR_MASK

    def flags(self, e):
        user = e & self.AP_EL0
        no_exec = e & (self.UXN if user else self.PXN)
        attr = (e >> 2) & 7  # AttrIndx: the kernel's MAIR_EL1 index
        memory = {consts.arch("MT_DEVICE_nGnRE"): " device",
                  consts.arch("MT_NORMAL_NC"): " uncached"}.get(attr, "")
        return "%s%s%s%s%s" % ("r", "-" if e & self.AP_RO else "w", "-" if no_exec else "x",
                               "u" if user else "k", memory)


KERNEL_ROOT_A64 = "boot_l0_high"    # arch/aarch64/boot.S: TTBR1's table
KERNEL_HALF_A64 = 0xffff000000000000


def table_format():
    return A64Format() if consts.arch_name() == "aarch64" else X86Format()


def canonical(va):
    return va | 0xffff000000000000 if va & (1 << 47) else va


def walk(world, root_pa, include_kernel, out_problem, fmt=None, va_base=0):
    """[(va, pa, size, flags)] for every leaf, one read per table."""
    fmt = fmt or table_format()
    maps = []
    seen = set()
    # (table pa, level, va base)
    stack = [(root_pa, 0, va_base)]
    while stack:
        pa, level, base = stack.pop()
        if pa in seen:
            out_problem("table %#x reached twice (loop or shared table)" % pa)
            continue
        seen.add(pa)
        if len(seen) > 1 << 16:
            out_problem("more than 65536 tables, stopping")
            break
        try:
            entries = TABLES.unpack(read(world.phys_to_virt(pa), 4096, "page table"))
        except Corrupt as e:
            out_problem(str(e))
            continue
        todo = []
        top = ENTRIES // 2 if fmt.user_half_only and not include_kernel and not level \
            else ENTRIES
        for i in range(top):
            e = entries[i]
            if not fmt.valid(e, level):
                continue
            va = base | (i << LEVEL_SHIFT[level])
            size = 1 << LEVEL_SHIFT[level]
            if fmt.leaf(e, level):
                maps.append((canonical(va), fmt.address(e) & ~(size - 1), size,
                             fmt.flags(e)))
            else:
                todo.append((fmt.address(e), level + 1, va))
        stack.extend(reversed(todo))
    return maps


def coalesce(maps):
    out = []
    for va, pa, size, fl in sorted(maps):
        if out:
            pva, ppa, psize, pfl, n = out[-1]
            if pva + psize == va and ppa + psize == pa and pfl == fl:
                out[-1] = (pva, ppa, psize + size, pfl, n + 1)
                continue
        out.append((va, pa, size, fl, 1))
    return out


def mapping_json(va, pa, size, flags, pages):
    """A mapping in docs/schema.md's words: flags "rwxu" and the memory
    type apart ("normal", "uncached", "device")."""
    from .schema import addr
    bits, _, memory = flags.partition(" ")
    return {"va": addr(va), "pa": addr(pa), "size": size, "pages": pages, "flags": bits,
            "memory": memory or "normal"}


@register
class VSpace(KdbgCommand):
    """Show a task's virtual memory mappings by walking its page tables.

The walk starts at the VSpace cap in the task's vspace slot and reads each table (one 4 KiB
read) through the kernel's direct map. Contiguous pages with the same
flags are merged: VA range, PA, size, pages, flags (r, w/-, x/-, u/k,
then "uncached" or, on AArch64, "device" for memory that is not cached)."""
    name = "vspace"

    @staticmethod
    def arguments(p):
        p.arg("task", nargs="+", rest=True, metavar="TASK", complete=("task",),
              missing="one TASK", help="a task's debug name or a struct task * expression")
        p.arg("--kernel", action="store_true",
              help="also walk the kernel half (shared by every VSpace; on AArch64 the "
                   "kernel's own TTBR1 table)")
        p.json("\"vspace\": the task, its root table and its mappings, as one line of "
               "JSON (docs/schema.md)")

    def run(self, world, args):
        kernel = args.kernel
        rest = args.task
        if len(rest) > 1 and find_task(world, rest[0]) is not None:
            raise Usage("unexpected '%s' after TASK" % " ".join(rest[1:]))
        t = world.task(task_arg(world, rest.text))
        s = t["slots"][1]
        if s.empty and s.clean:
            raise Usage("task '%s' has no VSpace yet (its vspace slot is empty)"
                        % t["obj"].name)
        if s.type != consts.VSPACE:
            raise Corrupt("task '%s' has no VSpace (slot holds %s)"
                          % (t["obj"].name, consts.type_label(s.type)))
        problems = []
        found = walk(world, s.obj, kernel, problems.append)
        if kernel and not table_format().user_half_only:
            # AArch64: the kernel half has its own root (TTBR1).
            found += walk(world, world.virt_to_phys(symbol_address(KERNEL_ROOT_A64)), True,
                          problems.append, va_base=KERNEL_HALF_A64)
        maps = coalesce(found)
        if self.json:
            from . import schema
            snap = schema.Snapshot(world)
            for p in problems:
                snap.problem(p)
            self.out(schema.dumps(snap.document((), vspace={
                "task": t["obj"].name, "task_addr": schema.addr(t["addr"]),
                "root": schema.addr(s.obj), "kernel": kernel,
                "mappings": [mapping_json(*m) for m in maps]})))
            return
        self.out("vspace of '%s': root table at pa %#x" % (t["obj"].name, s.obj))
        self.out("%-39s %-18s %10s %6s  %s" % ("VIRTUAL", "PHYSICAL", "SIZE", "PAGES",
                                                "FLAGS"))
        for va, pa, size, fl, n in maps:
            self.out("%#018x-%#018x %#018x %10s %6d  %s" % (va, va + size, pa, "%#x" % size,
                                                             n, fl))
        for p in problems:
            self.out("<corrupt: %s>" % p)
        self.out("%d mapping%s" % (len(maps), "" if len(maps) == 1 else "s"))
