#!/bin/bash
# test_add_syscall.sh SCRATCH_DIR [ARCH] - adding a system call is one
# line in the ABI and one handler (TAP).
#
# Copies this tree to SCRATCH_DIR, adds ECHO (one X line in
# include/uapi/cairn/syscalls.h, one handler in the file its section
# names) and a call to it from rinit, builds, boots, and checks that
# user space got the handler's answer. Also checks that a handler put in
# the wrong file, or missing, stops the build with a message naming it.
set -u
dir=${1:?usage: test_add_syscall.sh SCRATCH_DIR [ARCH]}
arch=${2:-x86_64}
here=$(cd "$(dirname "$0")/../.." && pwd)
# shellcheck source=tests/lib/tap.sh
. "$here/tests/lib/tap.sh"

rm -rf "$dir"; mkdir -p "$dir/tree"
dir=$(cd "$dir" && pwd)  # make -C runs in the copy: no relative paths
tree=$dir/tree
# The working tree as it is (tracked and new files), without builds.
(cd "$here" && git ls-files -co --exclude-standard -z | tar --null -T - -cf -) |
	(cd "$tree" && tar -xf -)
nr=$(sed -n 's/.*X([A-Z_0-9]*, *\([0-9]*\),.*/\1/p' "$tree/include/uapi/cairn/syscalls.h" |
	sort -n | tail -1)
nr=$((nr + 1))

# 1. The ABI line, in the debug section after DEBUG_CHECKPOINT: not the
#    list's last line, and numbered past every other call.
/usr/bin/python3 - "$tree/include/uapi/cairn/syscalls.h" "$nr" <<'EOF'
import re, sys
path, nr = sys.argv[1], sys.argv[2]
text = open(path).read()
m = re.search(r"(\tX\(DEBUG_CHECKPOINT,[^\n]*\n)", text)
line = '\t/* Answer value + 1 (added by tests/build/test_add_syscall.sh). */ \\\n' \
       '\tX(ECHO, %s, "value", "sum") \\\n' % nr
open(path, "w").write(text[:m.end()] + line + text[m.end():])
EOF
# 2. The handler, in the file the debug section names.
cat >>"$tree/kernel/sys_debug.c" <<'EOF'

int sys_echo(struct task *caller, const struct cairn_sys_echo_args *arg)
{
	sys_result_echo_sum(caller, arg->value + 1);
	return CAIRN_ERR_OK;
}
EOF
# 3. A caller: rinit asks before its banner.
/usr/bin/python3 - "$tree/user/rinit/main.c" <<'EOF'
import sys
path = sys.argv[1]
text = open(path).read()
anchor = '\tprintf("Type \'help\' for commands.\\n");\n'
assert anchor in text
call = ('\t{\n\t\tuint64_t sum = 0;\n\t\tint e = cairn_echo(41, &sum);\n'
        '\t\tprintf("echo: %d %llu\\n", e, (unsigned long long)sum);\n\t}\n')
open(path, "w").write(text.replace(anchor, call + anchor))
EOF

b=$dir/build
out=$(make -C "$tree" --no-print-directory -j2 O="$b" "${arch}_defconfig" 2>&1 &&
	make -C "$tree" --no-print-directory -j2 O="$b" "$b/cairn.elf" kdbg-scripts 2>&1); st=$?
check "$arch: a tree with ECHO added (one ABI line, one handler) builds" $st "$out"
grep -q "int sys_echo(struct task \*caller, const struct cairn_sys_echo_args \*arg);" \
	"$b/include/generated/syscall_kernel.h"
check "$arch: the handler's prototype is generated" $? "$(cat "$b/include/generated/syscall_kernel.h" 2>&1 | tail -5)"
grep -q "^int cairn_echo(uint64_t value, uint64_t \*sum);" "$b/include/generated/syscall_stubs.h" &&
	grep -q "^int cairn_echo(uint64_t value, uint64_t \*sum)$" "$b/include/generated/syscall_stubs.c"
check "$arch: the user stub cairn_echo(value, *sum) is generated" $? "$(tail -12 "$b/include/generated/syscall_stubs.h" 2>&1)"

if [ $st -eq 0 ]; then
	out=$(timeout 60 /usr/bin/python3 - "$here" "$b/cairn.elf" <<'EOF' 2>&1
import sys
sys.path.insert(0, sys.argv[1] + "/tests/lib")
from console import Console
with Console(sys.argv[2]) as c:
    c.expect("rinit> ", timeout=40)
    print(c.buf)
EOF
	)
	echo "$out" | grep -q "^echo: 0 42"
	check "$arch: rinit calls ECHO(41) and gets 42 back" $? "$out"
else
	fail "$arch: rinit calls ECHO(41) and gets 42 back" "(not built)"
fi

# The rule for where handlers live is enforced: move the handler to
# another file and the build names the file its section wants.
/usr/bin/python3 - "$tree" <<'EOF'
import sys
t = sys.argv[1]
src = open(t + "/kernel/sys_debug.c").read()
i = src.index("\nint sys_echo(")
open(t + "/kernel/sys_debug.c", "w").write(src[:i])
open(t + "/kernel/sys_task.c", "a").write(src[i:])
EOF
out=$(make -C "$tree" --no-print-directory -j2 O="$b" "$b/cairn.elf" 2>&1); st=$?
[ $st -ne 0 ] && echo "$out" | grep -q "sys_echo is not defined in kernel/sys_debug.c.*; it is in kernel/sys_task.c"
check "$arch: a handler outside the file its section names stops the build, naming both" $? "$out"

tap_done
