"""GDB/MI from a test, the way an IDE drives GDB: gdb-multiarch
--interpreter=mi3, commands with tokens, and a parser of MI output records
(GDB manual, "GDB/MI Output Syntax").

    with MI(elf) as gdb:
        gdb.cmd("-target-select remote 127.0.0.1:1234")
        threads = gdb.cmd("-thread-info")["threads"]
        table = gdb.cmd("-info-os tasks")["OSDataTable"]
        rows = os_rows(table)            # [{"name": "rinit", ...}, ...]

cmd() sends one command and returns the results of its ^done/^connected/
^running record as a dict; an ^error record raises MIError, no answer in
time MITimeout. Stream output (~ console, @ target, & log) and async
records (*stopped, =thread-created, ...) arriving meanwhile are kept.
"""
import os
import queue
import re
import signal
import subprocess
import threading
import time


class MIError(Exception):
    pass


class MITimeout(Exception):
    pass


# ---- parser ----------------------------------------------------------------
_C_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", '"': '"', "\\": "\\", "a": "\a",
              "b": "\b", "f": "\f", "v": "\v", "e": "\x1b"}


class _Parser:
    def __init__(self, text):
        self.s = text
        self.i = 0

    def peek(self):
        return self.s[self.i] if self.i < len(self.s) else ""

    def expect(self, c):
        if self.peek() != c:
            raise ValueError("MI: expected %r at %d in %r" % (c, self.i, self.s[:200]))
        self.i += 1

    def cstring(self):
        """A C string; octal escapes are bytes (GDB escapes UTF-8 that way)."""
        self.expect('"')
        out = bytearray()
        while True:
            c = self.peek()
            if c == "":
                raise ValueError("MI: unterminated string in %r" % self.s[:200])
            self.i += 1
            if c == '"':
                break
            if c == "\\":
                e = self.peek()
                self.i += 1
                if e in "01234567":      # octal escape: up to 3 digits
                    j = self.i - 1
                    while self.i < len(self.s) and self.i - j < 3 and self.peek() in "01234567":
                        self.i += 1
                    out.append(int(self.s[j:self.i], 8) & 0xff)
                else:
                    out += _C_ESCAPES.get(e, e).encode()
            else:
                out += c.encode()
        return out.decode("utf-8", "replace")

    def variable(self):
        j = self.i
        while self.i < len(self.s) and self.s[self.i] not in '=,{}[]"':
            self.i += 1
        return self.s[j:self.i]

    def value(self):
        c = self.peek()
        if c == '"':
            return self.cstring()
        if c == "{":
            return self.tuple_()
        if c == "[":
            return self.list_()
        raise ValueError("MI: bad value at %d in %r" % (self.i, self.s[:200]))

    def result(self):
        name = self.variable()
        self.expect("=")
        return name, self.value()

    def results(self, end=""):
        """name=value,... into a dict (a repeated name makes a list)."""
        d = {}
        while self.peek() and self.peek() != end:
            name, v = self.result()
            if name in d:
                if not isinstance(d[name], _Repeated):
                    d[name] = _Repeated([d[name]])
                d[name].append(v)
            else:
                d[name] = v
            if self.peek() == ",":
                self.i += 1
        return {k: list(v) if isinstance(v, _Repeated) else v for k, v in d.items()}

    def tuple_(self):
        self.expect("{")
        d = self.results("}")
        self.expect("}")
        return d

    def list_(self):
        """[value,...] or [name=value,...]: a list of the values (the names
        of a list of results, like frame= or item=, carry nothing)."""
        self.expect("[")
        out = []
        while self.peek() != "]":
            if self.peek() in '"{[':
                out.append(self.value())
            else:
                out.append(self.result()[1])
            if self.peek() == ",":
                self.i += 1
            elif self.peek() != "]":
                raise ValueError("MI: bad list at %d in %r" % (self.i, self.s[:200]))
        self.expect("]")
        return out


class _Repeated(list):
    pass


_RECORD_RE = re.compile(r"^(\d*)([\^*+=~@&])")


def parse_record(line):
    """One MI output line as (kind, token, class, results): kind is one of
    '^' result, '*' exec, '+' status, '=' notify (class and results set),
    '~' console, '@' target, '&' log (class is the text, results None), or
    ('prompt', None, None, None) for "(gdb)". Raises ValueError on
    anything else."""
    line = line.rstrip("\r\n")
    if line.strip() == "(gdb)":
        return ("prompt", None, None, None)
    m = _RECORD_RE.match(line)
    if not m:
        raise ValueError("not an MI record: %r" % line[:200])
    token = int(m.group(1)) if m.group(1) else None
    kind = m.group(2)
    p = _Parser(line[m.end():])
    if kind in "~@&":
        return (kind, token, p.cstring(), None)
    cls = p.variable()
    results = {}
    if p.peek() == ",":
        p.i += 1
        results = p.results()
    return (kind, token, cls, results)


def os_rows(table):
    """An -info-os OSDataTable as a list of dicts keyed by column header
    (colhdr, e.g. "name", "state"; GDB names the cells col0, col1...)."""
    hdr = table.get("hdr", [])
    names = {h.get("col_name"): h.get("colhdr") for h in hdr}
    return [{names.get(k, k): v for k, v in item.items()} for item in table.get("body", [])]


# ---- driver ----------------------------------------------------------------
class MI:
    def __init__(self, elf=None, gdb="gdb-multiarch", extra=(), stderr_path=None):
        cmd = [gdb, "--interpreter=mi3", "-nx", "-q"] + list(extra)
        if elf:
            cmd.append(elf)
        self.err = open(stderr_path, "wb") if stderr_path else subprocess.DEVNULL
        self.proc = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     stderr=self.err, start_new_session=True)
        self.token = 0
        self.lines = queue.Queue()
        self.console = []      # ~ stream text since the last cmd() started
        self.records = []      # every parsed record, in order
        self.log = []          # raw lines both ways
        threading.Thread(target=self._reader, daemon=True).start()
        self._until(lambda r: r[0] == "prompt", 30, "the first (gdb) prompt")

    def _reader(self):
        for raw in self.proc.stdout:
            self.lines.put(raw.decode("utf-8", "replace"))
        self.lines.put(None)

    def _next(self, deadline, what):
        left = deadline - time.monotonic()
        if left <= 0:
            raise MITimeout("no %s from GDB in time" % what)
        try:
            line = self.lines.get(timeout=left)
        except queue.Empty:
            raise MITimeout("no %s from GDB in time" % what)
        if line is None:
            raise MIError("GDB exited (status %s) waiting for %s" % (self.proc.poll(), what))
        self.log.append("<- " + line.rstrip("\n"))
        try:
            rec = parse_record(line)
        except ValueError:
            rec = ("?", None, line, None)   # not MI (a program's output)
        self.records.append(rec)
        if rec[0] == "~":
            self.console.append(rec[2])
        return rec

    def _until(self, pred, timeout, what):
        deadline = time.monotonic() + timeout
        while True:
            rec = self._next(deadline, what)
            if pred(rec):
                return rec

    def send(self, command):
        self.token += 1
        line = "%d%s\n" % (self.token, command)
        self.log.append("-> " + line.rstrip("\n"))
        self.proc.stdin.write(line.encode())
        self.proc.stdin.flush()
        return self.token

    def cmd(self, command, timeout=30):
        """Run one MI command; its result record's results (a dict), with
        the record's class under "^" (done, connected, running, exit)."""
        self.console = []
        tok = self.send(command)
        rec = self._until(lambda r: r[0] == "^" and r[1] == tok, timeout,
                          "answer to %s" % command)
        if rec[2] == "error":
            raise MIError("%s: %s" % (command, rec[3].get("msg", rec[3])))
        out = dict(rec[3])
        out["^"] = rec[2]
        return out

    def console_text(self):
        """The console stream text printed by the last cmd()."""
        return "".join(self.console)

    def wait_async(self, cls, timeout=30):
        """Wait for an exec/notify async record of class cls (e.g. stopped);
        return its results."""
        for r in self.records:
            if r[0] in "*=+" and r[2] == cls:
                self.records.remove(r)
                return r[3]
        rec = self._until(lambda r: r[0] in "*=+" and r[2] == cls, timeout, "*" + cls)
        self.records.remove(rec)
        return rec[3]

    def transcript(self, last=40):
        return "\n".join(l[:400] for l in self.log[-last:])

    def close(self, timeout=5):
        if self.proc.poll() is None:
            try:
                self.send("-gdb-exit")
            except OSError:
                pass
            try:
                self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                pass
        if self.proc.poll() is None:
            try:
                os.killpg(self.proc.pid, signal.SIGKILL)
            except OSError:
                pass
            self.proc.wait()
        if self.err is not subprocess.DEVNULL:
            self.err.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
