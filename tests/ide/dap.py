"""A small Debug Adapter Protocol client (stdlib only) for tests: it
spawns a DAP adapter as a child process and speaks DAP to it over the
child's stdin/stdout (Content-Length framing, JSON bodies), the way an IDE
does.

    with Adapter(target_adapter_cmd()) as dap:
        dap.request("initialize", adapterID="cdtgdb", linesStartAt1=True)
        dap.request("attach", gdb="gdb-multiarch", program=elf,
                    target={"type": "remote", "parameters": ["127.0.0.1:1234"]})
        dap.wait_event("initialized")
        dap.request("configurationDone")
        threads = dap.request("threads")["body"]["threads"]

request() sends one request and waits for its response; it raises
DAPError when the adapter answers success=false and DAPTimeout when no
answer comes in time. Events are kept (in order) for wait_event(). A
reader thread does the reading, so a silent or dead adapter can never
block a test past its timeouts. Every message both ways is kept in
self.log for a failing test to show.
"""
import json
import os
import subprocess
import threading
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
# Where scripts/install-deps puts the npm package (pinned version there).
NPM_PREFIX = os.path.join(ROOT, ".cache", "npm")
CDT_DIR = os.path.join(NPM_PREFIX, "node_modules", "cdt-gdb-adapter")


class DAPError(Exception):
    """The adapter answered a request with success=false."""

    def __init__(self, command, response):
        self.response = response
        body = response.get("body") or {}
        detail = (body.get("error") or {}).get("format") or response.get("message")
        super().__init__("DAP %s failed: %s" % (command, detail))


class DAPTimeout(Exception):
    pass


def cdt_adapter(target=True):
    """The command that starts cdt-gdb-adapter over stdio: its
    GDBTargetDebugSession (remote targets: `target remote`, the one IDEs
    use for embedded and kernel debugging) or, with target=False, the
    plain GDBDebugSession (local processes). Raises FileNotFoundError
    with what to run when the package is not installed."""
    script = os.path.join(CDT_DIR, "dist",
                          "debugTargetAdapter.js" if target else "debugAdapter.js")
    if not os.path.isfile(script):
        raise FileNotFoundError("cdt-gdb-adapter is not installed at %s: "
                                "run scripts/install-deps" % CDT_DIR)
    return ["node", script]


class Adapter:
    def __init__(self, cmd, cwd=None, env=None, stderr_path=None):
        self.err = open(stderr_path, "wb") if stderr_path else subprocess.DEVNULL
        self.proc = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     stderr=self.err, cwd=cwd, env=env,
                                     start_new_session=True)
        self.seq = 0
        self.log = []                 # ("->" or "<-", message) in order
        self.events = []              # every event received, in order
        self.responses = {}           # request_seq -> response
        self.reverse = []             # requests from the adapter (runInTerminal...)
        self.cond = threading.Condition()
        self.closed = False
        self.reader = threading.Thread(target=self._read_loop, daemon=True)
        self.reader.start()

    # ---- wire ------------------------------------------------------------
    def _read_msg(self, f):
        length = None
        while True:
            line = f.readline()
            if not line:
                return None
            line = line.strip()
            if not line:
                if length is not None:
                    break
                continue
            name, _, value = line.decode("ascii", "replace").partition(":")
            if name.strip().lower() == "content-length":
                length = int(value.strip())
        body = f.read(length)
        if len(body) < length:
            return None
        return json.loads(body.decode("utf-8"))

    def _read_loop(self):
        f = self.proc.stdout
        while True:
            try:
                msg = self._read_msg(f)
            except (ValueError, OSError):
                msg = None
            with self.cond:
                if msg is None:
                    self.closed = True
                    self.cond.notify_all()
                    return
                self.log.append(("<-", msg))
                kind = msg.get("type")
                if kind == "response":
                    self.responses[msg.get("request_seq")] = msg
                elif kind == "event":
                    self.events.append(msg)
                elif kind == "request":
                    self.reverse.append(msg)
                self.cond.notify_all()

    def send(self, command, **arguments):
        """Send a request; return its seq (for wait_response)."""
        with self.cond:
            self.seq += 1
            seq = self.seq
            msg = {"seq": seq, "type": "request", "command": command}
            if arguments:
                msg["arguments"] = arguments
            self.log.append(("->", msg))
        data = json.dumps(msg).encode("utf-8")
        try:
            self.proc.stdin.write(b"Content-Length: %d\r\n\r\n" % len(data) + data)
            self.proc.stdin.flush()
        except (BrokenPipeError, OSError) as e:
            raise DAPError(command, {"message": "adapter gone: %s" % e})
        return seq

    def wait_response(self, seq, command="?", timeout=30):
        deadline = time.monotonic() + timeout
        with self.cond:
            while seq not in self.responses:
                left = deadline - time.monotonic()
                if self.closed:
                    raise DAPError(command, {"message": "adapter exited (status %s) "
                                             "before answering" % self.proc.poll()})
                if left <= 0:
                    raise DAPTimeout("no response to DAP %s in %ds" % (command, timeout))
                self.cond.wait(left)
            r = self.responses.pop(seq)
        if not r.get("success"):
            raise DAPError(command, r)
        return r

    def request(self, command, timeout=30, **arguments):
        """Send a request and wait for its successful response (a dict)."""
        return self.wait_response(self.send(command, **arguments), command, timeout)

    def wait_event(self, name, timeout=30, pred=None, start=0):
        """The first event called name (from index start of self.events
        on) for which pred(event) holds, waiting for it up to timeout."""
        deadline = time.monotonic() + timeout
        with self.cond:
            while True:
                for ev in self.events[start:]:
                    if ev.get("event") == name and (pred is None or pred(ev)):
                        return ev
                left = deadline - time.monotonic()
                if self.closed:
                    raise DAPTimeout("adapter exited before event %s" % name)
                if left <= 0:
                    raise DAPTimeout("no DAP event %s in %ds" % (name, timeout))
                self.cond.wait(left)

    def output(self):
        """Text of every `output` event so far (the adapter's console)."""
        with self.cond:
            return "".join(e.get("body", {}).get("output", "") for e in self.events
                           if e.get("event") == "output")

    def transcript(self, last=40):
        """The last messages both ways, for a failure's diagnostics."""
        with self.cond:
            lines = ["%s %s" % (d, json.dumps(m)[:400]) for d, m in self.log[-last:]]
        return "\n".join(lines)

    # ---- end -------------------------------------------------------------
    def group(self):
        """(pid, comm) of every live process in the adapter's process
        group (the adapter and the GDB it started)."""
        found = []
        for pid in os.listdir("/proc"):
            if not pid.isdigit():
                continue
            try:
                with open("/proc/%s/stat" % pid) as f:
                    stat = f.read()
            except OSError:
                continue
            comm = stat[stat.index("(") + 1:stat.rindex(")")]
            fields = stat[stat.rindex(")") + 2:].split()
            if int(fields[2]) == self.proc.pid and fields[0] != "Z":
                found.append((int(pid), comm))
        return found

    def close(self, timeout=5):
        """End the adapter as an IDE does (its stdin closed), and anything
        it started. True if it exited by itself within timeout."""
        clean = True
        try:
            self.proc.stdin.close()
        except OSError:
            pass
        try:
            self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            clean = False
        # GDB started by the adapter lives in the adapter's process group:
        # nothing of it outlives the test.
        try:
            os.killpg(self.proc.pid, 9)
        except OSError:
            pass
        self.proc.wait()
        if self.err is not subprocess.DEVNULL:
            self.err.close()
            self.err = subprocess.DEVNULL
        return clean

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
