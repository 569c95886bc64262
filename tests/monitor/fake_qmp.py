#!/usr/bin/python3
"""fake_qmp.py - a misbehaving QMP server for kdbg-top's target tests.

    fake_qmp.py --socket PATH | --tcp PORT  --mode MODE [--after N]

Serves one client at a time, forever (so a test can watch the monitor
reconnect), until killed. Modes:

  good        greeting, capabilities, query-status, query-kvm, qom-list,
              HMP info mtree -f / info registers / xp, pmemsave (guest
              byte at A is A & 0xff), stop/cont/system_reset with events
  chatty      good, but every reply is preceded by an event in the same
              write and is itself sent in two halves (partial lines)
  garbage     good handshake, then non-JSON instead of a reply
  garbage-greeting  non-JSON instead of the greeting
  notqmp      a JSON greeting without "QMP"
  truncated   good handshake, then half a reply and close
  silent      good handshake, then never answers
  silent-greeting   accepts, sends nothing
  disconnect  good for N commands after the handshake (--after), then close
  oversized   good handshake, then a reply line of 5 MiB
  wrongtypes  good handshake, then "return": 5 for every command
"""
import argparse
import json
import os
import socket
import sys
import time

GREETING = {"QMP": {"version": {"qemu": {"micro": 0, "minor": 2, "major": 7},
                                "package": "fake"}, "capabilities": ["oob"]}}

MTREE = """FlatView #0
 AS "memory", root: system
 AS "cpu-memory-0", root: system
 Root memory region: system
  0000000000000000-000000000009ffff (prio 0, ram): pc.ram
  00000000000a0000-00000000000bffff (prio 1, i/o): vga-lowmem
  00000000000c0000-00000000000cafff (prio 0, rom): pc.ram @00000000000c0000
  0000000000100000-0000000007ffffff (prio 0, ram): pc.ram @0000000000100000
  00000000fd000000-00000000fdffffff (prio 1, ram): vga.vram

FlatView #1
 AS "I/O", root: io
 Root memory region: io
  0000000000000000-0000000000000007 (prio 0, i/o): dma-chan
"""

REGS = """CPU#0
RAX=0000000000000001 RBX=0000000000000002 RCX=0000000000000003 RDX=0000000000000004
RSI=0000000000000005 RDI=0000000000000006 RBP=0000000000000007 RSP=ffffffff80263fa8
R8 =0000000000000008 R9 =0000000000000009 R10=000000000000000a R11=000000000000000b
R12=000000000000000c R13=000000000000000d R14=000000000000000e R15=000000000000000f
RIP=ffffffff8020ab72 RFL=00000297 [--S-APC] CPL=0 II=0 A20=1 SMM=0 HLT=1
CS =0008 0000000000000000 ffffffff 00af9a00 DPL=0 CS64 [-R-]
CR0=80010015 CR2=0000000000000000 CR3=0000000000102000 CR4=00000020
"""


def event(name, data=None):
    now = time.time()
    e = {"event": name, "timestamp": {"seconds": int(now),
                                      "microseconds": int((now % 1) * 1e6)}}
    if data is not None:
        e["data"] = data
    return e


def line(obj):
    return (json.dumps(obj) + "\r\n").encode()


def guest_bytes(addr, size):
    return bytes((addr + i) & 0xff for i in range(size))


def reply_good(cmd, args):
    """(return value or None, events to send after the reply, error)."""
    if cmd == "qmp_capabilities":
        return {}, [], None
    if cmd == "query-status":
        return {"status": "running", "running": True, "singlestep": False}, [], None
    if cmd == "query-kvm":
        return {"enabled": False, "present": True}, [], None
    if cmd == "qom-list":
        return [{"name": "type", "type": "string"},
                {"name": "pc.ram", "type": "child<memory-backend-ram>"}], [], None
    if cmd == "stop":
        return {}, [event("STOP")], None
    if cmd == "cont":
        return {}, [event("RESUME")], None
    if cmd == "system_reset":
        return {}, [event("RESET", {"guest": False, "reason": "host-qmp-system-reset"})], None
    if cmd == "pmemsave":
        with open(args["filename"], "wb") as f:
            f.write(guest_bytes(args["val"], args["size"]))
        return {}, [], None
    if cmd == "human-monitor-command":
        cl = args.get("command-line", "")
        if cl == "info mtree -f":
            return MTREE, [], None
        if cl == "info registers":
            return REGS, [], None
        if cl.startswith("gpa2hva"):
            return "", [], {"class": "GenericError", "desc": "no fake process"}
        if cl.startswith("xp /"):
            n, addr = cl[4:].split("xg ")
            n, addr = int(n), int(addr, 16)
            out = ""
            for i in range(0, n, 2):
                words = [int.from_bytes(guest_bytes(addr + 8 * j, 8), "little")
                         for j in range(i, min(i + 2, n))]
                out += "%016x: %s\r\n" % (addr + 8 * i, " ".join("0x%016x" % w for w in words))
            return out, [], None
        return "unknown command: '%s'\r\n" % cl, [], None
    return None, [], {"class": "CommandNotFound",
                      "desc": "The command %s has not been found" % cmd}


def serve(conn, mode, after):
    f = conn.makefile("rb")
    if mode == "silent-greeting":
        while conn.recv(4096):
            pass
        return
    if mode == "garbage-greeting":
        conn.sendall(b"Welcome to not-QMP <<<>>>\r\n")
        time.sleep(0.5)
        return
    if mode == "notqmp":
        conn.sendall(line({"hello": "world"}))
        time.sleep(0.5)
        return
    conn.sendall(line(GREETING))
    ncmd = 0
    for raw in f:
        req = json.loads(raw)
        cmd, args, rid = req.get("execute"), req.get("arguments", {}), req.get("id")
        handshake = cmd == "qmp_capabilities"
        ret, events, err = reply_good(cmd, args)
        msg = {"error": err} if err else {"return": ret}
        if rid is not None:
            msg["id"] = rid
        if not handshake:
            ncmd += 1
            if mode == "garbage":
                conn.sendall(b"}}} this is not JSON {{{\r\n")
                continue
            if mode == "truncated":
                data = line(msg)
                conn.sendall(data[:len(data) // 2])
                return
            if mode == "silent":
                continue
            if mode == "disconnect" and ncmd > after:
                return
            if mode == "oversized":
                conn.sendall(b'{"return": "' + b"x" * (5 << 20))
                time.sleep(5)
                return
            if mode == "wrongtypes":
                msg = {"return": 5, "id": rid}
        if mode == "chatty" and not handshake:
            data = line(event("FAKE_TICK", {"n": ncmd})) + line(msg)
            cut = len(data) - len(line(msg)) // 2
            conn.sendall(data[:cut])
            time.sleep(0.005)
            conn.sendall(data[cut:])
        else:
            conn.sendall(line(msg))
        for e in events:
            conn.sendall(line(e))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--socket")
    ap.add_argument("--tcp", type=int)
    ap.add_argument("--mode", default="good")
    ap.add_argument("--after", type=int, default=3)
    a = ap.parse_args()
    if a.socket:
        try:
            os.unlink(a.socket)
        except OSError:
            pass
        srv = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        srv.bind(a.socket + ".tmp")
        srv.listen(1)
        os.rename(a.socket + ".tmp", a.socket)   # appears only when listening
    else:
        srv = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        srv.bind(("127.0.0.1", a.tcp))
        srv.listen(1)
    sys.stdout.write("ready\n")
    sys.stdout.flush()
    while True:
        conn, _ = srv.accept()
        try:
            serve(conn, a.mode, a.after)
        except (OSError, ValueError):
            pass
        finally:
            conn.close()


if __name__ == "__main__":
    main()
