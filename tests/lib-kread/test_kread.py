#!/usr/bin/python3
"""kread against real kernels, on both arches: boot the default kernel
under QEMU with shared RAM, let rinit reach its prompt and start a child,
then read it with kread-dump

  - live, through the shared RAM file (kr_mem_open_file), timing snapshots;
  - from cores: paging=false (physical), paging=true as QEMU writes it,
    and as `kdbg dump` normalises it -- all three must give the same JSON;
  - compared with kdbg (gdb-multiarch on the same core): tasks, untyped;
  - from corrupted copies of the core (list pointers, a cycle, a radix, a
    ring count, a CDT parent, random bytes): problems reported, no crash,
    clean under ASan/UBSan.

Prints TAP ("ok N - what"); exits 1 if anything failed.

usage: tests/lib-kread/test_kread.py [--arch x86_64|aarch64] [--keep]
Build dirs: $KREAD_BUILD_X86 (build/lib-x86), $KREAD_BUILD_ARM (build/lib-arm);
built with the default defconfigs when missing.
"""
import json
import os
import random
import re
import shutil
import struct
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
import vm  # noqa: E402
from tap import Tap  # noqa: E402

ROOT = vm.ROOT
KDBG = os.path.join(ROOT, "kdbg/bin/kdbg")
# The guests' RAM: enough for the shell and a child, small because every
# core below is written, copied and read whole (64 MiB rather than
# QEMU_MEM's 256: 16.6 -> 14.8 CPU-seconds for this file).
MEM = 64 << 20
ARCHES = {
    "x86_64": {"build": os.environ.get("KREAD_BUILD_X86", "build/lib-x86"),
               "defconfig": "x86_64_defconfig",
               # RAM at gpa 0 (below the VGA hole) and again from 1 MiB, at
               # the same offsets in the file: true of pc (`info mtree -f`)
               # and of microvm, whose RAM is one block from 0.
               "regions": ["0:0xa0000@0", "0x100000:%#x@0x100000" % (MEM - 0x100000)]},
    "aarch64": {"build": os.environ.get("KREAD_BUILD_ARM", "build/lib-arm"),
                "defconfig": "aarch64_defconfig",
                "regions": ["0x40000000:%#x@0" % MEM]},
}
STATES = {"Inactive", "Ready", "Running", "BlockedSend", "BlockedRecv", "BlockedReply",
          "BlockedNotification", "Faulted"}


T = Tap(detail_lines=40)
# The host tools (kread-dump and its ASan build, test-seq, test-osdata)
# come from one build directory, the first arch's: they are built with the
# host's cc whatever the kernel's ARCH, and one binary reads both arches.
HOST = {"build": None}


def run(argv, **kw):
    return subprocess.run(argv, capture_output=True, text=True, cwd=ROOT, **kw)


def build(arch):
    b = ARCHES[arch]["build"]
    if not os.path.exists(os.path.join(ROOT, b, ".config")):
        r = run(["make", "O=" + b, ARCHES[arch]["defconfig"]])
        if r.returncode:
            return r
    r = run(["make", "-j2", "O=" + b])
    if r.returncode == 0 and HOST["build"] is None:
        r = run(["make", "-j2", "O=" + b, "kread", "kread-asan", "test-osdata"])
        if r.returncode == 0:
            HOST["build"] = b
    return r


def host_tool(path):
    """BUILD/path of the build that has the host tools."""
    return os.path.join(ROOT, HOST["build"], path)


def dump_tool(arch, asan=False):
    b = host_tool("host/kread")
    return os.path.join(b, "asan/kread-dump" if asan else "kread-dump")


def kread(arch, *args, asan=False, timeout=120):
    elf = os.path.join(ROOT, ARCHES[arch]["build"], "cairn.elf")
    r = run([dump_tool(arch, asan), elf] + list(args), timeout=timeout)
    data = None
    if r.returncode in (0, 3):
        try:
            data = json.loads(r.stdout)
        except ValueError:
            pass
    return r, data


def elf_offsets(arch, exprs):
    """Values of C expressions from the kernel's DWARF (gdb-multiarch)."""
    elf = os.path.join(ROOT, ARCHES[arch]["build"], "cairn.elf")
    argv = ["gdb-multiarch", "-batch", "-nx", elf]
    for e in exprs:
        argv += ["-ex", "print/x (unsigned long)(%s)" % e]
    r = run(argv, timeout=60)
    vals = re.findall(r"^\$\d+ = (0x[0-9a-f]+|\d+)", r.stdout, re.M)
    if len(vals) != len(exprs):
        raise RuntimeError("gdb: %s\n%s" % (r.stdout, r.stderr))
    return [int(v, 0) for v in vals]


def core_segments(path):
    """[(paddr, offset, filesz)] of a core's PT_LOADs."""
    with open(path, "rb") as f:
        eh = f.read(64)
        phoff, = struct.unpack_from("<Q", eh, 32)
        phentsize, phnum = struct.unpack_from("<HH", eh, 54)
        f.seek(phoff)
        table = f.read(phentsize * phnum)
    segs = []
    for i in range(phnum):
        ptype, _, off, vaddr, paddr, filesz, memsz, _ = struct.unpack_from(
            "<IIQQQQQQ", table, i * phentsize)
        if ptype == 1 and filesz:
            segs.append((paddr, off, filesz))
    return segs


class CoreEditor:
    """Patch guest-physical bytes of a paging=false core copy."""

    def __init__(self, path, bases):
        self.path = path
        self.segs = core_segments(path)
        self.dmap, self.kbase = bases
        self.undo = []  # (file offset, bytes there before) of each write

    def pa(self, va):
        return va - self.kbase if va >= self.kbase else va - self.dmap

    def offset(self, va):
        pa = self.pa(va)
        for paddr, off, size in self.segs:
            if paddr <= pa < paddr + size:
                return off + pa - paddr
        raise ValueError("%#x not in the core" % va)

    def write(self, va, data):
        with open(self.path, "r+b") as f:
            f.seek(self.offset(va))
            self.undo.append((f.tell(), f.read(len(data))))
            f.seek(self.undo[-1][0])
            f.write(data)

    def restore(self):
        """Put back every byte written since the last restore (cheaper than
        a fresh copy of the core per case)."""
        with open(self.path, "r+b") as f:
            for off, old in reversed(self.undo):
                f.seek(off)
                f.write(old)
        self.undo = []

    def read(self, va, n):
        with open(self.path, "rb") as f:
            f.seek(self.offset(va))
            return f.read(n)


def kdbg_tasks(arch, core):
    """`kdbg tasks` on a (normalised) core: {name: (addr, state, prio, blocked, ip, sp)}."""
    b = os.path.join(ROOT, ARCHES[arch]["build"])
    r = run([KDBG, "attach", "core:" + core, "--build", b, "--", "-batch",
             "-ex", "echo @@@tasks\\n", "-ex", "kdbg tasks",
             "-ex", "echo @@@untyped\\n", "-ex", "kdbg untyped"], timeout=180)
    out = r.stdout
    tasks, untyped = {}, {}
    part = out.split("@@@tasks\n", 1)[-1].split("@@@untyped\n")[0]
    for line in part.splitlines():
        m = re.match(r"^[* ] (\S+)\s+(0x[0-9a-f]+) (\S+)\s+(\d+)\s+(.*?)\s+(0x[0-9a-f]+) (0x[0-9a-f]+)",
                     line)
        if m:
            tasks[m.group(1)] = (int(m.group(2), 16), m.group(3), int(m.group(4)),
                                 m.group(5).strip(), int(m.group(6), 16), int(m.group(7), 16))
    part = out.split("@@@untyped\n", 1)[-1]
    for line in part.splitlines():
        m = re.match(r"^(0x[0-9a-f]+) \S+ \S+\s+(0x[0-9a-f]+)", line)
        if m:
            untyped[int(m.group(1), 16)] = int(m.group(2), 16)
    return tasks, untyped, r


def check_snapshot(arch, d, what):
    """The facts every snapshot of the booted shell must show."""
    names = {t["name"]: t for t in d["tasks"]}
    T.check("rinit" in names and "serial-driver" in names,
            "%s %s: tasks rinit and serial-driver" % (arch, what), list(names))
    T.check(all(t["state"] in STATES for t in d["tasks"]),
            "%s %s: task states are ABI names" % (arch, what), [t["state"] for t in d["tasks"]])
    ri = names.get("rinit", {})
    T.check(ri.get("state") == "BlockedRecv" and "console-input" in ri.get("waits", ""),
            "%s %s: rinit waits for console input ('%s')" % (arch, what, ri.get("waits")), ri)
    ch = names.get("child")
    T.check(ch is not None and ch["state"] == "BlockedRecv" and ch["waits"] ==
            "recv on channel 'shared'" and ch["waits_on"]["kind"] == "recv",
            "%s %s: the child waits on channel 'shared'" % (arch, what), ch)
    root = [p for p in d["pools"] if p["label"] == "rinit"]
    T.check(len(root) == 1 and root[0]["slots"] == 256,
            "%s %s: rinit's root CPool, 256 slots" % (arch, what), d["pools"])
    slots = {c["slot"]: c for c in d["caps"] if root and c["holder_addr"] == root[0]["addr"]}
    want = {0: "cpool", 1: "task", 2: "untyped", 3: "vspace", 250: "page", 255: "channel"}
    got = {k: slots.get(k, {}).get("type") for k in want}
    T.check(got == want, "%s %s: root CPool slots 0,1,2,3,250,255" % (arch, what), got)
    T.check(slots.get(0, {}).get("object") == root[0]["addr"] if root else False,
            "%s %s: slot 0 names the pool itself" % (arch, what))
    T.check(all(c["rights"] and len(c["rights"]) == 4 for c in d["caps"]),
            "%s %s: rights strings" % (arch, what))
    chans = {c["label"]: c for c in d["channels"]}
    sh = chans.get("'shared'")
    T.check(sh is not None and sh["receivers"] == ["child"] and sh["depth"] > 0,
            "%s %s: channel 'shared' has the child as receiver" % (arch, what), chans)
    ut = {u["slot"]: u for u in d["untyped"] if u["holder"] == "rinit"}
    T.check(2 in ut and ut[2]["watermark"] > 0 and ut[2]["size"] >= ut[2]["watermark"],
            "%s %s: untyped in slot 2 has a watermark (the child was retyped from it)"
            % (arch, what), ut.get(2))
    T.check(d["problems"] == [], "%s %s: no problems" % (arch, what), d["problems"])


def corrupt_tests(arch, core, bases, tmp):
    """Damage copies of the core; kread must report problems, not crash."""
    _, base = kread(arch, "--core", core)
    task = {t["name"]: t for t in base["tasks"]}
    pool = [p for p in base["pools"] if p["label"] == "rinit"][0]
    shared = [c for c in base["channels"] if c["label"] == "'shared'"][0]
    child_cap = [c for c in base["caps"] if c["parent"]][0]
    olists, = elf_offsets(arch, ["&object_lists"])
    (ol_size, head_off, obj_next, radix_off, chan_count, chan_head, slot_parent, t_qnext,
     task_type, tcpool) = elf_offsets(arch, [
         "sizeof(struct object_list)", "&((struct object_list *)0)->head",
         "&((struct object *)0)->next", "&((struct cpool *)0)->radix_bits",
         "&((struct channel *)0)->count", "&((struct channel *)0)->head",
         "&((struct slot *)0)->parent", "&((struct task *)0)->queue_next",
         "CAIRN_OBJ_TASK", "CAIRN_OBJ_CPOOL"])
    task_list = olists + task_type * ol_size + head_off
    pool_list = olists + tcpool * ol_size + head_off
    rinit = int(task["rinit"]["addr"], 16)
    child = int(task["child"]["addr"], 16)
    q64 = lambda v: struct.pack("<Q", v)  # noqa: E731
    cases = [
        ("task list head outside RAM", task_list, q64(bases[0] + (1 << 40)),
         r"list task: object pointer .* outside RAM"),
        ("task list head misaligned", task_list, q64(rinit + 4), r"misaligned"),
        ("task list cycle", rinit + obj_next, q64(rinit), r"list task: cycle"),
        ("cpool list head at a task", pool_list, q64(rinit), r"list cpool: .*type"),
        ("cpool radix 25", int(pool["addr"], 16) + radix_off, struct.pack("<I", 25),
         r"radix 25"),
        ("channel ring count 99", int(shared["addr"], 16) + chan_count, struct.pack("<I", 99),
         r"count 99 for a ring"),
        ("channel ring head 77", int(shared["addr"], 16) + chan_head, struct.pack("<I", 77),
         r"head 77"),
        ("CDT parent garbage", int(child_cap["slot_addr"], 16) + slot_parent,
         q64(bases[0] + 0x1238), r"CDT parent"),
        ("wait queue cycle", child + t_qnext, q64(child), r"cycle at task"),
    ]
    path = os.path.join(tmp, "corrupt.core")
    shutil.copyfile(core, path)
    ed = CoreEditor(path, bases)
    for what, va, data, pattern in cases:
        ed.restore()
        ed.write(va, data)
        for asan in (False, True):
            r, d = kread(arch, "--core", path, "--log", "4096", asan=asan)
            probs = d["problems"] if d else []
            ok = r.returncode == 0 and any(re.search(pattern, p) for p in probs) and \
                "runtime error" not in r.stderr and "AddressSanitizer" not in r.stderr
            T.check(ok, "%s corrupt core%s: %s -> problem reported" %
                    (arch, " (ASan)" if asan else "", what),
                    "rc %d problems %s\nstderr: %s" % (r.returncode, probs, r.stderr[-1500:]))
    ed.restore()

    # Random damage over the kernel's objects: the ASan build must never crash.
    rnd = random.Random(1234)
    addrs = [int(x["addr"], 16) for x in base["tasks"] + base["pools"] + base["channels"] +
             base["notifications"]]
    crashes = []
    for i in range(40):
        ed.restore()
        for _ in range(rnd.randint(1, 24)):
            a = rnd.choice(addrs) + rnd.randrange(0, 2048, 1)
            try:
                ed.write(a, bytes(rnd.randrange(256) for _ in range(rnd.choice((1, 4, 8)))))
            except ValueError:
                pass
        r, _ = kread(arch, "--core", path, "--log", "4096", asan=True)
        if r.returncode not in (0, 1) or "runtime error" in r.stderr or "Sanitizer" in r.stderr:
            crashes.append((i, r.returncode, r.stderr[-800:]))
    os.unlink(path)
    T.check(not crashes, "%s: 40 randomly damaged cores, ASan/UBSan clean, no crash" % arch,
            crashes[:2])


def check_damaged_headers(arch, build, core, tmp):
    """kdbg normalize-core on cores with damaged ELF headers: exit 1 with
    the reason, never a traceback. Small files: the ELF header and the
    program header table of a real core, then one header field broken."""
    with open(core, "rb") as f:
        ehdr = f.read(64)
        phoff, = struct.unpack_from("<Q", ehdr, 32)
        phentsize, phnum = struct.unpack_from("<HH", ehdr, 54)
        f.seek(0)
        head = f.read(phoff + phentsize * phnum)

    def field(fmt, off, value):
        b = bytearray(head)
        struct.pack_into(fmt, b, off, value)
        return bytes(b)

    cases = [("segments past the end of the file", head),
             ("e_phoff all ones", field("<Q", 32, (1 << 64) - 1)),
             ("e_phentsize 0", field("<H", 54, 0)),
             ("e_phnum 65535", field("<H", 56, 0xffff)),
             ("a segment at offset 2^64-1", field("<Q", phoff + 8, (1 << 64) - 1)),
             ("30 bytes", head[:30])]
    for what, data in cases:
        path = os.path.join(tmp, "damaged.core")
        with open(path, "wb") as f:
            f.write(data)
        r = run([KDBG, "normalize-core", path, "--build", build])
        T.check(r.returncode == 1 and "Traceback" not in r.stderr and
                ("damaged core" in r.stderr or "not an ELF64 core" in r.stderr),
                "%s: kdbg normalize-core, %s: exit 1 with the reason" % (arch, what),
                r.stderr[-1500:])


def test_arch(arch, keep):
    b = ARCHES[arch]["build"]
    r = build(arch)
    if not T.check(r.returncode == 0 and HOST["build"],
                   "%s: kernel, kread and kread-asan build (%s; host tools from %s)"
                   % (arch, b, HOST["build"]), r.stdout[-1500:] + r.stderr[-1500:]):
        return
    elf = os.path.join(ROOT, b, "cairn.elf")
    tmp = tempfile.mkdtemp(prefix="kread-%s-" % arch)
    ram = "/dev/shm/kread-test-%s-%d" % (arch, os.getpid())
    v = None
    try:
        v = vm.VM(elf, tmp, ram=ram, mem="%dM" % (MEM >> 20))
        v.expect(r"rinit> ")
        v.send("start child\n")
        m = v.expect(r"(child running in slot \d+|stopped at [^\n]*)")
        v.expect(r"rinit> ")
        T.check("running" in m.group(0), "%s: rinit started a child" % arch, m.group(0))

        regions = sum((["--region", x] for x in ARCHES[arch]["regions"]), [])
        r, info = kread(arch, "--ram", ram, *regions, "--info", "--quiet")
        bm = re.search(r"direct_map_base (0x[0-9a-f]+) kernel_vbase (0x[0-9a-f]+)", r.stderr)
        bases = (int(bm.group(1), 16), int(bm.group(2), 16)) if bm else (0, 0)
        T.note(r.stderr.strip())

        # ---- live, shared RAM ---------------------------------------------
        r, d = kread(arch, "--ram", ram, *regions, "--log", "4096")
        if T.check(r.returncode == 0 and d is not None, "%s live shared RAM: snapshot" % arch,
                   r.stderr):
            check_snapshot(arch, d, "live")
            T.check(d["log"] and "rinit" in d["log"], "%s live: log tail" % arch)
        r, _ = kread(arch, "--ram", ram, *regions, "--verify-stream", "--quiet", asan=True)
        T.check(r.returncode == 0 and r.stderr.count(": same") == 6,
                "%s live: JSON lines (kr_json_stream) equal the full encoding, caps edited "
                "between lines" % arch, r.stderr)
        r, _ = kread(arch, "--ram", ram, *regions, "--bench", "500", "--quiet")
        bench = re.search(r"median ([\d.]+) ms", r.stderr)
        T.check(r.returncode == 0 and bench is not None,
                "%s live shared RAM: 500 snapshots" % arch, r.stderr)
        T.note(r.stderr.strip())

        # ---- live, QEMU's address space (process_vm_readv after gpa2hva) -----
        pregions = []
        for spec in ARCHES[arch]["regions"]:
            gpa, rest = spec.split(":")
            size = rest.split("@")[0]
            out = v.qmp.hmp("gpa2hva %s" % gpa)
            hm = re.search(r"is (0x[0-9a-f]+)", out)
            if hm:
                pregions += ["--region", "%s:%s@%s" % (gpa, size, hm.group(1))]
        r, d = kread(arch, "--pid", str(v.proc.pid), *pregions)
        if T.check(r.returncode == 0 and d is not None, "%s live process_vm_readv: snapshot"
                   % arch, r.stderr + str(pregions)):
            check_snapshot(arch, d, "process_vm_readv")

        # ---- cores of the stopped VM ---------------------------------------
        v.qmp.execute("stop")
        phys = os.path.join(tmp, "phys.core")
        paged = os.path.join(tmp, "paged.core")
        norm = os.path.join(tmp, "norm.core")
        v.dump(phys, paging=False)
        v.dump(paged, paging=True)
        # `kdbg dump` needs the QMP socket (one client at a time): normalise
        # a copy of the paging=true core the same way instead.
        shutil.copyfile(paged, norm)
        rr = run([KDBG, "normalize-core", norm, "--build", b])
        T.check(rr.returncode == 0, "%s: kdbg normalize-core" % arch, rr.stderr)
        check_damaged_headers(arch, b, paged, tmp)
        # The test holds the VM's QMP socket: kdbg dump must say so, quickly.
        rr = run([KDBG, "dump", os.path.join(tmp, "x.core"), "--qmp", v.qmp_path, "--build", b],
                 timeout=60)
        T.check(rr.returncode == 1 and "another client holds the socket" in rr.stderr and
                "Traceback" not in rr.stderr,
                "%s: kdbg dump on a QMP socket another client holds: a clear error" % arch,
                rr.stderr)
        r, live_stopped = kread(arch, "--ram", ram, *regions, "--no-seq")
        outs = {}
        for name, path in (("paging=false", phys), ("paging=true", paged),
                           ("normalised", norm)):
            r, d = kread(arch, "--core", path)
            outs[name] = d
            if T.check(r.returncode == 0 and d is not None, "%s core %s: snapshot" % (arch, name),
                       r.stderr):
                check_snapshot(arch, d, "core " + name)
        same = all(outs[k] == outs["paging=false"] for k in outs) and \
            live_stopped == outs["paging=false"]
        T.check(same, "%s: the three cores and the stopped VM's RAM give the same JSON" % arch)

        # ---- the gdbserver's pieces on the same core ---------------------------
        osdata_dir = os.path.join(tmp, "osdata")
        os.makedirs(osdata_dir)
        rinit_elf = os.path.join(ROOT, b, "user", "rinit.elf")
        rr = run([host_tool("host/kdbg/gdbserver/test-osdata"), elf, phys,
                  osdata_dir, "rinit=" + rinit_elf, "child=" + rinit_elf])
        T.check(rr.returncode == 0 and "0 failed" in rr.stdout,
                "%s gdbserver pieces on the core: info os tables, task contexts, g/p layouts, "
                "user reads through each task's VSpace (tests/ide/test_osdata.c)" % arch,
                rr.stdout[-3000:] + rr.stderr)
        bad = []
        for f in sorted(os.listdir(osdata_dir)):
            try:
                import xml.dom.minidom
                xml.dom.minidom.parse(os.path.join(osdata_dir, f))
            except Exception as e:  # expat's errors carry line and column
                bad.append("%s: %s" % (f, e))
        T.check(os.listdir(osdata_dir) and not bad,
                "%s: every info os document (and 1,000 hostile names) is well-formed XML"
                % arch, "\n".join(bad))

        # ---- against kdbg on the same core -----------------------------------
        d = outs["paging=false"] or {"tasks": [], "untyped": []}
        ktasks, kuntyped, rr = kdbg_tasks(arch, norm)
        mine = {t["name"]: t for t in d["tasks"]}
        diffs = []
        for name, (addr, state, prio, blocked, ip, sp) in ktasks.items():
            t = mine.get(name)
            if not t:
                diffs.append("%s missing" % name)
                continue
            w = t["waits"]
            if (int(t["addr"], 16), t["state"], t["priority"], int(t["ip"], 16),
                    int(t["sp"], 16)) != (addr, state, prio, ip, sp) or \
                    not ((blocked == "-" and w == "") or (blocked != "-" and w.endswith(blocked))):
                diffs.append("%s: kdbg %s, kread %s" % (name, (hex(addr), state, prio, blocked,
                                                               hex(ip), hex(sp)), t))
        T.check(ktasks and len(ktasks) == len(mine) and not diffs,
                "%s: kread's tasks match `kdbg tasks` (%d tasks)" % (arch, len(ktasks)),
                "\n".join(diffs) + rr.stdout[-1000:] + rr.stderr[-1000:])
        ku = {int(u["base"], 16): u["watermark"] for u in d["untyped"]}
        T.check(kuntyped and ku == kuntyped,
                "%s: kread's untyped match `kdbg untyped` (%d regions)" % (arch, len(kuntyped)),
                "kdbg %s\nkread %s" % (kuntyped, ku))

        # ---- running again: live reads while the guest runs ------------------
        v.qmp.execute("cont")
        # (No shell command here: its output goes to a serial socket this
        # test does not drain, and the kernel's polled UART then waits
        # inside the kernel, odd seq, for as long as nobody reads.)
        r, d = kread(arch, "--ram", ram, "--retries", "3000", *regions)
        T.check(r.returncode == 0 and d and not d["problems"],
                "%s live after cont: snapshot, no problems" % arch,
                "status %s: %s\nproblems: %s\nVM: %s\nserial: %s" % (
                    r.returncode, r.stderr, d and d.get("problems"),
                    v.qmp.execute("query-status"), ""))

        # ---- bad input ---------------------------------------------------------
        r = run([dump_tool(arch), "/etc/hostname", "--core", phys])
        T.check(r.returncode == 1 and "ELF" in r.stderr, "%s: a non-ELF kernel is refused" % arch,
                r.stderr)
        trunc = os.path.join(tmp, "trunc.core")
        with open(phys, "rb") as f, open(trunc, "wb") as g:
            g.write(f.read(1 << 20))
        r, _ = kread(arch, "--core", trunc, asan=True)
        T.check(r.returncode == 1 and "Sanitizer" not in r.stderr,
                "%s: a truncated core is an error, not a crash" % arch, r.stderr[-800:])
        r, _ = kread(arch, "--ram", ram, "--region", "0:0x100000000@0")
        T.check(r.returncode == 1 and "does not fit" in r.stderr,
                "%s: a region past the RAM file is refused" % arch, r.stderr)

        # ---- seqlock and readiness (callback source over the core) -----------
        r = run([host_tool("host/kread/test-seq"), elf, phys])
        for line in r.stdout.splitlines():
            tm = re.match(r"(ok|not ok) \d+ - (.*)", line)
            if tm:
                T.check(tm.group(1) == "ok", "%s seq: %s" % (arch, tm.group(2)), r.stdout)
        T.check(r.returncode == 0, "%s: test-seq exits 0" % arch, r.stdout + r.stderr)

        corrupt_tests(arch, phys, bases, tmp)
    except Exception as e:  # noqa: BLE001 - a failed boot is a test failure
        T.check(False, "%s: test run" % arch, "%s: %s\n%s" % (type(e).__name__, e,
                                                              v.out[-800:] if v else ""))
    finally:
        if v:
            v.close()
        if os.path.exists(ram):
            os.unlink(ram)
        if keep:
            T.note("kept %s" % tmp)
        else:
            shutil.rmtree(tmp, ignore_errors=True)


def main():
    arches = list(ARCHES)
    keep = "--keep" in sys.argv
    if "--arch" in sys.argv:
        arches = [sys.argv[sys.argv.index("--arch") + 1]]
    for a in arches:
        test_arch(a, keep)
    sys.exit(T.done())


if __name__ == "__main__":
    main()
