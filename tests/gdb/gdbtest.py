"""Helpers for GDB regression scripts: run a command, assert on output.

Imported by tests/gdb/test_*.py, which GDB runs with `-x`. Every check
prints a TAP line; finish() ends GDB with the right exit status.

run.sh starts QEMU with the guest's serial console on a Unix socket
(KDBG_TEST_SERIAL) so that shell() can type rinit shell commands and stop
at a named checkpoint (the shell's `checkpoint NAME` -> kdbg_checkpoint).
"""
import os
import socket
import sys
import threading
import time

import gdb

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
from tap import Tap  # noqa: E402

_tap = Tap(detail_lines=25)
_serial = None
_serial_text = []
_lock = threading.Lock()


def run(cmd):
    """Run a GDB command and return what it printed."""
    return gdb.execute(cmd, to_string=True)


def check(cond, what, detail=""):
    """One TAP line (tests/lib/tap.py); returns cond."""
    return _tap.check(cond, what, detail)


def finish():
    status = _tap.done()
    try:
        gdb.execute("kill")
    except gdb.error:
        pass
    gdb.execute("quit %d" % status)


def guarded(fn):
    """Run fn; an exception becomes a failed check instead of exit 0."""
    try:
        fn()
    except Exception as e:  # noqa: BLE001 - report anything
        check(False, "script raised", repr(e))
    finish()


# ---- the guest's serial console ------------------------------------------

def serial():
    """The connected serial socket. A thread drains the guest's output
    (QEMU stalls the guest's UART when a connected client does not read)."""
    global _serial
    if _serial is None:
        path = os.environ.get("KDBG_TEST_SERIAL")
        if not path:
            raise RuntimeError("KDBG_TEST_SERIAL not set: run through tests/gdb/run.sh")
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        for _ in range(100):
            try:
                s.connect(path)
                break
            except OSError:
                time.sleep(0.05)
        else:
            raise RuntimeError("cannot connect to the serial socket " + path)
        threading.Thread(target=_reader, args=(s,), daemon=True).start()
        _serial = s
    return _serial


def _reader(s):
    while True:
        try:
            data = s.recv(65536)
        except OSError:
            return
        if not data:
            return
        with _lock:
            _serial_text.append(data.decode(errors="replace"))


def serial_drain():
    """Everything the guest printed since the last call."""
    serial()
    time.sleep(0.05)
    with _lock:
        text = "".join(_serial_text)
        _serial_text.clear()
    return text


_bp = None
_ready = False


def wait_for_shell():
    """Run until every task waits, rinit for console input (its prompt is up).
    Input typed earlier, while the kernel boots, is not reliably seen."""
    global _ready
    if _ready:
        return
    serial()
    run_until_idle()
    _ready = True


def shell(commands, name):
    """Type rinit shell commands, then `checkpoint NAME`, and continue until
    the kernel stops in kdbg_checkpoint(NAME). Returns the serial output."""
    global _bp
    if _bp is None:
        _bp = gdb.Breakpoint("kdbg_checkpoint", internal=True)
    s = serial()
    wait_for_shell()
    serial_drain()
    out = []
    for cmd in list(commands) + ["checkpoint " + name]:
        s.sendall((cmd + "\n").encode())
    for _ in range(20):
        gdb.execute("continue", to_string=True)
        out.append(serial_drain())
        try:
            hit = gdb.parse_and_eval("name").string()
        except gdb.error:
            hit = None
        if hit == name:
            gdb.execute("finish", to_string=True)  # back in the syscall: state settled
            out.append(serial_drain())
            return "".join(out)
    raise RuntimeError("checkpoint %s never reached" % name)


def run_until_idle():
    """Continue until every task waits (the kernel enters arch_run_idle)."""
    bp = gdb.Breakpoint("arch_run_idle", internal=True, temporary=True)
    gdb.execute("continue", to_string=True)
    if bp.is_valid():
        bp.delete()


def no_traceback(out):
    return "Traceback" not in out and "Python Exception" not in out and \
        "Error occurred in Python" not in out


def rinit_slot(i):
    """rinit's root-pool slot i as a gdb.Value, read without kdbg (tests
    check kdbg against it)."""
    t = gdb.parse_and_eval("object_lists[%d].head" % int(gdb.parse_and_eval("CAIRN_OBJ_TASK")))
    t = t.cast(gdb.lookup_type("struct task").pointer())
    while t:
        if t["hdr"]["name"].string() == "rinit":
            pool = t["slots"][0]["cap"]["obj"].cast(gdb.lookup_type("struct cpool").pointer())
            return pool["slots"][i]
        t = t["hdr"]["next"].cast(gdb.lookup_type("struct task").pointer())
    raise RuntimeError("no rinit task")
