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
exit $status
