"""kdbg break (stop on capability and IPC operations) and kdbg symbols
(user-space symbols, bt into user space, ips with symbols in kdbg tasks),
driven through rinit's shell."""
import os
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from gdbtest import check, guarded, no_traceback, run, serial, serial_drain, shell  # noqa: E402
import gdb  # noqa: E402


def frame_name():
    try:
        return gdb.selected_frame().name()
    except gdb.error:
        return None


def type_and_stop(line):
    """Type a shell line and continue once: what GDB printed."""
    serial_drain()
    serial().sendall((line + "\n").encode())
    return run("continue")


def usage_error(cmd, want):
    try:
        out = run(cmd)
    except gdb.error as e:
        return want in str(e) and "usage: kdbg" in str(e), str(e)
    return False, "no error: " + out


def rinit_cap_type(slot):
    v = gdb.parse_and_eval('$kdbg_cap("rinit", %d).type' % slot)
    return int(v)


def test():
    shell([], "boot")

    # ---- mint, stopped with what it does --------------------------------
    out = run("kdbg break mint --task rinit")
    check(re.match(r"kdbg break (\d+): mint --task rinit at sys_cap_mint", out) is not None,
          "kdbg break mint --task rinit plants a breakpoint at sys_cap_mint", out)
    out = type_and_stop("mint 255 100 w 7")
    check(frame_name() == "sys_cap_mint" and
          re.search(r"kdbg break \d+: rinit: mint slot 255 \(channel\) -> slot 100, "
                    r"rights -w--, badge 7", out) is not None,
          "GDB stops in sys_cap_mint: rinit mints slot 255 (channel) -> 100, rights -w--, badge 7",
          out)
    check(rinit_cap_type(100) == int(gdb.parse_and_eval("CAIRN_OBJ_NULL")),
          "it stops before the mint acts (slot 100 still empty)")

    # ---- kdbg symbols: bt through the syscall into rinit ---------------
    bt0 = run("bt")
    out = run("kdbg symbols")
    check(re.search(r"kdbg symbols: loaded .*/user/\w+\.elf .*the root task the kernel carries",
                    out) is not None, "kdbg symbols loads the root task's ELF", out)
    check("already loaded" in run("kdbg symbols"), "kdbg symbols again: already loaded")
    bt = run("bt")
    check(re.search(r"in cmd_mint .*user/rinit/cmd_caps\.c", bt) is not None and
          "shell_execute" in bt and re.search(r"\bmain \(", bt) is not None,
          "bt runs from sys_cap_mint through the syscall entry into rinit's cmd_mint and main",
          bt0 + bt)
    from kdbg import consts
    ip = int(gdb.parse_and_eval("$kdbg_current()->ctx.%s" %
                                ("rip" if consts.arch_name() == "x86_64" else "pc")))
    sym = run("info symbol %#x" % ip)
    check(sym.startswith("cairn_cap_mint"), "info symbol on rinit's saved ip: cairn_cap_mint", sym)
    tasks = run("kdbg tasks")
    check(re.search(r"^\* rinit .* <cairn_cap_mint\+0x[0-9a-f]+>$", tasks, re.M) is not None and
          re.search(r"^  serial-driver .* <cairn_\w+\+0x[0-9a-f]+>$", tasks, re.M) is not None,
          "kdbg tasks shows each ip with its symbol", tasks)
    lst = run("kdbg break list")
    check(re.search(r"mint --task rinit\s+at sys_cap_mint\s+1 hit\b", lst) is not None,
          "kdbg break list: the breakpoint, its function, one hit", lst)
    run("kdbg break remove all")
    out = shell([], "minted")
    check(rinit_cap_type(100) == int(gdb.parse_and_eval("CAIRN_OBJ_CHANNEL")),
          "after remove, the mint completes (slot 100 holds a channel)", out)

    # ---- filters that do not match do not stop ---------------------------
    run("kdbg break copy --slot 99")
    run("kdbg break copy --task rinit --type task")
    run("kdbg break copy --task serial-driver")
    out = shell(["copy 255 101"], "copied")
    lst = run("kdbg break list")
    check(rinit_cap_type(101) == int(gdb.parse_and_eval("CAIRN_OBJ_CHANNEL")) and
          len(re.findall(r" 0 hits", lst)) == 3,
          "copy 255 101 does not stop --slot 99, --type task or --task serial-driver", lst + out)
    run("kdbg break remove all")

    # ---- send -------------------------------------------------------------
    run("kdbg break send --task rinit --slot 255")
    out = type_and_stop("send raw 5")
    check(frame_name() in ("sys_chan_try_send", "sys_chan_send") and
          re.search(r"kdbg break \d+: rinit: send \(non-blocking\) on slot 255 \(channel "
                    r"'shared'\): 1 word \[0x5\]", out) is not None,
          "kdbg break send catches rinit's send raw 5 on channel 'shared'", out)
    lst = run("kdbg break list")
    check(" 1 hit" in lst, "the serial driver's sends (other task) did not stop", lst)
    run("kdbg break remove all")
    shell([], "sent")

    # ---- call and reply: fastpath entries ----------------------------------
    out = run("kdbg break call") + run("kdbg break reply")
    check(re.search(r"call at (fastpath_call|sys_chan_call)", out) is not None and
          re.search(r"reply at sys_chan_reply, (fastpath_reply_recv|sys_chan_reply_recv)", out),
          "call breaks at the fastpath entry, reply at sys_chan_reply and reply-recv's", out)
    run("kdbg break remove all")

    # ---- fault: a child whose ip is 0 ---------------------------------------
    shell(["start child"], "started")
    run("kdbg break fault --task child")
    serial_drain()
    serial().sendall(b"suspend 249\nset instruction 249 0\nresume 249\n")
    out = run("continue")
    check(frame_name() == "kernel_user_fault" and
          re.search(r"kdbg break \d+: child: fault: page fault at ip 0x0 \(address 0x0, ", out),
          "kdbg break fault stops when the child faults at ip 0", out)
    run("kdbg break remove all")

    # ---- usage errors --------------------------------------------------------
    for cmd, want in (("kdbg break", "needs an operation"),
                      ("kdbg break frob", "unknown operation 'frob'"),
                      ("kdbg break mint --type frob", "'frob' is not an object type"),
                      ("kdbg break mint --slot x", "'x' is not a slot number"),
                      ("kdbg break mint --task nosuch", "no task named 'nosuch'"),
                      ("kdbg break mint --slot", "--slot needs a value"),
                      ("kdbg break mint --frob 1", "unknown option '--frob'"),
                      ("kdbg break fault --slot 3", "--slot does not apply to fault"),
                      ("kdbg break remove 99", "no kdbg breakpoint 99"),
                      ("kdbg symbols /nonexistent.elf", "no file /nonexistent.elf"),
                      ("kdbg symbols /etc/hostname", "is not an ELF file")):
        ok, detail = usage_error(cmd, want)
        check(ok and no_traceback(detail), "%s: usage error (%s)" % (cmd, want), detail)
    check("no kdbg breakpoints" in run("kdbg break list"), "kdbg break list: none left")


guarded(test)
