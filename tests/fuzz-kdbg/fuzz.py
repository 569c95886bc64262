#!/usr/bin/python3
"""fuzz-kdbg: every kdbg command on corrupted cores of a real kernel.

usage: tests/fuzz-kdbg/fuzz.py --build DIR [--count N] [--seed S] [--bound SECONDS]
                               [--case I] [--no-regressions] [--tap] [--verbose]

From the build's pristine core (pristine.py: booted, shell state made,
`kdbg dump`, cached in DIR/fuzz-kdbg/), the generator (gen.py) makes
N corrupted cores from seed S (default: from the clock; always printed),
after the regression cases of regressions.py. One GDB (runner.py) opens
them one after another and runs every kdbg command on each with a time
bound per command; a watchdog here kills a GDB that stops answering and
goes on from the next case. Cores damaged before normalization ("raw")
go through `kdbg attach core:` itself, one GDB each.

A case fails when a command prints a Python traceback, a <corrupt: ...>
that only names a Python exception (kdbg's catch-all: a bug), exceeds the
bound, or kills GDB; `kdbg attach` fails on a raw case when it prints a
traceback, ends with a status other than 0 or 1, or changes the core.
Reproduce one with --seed S --case I (prints each command's output).
Exit status 1 when any case failed. --tap: TAP lines for make check.
"""
import argparse
import json
import os
import select
import shutil
import signal
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(HERE, "..", "lib"))
import gen  # noqa: E402
import pristine  # noqa: E402
import regressions  # noqa: E402
from tap import Tap  # noqa: E402

KDBG = pristine.KDBG


def commands(core, wd):
    """Every kdbg command, the $kdbg_* functions and the pretty-printers,
    with arguments taken from the pristine core's objects."""
    d = core.meta["doc"]
    task = {t["name"]: t["addr"] for t in d["tasks"]}
    chan = next(c["addr"] for c in d["channels"] if c["label"] == "'shared'")
    pool = next(p["addr"] for p in d["pools"] if p["label"] == "rinit")
    slot = next(c["slot_addr"] for c in d["caps"] if c["holder"] == "rinit" and c["slot"] == 255)
    return [
        "kdbg tasks", "kdbg tasks --json", "kdbg cpool", "kdbg cpool rinit",
        "kdbg cpool child", "kdbg cpool %s" % pool, "kdbg cdt", "kdbg cdt rinit 255",
        "kdbg cdt rinit 2", "kdbg cdt %s" % slot, "kdbg chan", "kdbg chan %s" % chan,
        "kdbg untyped", "kdbg vspace rinit", "kdbg vspace child --kernel", "kdbg log",
        "kdbg check", "kdbg json", "kdbg json --log", "kdbg graph -o %s/g.dot" % wd,
        "kdbg graph rinit 255 -o -", "kdbg snapshot save %s/s.json" % wd,
        "kdbg diff %s/pristine.json" % wd, "kdbg symbols", "kdbg checkpoint",
        'print $kdbg_task("rinit")', 'print $kdbg_task("child")', "print $kdbg_current()",
        'print $kdbg_cap("rinit", 255)', 'print $kdbg_cap("rinit", 0)',
        'print $kdbg_cap("child", 1)', 'print *$kdbg_task("rinit")',
        "print *(struct task *)%s" % task["child"], "print *(struct task *)%s" % task["rinit"],
        "print *(struct cpool *)%s" % pool, "print *(struct channel *)%s" % chan,
        "print *(struct slot *)%s" % slot, "print (*(struct slot *)%s).cap" % slot,
    ]


def pristine_commands(wd):
    return ["kdbg snapshot save %s/pristine.json" % wd]


class Report:
    def __init__(self, arch, seed, tap):
        self.arch, self.seed, self.tap = arch, seed, tap
        self.failures = []     # (case, problem text)
        self.results = 0
        self.outcomes = {}
        self.slowest = [0, "", None]
        self.n = 0

    def fail(self, case, text):
        self.failures.append((case, text))

    def line(self, text):
        try:
            print(("# " if self.tap else "") + text, flush=True)
        except BrokenPipeError:   # | head: finish quietly, cleaning up
            sys.stdout = open(os.devnull, "w")


def repro(build, case):
    if case["seed"] is None:
        return "regression '%s' (tests/fuzz-kdbg/regressions.py)" % case["index"]
    return "tests/fuzz-kdbg/fuzz.py --build %s --seed %d --case %d" % (build, case["seed"],
                                                                     case["index"])


def describe(build, case):
    return "%s case %s (%s): %s\n    reproduce: %s" % (
        case["kind"], case["index"], "seed %s" % case["seed"] if case["seed"] is not None
        else "regression", "; ".join(case["desc"]), repro(build, case))


# ---- cases in one GDB ----------------------------------------------------------
def run_gdb_cases(build, core, cases, wd, bound, rep, verbose):
    cfg_path = os.path.join(wd, "config.json")
    work = os.path.join(wd, "work.core")
    cfg = {"work": work, "trunc": os.path.join(wd, "trunc.core"), "bound": bound,
           "commands": commands(core, wd), "pristine_commands": pristine_commands(wd),
           "verbose": verbose,
           "cases": [{"truncate": c["truncate"],
                      "patches": [(o, d.hex()) for o, d in c["patches"]]} for c in cases]}
    with open(cfg_path, "w") as f:
        json.dump(cfg, f)
    start = 0
    restarts = 0
    while start < len(cases):
        shutil.copyfile(core.path, work)
        os.chmod(work, 0o600)
        r, w = os.pipe()
        env = dict(os.environ, FUZZ_CONFIG=cfg_path, FUZZ_FD=str(w), FUZZ_START=str(start))
        argv = pristine.gdb_base(build) + ["-x", os.path.join(HERE, "runner.py")]
        proc = subprocess.Popen(argv, env=env, pass_fds=(w,), stdin=subprocess.DEVNULL,
                                stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                                start_new_session=True)
        os.close(w)
        current = None     # (case index, command) in progress
        buf = b""
        done = False
        err_chunks = []
        deadline = time.monotonic() + bound + 30
        while True:
            timeout = max(0.1, deadline - time.monotonic())
            ready, _, _ = select.select([r, proc.stderr], [], [], timeout)
            if not ready:
                # No word from GDB for bound + 30 s: it hangs where the
                # runner's own alarm could not reach (inside GDB itself).
                i = current[0] if current else start
                rep.fail(cases[i], "GDB stopped answering during '%s' (killed after %d s)"
                         % (current[1] if current else "?", bound + 30))
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()
                start = i + 1
                break
            if proc.stderr in ready:
                chunk = os.read(proc.stderr.fileno(), 65536)
                if chunk:
                    err_chunks.append(chunk)
                    del err_chunks[:-20]
            if r not in ready:
                continue
            chunk = os.read(r, 65536)
            if not chunk:
                proc.wait()
                if not done:
                    i = current[0] if current else start
                    tail = b"".join(err_chunks).decode(errors="replace")[-1500:]
                    rep.fail(cases[i], "GDB died (status %s) during '%s': %s"
                             % (proc.returncode, current[1] if current else "?", tail))
                    start = i + 1
                else:
                    start = len(cases)
                break
            buf += chunk
            while b"\n" in buf:
                line, buf = buf.split(b"\n", 1)
                line = line.decode(errors="replace")
                deadline = time.monotonic() + bound + 30
                if line.startswith("B "):
                    _, i, cmd = line.split(" ", 2)
                    current = (int(i), cmd)
                elif line.startswith("P "):
                    bad = json.loads(line[2:])
                    rep.pristine_ok = not bad
                    rep.pristine_bad = bad
                elif line.startswith("R "):
                    res = json.loads(line[2:])
                    collect(build, cases[res["i"]], res, rep, verbose)
                elif line.startswith("X "):
                    rep.fail(cases[current[0] if current else start],
                             "the runner failed: " + line[2:])
                elif line == "D":
                    done = True
        os.close(r)
        if proc.poll() is None:
            try:
                proc.wait(10)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()
        restarts += 1
        if restarts > 50 + len(cases) // 10:
            rep.fail(cases[min(start, len(cases) - 1)], "too many GDB restarts: giving up")
            break


def collect(build, case, res, rep, verbose):
    rep.results += 1
    for k, v in res["outcomes"].items():
        rep.outcomes[k] = rep.outcomes.get(k, 0) + v
    if res["slowest"][0] > rep.slowest[0]:
        rep.slowest = [res["slowest"][0], res["slowest"][1], case]
    for p in res["problems"]:
        rep.fail(case, "%s: %s after %ss\n%s" % (p["cmd"], p["status"], p.get("secs", "?"),
                                                 indent(p["out"])))
    if verbose:
        rep.line(describe(build, case))
        rep.line("core-file: %s" % res.get("load"))
        for c, st, out in res.get("outputs", []):
            rep.line("== %s [%s]\n%s" % (c, st, indent(out.rstrip())))


def indent(text, n=20):
    lines = text.rstrip().splitlines()
    return "\n".join("      " + l for l in lines[-n:])


# ---- raw cores through kdbg attach ----------------------------------------------
def run_raw_cases(build, raw, cases, wd, bound, rep, verbose):
    path = os.path.join(wd, "raw.core")
    for case in cases:
        if case["truncate"] is not None:
            with open(raw.path, "rb") as f, open(path, "wb") as g:
                g.write(f.read(case["truncate"]))
        else:
            shutil.copyfile(raw.path, path)
            with open(path, "r+b") as f:
                for off, data in case["patches"]:
                    f.seek(off)
                    f.write(data)
        os.chmod(path, 0o400)   # kdbg must not need to write it
        before = fingerprint(path)
        t0 = time.monotonic()
        try:
            r = subprocess.run([KDBG, "attach", "core:" + path, "--build", build, "--",
                                "-batch", "-ex", "kdbg tasks", "-ex", "kdbg check"],
                               capture_output=True, text=True, timeout=bound + 30,
                               stdin=subprocess.DEVNULL)
            out, status = r.stdout + r.stderr, r.returncode
        except subprocess.TimeoutExpired:
            out, status = "", None
        secs = time.monotonic() - t0
        rep.results += 1
        kind = "attach exit %s" % status
        rep.outcomes[kind] = rep.outcomes.get(kind, 0) + 1
        if secs > rep.slowest[0]:
            rep.slowest = [round(secs, 3), "kdbg attach core:", case]
        if status is None:
            rep.fail(case, "kdbg attach core: did not end within %d s" % (bound + 30))
        elif any(t in out for t in ("Traceback", "Python Exception", "Error occurred in Python")):
            rep.fail(case, "kdbg attach core: printed a traceback\n" + indent(out))
        elif status not in (0, 1):
            rep.fail(case, "kdbg attach core: exit status %d\n%s" % (status, indent(out)))
        elif status == 1 and not any(l.startswith("kdbg:") for l in out.splitlines()):
            rep.fail(case, "kdbg attach core: exit 1 without a 'kdbg: ...' reason\n" + indent(out))
        if fingerprint(path) != before:
            rep.fail(case, "kdbg attach core: changed the core file")
        if verbose:
            rep.line(describe(build, case))
            rep.line("kdbg attach: exit %s\n%s" % (status, indent(out, 40)))
        os.chmod(path, 0o600)
        os.unlink(path)


def fingerprint(path):
    st = os.stat(path)
    with open(path, "rb") as f:
        head = f.read(1 << 16)
        f.seek(max(0, st.st_size - (1 << 16)))
        tail = f.read()
    return st.st_size, st.st_mtime_ns, head, tail


# ---- main ------------------------------------------------------------------------
def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--build", required=True)
    ap.add_argument("--count", type=int, default=100)
    ap.add_argument("--seed", type=int)
    ap.add_argument("--bound", type=float, default=20.0,
                    help="seconds a command may take (default 20)")
    ap.add_argument("--case", type=int, help="only case I of the seed, verbose")
    ap.add_argument("--no-regressions", action="store_true")
    ap.add_argument("--tap", action="store_true")
    ap.add_argument("--verbose", action="store_true")
    a = ap.parse_args()
    build = os.path.abspath(a.build)
    seed = a.seed if a.seed is not None else int(time.time() * 1000) % 1000000007
    verbose = a.verbose or a.case is not None
    t_start = time.monotonic()
    rep = Report("?", seed, a.tap)
    try:
        core_path, raw_path, meta = pristine.pristine(build, log=rep.line)
    except Exception as e:  # noqa: BLE001 - no core: the test fails, saying why
        T = Tap()
        T.check(False, "fuzz-kdbg %s: the pristine core: %s" % (build, e))
        return T.done()
    arch = meta["arch"]
    rep.arch = arch
    core = gen.Core(core_path, meta)
    raw = gen.Core(raw_path, meta)
    t_gen = time.monotonic()
    if a.case is not None:
        cases = [gen.make_case(core, raw, seed, a.case)]
    else:
        cases = [] if a.no_regressions else regressions.cases(core, raw)
        cases += [gen.make_case(core, raw, seed, i) for i in range(a.count)]
    gen_secs = time.monotonic() - t_gen
    in_gdb = [c for c in cases if c["kind"] != "raw"]
    raw_cases = [c for c in cases if c["kind"] == "raw"]
    rep.line("fuzz-kdbg %s: seed %d, %d cores (%d regressions, %d in one GDB, %d raw through "
             "kdbg attach), bound %gs a command, %d commands a core"
             % (arch, seed, len(cases), sum(1 for c in cases if c["seed"] is None),
                len(in_gdb), len(raw_cases), a.bound, len(commands(core, "W"))))
    wd = tempfile.mkdtemp(prefix="fuzz-kdbg-%s-" % arch,
                          dir="/dev/shm" if os.access("/dev/shm", os.W_OK) else None)
    rep.pristine_ok, rep.pristine_bad = None, []
    try:
        t0 = time.monotonic()
        run_gdb_cases(build, core, in_gdb, wd, a.bound, rep, verbose)
        t_gdb = time.monotonic() - t0
        t0 = time.monotonic()
        run_raw_cases(build, raw, raw_cases, wd, a.bound, rep, verbose)
        t_raw = time.monotonic() - t0
    finally:
        shutil.rmtree(wd, ignore_errors=True)
    total = time.monotonic() - t_start
    failed_cases = {}
    for case, text in rep.failures:
        failed_cases.setdefault((case["seed"], case["index"]), (case, []))[1].append(text)
    rep.line("fuzz-kdbg %s: seed %d: %d cores in %.1f s (%.1f cores/s; in one GDB: %d in %.1f s, "
             "%.1f cores/s; raw via kdbg attach: %d in %.1f s; generating %.2f s)"
             % (arch, seed, len(cases), total, len(cases) / max(total, 1e-9), len(in_gdb),
                t_gdb, len(in_gdb) / max(t_gdb, 1e-9), len(raw_cases), t_raw, gen_secs))
    rep.line("fuzz-kdbg %s: command outcomes: %s; slowest %.2f s (%s)"
             % (arch, ", ".join("%s %d" % kv for kv in sorted(rep.outcomes.items())),
                rep.slowest[0], rep.slowest[1]))
    for (case, texts) in list(failed_cases.values())[:30]:
        rep.line("FAILED " + describe(build, case))
        for t in texts[:5]:
            rep.line("  " + t.replace("\n", "\n" + ("# " if a.tap else "") + "  "))
    ok = not failed_cases and rep.pristine_ok is not False and rep.results == len(cases)
    if rep.pristine_ok is False:
        rep.line("the pristine core: commands failed:\n  " + "\n  ".join(rep.pristine_bad))
    if rep.results != len(cases):
        rep.line("only %d of %d cases gave a result" % (rep.results, len(cases)))
    if a.tap:
        # The diagnostics went out above (rep.line); these are the results.
        T = Tap()
        if rep.pristine_ok is not None:
            T.check(rep.pristine_ok, "fuzz-kdbg %s: every command works on the pristine core; "
                    "the runner catches a traceback, a hang and a masked exception" % arch)
        for c in cases:
            if c["seed"] is None:
                T.check((None, c["index"]) not in failed_cases,
                        "fuzz-kdbg %s: regression %s" % (arch, c["index"]))
        gen_bad = [k for k in failed_cases if k[0] is not None]
        T.check(not gen_bad and rep.results == len(cases),
                "fuzz-kdbg %s: %d corrupted cores (seed %d): no traceback, no hang, "
                "%.1f cores/s" % (arch, len(cases) - sum(1 for c in cases if c["seed"] is None),
                                  seed, len(cases) / max(total, 1e-9)))
        T.done()
    else:
        print("fuzz-kdbg %s: %s: %d cores, %d failed" % (arch, "ok" if ok else "FAILED",
                                                        len(cases), len(failed_cases)))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
