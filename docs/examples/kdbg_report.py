"""A report on the kernel with kdbg's Python API (docs/kdbg.md, "Python API").

In GDB attached to Cairn, kdbg loaded:   source docs/examples/kdbg_report.py
(or: kdbg script docs/examples/kdbg_report.py, which says kdbg's errors in
one line). tests/gdb/test_kdbg_api.py runs it and checks what it prints.
"""
import kdbg

w = kdbg.World()  # one reading of the stopped kernel
print("%d tasks, %d caps, tick %d" % (len(w.tasks()), len(w.caps()), w.kernel.ticks))
for t in w.tasks():
    print("task %-14s %-20s prio %3d  %s" % (t.name, t.state, t.priority, t.waits or "-"))

# rinit's capabilities to kernel objects, and how many caps derive from each
rinit = w.task("rinit")
for cap in rinit.caps():
    if cap.type in ("task", "channel", "notification"):
        badge = " badge %d" % cap.badge if cap.badge is not None else ""
        print("rinit[%d] %s %s%s -> %s, %d derived" % (
            cap.slot, cap.type, cap.rights, badge, cap.target().label, len(cap.descendants())))

# what was made from the untyped in slot 2
for child in rinit.cap(2).children():
    print("from rinit[2]: %s in %s[%d]" % (child.type, child.holder, child.slot))

for ch in w.channels():
    print("channel %s: %d/%d queued, receivers %s" % (
        ch.label, ch.count, ch.depth, ", ".join(t.name for t in ch.receivers) or "none"))

problems = w.check()
print("check: %s" % ("; ".join(problems) if problems else "sound"))
