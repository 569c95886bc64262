"""kdbg vspace: a task's mappings, walking its x86_64 page tables."""
import struct

from . import consts
from .command import KdbgCommand, Usage, register, task_arg
from .mem import Corrupt, read

ENTRIES = 512
PRESENT, WRITE, USER, HUGE = 1, 2, 4, 0x80
NX = 1 << 63
ADDR_MASK = 0x000ffffffffff000
TABLES = struct.Struct("<512Q")
LEVEL_SHIFT = (39, 30, 21, 12)


def flags(e):
    return "%s%s%s%s" % ("r", "w" if e & WRITE else "-", "-" if e & NX else "x",
                         "u" if e & USER else "k")


def canonical(va):
    return va | 0xffff000000000000 if va & (1 << 47) else va


def walk(world, root_pa, include_kernel, out_problem):
    """[(va, pa, size, flags)] for every leaf, one read per table."""
    maps = []
    seen = set()
    # (table pa, level, va base)
    stack = [(root_pa, 0, 0)]
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
        top = ENTRIES if include_kernel or level else ENTRIES // 2
        for i in range(top):
            e = entries[i]
            if not e & PRESENT:
                continue
            va = base | (i << LEVEL_SHIFT[level])
            if level == 3 or (level in (1, 2) and e & HUGE):
                maps.append((canonical(va), e & ADDR_MASK & ~((1 << LEVEL_SHIFT[level]) - 1
                                                              & ADDR_MASK),
                             1 << LEVEL_SHIFT[level], flags(e)))
            else:
                todo.append((e & ADDR_MASK, level + 1, va))
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


@register
class VSpace(KdbgCommand):
    """Show a task's virtual memory mappings by walking its page tables.

Usage: kdbg vspace TASK [--kernel]
TASK is a debug name or a struct task * expression. The walk starts at
the VSpace cap in the task's vspace slot and reads each table (one 4 KiB
read) through the kernel's direct map. Contiguous pages with the same
flags are merged: VA range, PA, size, pages, flags (r, w/-, x/-, u/k).
--kernel also walks the kernel half (shared by every VSpace)."""
    name = "vspace"
    usage = "TASK [--kernel]"

    def run(self, world, args):
        kernel = "--kernel" in args
        raw = self.raw.replace("--kernel", "").strip()
        if not raw:
            raise Usage("one TASK")
        t = world.task(task_arg(world, raw))
        s = t["slots"][1]
        if s.type != consts.VSPACE:
            raise Corrupt("task '%s' has no VSpace (slot holds %s)"
                          % (t["obj"].name, consts.type_label(s.type)))
        problems = []
        maps = coalesce(walk(world, s.obj, kernel, problems.append))
        self.out("vspace of '%s': root table at pa %#x" % (t["obj"].name, s.obj))
        self.out("%-39s %-18s %10s %6s  %s" % ("VIRTUAL", "PHYSICAL", "SIZE", "PAGES",
                                                "FLAGS"))
        for va, pa, size, fl, n in maps:
            self.out("%#018x-%#018x %#018x %10s %6d  %s" % (va, va + size, pa, "%#x" % size,
                                                             n, fl))
        for p in problems:
            self.out("<corrupt: %s>" % p)
        self.out("%d mapping%s" % (len(maps), "" if len(maps) == 1 else "s"))
