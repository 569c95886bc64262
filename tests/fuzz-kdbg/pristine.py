"""The pristine core of a build that tests/fuzz-kdbg corrupts, made once
and cached next to the build (BUILD/fuzz-kdbg/, keyed by the kernel ELF's
size and mtime).

A VM of the build boots to rinit's prompt under QEMU (TCG), the shell
makes a varied state -- a child task blocked on a channel, a copied cap
(CDT children), a second channel with two queued messages, one carrying a
cap -- and `kdbg dump` takes the core (normalized: pristine.core). The
same stopped VM is also dumped raw through QMP (paging=true, not
normalized: raw.core) for the header cases that go through `kdbg attach
core:` / normalize-core.

meta.json then records, from the kernel's DWARF and `kdbg json` on the
core, what the generator aims at: every object's address, type and size,
every slot's address, the globals (object_lists, sched, kernel_log), and
the offsets and sizes of the fields it corrupts.
"""
import json
import os
import shutil
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
KDBG = os.path.join(ROOT, "kdbg", "bin", "kdbg")
GDB = "gdb-multiarch"
sys.path.insert(0, os.path.join(ROOT, "tests", "lib-kread"))
import vm as kvm  # noqa: E402

# A child blocked then suspended, queued messages (one carrying a cap), a
# CDT with copies and a badged mint, named and unnamed objects.
SHELL = ["retype channel 2 100", "retype notification 2 99", "name 99 doorbell",
         "start child", "copy 255 101", "mint 255 102 rw 7", "suspend 249",
         "send raw 5 6", "send cap 100"]
VERSION = 5   # bump when what is cached changes
# The VM's RAM: every case copies, hashes or reads the whole core, and
# the state the shell makes fits many times over in 64 MiB (QEMU's 256
# MiB made fuzz.py and test_cores.py spend most of their time on I/O).
MEM = "64M"


def cache_dir(build):
    return os.path.join(build, "fuzz-kdbg")


def _key(build):
    st = os.stat(os.path.join(build, "cairn.elf"))
    return "v%d-%d-%d" % (VERSION, st.st_size, st.st_mtime_ns)


def gdb_base(build):
    """GDB on the build's ELF with kdbg loaded as `kdbg attach` does (or,
    with $FUZZ_KDBG_PYTHON, the kdbg package in that directory instead of
    the tree's: to fuzz another version of it). bfd-sharing off: each
    core-file opens the file afresh (the runner patches one file in place)."""
    elf = os.path.join(build, "cairn.elf")
    argv = [GDB, "-q", "-nx", "-batch", "-iex", "set auto-load python-scripts off",
            "-ex", "set pagination off", "-ex", "set confirm off",
            "-ex", "maint set bfd-sharing off", "-ex", "file " + elf]
    other = os.environ.get("FUZZ_KDBG_PYTHON")
    if other:
        return argv + ["-ex", "python import sys; sys.path[:0] = [%r, %r]; import kdbg; "
                       "kdbg.load()" % (other, os.path.join(build, "kdbg"))]
    return argv + ["-ex", "source " + elf + "-gdb.py"]


def _boot_and_dump(build, tmp, log):
    elf = os.path.join(build, "cairn.elf")
    # The VM's sockets in a short directory (a Unix socket path has at
    # most 107 bytes; the build directory may be deep).
    socks = tempfile.mkdtemp(prefix="fuzz-kdbg-vm-")
    qmp2 = os.path.join(socks, "dump.qmp")
    try:
        v = kvm.VM(elf, socks, extra=["-qmp", "unix:%s,server=on,wait=off" % qmp2], mem=MEM)
    except Exception:
        shutil.rmtree(socks, ignore_errors=True)
        raise
    try:
        v.expect(r"rinit> ", timeout=120)
        for cmd in SHELL:
            v.send(cmd + "\n")
            v.expect(r"rinit> ", timeout=60)
        log("booted, shell: %s" % "; ".join(SHELL))
        v.qmp.execute("stop")
        raw = os.path.join(tmp, "raw.core")
        v.dump(raw, paging=True)
        core = os.path.join(tmp, "pristine.core")
        r = subprocess.run([KDBG, "dump", core, "--qmp", qmp2, "--build", build],
                           capture_output=True, text=True, timeout=300)
        if r.returncode:
            raise RuntimeError("kdbg dump failed: %s%s" % (r.stdout, r.stderr))
        return core, raw
    finally:
        v.close()
        shutil.rmtree(socks, ignore_errors=True)


PROBE = r'''
import gdb, json, os
out = {}
def ev(e):
    return int(gdb.parse_and_eval(e))
def off(t, f):
    return ev("(unsigned long)&((%s *)0)->%s" % (t, f))
def size(e):
    return ev("sizeof(%s)" % e)
F = {
 "object": ["type", "state", "flags", "cap_count", "next", "prev", "name"],
 "task": ["state", "priority", "time_slice", "queue_next", "queue_prev", "queue",
          "blocked_on", "buffer_vaddr", "reply_to", "reply_from", "fault.kind", "fault.addr",
          "slots[0].cap.obj", "slots[0].cap.type", "slots[0].cap.bits", "slots[1].cap.obj",
          "slots[1].cap.type"],
 "cpool": ["radix_bits"],
 "slot": ["cap.type", "cap.rights", "cap.bits", "cap.flags", "cap.obj", "cap.data",
          "parent", "first_child", "next_sibling", "prev_sibling"],
 "channel": ["senders.head", "senders.tail", "receivers.head", "receivers.tail", "head",
             "count", "ring[0].badge", "ring[0].info", "ring[0].caller", "ring[0].cap.cap.obj",
             "ring[0].cap.cap.type", "ring[1].cap.cap.obj", "ring[1].cap.cap.type"],
 "notification": ["word", "waiters.head", "waiters.tail"],
}
fields = {}
for s, names in F.items():
    for n in names:
        try:
            fields.setdefault(s, []).append([n, off("struct " + s, n),
                                             size("((struct %s *)0)->%s" % (s, n))])
        except gdb.error:
            pass
out["fields"] = fields
out["sizes"] = {s: size("struct " + s) for s in ("object", "task", "cpool", "slot",
                                                   "channel", "notification", "object_list",
                                                   "scheduler")}
out["cpool_slots"] = off("struct cpool", "slots")
g = {}
for name in ("object_lists", "sched", "kernel_log", "kernel_debug"):
    g[name] = [ev("(unsigned long)&%s" % name), ev("sizeof(%s)" % name)]
out["globals"] = g
out["list_fields"] = [[n, off("struct object_list", n)] for n in ("head", "tail", "count")]
out["sched_fields"] = [[n, off("struct scheduler", n), size("((struct scheduler *)0)->" + n)]
                       for n in ("current",)]
out["ready"] = [off("struct scheduler", "ready"), size("((struct scheduler *)0)->ready[0]"),
                size("((struct scheduler *)0)->ready") // size("((struct scheduler *)0)->ready[0]")]
out["log_fields"] = [[n, off("struct kernel_log", n), size("((struct kernel_log *)0)->" + n)]
                     for n in ("head", "size")]
doc = json.loads(gdb.execute("kdbg json", to_string=True))
out["doc"] = {k: doc.get(k) for k in ("tasks", "pools", "caps", "channels", "notifications",
                                     "untyped", "problems", "arch")}
from kdbg import consts
out["dmap"] = consts.arch("DIRECT_MAP_BASE")
out["kbase"] = consts.arch("KERNEL_VBASE")
out["arch"] = consts.arch_name()
with open(os.environ["PROBE_OUT"], "w") as f:
    json.dump(out, f)
gdb.execute("quit 0")
'''


def _probe(build, core, tmp):
    script = os.path.join(tmp, "probe.py")
    with open(script, "w") as f:
        f.write(PROBE)
    out = os.path.join(tmp, "meta.json")
    r = subprocess.run(gdb_base(build) + ["-ex", "core-file " + core, "-x", script],
                       capture_output=True, text=True, timeout=300,
                       env=dict(os.environ, PROBE_OUT=out))
    if r.returncode or not os.path.isfile(out):
        raise RuntimeError("probing the core failed: %s%s" % (r.stdout[-2000:], r.stderr[-2000:]))
    with open(out) as f:
        meta = json.load(f)
    if meta["doc"].get("problems"):
        raise RuntimeError("the pristine core has problems: %s" % meta["doc"]["problems"])
    return meta


def pristine(build, log=lambda s: None):
    """(pristine.core, raw.core, meta) of the build, made when missing."""
    build = os.path.abspath(build)
    d = cache_dir(build)
    key = _key(build)
    stamp = os.path.join(d, "key")
    core, raw, meta = (os.path.join(d, n) for n in ("pristine.core", "raw.core", "meta.json"))
    try:
        with open(stamp) as f:
            fresh = f.read().strip() == key
    except OSError:
        fresh = False
    if fresh and all(os.path.isfile(p) for p in (core, raw, meta)):
        with open(meta) as f:
            return core, raw, json.load(f)
    log("making the pristine core of %s (cached in %s)" % (build, d))
    os.makedirs(d, exist_ok=True)
    tmp = tempfile.mkdtemp(prefix="fuzz-kdbg-", dir=d)
    try:
        c, r = _boot_and_dump(build, tmp, log)
        m = _probe(build, c, tmp)
        for src, dst in ((c, core), (r, raw)):
            os.replace(src, dst)
        with open(meta, "w") as f:
            json.dump(m, f)
        with open(stamp, "w") as f:
            f.write(key + "\n")
        return core, raw, m
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    c, r, m = pristine(sys.argv[1], log=print)
    print(c, r, len(m["doc"]["tasks"]), "tasks", len(m["doc"]["caps"]), "caps")
