"""Snapshot documents: the files `kdbg snapshot` writes and `kdbg diff` reads.

The live kernel's `kdbg json` document and what it was taken from (kernel
ELF and its SHA-256, last checkpoint), snapshot names and paths, loading
a saved one and checking it is a full schema-1 document, and refusing to
compare documents of different arches or kernel ELFs. The commands are in
snapshot.py, which re-exports these names.
"""
import hashlib
import json
import os

import gdb

from .command import Usage
from .mem import Corrupt, cstr, read, symbol_address

SECTIONS = ("tasks", "pools", "caps", "channels", "notifications", "untyped")


# ---- snapshot files ------------------------------------------------------------

def snapshot_dir():
    return os.environ.get("KDBG_SNAPSHOT_DIR") or os.getcwd()


def snapshot_path(name):
    """NAME -> DIR/NAME.json; a NAME with a '/' or ending in .json is a path."""
    if not name:
        raise Usage("empty snapshot name")
    if "/" in name or name.endswith(".json"):
        return os.path.expanduser(name)
    return os.path.join(snapshot_dir(), name + ".json")


_elf_ids = {}


def elf_identity():
    """(path, sha256) of the kernel ELF GDB has loaded; (None, None) without one."""
    try:
        path = gdb.current_progspace().filename
    except gdb.error:
        path = None
    if not path:
        return None, None
    try:
        st = os.stat(path)
    except OSError:
        return path, None
    key = (path, st.st_size, st.st_mtime_ns)
    if key not in _elf_ids:
        h = hashlib.sha256()
        try:
            with open(path, "rb") as f:
                for chunk in iter(lambda: f.read(1 << 20), b""):
                    h.update(chunk)
        except OSError:
            return path, None
        _elf_ids[key] = h.hexdigest()
    return path, _elf_ids[key]


def checkpoint_name():
    try:
        sym = gdb.lookup_global_symbol("kdbg_checkpoint_name")
        if sym is None:
            return None
        return cstr(read(symbol_address("kdbg_checkpoint_name"), sym.type.sizeof,
                         "checkpoint name")) or None
    except (Corrupt, gdb.error):
        return None


def need_kernel():
    """mem.require_kernel() where kdbg has it: a live VM or core to read."""
    from . import mem
    f = getattr(mem, "require_kernel", None)
    if f is not None:
        f()


def live_document(world, sections=SECTIONS, log=False):
    """The live kernel's `kdbg json` document (private _slot keys dropped)."""
    from .schema import LOG_MAX, Snapshot, _clean, printable
    text = None
    if log:
        from .log import log_bytes
        try:
            text = printable(log_bytes(world)[0].decode("latin-1")[-LOG_MAX:])
        except Corrupt:
            text = None
    return _clean(Snapshot(world).document(sections, log=text))


def live_meta(name="now"):
    path, sha = elf_identity()
    return {"name": name, "elf": path, "elf_sha256": sha, "checkpoint": checkpoint_name(),
            "saved": None}


def load_snapshot(name):
    """(path, document) of a saved snapshot, or Usage saying what is wrong."""
    path = snapshot_path(name)
    if not os.path.exists(path):
        raise Usage("no such snapshot: %s" % path)
    try:
        with open(path) as f:
            doc = json.load(f)
    except OSError as e:
        raise Usage("cannot read snapshot %s: %s" % (path, e.strerror or e))
    except (ValueError, UnicodeDecodeError) as e:
        raise Usage("snapshot %s is not valid JSON: %s" % (path, e))
    problem = document_problem(doc)
    if problem:
        raise Usage("%s is not a kdbg snapshot: %s" % (path, problem))
    return path, doc


def document_problem(doc):
    """Why doc is not a full schema-1 document, or None."""
    if not isinstance(doc, dict):
        return "not a JSON object"
    if doc.get("schema") != 1:
        return "schema %r (kdbg reads schema 1)" % (doc.get("schema"),)
    if doc.get("arch") not in ("x86_64", "aarch64"):
        return "arch %r" % (doc.get("arch"),)
    for s in SECTIONS:
        if not isinstance(doc.get(s), list):
            return "no '%s' list (a partial `kdbg json`?)" % s
    for s, keys in KEYS.items():
        for x in doc[s]:
            if not isinstance(x, dict):
                return "an item of '%s' is not an object" % s
            missing = [k for k in keys if k not in x]
            if missing:
                return "an item of '%s' has no '%s'" % (s, missing[0])
    return None


# The keys diff_docs reads, per section (docs/schema.md).
KEYS = {
    "tasks": ("addr", "name", "state", "priority", "waits"),
    "pools": ("addr", "label"),
    "caps": ("holder", "holder_addr", "slot", "slot_addr", "type", "rights", "badge", "object",
             "parent"),
    "channels": ("addr", "label", "depth", "count", "messages", "senders", "receivers"),
    "notifications": ("addr", "label", "word", "waiters"),
    "untyped": ("holder", "slot", "slot_addr", "base", "size", "watermark"),
}


def meta_of(doc, name):
    m = doc.get("snapshot") if isinstance(doc.get("snapshot"), dict) else {}
    out = {"name": name, "elf": m.get("elf"), "elf_sha256": m.get("elf_sha256"),
           "checkpoint": m.get("checkpoint"), "saved": m.get("saved")}
    return out


def check_same_kernel(a, an, b, bn):
    """Refuse (Usage) to compare documents of different arches or ELFs."""
    if a["arch"] != b["arch"]:
        raise Usage("%s is of %s, %s of %s: refusing to compare"
                    % (an, a["arch"], bn, b["arch"]))
    ma, mb = meta_of(a, an), meta_of(b, bn)
    if ma["elf_sha256"] and mb["elf_sha256"] and ma["elf_sha256"] != mb["elf_sha256"]:
        raise Usage("%s was taken with another kernel ELF than %s (%s sha256 %s..., %s sha256 "
                    "%s...): refusing to compare" % (an, bn, ma["elf"], ma["elf_sha256"][:12],
                                                    mb["elf"], mb["elf_sha256"][:12]))
