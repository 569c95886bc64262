#!/bin/bash
# test_build.sh DIR - tests of the build system itself (TAP): config
# targets, clear errors for bad targets and broken configs, and that
# changing one option rebuilds exactly the files that use it.
set -u
dir=${1:?usage: test_build.sh SCRATCH_DIR}
rm -rf "$dir"; mkdir -p "$dir"
# shellcheck source=tests/lib/tap.sh
. "$(dirname "$0")/../lib/tap.sh"   # ok, fail, check NAME STATUS OUTPUT, tap_done
m() { make --no-print-directory -j2 "$@" 2>&1; }
setcfg() { # setcfg BUILD_DIR SYM=VALUE: what a user does with kconfiglib
	KCONFIG_CONFIG="$1/.config" CAIRN_VERSION=test /usr/bin/python3 -m setconfig --kconfig Kconfig "$2" >/dev/null
}

out=$(m no-such-target); st=$?
[ $st -ne 0 ] && echo "$out" | grep -q "unknown target or missing file 'no-such-target' (see 'make help')"
check "unknown make target says so and fails" $? "$out"

out=$(m O="$dir/x" nope_defconfig); st=$?
[ $st -ne 0 ] && echo "$out" | grep -q "no configs/nope_defconfig (available:.*x86_64_defconfig"
check "unknown defconfig names the available ones" $? "$out"

o="$dir/a"
out=$(m O="$o" x86_64_defconfig && m O="$o"); st=$?
[ $st -eq 0 ] && [ -f "$o/cairn.elf" ] && file -L "$o/cairn.elf" | grep -q "ELF 64-bit.*x86-64.*with debug_info"
check "O= builds out of tree: DIR/cairn.elf is ELF64 with debug info" $? "$out"

out=$(m O="$o"); st=$?
[ $st -eq 0 ] && ! echo "$out" | grep -q "CC"
check "a second make rebuilds nothing" $? "$out"

# TIMER_HZ is used by kernel/main.c (banner, timer set-up) only.
sed -i 's/^CONFIG_TIMER_HZ=.*/CONFIG_TIMER_HZ=250/' "$o/.config"
out=$(m O="$o"); st=$?
[ $st -eq 0 ] && echo "$out" | grep -q "CC *kernel/main.c" &&
	! echo "$out" | grep -q "CC *kernel/lib.c" &&
	! echo "$out" | grep -q "CC *kernel/printf.c" &&
	grep -q "define CONFIG_TIMER_HZ 250" "$o/include/generated/autoconf.h"
check "changing CONFIG_TIMER_HZ rebuilds main.c but not lib.c or printf.c" $? "$out"

setcfg "$o" OPT_OS=y
out=$(m O="$o"); st=$?
[ $st -eq 0 ] && echo "$out" | grep -q "CC *kernel/lib.c"
check "changing the optimisation level rebuilds everything" $? "$out"

out=$(m O="$o" savedefconfig); st=$?
[ $st -eq 0 ] && grep -q "^CONFIG_TIMER_HZ=250$" "$o/defconfig" && ! grep -q "LOG_BUF_SHIFT" "$o/defconfig"
check "savedefconfig keeps only what differs from the defaults" $? "$out$(cat "$o/defconfig" 2>/dev/null)"

b="$dir/broken"
m O="$b" x86_64_defconfig >/dev/null
echo "CONFIG_TIMER_HZ=fast" >> "$b/.config"
out=$(m O="$b"); st=$?
[ $st -ne 0 ] && echo "$out" | grep -q "kconfig: $b/.config is broken" && echo "$out" | grep -q "TIMER_HZ"
check "a malformed .config stops the build and names the bad line" $? "$out"

# (The kernel alone from here on where that is what a test is about: the
# host tools in every build directory would double this file's time.)
out=$(m O="$b" olddefconfig && m O="$b" "$b/cairn.elf"); st=$?
[ $st -eq 0 ]
check "olddefconfig repairs it" $? "$out"

# Switching the architecture in a built tree rebuilds everything with the
# other compiler: kernel, user space and kdbg's constants.
r="$dir/arm"
m O="$r" x86_64_defconfig >/dev/null && m O="$r" "$r/cairn.elf" >/dev/null
setcfg "$r" ARCH_AARCH64=y
out=$(m O="$r" "$r/cairn.elf" kdbg-scripts); st=$?
[ $st -eq 0 ] && file -L "$r/cairn.elf" | grep -q "ELF 64-bit.*ARM aarch64.*with debug_info" &&
	file -L "$r/user/rinit.elf" | grep -q "ARM aarch64" &&
	grep -q "ARCH_NAME = 'aarch64'" "$r/kdbg/cairn_constants.py"
check "switching to AArch64 in menuconfig rebuilds the tree for AArch64" $? "$out"

e="$dir/empty"
mkdir -p "$e"
out=$(m O="$e" "$e/cairn.elf"); st=$?
[ $st -eq 0 ] && echo "$out" | grep -q "using configs/x86_64_defconfig" && [ -f "$e/cairn.elf" ]
check "make with no .config starts from the defconfig" $? "$out"

out=$(m help); st=$?
[ $st -eq 0 ] && echo "$out" | grep -q menuconfig && echo "$out" | grep -q check
check "make help lists the targets" $? "$out"

# menuconfig in a real terminal (tmux): Kernel -> timer frequency -> 300, save.
mc="$dir/menuconfig"
mkdir -p "$mc"
sock="cairn-test-$$"
if command -v tmux >/dev/null; then
	tmux -L "$sock" new-session -d -x 120 -y 40 "make --no-print-directory O=$mc menuconfig; sleep 30"
	keys() { sleep 0.7; tmux -L "$sock" send-keys "$@"; }
	keys Down Down Enter          # Kernel menu
	keys Down Enter               # Timer interrupt frequency
	keys BSpace BSpace BSpace 3 0 0 Enter
	keys Escape; keys Escape      # leave, asks to save
	keys y
	sleep 1.5
	screen=$(tmux -L "$sock" capture-pane -p 2>&1)
	tmux -L "$sock" kill-server 2>/dev/null
	grep -q "^CONFIG_TIMER_HZ=300$" "$mc/.config" 2>/dev/null
	check "make menuconfig edits and saves .config in a terminal" $? "$screen"
	out=$(m O="$mc" "$mc/cairn.elf"); st=$?
	[ $st -eq 0 ] && grep -q "define CONFIG_TIMER_HZ 300" "$mc/include/generated/autoconf.h"
	check "the option changed in menuconfig reaches the build" $? "$out"
else
	fail "make menuconfig in a terminal" "tmux is not installed (scripts/install-deps installs it)"
fi

tap_done
