"""Helpers for GDB regression scripts: run a command, assert on output.

Imported by tests/gdb/test_*.py, which GDB runs with `-x`. Every check
prints a TAP line; finish() ends GDB with the right exit status.
"""
import gdb

_n = 0
_failed = 0


def run(cmd):
    """Run a GDB command and return what it printed."""
    return gdb.execute(cmd, to_string=True)


def check(cond, what, detail=""):
    global _n, _failed
    _n += 1
    if not cond:
        _failed += 1
        for line in str(detail).splitlines()[-20:]:
            print("# " + line)
    print("%s %d - %s" % ("ok" if cond else "not ok", _n, what), flush=True)


def finish():
    print("1..%d" % _n, flush=True)
    gdb.execute("kill")
    gdb.execute("quit %d" % (1 if _failed else 0))


def guarded(fn):
    """Run fn; an exception becomes a failed check instead of exit 0."""
    try:
        fn()
    except Exception as e:  # noqa: BLE001 - report anything
        check(False, "script raised", repr(e))
    finish()
