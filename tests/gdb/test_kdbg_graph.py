"""kdbg graph: the DOT it writes against `kdbg json`'s caps (nodes per task
and pool, one edge per CDT derivation), a task's view, a cap's derivation
subtree after copy/mint, the SVG from Graphviz, and usage errors."""
import json
import os
import re
import shutil
import sys
import tempfile
import xml.etree.ElementTree as ET

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from gdbtest import check, guarded, no_traceback, run, shell  # noqa: E402
import gdb  # noqa: E402

TMP = tempfile.mkdtemp(prefix="kdbg-graph.")
NODE = re.compile(r'^\s*"([^"]+)" \[class="(\w+)" label=<(.*)>')
EDGE = re.compile(r'^\s*"([^"]+)" -> "([^"]+)" \[class="(\w+)"')


def snapshot():
    for line in run("kdbg json tasks pools caps").splitlines():
        if line.startswith("{"):
            return json.loads(line)
    raise RuntimeError("kdbg json printed no JSON")


def graph(args, name):
    path = os.path.join(TMP, name)
    out = run("kdbg graph %s -o %s" % (args, path))
    with open(path, encoding="utf-8") as f:
        return out, f.read()


def parse(dot):
    """({node id: (class, label)}, [(tail, head, class)])."""
    nodes, edges = {}, []
    for line in dot.splitlines():
        m = EDGE.match(line)
        if m:
            edges.append(m.groups())
            continue
        m = NODE.match(line)
        if m:
            nodes[m.group(1)] = (m.group(2), m.group(3))
    return nodes, edges


def ids(nodes, cls):
    return set(n for n, (c, _) in nodes.items() if c == cls)


def cid(a):
    return "c_%x" % int(a, 16)


def derive_edges(caps):
    """(parent node, child node) for every cap with a CDT parent."""
    return set((cid(c["parent"]), cid(c["slot_addr"])) for c in caps if c["parent"])


def usage_error(cmd):
    try:
        run(cmd)
    except gdb.error as e:
        return str(e)
    return None


def test_whole(doc):
    out, dot = graph("", "whole.dot")
    nodes, edges = parse(dot)
    tasks = set("task_%x" % int(t["addr"], 16) for t in doc["tasks"])
    pools = set("pool_%x" % int(p["addr"], 16) for p in doc["pools"])
    caps = doc["caps"]
    want = derive_edges(caps)
    got = set((a, b) for a, b, c in edges if c == "derive")
    check(ids(nodes, "task") == tasks and ids(nodes, "pool") == pools,
          "whole system: a node per task (%d) and per pool (%d)" % (len(tasks), len(pools)),
          "%s %s\n%s" % (ids(nodes, "task"), ids(nodes, "pool"), dot))
    check(got == want and len([e for e in edges if e[2] == "derive"]) == len(want) and want,
          "whole system: one edge per CDT derivation in kdbg json's caps (%d)" % len(want),
          "missing %s extra %s" % (want - got, got - want))
    groups = [label for c, label in nodes.values() if c == "group"]
    m = re.search(r"(\d+) caps, (\d+) derivation edges", out)
    check(m and int(m.group(1)) == len(caps) and int(m.group(2)) == len(want) and
          any(re.match(r"<b>page \u00d7\d+</b>", g) for g in groups) and
          len(ids(nodes, "cap")) + len(groups) < len(caps) / 2,
          "whole system: rinit's pages collapse into summary nodes, every cap counted",
          "%s\n%s" % (out, groups))
    _, dot = graph("--all", "all.dot")
    nodes, _ = parse(dot)
    check(ids(nodes, "cap") == set(cid(c["slot_addr"]) for c in caps) and
          not ids(nodes, "group"), "--all: one node per cap in kdbg json")


def test_task(doc):
    child = [t for t in doc["tasks"] if t["name"] == "child"][0]
    mine = (child["addr"], child["cpool"])
    _, dot = graph("child --all", "child.dot")
    nodes, edges = parse(dot)
    held = [c for c in doc["caps"] if c["holder_addr"] in mine]
    inside = set(c["slot_addr"] for c in held)
    stubs = set()
    for c in doc["caps"]:
        if c["parent"] and (c["parent"] in inside) != (c["slot_addr"] in inside):
            stubs.add("s_%x" % int(c["slot_addr" if c["parent"] in inside else "parent"], 16))
    others = set(cid(c["slot_addr"]) for c in doc["caps"]
                 if c["holder"] in ("task 'rinit'", "task 'serial-driver'"))
    check(ids(nodes, "cap") == set(cid(a) for a in inside) and not others & set(nodes),
          "TASK: only the caps child holds (its slots and its root pool), not other tasks'",
          dot)
    check(ids(nodes, "stub") == stubs and stubs and
          all(a in nodes and b in nodes for a, b, _ in edges),
          "TASK: derivation edges to caps outside end in stubs (%d)" % len(stubs),
          "%s != %s" % (ids(nodes, "stub"), stubs))
    _, same = graph('$kdbg_task("child") --all', "child-expr.dot")
    check(same == dot, "TASK as an expression ($kdbg_task(\"child\")) draws the same")


def test_slot(doc):
    caps = {c["slot_addr"]: c for c in doc["caps"]}
    rinit = [t for t in doc["tasks"] if t["name"] == "rinit"][0]["cpool"]
    s = {c["slot"]: c for c in doc["caps"] if c["holder_addr"] == rinit}
    root = s[255]["slot_addr"]
    want = {root}
    more = True
    while more:
        more = False
        for a, c in caps.items():
            if c["parent"] in want and a not in want:
                want.add(a)
                more = True
    _, dot = graph("rinit 255", "s255.dot")
    nodes, edges = parse(dot)
    derived = set((a, b) for a, b, c in edges if c == "derive")
    badge = nodes.get(cid(s[102]["slot_addr"]), ("", ""))[1]
    check(ids(nodes, "cap") == set(cid(a) for a in want) and
          {cid(s[101]["slot_addr"]), cid(s[102]["slot_addr"])} <= ids(nodes, "cap"),
          "TASK SLOT: slot 255's channel with the copy (101) and mint (102) below it", dot)
    check(derived == derive_edges(caps[a] for a in want if caps[a]["parent"]) and
          (cid(root), cid(s[102]["slot_addr"])) in derived and
          s[102]["badge"] == 9 and "badge 0x9" in badge and "rw--" in badge,
          "TASK SLOT: derivation edges 255 -> 101, 102, the mint's badge 0x9 and rights rw--",
          badge)
    check("pool_%x" % int(rinit, 16) in nodes and not ids(nodes, "group"),
          "TASK SLOT: the holding pool is drawn, nothing collapsed")


def test_svg():
    out = run("kdbg graph -o %s" % os.path.join(TMP, "whole.svg"))
    try:
        root = ET.parse(os.path.join(TMP, "whole.svg")).getroot()
        text = " ".join(t.text or "" for t in root.iter())
    except (OSError, ET.ParseError) as e:
        root, text = None, str(e)
    check(root is not None and root.tag.endswith("svg") and
          all(n in text for n in ("rinit", "serial-driver", "child")),
          ".svg: Graphviz output is valid XML naming every task", out + text[:2000])


def test_usage():
    cases = [("kdbg graph", "missing -o"),
             ("kdbg graph -o", "-o needs a file name"),
             ("kdbg graph -o %s/x.png" % TMP, "unknown extension '.png'"),
             ("kdbg graph nosuch -o %s/x.dot" % TMP, "no task named 'nosuch'"),
             ("kdbg graph rinit 200 -o %s/x.dot" % TMP, "slot 200 of rinit's root CPool is empty"),
             ("kdbg graph rinit 9999 -o %s/x.dot" % TMP, "out of range"),
             ("kdbg graph rinit two -o %s/x.dot" % TMP, "SLOT must be a number"),
             ("kdbg graph rinit 1 2 -o %s/x.dot" % TMP, "too many arguments")]
    bad = []
    for cmd, want in cases:
        e = usage_error(cmd)
        if e is None or want not in e or "usage: kdbg graph" not in e or not no_traceback(e):
            bad.append("%s -> %r" % (cmd, e))
    check(not bad, "bad arguments give usage errors saying what is wrong", "\n".join(bad))
    path = os.environ.get("PATH", "")
    os.environ["PATH"] = TMP  # no dot here
    try:
        e = usage_error("kdbg graph -o %s/y.svg" % TMP)
    finally:
        os.environ["PATH"] = path
    check(e is not None and "install graphviz (scripts/install-deps)" in e and
          not os.path.exists(os.path.join(TMP, "y.svg")),
          ".svg without Graphviz's dot: install graphviz (scripts/install-deps)", e)


def test():
    try:
        shell([], "boot")
        test_whole(snapshot())
        shell(["start child", "copy 255 101", "mint 255 102 rw 9"], "minted")
        doc = snapshot()
        test_task(doc)
        test_slot(doc)
        test_svg()
        test_usage()
    finally:
        shutil.rmtree(TMP, ignore_errors=True)


guarded(test)
