#!/bin/bash
# test_vm.sh BUILD_DIR - Cairn as a libvirt domain through `kdbg vm` (TAP):
# start it from BUILD_DIR/cairn.elf, see it in `kdbg vm list`, see the
# shell on its serial log and type at its console (in tmux), attach kdbg
# through `libvirt:DOMAIN`, find its monitor QMP socket and shared RAM,
# watch it with kdbg-top (kdbg vm top), take a core as a libvirt dump job
# and read it with kdbg, stop it; wrong arguments are usage errors.
set -u
build=$(cd "${1:?usage: test_vm.sh BUILD_DIR}" && pwd)
tree=$(cd "$(dirname "$0")/../.." && pwd)
kdbg="$tree/kdbg/bin/kdbg"
vm() { "$kdbg" vm "$@"; }
arch=$("$tree/scripts/qemu-machine" --kernel "$build/cairn.elf" --print-arch) || exit 1
# One domain per arch, each kept defined between runs (see below).
name=cairn-check-$arch
# shellcheck source=tests/lib/tap.sh
. "$tree/tests/lib/tap.sh"
tmux_sock=kdbg-vm-test-$$
finish() { tmux -L "$tmux_sock" kill-server 2>/dev/null; vm destroy --name "$name" >/dev/null 2>&1; tap_done; exit $?; }

# A fixed port keeps the domain's definition the same from run to run
# (redefining costs ~40 s); another one only if it is taken.
port=$(/usr/bin/python3 -c '
import socket
s = socket.socket()
try:
    s.bind(("127.0.0.1", 17234 if "'"$arch"'" == "x86_64" else 17235))
except OSError:
    s.bind(("127.0.0.1", 0))
print(s.getsockname()[1])')
out=$(vm start --name "$name" --kernel "$build/cairn.elf" --gdb-port "$port" 2>&1); st=$?
check "kdbg vm start defines and starts the $arch domain" $st "$out"
[ $st -eq 0 ] || finish

log=""
for _ in $(seq 100); do
	log=$(vm log --name "$name" 2>&1)
	case "$log" in *"rinit> "*) break ;; esac
	sleep 0.2
done
case "$log" in *"rinit> "*) st=0 ;; *) st=1 ;; esac
check "the domain boots to rinit's prompt (kdbg vm log)" $st "$log"

out=$(vm list 2>&1)
echo "$out" | grep -qE "^$name +running +$arch +127\.0\.0\.1:$port +$build\$"
check "kdbg vm list shows $name running, its arch, gdbstub and build" $? "$out"

# The console is interactive (virsh console on a pty): type a command in
# tmux and see rinit answer, then leave with Ctrl-].
if command -v tmux >/dev/null; then
	tmux -L "$tmux_sock" new-session -d -x 120 -y 30 "$kdbg vm console --name $name"
	seen=""
	for _ in $(seq 50); do
		sleep 0.2
		seen=$(tmux -L "$tmux_sock" capture-pane -p 2>&1)
		case "$seen" in *"Escape character"*) break ;; esac
	done
	tmux -L "$tmux_sock" send-keys "help" Enter
	for _ in $(seq 50); do
		sleep 0.2
		seen=$(tmux -L "$tmux_sock" capture-pane -p -S -100 2>&1)
		case "$seen" in *"revoke"*) break ;; esac
	done
	case "$seen" in *"revoke"*) st=0 ;; *) st=1 ;; esac
	check "kdbg vm console: typing help at the console gets rinit's command list" $st "$seen"
	tmux -L "$tmux_sock" send-keys C-]
	sleep 0.5
	tmux -L "$tmux_sock" has-session 2>/dev/null && st=1 || st=0
	check "kdbg vm console: Ctrl-] leaves" $st "$(tmux -L "$tmux_sock" capture-pane -p 2>&1)"
	tmux -L "$tmux_sock" kill-server 2>/dev/null
else
	fail "kdbg vm console: tmux is installed (scripts/install-deps)" "no tmux"
fi

out=$(timeout 60 "$kdbg" vm attach --name "$name" -- -batch -ex "kdbg tasks" -ex "kdbg check" 2>&1); st=$?
echo "$out" | grep -qE "^ +rinit +0x[0-9a-f]+ +BlockedRecv" &&
	echo "$out" | grep -q "serial-driver" && echo "$out" | grep -q " 0 violations"
check "kdbg attach libvirt:$name shows the tasks and a clean kdbg check" $? "$out"

# The monitor's own QMP socket and RAM that kdbg-top can map.
rundir=/var/lib/libvirt/cairn/$name
out=$("$kdbg" libvirt-qmp "$name" 2>&1); st=$?
[ $st -eq 0 ] && [ "$out" = "unix:$rundir/monitor.qmp" ] && [ -S "$rundir/monitor.qmp" ] &&
	[ "$(vm qmp --name "$name" --monitor)" = "$rundir/monitor.qmp" ]
check "kdbg libvirt-qmp $name names the monitor's QMP socket (not qmp.sock)" $? "$out"
pid=$(cat "/run/libvirt/qemu/$name.pid" 2>/dev/null)
cmdline=$(tr '\0' '\n' <"/proc/$pid/cmdline" 2>/dev/null)
ram=$(echo "$cmdline" | sed -n 's/.*"mem-path":"\([^"]*\)".*/\1/p' | head -1)
echo "$cmdline" | grep -q '"share":true' && echo "$cmdline" | grep -q "memory-backend=" &&
	[ -f "$ram" ] && [ "$(stat -c %s "$ram")" -eq $((256 << 20)) ]
check "the domain's RAM is a shared file ($ram)" $? "$(echo "$cmdline" | grep -E 'memory|machine')"
if [ -x "$build/kdbg-top" ]; then
	out=$(timeout 60 "$kdbg" vm top --name "$name" -- --batch 2>&1); st=$?
	[ $st -eq 0 ] && echo "$out" | grep -q "memory shared memory" &&
		echo "$out" | grep -qE "^ +rinit +Blocked" && echo "$out" | grep -q "serial-driver"
	check "kdbg vm top -- --batch: kdbg-top reads the domain's shared RAM" $? "$out"
	out=$(timeout 60 "$kdbg" vm top --name "$name" -- --json 2>&1)
	names=$(echo "$out" | /usr/bin/python3 -c 'import json,sys; d=json.loads(sys.stdin.read()); print(d["schema"], " ".join(sorted(t["name"] for t in d["tasks"])))' 2>&1)
	[ "$names" = "1 rinit serial-driver" ]
	check "kdbg vm top -- --json: schema 1, rinit and serial-driver" $? "$names $out"
else
	fail "kdbg vm top: kdbg-top is built by make" "no $build/kdbg-top"
fi

core=$(mktemp -d)/vm.core
out=$(timeout 120 "$kdbg" vm dump "$core" --name "$name" 2>&1); st=$?
[ $st -eq 0 ] && [ -s "$core" ]
check "kdbg vm dump takes a core (a libvirt dump job)" $? "$out"
echo "$out" | grep -qF "kdbg attach core:$core --build $build"
check "kdbg vm dump prints the kdbg attach line with the domain's build" $? "$out"
out=$(timeout 60 "$kdbg" attach "core:$core" --build "$build" -- -batch -ex "kdbg tasks" 2>&1)
echo "$out" | grep -qE "^ +rinit +0x[0-9a-f]+ +BlockedRecv"
check "kdbg reads the domain's core" $? "$out"
rm -rf "$(dirname "$core")"

out=$(vm destroy --name "$name" 2>&1)
state=$(LIBVIRT_DEFAULT_URI=qemu:///system virsh domstate "$name" 2>&1)
echo "$state" | grep -q "shut off"
check "kdbg vm destroy stops the domain" $? "$out $state"

# Defined again from the same kernel: the same XML, so no new definition
# (which would cost libvirt's ~40 s probe); then listed as shut off.
out=$(vm define --name "$name" --kernel "$build/cairn.elf" --gdb-port "$port" 2>&1); st=$?
[ $st -eq 0 ] && echo "$out" | grep -q "$name defined ($arch)" && ! echo "$out" | grep -q "defining"
list=$(vm list 2>&1)
echo "$list" | grep -qE "^$name +shut-off +$arch "
check "kdbg vm define keeps an unchanged definition; kdbg vm list shows it shut off" $? "$out
$list"

out=$("$kdbg" libvirt-qmp 2>&1); st=$?
[ $st -eq 2 ] && echo "$out" | grep -q "libvirt-qmp takes one DOMAIN"
check "kdbg libvirt-qmp without a DOMAIN is a usage error" $? "$out"

usage_error() { # WHAT EXPECTED-TEXT ARGS...
	local what=$1 want=$2 out st
	shift 2
	out=$(vm "$@" 2>&1); st=$?
	[ $st -eq 2 ] && echo "$out" | grep -qF -- "$want"
	check "kdbg vm $what: usage error (exit 2) saying '$want'" $? "exit $st: $out"
}
usage_error "(no command)" "usage: kdbg vm define|start|list"
usage_error frobnicate "unknown command 'frobnicate'" frobnicate
usage_error "start --name" "--name needs a value" start --name
usage_error "start --name 'a b'" "bad domain name 'a b'" start --name "a b"
usage_error "start --gdb-port 99999" "bad --gdb-port '99999'" start --gdb-port 99999
usage_error "start --memory lots" "bad --memory 'lots'" start --memory lots
usage_error "start --kernel /nonexistent" "no kernel at /nonexistent" start --kernel /nonexistent
usage_error "start --frob" "unknown option '--frob'" start --frob
usage_error "dump (no FILE)" "usage: kdbg vm dump FILE" dump
usage_error "attach to an unknown domain" "no domain nosuch-vm defined by kdbg vm" attach --name nosuch-vm
usage_error "console of an unknown domain" "no domain nosuch-vm defined by kdbg vm" console --name nosuch-vm
finish
