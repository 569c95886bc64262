"""profile-syscall.py - count the instructions one system call executes in
the kernel, per function, by single-stepping it in GDB (run inside GDB by
scripts/profile-syscall; it stops at the first call of that number).

Environment: PROFILE_SYSCALL_NR, the system call number to catch;
PROFILE_SYSCALL_NTH (default 1): profile the Nth call of that number
from user mode instead of the first (the first CHAN_CALL or
CHAN_REPLY_RECV may not take the IPC fastpath; later ones do).
"""
import collections
import os

import gdb

nr = int(os.environ.get("PROFILE_SYSCALL_NR", "0"))
nth = int(os.environ.get("PROFILE_SYSCALL_NTH", "1"))
x86 = "x86" in gdb.selected_inferior().architecture().name()
gdb.execute("delete")
# The first kernel instruction of a system call from user mode.
if x86:
    gdb.execute("break syscall_entry if $rax == %d" % nr)
else:
    gdb.execute("break el0_sync if $x8 == %d" % nr)
if nth > 1:  # pass over the first nth - 1 hits (the condition is checked first)
    gdb.execute("ignore %d %d" % (gdb.breakpoints()[-1].number, nth - 1))
gdb.execute("continue")
counts = collections.OrderedDict()
total = 0
user_top = 1 << 47
while int(gdb.parse_and_eval("$pc")) >= user_top:  # until back in user mode
    where = gdb.execute("info symbol $pc", to_string=True).split()
    name = where[0] if where and where[0] != "No" else "?"
    counts[name] = counts.get(name, 0) + 1
    total += 1
    gdb.execute("stepi", to_string=True)
for name, n in counts.items():
    print("profile: %-28s %5d" % (name, n))
print("profile: %-28s %5d" % ("kernel total", total))
gdb.execute("kill")
gdb.execute("quit 0")
