#!/bin/bash
# test_build.sh DIR [BUILT] - tests of the build system itself (TAP): config
# targets, clear errors for bad targets and broken configs, and that
# changing one option rebuilds exactly the files that use it.
#
# BUILT: a tree already built with `make O=BUILT x86_64_defconfig && make
# O=BUILT` (make check's build/check/x86_64), which the first two tests
# look at instead of building one more (nothing writes to it unless the
# build system is broken); the others then start from an empty DIR/a.
set -u
dir=${1:?usage: test_build.sh SCRATCH_DIR [BUILT]}
built=${2:-}
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

# One tree for all that follows, each test on the tree as the one before
# left it (a kernel build costs a CPU-minute on the 2-core reference
# machine; the claims are about a tree being changed anyway).
o="$dir/a"
if [ -n "$built" ]; then
	out="(built by make O=$built x86_64_defconfig && make O=$built)"
	[ -f "$built/cairn.elf" ] && file -L "$built/cairn.elf" | grep -q "ELF 64-bit.*x86-64.*with debug_info"
	check "O= builds out of tree: DIR/cairn.elf is ELF64 with debug info" $? "$out"
	out=$(m O="$built"); st=$?
	[ $st -eq 0 ] && ! echo "$out" | grep -q "CC"
	check "a second make rebuilds nothing" $? "$out"
	mkdir -p "$o"
else
	out=$(m O="$o" x86_64_defconfig && m O="$o"); st=$?
	[ $st -eq 0 ] && [ -f "$o/cairn.elf" ] && file -L "$o/cairn.elf" | grep -q "ELF 64-bit.*x86-64.*with debug_info"
	check "O= builds out of tree: DIR/cairn.elf is ELF64 with debug info" $? "$out"

	out=$(m O="$o"); st=$?
	[ $st -eq 0 ] && ! echo "$out" | grep -q "CC"
	check "a second make rebuilds nothing" $? "$out"
	# No .config (and no kernel, so that it must be built again).
	rm -f "$o/.config" "$o/cairn.elf"
fi

# (The kernel alone from here on where that is what a test is about: the
# host tools would double this file's time.)
out=$(m O="$o" "$o/cairn.elf"); st=$?
[ $st -eq 0 ] && echo "$out" | grep -q "using configs/x86_64_defconfig" && [ -f "$o/cairn.elf" ] &&
	grep -q "^CONFIG_ARCH_X86_64=y$" "$o/.config"
check "make with no .config starts from the defconfig" $? "$out"

out=$(m help); st=$?
[ $st -eq 0 ] && echo "$out" | grep -q menuconfig && echo "$out" | grep -q check
check "make help lists the targets" $? "$out"

# menuconfig in a real terminal (tmux): Kernel -> timer frequency -> 300,
# save; each key once the screen shows it is due.
sock="cairn-test-$$"
if command -v tmux >/dev/null; then
	tmux -L "$sock" new-session -d -x 120 -y 40 "make --no-print-directory O=$o menuconfig; sleep 30"
	screen() { tmux -L "$sock" capture-pane -p 2>&1; }
	# until_shown TEXT: wait (up to 20 s) until the screen shows TEXT (grep -E).
	until_shown() {
		i=0
		while [ $i -lt 200 ] && ! screen | grep -qE -- "$1"; do
			sleep 0.1
			i=$((i + 1))
		done
	}
	keys() { tmux -L "$sock" send-keys "$@"; }
	until_shown "^ +Kernel +--->"
	keys Down Down Enter          # Kernel menu
	until_shown "Timer interrupt frequency"
	keys Down Enter               # Timer interrupt frequency
	until_shown "Range: 10-10000"
	keys BSpace BSpace BSpace 3 0 0 Enter
	until_shown "^\(300\) Timer interrupt frequency"
	keys Escape                   # back to the top menu
	until_shown "^\(Top\)$"
	keys Escape                   # leave: it asks to save
	until_shown "Save configuration\?"
	keys y
	until_shown "Configuration saved to"
	scr=$(screen)
	tmux -L "$sock" kill-server 2>/dev/null
	grep -q "^CONFIG_TIMER_HZ=300$" "$o/.config" 2>/dev/null
	check "make menuconfig edits and saves .config in a terminal" $? "$scr"
	out=$(m O="$o" "$o/cairn.elf"); st=$?
	[ $st -eq 0 ] && grep -q "define CONFIG_TIMER_HZ 300" "$o/include/generated/autoconf.h" &&
		echo "$out" | grep -q "CC *kernel/main.c"
	check "the option changed in menuconfig reaches the build" $? "$out"
else
	fail "make menuconfig in a terminal" "tmux is not installed (scripts/install-deps installs it)"
fi

# TIMER_HZ is used by kernel/main.c (banner, timer set-up) only.
sed -i 's/^CONFIG_TIMER_HZ=.*/CONFIG_TIMER_HZ=250/' "$o/.config"
out=$(m O="$o" "$o/cairn.elf"); st=$?
[ $st -eq 0 ] && echo "$out" | grep -q "CC *kernel/main.c" &&
	! echo "$out" | grep -q "CC *kernel/lib.c" &&
	! echo "$out" | grep -q "CC *kernel/printf.c" &&
	grep -q "define CONFIG_TIMER_HZ 250" "$o/include/generated/autoconf.h"
check "changing CONFIG_TIMER_HZ rebuilds main.c but not lib.c or printf.c" $? "$out"

out=$(m O="$o" savedefconfig); st=$?
[ $st -eq 0 ] && grep -q "^CONFIG_TIMER_HZ=250$" "$o/defconfig" && ! grep -q "LOG_BUF_SHIFT" "$o/defconfig"
check "savedefconfig keeps only what differs from the defaults" $? "$out$(cat "$o/defconfig" 2>/dev/null)"

# A broken .config in the built tree: with a stale auto.conf and
# autoconf.h at hand the build must still stop, not use them.
echo "CONFIG_TIMER_HZ=fast" >> "$o/.config"
out=$(m O="$o"); st=$?
[ $st -ne 0 ] && echo "$out" | grep -q "kconfig: $o/.config is broken" && echo "$out" | grep -q "TIMER_HZ"
check "a malformed .config stops the build and names the bad line" $? "$out"

out=$(m O="$o" olddefconfig && m O="$o" "$o/cairn.elf"); st=$?
[ $st -eq 0 ]
check "olddefconfig repairs it" $? "$out"

# An option that has been off since the tree was configured has no file
# of its own in include/config yet; turning it on must still rebuild what
# tests it (fixdep names such files through $(wildcard): make check's
# tests and fuzz kernels are built this way, from copies of the default
# build). kernel/sys_debug.c tests ROOT_TASK_FUZZ, kernel/cdt.c no option
# that changes.
setcfg "$o" ROOT_TASK_FUZZ=y
out=$(m O="$o" "$o/obj/kernel/sys_debug.o" "$o/obj/kernel/cdt.o"); st=$?
[ $st -eq 0 ] && echo "$out" | grep -q "CC *kernel/sys_debug.c" &&
	! echo "$out" | grep -q "CC *kernel/cdt.c"
check "turning on an option that was off rebuilds the files that test it" $? "$out"
setcfg "$o" ROOT_TASK_SHELL=y

# The optimisation level is a compiler flag, so every kernel object
# depends on it: lib.o is rebuilt for real, and make's own plan (-n)
# rebuilds every other kernel source (building them all would be this
# file's third full build; the switch below is its second).
setcfg "$o" OPT_OS=y
out=$(m O="$o" "$o/obj/kernel/lib.o"); st=$?
plan=$(m -n V=1 O="$o" "$o/cairn.elf")
n_src=$(m -s O="$o" print-KERNEL_SRCS | wc -w)
n_cc=$(echo "$plan" | grep -cE " -c [^ ]+\.[cS] -o $o/obj/")
[ $st -eq 0 ] && echo "$out" | grep -q "CC *kernel/lib.c" && [ "$n_src" -gt 40 ] &&
	[ "$n_cc" -eq $((n_src - 1)) ]
check "changing the optimisation level rebuilds everything" $? \
	"$out
(make -n plans $n_cc of the other $((n_src - 1)) kernel sources)"

# Switching the architecture in a built tree rebuilds everything with the
# other compiler: kdbg's constants and one kernel object for real, and
# make's own plan (-n) for the rest -- every kernel source and rinit's
# user space compiled by the AArch64 compiler, nothing by the host's, the
# link with AArch64's script. (A whole AArch64 build is make check's
# build/check/aarch64; one more here would be this file's third.)
setcfg "$o" ARCH_AARCH64=y
out=$(m O="$o" "$o/obj/kernel/lib.o" kdbg-scripts); st=$?
plan=$(m -n V=1 O="$o" "$o/cairn.elf")
n_src=$(m -s O="$o" print-KERNEL_SRCS | wc -w)
n_user=$(m -s O="$o" print-USER_LIB_OBJS print-RINIT_OBJS | wc -w)
n_k=$(echo "$plan" | grep -cE "^aarch64-linux-gnu-gcc .* -c [^ ]+\.[cS] -o $o/obj/")
n_u=$(echo "$plan" | grep -cE "^aarch64-linux-gnu-gcc .* -c [^ ]+\.[cS] -o $o/user/")
n_host=$(echo "$plan" | grep -cE "^(gcc|cc|x86_64-linux-gnu-gcc) .* -c ")
[ $st -eq 0 ] && file "$o/obj/kernel/lib.o" | grep -q "ELF 64-bit.*ARM aarch64" &&
	grep -q "ARCH_NAME = 'aarch64'" "$o/kdbg/cairn_constants.py" &&
	[ "$n_src" -gt 40 ] && [ "$n_k" -eq $((n_src - 1)) ] && [ "$n_user" -gt 20 ] &&
	[ "$n_u" -ge "$n_user" ] && [ "$n_host" -eq 0 ] &&
	echo "$plan" | grep -q -- "-T arch/aarch64/linker.ld -o $o/cairn.elf"
check "switching to AArch64 in menuconfig rebuilds the tree for AArch64" $? \
	"$out
(make -n: $n_k of the other $((n_src - 1)) kernel sources and $n_u user sources ($n_user in libuser and rinit) by aarch64-linux-gnu-gcc, $n_host by the host's compiler)"
tap_done
