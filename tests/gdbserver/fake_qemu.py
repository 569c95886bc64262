#!/usr/bin/python3
"""fake_qemu.py - stand-ins for QEMU's gdbstub, for kdbg-gdbserver's tests
(tests/gdbserver/test_sturdy.py). Standard library only.

FakeStub(kind) listens on 127.0.0.1 (any port: .port) and serves each
connection in a thread until close(), which also cuts every connection,
as a QEMU that exits does. Kinds:

  gdbstub  a minimal stopped x86_64 target: qSupported, ?, g, m (E14 for
           every read with mem_error=True: a kernel that is not readable),
           Qqemu.PhyMemMode, QStartNoAckMode, qXfer:features:read,
           H/T/D, c/s/vCont (running until a 0x03, then a stop reply);
           anything else gets "" (unsupported). die_on=PREFIX: close()
           when a packet starting with PREFIX arrives, without answering.
  http     answers the first bytes with an HTTP error page and hangs up
  silent   accepts and never says anything
  babble   sends text without a '$' in it, forever
  acks     sends '+' forever (acks for packets never sent)

`fake_qemu.py [KIND] [--mem-error]` runs one until interrupted and
prints "listening on 127.0.0.1:PORT".
"""
import socket
import sys
import threading

TARGET_XML = (b'<?xml version="1.0"?><!DOCTYPE target SYSTEM "gdb-target.dtd">'
              b'<target><architecture>i386:x86-64</architecture></target>')
NREGS_HEX = 560 * 2   # enough for GDB's x86_64 g packet; zeros


def frame(payload):
    """$payload#cs with '$', '#', '}' and '*' escaped."""
    out = bytearray()
    for c in payload:
        if c in b"$#}*":
            out += bytes((0x7d, c ^ 0x20))
        else:
            out.append(c)
    return b"$" + bytes(out) + b"#%02x" % (sum(out) & 0xff)


class Decoder:
    """Bytes in, ('packet', payload) / ('ack', c) / ('interrupt',) /
    ('bad',) events out; escapes and run-length encoding undone."""

    def __init__(self):
        self.state = "idle"
        self.raw = bytearray()
        self.csum = b""

    def feed(self, data):
        events = []
        for c in data:
            if self.state == "idle":
                if c in b"$%":
                    self.state, self.raw = "data", bytearray()
                elif c in b"+-":
                    events.append(("ack", chr(c)))
                elif c == 3:
                    events.append(("interrupt",))
            elif self.state == "data":
                if c == ord("#"):
                    self.state, self.csum = "csum", b""
                else:
                    self.raw.append(c)
            else:
                self.csum += bytes((c,))
                if len(self.csum) == 2:
                    self.state = "idle"
                    try:
                        ok = int(self.csum, 16) == sum(self.raw) & 0xff
                    except ValueError:
                        ok = False
                    events.append(("packet", unescape(bytes(self.raw))) if ok else ("bad",))
        return events


def unescape(raw):
    out = bytearray()
    i = 0
    while i < len(raw):
        c = raw[i]
        if c == 0x7d and i + 1 < len(raw):
            out.append(raw[i + 1] ^ 0x20)
            i += 2
        elif c == ord("*") and out and i + 1 < len(raw):
            out += bytes((out[-1],)) * (raw[i + 1] - 29)
            i += 2
        else:
            out.append(c)
            i += 1
    return bytes(out)


class FakeStub:
    def __init__(self, kind="gdbstub", mem_error=True, die_on=None):
        self.kind = kind
        self.mem_error = mem_error
        self.die_on = die_on.encode() if isinstance(die_on, str) else die_on
        self.received = []          # every packet, all connections
        self.connections = 0
        self.lock = threading.Lock()
        self.conns = []
        self.closed = False
        self.lsock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.lsock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.lsock.bind(("127.0.0.1", 0))
        self.lsock.listen(8)
        self.port = self.lsock.getsockname()[1]
        self.addr = "127.0.0.1:%d" % self.port
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self):
        while True:
            try:
                c, _ = self.lsock.accept()
            except OSError:
                return
            with self.lock:
                if self.closed:
                    c.close()
                    return
                self.conns.append(c)
                self.connections += 1
            threading.Thread(target=self._serve, args=(c,), daemon=True).start()

    def close(self):
        """Go away as an exiting QEMU does: listener and connections."""
        with self.lock:
            self.closed = True
            conns, self.conns = self.conns, []
        for s in [self.lsock] + conns:
            try:
                s.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            s.close()

    # ---- kinds ---------------------------------------------------------
    def _serve(self, c):
        try:
            getattr(self, "_serve_" + self.kind)(c)
        except OSError:
            pass

    def _serve_http(self, c):
        c.settimeout(2)
        try:
            c.recv(4096)
        except OSError:
            pass
        c.sendall(b"HTTP/1.1 400 Bad Request\r\nContent-Type: text/html\r\n"
                  b"Content-Length: 23\r\n\r\n<h1>Bad Request #1</h1>")
        c.close()

    def _serve_silent(self, c):
        while c.recv(4096):
            pass

    def _serve_babble(self, c):
        while not self.closed:
            c.sendall(b"220 Welcome to the babbling service, no packets here\r\n" * 64)

    def _serve_acks(self, c):
        while not self.closed:
            c.sendall(b"+" * 4096)

    def _serve_gdbstub(self, c):
        dec = Decoder()
        noack = False
        running = False
        while True:
            data = c.recv(65536)
            if not data:
                return
            for ev in dec.feed(data):
                if ev[0] == "bad":
                    c.sendall(b"-")
                    continue
                if ev[0] == "interrupt":
                    if running:
                        running = False
                        c.sendall(frame(b"T02thread:01;"))
                    continue
                if ev[0] != "packet":
                    continue
                p = ev[1]
                with self.lock:
                    self.received.append(p)
                if not noack:
                    c.sendall(b"+")
                if self.die_on is not None and p.startswith(self.die_on):
                    self.close()
                    return
                r = self.answer(p, running)
                if p == b"QStartNoAckMode":
                    noack = True
                if p[:1] in (b"c", b"C") or p.startswith(b"vCont;c"):
                    running = True
                if r is not None:
                    c.sendall(frame(r))

    def answer(self, p, running):
        """The reply to p, or None (resumed: the stop reply comes later)."""
        if running:
            return b""
        if p.startswith(b"qSupported"):
            return b"PacketSize=1000;qXfer:features:read+;QStartNoAckMode+"
        if p == b"?":
            return b"T05thread:01;"
        if p == b"g":
            return b"0" * NREGS_HEX
        if p[:1] == b"m":
            if self.mem_error:
                return b"E14"
            try:
                n = int(p.split(b",")[1], 16)
            except (IndexError, ValueError):
                return b"E22"
            return b"00" * n
        if p[:1] in (b"M", b"X", b"G", b"P"):
            return b"OK"
        if p.startswith(b"Qqemu.PhyMemMode:") or p == b"QStartNoAckMode":
            return b"OK"
        if p.startswith(b"qXfer:features:read:target.xml:"):
            try:
                off, n = (int(x, 16) for x in p.rsplit(b":", 1)[1].split(b","))
            except ValueError:
                return b"E00"
            chunk = TARGET_XML[off:off + n]
            return (b"l" if off + n >= len(TARGET_XML) else b"m") + chunk
        if p[:1] in (b"H", b"T", b"D"):
            return b"OK"
        if p[:1] in (b"c", b"C") or p.startswith(b"vCont;c"):
            return None
        if p[:1] in (b"s", b"S") or p.startswith(b"vCont;s"):
            return b"T05thread:01;"
        if p == b"vCont?":
            return b"vCont;c;C;s;S"
        if p == b"qAttached":
            return b"1"
        return b""


def main():
    kind = "gdbstub"
    mem_error = False
    for a in sys.argv[1:]:
        if a == "--mem-error":
            mem_error = True
        elif a in ("gdbstub", "http", "silent", "babble", "acks"):
            kind = a
        else:
            print(__doc__, file=sys.stderr)
            return 2
    stub = FakeStub(kind, mem_error=mem_error)
    print("listening on %s" % stub.addr, flush=True)
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        stub.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
