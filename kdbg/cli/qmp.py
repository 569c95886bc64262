"""A minimal QMP client (kdbg dump talks to QEMU through it)."""
import json
import socket

from .common import die


class QMP:
    """A minimal QMP client: greeting, qmp_capabilities, execute."""

    GREETING_TIMEOUT = 5   # QEMU greets at once, unless another client holds the socket

    def __init__(self, path, timeout=120):
        self.path = path
        self.timeout = timeout
        self.s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.s.settimeout(self.GREETING_TIMEOUT)
        try:
            self.s.connect(path)
        except OSError as e:
            die("cannot connect to QMP socket %s: %s" % (path, e), 1)
        self.f = self.s.makefile("rb")
        greeting = self.reply("greeting")
        if "QMP" not in greeting:
            die("%s does not speak QMP" % path, 1)
        self.s.settimeout(timeout)
        self.execute("qmp_capabilities")

    def reply(self, what):
        while True:
            try:
                line = self.f.readline()
            except socket.timeout:
                if what == "greeting":
                    die("no QMP greeting on %s within %d s: another client holds the socket "
                        "(QEMU serves one QMP client at a time)" % (self.path,
                                                                   self.GREETING_TIMEOUT), 1)
                die("QMP %s on %s: no reply within %d s" % (what, self.path, self.timeout), 1)
            except OSError as e:
                die("QMP %s on %s: %s" % (what, self.path, e), 1)
            if not line:
                die("QMP connection closed (another client connected?)", 1)
            try:
                msg = json.loads(line)
            except ValueError:
                die("%s does not speak QMP (sent %r)" % (self.path, line[:80]), 1)
            if not isinstance(msg, dict):
                die("%s does not speak QMP (sent %r)" % (self.path, line[:80]), 1)
            if "event" not in msg:
                return msg

    def execute(self, cmd, **arguments):
        req = {"execute": cmd}
        if arguments:
            req["arguments"] = arguments
        try:
            self.s.sendall(json.dumps(req).encode() + b"\n")
        except OSError as e:
            die("QMP %s on %s: %s" % (cmd, self.path, e), 1)
        r = self.reply(cmd)
        if "error" in r:
            err = r["error"]
            die("QMP %s: %s" % (cmd, err.get("desc", err) if isinstance(err, dict) else err), 1)
        return r.get("return")
