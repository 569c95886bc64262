"""Inside GDB (gdb-multiarch -x runner.py, started by fuzz.py): open the
corrupted cores one after another in this one GDB and run every kdbg
command on each, with a time bound per command.

Reads $FUZZ_CONFIG (JSON, written by fuzz.py): the cases (patches at file
offsets of the pristine core, or a length to cut it to), the work file (a
copy of the pristine core, patched in place and restored after each case),
the commands, the bound. Starts at case $FUZZ_START. Writes one line per
event to the file descriptor $FUZZ_FD:
    B INDEX COMMAND          a command starts (fuzz.py's watchdog names it if GDB hangs)
    R {json}                 a case's result
    D                        all done
"""
import json
import os
import re
import signal
import time

import gdb

TRACEBACK = ("Traceback", "Python Exception", "Error occurred in Python")
# A Python exception that kdbg's catch-all turned into a marker: the code
# did not expect it, the message names no damage (a bug to fix).
MASKED = re.compile(r"<corrupt: [A-Za-z_][\w.]*(Error|Exception|Interrupt)\b")


class Hang(BaseException):
    pass


_hung = [False]


def _alarm(signum, frame):
    _hung[0] = True
    raise Hang("time bound")


def emit(fd, text):
    os.write(fd, (text.rstrip("\n") + "\n").encode("utf-8", "replace"))


def run_command(cmd, bound):
    """(status, text, seconds): status ok | error | traceback | masked | hang."""
    _hung[0] = False
    t0 = time.monotonic()
    signal.setitimer(signal.ITIMER_REAL, bound)
    try:
        try:
            out, status = gdb.execute(cmd, to_string=True), "ok"
        except gdb.error as e:
            out, status = str(e), "error"
        except gdb.MemoryError as e:
            out, status = str(e), "error"
    except Hang:
        out, status = "", "hang"
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
    secs = time.monotonic() - t0
    if _hung[0] or secs > bound:
        status = "hang"
    elif any(t in out for t in TRACEBACK):
        status = "traceback"
    elif MASKED.search(out):
        status = "masked"
    return status, out, secs


def apply(path, patches):
    """Write patches into path; return the bytes they replaced."""
    old = []
    with open(path, "r+b") as f:
        for off, data in patches:
            f.seek(off)
            old.append((off, f.read(len(data))))
            f.seek(off)
            f.write(data)
    return old


def restore(path, old):
    with open(path, "r+b") as f:
        for off, data in reversed(old):
            f.seek(off)
            f.write(data)


def truncated_copy(src, dst, n):
    with open(src, "rb") as f, open(dst, "wb") as g:
        left = n
        while left > 0:
            chunk = f.read(min(left, 8 << 20))
            if not chunk:
                break
            g.write(chunk)
            left -= len(chunk)


class _Canary(gdb.Command):
    """A command with the two faults the runner must catch: so that a
    broken detector cannot let every case pass."""

    def __init__(self, name, fn):
        super().__init__(name, gdb.COMMAND_USER)
        self.fn = fn

    def invoke(self, arg, from_tty):
        self.fn()


def _raise():
    raise TypeError("canary")


def _loop():
    while True:
        pass


def canaries():
    _Canary("fuzz-canary-raise", _raise)
    _Canary("fuzz-canary-loop", _loop)
    bad = []
    for cmd, want in (("fuzz-canary-raise", "traceback"), ("fuzz-canary-loop", "hang"),
                      ("python print('<corrupt: IndexError: x>')", "masked")):
        st = run_command(cmd, 1.0)[0]
        if st != want:
            bad.append("the runner's detector: %s gave %s, not %s" % (cmd, st, want))
    return bad


def main():
    with open(os.environ["FUZZ_CONFIG"]) as f:
        cfg = json.load(f)
    fd = int(os.environ["FUZZ_FD"])
    start = int(os.environ.get("FUZZ_START", "0"))
    signal.signal(signal.SIGALRM, _alarm)
    work, bound, verbose = cfg["work"], cfg["bound"], cfg.get("verbose")
    cmds = cfg["commands"]
    # The pristine core first: every command must work there, and the
    # snapshot `kdbg diff` compares the damaged cores with.
    if start == 0:
        gdb.execute("core-file " + work, to_string=True)
        bad = canaries()
        for c in cfg["pristine_commands"] + cmds:
            st, out, secs = run_command(c, bound)
            if st != "ok" or "<corrupt" in out:
                bad.append("%s: %s %s" % (c, st, out[-300:]))
        emit(fd, "P " + json.dumps(bad))
    for i in range(start, len(cfg["cases"])):
        case = cfg["cases"][i]
        t0 = time.monotonic()
        try:
            gdb.execute("core-file", to_string=True)
        except gdb.error:
            pass
        path, old = work, []
        if case["truncate"] is not None:
            path = cfg["trunc"]
            truncated_copy(work, path, case["truncate"])
        else:
            old = apply(work, [(o, bytes.fromhex(d)) for o, d in case["patches"]])
        result = {"i": i, "problems": [], "outcomes": {}, "slowest": [0, ""]}
        try:
            emit(fd, "B %d core-file" % i)
            st, out, secs = run_command("core-file " + path, bound)
            result["load"] = st if st != "error" else "error: " + out.strip().splitlines()[-1:][0] \
                if out.strip() else "error"
            if st not in ("ok", "error"):
                result["problems"].append({"cmd": "core-file", "status": st, "out": out[-2000:]})
            for c in cmds:
                emit(fd, "B %d %s" % (i, c))
                st, out, secs = run_command(c, bound)
                kind = st
                if st == "ok" and "<corrupt" in out:
                    kind = "corrupt"
                result["outcomes"][kind] = result["outcomes"].get(kind, 0) + 1
                if secs > result["slowest"][0]:
                    result["slowest"] = [round(secs, 3), c]
                if st not in ("ok", "error"):
                    result["problems"].append({"cmd": c, "status": st, "out": out[-2000:],
                                               "secs": round(secs, 2)})
                if verbose:
                    result.setdefault("outputs", []).append([c, st, out[-4000:]])
        finally:
            if old:
                restore(work, old)
            if path != work:
                os.unlink(path)
        result["secs"] = round(time.monotonic() - t0, 3)
        emit(fd, "R " + json.dumps(result))
    emit(fd, "D")


try:
    main()
except Exception as e:  # noqa: BLE001 - fuzz.py reports it
    emit(int(os.environ["FUZZ_FD"]), "X %s: %s" % (type(e).__name__, e))
gdb.execute("quit 0")
