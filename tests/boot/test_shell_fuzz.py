#!/usr/bin/python3
"""rinit's shell under random and hostile input (TAP).

test_shell_fuzz.py KERNEL_ELF [--lines N] [--seed S]

Boots the shell kernel and types N lines (default 1000) made from a
seeded random generator: real commands with huge, negative, missing,
extra, hexadecimal and junk arguments, slots that are empty, vital or
out of range, lines of random bytes and control characters, and a few
10,000-character lines. `shutdown` only ever gets arguments it must
refuse. After every line the prompt must come back; every 100 lines
`echo` must answer; at the end the kernel must not have panicked. A
failure prints the seed and the line's number: `--seed S` replays the
same session.
"""
import argparse
import os
import random
import re
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "lib"))
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from console import Console, ConsoleTimeout  # noqa: E402
from tap import Tap  # noqa: E402
from test_shell import Shell  # noqa: E402

COMMANDS = ["list", "caps", "retype", "copy", "mint", "move", "delete", "revoke", "name",
            "send", "recv", "signal", "poll", "help", "echo", "info", "checkpoint", "set",
            "tasks", "start", "suspend", "resume"]
SET_FIELDS = ["stack", "instruction", "arg", "cpool", "table", "buffer", "fault",
              "priority", "active"]
TYPES = ["task", "cpool", "channel", "notification", "untyped", "page", "vspace",
         "pagetable", "frob", "0", "99"]


def number(rng):
    """An argument word of a shape the shell must parse or refuse."""
    return rng.choice([
        str(rng.randrange(0, 300)),               # slots, some empty, some vital
        str(rng.randrange(0, 16)),
        "-%d" % rng.randrange(1, 1 << 40),        # negative
        str(rng.getrandbits(64)),                 # the largest values
        "18446744073709551616",                   # 2^64: one past
        "9" * rng.randrange(20, 60),              # far past
        "0x%x" % rng.getrandbits(rng.choice([8, 32, 64])),
        "0x", "0b101", "1e9", "12abc", "", "''", '"', "all", "rw--", "rwgGx",
        "".join(rng.choice("abcXYZ_-./%$") for _ in range(rng.randrange(1, 12))),
    ])


def line(rng):
    r = rng.random()
    if r < 0.06:
        # Bytes: printable junk and control characters; not Enter, not ^C
        # (tested on its own), not ^A (QEMU's console escape: ^A t would
        # timestamp the console, ^A x quit QEMU; it never reaches the guest).
        chars = [chr(c) for c in range(2, 127) if c not in (3, 10, 13)]
        return "".join(rng.choice(chars) for _ in range(rng.randrange(1, 80)))
    if r < 0.09:   # unknown commands
        return "".join(rng.choice("abcdefghijklmnopqrstuvwxyz") for _ in range(8))
    cmd = rng.choice(COMMANDS)
    if cmd == "set":
        words = [cmd, rng.choice(SET_FIELDS + ["frob"])]
    elif cmd == "retype":
        words = [cmd, rng.choice(TYPES)]
    elif cmd == "send":
        words = [cmd, rng.choice(["raw", "cap", "frob"])]
    elif cmd == "start":
        words = [cmd, rng.choice(["child", "frob"])]
    else:
        words = [cmd]
    words += [number(rng) for _ in range(rng.randrange(0, 6))]
    return " ".join(words)


def shutdown_refused(rng):
    """shutdown with an argument it must refuse (a valid one would stop the VM)."""
    return "shutdown " + rng.choice(["256", "-1", "x", "18446744073709551616", "1 2"])


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("kernel")
    ap.add_argument("--lines", type=int, default=1000)
    ap.add_argument("--seed", type=int, default=None)
    args = ap.parse_args()
    if args.lines < 1:
        ap.error("--lines must be at least 1")
    seed = args.seed if args.seed is not None else int.from_bytes(os.urandom(4), "little")
    rng = random.Random(seed)
    t = Tap()
    print("# seed %d (replay: %s %s --lines %d --seed %d)" % (
        seed, sys.argv[0], args.kernel, args.lines, seed), flush=True)
    start = time.monotonic()
    silent = []
    done = 0
    try:
        with Console(args.kernel) as c:
            sh = Shell(c)
            for i in range(args.lines):
                if i % 97 == 50:
                    typed = shutdown_refused(rng)
                elif i % 331 == 200:
                    typed = "echo " + "z" * 10000
                else:
                    typed = line(rng)
                try:
                    sh.run(typed, timeout=30 if len(typed) > 1000 else 10)
                except ConsoleTimeout:
                    silent.append((i, typed))
                    # One more chance: a prompt may come after a ^C.
                    c.send("\x03")
                    try:
                        c.expect(r"rinit> ", 10)
                    except ConsoleTimeout:
                        break
                done = i + 1
                if i % 100 == 99:
                    out = sh.run("echo alive %d" % i)
                    if not re.search(r"^alive %d$" % i, out, re.M):
                        silent.append((i, "echo after line %d: %r" % (i, out[-200:])))
            elapsed = time.monotonic() - start
            t.check(done == args.lines and not silent,
                    "%d random and hostile lines (seed %d): the prompt came back after "
                    "every one" % (args.lines, seed),
                    "\n".join("line %d: %r" % (i, s[:200]) for i, s in silent[:10]) or
                    "stopped after %d lines" % done)
            try:
                out = sh.run("echo still here")
                ok = bool(re.search(r"^still here$", out, re.M))
            except ConsoleTimeout as e:
                ok, out = False, str(e)
            t.check(ok, "after the session the shell still answers (echo)", out)
            # (No ".*" around it: on 10,000-character lines that costs
            # seconds of backtracking; the line is cut out afterwards.)
            buf = sh.c.buf
            panic = re.search(r"panic|PANIC|kernel fault", buf)
            t.check(not panic, "no kernel panic in the session",
                    buf[buf.rfind("\n", 0, panic.start()) + 1:].split("\n", 1)[0]
                    if panic else "")
            print("# %d lines in %.1f s (%.0f lines/s)" % (done, elapsed, done / elapsed),
                  flush=True)
    except ConsoleTimeout as e:
        t.check(False, "shell fuzz session (seed %d)" % seed, e)
    return t.done()


if __name__ == "__main__":
    sys.exit(main())
