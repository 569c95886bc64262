#!/usr/bin/python3
"""Every command-line program rejects bad arguments (TAP).

test_cli_args.py BUILD_DIR

For kdbg (each subcommand), kdbg-top, kdbg-gdbserver and the scripts
under scripts/: wrong options, missing values, values of the wrong shape
and things that do not exist. Each must end quickly with the exit status
its usage promises (2 for a usage error, 1 for a missing target), a
message that names the mistake, and no Python traceback. Nothing here
boots a VM: every case is refused before anything starts.
"""
import os
import shutil
import subprocess
import sys
import tempfile

TREE = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(TREE, "tests", "lib"))
from tap import Tap  # noqa: E402


def cases(build):
    kdbg = [os.path.join(TREE, "kdbg", "bin", "kdbg")]
    top = [os.path.join(build, "kdbg-top")]
    server = [os.path.join(build, "kdbg-gdbserver")]
    s = lambda name: [os.path.join(TREE, "scripts", name)]
    elf = os.path.join(build, "cairn.elf")
    empty = tempfile.NamedTemporaryFile(prefix="cli-empty-", suffix=".core")
    # (argv, exit status, text the message must contain[, environment])
    return empty, [
        (kdbg, 2, "usage:"),
        (kdbg + ["frobnicate"], 2, "unknown command 'frobnicate'"),
        (kdbg + ["run", "--frob"], 2, "unexpected --frob"),
        (kdbg + ["run", "--arch", "sparc"], 2, "--arch must be x86_64 or aarch64, not sparc"),
        (kdbg + ["run", "--build"], 2, "--build needs a value"),
        (kdbg + ["run", "--build", "/nonexistent"], 2, "no kernel ELF at /nonexistent/cairn.elf"),
        (kdbg + ["run", "--ide", "--listen", "nowhere"], 2, "--listen must be HOST:PORT"),
        (kdbg + ["boot", "--frob"], 2, "unexpected --frob"),
        (kdbg + ["attach", "nonsense:x"], 2, "target must be HOST:PORT, unix:PATH"),
        (kdbg + ["attach", "127.0.0.1:notaport"], 2, "target must be HOST:PORT"),
        (kdbg + ["attach", "core:/nonexistent"], 2, "no core file /nonexistent"),
        (kdbg + ["attach", "core:" + empty.name, "--build", build], None, empty.name),
        (kdbg + ["dump"], 2, "dump takes one FILE"),
        (kdbg + ["top", "--build", build, "--frob"], 2, "unknown option '--frob'"),
        (kdbg + ["top", "--run", "nothing"], 2, "--run takes tests, demo or shell, not 'nothing'"),
        (kdbg + ["console", "a", "b"], 2, "console takes at most one RUN_DIR or socket"),
        (kdbg + ["console", "/nonexistent"], 1, "cannot connect to /nonexistent"),
        (kdbg + ["gdbserver", "--listen", "bad"], 2, "--listen must be HOST:PORT, not bad"),
        (kdbg + ["gdbserver", "core:/x"], 2, "core"),
        (kdbg + ["normalize-core"], 2, "normalize-core takes one FILE"),
        (kdbg + ["normalize-core", "/nonexistent"], 2, "no core file /nonexistent"),
        (kdbg + ["help", "--frob"], 2, "help takes no arguments but --markdown"),
        (kdbg + ["libvirt-qmp"], 2, "libvirt-qmp takes one DOMAIN"),
        (kdbg + ["vm"], 2, "usage: kdbg vm define|start|list"),
        (kdbg + ["vm", "frob"], 2, "unknown command 'frob'"),
        (kdbg + ["vm", "start", "--gdb-port", "x"], 2, "bad --gdb-port 'x'"),
        (kdbg + ["vm", "start", "--name"], 2, "--name needs a value"),
        (top + ["--frob"], 2, "unknown option '--frob'"),
        (top + ["--interval", "x"], 2, "--interval: 'x' is not a number"),
        (top + ["--interval", "-1"], 2, "--interval: -1 is out of range (1..60000)"),
        (top + ["--interval"], 2, "--interval"),
        (top + ["--mem", "magic"], 2, "--mem"),
        (top + ["--view", "nosuchview"], 2, "--view"),
        (top + ["--count", "0", "--json"], 2, "--count"),
        (top + ["--elf", "/nonexistent", "--batch", "unix:/nonexistent"], 1, "/nonexistent"),
        (top + ["--batch", "--elf", elf, "unix:/nonexistent/qmp"], 1, "/nonexistent/qmp"),
        (server + ["--frob"], 2, "unrecognized option '--frob'"),
        (server, 2, "--elf is required"),
        (server + ["--elf", elf], 2, "--target"),
        (server + ["--elf", elf, "--target", "nowhere"], 2, "--target nowhere: expected"),
        (server + ["--elf", elf, "--target", "h:1", "--listen", "h:port"], 2,
         "--listen h:port: expected HOST:PORT"),
        (server + ["--elf", "/nonexistent", "--target", "127.0.0.1:1"], None, "/nonexistent"),
        (s("check.py") + ["--frob"], 2, "unrecognized arguments: --frob"),
        (s("check.py") + ["--arch", "sparc"], 2, "invalid choice: 'sparc'"),
        (s("bench") + ["--frob"], 2, "unrecognized arguments: --frob"),
        (s("debug") + ["--frob"], 2, "unknown option '--frob'"),
        (s("qemu-run") + ["--frob"], 2, "unknown option '--frob'"),
        (s("qemu-run") + ["--kernel", "/nonexistent"], None, "/nonexistent"),
        (s("qemu-machine") + ["--frob"], 2, "unknown option '--frob'"),
        (s("qemu-machine") + ["--kernel", elf], 2, "QEMU_X86_MACHINE 'isapc' is not microvm or pc",
         {"QEMU_X86_MACHINE": "isapc"}),
        (s("boot-time") + ["--frob"], 2, "unrecognized arguments: --frob"),
        (s("boot-time") + ["--arch", "sparc"], 2, "invalid choice: 'sparc'"),
        (s("boot-time") + ["-n", "0"], 2, "-n must be at least 1"),
        (s("boot-time") + ["--timeout", "-1"], 2, "--timeout must be positive"),
        (s("boot-time") + ["--kernel", "/nonexistent"], 2, "no kernel at /nonexistent"),
        (s("boot-time") + ["--kernel", os.path.join(TREE, "README.md")], 2,
         "is not an x86_64 or AArch64 ELF"),
        (s("boot-time") + ["--kernel", elf, "--arch", "x86_64", "--arch", "aarch64"], 2,
         "--kernel boots one kernel"),
        (s("profile-syscall") + ["--frob"], 2, "unknown option '--frob'"),
        (s("vm") + ["frob"], 2, "unknown command 'frob'"),
        (s("install-deps") + ["--frob"], 2, "takes no arguments"),
        (s("fuzz-tap"), 2, "usage: fuzz-tap FUZZER"),
        (s("fuzz-guest-kdbg"), 2, "usage: fuzz-guest-kdbg BUILD_DIR"),
        (s("fuzz-guest-kdbg") + ["/nonexistent"], 2, "no /nonexistent/cairn.elf"),
        (s("fixdep.py") + ["--frob"], 2, "usage: fixdep.py CONFIG_DIR DEPFILE..."),
        (s("kconfig.py") + ["frob"], 2, "usage: kconfig.py sync"),
        (s("gen-kdbg-constants.py"), 2, "usage: gen-kdbg-constants.py"),
    ]


def main():
    if len(sys.argv) != 2 or not os.path.isfile(os.path.join(sys.argv[1], "cairn.elf")):
        sys.stderr.write("usage: test_cli_args.py BUILD_DIR (a build with cairn.elf)\n")
        return 2
    build = os.path.abspath(sys.argv[1])
    empty, table = cases(build)
    runtime = tempfile.mkdtemp(prefix="cli-args-")
    env = dict(os.environ, KDBG_RUNTIME_DIR=runtime)
    T = Tap()
    for argv, status, text, *more in table:
        # (A fourth element: environment variables the case sets.)
        extra = more[0] if more else {}
        shown = " ".join(["%s=%s" % kv for kv in extra.items()] +
                         [os.path.relpath(a, TREE) if a.startswith(TREE) else a for a in argv])
        try:
            r = subprocess.run(argv, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                               stderr=subprocess.STDOUT, text=True, errors="replace",
                               timeout=30, env=dict(env, **extra), cwd=TREE)
            out, got = r.stdout, r.returncode
        except subprocess.TimeoutExpired as e:
            out, got = str(e.stdout or ""), "timeout"
        # None: any failure status (1 or 2), as long as it is not a success.
        good_status = got == status if status is not None else got in (1, 2)
        ok = good_status and text in out and "Traceback" not in out
        T.check(ok, "%s: exit %s, says %r" % (shown, status or "non-zero", text),
                "\n".join(out.strip().splitlines()[-8:]
                          + ["exit %s (want %s), want text %r" % (got, status or "1 or 2", text)]))
    empty.close()
    shutil.rmtree(runtime, ignore_errors=True)
    return T.done()


if __name__ == "__main__":
    sys.exit(main())
