"""`kdbg top`: kdbg-top on a target, or with --run on a VM of a build
(build/top-ARCH-NAME) it configures, builds and boots."""
import os
import signal
import subprocess
import sys

from .boot import VM, cleanup_on_signals
from .common import TREE, UsageError, die, take_opt


# ---- kdbg top -------------------------------------------------------------------
TOP_RUNS = {"tests": "%s_tests_defconfig", "demo": "%s_demo_defconfig", "shell": "%s_defconfig"}


def kdbg_top_binary(build):
    path = os.path.join(build, "kdbg-top")
    if not os.access(path, os.X_OK):
        die("no %s: run make" % path)
    return path


def kconfig_has(symbol):
    """True when some Kconfig file of the tree defines symbol."""
    pat = "config %s\n" % symbol
    for root, dirs, files in os.walk(TREE):
        dirs[:] = [d for d in dirs if d not in ("build", ".git") and not d.startswith(".")]
        for f in files:
            if f.startswith("Kconfig"):
                try:
                    with open(os.path.join(root, f)) as fh:
                        if pat in fh.read():
                            return True
                except OSError:
                    pass
    return False


def build_for_top(name, arch):
    """Configure (once) and build build/top-ARCH-NAME; return its directory."""
    defconfig = TOP_RUNS[name] % arch
    if not os.path.isfile(os.path.join(TREE, "configs", defconfig)):
        die("no configs/%s in this tree: --run %s is not available for %s"
            % (defconfig, name, arch), 1)
    out = os.path.join("build", "top-%s-%s" % (arch, name))
    d = os.path.join(TREE, out)
    config = os.path.join(d, ".config")
    make = ["make", "-C", TREE, "--no-print-directory", "O=" + out]
    if not os.path.isfile(config) or \
            os.path.getmtime(config) < os.path.getmtime(os.path.join(TREE, "configs", defconfig)):
        if subprocess.call(make + [defconfig]):
            die("make %s failed" % defconfig, 1)
    if name == "tests" and kconfig_has("TESTS_REPEAT"):
        with open(config) as f:
            repeat = "CONFIG_TESTS_REPEAT=0\n" in f.read()
        if not repeat:
            # 0: the suite runs again and again, for as long as it is watched.
            env = dict(os.environ, KCONFIG_CONFIG=config)
            if subprocess.call(["/usr/bin/python3", "-m", "setconfig", "TESTS_REPEAT=0"],
                               cwd=TREE, env=env, stdout=subprocess.DEVNULL):
                die("setconfig TESTS_REPEAT=0 failed for %s" % config, 1)
    jobs = str(os.cpu_count() or 1)
    sys.stdout.write("kdbg: building %s (%s)\n" % (out, defconfig))
    sys.stdout.flush()
    if subprocess.call(make + ["-j" + jobs]):
        die("make O=%s failed" % out, 1)
    return d


def default_arch():
    elf = os.path.join(TREE, "build", "cairn.elf")
    if os.path.isfile(elf):
        r = subprocess.run([os.path.join(TREE, "scripts", "qemu-machine"), "--kernel", elf,
                            "--print-arch"], capture_output=True, text=True)
        if r.returncode == 0 and r.stdout.strip() in ("x86_64", "aarch64"):
            return r.stdout.strip()
    return "x86_64"


def cmd_top(args):
    if "--" in args:
        raise UsageError("top passes its options to kdbg-top: no '--' needed")
    build = take_opt(args, "--build")
    run = take_opt(args, "--run")
    if run is None:
        if "--arch" in args:
            raise UsageError("--arch goes with --run")
        top = kdbg_top_binary(build or os.path.join(TREE, "build"))
        os.execv(top, [top] + args)
    if run not in TOP_RUNS:
        raise UsageError("--run takes tests, demo or shell, not '%s'" % run)
    arch = take_opt(args, "--arch") or default_arch()
    if arch not in ("x86_64", "aarch64"):
        raise UsageError("--arch must be x86_64 or aarch64, not %s" % arch)
    if args and not args[0].startswith("-"):
        raise UsageError("--run boots its own VM: no TARGET (%s)" % args[0])
    d = build_for_top(run, arch)
    top = kdbg_top_binary(build or d)
    elf = os.path.join(d, "cairn.elf")
    cleanup_on_signals()
    vm = VM(elf, arch, [], stopped=False, qemu_log=True)
    status = 1
    # Ctrl-C is kdbg-top's to handle (it restores the terminal); we clean
    # up after it exits.
    old = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        vm.describe()
        # kdbg-top owns the terminal from here; QEMU's messages go to a file.
        status = subprocess.call([top, "unix:" + vm.monitor_qmp] + args,
                                 preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    finally:
        signal.signal(signal.SIGINT, old)
        exited = vm.proc.poll()
        vm.stop("QEMU %s, run directory removed" % (
            "stopped" if exited is None else "had exited with status %d" % exited))
    return status
