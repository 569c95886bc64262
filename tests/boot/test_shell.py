#!/usr/bin/python3
"""Drive rinit's shell over the serial console, as a user would.

Boots the default (shell) kernel given as argv[1], types the seed
walkthrough exactly (retype, set ..., set active, send raw 5, send
cap 0), checks every line it prints, inspects the result with `list`
and `tasks`, watches the child block on the empty channel and wake on
`send raw 7`, checks that stopping or reconfiguring rinit's own task or
its serial driver's (suspend, set active/priority/registers/fields, also
through a copy of the cap) is refused with a reason while the shell goes
on answering, then feeds bad input (unknown commands, missing, junk
and overflowing numbers, empty and wrong-type slots, deleting slot 0,
a very long line, control characters) and checks that each gets a
reason and that the shell and kernel go on (`echo alive` at the end).
A second boot does the same child start with the one command `start
child`. One TAP line per check.
"""
import os
import re
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "lib"))
from console import Console, ConsoleTimeout  # noqa: E402
from tap import Tap  # noqa: E402

PROMPT = r"rinit> "
CHILD_LINE = r"\[kernel\] Userspace print: Received from master: "


class Shell:
    """A booted shell: run commands, get what each printed."""

    def __init__(self, console):
        self.c = console
        # A CR LF split across two reads leaves a CR behind: drop every
        # CR as it arrives, so that '$' anchors work on any line.
        console.drop_cr = True
        m = self.c.expect(r"Child entry should be at: 0x([0-9a-f]+) \((\d+)\)", 30)
        self.entry = (int(m.group(1), 16), int(m.group(2)))
        m = self.c.expect(r"Child stack pointer should be at: 0x([0-9a-f]+) \((\d+)\)", 10)
        self.stack = (int(m.group(1), 16), int(m.group(2)))
        self.c.expect(PROMPT, 10)

    def run(self, cmd, timeout=10.0):
        """Type cmd; return its output (without the echoed line)."""
        start = self.c.pos
        self.c.send(cmd + "\n")
        m = self.c.expect(PROMPT, timeout)
        out = self.c.buf[start:m.start()]
        # The first line is the shell echoing what was typed.
        return out.split("\n", 1)[1] if "\n" in out else ""

    def wait_blocked(self, slot, tries=30):
        """`tasks` until the task in slot is BlockedRecv: a new task
        runs once rinit waits for input, so a user typing at once may
        see it Ready first. Returns the last output."""
        rx = re.compile(r"^\s*%d\s+\S+\s+BlockedRecv\b" % slot, re.M)
        for _ in range(tries):
            out = self.run("tasks")
            if rx.search(out):
                break
            time.sleep(0.1)
        return out

    def since(self, pos, pattern, timeout=10.0):
        """Wait for pattern anywhere after buffer position pos."""
        saved = self.c.pos
        self.c.pos = pos
        try:
            return self.c.expect("(?m)" + pattern, timeout)
        finally:
            self.c.pos = max(saved, self.c.pos)


def walkthrough(t, sh):
    ip, sp = sh.entry[1], sh.stack[1]
    t.check(sh.entry[0] == ip and sh.stack[0] == sp,
            "entry and stack printed in hex and decimal alike")
    t.check(0x400000 <= ip < 0x800000 and 0x400000 <= sp < 0x800000,
            "child entry and stack lie in rinit's image",
            "ip %#x sp %#x" % (ip, sp))
    out = sh.run("retype task 2 249")
    t.check(re.search(r"^retype: task in slot 249$", out, re.M), "retype task 2 249", out)
    for cmd in ("set stack 249 %d" % sp, "set instruction 249 %d" % ip,
                "set cpool 249 0", "set table 249 3"):
        out = sh.run(cmd)
        t.check(out.strip() == "", cmd + " (silent success)", out)
    out = sh.run("set buffer 249 250")
    t.check(re.search(r"^set: task buffer of 249 at 0x[0-9a-f]+$", out, re.M),
            "set buffer 249 250 maps the buffer", out)
    mark = sh.c.pos
    out = sh.run("set active 249 1")
    t.check(out.strip() == "", "set active 249 1 (silent success)", out)
    out = sh.wait_blocked(249)
    t.check(re.search(r"^\s*249\s+\S+\s+BlockedRecv\b", out, re.M),
            "tasks: the child waits on the empty channel (BlockedRecv)", out)
    t.check(not re.search(CHILD_LINE, sh.c.buf[mark:]),
            "the child prints nothing before a message arrives")
    mark = sh.c.pos
    sh.run("send raw 5")
    try:
        sh.since(mark, "^" + CHILD_LINE + r"5$")
        t.check(True, "send raw 5: the child prints 'Received from master: 5'")
    except ConsoleTimeout as e:
        t.check(False, "send raw 5: the child prints 'Received from master: 5'", e)
    mark = sh.c.pos
    sh.run("send cap 0")
    try:
        m = sh.since(mark, "^" + CHILD_LINE + r"cap cpool \((\S+)\) in slot (\d+)$")
        t.check(m.group(1) == "rwgG", "send cap 0: the child receives the CPool cap",
                m.group(0))
    except ConsoleTimeout as e:
        t.check(False, "send cap 0: the child receives the CPool cap", e)

    sh.wait_blocked(249)  # back in its receive after printing
    out = sh.run("list")
    t.check(re.search(r"^\s*0\s+cpool\s", out, re.M), "list: slot 0 is a cpool", out)
    t.check(re.search(r"^\s*249\s+task\s+\S+\s+.*BlockedRecv", out, re.M),
            "list: slot 249 is a task, BlockedRecv", out)
    t.check(re.search(r"^\s*255\s+channel\s.*1 receivers? waiting", out, re.M),
            "list: slot 255 is the channel with the child waiting", out)
    t.check(re.search(r"^\d+ of 256 slots used$", out, re.M), "list: ends with a count", out)
    out = sh.run("tasks")
    t.check(re.search(r"^\s*1\s+rinit\s+Running\b", out, re.M)
            and re.search(r"^\s*249\s+\S+\s+BlockedRecv\b", out, re.M)
            and re.search(r"^\s*\d+\s+serial-driver\s", out, re.M)
            and re.search(r"^3 tasks$", out, re.M),
            "tasks: rinit Running, its serial driver, the child BlockedRecv again", out)
    # The user watches the child wake for a message and block again.
    mark = sh.c.pos
    sh.run("send raw 7")
    try:
        sh.since(mark, "^" + CHILD_LINE + r"7$")
        t.check(True, "send raw 7: the blocked child wakes and prints 7")
    except ConsoleTimeout as e:
        t.check(False, "send raw 7: the blocked child wakes and prints 7", e)


BAD_INPUT = [
    # (typed, expected reason, what)
    ("bogus", r"^bogus: unknown command", "unknown command"),
    ("retype task 2", r"^retype: missing arguments", "missing argument"),
    ("set stack 249", r"^set: missing arguments", "missing value"),
    ("retype task 2 abc", r"^retype: slot 'abc' is not a number", "non-numeric slot"),
    ("set stack 249 12z", r"^set: value '12z' is not a number", "non-numeric value"),
    ("retype task 2 99999999999999999999999", r"^retype: slot '9+' is too large",
     "overflowing slot number"),
    ("set stack 249 0x1ffffffffffffffff", r"^set: value '0x1f+' is too large",
     "value overflowing 64 bits"),
    ("retype task 2 256", r"^retype: slot '256' is too large", "slot past the pool"),
    ("delete 100", r"^delete: slot empty \(SLOT_EMPTY\)", "delete an empty slot"),
    ("send cap 77", r"^send: slot 77 is empty", "send an empty slot"),
    ("set stack 3 5", r"^set: slot 3 holds a vspace cap, not a task", "wrong-type slot"),
    ("set buffer 249 255", r"^set: slot 255 holds a channel cap, not a page",
     "wrong-type buffer"),
    ("set active 249 2", r"^set: active takes 0 or 1", "out-of-range value"),
    ("retype frob 2 120", r"^retype: ", "unknown object type"),
    ("set stack 249 0x800000000000", r"^set: value out of range \(RANGE\)",
     "non-canonical stack pointer"),
    ("delete 0", r"^delete: slot 0 holds rinit's own cpool; refusing", "delete slot 0"),
    ("delete 1", r"^delete: slot 1 holds rinit's own task; refusing", "delete rinit's task"),
    ("revoke 3", r"^revoke: slot 3 holds rinit's own vspace; refusing",
     "revoke rinit's vspace"),
    ("send raw 1 2 3 4 5", r"^send: too many arguments", "too many arguments"),
]


# Commands that would stop or reconfigure the tasks the shell's input
# needs: rinit's own task and its serial driver's. The slots come from
# `tasks` (as the shell learns them: slot 1, and whatever the driver got).
# (typed, expected reason, what)
LIFELINE = [
    ("suspend {rinit}", r"^suspend: slot {rinit} holds rinit's own task; refusing$",
     "suspend rinit's own task"),
    ("suspend {driver}", r"^suspend: slot {driver} {why_driver}; refusing$",
     "suspend the serial driver"),
    ("set active {rinit} 0", r"^set: slot {rinit} holds rinit's own task; refusing$",
     "set active rinit 0"),
    ("set active {driver} 0", r"^set: slot {driver} {why_driver}; refusing$",
     "set active driver 0"),
    ("set priority {rinit} 0", r"^set: slot {rinit} holds rinit's own task; refusing$",
     "lower rinit's priority"),
    ("set priority {driver} 0", r"^set: slot {driver} {why_driver}; refusing$",
     "lower the driver's priority"),
    ("set instruction {rinit} 0x400000",
     r"^set: slot {rinit} holds rinit's own task; refusing$", "move rinit's instruction pointer"),
    ("set stack {driver} 0x1000", r"^set: slot {driver} {why_driver}; refusing$",
     "move the driver's stack"),
    ("set table {rinit} 3", r"^set: slot {rinit} holds rinit's own task; refusing$",
     "give rinit another vspace"),
    ("delete {image_page}", r"^delete: slot {image_page} maps a page of rinit's own image; "
     r"refusing$", "delete a page of rinit's image"),
    ("move {image_page} 102", r"^move: slot {image_page} maps a page of rinit's own image; "
     r"refusing$", "move a page of rinit's image"),
    ("revoke {image_table}", r"^revoke: slot {image_table} maps rinit's own image \(page "
     r"table\); refusing$", "revoke a page table of rinit's image"),
    ("delete {task_buffer}", r"^delete: slot {task_buffer} maps rinit's own task buffer; "
     r"refusing$", "delete rinit's task buffer"),
    ("delete {boot_info}", r"^delete: slot {boot_info} maps rinit's boot info; refusing$",
     "delete the boot-info page"),
    ("suspend 100",
     r"^suspend: slot 100 is the same task as slot {rinit}, which holds rinit's own task; "
     r"refusing$", "suspend a copy of rinit's task cap"),
    ("set active 101 0",
     r"^set: slot 101 is the same task as slot {driver}, which {why_driver}; refusing$",
     "set active 0 on a copy of the driver's task cap"),
]


def task_slot(out, name):
    """The slot of the task called name in `tasks` output, or None."""
    m = re.search(r"^\s*(\d+)\s+%s\s" % re.escape(name), out, re.M)
    return m.group(1) if m else None


def lifeline(t, sh):
    out = sh.run("tasks")
    slots = {"rinit": task_slot(out, "rinit"), "driver": task_slot(out, "serial-driver"),
             "why_driver": re.escape("belongs to rinit's serial driver (console input)")}
    if not t.check(slots["rinit"] and slots["driver"],
                   "tasks: rinit and its serial driver found", out):
        return
    # The boot caps that map rinit's own memory (unmapping them would make
    # rinit fault on its next instruction): from `info`'s initial slots.
    info = sh.run("info")
    for key, pattern in (("image_page", r"page\s.*\simage$"),
                         ("image_table", r"pagetable\s.*\simage$"),
                         ("task_buffer", r"page\s.*\stask-buffer$"),
                         ("boot_info", r"page\s.*\sboot-info$")):
        m = re.search(r"^\s*(\d+)\s+" + pattern, info, re.M)
        slots[key] = m.group(1) if m else None
    if not t.check(all(slots[k] for k in ("image_page", "image_table", "task_buffer",
                                          "boot_info")),
                   "info: the slots mapping rinit's image, task buffer and boot info", info):
        return
    sh.run("copy {rinit} 100".format(**slots))
    sh.run("copy {driver} 101".format(**slots))
    for typed, reason, what in LIFELINE:
        typed = typed.format(**slots)
        try:
            out = sh.run(typed)
            after = sh.run("echo answered")
        except ConsoleTimeout as e:
            t.check(False, "refused (%s): the shell answers" % what, e)
            return
        t.check(re.search(reason.format(**slots), out, re.M) and
                re.search(r"^answered$", after, re.M),
                "refused with a reason (%s): %s; the shell still answers" % (what, typed),
                out + after)
    for slot in ("100", "101"):
        out = sh.run("delete " + slot)  # a copy is not vital: deleting it is fine
        t.check(out.strip() == "", "delete %s: the copy of a vital task cap goes" % slot, out)
    out = sh.run("tasks")
    t.check(re.search(r"^\s*%s\s+rinit\s+Running\s+255\b" % slots["rinit"], out, re.M)
            and re.search(r"^\s*%s\s+serial-driver\s+(?!Inactive|Faulted)\S+\s+255\b"
                          % slots["driver"], out, re.M),
            "after the refusals rinit still runs, and its driver, both at priority 255",
            out)


def bad_input(t, sh):
    for typed, reason, what in BAD_INPUT:
        try:
            out = sh.run(typed)
        except ConsoleTimeout as e:
            t.check(False, "bad input (%s): the shell answers" % what, e)
            continue
        t.check(re.search(reason, out, re.M), "bad input (%s): %s" % (what, typed[:40]),
                out)
    out = sh.run("echo still here")
    t.check(re.search(r"^still here$", out, re.M), "the shell works after the bad input",
            out)
    # A line far longer than the editor's buffer.
    try:
        out = sh.run("y" * 3000, timeout=30)
        t.check(re.search(r"(too long|unknown command)", out),
                "a 3000-character line gets a reason", out[-300:])
    except ConsoleTimeout as e:
        t.check(False, "a 3000-character line gets a reason", e)
    # Control characters: ^A ^B ESC sequences, DEL and backspace, ^C.
    try:
        sh.run("\x01\x02\x1b[A\x1b[D\x7f\x08\x00echo ctl")
        sh.c.send("half a line\x03")
        sh.c.expect(PROMPT, 10)
        t.check(True, "control characters and ^C leave a working prompt")
    except ConsoleTimeout as e:
        t.check(False, "control characters and ^C leave a working prompt", e)
    out = sh.run("")
    t.check(out.strip() == "", "an empty line is ignored", out)
    out = sh.run("echo alive")
    t.check(re.search(r"^alive$", out, re.M), "echo alive: shell and kernel still running",
            out)
    t.check(not re.search(r"panic|PANIC|kernel fault|faulted", sh.c.buf),
            "no kernel panic and no faulted task in the whole session",
            sh.c.buf[-1500:])


def start_child(t, kernel):
    with Console(kernel) as c:
        sh = Shell(c)
        out = sh.run("start child", timeout=20)
        t.check(re.search(r"^start: child running in slot 249$", out, re.M),
                "fresh boot: start child does the walkthrough in one command", out)
        out = sh.wait_blocked(249)
        t.check(re.search(r"^\s*249\s+\S+\s+BlockedRecv\b", out, re.M),
                "start child: the child waits (BlockedRecv)", out)
        mark = sh.c.pos
        sh.run("send raw 5")
        try:
            sh.since(mark, "^" + CHILD_LINE + r"5$")
            t.check(True, "start child: send raw 5 reaches it")
        except ConsoleTimeout as e:
            t.check(False, "start child: send raw 5 reaches it", e)
        out = sh.run("start child")
        t.check(re.search(r"SLOT_OCCUPIED|occupied", out),
                "start child again: slot 249 taken, a reason is printed", out)
        out = sh.run("echo alive")
        t.check(re.search(r"^alive$", out, re.M), "start child: shell still running", out)
        # Revoking the untyped takes the child, never the shell's input.
        sh.run("revoke 2")
        out = sh.run("tasks")
        t.check(not re.search(r"^\s*249\s", out, re.M) and
                re.search(r"^\s*\d+\s+serial-driver\s", out, re.M),
                "revoke 2: the child is gone, the serial driver stays", out)
        driver = re.search(r"^\s*(\d+)\s+serial-driver\s", out, re.M)
        if driver:
            out = sh.run("delete %s" % driver.group(1))
            t.check(re.search(r"belongs to rinit's serial driver.*refusing", out),
                    "delete of the serial driver's task is refused with a reason", out)
        out = sh.run("echo still typing")
        t.check(re.search(r"^still typing$", out, re.M),
                "after revoke 2 the shell still reads input", out)


def main(kernel):
    t = Tap()
    try:
        with Console(kernel) as c:
            sh = Shell(c)
            walkthrough(t, sh)
            lifeline(t, sh)
            bad_input(t, sh)
    except ConsoleTimeout as e:
        t.check(False, "shell session (walkthrough and bad input)", e)
    try:
        start_child(t, kernel)
    except ConsoleTimeout as e:
        t.check(False, "start child session", e)
    return t.done()


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
