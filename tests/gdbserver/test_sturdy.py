#!/usr/bin/python3
"""test_sturdy.py BUILD_DIR - kdbg-gdbserver does not hang or crash (TAP):
the real server (BUILD_DIR/kdbg-gdbserver, with BUILD_DIR/cairn.elf)
against fake QEMU gdbstubs (fake_qemu.py): damaged, noisy and oversized
packets, debuggers that vanish mid-packet or before their reply, targets
that are not there, not gdbstubs or never answer, a QEMU that goes away
mid-session, wrong arguments, malformed thread ids and qXfer requests,
and `info os` tables while the kernel cannot be read or the target runs.
Every wait is bounded; the whole runs in about 10 s.
"""
import os
import re
import select
import socket
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(HERE, "..", "lib"))
sys.path.insert(0, os.path.join(HERE, "..", "monitor"))
from tap import Tap  # noqa: E402
from vmlib import free_port  # noqa: E402
from fake_qemu import Decoder, FakeStub, frame  # noqa: E402

T = Tap()
READ_TIMEOUT = 6.0


class Server:
    """A kdbg-gdbserver process; stderr goes to a file (never blocks)."""

    def __init__(self, exe, elf, target, *extra, listen=True):
        self.err = tempfile.TemporaryFile()
        self.start = time.monotonic()
        self.p = subprocess.Popen([exe, "--elf", elf, "--target", target,
                                   "--listen", "127.0.0.1:0"] + list(extra),
                                  stdout=subprocess.PIPE, stderr=self.err,
                                  stdin=subprocess.DEVNULL)
        self.addr = None
        if listen:
            self.listening()

    def listening(self):
        """Wait for "listening on HOST:PORT" (or the exit): self.addr."""
        line = b""
        deadline = time.monotonic() + READ_TIMEOUT + 2
        while not line.endswith(b"\n") and time.monotonic() < deadline:
            r, _, _ = select.select([self.p.stdout], [], [], 0.2)
            if r:
                c = os.read(self.p.stdout.fileno(), 1)
                if not c:
                    break
                line += c
        m = re.match(rb"listening on ([\d.]+):(\d+)", line)
        if m:
            self.addr = (m.group(1).decode(), int(m.group(2)))

    def wait(self, timeout):
        """Exit status (None: still running after timeout), stderr text."""
        try:
            st = self.p.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            st = None
        return st, self.stderr()

    def stderr(self):
        self.err.seek(0)
        return self.err.read().decode(errors="replace")

    def alive(self):
        return self.p.poll() is None

    def close(self):
        if self.p.poll() is None:
            self.p.kill()
            self.p.wait()
        self.p.stdout.close()
        self.err.close()


class Debugger:
    """A minimal RSP client; every read is bounded by READ_TIMEOUT."""

    def __init__(self, addr):
        self.s = socket.create_connection(addr, timeout=READ_TIMEOUT)
        self.dec = Decoder()
        self.events = []

    def raw(self, data):
        self.s.sendall(data)

    def event(self):
        while not self.events:
            data = self.s.recv(65536)
            if not data:
                raise EOFError("the server closed the connection")
            self.events += self.dec.feed(data)
        return self.events.pop(0)

    def reply(self):
        """The next packet (acked), skipping acks."""
        while True:
            ev = self.event()
            if ev[0] == "packet":
                try:
                    self.s.sendall(b"+")
                except OSError:
                    pass   # (the server may have gone after an 'X')
                return ev[1]

    def ask(self, payload):
        """Send a packet; its ack, then the reply."""
        if isinstance(payload, str):
            payload = payload.encode()
        self.raw(frame(payload))
        ev = self.event()
        if ev != ("ack", "+"):
            raise RuntimeError("expected '+', got %r" % (ev,))
        return self.reply()

    def close(self):
        self.s.close()


def attempt(fn):
    """fn()'s value, or the exception it raised (as a failure detail)."""
    try:
        return fn()
    except Exception as e:  # noqa: BLE001 - any failure is a test failure
        return e


def run_cli(exe, args, timeout=10):
    try:
        r = subprocess.run([exe] + args, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                           text=True, timeout=timeout, stdin=subprocess.DEVNULL)
        return r.returncode, r.stdout, r.stderr
    except subprocess.TimeoutExpired:
        return None, "", "timed out after %ds" % timeout


def no_crash(text):
    return "Traceback" not in text and "AddressSanitizer" not in text and \
        "Segmentation" not in text and "runtime error" not in text


def test_cli(exe, elf):
    cases = ((["--bogus"], "unrecognized option"),
             (["--elf", elf], "--target is required"),
             (["--target", "127.0.0.1:1"], "--elf is required"),
             (["--elf", elf, "--target", "127.0.0.1:1", "extra"], "unexpected argument"),
             (["--elf"], "requires an argument"))
    for args, msg in cases:
        st, out, err = run_cli(exe, args)
        T.check(st == 2 and msg in err and "usage:" in err,
                "wrong arguments %s: exit 2 with usage and '%s'" % (" ".join(args), msg),
                "status %s: %s" % (st, err))


def test_bad_targets(exe, elf):
    """Targets that are not there, not gdbstubs, or never answer. The slow
    ones (5 s each: the server's QEMU timeout) run side by side."""
    port = free_port()
    start = time.monotonic()
    st, out, err = run_cli(exe, ["--elf", elf, "--target", "127.0.0.1:%d" % port,
                                 "--listen", "127.0.0.1:0"])
    T.check(st == 1 and "cannot connect" in err and no_crash(err) and
            time.monotonic() - start < 3,
            "--target where nothing listens: exit 1, 'cannot connect', at once",
            "status %s after %.1fs: %s" % (st, time.monotonic() - start, err))
    st, out, err = run_cli(exe, ["--elf", elf, "--target", "no-colon"])
    T.check(st == 2 and "expected HOST:PORT" in err,
            "--target without a port: a usage error (exit 2) naming the expected form",
            "status %s: %s" % (st, err))

    kinds = (("http", "an HTTP server (garbage, then hang-up)", "closed the connection"),
             ("silent", "a server that never answers", "did not answer"),
             ("babble", "a server sending text without packets, forever", "did not answer"),
             ("acks", "a server sending '+' forever", "did not answer"))
    stubs = [FakeStub(kind) for kind, _, _ in kinds]
    servers = [Server(exe, elf, stub.addr, listen=False) for stub in stubs]
    try:
        for (kind, what, msg), stub, srv in zip(kinds, stubs, servers):
            srv.listening()   # (none should: the line is never printed)
            st, err = srv.wait(max(0.1, srv.start + 7.5 - time.monotonic()))
            took = time.monotonic() - srv.start
            T.check(st == 1 and msg in err and no_crash(err) and srv.addr is None,
                    "--target is %s: exit 1 with '%s' within ~6 s (%.1fs)" % (what, msg, took),
                    "status %s after %.1fs: %s" % (st, took, err))
    finally:
        for srv in servers:
            srv.close()
        for stub in stubs:
            stub.close()



def vanish_three_times(srv, dbg, act):
    """Three times: act, then the debugger's socket is reset (SO_LINGER 0)
    under the server; returns a new debugger connection."""
    for _ in range(3):
        act(dbg)
        dbg.s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\1\0\0\0\0\0\0\0")
        dbg.close()
        time.sleep(0.2)
        dbg = Debugger(srv.addr)
    return dbg

def test_session(exe, elf):
    """One server, one fake QEMU with a kernel that cannot be read, many
    debuggers one after the other."""
    stub = FakeStub("gdbstub", mem_error=True)
    srv = Server(exe, elf, stub.addr)
    dbg = None
    try:
        if not T.check(srv.addr is not None, "server against a fake gdbstub: listening",
                       srv.stderr()):
            return
        dbg = Debugger(srv.addr)
        r = attempt(lambda: dbg.ask("qSupported:multiprocess+;swbreak+"))
        T.check(isinstance(r, bytes) and b"qXfer:osdata:read+" in r and b"multiprocess" not in r,
                "qSupported through the server: its own features, no multiprocess", r)

        # A damaged packet: '-', and the next one is answered.
        dbg.raw(b"$qC#00")
        ev = attempt(dbg.event)
        r = attempt(lambda: dbg.ask("qC"))
        T.check(ev == ("ack", "-") and r == b"QC1",
                "a bad checksum gets '-', and the server goes on", "%r %r" % (ev, r))

        # Noise between packets, a frame cut off in its data by a new one.
        dbg.raw(b"GET / HTTP/1.1\r\n\r\n}}##*\x7f\xff" + b"$qXfer:thr" + b"$qC#b4")
        r = attempt(lambda: (dbg.event(), dbg.reply()))
        T.check(isinstance(r, tuple) and r[0] == ("ack", "+") and r[1] == b"QC1",
                "garbage between packets and a packet cut off by a new '$' are skipped", r)
        # A frame cut off in its checksum by the next one: '-' for it, and
        # the next one still answered.
        dbg.raw(b"$qC#b" + b"$qC#b4")
        r = attempt(lambda: (dbg.event(), dbg.event(), dbg.reply()))
        T.check(isinstance(r, tuple) and r[:2] == (("ack", "-"), ("ack", "+")) and r[2] == b"QC1",
                "a packet cut off in its checksum: '-', and the next packet is answered", "%r\n%s" % (r, srv.stderr()))

        # A packet over 1 MiB: refused with '-', memory stays bounded.
        rss0 = rss(srv.p.pid)
        body = b"X1000,400000:" + b"a" * (3 << 20)
        dbg.raw(b"$" + body + b"#%02x" % (sum(body) & 0xff))
        ev = attempt(dbg.event)
        r = attempt(lambda: dbg.ask("qC"))
        grew = rss(srv.p.pid) - rss0
        T.check(ev == ("ack", "-") and r == b"QC1" and grew < 2 << 20 and
                not any(p.startswith(b"X1000") for p in stub.received),
                "a 3 MiB packet is refused ('-'), not forwarded, not buffered (RSS +%d KiB)"
                % (grew >> 10), "%r %r" % (ev, r))

        # Malformed thread ids, dead threads.
        for pkt, want in (("Hgzz", b"E00"), ("Hg", b"E00"), ("Hg123456789", b"E00"),
                          ("Hgp1.1", b"E00"), ("Hc-5", b"E00"), ("Hg1ffffffffffffffff", b"E00"),
                          ("Hg63", b"E01"), ("T63", b"E01"), ("Tzz", b"E01"), ("T0", b"E01"),
                          ("qThreadExtraInfo,", b"E01"), ("qThreadExtraInfo,zz", b"E01"),
                          ("qThreadExtraInfo,63", b"E01"), ("Hg1", b"OK"), ("Hg-1", b"OK"),
                          ("T1", b"OK")):
            r = attempt(lambda: dbg.ask(pkt))
            T.check(r == want, "%s: %s" % (pkt, want.decode()), r)

        # Malformed qXfer and memory requests.
        for pkt, want in (("qXfer:threads:read::zz,10", b"E00"),
                          ("qXfer:threads:read::0", b"E00"),
                          ("qXfer:threads:read::0,", b"E00"),
                          ("qXfer:threads:read::12345678901234567,1", b"E00"),
                          ("qXfer:threads:read::0,10x", b"E00"),
                          ("qXfer:threads:read:annex:0,10", b"E00"),
                          ("qXfer:threads:read", b""),
                          ("qXfer:osdata:read:caps", b"E00"),
                          ("qXfer:osdata:read:" + "a" * 200 + ":0,10", b"E00"),
                          ("qXfer:threads:read::fffffffffffffff0,ffffffffffffffff", b"l"),
                          ("mzz", b"E00"), ("m1000", b"E00"), ("m1000,zz", b"E00"),
                          ("m1000,4x", b"E00"), ("M1000,4", b"E00"), ("X1000,4", b"E00")):
            r = attempt(lambda: dbg.ask(pkt))
            T.check(r == want, "%s: %r" % (pkt[:60], want.decode() or "(empty)"), r)
        r = attempt(lambda: dbg.ask("qXfer:threads:read::0,fff"))
        T.check(isinstance(r, bytes) and r[:1] == b"l" and b"<threads>" in r and b'<thread id="1"' in r,
                "qXfer:threads with the kernel unreadable: the vCPU as thread 1", r)
        r = attempt(lambda: dbg.ask("qXfer:threads:read::5,0"))
        T.check(r in (b"m", b"l"), "qXfer:threads length 0: an empty piece", r)

        # Tables while the kernel cannot be read (every m is E14).
        t0 = time.monotonic()
        r = attempt(lambda: dbg.ask("qXfer:osdata:read:caps:0,fff"))
        T.check(isinstance(r, bytes) and r[:1] == b"l" and b"<osdata" in r and
                b'<column name="error">' in r and time.monotonic() - t0 < 5,
                "qXfer:osdata caps with every m E14: a document with an error column (%.1fs)"
                % (time.monotonic() - t0), r)
        for annex in ("tasks", "nosuchtable", ""):
            r = attempt(lambda: dbg.ask("qXfer:osdata:read:%s:0,fff" % annex))
            T.check(isinstance(r, bytes) and b'<column name="error">' in r,
                    "qXfer:osdata '%s' unreadable: an error column" % annex, r)
        r = attempt(lambda: dbg.ask("qXfer:osdata:read:caps:fffff,10"))
        T.check(r == b"l", "qXfer:osdata past the end: 'l'", r)

        # A table asked for while the target runs, then an interrupt.
        dbg.raw(frame(b"c"))
        ev = attempt(dbg.event)
        r = attempt(lambda: dbg.ask("qXfer:osdata:read:caps:0,fff"))
        T.check(ev == ("ack", "+") and isinstance(r, bytes) and
                b'<column name="error">the target is running' in r,
                "qXfer:osdata while the target runs: a table saying so, not a hang",
                "%r %r" % (ev, r))
        dbg.raw(b"\x03")
        r = attempt(dbg.reply)
        T.check(isinstance(r, bytes) and r.startswith(b"T02"),
                "0x03 while running: the stop reply comes back", r)
        r = attempt(lambda: dbg.ask("qC"))
        T.check(r == b"QC1", "stopped again: packets answered", r)

        # A debugger that goes mid-packet; the next one is served.
        dbg.raw(b"$qXfer:osdata:read:ca")
        dbg.close()
        dbg = Debugger(srv.addr)
        r = attempt(lambda: dbg.ask("qC"))
        T.check(r == b"QC1" and srv.alive(),
                "a debugger gone mid-packet: the next debugger is answered", r)

        # A debugger that goes before reading its reply (its socket is
        # reset under the server's write): the server stays for the next.
        def ask_and_vanish(dbg):
            dbg.raw(frame(b"g") + frame(b"qXfer:features:read:target.xml:0,ffb"))
        dbg = vanish_three_times(srv, dbg, ask_and_vanish)
        r = attempt(lambda: dbg.ask("qC"))
        T.check(r == b"QC1" and srv.alive(),
                "debuggers gone before their replies: the server stays, the next is answered",
                "%r\n%s" % (r, srv.stderr()))

        # A debugger that goes while the target runs, as the stop reply
        # comes (the interrupt and the reset may reach the server in the
        # same turn as the fake's stop reply): the server stays.
        def run_interrupt_and_vanish(dbg):
            attempt(lambda: dbg.ask("qC"))
            dbg.raw(frame(b"c"))
            attempt(dbg.event)
            time.sleep(0.05)
            dbg.raw(b"\x03")
        dbg = vanish_three_times(srv, dbg, run_interrupt_and_vanish)
        r = attempt(lambda: dbg.ask("qC"))
        T.check(r == b"QC1" and srv.alive(),
                "debuggers gone while the target stops: the server stays, the next is answered",
                "%r\n%s" % (r, srv.stderr()))

        # No-ack mode, then a damaged packet and garbage: still no hang.
        r = attempt(lambda: dbg.ask("QStartNoAckMode"))
        dbg.raw(b"$qC#00" + frame(b"qC"))
        r2 = attempt(dbg.reply)
        T.check(r == b"OK" and r2 == b"QC1",
                "no-ack mode: a damaged packet is dropped, the next answered", "%r %r" % (r, r2))
        dbg.close()
        dbg = None
        st = srv.p.poll()
        T.check(st is None and no_crash(srv.stderr()),
                "after all that the server still runs, no crash reported",
                "status %s: %s" % (st, srv.stderr()))
    finally:
        if dbg:
            dbg.close()
        srv.close()
        stub.close()


def rss(pid):
    try:
        with open("/proc/%d/status" % pid) as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0


def test_qemu_gone(exe, elf):
    """QEMU goes away: while stopped and idle, while the server waits
    for its reply, and while the target runs."""
    for how, die_on in (("between packets", None), ("while the server waits for its reply", "g"),
                        ("while the target runs", None)):
        stub = FakeStub("gdbstub", mem_error=True, die_on=die_on)
        srv = Server(exe, elf, stub.addr)
        dbg = None
        try:
            dbg = Debugger(srv.addr)
            r = attempt(lambda: dbg.ask("?"))
            ok = isinstance(r, bytes) and r.startswith(b"T05")
            if how == "between packets":
                stub.close()
            elif how == "while the target runs":
                dbg.raw(frame(b"c"))
                ok = ok and attempt(dbg.event) == ("ack", "+")
                time.sleep(0.2)
                stub.close()
            else:
                dbg.raw(frame(b"g"))
                ok = ok and attempt(dbg.event) == ("ack", "+")
            console = attempt(dbg.reply)
            stop = attempt(dbg.reply)
            dbg.close()   # as GDB does after an 'X' (the server waits for it)
            dbg = None
            text = b""
            if isinstance(console, bytes) and console[:1] == b"O":
                text = bytes.fromhex(console[1:].decode())
            st, err = srv.wait(6)
            T.check(ok and b"QEMU" in text and isinstance(stop, bytes) and stop[:1] == b"X" and
                    st == 1 and "QEMU is gone" in err and no_crash(err),
                    "QEMU gone %s: 'O' message, 'X' stop, exit 1 'QEMU is gone'" % how,
                    "%r %r %r status %s: %s" % (r, console, stop, st, err))
        finally:
            if dbg:
                dbg.close()
            srv.close()
            stub.close()


def main():
    if len(sys.argv) != 2:
        print("usage: test_sturdy.py BUILD_DIR", file=sys.stderr)
        return 2
    build = os.path.abspath(sys.argv[1])
    exe = os.path.join(build, "kdbg-gdbserver")
    elf = os.path.join(build, "cairn.elf")
    for f in (exe, elf):
        if not os.path.exists(f):
            T.check(False, "%s exists (make O=%s)" % (f, build))
            return T.done()
    start = time.monotonic()
    for part in (test_cli, test_session, test_qemu_gone, test_bad_targets):
        t0 = time.monotonic()
        part(exe, elf)
        print("# %s: %.1fs" % (part.__name__, time.monotonic() - t0))
    print("# %.1fs in all" % (time.monotonic() - start))
    return T.done()


if __name__ == "__main__":
    sys.exit(main())
