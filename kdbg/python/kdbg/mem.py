"""Memory access: bulk reads that turn every failure into Corrupt, and the
checks that there is a kernel to read at all (require_kernel)."""
import contextlib
import os
import struct

import gdb

# No structure kdbg reads is bigger than this (a 2^20-slot CPool is 56 MiB;
# refuse anything larger rather than stall the stub for minutes).
MAX_READ = 64 << 20

U64 = struct.Struct("<Q")


class Corrupt(Exception):
    """A structure could not be read or does not make sense."""


_in_breakpoint_stop = 0


@contextlib.contextmanager
def reading_in_stop():
    """Inside gdb.Breakpoint.stop() GDB reports the thread as running,
    though it is halted and readable (kdbg break): reads go through."""
    global _in_breakpoint_stop
    _in_breakpoint_stop += 1
    try:
        yield
    finally:
        _in_breakpoint_stop -= 1


def require_stopped():
    """A running target cannot be read: say so, rather than report damage."""
    if _in_breakpoint_stop:
        return
    try:
        thread = gdb.selected_thread()
    except gdb.error:
        thread = None
    if thread is not None and thread.is_running():
        raise gdb.GdbError("the target is running: stop it first (Ctrl-C or "
                           "`interrupt`), then run the kdbg command again")


def read(addr, size, what="memory"):
    """`size` bytes at `addr` in one read, or Corrupt."""
    require_stopped()
    if not addr:
        raise Corrupt("NULL %s" % what)
    if size < 0 or size > MAX_READ:
        raise Corrupt("%s of %d bytes at %#x is implausible" % (what, size, addr))
    if addr < 0 or addr + size > 1 << 64:
        raise Corrupt("%s at %#x is not an address" % (what, addr))
    try:
        return gdb.selected_inferior().read_memory(addr, size).tobytes()
    except (gdb.MemoryError, gdb.error, OverflowError, ValueError) as e:
        raise Corrupt("%s at %#x (%d bytes) unreadable: %s" % (what, addr, size, e)) from None


def u64(buf, off):
    return U64.unpack_from(buf, off)[0]


def cstr(raw):
    """A NUL-terminated byte string as printable text."""
    raw = raw.split(b"\0", 1)[0]
    return "".join(chr(c) if 32 <= c < 127 else "\\x%02x" % c for c in raw)


def symbol_address(name):
    """Address of a global (its DWARF/ELF symbol), or Corrupt."""
    try:
        sym = gdb.lookup_global_symbol(name) or gdb.lookup_symbol(name)[0]
    except gdb.error:
        sym = None
    if sym is not None:
        return int(sym.value().address)
    try:  # an assembly label: only in the ELF symbol table
        return int(gdb.parse_and_eval("(unsigned long)&'%s'" % name))
    except gdb.error:
        raise Corrupt("no symbol %s in the ELF (wrong file loaded?)" % name)


# ---- is there a kernel to read? --------------------------------------------
# Without a target GDB reads the ELF file itself (.bss as zeros: "0 tasks");
# before boot has set the objects up, or with another build's ELF, the
# commands would decode garbage. require_kernel() refuses those cases with
# the reason, so that every report is about a real kernel.

class NoKernel(Exception):
    """No kernel state to show: no target, not initialised, or the wrong ELF."""


ELF_HDR = struct.Struct("<16sHHIQQQIHHHHHH")
ELF_PHDR = struct.Struct("<IIQQQQQQ")
PROBE = 64          # bytes compared per read-only segment
_probe_cache = {}


def elf_probes(path):
    """[(paddr, vaddr, bytes)]: PROBE bytes from the middle of each
    read-only PT_LOAD of the ELF file (code and constants: the same in
    guest memory whatever the kernel did since boot)."""
    try:
        st = os.stat(path)
    except OSError:
        return []
    key = (path, st.st_mtime_ns, st.st_size)
    if key in _probe_cache:
        return _probe_cache[key]
    out = []
    try:
        with open(path, "rb") as f:
            h = ELF_HDR.unpack(f.read(ELF_HDR.size))
            if h[0][:4] == b"\x7fELF" and h[0][4] == 2 and h[0][5] == 1:
                phoff, phentsize, phnum = h[5], h[9], h[10]
                f.seek(phoff)
                table = f.read(phentsize * phnum)
                for i in range(phnum):
                    if (i + 1) * phentsize > len(table) or phentsize < ELF_PHDR.size:
                        break
                    ptype, flags, off, vaddr, paddr, filesz, _, _ = \
                        ELF_PHDR.unpack_from(table, i * phentsize)
                    if ptype != 1 or flags & 2 or filesz < 4 * PROBE:  # PT_LOAD, not PF_W
                        continue
                    at = (filesz // 2) & ~(PROBE - 1)
                    f.seek(off + at)
                    data = f.read(PROBE)
                    if len(data) == PROBE:
                        out.append((paddr + at, vaddr + at, data))
    except (OSError, struct.error):
        out = []
    _probe_cache.clear()
    _probe_cache[key] = out
    return out


def _elf_path():
    try:
        path = gdb.current_progspace().filename
    except (gdb.error, AttributeError):
        path = None
    return path


def _ready_flag():
    """kernel_debug.ready: 1, 0, None when the kernel has no such field,
    or an error text when it cannot be read."""
    try:
        t = gdb.lookup_type("struct kernel_debug")
        off = next((f.bitpos // 8 for f in t.fields() if f.name == "ready"), None)
    except gdb.error:
        return None
    if off is None:
        return None
    try:
        base = symbol_address("kernel_debug")
        return struct.unpack("<I", gdb.selected_inferior().read_memory(base + off, 4).tobytes())[0]
    except (Corrupt, gdb.MemoryError, gdb.error, OverflowError, ValueError) as e:
        return str(e)


def has_target():
    inf = gdb.selected_inferior()
    try:
        return bool(inf.pid) or bool(inf.threads())
    except gdb.error:
        return False


def require_target():
    """Raise NoKernel when GDB has no target (it would read the ELF file)."""
    require_stopped()
    if not has_target():
        raise NoKernel("no target: attach first (kdbg attach HOST:PORT|core:FILE, "
                       "or in GDB: target remote HOST:PORT, core-file FILE)")


def require_kernel():
    """Raise NoKernel unless the target is a kernel kdbg can read: a live
    VM or core (not the bare ELF), booted far enough that its objects exist
    (kernel_debug.ready), whose code and constants are the ELF's."""
    require_target()
    path = _elf_path()
    from . import consts
    try:
        dmap = consts.arch("DIRECT_MAP_BASE")
    except (ImportError, KeyError, TypeError):
        dmap = None
    mismatch = unreadable = None
    inf = gdb.selected_inferior()
    for paddr, vaddr, data in (elf_probes(path) if path and dmap is not None else []):
        # Through the direct map: GDB never substitutes the ELF's bytes
        # there (it would for the image's own addresses, missing from a core).
        try:
            got = inf.read_memory(dmap + paddr, len(data)).tobytes()
        except (gdb.MemoryError, gdb.error, OverflowError, ValueError) as e:
            unreadable = "the kernel image at %#x is unreadable (%s)" % (vaddr, e)
            break
        if got != data:
            diff = sum(1 for a, b in zip(got, data) if a != b)
            mismatch = "%d of %d bytes at %#x differ" % (diff, len(data), vaddr)
            break
    name = os.path.basename(path) if path else "the ELF"
    if mismatch:
        raise NoKernel("memory does not match %s: wrong ELF for this VM/core? (%s)"
                       % (name, mismatch))
    ready = _ready_flag()
    if ready == 0 or isinstance(ready, str):
        raise NoKernel("kernel not initialised yet: continue to the rinit prompt "
                       "(kernel_debug.ready is %s)"
                       % ("0" if ready == 0 else "unreadable: " + ready))
    if unreadable:
        raise NoKernel("memory does not match %s: wrong ELF for this VM/core? (%s)"
                       % (name, unreadable))
