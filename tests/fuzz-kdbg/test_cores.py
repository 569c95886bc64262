#!/usr/bin/python3
"""Cores that cannot be ruined (issue 12 item 2) and damaged headers
through the CLI (issue 13), for one build:

  - kdbg attach core:F on a read-only core not yet normalized: the
    commands work, F is byte for byte the same (a normalized copy is read);
    on a normalized read-only core: the same;
  - a core attached with the other arch's build: exit 1 and why, no
    "0 tasks";
  - damaged ELF/program headers and truncated files through attach and
    normalize-core: exit 1 with a one-line "kdbg: ..." reason, no traceback;
  - kdbg dump of a booted VM: the arch is the VM's (a --build of the other
    arch is refused before anything is written), without --build it finds
    this arch's build whose kernel the VM runs and prints the exact
    `kdbg attach core:F --build DIR` line, which works; with another client
    on the QMP socket it fails within seconds, saying so.

usage: tests/fuzz-kdbg/test_cores.py BUILD [OTHER_ARCH_BUILD]
Prints TAP; exit 1 on failure.
"""
import hashlib
import os
import re
import shlex
import shutil
import socket
import struct
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(HERE, "..", "lib"))
import pristine  # noqa: E402
from tap import Tap  # noqa: E402

KDBG = pristine.KDBG
T = Tap(detail_lines=20)
check = T.check


def digest(path):
    """A digest of the whole file (SHA-1: a third of MD5's time on a
    core, and this file takes two dozen)."""
    h = hashlib.sha1()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(8 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def kdbg(*args, timeout=120, env=None):
    r = subprocess.run([KDBG] + list(args), capture_output=True, text=True, timeout=timeout,
                       stdin=subprocess.DEVNULL, env=env)
    return r.returncode, r.stdout + r.stderr


def attach(core, build, *cmds):
    argv = ["attach", "core:" + core, "--build", build, "--", "-batch"]
    for c in cmds:
        argv += ["-ex", c]
    return kdbg(*argv)


def traceback_in(out):
    return any(t in out for t in ("Traceback", "Python Exception", "Error occurred in Python"))


def tasks_ok(out):
    return re.search(r"^\*? +rinit +0x[0-9a-f]+ ", out, re.M) is not None and \
        "0 violations" in out


def test(build, other, tmp):
    core, raw, meta = pristine.pristine(build)
    arch = meta["arch"]
    # ---- never written -------------------------------------------------------
    for what, src in (("not yet normalized", raw), ("normalized", core)):
        path = os.path.join(tmp, "ro.core")
        shutil.copyfile(src, path)
        os.chmod(path, 0o400)
        before, mtime = digest(path), os.stat(path).st_mtime_ns
        st, out = attach(path, build, "kdbg tasks", "kdbg check")
        check(st == 0 and tasks_ok(out) and not traceback_in(out),
              "%s: kdbg attach core: on a read-only core %s: kdbg tasks and check work"
              % (arch, what), out)
        check(digest(path) == before and os.stat(path).st_mtime_ns == mtime,
              "%s: ... and the core file is left exactly as it was" % arch)
        if what == "not yet normalized":
            check("reading a normalized copy" in out,
                  "%s: ... kdbg says it reads a normalized copy" % arch, out)
        os.unlink(path)
    # ---- the other arch's build ---------------------------------------------------
    if other:
        st, out = attach(core, other, "kdbg tasks")
        check(st == 1 and re.search(r"is a core of an \S+ machine, but .* is an \S+ (kernel|build)",
                                    out) and "tasks" not in out.split("kdbg:")[-1] and
              not traceback_in(out),
              "%s: a core attached with the other arch's build: exit 1 saying so, no "
              "'0 tasks'" % arch, out)
        path = os.path.join(tmp, "x.core")
        shutil.copyfile(raw, path)
        before = digest(path)
        st, out = kdbg("normalize-core", path, "--build", other)
        check(st == 1 and "is a core of an" in out and digest(path) == before,
              "%s: normalize-core with the other arch's build: refused, core untouched"
              % arch, out)
        os.unlink(path)
    # ---- damaged headers, not yet normalized ---------------------------------------
    with open(raw, "rb") as f:
        ehdr = f.read(64)
    phoff, = struct.unpack_from("<Q", ehdr, 32)
    cases = [("e_phoff all ones", 32, struct.pack("<Q", (1 << 64) - 1)),
             ("e_phoff past the end", 32, struct.pack("<Q", os.path.getsize(raw) + 8)),
             ("e_phnum 65535", 56, struct.pack("<H", 0xffff)),
             ("e_phentsize 0", 54, struct.pack("<H", 0)),
             ("p_offset 2^64-1", phoff + 56 + 8, struct.pack("<Q", (1 << 64) - 1)),
             ("p_filesz 2^64-1", phoff + 56 + 32, struct.pack("<Q", (1 << 64) - 1)),
             ("not ELF64", 4, b"\x01"),
             ("30 bytes", None, 30), ("cut in the program headers", None, phoff + 20)]
    for what, off, data in cases:
        path = os.path.join(tmp, "bad.core")
        if off is None:
            with open(raw, "rb") as f, open(path, "wb") as g:
                g.write(f.read(data))
        else:
            shutil.copyfile(raw, path)
            with open(path, "r+b") as f:
                f.seek(off)
                f.write(data)
        before = digest(path)
        t0 = time.monotonic()
        st, out = attach(path, build, "kdbg tasks")
        secs = time.monotonic() - t0
        lines = [l for l in out.splitlines() if l.startswith("kdbg:")]
        check(st == 1 and lines and not traceback_in(out) and secs < 30 and digest(path) == before,
              "%s: attach core: with %s: exit 1, '%s'" % (arch, what, lines[-1] if lines else "?"),
              out)
        st, out = kdbg("normalize-core", path, "--build", build)
        check(st == 1 and out.startswith("kdbg: ") and len(out.strip().splitlines()) == 1 and
              not traceback_in(out),
              "%s: normalize-core with %s: exit 1 with one line" % (arch, what), out)
        os.unlink(path)
    # ---- kdbg dump of a VM -------------------------------------------------------------
    dump_tests(build, other, tmp, arch)


def dump_tests(build, other, tmp, arch):
    import vm as kvm
    env = dict(os.environ, KDBG_RUNTIME_DIR=os.path.join(tmp, "runtime"))
    env.pop("KDBG_QMP", None)
    os.makedirs(env["KDBG_RUNTIME_DIR"])
    qmp2 = os.path.join(tmp, "dump.qmp")
    v = kvm.VM(os.path.join(build, "cairn.elf"), tmp,
               extra=["-qmp", "unix:%s,server=on,wait=off" % qmp2], mem=pristine.MEM)
    try:
        v.expect(r"rinit> ", timeout=120)
        v.qmp.execute("stop")
        if other:
            path = os.path.join(tmp, "wrong.core")
            st, out = kdbg("dump", path, "--qmp", qmp2, "--build", other, env=env)
            check(st == 1 and ("the VM is %s" % arch) in out and not os.path.exists(path) and
                  not traceback_in(out),
                  "%s: kdbg dump --build of the other arch: refused before dumping" % arch, out)
        path = os.path.join(tmp, "dump.core")
        st, out = kdbg("dump", path, "--qmp", qmp2, env=env)
        m = re.search(r"^  (kdbg attach core:\S+ --build \S+)$", out, re.M)
        check(st == 0 and m is not None and not traceback_in(out),
              "%s: kdbg dump without --build: prints the kdbg attach line" % arch, out)
        if m:
            argv = shlex.split(m.group(1))[1:]
            b = argv[argv.index("--build") + 1]
            check(pristine_arch(b) == arch, "%s: ... its --build is an %s build (%s)"
                  % (arch, arch, b), b)
            r = subprocess.run([KDBG] + argv + ["--", "-batch", "-ex", "kdbg tasks", "-ex",
                                                "kdbg check"], capture_output=True, text=True,
                               timeout=120, stdin=subprocess.DEVNULL)
            check(r.returncode == 0 and tasks_ok(r.stdout),
                  "%s: ... and that line opens the core: kdbg tasks, kdbg check" % arch,
                  r.stdout + r.stderr)
        # Another client holds qmp2: dump must say so within seconds.
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        s.connect(qmp2)
        s.recv(4096)
        try:
            t0 = time.monotonic()
            st, out = kdbg("dump", os.path.join(tmp, "busy.core"), "--qmp", qmp2, "--build",
                           build, env=env, timeout=60)
            secs = time.monotonic() - t0
        finally:
            s.close()
        check(st == 1 and "another client holds the socket" in out and secs < 10 and
              not traceback_in(out),
              "%s: kdbg dump while another client holds the QMP socket: a clear error in %.1f s"
              % (arch, secs), out)
    finally:
        v.close()


def pristine_arch(build):
    try:
        with open(os.path.join(build, "cairn.elf"), "rb") as f:
            m = struct.unpack_from("<H", f.read(20), 18)[0]
    except (OSError, struct.error):
        return None
    return {62: "x86_64", 183: "aarch64"}.get(m)


def main():
    if len(sys.argv) not in (2, 3):
        sys.stderr.write(__doc__)
        return 2
    build = os.path.abspath(sys.argv[1])
    other = os.path.abspath(sys.argv[2]) if len(sys.argv) == 3 else None
    if other and not os.path.isfile(os.path.join(other, "cairn.elf")):
        print("# no %s/cairn.elf (yet): the other-arch checks are left out" % other)
        other = None
    tmp = tempfile.mkdtemp(prefix="fuzz-kdbg-cores-",
                           dir="/dev/shm" if os.access("/dev/shm", os.W_OK) else None)
    try:
        test(build, other, tmp)
    except Exception as e:  # noqa: BLE001 - a failure, not a crash
        check(False, "test run", "%s: %s" % (type(e).__name__, e))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return T.done()


if __name__ == "__main__":
    sys.exit(main())
