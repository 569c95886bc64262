#!/bin/bash
# run.sh BUILD_DIR - run each tests/gdb/test_*.py inside GDB attached to
# BUILD_DIR/cairn.elf booted under QEMU (via scripts/debug), with the
# guest's serial console on a Unix socket the script writes shell input to
# (KDBG_TEST_SERIAL) and a QMP socket (KDBG_TEST_QMP). Each script prints
# TAP lines and ends GDB with `quit STATUS` (gdb -batch would otherwise
# exit 0 even when a script raises).
#
# run.sh BUILD_DIR TEST... runs only those: a script's name with or without
# test_ and .py (kdbg_graph, test_kdbg_graph.py), or `cli` for the CLI part
# at the end. With no TEST, $GDB_TESTS (make check ONLY=gdb TEST=...)
# names them; empty: everything.
set -u -o pipefail
# (Conditions read $out with `grep ... <<<"$out"`, not `echo "$out" | grep -q`:
# under pipefail, grep -q leaving at its first match can kill echo with
# SIGPIPE and fail a check that passed: the likely cause of one failure of
# "kdbg boot" on a loaded machine, whose output showed all it looks for.)
build=${1:?usage: run.sh BUILD_DIR [TEST...]}
shift
here=$(cd "$(dirname "$0")" && pwd)
tests=${*:-${GDB_TESTS:-}}
# wanted NAME: whether the test NAME (test_x, or cli) is to run.
wanted() {
	[ -z "$tests" ] && return 0
	for w in $tests; do
		w=${w%.py}
		w=${w#test_}
		[ "$w" = "${1#test_}" ] && return 0
	done
	return 1
}
for w in $tests; do
	w=${w%.py}
	w=${w#test_}
	if [ "$w" != cli ] && [ ! -f "$here/test_$w.py" ]; then
		echo "run.sh: no test '$w' (tests: cli $(cd "$here" && ls test_*.py | sed 's/^test_//; s/\.py$//' | tr '\n' ' '))" >&2
		exit 2
	fi
done
status=0
run_dir=$(mktemp -d /tmp/cairn-gdbtest.XXXXXX)
trap 'rm -rf "$run_dir"' EXIT
export KDBG_TEST_BUILD=$(cd "$build" && pwd)
# kdbg run/boot make their run directories (and `latest`) here, not in the
# user's ${XDG_RUNTIME_DIR:-/tmp}/kdbg-$UID.
export KDBG_RUNTIME_DIR=$run_dir/kdbg
for t in "$here"/test_*.py; do
	name=$(basename "$t" .py)
	wanted "$name" || continue
	echo "# $name.py"
	export KDBG_TEST_SERIAL=$run_dir/$name.serial
	export KDBG_TEST_QMP=$run_dir/$name.qmp
	export KDBG_TEST_RUN_DIR=$run_dir
	# (stderr apart: QEMU's "Terminated via GDBstub" written there when a
	# script kills it could otherwise land in the middle of a TAP line.)
	if ! timeout 120 "$here/../../scripts/debug" --kernel "$build/cairn.elf" --batch "$t" \
		--serial-socket "$KDBG_TEST_SERIAL" --qmp "$KDBG_TEST_QMP" 2>"$run_dir/$name.err" |
		grep -E '^(ok|not ok|#)'; then
		status=1
		tail -20 "$run_dir/$name.err" | sed 's/^/# stderr: /'
	fi
done

# The CLI end to end: `kdbg run` boots this build (its arch from the ELF)
# and GDB, reading commands from a pipe, shows rinit's tasks; the run
# directory has its layout while it runs and is gone afterwards.
if ! wanted cli; then
	exit $status
fi
echo "# kdbg run"
kdbg=$here/../../kdbg/bin/kdbg
# shellcheck source=tests/lib/tap.sh
. "$here/../lib/tap.sh"   # ok, fail (numbered apart from the GDB scripts' lines)
# (Interrupted once rinit has printed its prompt, and a moment later has
# blocked for input.)
wait_prompt='shell i=0; while [ $i -lt 300 ] && ! grep -q "rinit> " "$KDBG_RUNTIME_DIR/latest/serial.log" 2>/dev/null; do sleep 0.1; i=$((i + 1)); done; sleep 0.3'
out=$(printf '%s\n' 'continue &' "$wait_prompt" 'interrupt' 'shell sleep 0.5' \
	'kdbg tasks' 'shell ls "$KDBG_RUNTIME_DIR/latest/" | tr "\n" " "; echo' \
	'shell echo "ram: $(readlink "$KDBG_RUNTIME_DIR/latest/ram")"' 'kill' 'quit' | timeout 60 "$kdbg" run --build "$build" 2>&1)
if grep -qE '^ +rinit +0x[0-9a-f]+ +Blocked' <<<"$out" &&
	grep -qE '^ +serial-driver +0x[0-9a-f]+ +BlockedNotification' <<<"$out"; then
	ok "kdbg run boots the build and attaches: kdbg tasks shows rinit and its driver"
else
	fail "kdbg run boots the build and attaches: kdbg tasks shows rinit and its driver" "$out"
fi
want="build cairn.elf gdb.port kdbg.pid monitor.qmp qemu.pid qmp.sock ram serial.log serial.sock"
if grep -qx "(gdb) $want " <<<"$out"; then
	ok "kdbg run's run directory (latest): $want"
else
	fail "kdbg run's run directory (latest): $want" "$out"
fi
left=$(ls -A "$KDBG_RUNTIME_DIR")
ram=$(echo "$out" | sed -n 's/^(gdb) ram: //p')
if [ "$left" = serial-last.log ] && grep -q "rinit> " "$KDBG_RUNTIME_DIR/serial-last.log" &&
	[ -n "$ram" ] && [ ! -e "$ram" ]; then
	ok "kdbg run removes its run directory and latest, keeps serial-last.log"
else
	fail "kdbg run removes its run directory and latest, keeps serial-last.log" "$left"
fi

# kdbg boot: the same VM without GDB, left running (probing the gdbstub
# would stop it), RAM shared, cleaned up on SIGTERM.
"$kdbg" boot --build "$build" >"$run_dir/boot.out" 2>&1 &
boot_pid=$!
for _ in $(seq 100); do
	[ -S "$KDBG_RUNTIME_DIR/latest/monitor.qmp" ] && break
	sleep 0.1
done
out=$(/usr/bin/python3 - "$KDBG_RUNTIME_DIR/latest" <<'PY' 2>&1
import json, os, socket, sys, time
d = sys.argv[1]
s = socket.socket(socket.AF_UNIX)
s.connect(os.path.join(d, "monitor.qmp"))
f = s.makefile("rb")
f.readline()
def ex(cmd, **a):
    s.sendall(json.dumps({"execute": cmd, "arguments": a}).encode() + b"\n")
    while True:
        m = json.loads(f.readline())
        if "event" not in m:
            return m.get("return")
ex("qmp_capabilities")
time.sleep(1)
print("status", ex("query-status")["status"])
print("ram", os.path.getsize(os.path.join(d, "ram")), os.path.realpath(os.path.join(d, "ram")))
mtree = ex("human-monitor-command", **{"command-line": "info mtree -f"})
print("backend", "): ram" in mtree or "): ram @" in mtree)
PY
)
kill -TERM $boot_pid; wait $boot_pid
if grep -qx "status running" <<<"$out" && grep -q "^ram 268435456 /dev/shm/" <<<"$out" &&
	grep -qx "backend True" <<<"$out"; then
	ok "kdbg boot: guest running, RAM shared through /dev/shm, monitor.qmp answers"
else
	fail "kdbg boot: guest running, RAM shared through /dev/shm, monitor.qmp answers" "$out $(cat "$run_dir/boot.out")"
fi
left=$(ls -A "$KDBG_RUNTIME_DIR")
if [ "$left" = serial-last.log ]; then
	ok "kdbg boot cleans up on SIGTERM"
else
	fail "kdbg boot cleans up on SIGTERM" "$left"
fi

# kdbg top: BUILD/kdbg-top with the arguments passed through.
fake=$run_dir/fakebuild
mkdir -p "$fake"
out=$("$kdbg" top --build "$fake" 2>&1); st=$?
if [ $st -eq 2 ] && [ "$out" = "kdbg: no $fake/kdbg-top: run make" ]; then
	ok "kdbg top without kdbg-top says: run make (exit 2)"
else
	fail "kdbg top without kdbg-top says: run make (exit 2)" "status $st: $out"
fi
printf '#!/bin/sh\necho "args: $*"\n' >"$fake/kdbg-top"
chmod +x "$fake/kdbg-top"
out=$("$kdbg" top --build "$fake" libvirt:dom --json --count 3 2>&1)
if [ "$out" = "args: libvirt:dom --json --count 3" ]; then
	ok "kdbg top passes TARGET and options to kdbg-top"
else
	fail "kdbg top passes TARGET and options to kdbg-top" "$out"
fi
out=$("$kdbg" top --build "$fake" 2>&1)
if [ "$out" = "args: " ]; then
	ok "kdbg top without TARGET passes none (kdbg-top finds latest)"
else
	fail "kdbg top without TARGET passes none (kdbg-top finds latest)" "$out"
fi

# Usage errors: a message and exit 2.
for args in "run --arch sparc|arch must be x86_64 or aarch64, not sparc" \
	"top --run frob|--run takes tests, demo or shell, not 'frob'" \
	"top --run shell unix:/x|--run boots its own VM: no TARGET" \
	"top --arch aarch64|--arch goes with --run" \
	"libvirt-qmp|libvirt-qmp takes one DOMAIN" \
	"attach a b|attach takes one TARGET" \
	"frobnicate|unknown command 'frobnicate'"; do
	a=${args%%|*} msg=${args#*|}
	# shellcheck disable=SC2086
	out=$("$kdbg" $a --build "$build" 2>&1); st=$?
	if [ $st -eq 2 ] && grep -qF -- "$msg" <<<"$out"; then
		ok "kdbg $a is a usage error"
	else
		fail "kdbg $a is a usage error" "status $st: $out"
	fi
done

# kdbg never reports over nothing (the GDB side is test_kdbg_trust.py):
# attaching where nothing listens, to a path that is no socket, or to a
# core of the other arch's kernel is an error (exit 1) at once, not a GDB
# prompt over the bare ELF; `kdbg run` stops where the kernel is not
# initialised and its commands say so; `kdbg run --ready` stops where
# they work.
port=$(/usr/bin/python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
t0=$(date +%s%N)
out=$(echo 'kdbg tasks' | timeout 30 "$kdbg" attach "127.0.0.1:$port" --build "$build" 2>&1); st=$?
ms=$((($(date +%s%N) - t0) / 1000000))
if [ $st -eq 1 ] && [ $ms -lt 5000 ] && grep -q "connection refused" <<<"$out" &&
	! grep -q "tasks" <<<"$out"; then
	ok "kdbg attach to a port nobody listens on: 'connection refused', exit 1 at once"
else
	fail "kdbg attach to a port nobody listens on: 'connection refused', exit 1 at once" "status $st after $ms ms: $out"
fi
: >"$run_dir/not-a-socket"
out=$(echo 'kdbg tasks' | timeout 30 "$kdbg" attach "unix:$run_dir/not-a-socket" --build "$build" 2>&1); st=$?
if [ $st -eq 1 ] && grep -q "is not a socket" <<<"$out"; then
	ok "kdbg attach unix:FILE that is no socket: exit 1"
else
	fail "kdbg attach unix:FILE that is no socket: exit 1" "status $st: $out"
fi
/usr/bin/python3 - "$build/cairn.elf" "$run_dir/other-arch.core" <<'PY'
import struct, sys
with open(sys.argv[1], "rb") as f:
    machine = struct.unpack_from("<H", f.read(20), 18)[0]
other = 183 if machine == 62 else 62  # EM_AARCH64 / EM_X86_64
with open(sys.argv[2], "wb") as f:
    f.write(b"\x7fELF" + bytes([2, 1, 1]) + bytes(9) + struct.pack("<HHI", 4, other, 1) + bytes(44))
PY
sum0=$(md5sum <"$run_dir/other-arch.core")
out=$(echo 'kdbg tasks' | timeout 30 "$kdbg" attach "core:$run_dir/other-arch.core" --build "$build" 2>&1); st=$?
if [ $st -eq 1 ] && grep -q "is a core of an .* machine, but .* is an .* kernel" <<<"$out" &&
	[ "$(md5sum <"$run_dir/other-arch.core")" = "$sum0" ]; then
	ok "kdbg attach core: of the other arch's kernel: exit 1, core left alone"
else
	fail "kdbg attach core: of the other arch's kernel: exit 1, core left alone" "status $st: $out"
fi
out=$(printf '%s\n' 'kdbg tasks' 'kdbg check' 'kill' 'quit' | timeout 60 "$kdbg" run --build "$build" 2>&1)
if grep -q "kdbg tasks: kernel not initialised yet" <<<"$out" &&
	grep -q "kdbg check: kernel not initialised yet" <<<"$out" && ! grep -q "<corrupt" <<<"$out"; then
	ok "kdbg run at the first instruction: commands say 'kernel not initialised yet'"
else
	fail "kdbg run at the first instruction: commands say 'kernel not initialised yet'" "$out"
fi
out=$(printf '%s\n' 'kdbg tasks' 'kdbg check' 'kill' 'quit' | timeout 60 "$kdbg" run --ready --build "$build" 2>&1)
if grep -qE '^\*? +rinit +0x[0-9a-f]+ ' <<<"$out" && grep -q " 0 violations" <<<"$out"; then
	ok "kdbg run --ready stops where the kernel is initialised: kdbg tasks, kdbg check work"
else
	fail "kdbg run --ready stops where the kernel is initialised: kdbg tasks, kdbg check work" "$out"
fi
out=$("$kdbg" run --ide --ready --build "$build" 2>&1); st=$?
if [ $st -eq 2 ] && grep -q "no --ready" <<<"$out"; then
	ok "kdbg run --ide --ready is a usage error"
else
	fail "kdbg run --ide --ready is a usage error" "status $st: $out"
fi
[ "$tap_failed" -eq 0 ] || status=1
exit $status
