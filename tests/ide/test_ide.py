#!/usr/bin/python3
"""test_ide.py --arch ARCH --build DIR [--server kdbg|qemu] - the IDE
backend as IDEs use it (TAP): a Cairn VM booted from DIR/cairn.elf to the
rinit prompt (so its tasks exist and are blocked: rinit waits for console
input, serial-driver for its IRQ notification), stopped, with
`kdbg gdbserver` (DIR/kdbg-gdbserver) in front of QEMU's gdbstub, driven

  1. through GDB/MI (gdb-multiarch --interpreter=mi3, as Eclipse CDT and
     other MI front ends do): -thread-info, -info-os, -thread-select,
     -stack-list-frames;
  2. through the Debug Adapter Protocol (cdt-gdb-adapter, installed by
     scripts/install-deps into .cache/npm, as VS Code's "gdbtarget" and
     Theia do): initialize, attach to a remote target, configurationDone,
     pause, threads, stackTrace, disconnect.

--server qemu connects both straight to QEMU's gdbstub instead: only the
plumbing tests run (the others are listed as "# skip" comments, which
count neither way); it is how this file was proven before the server
existed, and a way to tell a server bug from a test bug. One VM boot per
run; the gdbserver serves the MI session, then the DAP session.
"""
import argparse
import os
import re
import select
import shutil
import signal
import struct
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(HERE, "..", "lib"))
sys.path.insert(0, os.path.join(HERE, "..", "monitor"))
from console import elf_arch  # noqa: E402
from tap import Tap  # noqa: E402
from vmlib import VM  # noqa: E402
import dap  # noqa: E402
from mi import MI, MIError, MITimeout, os_rows  # noqa: E402

T = Tap()
GDB = "gdb-multiarch"
# kdbg-gdbserver announces --user-elf to GDB as a library
# (qXfer:libraries), so GDB loads rinit's symbols by itself and the frame
# tests prove that. True: the tests add them (add-symbol-file) instead.
ADD_USER_SYMBOLS = False
STATES = ("Inactive", "Ready", "Running", "BlockedSend", "BlockedRecv", "BlockedReply",
          "BlockedNotification", "Faulted")


# ---- the server under test ---------------------------------------------------
def server_exe(args):
    return args.server_exe or os.path.join(args.build, "kdbg-gdbserver")


def server_cmd(exe, elf, user_elf, qemu_port):
    """The gdbserver's command line: listen on a free port (it prints
    "listening on 127.0.0.1:PORT" when ready), serve qemu_port."""
    cmd = [exe, "--elf", elf, "--listen", "127.0.0.1:0",
           "--target", "127.0.0.1:%d" % qemu_port]
    if user_elf and "--user-elf" in _help(exe):
        cmd += ["--user-elf", user_elf]
    return cmd


def _help(exe):
    try:
        r = subprocess.run([exe, "--help"], capture_output=True, text=True, timeout=10)
        return r.stdout + r.stderr
    except (OSError, subprocess.TimeoutExpired):
        return ""


class Server:
    """kdbg-gdbserver as a child: started, its port read from stdout."""

    LISTEN_RE = re.compile(rb"listening on ([0-9.]+):(\d+)")

    def __init__(self, cmd, log_path, timeout=20):
        self.cmd = cmd
        self.log_path = log_path
        self.err = open(log_path, "wb")
        self.proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                     stderr=self.err, start_new_session=True)
        self.out = b""
        self.port = None
        deadline = time.monotonic() + timeout
        while self.port is None and time.monotonic() < deadline:
            ready, _, _ = select.select([self.proc.stdout], [], [], 0.1)
            if ready:
                data = os.read(self.proc.stdout.fileno(), 4096)
                if not data:
                    break
                self.out += data
                m = self.LISTEN_RE.search(self.out)
                if m:
                    self.port = int(m.group(2))
            elif self.proc.poll() is not None:
                break

    def log(self):
        try:
            with open(self.log_path, errors="replace") as f:
                err = f.read()
        except OSError:
            err = ""
        return "stdout: %s\nstderr: %s" % (self.out.decode(errors="replace")[-1500:],
                                           err[-2500:])

    def close(self):
        """End it; True if it went on SIGTERM within 5 s."""
        clean = True
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(5)
            except subprocess.TimeoutExpired:
                clean = False
        try:
            os.killpg(self.proc.pid, signal.SIGKILL)
        except OSError:
            pass
        self.proc.wait()
        self.err.close()
        return clean


# ---- what the assertions compare against -------------------------------------
def elf_functions(path):
    """Names of the STT_FUNC symbols of an ELF64 little-endian file."""
    with open(path, "rb") as f:
        data = f.read()
    shoff, = struct.unpack_from("<Q", data, 0x28)
    shentsize, shnum = struct.unpack_from("<HH", data, 0x3a)
    secs = [struct.unpack_from("<IIQQQQIIQQ", data, shoff + i * shentsize)
            for i in range(shnum)]
    names = set()
    for sec in secs:
        if sec[1] != 2:            # SHT_SYMTAB
            continue
        strtab = secs[sec[6]]      # sh_link
        stroff = strtab[4]
        off, size, entsize = sec[4], sec[5], sec[9] or 24
        for i in range(size // entsize):
            st_name, st_info = struct.unpack_from("<IB", data, off + i * entsize)
            if st_info & 0xf == 2 and st_name:   # STT_FUNC
                end = data.index(b"\0", stroff + st_name)
                names.add(data[stroff + st_name:end].decode(errors="replace"))
    return names


def thread_by_name(threads, name):
    for t in threads:
        if t.get("name") == name:
            return t
    return None


def show(obj, limit=2500):
    return repr(obj)[:limit]


# ---- the tests -------------------------------------------------------------
def mi_tests(args, port, user_elf, rinit_funcs, with_server, skip):
    """GDB/MI against the server (or QEMU): returns nothing, prints TAP."""
    arch, elf = args.arch, args.elf
    gdb = None
    try:
        gdb = MI(elf, gdb=GDB)
        # rinit's symbols, for the frames of tasks blocked in user space.
        if ADD_USER_SYMBOLS:
            gdb.cmd('-interpreter-exec console "add-symbol-file %s"' % user_elf)
        try:
            r = gdb.cmd("-target-select remote 127.0.0.1:%d" % port)
            ok = r["^"] == "connected"
        except (MIError, MITimeout) as e:
            ok, r = False, e
        T.check(ok, "%s MI: -target-select remote connects (^connected)" % arch,
                show(r) + "\n" + gdb.transcript())
        if not ok:
            return

        r = gdb.cmd("-thread-info")
        threads = r.get("threads", [])
        T.check(threads and all(t.get("frame", {}).get("addr") for t in threads),
                "%s MI: -thread-info lists threads, each with a frame" % arch, show(r))

        r = gdb.cmd("-stack-list-frames")
        frames = r.get("stack", [])
        T.check(frames and frames[0].get("func") not in (None, "??"),
                "%s MI: -stack-list-frames of the current thread: named frames" % arch,
                show(r))

        names = [t.get("name") for t in threads]
        if not with_server:
            skip("%s MI: threads named rinit and serial-driver with their states" % arch)
            try:
                gdb.cmd("-info-os")
                plain_osdata = True
            except MIError:
                plain_osdata = False
            T.check(not plain_osdata, "%s MI: -info-os on QEMU's own stub is an error "
                    "(^error, not a hang): osdata is the server's" % arch)
            for what in ("-info-os lists tasks, caps, channels, untyped",
                         "-info-os tasks", "-info-os caps", "-info-os channels",
                         "-info-os untyped", "blocked tasks' frames"):
                skip("%s MI: %s" % (arch, what))
            return

        rinit = thread_by_name(threads, "rinit")
        drv = thread_by_name(threads, "serial-driver")
        T.check(rinit and drv and "BlockedRecv" in rinit.get("details", "")
                and "BlockedNotification" in drv.get("details", ""),
                "%s MI: -thread-info has threads named rinit (details: BlockedRecv) and "
                "serial-driver (details: BlockedNotification)" % arch,
                "names %s\n%s" % (names, show(r)))
        # Threads for vCPUs (cpu0: "vCPU 0: kernel idle") may stand beside the tasks.
        tasks = [t for t in threads if not re.match(r"cpu\d+$", t.get("name", ""))]
        T.check(len(tasks) >= 2 and all(any(s in t.get("details", "") for s in STATES)
                                        for t in tasks),
                "%s MI: every task thread's details name its state" % arch, show(threads))

        try:
            r = gdb.cmd("-info-os")
            types = {row.get("Type") or row.get("type") for row in os_rows(r["OSDataTable"])}
        except (MIError, KeyError) as e:
            r, types = e, set()
        T.check({"tasks", "caps", "channels", "untyped"} <= types,
                "%s MI: -info-os lists the types tasks, caps, channels, untyped" % arch,
                show(r))

        def table(name):
            try:
                r = gdb.cmd("-info-os " + name)
                return os_rows(r["OSDataTable"]), r
            except (MIError, KeyError) as e:
                return [], e

        rows, r = table("tasks")
        byname = {row.get("name"): row for row in rows}
        T.check(rows and all("name" in row and "state" in row for row in rows)
                and byname.get("rinit", {}).get("state") == "BlockedRecv"
                and byname.get("serial-driver", {}).get("state") == "BlockedNotification",
                "%s MI: -info-os tasks: name and state columns; rinit BlockedRecv, "
                "serial-driver BlockedNotification" % arch, show(r))

        # rinit's root pool: the one its task row names (task.cpool), by
        # the label the pools table gives that address (caps name their
        # holder by label: docs/ide.md).
        root = byname.get("rinit", {}).get("cpool")
        pools, _ = table("pools")
        label = {row.get("addr"): row.get("label") for row in pools}.get(root)

        rows, r = table("caps")
        cols = ("holder", "slot", "type", "rights")
        rinit_caps = {row.get("slot"): row.get("type") for row in rows
                      if label and row.get("holder") == label}
        T.check(len(rows) > 10 and all(all(c in row for c in cols) for row in rows)
                and rinit_caps.get("0") == "cpool" and rinit_caps.get("255") == "channel",
                "%s MI: -info-os caps: > 10 rows with holder, slot, type, rights; rinit's "
                "slot 0 is a cpool, 255 a channel" % arch,
                "%d rows; rinit's: %s\n%s" % (len(rows), show(rinit_caps, 500), show(r)))

        rows, r = table("channels")
        T.check(rows and all(all(c in row for c in ("depth", "senders", "receivers"))
                             for row in rows),
                "%s MI: -info-os channels: rows with depth, senders, receivers" % arch,
                show(r))

        rows, r = table("untyped")
        T.check(rows and all(all(c in row for c in ("base", "size", "watermark"))
                             for row in rows),
                "%s MI: -info-os untyped: rows with base, size, watermark" % arch, show(r))

        for name, thread in (("rinit", rinit), ("serial-driver", drv)):
            if not thread:
                T.check(False, "%s MI: %s's thread selected: frames from rinit's ELF"
                        % (arch, name), "no thread named %s in %s" % (name, names))
                continue
            try:
                gdb.cmd("-thread-select %s" % thread["id"])
                r = gdb.cmd("-stack-list-frames")
                funcs = [f.get("func") for f in r.get("stack", [])]
            except (MIError, MITimeout) as e:
                r, funcs = e, []
            T.check(funcs and any(f in rinit_funcs for f in funcs),
                    "%s MI: -thread-select %s's thread, -stack-list-frames: frames "
                    "named from rinit's ELF" % (arch, name), "%s\n%s" % (funcs, show(r)))
    except (MIError, MITimeout) as e:
        T.check(False, "%s MI session ran to the end" % arch,
                "%s\n%s" % (e, gdb.transcript() if gdb else ""))
    finally:
        if gdb:
            try:
                gdb.cmd("-target-detach", timeout=10)
            except (MIError, MITimeout, OSError):
                pass
            gdb.close()


def dap_tests(args, port, user_elf, rinit_funcs, with_server, skip, vm):
    arch, elf = args.arch, args.elf
    try:
        cmd = dap.cdt_adapter()
    except FileNotFoundError as e:
        T.check(False, "%s DAP: cdt-gdb-adapter is installed" % arch, str(e))
        return
    attach = {
        "gdb": GDB,
        "program": elf,
        "target": {"type": "remote", "parameters": ["127.0.0.1:%d" % port]},
    }
    if ADD_USER_SYMBOLS:
        attach["preConnectCommands"] = ["add-symbol-file %s" % user_elf]
    d = dap.Adapter(cmd, stderr_path=os.path.join(vm.dir, "dap.err"))
    try:
        r = d.request("initialize", adapterID="gdbtarget", clientID="cairn-test",
                      linesStartAt1=True, columnsStartAt1=True, pathFormat="path")
        T.check(r["body"].get("supportsConfigurationDoneRequest"),
                "%s DAP: initialize answers the adapter's capabilities" % arch, show(r))

        seq = d.send("attach", **attach)
        try:
            d.wait_event("initialized", timeout=30)
            r = d.wait_response(seq, "attach", timeout=30)
            ok = True
        except (dap.DAPError, dap.DAPTimeout) as e:
            ok, r = False, e
        T.check(ok, "%s DAP: attach (gdb-multiarch, remote target 127.0.0.1:PORT): "
                "'initialized', then success" % arch, "%s\n%s" % (r, d.transcript()))
        if not ok:
            return

        # As an IDE does: configurationDone lets the target run, the user
        # presses pause.
        d.request("configurationDone")
        n = len(d.events)
        d.request("pause", threadId=1)
        ev = d.wait_event("stopped", timeout=20, start=n)
        T.check(ev["body"].get("allThreadsStopped") or ev["body"].get("threadId"),
                "%s DAP: configurationDone runs the target; pause stops it (stopped event)"
                % arch, show(ev))

        threads = d.request("threads")["body"]["threads"]
        T.check(threads and all(t.get("name") for t in threads),
                "%s DAP: threads lists the target's threads with names" % arch,
                show(threads))
        st = d.request("stackTrace", threadId=threads[0]["id"], startFrame=0,
                       levels=20)["body"]
        frames = st.get("stackFrames", [])
        T.check(frames and frames[0].get("name") not in (None, "", "??"),
                "%s DAP: stackTrace of thread %s has named frames" % (arch, threads[0]["id"]),
                show(st))

        if with_server:
            # cdt-gdb-adapter names a thread "NAME (DETAILS)".
            base = {t["name"].split(" (")[0]: t for t in threads}
            T.check("rinit" in base and "serial-driver" in base
                    and "BlockedRecv" in base["rinit"]["name"],
                    "%s DAP: threads are Cairn's tasks by name (rinit (BlockedRecv ...), "
                    "serial-driver ...)" % arch, show(threads))
            rinit = base.get("rinit")
            frames = []
            if rinit:
                try:
                    frames = d.request("stackTrace", threadId=rinit["id"], startFrame=0,
                                       levels=20)["body"].get("stackFrames", [])
                except (dap.DAPError, dap.DAPTimeout) as e:
                    frames = [{"error": str(e)}]
            T.check(frames and any(f.get("name") in rinit_funcs for f in frames),
                    "%s DAP: stackTrace of rinit (blocked): >= 1 frame, named from rinit's "
                    "ELF" % arch, show(frames))
        else:
            skip("%s DAP: threads are Cairn's tasks by name" % arch)
            skip("%s DAP: stackTrace of rinit (blocked)" % arch)

        d.request("disconnect", timeout=20)
        deadline = time.monotonic() + 10
        gdbs = [p for p in d.group() if p[1].startswith("gdb")]
        while gdbs and time.monotonic() < deadline:
            time.sleep(0.1)
            gdbs = [p for p in d.group() if p[1].startswith("gdb")]
        T.check(not gdbs, "%s DAP: disconnect ends the adapter's GDB" % arch,
                "%s\n%s" % (gdbs, d.transcript()))
        T.check(d.close(), "%s DAP: the adapter exits when the IDE closes its stdin" % arch,
                d.transcript())
    except (dap.DAPError, dap.DAPTimeout) as e:
        T.check(False, "%s DAP session ran to the end" % arch,
                "%s\n%s" % (e, d.transcript()))
    finally:
        d.close()


def after_tests(args, port, vm):
    """After the IDE left (cdt-gdb-adapter pauses and `disconnect`s, which
    leaves the VM stopped): the next client is served, and GDB's detach
    lets the VM run on."""
    arch = args.arch
    gdb = None
    try:
        gdb = MI(args.elf, gdb=GDB)
        gdb.cmd("-target-select remote 127.0.0.1:%d" % port)
        r = gdb.cmd("-thread-info")
        gdb.cmd("-target-detach")
        st = vm.qmp.wait_status("running", 10)
        T.check(r.get("threads") and st == "running",
                "%s: after the IDE disconnected, a new GDB is served and its detach "
                "lets the VM run on" % arch,
                "%s\nVM status after -target-detach: %s" % (gdb.transcript(25), st))
    except (MIError, MITimeout) as e:
        T.check(False, "%s: after the IDE disconnected, a new GDB is served and its "
                "detach lets the VM run on" % arch, "%s\n%s" % (e, gdb.transcript() if gdb else ""))
    finally:
        if gdb:
            gdb.close()


def suite_tests(args):
    """`kdbg run --ide` as a user runs it, on the in-guest test suite
    (build/top-ARCH-tests, repeating: what `kdbg top --run tests` builds):
    the suite's tasks ("chan-15", "stats-99") are threads with states, and
    a blocked one's frames are named from the suite's ELF; Ctrl-C ends
    the gdbserver and QEMU and removes the run directory."""
    arch = args.arch
    from bench_top import build   # builds build/top-ARCH-tests, TESTS_REPEAT=0
    out = build(arch, "tests")
    elf = os.path.join(out, "cairn.elf")
    suite_funcs = elf_functions(os.path.join(out, "user", "tests.elf"))
    runtime = tempfile.mkdtemp(prefix="kdbg-ide-test.")
    run = subprocess.Popen([os.path.join(HERE, "..", "..", "kdbg", "bin", "kdbg"), "run",
                            "--ide", "--build", out, "--arch", arch,
                            "--listen", "127.0.0.1:0"],
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                           env=dict(os.environ, KDBG_RUNTIME_DIR=runtime),
                           start_new_session=True)
    said, port, gdb = [], None, None
    try:
        deadline = time.monotonic() + 60
        while port is None and time.monotonic() < deadline:
            ready, _, _ = select.select([run.stdout], [], [], 1)
            line = run.stdout.readline() if ready else ""
            if ready and not line:
                break
            said.append(line)
            m = re.search(r"gdbserver listening on 127\.0\.0\.1:(\d+)", line)
            port = int(m.group(1)) if m else None
        if not T.check(port, "%s: kdbg run --ide (the test suite) says where its gdbserver "
                       "listens" % arch, "".join(said)):
            return
        gdb = MI(elf, gdb=GDB)
        gdb.cmd("-gdb-set mi-async on")   # as IDEs do: -exec-interrupt while running
        gdb.cmd("-target-select remote 127.0.0.1:%d" % port)
        # Test tasks come and go: run on a little until some exist, and
        # one of them is blocked (else at least preempted: not running).
        seen, blocked = [], None
        for i in range(20):
            threads = gdb.cmd("-thread-info").get("threads", [])
            seen = [t for t in threads if re.match(r"[a-z][a-z0-9_]*-\d+$", t.get("name", ""))]
            blocked = next((t for t in seen if "Blocked" in t.get("details", "")), None)
            if len(seen) >= 2 and (blocked or i >= 10):
                blocked = blocked or next((t for t in seen if "Running" not in
                                           t.get("details", "")), None)
                break
            # Forget earlier stops (the connection's): wait for this one.
            gdb.records = [r for r in gdb.records if not (r[0] == "*" and r[2] == "stopped")]
            gdb.cmd("-exec-continue")
            time.sleep(0.2)
            gdb.cmd("-exec-interrupt")
            gdb.wait_async("stopped", 10)
        T.check(len(seen) >= 2 and all(any(st in t.get("details", "") for st in STATES)
                                       for t in seen),
                "%s kdbg run --ide: the suite's tasks are threads with their states (%s)"
                % (arch, ", ".join("%s: %s" % (t["name"], t.get("details", "")) for t in seen[:4])),
                show(threads))
        frames = []
        if blocked:
            gdb.cmd("-thread-select %s" % blocked["id"])
            frames = gdb.cmd("-stack-list-frames").get("stack", [])
        T.check(frames and any(f.get("func") in suite_funcs for f in frames),
                "%s kdbg run --ide: a waiting test task's frames (%s) are named from "
                "tests.elf (%s)" % (arch, blocked and blocked.get("name"),
                                    " <- ".join(f.get("func", "?") for f in frames[:4])),
                show(frames) + "\n" + gdb.transcript(20))
        gdb.cmd("-target-detach")
    except (MIError, MITimeout) as e:
        T.check(False, "%s kdbg run --ide on the test suite" % arch,
                "%s\n%s\n%s" % (e, gdb.transcript() if gdb else "", "".join(said)))
    finally:
        if gdb:
            gdb.close()
        if run.poll() is None:
            os.killpg(run.pid, signal.SIGINT)   # Ctrl-C in its terminal
        try:
            status = run.wait(20)
        except subprocess.TimeoutExpired:
            os.killpg(run.pid, signal.SIGKILL)
            status = run.wait()
        left = [d for d in os.listdir(runtime) if d.startswith("run-")]
        T.check(status in (0, 130) and not left,
                "%s kdbg run --ide: Ctrl-C ends the gdbserver and QEMU, the run directory "
                "is removed (status %s)" % (arch, status), "%s\n%s" % (left, run.stdout.read()))
        shutil.rmtree(runtime, ignore_errors=True)


def group_cmdlines(adapter):
    out = []
    for pid, _comm in adapter.group():
        try:
            with open("/proc/%d/cmdline" % pid, "rb") as f:
                out.append(f.read().replace(b"\0", b" ").decode(errors="replace"))
        except OSError:
            pass
    return out


def dap_launch_test(args, exe, user_elf, qemu_port, vm):
    """VS Code's other way: request "launch", the adapter starts the
    gdbserver itself (target.server), reads its port from its stdout
    (serverPortRegExp) and ends it on disconnect."""
    arch = args.arch
    what = ("%s DAP launch: the adapter starts kdbg-gdbserver, finds its port, shows "
            "rinit as a thread, and ends it on disconnect" % arch)
    params = server_cmd(exe, args.elf, user_elf, qemu_port)[1:]
    launch = {
        "gdb": GDB,
        "program": args.elf,
        "target": {"type": "remote", "server": exe, "serverParameters": params,
                   "serverPortRegExp": r"listening on [0-9.]+:([0-9]+)"},
    }
    if ADD_USER_SYMBOLS:
        launch["preConnectCommands"] = ["add-symbol-file %s" % user_elf]
    d = dap.Adapter(dap.cdt_adapter(), stderr_path=os.path.join(vm.dir, "dap-launch.err"))
    detail = ""
    ok = False
    try:
        d.request("initialize", adapterID="gdbtarget", linesStartAt1=True,
                  columnsStartAt1=True, pathFormat="path")
        seq = d.send("launch", **launch)
        d.wait_event("initialized", timeout=30)
        d.wait_response(seq, "launch", timeout=30)
        d.request("configurationDone")
        n = len(d.events)
        d.request("pause", threadId=1)
        d.wait_event("stopped", timeout=20, start=n)
        threads = d.request("threads")["body"]["threads"]
        names = [t["name"].split(" (")[0] for t in threads]
        d.request("disconnect", timeout=20)
        deadline = time.monotonic() + 10
        left = [c for c in group_cmdlines(d) if exe in c]
        while left and time.monotonic() < deadline:
            time.sleep(0.1)
            left = [c for c in group_cmdlines(d) if exe in c]
        ok = "rinit" in names and not left
        detail = "threads %s; still running: %s" % (names, left)
    except (dap.DAPError, dap.DAPTimeout) as e:
        detail = str(e)
    finally:
        T.check(ok, what, "%s\n%s" % (d.transcript(20), detail))
        d.close()


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--arch", required=True, choices=("x86_64", "aarch64"))
    ap.add_argument("--build", required=True, help="a build directory (cairn.elf)")
    ap.add_argument("--server", default="kdbg", choices=("kdbg", "qemu"),
                    help="kdbg: through BUILD/kdbg-gdbserver (default); qemu: "
                    "straight to QEMU's gdbstub, plumbing tests only")
    ap.add_argument("--server-exe", help="the gdbserver to test (default "
                    "BUILD/kdbg-gdbserver)")
    args = ap.parse_args()
    build = args.build = os.path.abspath(args.build)
    args.elf = os.path.join(build, "cairn.elf")
    user_elf = os.path.join(build, "user", "rinit.elf")
    arch = args.arch
    with_server = args.server == "kdbg"
    skipped = []

    def skip(what):
        skipped.append(what)
        print("# skip: %s (needs kdbg-gdbserver)" % what, flush=True)

    if not T.check(os.path.isfile(args.elf) and elf_arch(args.elf) == arch
                   and os.path.isfile(user_elf),
                   "%s: %s and user/rinit.elf are built" % (arch, args.elf)):
        return T.done()
    rinit_funcs = elf_functions(user_elf)

    start = time.monotonic()
    vm = VM(args.elf, shared=False, gdb=True)
    server = None
    try:
        ok = vm.wait_serial("rinit> ", 60)
        # A moment for serial-driver to block on its notification.
        time.sleep(0.3)
        vm.qmp.execute("stop")
        T.check(ok and vm.qmp.status() == "paused",
                "%s VM boots to the rinit prompt (gdbstub on), stopped there" % arch,
                vm.serial()[-1500:])
        if not ok:
            return T.done()

        port = vm.gdb_port
        if with_server:
            exe = server_exe(args)
            if T.check(os.access(exe, os.X_OK), "%s: %s is built" % (arch, exe)):
                server = Server(server_cmd(exe, args.elf, user_elf, vm.gdb_port),
                                os.path.join(vm.dir, "gdbserver.log"))
                if not T.check(server.port, "%s: kdbg-gdbserver says 'listening on "
                               "127.0.0.1:PORT'" % arch, server.log()):
                    return T.done()
                port = server.port
            else:
                # Still prove the IDE plumbing (adapter, GDB, MI, VM) on
                # QEMU's own stub; the server's tests are skipped, and the
                # failure above keeps the layer red.
                with_server = False
                print("# no gdbserver: MI and DAP straight to QEMU's gdbstub", flush=True)

        mi_tests(args, port, user_elf, rinit_funcs, with_server, skip)
        # The same server, a second client: the DAP adapter's GDB.
        dap_tests(args, port, user_elf, rinit_funcs, with_server, skip, vm)
        after_tests(args, port, vm)

        if server:
            T.check(server.close() and server.proc.returncode in (0, -signal.SIGTERM),
                    "%s: kdbg-gdbserver ends on SIGTERM" % arch, server.log())
            # QEMU's gdbstub is free again: the IDE may start the server.
            dap_launch_test(args, server_exe(args), user_elf, vm.gdb_port, vm)
    finally:
        if server and server.proc.poll() is None:
            server.close()
        vm.close()
    if with_server:
        suite_tests(args)
    print("# %s: %.1fs%s" % (arch, time.monotonic() - start,
                             ", %d skipped" % len(skipped) if skipped else ""))
    return T.done()


if __name__ == "__main__":
    sys.exit(main())
