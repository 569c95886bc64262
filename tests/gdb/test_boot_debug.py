"""make debug: stopped at the kernel entry, `break kmain` works, and the
kernel's own state is readable through its DWARF types."""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from gdbtest import check, guarded, run  # noqa: E402
import gdb  # noqa: E402


def test():
    frame = gdb.selected_frame()
    check(frame.name() == "higher_half_entry", "debug stops at the kernel entry",
          frame.name())
    run("break kmain")
    run("continue")
    check(gdb.selected_frame().name() == "kmain", "break kmain / continue stops in kmain",
          gdb.selected_frame().name())
    run("break timer_tick")
    run("continue")
    run("finish")
    ticks = int(gdb.parse_and_eval("timer_ticks"))
    check(ticks >= 1, "timer_ticks counts timer interrupts", ticks)
    head = int(gdb.parse_and_eval("kernel_log.head"))
    size = int(gdb.parse_and_eval("kernel_log.size"))
    buf = gdb.selected_inferior().read_memory(
        gdb.parse_and_eval("&kernel_log.buf").cast(gdb.lookup_type("long")), min(head, size))
    text = bytes(buf).decode(errors="replace")
    check("Cairn" in text and "memory:" in text,
          "kernel log ring holds the banner", text[:200])


guarded(test)
