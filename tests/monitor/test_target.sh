#!/bin/sh
# test_target.sh - kdbg-top's VM connection (kdbg/monitor/target.c) against
# tests/monitor/fake_qmp.py's misbehaving peers, then against real QEMUs on
# both arches: every memory mode (shared RAM file, process_vm_readv, QMP),
# a VM without shared RAM, and a QEMU that hangs, dies and comes back.
#
#   tests/monitor/test_target.sh [X86_ELF [AARCH64_ELF]]
#
# Default ELFs: build/t-x86/cairn.elf and build/t-arm/cairn.elf (build
# them with make O=build/t-x86 x86_64_defconfig all, likewise aarch64);
# an arch whose ELF is missing is skipped. Objects go to $BUILD
# (default build/t-mon), or the driver is $TARGET_TEST when set (make's
# build of it). Prints TAP, then "N passed, N failed"; exits 1 on
# any failure. Everything started here is killed on exit.
set -u
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
cd "$ROOT"
BUILD=${BUILD:-build/t-mon}
X86_ELF=${1:-build/t-x86/cairn.elf}
ARM_ELF=${2:-build/t-arm/cairn.elf}
TMP=$(mktemp -d "${TMPDIR_SHM:-/dev/shm}/kdbg-target-test.XXXXXX") || exit 1
OUT=$TMP/tap

cleanup() {
	for f in "$TMP"/*.pid; do
		[ -f "$f" ] || continue
		pid=$(cat "$f" 2>/dev/null)
		[ -n "$pid" ] && kill -KILL "$pid" 2>/dev/null
	done
	rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 1' INT TERM

# ---- build the driver with target.c and the kread library -------------------
# (Or take one built by make: TARGET_TEST=BUILD/host/tests/monitor/target_test,
# tests/monitor/monitor-tests.mk, the same sources and flags.)
if [ -n "${TARGET_TEST:-}" ]; then
	driver=$TARGET_TEST
	[ -x "$driver" ] || { echo "not ok 1 - build: no driver $driver"; echo "0 passed, 1 failed"; exit 1; }
else
	CF="-std=gnu11 -O2 -g -Wall -Wextra -Werror -Iinclude/uapi -Ikdbg/lib -Ikdbg/monitor
$(pkg-config --cflags jansson libdw)"
	mkdir -p "$BUILD/lib"
	objs=
	for src in kdbg/lib/elf.c kdbg/lib/dwarf.c kdbg/lib/mem.c kdbg/lib/reader.c kdbg/lib/util.c \
		kdbg/lib/snapshot.c kdbg/lib/decode.c kdbg/lib/json.c kdbg/monitor/qmp.c \
		kdbg/monitor/memmap.c kdbg/monitor/qmpread.c kdbg/monitor/target.c kdbg/monitor/target_snapshot.c kdbg/monitor/target_util.c \
		tests/monitor/target_test.c; do
		o=$BUILD/$(echo "$src" | tr / _ | sed 's/\.c$/.o/')
		# shellcheck disable=SC2086
		cc $CF -c "$src" -o "$o" || { echo "not ok 1 - build: $src"; echo "0 passed, 1 failed"; exit 1; }
		objs="$objs $o"
	done
	driver=$BUILD/target_test
	# shellcheck disable=SC2086
	cc -o "$driver" $objs $(pkg-config --libs jansson libdw) -lelf ||
		{ echo "not ok 1 - build: link"; echo "0 passed, 1 failed"; exit 1; }
fi

: >"$OUT"
run() {   # run LABEL CMD...: its TAP lines, labelled (numbered at the end)
	label=$1
	shift
	timeout 180 "$@" >"$TMP/part" 2>&1
	sed -n -e "s/^\(not ok\|ok\) [0-9]* - /\1 - $label: /p" -e '/^#/p' "$TMP/part" | tee -a "$OUT"
}

run fake "$driver" fake tests/monitor/fake_qmp.py "$X86_ELF" "$TMP"

# ---- real QEMUs ------------------------------------------------------------------
# boot NAME ELF [shared]: a daemonized QEMU with a QMP socket at $TMP/NAME.qmp.
boot_cmd() {
	name=$1 elf=$2 shared=${3:-}
	set -- $(scripts/qemu-machine --kernel "$elf" ${shared:+--shared-ram "$TMP/$name.ram"})
	echo "$*" -qmp "unix:$TMP/$name.qmp,server=on,wait=off" \
		-serial "file:$TMP/$name.serial" -pidfile "$TMP/$name.pid" -daemonize
}

boot() {
	rm -f "$TMP/$1.qmp" "$TMP/$1.serial"
	# shellcheck disable=SC2046
	$(boot_cmd "$@") 2>"$TMP/$1.err" || { echo "# boot $1 failed: $(cat "$TMP/$1.err")"; return 1; }
	# Wait for the kernel to reach user space (the shell's prompt or the log).
	i=0
	while [ $i -lt 150 ] && ! grep -q "rinit>" "$TMP/$1.serial" 2>/dev/null; do
		sleep 0.1
		i=$((i + 1))
	done
}

halt() {
	[ -f "$TMP/$1.pid" ] && kill -KILL "$(cat "$TMP/$1.pid")" 2>/dev/null
	rm -f "$TMP/$1.pid"
	sleep 0.2
}

for pair in "x86_64 $X86_ELF" "aarch64 $ARM_ELF"; do
	arch=${pair%% *}
	elf=${pair#* }
	if [ ! -f "$elf" ]; then
		echo "# $arch: no $elf, skipped" | tee -a "$OUT"
		continue
	fi
	if boot "$arch" "$elf" shared; then
		for mode in shared process qmp; do
			run "$arch" "$driver" real "unix:$TMP/$arch.qmp" "$elf" "$mode"
		done
		run "$arch" "$driver" restart "unix:$TMP/$arch.qmp" "$elf" \
			"rm -f $TMP/$arch.qmp; $(boot_cmd "$arch" "$elf" shared) && sleep 0.5"
		halt "$arch"
	else
		echo "not ok - $arch: boot with shared RAM" >>"$OUT"
	fi
	if boot "$arch-plain" "$elf"; then
		run "$arch" "$driver" real "unix:$TMP/$arch-plain.qmp" "$elf" noshared
		halt "$arch-plain"
	else
		echo "not ok - $arch: boot without shared RAM" >>"$OUT"
	fi
done

pass=$(grep -c '^ok' "$OUT")
fail=$(grep -c '^not ok' "$OUT")
echo "1..$((pass + fail))"
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
