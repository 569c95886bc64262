#!/usr/bin/python3
"""make check: build the test configurations, run every test layer, and
end with one line "N passed, N failed" (exit status 1 on any failure).

Each layer is a command that prints TAP lines ("ok N - what",
"not ok N - what"); its lines are shown prefixed with the layer name.
A layer that exits non-zero, times out or prints no result counts as a
failure of its own, so nothing can pass by saying nothing.
"""
import argparse
import functools
import glob
import os
import re
import shlex
import shutil
import subprocess
import sys
import threading
import time
import traceback

TAP_RE = re.compile(r"^(not ok|ok)\b(?:\s+\d+)?(?:\s*-\s*)?(.*)$")
MAKE = ["make", "--no-print-directory"]
STARTED = time.monotonic()


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


def run_cmd(cmd, timeout=None, env=None):
    """Run cmd with its output captured: (output, exit status or None if it
    timed out, CPU seconds (user, system) of it and the children it waited
    for). os.wait4 gives this child's own rusage: the layers run on
    several threads, so RUSAGE_CHILDREN would mix them."""
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            env=env, stdin=subprocess.DEVNULL)
    chunks = []

    def read():
        for chunk in iter(lambda: proc.stdout.read1(65536), b""):
            chunks.append(chunk)
    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    deadline = None if timeout is None else time.monotonic() + timeout
    status, ru = None, None
    while True:
        pid, st, ru = os.wait4(proc.pid, os.WNOHANG)
        if pid:
            status = os.waitstatus_to_exitcode(st)
            break
        if deadline is not None and time.monotonic() > deadline:
            proc.kill()
            _, _, ru = os.wait4(proc.pid, 0)
            break
        time.sleep(0.05)
    proc.returncode = -1 if status is None else status  # reaped here, not by Popen
    # (A grandchild left running may hold the pipe: do not wait for it
    # past the timeout; "nothing left behind" reports such a process.)
    reader.join(5 if status is None or deadline is None else
                max(5, deadline - time.monotonic()))
    out = b"".join(list(chunks)).decode(errors="replace")
    return out, status, (ru.ru_utime, ru.ru_stime)


def run_layer(tally, layer, cmd, timeout, env=None, log_dir=None):
    """Run one TAP-speaking command and fold its results into tally."""
    start = time.monotonic()
    out, status, cpu = run_cmd(cmd, timeout, env)
    with tally.lock:
        report_layer(tally, layer, cmd, timeout, out, status, start, log_dir, cpu)


def report_layer(tally, layer, cmd, timeout, out, status, start, log_dir, cpu):
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
    print("%-8s (%.1fs; cpu %.1fs user, %.1fs sys; done at %.0fs: %s)"
          % (layer, elapsed, cpu[0], cpu[1], time.monotonic() - STARTED,
             os.path.basename(cmd[1] if cmd[0] == sys.executable else cmd[0])), flush=True)


def build(tally, layer, build_dir, defconfig, targets=(), configure=True):
    """Configure and build one configuration; a failure is a test failure.
    configure=False: more targets in a directory already configured (and
    in use: its .config is left alone)."""
    jobs = ["-j%d" % (os.cpu_count() or 1)]
    start = time.monotonic()
    cpu = [0.0, 0.0]
    for args in ([[defconfig]] if configure else []) + [jobs + (list(targets) or ["all"])]:
        cmd = MAKE + ["O=" + build_dir] + args
        out, status, used = run_cmd(cmd)
        cpu = [cpu[0] + used[0], cpu[1] + used[1]]
        if status != 0:
            print(out[-3000:])
            tally.record(layer, False, "build failed: " + shlex.join(cmd))
            return False
    print("%-8s (%.1fs; cpu %.1fs user, %.1fs sys; done at %.0fs: built %s)"
          % (layer, time.monotonic() - start, cpu[0], cpu[1], time.monotonic() - STARTED,
             build_dir), flush=True)
    return True


def copy_build_file(src_dir, dst_dir, path):
    """Copy path, a file of build directory src_dir, to the same place in
    dst_dir, times kept, so that make in dst_dir finds it as up to date as
    in src_dir. Text that names src_dir (dependency files, user/cflags,
    the GDB loader) is rewritten to name dst_dir as make names it there:
    a dependency file naming the other directory's objects would leave
    its object with no prerequisites at all (a changed header or config
    symbol would not rebuild it), and a changed user/cflags rebuilds all
    of user space."""
    to = os.path.join(dst_dir, os.path.relpath(path, src_dir))
    os.makedirs(os.path.dirname(to), exist_ok=True)
    if os.path.islink(path):
        if os.path.lexists(to):
            os.unlink(to)
        os.symlink(os.readlink(path), to)
        return
    with open(path, "rb") as f:
        data = f.read()
    if b"\0" in data[:4096]:
        shutil.copy2(path, to)
        return
    for a, b in ((os.path.abspath(src_dir), os.path.abspath(dst_dir)), (src_dir, dst_dir)):
        # Whole path names only (build/x86_64/ is not in build/x86_64-fuzz/
        # nor in other/build/x86_64/): after a separator or -I.
        data = re.sub(rb"(?:^|(?<=[\s\"'=:(,])|(?<=-I))" +
                      re.escape(a.rstrip("/").encode() + b"/"),
                      b.rstrip("/").encode().replace(b"\\", b"\\\\") + b"/", data, flags=re.M)
    with open(to, "wb") as f:
        f.write(data)
    shutil.copystat(path, to)


def copy_host_tools(src, dst):
    """Copy the host tools `all` builds (kdbg-top, kdbg-gdbserver, kread-dump,
    the reader library; make print-HOST_TOOL_FILES) from build src into
    build dst, so that make in dst finds them up to date: they are
    compiled with the host's cc whatever ARCH and the configuration, and
    compiling them in every build was a tenth of make check's CPU time.
    src must be done building them."""
    for path in make_var(src, "HOST_TOOL_FILES"):
        for f in (path, path + ".d", os.path.splitext(path)[0] + ".d"):
            if os.path.exists(f):
                copy_build_file(src, dst, f)


def seed_build(tally, layer, src, dst, defconfig):
    """Start build directory dst, for defconfig, as a copy of src: a
    finished build of the same arch in another configuration. make in dst
    then rebuilds only what the two configurations' differences reach,
    as after `make menuconfig` in an existing tree: fixdep gave every
    kernel object the config symbols it reads, and kconfiglib touches only
    the changed symbols' files. The tests and fuzz kernels share all but
    their root task with the default one, so each build is a third of a
    full one. Left alone if dst is already configured (its own objects
    are nearer). src must not be building meanwhile."""
    if os.path.exists(os.path.join(dst, ".config")):
        return
    shutil.rmtree(dst, ignore_errors=True)
    for d, _, files in os.walk(src):
        for f in files:
            if not (d == src and f == ".config.old"):
                copy_build_file(src, dst, os.path.join(d, f))
    out, status, _ = run_cmd(MAKE + ["O=" + dst, defconfig])
    if status != 0:
        print(out[-3000:])
        tally.record(layer, False, "configuring a copy of %s failed: %s" % (src, defconfig))
        shutil.rmtree(dst, ignore_errors=True)


# ---- nothing left behind ---------------------------------------------------
# What a test may start and must end: VMs, monitors, debuggers, tmux
# sessions, temporary directories and RAM files, libvirt domains.
TOOL_COMMS = ("qemu-system-", "kdbg-top", "kdbg-gdbserver", "gdb-multiarch", "gdb")
TEMP_GLOBS = ("/dev/shm/kdbg-top-test.*", "/tmp/kdbg-live-test.*", "/tmp/kread-*-*",
              "/tmp/kdbg-ide-test.*", "/tmp/cli-args-*",
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


# ---- the schedule -------------------------------------------------------------
# make check is CPU-bound on the 2-core reference machine: a dozen kernel
# builds, fuzzers, QEMU under TCG. Its layers are grouped into jobs (a job
# runs its layers in order: they share a build or a cache); a few workers
# take the ready job with the longest path to the end first, so that no
# worker waits on another's build and all finish together. A job's
# `est` is its rough length in seconds on that machine, under load.
# Four workers on two cores: many layers wait on a VM or a terminal part
# of the time: with three the two cores were idle 5% of the run, with
# four 1.5% (264 s then; 235 s with four, test_build.sh's second full
# build also gone).

class Job:
    def __init__(self, name, fn, needs=(), est=10):
        self.name, self.fn, self.needs, self.est = name, fn, list(needs), est
        self.prio = est    # est + the longest chain of jobs that need this one
        self.done = False


class Schedule:
    def __init__(self, workers):
        self.workers = workers
        self.jobs = {}
        self.pending = []
        self.running = 0
        self.cond = threading.Condition()
        self.errors = []

    def add(self, name, fn, needs=(), est=10):
        """A job; also from a running job (what a build makes known)."""
        with self.cond:
            assert name not in self.jobs, name
            job = self.jobs[name] = Job(name, fn, needs, est)
            self.pending.append(job)
            self.cond.notify_all()

    def _prioritise(self):
        for j in self.jobs.values():
            j.needs = [n for n in j.needs if n in self.jobs]
        memo = {}

        def prio(job):
            if job.name not in memo:
                memo[job.name] = job.est + max(
                    [prio(k) for k in self.jobs.values() if job.name in k.needs] or [0])
            return memo[job.name]
        for j in self.jobs.values():
            j.prio = prio(j)

    def _next(self):
        """The ready job with the highest priority, or None when all are
        taken (called with the lock held)."""
        ready = [j for j in self.pending
                 if all(n not in self.jobs or self.jobs[n].done for n in j.needs)]
        if not ready:
            return None
        job = max(ready, key=lambda j: j.prio)
        self.pending.remove(job)
        return job

    def _worker(self):
        while True:
            with self.cond:
                job = self._next()
                # (A running job may still add jobs.)
                while job is None and (self.pending or self.running):
                    self.cond.wait()
                    job = self._next()
                if job is None:
                    return
                self.running += 1
            try:
                job.fn()
            except Exception as e:  # noqa: BLE001 - reported as a failure below
                self.errors.append("%s: %s\n%s" % (job.name, e, traceback.format_exc()))
            with self.cond:
                job.done = True
                self.running -= 1
                self.cond.notify_all()

    def run(self):
        self._prioritise()
        threads = [threading.Thread(target=self._worker) for _ in range(self.workers)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()


def arch_jobs(sched, tally, arch, base, builds, seeds, want, logs):
    """The layers that boot a kernel, for one architecture, as jobs.
    builds[arch] is the build of <arch>_defconfig (the shell kernel),
    None if it failed; jobs that need it wait for job "build:<arch>".
    seeds[arch] lists the (directory, defconfig) builds that job starts
    as copies of its own (seed_build)."""
    name = lambda layer: layer_name(layer, arch)  # noqa: E731
    qemu = ["scripts/qemu-run", "--arch", arch, "--kernel"]
    seed = "1" if arch == "x86_64" else "2"
    need = ["build:" + arch]
    other_arch = "aarch64" if arch == "x86_64" else "x86_64"

    def kernel():
        selftest = os.path.join(base, arch + "-selftest")
        # (Only the kernel: the host tools come with the default build.)
        if build(tally, name("kernel"), selftest, arch + "_selftest_defconfig",
                 [os.path.join(selftest, "cairn.elf")]):
            run_layer(tally, name("kernel"),
                      qemu + [os.path.join(selftest, "cairn.elf")], 120, log_dir=logs)
            if arch == "aarch64":  # the other way in: from EL2
                run_layer(tally, name("kernel"), [sys.executable, "tests/boot/test_el2.py",
                                                  os.path.join(selftest, "cairn.elf")],
                          120, log_dir=logs)
    if want("kernel"):
        sched.add(name("kernel"), kernel, est=12)

    def shell():
        default = builds[arch]
        if not default:
            return
        if want("boot"):
            run_layer(tally, name("boot"), [sys.executable, "tests/boot/test_boot.py",
                                            os.path.join(default, "cairn.elf")], 120,
                      log_dir=logs)
        if want("shell"):
            run_layer(tally, name("shell"), [sys.executable, "tests/boot/test_shell.py",
                                             os.path.join(default, "cairn.elf")], 180,
                      log_dir=logs)
            # Random and hostile lines at the shell (a fixed seed per arch:
            # a failure replays with the seed it prints).
            run_layer(tally, name("shell"), [sys.executable, "tests/boot/test_shell_fuzz.py",
                                             os.path.join(default, "cairn.elf"), "--lines",
                                             "2000", "--seed", seed], 180, log_dir=logs)
    if want("boot") or want("shell"):
        sched.add(name("shell"), shell, need, est=20)

    def suite():
        # The in-guest test suite (ARCH_tests_defconfig), built where
        # `kdbg top --run tests` builds it (build/top-ARCH-tests; it sets
        # TESTS_REPEAT=0 there and builds everything), so that the monitor
        # and IDE layers below find it built but for user/tests/main.c.
        # The guest layer configures it afresh (TESTS_REPEAT from the
        # defconfig: one pass); hence one job, in this order.
        # (Named as kdbg names it, relative to the tree: make's dependency
        # files name targets as O= does.)
        guest = os.path.join("build", "top-%s-tests" % arch)
        if want("guest") and build(tally, name("guest"), guest, arch + "_tests_defconfig",
                                   [os.path.join(guest, "cairn.elf")]):
            run_layer(tally, name("guest"),
                      qemu + [os.path.join(guest, "cairn.elf")], 180, log_dir=logs)
            # Left configured as kdbg leaves it (whoever builds it next).
            subprocess.run([sys.executable, "-m", "setconfig", "TESTS_REPEAT=0"],
                           env=dict(os.environ, KCONFIG_CONFIG=os.path.join(guest, ".config")),
                           cwd=ROOT, stdout=subprocess.DEVNULL, check=False)
        default = builds[arch]
        if default and builds["x86_64"]:
            # (What `kdbg top --run tests` builds there besides the kernel.)
            copy_host_tools(builds["x86_64"], guest)
        if default and want("monitor"):
            # `kdbg top --run tests`: the suite watched as it runs.
            run_layer(tally, name("monitor"), [sys.executable, "tests/monitor/test_live.py",
                                               arch, default], 400, log_dir=logs)
        if default and want("ide"):
            # kdbg gdbserver as IDEs use it: GDB/MI and a DAP adapter
            # (cdt-gdb-adapter from scripts/install-deps), one VM boot; and
            # `kdbg run --ide` on the suite (build/top-ARCH-tests).
            run_layer(tally, name("ide"), [sys.executable, "tests/ide/test_ide.py",
                                           "--arch", arch, "--build", default], 120,
                      log_dir=logs)
    if want("guest") or want("monitor") or want("ide"):
        seeds[arch].append((os.path.join("build", "top-%s-tests" % arch),
                            arch + "_tests_defconfig"))
        sched.add(name("suite"), suite, need, est=80)

    fuzz_dir = os.path.join(base, arch + "-fuzz")

    def guest_fuzz():
        # The guest fuzzer (user/fuzz, `make fuzz-guest`), a short pass with a
        # fixed seed: several tasks' random calls, invariants and reuse checked.
        if build(tally, name("guest"), fuzz_dir, arch + "_fuzz_defconfig",
                 [os.path.join(fuzz_dir, "cairn.elf"), "kdbg-scripts",
                  "CALLS=50000", "SEED=1"]):
            run_layer(tally, name("guest"), qemu + [os.path.join(fuzz_dir, "cairn.elf")], 120,
                      log_dir=logs)
            # ... and again under GDB: kdbg check on the live kernel after a
            # round and at the end, and on a core taken there.
            run_layer(tally, name("guest"), ["scripts/fuzz-guest-kdbg", fuzz_dir], 300,
                      log_dir=logs)
    if want("guest"):
        seeds[arch].append((fuzz_dir, arch + "_fuzz_defconfig"))
        sched.add(name("guest-fuzz"), guest_fuzz, need, est=20)

    def gdb():
        if builds[arch]:
            run_layer(tally, name("gdb"), ["tests/gdb/run.sh", builds[arch]], 300,
                      log_dir=logs)

    def cores():
        default = builds[arch]
        if not default:
            return
        # kdbg on corrupted cores (tests/fuzz-kdbg; `make fuzz-kdbg` soaks),
        # a fixed seed per arch, and cores that kdbg dump/attach cannot ruin
        # (with the other arch's build, when both are tested).
        run_layer(tally, name("gdb"), [sys.executable, "tests/fuzz-kdbg/fuzz.py", "--build",
                                       default, "--count", "40", "--seed", seed, "--tap"],
                  300, log_dir=logs)
        other = builds.get(other_arch) or os.path.join(base, other_arch)
        run_layer(tally, name("gdb"), [sys.executable, "tests/fuzz-kdbg/test_cores.py",
                                       default, other], 300, log_dir=logs)
    if want("gdb"):
        sched.add(name("gdb"), gdb, need, est=50)
        # (The other arch's build when this run makes it: test_cores.py
        # leaves those checks out if it finds no kernel there.)
        sched.add(name("gdb-cores"), cores, need + ["build:" + other_arch], est=40)

    def top():
        # kdbg-top (built by every build; the x86_64 build's binary reads
        # both arches) against a VM of this arch, driven in tmux.
        if builds[arch]:
            run_layer(tally, name("monitor"), [sys.executable, "tests/monitor/test_top.py",
                                               builds[arch]], 300, log_dir=logs)
    if want("monitor"):
        sched.add(name("top"), top, need, est=20)

    def vm():
        if builds[arch]:
            run_layer(tally, name("vm"), ["tests/vm/test_vm.sh", builds[arch]], 300,
                      log_dir=logs)
    if want("vm"):
        sched.add(name("vm"), vm, need, est=20)


ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--build", default="build/check",
                    help="directory for the check builds")
    ap.add_argument("--only", action="append",
                    help="run only these layers (repeatable)")
    ap.add_argument("--arch", action="append", choices=ARCHES,
                    help="boot only this architecture's kernels (repeatable)")
    ap.add_argument("--jobs", type=int, default=4,
                    help="how many jobs run at once (default 4)")
    args = ap.parse_args()
    tally = Tally()
    base = args.build
    logs = os.path.join(base, "logs")
    want = lambda layer: not args.only or layer in args.only  # noqa: E731
    before = leftovers()
    arches = [arch for arch in ARCHES if not args.arch or arch in args.arch]
    both = len(arches) == 2
    sched = Schedule(args.jobs)
    x86 = os.path.join(base, "x86_64")
    # builds[arch]: the default build, once job build:<arch> is done (None
    # if it failed). The x86_64 one also has the host tests and tools.
    builds = dict.fromkeys(ARCHES)
    seeds = {arch: [] for arch in ARCHES}
    host_ok = {"x86": False, "monitor": False}

    def seed_from(arch):
        # (In the job that built it: the next job builds more there.)
        for dst, defconfig in seeds[arch] if builds[arch] else ():
            seed_build(tally, layer_name("build", arch), builds[arch], dst, defconfig)

    def build_x86():
        builds["x86_64"] = x86 if build(tally, "build", x86, "x86_64_defconfig") else None
        seed_from("x86_64")
    sched.add("build:x86_64", build_x86, est=50)

    def build_x86_host():
        # In the same directory, while the x86_64 layers use its kernel and
        # tools: the host tests and fuzzers, and the monitor layer's host
        # programs. No job builds there once this one is done.
        host_ok["x86"] = want("host") and build(
            tally, "host", x86, "x86_64_defconfig", ["host-tests"], configure=False)
        host_ok["monitor"] = want("monitor") and both and builds["x86_64"] and build(
            tally, "monitor", x86, "x86_64_defconfig",
            ["kread", "kread-asan", "test-osdata", make_var(x86, "TARGET_TEST")[0]],
            configure=False)
        if host_ok["x86"]:
            # One job per fuzzer, from the makefiles' list (make print-VAR).
            for fuzzer, cmd, timeout in fuzzers():
                sched.add("fuzz:" + os.path.basename(fuzzer), functools.partial(
                    run_layer, tally, "fuzz", cmd, timeout, log_dir=logs),
                    est=45 if "fuzz_cap" in fuzzer else 12)
    sched.add("build:x86_64-host", build_x86_host, ["build:x86_64"], est=60)

    if "aarch64" in arches:
        def build_arm():
            arm = os.path.join(base, "aarch64")
            if builds["x86_64"]:
                copy_host_tools(x86, arm)
            builds["aarch64"] = arm if not want("build") or build(
                tally, layer_name("build", "aarch64"), arm, "aarch64_defconfig") else None
            seed_from("aarch64")
        # (After the x86_64 build: its host tools are copied, not built again.)
        sched.add("build:aarch64", build_arm, ["build:x86_64"], est=40)

    # ---- the host: unit tests, fuzzers, and tools against fakes ----------------
    def host_tests():
        if host_ok["x86"]:
            for test in make_var(x86, "ALL_HOST_TESTS"):
                run_layer(tally, "host", [test], 600, log_dir=logs)
    if want("host"):
        sched.add("host", host_tests, ["build:x86_64-host"], est=40)

    def fuzzers():
        """(name, command): the host libFuzzer targets, a bounded pass each."""
        fuzz = make_var(x86, "FUZZ_BIN")
        jobs = []
        if fuzz:
            jobs.append((fuzz[0], ["scripts/fuzz-tap", fuzz[0]] +
                         make_var(x86, "FUZZ_CHECK_ARGS"), 300))
        # kdbg-top's parsers (tests/monitor/monitor-tests.mk): a few
        # seconds each, from their seed corpus, with a fixed seed.
        # kdbg-gdbserver's RSP framing (tests/gdbserver/gdbserver-tests.mk)
        # the same way.
        for fuzzer in (make_var(x86, "MONITOR_FUZZ_BINS") +
                       make_var(x86, "GDBSERVER_FUZZ_BINS")):
            a = make_var(x86, "FUZZ_CHECK_ARGS_" + os.path.basename(fuzzer))
            jobs.append((fuzzer, ["scripts/fuzz-tap", fuzzer] + a, 120))
        return jobs

    def fakes():
        # kdbg-gdbserver against fake QEMU gdbstubs: no VM, but the x86
        # build's server and kernel ELF (for its symbols).
        if host_ok["x86"] and builds["x86_64"]:
            run_layer(tally, "gdbserver", [sys.executable, "tests/gdbserver/test_sturdy.py",
                                           x86], 120, log_dir=logs)
            # Every command-line program and its wrong arguments.
            run_layer(tally, "cli", [sys.executable, "tests/cli/test_cli_args.py", x86], 120,
                      log_dir=logs)
            # kdbg dump's wait for a point outside the kernel, against a
            # fake QMP peer that is inside it for as long as asked.
            run_layer(tally, "cli", [sys.executable, "tests/cli/test_dump_wait.py"], 60,
                      log_dir=logs)
    if want("host"):
        sched.add("fakes", fakes, ["build:x86_64-host"], est=25)

    # ---- each arch's kernels booted -----------------------------------------------
    for arch in arches:
        arch_jobs(sched, tally, arch, base, builds, seeds, want, logs)

    # ---- what needs both arches' builds, or none ------------------------------------
    if want("monitor") and both:
        # The reader library on both arches' kernels (live RAM, process
        # reads, cores, corrupted cores) and kdbg-top's QMP layer against
        # fake and real peers.
        def kread():
            arm = builds["aarch64"] or os.path.join(base, "aarch64")
            if builds["x86_64"] and host_ok["monitor"]:
                env = dict(os.environ, KREAD_BUILD_X86=x86, KREAD_BUILD_ARM=arm)
                run_layer(tally, "monitor", [sys.executable, "tests/lib-kread/test_kread.py"],
                          400, env=env, log_dir=logs)

        def target():
            arm = builds["aarch64"] or os.path.join(base, "aarch64")
            if builds["x86_64"] and host_ok["monitor"]:
                env = dict(os.environ, TARGET_TEST=make_var(x86, "TARGET_TEST")[0])
                run_layer(tally, "monitor", ["tests/monitor/test_target.sh",
                                             os.path.join(x86, "cairn.elf"),
                                             os.path.join(arm, "cairn.elf")], 400,
                          env=env, log_dir=logs)
        sched.add("kread", kread, ["build:x86_64-host", "build:aarch64"], est=60)
        sched.add("target", target, ["build:x86_64-host", "build:aarch64"], est=25)

    if want("build"):
        # (Timeouts catch hangs: these compile beside two arches' VM tests.)
        # Its first two tests look at the x86_64 build (made the same way)
        # rather than make one more; nothing else builds there by then.
        sched.add("buildtest", lambda: run_layer(
            tally, "build", ["tests/build/test_build.sh", os.path.join(base, "buildtest")] +
            ([x86] if builds["x86_64"] else []), 600, log_dir=logs),
            ["build:x86_64-host"], est=90)
        # Adding a system call is one ABI line and one handler
        # (x86_64 by hand: tests/build/test_add_syscall.sh DIR x86_64).
        sched.add("addsyscall", lambda: run_layer(
            tally, "build", ["tests/build/test_add_syscall.sh",
                             os.path.join(base, "addsyscall"), "aarch64"], 600,
            log_dir=logs), est=40)

    sched.run()
    for e in sched.errors:
        tally.record("check", False, "scripts/check.py raised in job " + e)
    check_nothing_left(tally, before)
    print("\ncheck: %.0fs; logs in %s" % (time.monotonic() - STARTED, logs))
    for f in tally.failures:
        print("FAILED: " + f)
    print("%d passed, %d failed" % (tally.passed, tally.failed))
    sys.exit(1 if tally.failed else 0)


if __name__ == "__main__":
    main()
