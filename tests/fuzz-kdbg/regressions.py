"""Corrupted cores that once broke kdbg, kept as named cases: every fuzz
run (and make check) replays them first.

Each is (name, [mutation, ...]) with symbolic mutations that gen.py
resolves against the current build's pristine core:
    ("field", KIND, LABEL, FIELD, VALUE)   KIND task|cpool|channel|notification|slot;
                                           VALUE an int, "self" (the field's address),
                                           "object" (the object's), "task NAME",
                                           "channel LABEL"
    ("global", NAME, OFFSET, VALUE)        a word of object_lists, sched, kernel_log
    ("header", "core"|"raw", FIELD, VALUE) e_phoff, e_phnum, "3.p_offset", ... ("size":
                                           the file's size)
    ("trunc", "core"|"raw", BYTES)         the core cut to BYTES
"""
import gen

M64 = (1 << 64) - 1

CASES = [
    # Headers of a core not yet normalized, through kdbg attach core:
    # struct.error and "cannot fit 'int' into an offset-sized integer" before.
    ("raw e_phoff all ones", [("header", "raw", "e_phoff", M64)]),
    ("raw e_phnum 65535", [("header", "raw", "e_phnum", 0xffff)]),
    ("raw e_phentsize 0", [("header", "raw", "e_phentsize", 0)]),
    ("raw p_offset 2^64-1", [("header", "raw", "1.p_offset", M64)]),
    ("raw truncated in the program headers", [("trunc", "raw", 100)]),
    # Refused since the fuzzer's first soak: a segment wrapping past 2^64,
    # a big-endian e_ident (unpacked as little-endian before).
    ("raw p_vaddr wraps past 2^64", [("header", "raw", "1.p_vaddr", M64 - 4095)]),
    ("raw e_ident big-endian", [("header", "raw", "e_ident.data", 2)]),
    ("core e_phoff all ones", [("header", "core", "e_phoff", M64)]),
    ("core truncated to 30 bytes", [("trunc", "core", 30)]),
]


def cases(core, raw):
    return [gen.symbolic_case(core, raw, name, muts) for name, muts in CASES]
