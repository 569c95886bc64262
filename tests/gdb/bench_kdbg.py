"""Benchmark kdbg's bulk reads (docs/PERFORMANCE.md, kdbg section).

    tests/gdb/bench.sh BUILD_DIR

rinit's shell retypes two CPools (2^12 and 2^14 slots) from untyped slot 2;
this script then fills them with copies of the channel cap in slot 255 by
writing well-formed slots and CDT links straight into kernel memory (one
write per pool; the channel's cap_count is raised to match), because the
shell has no command that makes 14,000 copies: 4,096 children of slot 255
in the first pool, and a 10,000-node 4-ary derivation tree in the second.
`kdbg check` must find the result sound before anything is timed. Prints
the wall time of `kdbg cpool` on the full pool and `kdbg cdt` on the tree.
"""
import os
import struct
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from gdbtest import check, guarded, run, shell  # noqa: E402
import gdb  # noqa: E402

NODES = 10000


def addr(expr):
    return int(gdb.parse_and_eval(expr))


def off(t, f):
    return addr("&((%s *)0)->%s" % (t, f))


def test():
    shell(["retype cpool 2 120 12", "retype cpool 2 121 14"], "bench")
    inf = gdb.selected_inferior()
    ssize = gdb.lookup_type("struct slot").sizeof
    link = {f: off("struct slot", f) for f in ("parent", "first_child", "next_sibling",
                                                "prev_sibling")}
    src = addr('&$kdbg_cap("rinit", 255)')
    src_bytes = bytearray(inf.read_memory(src, ssize).tobytes())
    cap = bytes(src_bytes[:gdb.lookup_type("struct cap").sizeof])
    old_first = struct.unpack_from("<Q", src_bytes, link["first_child"])[0]
    pools = [addr('$kdbg_cap("rinit", %d).obj' % i) for i in (120, 121)]
    base = [p + off("struct cpool", "slots") for p in pools]

    def slot(parent, first, nxt, prev):
        b = bytearray(ssize)
        b[:len(cap)] = cap
        for f, v in (("parent", parent), ("first_child", first), ("next_sibling", nxt),
                     ("prev_sibling", prev)):
            struct.pack_into("<Q", b, link[f], v)
        return b

    a = lambda i: base[0] + i * ssize  # noqa: E731
    b = lambda i: base[1] + i * ssize  # noqa: E731
    n = 4096
    buf = bytearray()
    for i in range(n):
        buf += slot(src, b(0) if i == 0 else 0, a(i + 1) if i + 1 < n else old_first,
                    a(i - 1) if i else 0)
    inf.write_memory(base[0], bytes(buf))
    buf = bytearray()
    for j in range(NODES):
        parent = a(0) if j == 0 else b((j - 1) // 4)
        first = b(4 * j + 1) if 4 * j + 1 < NODES else 0
        k = (j - 1) % 4 if j else 0
        nxt = b(j + 1) if j and k < 3 and j + 1 < NODES else 0
        prev = b(j - 1) if j and k > 0 else 0
        buf += slot(parent, first, nxt, prev)
    inf.write_memory(base[1], bytes(buf))
    if old_first:
        inf.write_memory(old_first + link["prev_sibling"], struct.pack("<Q", a(n - 1)))
    inf.write_memory(src + link["first_child"], struct.pack("<Q", a(0)))
    chan = addr('$kdbg_cap("rinit", 255).obj')
    cc = chan + off("struct object", "cap_count")
    count = struct.unpack("<I", inf.read_memory(cc, 4).tobytes())[0]
    inf.write_memory(cc, struct.pack("<I", count + n + NODES))
    out = run("kdbg check")
    check("0 violations" in out, "the synthetic pool and tree pass kdbg check", out)
    for what, cmd, expect in (
            ("4,096-slot CPool", "kdbg cpool (struct cpool *)%#x" % pools[0], "4096 used"),
            ("10,000-node CDT", "kdbg cdt &((struct cpool *)%#x)->slots[0]" % pools[1],
             "%d nodes" % NODES)):
        t = time.perf_counter()
        out = run(cmd)
        dt = time.perf_counter() - t
        check(expect in out, "%s dumped (%d lines)" % (what, out.count("\n")), out[-500:])
        print("# bench: %s: %s: %.3f s, %d lines" % (what, cmd.split()[1], dt, out.count("\n")))


guarded(test)
