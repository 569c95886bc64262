"""Struct layouts from the kernel's DWARF: offsets, sizes and decoders.

Nothing here knows an offset: every Record is built from gdb.lookup_type
and field bit positions, so a changed struct is picked up on reload.
"""
import struct

import gdb

_FORMATS = {1: "B", 2: "H", 4: "I", 8: "Q"}


class LayoutError(Exception):
    pass


def lookup(name):
    try:
        return gdb.lookup_type(name).strip_typedefs()
    except gdb.error:
        raise LayoutError("type %s not in the kernel's DWARF (is cairn.elf loaded?)" % name)


def _find(t, name):
    """(bit offset, field) of `name` in t, looking into anonymous unions."""
    for f in t.fields():
        if f.name == name:
            return f.bitpos, f
        if f.name is None and f.type.strip_typedefs().code in (gdb.TYPE_CODE_UNION,
                                                                 gdb.TYPE_CODE_STRUCT):
            hit = _find(f.type.strip_typedefs(), name)
            if hit:
                return f.bitpos + hit[0], hit[1]
    return None


def field(t, path):
    """(byte offset, field type, bitsize) of a dotted path such as cap.type."""
    bits = 0
    f = None
    cur = t
    for part in path.split("."):
        hit = _find(cur, part)
        if hit is None:
            raise LayoutError("%s has no field %s" % (t, path))
        bits += hit[0]
        f = hit[1]
        cur = f.type.strip_typedefs()
    if bits % 8:
        raise LayoutError("%s.%s is not byte aligned" % (t, path))
    return bits // 8, cur, f.bitsize


def array_info(t, path):
    """(offset, element size, length) of an array field (length 0 if flexible)."""
    off, at, _ = field(t, path)
    if at.code != gdb.TYPE_CODE_ARRAY:
        raise LayoutError("%s.%s is not an array" % (t, path))
    lo, hi = at.range()
    elem = at.target().strip_typedefs().sizeof
    return off, elem, max(0, hi - lo + 1)


class Record:
    """Decode chosen scalar fields of a struct with one struct.unpack_from."""

    def __init__(self, typename, paths):
        self.type = lookup(typename)
        self.size = self.type.sizeof
        cols = []
        for name, path in paths:
            off, ft, bitsize = field(self.type, path)
            if ft.code == gdb.TYPE_CODE_ARRAY:
                cols.append((off, "%ds" % ft.sizeof, name))
                continue
            size = bitsize // 8 if bitsize else ft.sizeof
            if bitsize % 8 or size not in _FORMATS:
                raise LayoutError("%s.%s: unsupported field size" % (typename, path))
            cols.append((off, _FORMATS[size], name))
        cols.sort()
        fmt, pos, names = "<", 0, []
        for off, code, name in cols:
            if off < pos:  # a union member sharing an offset: keep the first
                continue
            fmt += "%dx" % (off - pos) if off > pos else ""
            fmt += code
            pos = off + struct.calcsize("<" + code)
            names.append(name)
        self.struct = struct.Struct(fmt)
        self.names = tuple(names)
        self.span = pos

    def decode(self, buf, off=0):
        """A dict of the fields at buf[off:]; IndexError-safe callers check length."""
        return dict(zip(self.names, self.struct.unpack_from(buf, off)))
