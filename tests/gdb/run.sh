#!/bin/bash
# run.sh BUILD_DIR - run each tests/gdb/test_*.py inside GDB attached to
# BUILD_DIR/cairn.elf booted under QEMU (via scripts/debug), with the
# guest's serial console on a Unix socket the script writes shell input to
# (KDBG_TEST_SERIAL) and a QMP socket (KDBG_TEST_QMP). Each script prints
# TAP lines and ends GDB with `quit STATUS` (gdb -batch would otherwise
# exit 0 even when a script raises).
set -u -o pipefail
build=${1:?usage: run.sh BUILD_DIR}
here=$(cd "$(dirname "$0")" && pwd)
status=0
run_dir=$(mktemp -d /tmp/cairn-gdbtest.XXXXXX)
trap 'rm -rf "$run_dir"' EXIT
export KDBG_TEST_BUILD=$(cd "$build" && pwd)
for t in "$here"/test_*.py; do
	name=$(basename "$t" .py)
	echo "# $name.py"
	export KDBG_TEST_SERIAL=$run_dir/$name.serial
	export KDBG_TEST_QMP=$run_dir/$name.qmp
	export KDBG_TEST_RUN_DIR=$run_dir
	timeout 120 "$here/../../scripts/debug" --kernel "$build/cairn.elf" --batch "$t" \
		--serial-socket "$KDBG_TEST_SERIAL" --qmp "$KDBG_TEST_QMP" 2>&1 |
		grep -E '^(ok|not ok|#)' || status=1
done

# The CLI end to end: `kdbg run` boots this build (its arch from the ELF)
# and GDB, reading commands from a pipe, shows rinit's tasks.
echo "# kdbg run"
kdbg=$here/../../kdbg/bin/kdbg
out=$(printf '%s\n' 'continue &' 'shell sleep 3' 'interrupt' 'shell sleep 0.5' \
	'kdbg tasks' 'kill' 'quit' | timeout 60 "$kdbg" run --build "$build" 2>&1)
if echo "$out" | grep -qE '^ +rinit +0x[0-9a-f]+ +Blocked' &&
	echo "$out" | grep -qE '^ +serial-driver +0x[0-9a-f]+ +BlockedNotification'; then
	echo "ok - kdbg run boots the build and attaches: kdbg tasks shows rinit and its driver"
else
	echo "$out" | sed 's/^/#   /' | tail -20
	echo "not ok - kdbg run boots the build and attaches: kdbg tasks shows rinit and its driver"
	status=1
fi
out=$("$kdbg" run --build "$build" --arch sparc 2>&1); st=$?
if [ $st -eq 2 ] && echo "$out" | grep -q "arch must be x86_64 or aarch64, not sparc"; then
	echo "ok - kdbg run --arch sparc is a usage error"
else
	echo "# status $st: $out"
	echo "not ok - kdbg run --arch sparc is a usage error"
	status=1
fi
exit $status
