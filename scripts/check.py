#!/usr/bin/python3
"""make check: build the test configurations, run every test layer, and
end with one line "N passed, N failed" (exit status 1 on any failure).

Each layer is a command that prints TAP lines ("ok N - what",
"not ok N - what"); its lines are shown prefixed with the layer name.
A layer that exits non-zero, times out or prints no result counts as a
failure of its own, so nothing can pass by saying nothing.
"""
import argparse
import glob
import os
import re
import shlex
import shutil
import subprocess
import sys
import threading
import time

TAP_RE = re.compile(r"^(not ok|ok)\b(?:\s+\d+)?(?:\s*-\s*)?(.*)$")
MAKE = ["make", "--no-print-directory"]


class Tally:
    """Results of all layers; the two architectures' layers run at once,
    so recording and printing go through one lock."""

    def __init__(self):
        self.passed = 0
        self.failed = 0
        self.failures = []
        self.lock = threading.RLock()

    def record(self, layer, ok, what):
        with self.lock:
            if ok:
                self.passed += 1
            else:
                self.failed += 1
                self.failures.append("%s: %s" % (layer, what))
            print("%-8s %s - %s" % (layer, "ok" if ok else "NOT OK", what),
                  flush=True)


def run_layer(tally, layer, cmd, timeout, env=None, log_dir=None):
    """Run one TAP-speaking command and fold its results into tally."""
    start = time.monotonic()
    try:
        proc = subprocess.run(cmd, stdout=subprocess.PIPE,
                              stderr=subprocess.STDOUT, timeout=timeout,
                              env=env, errors="replace", text=True,
                              stdin=subprocess.DEVNULL)
        out, status = proc.stdout, proc.returncode
    except subprocess.TimeoutExpired as e:
        out = (e.stdout or b"")
        out = out.decode(errors="replace") if isinstance(out, bytes) else out
        status = None
    with tally.lock:
        report_layer(tally, layer, cmd, timeout, out, status, start, log_dir)


def report_layer(tally, layer, cmd, timeout, out, status, start, log_dir):
    """A finished layer's results, printed together."""
    log = []
    seen = 0
    for line in out.splitlines():
        log.append(line)
        m = TAP_RE.match(line.strip())
        if m:
            seen += 1
            tally.record(layer, m.group(1) == "ok", m.group(2) or "(unnamed)")
    elapsed = time.monotonic() - start
    if log_dir:
        os.makedirs(log_dir, exist_ok=True)
        with open(os.path.join(log_dir, layer.replace("/", "-") + ".log"), "a") as f:
            f.write("$ %s\n%s\n" % (shlex.join(cmd), out))
    if status is None:
        tally.record(layer, False, "%s timed out after %ds"
                     % (shlex.join(cmd), timeout))
    elif status != 0 and not any(l.startswith("not ok") for l in log):
        tally.record(layer, False, "%s exited with status %d"
                     % (shlex.join(cmd), status))
    elif seen == 0:
        tally.record(layer, False, "%s printed no test results"
                     % shlex.join(cmd))
    if status != 0 or seen == 0:
        tail = "\n".join(log[-25:])
        print("%-8s --- last output of %s ---\n%s" % (layer, cmd[0], tail))
    print("%-8s (%.1fs)" % (layer, elapsed), flush=True)


def build(tally, layer, build_dir, defconfig, targets=()):
    """Configure and build one configuration; a failure is a test failure."""
    jobs = ["-j%d" % (os.cpu_count() or 1)]
    for args in ([defconfig], jobs + (list(targets) or ["all"])):
        cmd = MAKE + ["O=" + build_dir] + args
        proc = subprocess.run(cmd, stdout=subprocess.PIPE,
                              stderr=subprocess.STDOUT, text=True,
                              errors="replace", stdin=subprocess.DEVNULL)
        if proc.returncode != 0:
            print(proc.stdout[-3000:])
            tally.record(layer, False, "build failed: " + shlex.join(cmd))
            return False
    return True


# ---- nothing left behind ---------------------------------------------------
# What a test may start and must end: VMs, monitors, debuggers, tmux
# sessions, temporary directories and RAM files, libvirt domains.
TOOL_COMMS = ("qemu-system-", "kdbg-top", "kdbg-gdbserver", "gdb-multiarch", "gdb")
TEMP_GLOBS = ("/dev/shm/kdbg-top-test.*", "/tmp/kdbg-live-test.*", "/tmp/kread-*-*",
              "/tmp/kdbg-ide-test.*",
              "/dev/shm/kdbg-*-run-*.ram", "/tmp/kdbg-*/run-*")


def leftovers():
    """Everything of those kinds that exists now, as a set of strings."""
    found = set()
    for pid in os.listdir("/proc"):
        if not pid.isdigit():
            continue
        try:
            with open("/proc/%s/comm" % pid) as f:
                comm = f.read().strip()
            with open("/proc/%s/cmdline" % pid, "rb") as f:
                cmd = f.read().replace(b"\0", b" ").decode(errors="replace").strip()
        except OSError:
            continue
        if comm.startswith(TOOL_COMMS):
            found.add("process %s: %s" % (pid, cmd[:160]))
    for pattern in TEMP_GLOBS:
        found.update("file " + p for p in glob.glob(pattern))
    r = subprocess.run(["tmux", "list-sessions", "-F", "#{session_name}"],
                       capture_output=True, text=True)
    found.update("tmux session " + n for n in r.stdout.split() if n.startswith("kdbg"))
    if shutil.which("virsh"):
        # Running ones: the vm layer keeps its domains defined on purpose
        # (redefining one costs ~40 s), stopped.
        r = subprocess.run(["virsh", "-c", "qemu:///system", "list", "--name"],
                           capture_output=True, text=True, timeout=60)
        found.update("running libvirt domain " + n for n in r.stdout.split()
                     if n.startswith("cairn-check"))
    return found


def check_nothing_left(tally, before):
    """A check run ends everything it started, also when a test failed."""
    deadline = time.monotonic() + 10   # a VM told to quit may take a moment
    left = leftovers() - before
    while left and time.monotonic() < deadline:
        time.sleep(0.5)
        left = leftovers() - before
    tally.record("check", not left, "nothing left behind: no VM, monitor, debugger, tmux "
                 "session, temporary directory or libvirt domain of this run remains")
    for item in sorted(left)[:30]:
        print("check    left behind: " + item)


def make_var(build_dir, var):
    out = subprocess.run(MAKE + ["-s", "O=" + build_dir, "print-" + var],
                         stdout=subprocess.PIPE, text=True, check=True)
    return out.stdout.split()


ARCHES = ("x86_64", "aarch64")


def layer_name(layer, arch):
    """x86_64's layers keep their plain names; others carry the arch."""
    return layer if arch == "x86_64" else "%s/%s" % (layer, arch)


def run_arch_layers(tally, arch, base, default, want, logs):
    """The layers that boot a kernel, for one architecture. `default` is
    the build of <arch>_defconfig (the shell kernel), or None if it
    failed to build."""
    name = lambda layer: layer_name(layer, arch)
    qemu = ["scripts/qemu-run", "--arch", arch, "--kernel"]
    selftest = os.path.join(base, arch + "-selftest")
    # (Only the kernel: the host tools come with the default build.)
    if want("kernel") and build(tally, name("kernel"), selftest,
                                arch + "_selftest_defconfig",
                                [os.path.join(selftest, "cairn.elf")]):
        run_layer(tally, name("kernel"),
                  qemu + [os.path.join(selftest, "cairn.elf")], 120,
                  log_dir=logs)
        if arch == "aarch64":  # the other way in: from EL2
            run_layer(tally, name("kernel"), [sys.executable, "tests/boot/test_el2.py",
                                              os.path.join(selftest, "cairn.elf")],
                      120, log_dir=logs)
    if default and want("boot"):
        run_layer(tally, name("boot"), [sys.executable, "tests/boot/test_boot.py",
                                        os.path.join(default, "cairn.elf")], 120,
                  log_dir=logs)
    if default and want("shell"):
        run_layer(tally, name("shell"), [sys.executable, "tests/boot/test_shell.py",
                                         os.path.join(default, "cairn.elf")], 180,
                  log_dir=logs)
        # Random and hostile lines at the shell (a fixed seed per arch:
        # a failure replays with the seed it prints).
        run_layer(tally, name("shell"), [sys.executable, "tests/boot/test_shell_fuzz.py",
                                         os.path.join(default, "cairn.elf"), "--lines", "2000",
                                         "--seed", "1" if arch == "x86_64" else "2"], 180,
                  log_dir=logs)
    guest = os.path.join(base, arch + "-tests")
    if want("guest") and build(tally, name("guest"), guest,
                               arch + "_tests_defconfig", [os.path.join(guest, "cairn.elf")]):
        run_layer(tally, name("guest"),
                  qemu + [os.path.join(guest, "cairn.elf")], 180, log_dir=logs)
    # The guest fuzzer (user/fuzz, `make fuzz-guest`), a short pass with a
    # fixed seed: several tasks' random calls, invariants and reuse checked.
    fuzz_dir = os.path.join(base, arch + "-fuzz")
    if want("guest") and build(tally, name("guest"), fuzz_dir, arch + "_fuzz_defconfig",
                               [os.path.join(fuzz_dir, "cairn.elf"), "kdbg-scripts",
                                "CALLS=50000", "SEED=1"]):
        run_layer(tally, name("guest"), qemu + [os.path.join(fuzz_dir, "cairn.elf")], 120,
                  log_dir=logs)
        # ... and again under GDB: kdbg check on the live kernel after a
        # round and at the end, and on a core taken there.
        run_layer(tally, name("guest"), ["scripts/fuzz-guest-kdbg", fuzz_dir], 300,
                  log_dir=logs)
    if default and want("gdb"):
        run_layer(tally, name("gdb"), ["tests/gdb/run.sh", default], 300,
                  log_dir=logs)
        # kdbg on corrupted cores (tests/fuzz-kdbg; `make fuzz-kdbg` soaks),
        # a fixed seed per arch, and cores that kdbg dump/attach cannot ruin.
        run_layer(tally, name("gdb"), [sys.executable, "tests/fuzz-kdbg/fuzz.py", "--build",
                                       default, "--count", "40", "--seed",
                                       "1" if arch == "x86_64" else "2", "--tap"], 300,
                  log_dir=logs)
        other = os.path.join(base, "aarch64" if arch == "x86_64" else "x86_64")
        run_layer(tally, name("gdb"), [sys.executable, "tests/fuzz-kdbg/test_cores.py", default,
                                       other], 300, log_dir=logs)
    if default and want("monitor"):
        # kdbg-top (built by every build; the x86_64 build's binary reads
        # both arches) against a VM of this arch, driven in tmux.
        run_layer(tally, name("monitor"), [sys.executable, "tests/monitor/test_top.py",
                                           default], 300, log_dir=logs)
        # ... and `kdbg top --run tests`: the suite watched as it runs.
        run_layer(tally, name("monitor"), [sys.executable, "tests/monitor/test_live.py",
                                           arch, default], 400, log_dir=logs)
    if default and want("vm"):
        run_layer(tally, name("vm"), ["tests/vm/test_vm.sh", default], 300,
                  log_dir=logs)
    if default and want("ide"):
        # kdbg gdbserver as IDEs use it: GDB/MI and a DAP adapter
        # (cdt-gdb-adapter from scripts/install-deps), one VM boot.
        run_layer(tally, name("ide"), [sys.executable, "tests/ide/test_ide.py",
                                       "--arch", arch, "--build", default], 120,
                  log_dir=logs)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--build", default="build/check",
                    help="directory for the check builds")
    ap.add_argument("--only", action="append",
                    help="run only these layers (repeatable)")
    ap.add_argument("--arch", action="append", choices=ARCHES,
                    help="boot only this architecture's kernels (repeatable)")
    args = ap.parse_args()
    tally = Tally()
    base = args.build
    logs = os.path.join(base, "logs")
    want = lambda layer: not args.only or layer in args.only
    started = time.monotonic()
    before = leftovers()

    x86 = host_dir = os.path.join(base, "x86_64")
    host_ok = want("host") and build(tally, "host", x86, "x86_64_defconfig",
                                     ["host-tests"])
    if not build(tally, "build", x86, "x86_64_defconfig"):
        x86 = None

    arm_built = threading.Event()   # the once-layers read both arches' builds

    def host_layers():
        for test in make_var(host_dir, "ALL_HOST_TESTS"):
            run_layer(tally, "host", [test], 600, log_dir=logs)
        fuzz = make_var(host_dir, "FUZZ_BIN")
        fuzz_args = make_var(host_dir, "FUZZ_CHECK_ARGS")
        if fuzz:
            run_layer(tally, "fuzz", ["scripts/fuzz-tap", fuzz[0]] + fuzz_args,
                      300, log_dir=logs)
        # kdbg-top's parsers (tests/monitor/monitor-tests.mk): a few
        # seconds each, from their seed corpus, with a fixed seed.
        # kdbg-gdbserver's RSP framing (tests/gdbserver/gdbserver-tests.mk)
        # the same way.
        for fuzzer in (make_var(host_dir, "MONITOR_FUZZ_BINS") +
                       make_var(host_dir, "GDBSERVER_FUZZ_BINS")):
            args = make_var(host_dir, "FUZZ_CHECK_ARGS_" + os.path.basename(fuzzer))
            run_layer(tally, "fuzz", ["scripts/fuzz-tap", fuzzer] + args, 120,
                      log_dir=logs)
        # kdbg-gdbserver against fake QEMU gdbstubs: no VM, but the x86
        # build's server and kernel ELF (for its symbols).
        if x86:
            run_layer(tally, "gdbserver", [sys.executable, "tests/gdbserver/test_sturdy.py",
                                           x86], 120, log_dir=logs)
            # Every command-line program and its wrong arguments.
            run_layer(tally, "cli", [sys.executable, "tests/cli/test_cli_args.py", x86], 120,
                      log_dir=logs)

    def arch_thread(arch):
        if arch == "x86_64":
            if host_ok:
                host_layers()
            default = x86
        else:
            default = os.path.join(base, arch)
            if want("build") and not build(tally, layer_name("build", arch),
                                           default, arch + "_defconfig"):
                default = None
            arm_built.set()
        run_arch_layers(tally, arch, base, default, want, logs)

    def shared_thread():
        # What needs both arches' builds or none: a third thread, as much
        # of the arch threads' time is spent waiting on guests and GDB.
        arm_built.wait()
        if want("monitor") and x86 and not args.arch:
            run_once_monitor_layers()
        build_test()

    def build_test():
        if want("build"):
            # (Timeouts catch hangs: these compile beside two VMs' tests.)
            run_layer(tally, "build", ["tests/build/test_build.sh",
                                       os.path.join(base, "buildtest")], 600,
                      log_dir=logs)
            # Adding a system call is one ABI line and one handler
            # (x86_64 by hand: tests/build/test_add_syscall.sh DIR x86_64).
            run_layer(tally, "build", ["tests/build/test_add_syscall.sh",
                                       os.path.join(base, "addsyscall"), "aarch64"], 600,
                      log_dir=logs)

    def run_once_monitor_layers():
        # The reader library on both arches' kernels (live RAM, process
        # reads, cores, corrupted cores) and kdbg-top's QMP layer against
        # fake and real peers.
        arm = os.path.join(base, "aarch64")
        env = dict(os.environ, KREAD_BUILD_X86=x86, KREAD_BUILD_ARM=arm)
        run_layer(tally, "monitor", [sys.executable, "tests/lib-kread/test_kread.py"], 400,
                  env=env, log_dir=logs)
        env = dict(os.environ, BUILD=os.path.join(base, "t-mon"))
        run_layer(tally, "monitor", ["tests/monitor/test_target.sh",
                                     os.path.join(x86, "cairn.elf"),
                                     os.path.join(arm, "cairn.elf")], 400,
                  env=env, log_dir=logs)

    # The two architectures' kernels boot under TCG, one core each: their
    # layers run side by side, with a third thread for the rest.
    arches = [arch for arch in ARCHES if not args.arch or arch in args.arch]
    if "x86_64" not in arches and host_ok:
        host_layers()
    threads = [threading.Thread(target=arch_thread, args=(arch,)) for arch in arches]
    if "aarch64" in arches:
        threads.append(threading.Thread(target=shared_thread))
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    if "aarch64" not in arches:
        build_test()
    check_nothing_left(tally, before)
    print("\ncheck: %.0fs; logs in %s" % (time.monotonic() - started, logs))
    for f in tally.failures:
        print("FAILED: " + f)
    print("%d passed, %d failed" % (tally.passed, tally.failed))
    sys.exit(1 if tally.failed else 0)


if __name__ == "__main__":
    main()
