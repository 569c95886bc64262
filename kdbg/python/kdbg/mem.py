"""Memory access: bulk reads that turn every failure into Corrupt."""
import struct

import gdb

# No structure kdbg reads is bigger than this (a 2^20-slot CPool is 56 MiB;
# refuse anything larger rather than stall the stub for minutes).
MAX_READ = 64 << 20

U64 = struct.Struct("<Q")


class Corrupt(Exception):
    """A structure could not be read or does not make sense."""


def require_stopped():
    """A running target cannot be read: say so, rather than report damage."""
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
