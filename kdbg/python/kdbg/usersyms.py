"""kdbg symbols: user-space symbols, like Linux's lx-symbols.

User ELFs are linked at their load addresses (ET_EXEC), so GDB's
`add-symbol-file FILE` with no address puts every section where the
task runs it. With no argument, kdbg symbols loads the root task's ELF
from the build: BUILD/user/*.elf, BUILD being the kernel ELF's directory;
the one the kernel carries (its size and ELF header equal the bytes
between root_image_start and root_image_end) is picked, else the newest.
Tasks rinit starts from its own image (the serial driver, `start child`)
share those symbols. Loading is idempotent.
"""
import glob
import os
import re

import gdb

from .command import KdbgCommand, Usage, register
from .mem import Corrupt, read, symbol_address


def loaded():
    """{realpath: objfile} of the symbol files GDB has."""
    out = {}
    for o in gdb.objfiles():
        if o.filename:
            out[os.path.realpath(o.filename)] = o
    return out


def build_dir():
    f = gdb.current_progspace().filename
    if not f:
        raise Usage("no kernel ELF loaded (file BUILD/cairn.elf first)")
    return os.path.dirname(os.path.realpath(f))


def carried_image():
    """(start, size) of the root task ELF inside the kernel, or None."""
    try:
        start = symbol_address("root_image_start")
        end = symbol_address("root_image_end")
    except Corrupt:
        return None
    return (start, end - start) if end > start else None


def root_elf():
    """(path, why) of the root task's ELF in the build."""
    d = os.path.join(build_dir(), "user")
    files = sorted(glob.glob(os.path.join(d, "*.elf")), key=os.path.getmtime, reverse=True)
    if not files:
        raise Usage("no user ELF in %s (run make)" % d)
    img = carried_image()
    if img:
        start, size = img
        same = [f for f in files if os.path.getsize(f) == size]
        if same:
            try:
                head = read(start, 64, "root image")
            except Corrupt:
                head = None
            for f in same:
                with open(f, "rb") as fh:
                    if head is None or fh.read(64) == head:
                        return f, "the root task the kernel carries"
    return files[0], "the newest user ELF (the carried root image did not match one)"


def is_elf(path):
    try:
        with open(path, "rb") as f:
            return f.read(4) == b"\x7fELF"
    except OSError:
        return False


def add(path):
    """Load path's symbols at their link addresses; False if already loaded."""
    real = os.path.realpath(path)
    if real in loaded():
        return False
    # from_tty False: no confirmation query. No ADDR: sections at the
    # addresses the ELF was linked for (GDB >= 8.3).
    gdb.execute("add-symbol-file %s" % gdb_quote(real), False, True)
    return True


def gdb_quote(path):
    return '"%s"' % path.replace("\\", "\\\\").replace('"', '\\"')


def entry_address(path):
    """An ELF64's entry point (e_entry), for messages; None otherwise."""
    with open(path, "rb") as f:
        data = f.read(64)
    if len(data) < 64 or data[4] != 2:
        return None
    return int.from_bytes(data[24:32], "little")  # e_entry


_SYM = re.compile(r"^(\S+)(?: \+ (\d+))? in section (\S+)(?: of (\S+))?")


def symbolize(pc):
    """'function+0xoff' for a user pc when a loaded symbol file covers it."""
    if not pc:
        return None
    try:
        out = gdb.execute("info symbol %#x" % pc, False, True).strip()
    except gdb.error:
        return None
    m = _SYM.match(out)
    if not m:
        return None
    off = int(m.group(2) or 0)
    return m.group(1) + ("+%#x" % off if off else "")


@register
class Symbols(KdbgCommand):
    """Load user-space symbols so that user ips and `bt` resolve.

Files are loaded with add-symbol-file at their link addresses; files
already loaded are skipped. `kdbg tasks` then shows each task's ip as <function+off>,
`info symbol $pc` and `list *ADDR` work in user space, and so does `bt`
in user code (stepping into user mode, or a core of it)."""
    name = "symbols"

    @staticmethod
    def arguments(p):
        p.arg("files", nargs="*", metavar="FILE", complete="file",
              help="user ELFs (linked where they run); default: the root task's ELF "
                   "from the build (BUILD/user/*.elf, the one the kernel carries)")
        p.json("\"symbols\": [{\"file\", \"entry\", \"reason\", \"loaded\"}] "
               "(loaded false: it was loaded already)")

    def run(self, world, args):
        if args.files:
            files = [(a, "given") for a in args.files]
            for f, _ in files:
                if not os.path.isfile(f):
                    raise Usage("no file %s" % f)
                if not is_elf(f):
                    raise Usage("%s is not an ELF file" % f)
        else:
            files = [root_elf()]
        done = []
        for f, why in files:
            entry = entry_address(f)
            where = " (entry %#x)" % entry if entry is not None else ""
            new = add(f)
            done.append({"file": os.path.abspath(f),
                         "entry": "0x%x" % entry if entry is not None else None,
                         "reason": why, "loaded": new})
            if self.json:
                continue
            if new:
                self.out("kdbg symbols: loaded %s%s: %s" % (f, where, why))
            else:
                self.out("kdbg symbols: %s already loaded" % f)
        if self.json:
            from . import schema
            self.out(schema.dumps(schema.Snapshot(world).document((), symbols=done)))


# ---- bt from the kernel into user space ------------------------------------
#
# A task enters the kernel through the arch's entry code (trapentry.S,
# vectors.S), which saves its user registers in its struct task's ctx
# (kernel_syscall checks &sched.current->ctx == ctx) and runs C code on the
# kernel stack. GDB cannot unwind past that asm; this unwinder says that
# the frame before an entry-code frame is the user code whose registers
# are sched.current->ctx, so `bt` at a kernel stop continues into the
# task's functions once its symbols are loaded.

ENTRY_FILES = ("trapentry.S", "vectors.S")
# GDB register -> struct arch_context field, per arch (all 64-bit).
USER_REGS = {
    "x86_64": [("rip", "rip"), ("rsp", "rsp"), ("rbp", "rbp"), ("rax", "rax"),
               ("rbx", "rbx"), ("rcx", "rcx"), ("rdx", "rdx"), ("rsi", "rsi"),
               ("rdi", "rdi"), ("r8", "r8"), ("r9", "r9"), ("r10", "r10"),
               ("r11", "r11"), ("r12", "r12"), ("r13", "r13"), ("r14", "r14"),
               ("r15", "r15")],
    "aarch64": [("pc", "pc"), ("sp", "sp")] + [("x%d" % i, i) for i in range(31)],
}


class _FrameId:
    def __init__(self, sp, pc):
        self.sp = sp
        self.pc = pc


def _entry_code(pc, cache={}):
    hit = cache.get(pc)
    if hit is None:
        try:
            sal = gdb.find_pc_line(pc)
            name = sal.symtab.filename if sal and sal.symtab else ""
        except (gdb.error, RuntimeError):
            name = ""
        hit = cache[pc] = name.endswith(ENTRY_FILES)
    return hit


def _user_ctx():
    """sched.current->ctx when the current task entered from user mode."""
    from . import consts
    sym = gdb.lookup_global_symbol("sched")
    if sym is None:
        return None, None
    cur = sym.value()["current"]
    if not int(cur):
        return None, None
    ctx = cur.dereference()["ctx"]
    arch = consts.arch_name()
    if arch == "x86_64":
        user = int(ctx["cs"]) & 3 == 3
    else:
        user = int(ctx["pstate"]) & 0xf == 0  # EL0t
    return (ctx, arch) if user else (None, None)


try:
    from gdb.unwinder import Unwinder, register_unwinder
except ImportError:  # pragma: no cover - GDB without Python unwinders
    Unwinder = None

if Unwinder is not None:
    class UserEntryUnwinder(Unwinder):
        def __init__(self):
            super().__init__("kdbg user entry")

        def __call__(self, pending):
            try:
                arch_pc = "rip" if pending.architecture().name().startswith("i386") else "pc"
                pc = int(pending.read_register(arch_pc))
                if not _entry_code(pc):
                    return None
                ctx, arch = _user_ctx()
                if ctx is None:
                    return None
                sp = pending.read_register("rsp" if arch == "x86_64" else "sp")
                info = pending.create_unwind_info(_FrameId(sp, pending.read_register(arch_pc)))
                for reg, f in USER_REGS[arch]:
                    v = ctx["x"][f] if isinstance(f, int) else ctx[f]
                    info.add_saved_register(reg, v)
                return info
            except (gdb.error, gdb.MemoryError, RuntimeError, ValueError, KeyError):
                return None

    _unwinder = None

    def register_user_unwinder():
        global _unwinder
        if _unwinder is None:
            _unwinder = UserEntryUnwinder()
            register_unwinder(None, _unwinder, replace=True)

    register_user_unwinder()
