#!/bin/bash
# run.sh BUILD_DIR - run each tests/gdb/test_*.py inside GDB attached to
# BUILD_DIR/cairn.elf booted under QEMU (via scripts/debug). Each script
# prints TAP lines and ends GDB with `quit STATUS` (gdb -batch would
# otherwise exit 0 even when a script raises).
set -u -o pipefail
build=${1:?usage: run.sh BUILD_DIR}
here=$(dirname "$0")
status=0
for t in "$here"/test_*.py; do
	echo "# $(basename "$t")"
	timeout 120 "$here/../../scripts/debug" --kernel "$build/cairn.elf" --batch "$t" 2>&1 |
		grep -E '^(ok|not ok|#)' || status=1
done
exit $status
