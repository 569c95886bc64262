#!/bin/bash
# test_vm.sh BUILD_DIR - Cairn as a libvirt domain (TAP): start it from
# BUILD_DIR/cairn.elf, see the shell on its serial log, attach kdbg
# through `libvirt:DOMAIN`, find its monitor QMP socket and shared RAM,
# watch it with kdbg-top (scripts/vm top), take a core as a libvirt dump
# job and read it with kdbg, stop it.
set -u
build=$(cd "${1:?usage: test_vm.sh BUILD_DIR}" && pwd)
tree=$(cd "$(dirname "$0")/../.." && pwd)
vm="$tree/scripts/vm"
kdbg="$tree/kdbg/bin/kdbg"
arch=$("$tree/scripts/qemu-machine" --kernel "$build/cairn.elf" --print-arch) || exit 1
# One domain per arch, each kept defined between runs (see below).
name=cairn-check-$arch
n=0; failed=0
ok() { n=$((n + 1)); echo "ok $n - $1"; }
fail() { n=$((n + 1)); failed=$((failed + 1)); printf '%s\n' "$2" | tail -15 | sed 's/^/# /'; echo "not ok $n - $1"; }
check() { if [ "$2" -eq 0 ]; then ok "$1"; else fail "$1" "$3"; fi; }
finish() { "$vm" destroy --name "$name" >/dev/null 2>&1; echo "1..$n"; exit $((failed > 0)); }

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
out=$("$vm" start --name "$name" --kernel "$build/cairn.elf" --gdb-port "$port" 2>&1); st=$?
check "scripts/vm start defines and starts the $arch domain" $st "$out"
[ $st -eq 0 ] || finish

log=""
for _ in $(seq 100); do
	log=$("$vm" log --name "$name" 2>&1)
	case "$log" in *"rinit> "*) break ;; esac
	sleep 0.2
done
case "$log" in *"rinit> "*) st=0 ;; *) st=1 ;; esac
check "the domain boots to rinit's prompt (serial log)" $st "$log"

out=$(timeout 60 "$vm" attach --name "$name" -- -batch -ex "kdbg tasks" -ex "kdbg check" 2>&1); st=$?
echo "$out" | grep -qE "^ +rinit +0x[0-9a-f]+ +BlockedRecv" &&
	echo "$out" | grep -q "serial-driver" && echo "$out" | grep -q " 0 violations"
check "kdbg attach libvirt:$name shows the tasks and a clean kdbg check" $? "$out"

# The monitor's own QMP socket and RAM that kdbg-top can map.
rundir=/var/lib/libvirt/cairn/$name
out=$("$kdbg" libvirt-qmp "$name" 2>&1); st=$?
[ $st -eq 0 ] && [ "$out" = "unix:$rundir/monitor.qmp" ] && [ -S "$rundir/monitor.qmp" ] &&
	[ "$("$vm" qmp --name "$name" --monitor)" = "$rundir/monitor.qmp" ]
check "kdbg libvirt-qmp $name names the monitor's QMP socket (not qmp.sock)" $? "$out"
pid=$(cat "/run/libvirt/qemu/$name.pid" 2>/dev/null)
cmdline=$(tr '\0' '\n' <"/proc/$pid/cmdline" 2>/dev/null)
ram=$(echo "$cmdline" | sed -n 's/.*"mem-path":"\([^"]*\)".*/\1/p' | head -1)
echo "$cmdline" | grep -q '"share":true' && echo "$cmdline" | grep -q "memory-backend=" &&
	[ -f "$ram" ] && [ "$(stat -c %s "$ram")" -eq $((256 << 20)) ]
check "the domain's RAM is a shared file ($ram)" $? "$(echo "$cmdline" | grep -E 'memory|machine')"
if [ -x "$build/kdbg-top" ]; then
	out=$(timeout 60 "$vm" top --name "$name" -- --batch 2>&1); st=$?
	[ $st -eq 0 ] && echo "$out" | grep -q "memory shared memory" &&
		echo "$out" | grep -qE "^ +rinit +Blocked" && echo "$out" | grep -q "serial-driver"
	check "scripts/vm top -- --batch: kdbg-top reads the domain's shared RAM" $? "$out"
	out=$(timeout 60 "$vm" top --name "$name" -- --json 2>&1)
	names=$(echo "$out" | /usr/bin/python3 -c 'import json,sys; d=json.loads(sys.stdin.read()); print(d["schema"], " ".join(sorted(t["name"] for t in d["tasks"])))' 2>&1)
	[ "$names" = "1 rinit serial-driver" ]
	check "scripts/vm top -- --json: schema 1, rinit and serial-driver" $? "$names $out"
else
	fail "scripts/vm top: kdbg-top is built by make" "no $build/kdbg-top"
fi

core=$(mktemp -d)/vm.core
out=$(timeout 120 "$vm" dump "$core" --name "$name" 2>&1); st=$?
[ $st -eq 0 ] && [ -s "$core" ]
check "scripts/vm dump takes a core (a libvirt dump job)" $? "$out"
out=$(timeout 60 "$kdbg" attach "core:$core" --build "$build" -- -batch -ex "kdbg tasks" 2>&1)
echo "$out" | grep -qE "^ +rinit +0x[0-9a-f]+ +BlockedRecv"
check "kdbg reads the domain's core" $? "$out"
rm -rf "$(dirname "$core")"

out=$("$vm" destroy --name "$name" 2>&1)
state=$(LIBVIRT_DEFAULT_URI=qemu:///system virsh domstate "$name" 2>&1)
echo "$state" | grep -q "shut off"
check "scripts/vm destroy stops the domain" $? "$out $state"

out=$("$kdbg" libvirt-qmp 2>&1); st=$?
[ $st -eq 2 ] && echo "$out" | grep -q "libvirt-qmp takes one DOMAIN"
check "kdbg libvirt-qmp without a DOMAIN is a usage error" $? "$out"

out=$("$vm" frobnicate 2>&1); st=$?
[ $st -eq 2 ] && echo "$out" | grep -q "unknown command 'frobnicate'"
check "scripts/vm with a bad command says so (exit 2)" $? "$out"
finish
