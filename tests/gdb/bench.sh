#!/bin/bash
# bench.sh BUILD_DIR - time kdbg on a 4,096-slot CPool and a 10,000-node
# CDT under QEMU TCG (see bench_kdbg.py); not part of `make check`.
here=$(cd "$(dirname "$0")" && pwd)
run_dir=$(mktemp -d /tmp/cairn-kdbg-bench.XXXXXX)
trap 'rm -rf "$run_dir"' EXIT
export KDBG_TEST_SERIAL=$run_dir/serial KDBG_TEST_RUN_DIR=$run_dir
"$here/../../scripts/debug" --kernel "${1:?usage: bench.sh BUILD_DIR}/cairn.elf" \
	--batch "$here/bench_kdbg.py" --serial-socket "$KDBG_TEST_SERIAL" 2>&1 |
	grep -E '^(ok|not ok|#)'
