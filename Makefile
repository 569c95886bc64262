# Cairn top-level Makefile.  `make help` lists the targets.
#
#   make menuconfig | defconfig | NAME_defconfig | olddefconfig | savedefconfig
#   make            build $(BUILD)/cairn.elf
#   make run        boot it under QEMU (serial console on stdio)
#   make debug      boot stopped, with gdb-multiarch attached
#   make check      every test; ends with "N passed, N failed"
#
# O=DIR builds out of tree (DIR/.config, DIR/cairn.elf); V=1 shows commands.

CAIRN_VERSION := 0.1.0
export CAIRN_VERSION

PYTHON := /usr/bin/python3
export PYTHONDONTWRITEBYTECODE := 1

ifeq ($(O),)
BUILD := build
KCONFIG_CONFIG := .config
else
BUILD := $(patsubst %/,%,$(O))
KCONFIG_CONFIG := $(BUILD)/.config
endif
export KCONFIG_CONFIG
srctree := .

ifeq ($(V),1)
Q :=
else
Q := @
endif
# $(call msg,TAG,what): the one-line quiet build message.
msg = $(if $(Q),@printf '  %-8s %s\n' '$(1)' '$(2)')

.DEFAULT_GOAL := all
CONFIG_TARGETS := menuconfig defconfig %_defconfig olddefconfig savedefconfig
NOCONFIG_TARGETS := help clean distclean deps bench bench-monitor bench-boot fuzz-guest $(CONFIG_TARGETS)

# ---------------------------------------------------------------- config ---
KCONFIG_RUN := $(PYTHON) -c 'import kconfiglib' 2>/dev/null || { echo "make: no kconfiglib for $(PYTHON): run make deps (or scripts/install-deps)" >&2; exit 1; }; $(PYTHON) -m

menuconfig:
	$(Q)mkdir -p $(BUILD)
	$(Q)$(KCONFIG_RUN) menuconfig Kconfig

defconfig: x86_64_defconfig

%_defconfig:
	$(Q)test -f configs/$@ || { echo "make: no configs/$@ (available: $(notdir $(wildcard configs/*_defconfig)))" >&2; exit 1; }
	$(Q)mkdir -p $(dir $(KCONFIG_CONFIG))
	$(Q)$(KCONFIG_RUN) defconfig --kconfig Kconfig configs/$@

olddefconfig:
	$(Q)$(KCONFIG_RUN) olddefconfig Kconfig

savedefconfig:
	$(Q)mkdir -p $(BUILD)
	$(Q)$(KCONFIG_RUN) savedefconfig --kconfig Kconfig --out $(BUILD)/defconfig
	@echo "wrote $(BUILD)/defconfig"

.PHONY: menuconfig defconfig olddefconfig savedefconfig

# A build with no .config starts from the x86_64 defconfig, so that a
# fresh clone's `make run` just works.
$(KCONFIG_CONFIG):
	@echo "no $(KCONFIG_CONFIG): using configs/x86_64_defconfig"
	$(Q)mkdir -p $(dir $(KCONFIG_CONFIG))
	$(Q)$(KCONFIG_RUN) defconfig --kconfig Kconfig configs/x86_64_defconfig >/dev/null

# auto.conf, autoconf.h and the per-symbol files are rewritten only when
# their contents change; the stamp records that .config was looked at.
$(BUILD)/kconfig.stamp: $(KCONFIG_CONFIG) Kconfig scripts/kconfig.py
	$(Q)mkdir -p $(BUILD)
	$(Q)$(PYTHON) scripts/kconfig.py sync Kconfig $(KCONFIG_CONFIG) $(BUILD)
	$(Q)touch $@

$(BUILD)/auto.conf: $(BUILD)/kconfig.stamp
	@:

ifeq ($(filter $(NOCONFIG_TARGETS),$(MAKECMDGOALS)),)
ifneq ($(MAKECMDGOALS),)
need_config := 1
endif
ifeq ($(MAKECMDGOALS),)
need_config := 1
endif
endif
# `make check` builds its own configurations in sub-makes.
ifneq ($(filter check,$(MAKECMDGOALS)),)
need_config :=
endif

ifeq ($(need_config),1)
include $(BUILD)/auto.conf
endif

unquote = $(patsubst "%",%,$(1))
ARCH := $(call unquote,$(CONFIG_ARCH))

# ----------------------------------------------------------------- build ---
AUTOCONF := $(BUILD)/include/generated/autoconf.h
CONFIG_DEPS_DIR := $(BUILD)/include/config

# Kernel tools per arch (AArch64 is cross-compiled).
CC_x86_64 := gcc
LD_x86_64 := ld
OBJCOPY_x86_64 := objcopy
CC_aarch64 := aarch64-linux-gnu-gcc
LD_aarch64 := aarch64-linux-gnu-ld
OBJCOPY_aarch64 := aarch64-linux-gnu-objcopy
CC := $(or $(CC_$(ARCH)),gcc)
LD := $(or $(LD_$(ARCH)),ld)
OBJCOPY := $(or $(OBJCOPY_$(ARCH)),objcopy)
HOSTCC ?= clang

COMMON_CFLAGS := -std=gnu11 -g -Wall -Wextra -Werror \
	-ffreestanding -fno-builtin -fno-stack-protector -fno-pic -fno-pie \
	-fno-omit-frame-pointer -fno-common \
	$(call unquote,$(CONFIG_OPT_FLAG)) \
	-Ikernel/include -Iinclude/uapi -Iarch/$(ARCH)/include -I$(BUILD)/include

ARCH_CFLAGS_x86_64 := -m64 -mcmodel=kernel -mno-red-zone -mgeneral-regs-only
# AArch64: no FP/SIMD in the kernel (EL1 traps it), atomics inline rather
# than libgcc's outline helpers, no pointer-auth/BTI landing pads.
ARCH_CFLAGS_aarch64 := -mgeneral-regs-only -mno-outline-atomics \
	-mbranch-protection=none -fno-asynchronous-unwind-tables
KCFLAGS := $(COMMON_CFLAGS) $(ARCH_CFLAGS_$(ARCH))
KASFLAGS := $(KCFLAGS) -D__ASSEMBLY__

KERNEL_SRCS := $(wildcard kernel/*.c kernel/*.S) $(wildcard arch/$(ARCH)/*.c) \
	$(wildcard arch/$(ARCH)/*.S)
KERNEL_OBJS := $(patsubst %,$(BUILD)/obj/%.o,$(basename $(KERNEL_SRCS)))
LINKER_SCRIPT := arch/$(ARCH)/linker.ld

all: $(BUILD)/cairn.elf
.PHONY: all

# Options that reach the compiler as flags rather than through the source:
# the optimisation level, and the architecture (another compiler).
FLAG_CONFIG_DEPS := $(CONFIG_DEPS_DIR)/opt/flag.h $(CONFIG_DEPS_DIR)/arch.h

# The system-call layer generated from the ABI's CAIRN_SYSCALLS list
# (scripts/gen-syscalls.py): the argument structs, the kernel's handler
# prototypes and dispatcher, and user/lib's stubs. Adding a call is one
# line there and one handler in the file its section names.
SYSCALLS_H := include/uapi/cairn/syscalls.h
GEN_SYSCALL_TOOL := scripts/gen-syscalls.py scripts/abi.py
GEN_DIR := $(BUILD)/include/generated
GEN_SYSCALL_HEADERS := $(GEN_DIR)/syscall_args.h $(GEN_DIR)/syscall_kernel.h \
	$(GEN_DIR)/syscall_numbers.h $(GEN_DIR)/syscall_stubs.h
$(GEN_DIR)/syscall_args.h $(GEN_DIR)/syscall_kernel.h $(GEN_DIR)/syscall_numbers.h: \
		$(GEN_DIR)/syscall_%.h: $(SYSCALLS_H) $(GEN_SYSCALL_TOOL)
	$(call msg,GEN,$@)
	$(Q)$(PYTHON) scripts/gen-syscalls.py $* $(SYSCALLS_H) $@
$(GEN_DIR)/syscall_stubs.h $(GEN_DIR)/syscall_stubs.c: $(GEN_DIR)/syscall_stubs.%: $(SYSCALLS_H) \
		user/lib/syscall.h $(GEN_SYSCALL_TOOL)
	$(call msg,GEN,$@)
	$(Q)$(PYTHON) scripts/gen-syscalls.py $(if $(filter %.c,$@),user-c,user) $(SYSCALLS_H) \
		user/lib/syscall.h $@
# Each handler is defined in the file its section of the list names.
$(BUILD)/syscall-handlers.ok: $(SYSCALLS_H) $(GEN_SYSCALL_TOOL) $(wildcard kernel/*.c)
	$(Q)$(PYTHON) scripts/gen-syscalls.py check $(SYSCALLS_H) .
	$(Q)touch $@

# User space (user/lib, rinit) and the root task carried in the kernel.
include user/user.mk
include kdbg/kdbg.mk
all: $(KDBG_OUTPUTS)
# Host tools: kdbg/lib (the kernel-state reader) and kdbg-top.
include kdbg/lib/lib.mk
include kdbg/monitor/monitor.mk
all: $(KDBG_TOP)
include kdbg/gdbserver/gdbserver.mk
all: $(KDBG_GDBSERVER)
# The host tools `all` builds: compiled with the host's cc, whatever the
# ARCH and configuration, so one build's serve another (make check
# copies them into its other builds: make print-HOST_TOOL_FILES).
HOST_TOOL_FILES = $(KDBG_TOP) $(KDBG_TOP_OBJS) $(KDBG_GDBSERVER) $(KDBG_GDBSERVER_OBJS) \
	$(KREAD_LIB) $(KREAD_OBJS) $(KREAD_DUMP) $(KREAD_DIR)/obj/tools/kread-dump.o
include user/bench/bench.mk
include user/demo/demo.mk
include user/fuzz/fuzz.mk
ifeq ($(CONFIG_KERNEL_SELFTEST),y)
ROOT_TASK_ELF :=
else ifeq ($(CONFIG_ROOT_TASK_TESTS),y)
ROOT_TASK_ELF := $(TESTS_ELF)
else ifeq ($(CONFIG_ROOT_TASK_BENCH),y)
ROOT_TASK_ELF := $(BENCH_ELF)
else ifeq ($(CONFIG_ROOT_TASK_DEMO),y)
ROOT_TASK_ELF := $(DEMO_ELF)
else ifeq ($(CONFIG_ROOT_TASK_FUZZ),y)
ROOT_TASK_ELF := $(FUZZ_ELF)
else
ROOT_TASK_ELF := $(RINIT_ELF)
endif
$(BUILD)/obj/kernel/root_image.o: $(ROOT_TASK_ELF)
$(BUILD)/obj/kernel/root_image.o: KASFLAGS += $(if $(ROOT_TASK_ELF),-DROOT_TASK_ELF='"$(ROOT_TASK_ELF)"')


$(BUILD)/obj/%.o: %.c $(FLAG_CONFIG_DEPS) | $(BUILD)/kconfig.stamp $(GEN_SYSCALL_HEADERS)
	$(call msg,CC,$<)
	$(Q)mkdir -p $(dir $@)
	$(Q)$(CC) $(KCFLAGS) -MMD -MF $@.d -c $< -o $@

$(BUILD)/obj/%.o: %.S $(FLAG_CONFIG_DEPS) | $(BUILD)/kconfig.stamp $(GEN_SYSCALL_HEADERS)
	$(call msg,AS,$<)
	$(Q)mkdir -p $(dir $@)
	$(Q)$(CC) $(KASFLAGS) -MMD -MF $@.d -c $< -o $@

# The objects' own .d files name the headers and config symbols they use,
# so the stamp (touched on every .config change) need not rebuild them.
# The IPC fastpath is called only from the syscall entry stub, which
# restores every user register itself: it need not preserve callee-saved
# registers, nor keep a frame pointer (saves ~16 instructions a call).
# It is laid out for the instruction count, not the cycle count: each
# test a branch of its own (no flag arithmetic merging two tests, no
# conditional moves), and each message length its own straight copy,
# not a jump into code shared with the others.
FASTPATH_CFLAGS := -fomit-frame-pointer -fno-if-conversion -fno-crossjumping \
	--param logical-op-non-short-circuit=0
FASTPATH_CFLAGS_x86_64 := -fcall-used-rbx -fcall-used-r12 -fcall-used-r13 \
	-fcall-used-r14 -fcall-used-r15
FASTPATH_CFLAGS_aarch64 := $(foreach r,19 20 21 22 23 24 25 26 27 28,-fcall-used-x$(r))
$(BUILD)/obj/kernel/fastpath.o: KCFLAGS += $(FASTPATH_CFLAGS) $(FASTPATH_CFLAGS_$(ARCH))

$(FLAG_CONFIG_DEPS): | $(BUILD)/kconfig.stamp
	@:
-include $(wildcard $(KERNEL_OBJS:.o=.o.d))

# The objects rebuilt since the last link depend on the config symbols
# they use, not on all of autoconf.h: scripts/fixdep.py rewrites their .d
# files, in one process.
$(BUILD)/obj/fixdep.stamp: $(KERNEL_OBJS)
	$(Q)$(PYTHON) scripts/fixdep.py $(CONFIG_DEPS_DIR) $(addsuffix .d,$(filter %.o,$?))
	$(Q)touch $@

$(BUILD)/cairn.elf: $(KERNEL_OBJS) $(LINKER_SCRIPT) $(BUILD)/syscall-handlers.ok $(BUILD)/obj/fixdep.stamp
	$(call msg,LD,$@)
	$(Q)$(LD) -nostdlib -static -z max-page-size=0x1000 -z noexecstack \
		--no-warn-rwx-segments -T $(LINKER_SCRIPT) -o $@ $(KERNEL_OBJS)

# ------------------------------------------------------------------- run ---
QEMU_RUN := scripts/qemu-run

run: all
	$(Q)$(QEMU_RUN) --arch $(ARCH) --kernel $(BUILD)/cairn.elf $(if $(filter-out 0,$(MONITOR)),--monitor) -- $(QEMU_ARGS)

debug: all
	$(Q)scripts/debug --arch $(ARCH) --kernel $(BUILD)/cairn.elf -- $(QEMU_ARGS)

.PHONY: run debug

# ----------------------------------------------------------------- tests ---
include tests/host/host.mk
include tests/host/user/user-tests.mk
include tests/monitor/monitor-tests.mk
include tests/gdbserver/gdbserver-tests.mk
# Everything `make check` runs on the host, in order.
ALL_HOST_TESTS = $(HOST_TESTS) $(USER_HOST_TESTS)
host-tests: $(USER_HOST_TESTS)

check:
	$(Q)GDB_TESTS='$(TEST)' $(PYTHON) scripts/check.py --build $(BUILD)/check $(if $(ONLY),$(addprefix --only ,$(ONLY))) $(if $(CHECK_ARCH),$(addprefix --arch ,$(CHECK_ARCH)))

# `make print-VAR` shows a variable (scripts/check.py asks for test lists).
print-%:
	@echo $($*)

.PHONY: check

# Benchmarks in their own builds (configs/ARCH_bench_defconfig), for
# each arch in BENCH_ARCH. One after the other, even under make -j: the
# wall-time ones (monitor, gdbserver, boot) would otherwise measure each
# other's load.
BENCH_ARCH ?= x86_64 aarch64
bench:
	$(Q)$(MAKE) --no-print-directory bench-monitor
	$(Q)$(MAKE) --no-print-directory bench-gdbserver
	$(Q)$(MAKE) --no-print-directory bench-boot
	$(Q)set -e; for a in $(BENCH_ARCH); do \
		$(PYTHON) scripts/bench --arch $$a --build $(BUILD)/bench$$(test $$a = x86_64 || echo -$$a); \
		echo; done

# kdbg-top's host-side figures under the demo load (64 tasks, 1,000 caps):
# snapshot and redraw time in every memory mode, retries and pauses.
bench-monitor:
	$(Q)set -e; for a in $(BENCH_ARCH); do \
		$(PYTHON) tests/monitor/bench_top.py --arch $$a; echo; done

# The task-aware gdbserver under the same load: `info threads` (64 tasks)
# and `info os caps` (1,192 caps) as GDB sees them.
bench-gdbserver:
	$(Q)set -e; for a in $(BENCH_ARCH); do \
		$(PYTHON) tests/ide/bench_gdbserver.py --arch $$a; echo; done

# Host wall time from starting QEMU to the rinit> prompt, every arch of
# BENCH_ARCH in one table (scripts/boot-time: median, min and max of 10
# boots of ARCH_defconfig built in $(BUILD)/boot-ARCH; --phases there
# splits a boot into QEMU, firmware, kernel and rinit). A wall time:
# reported, never asserted.
bench-boot:
	$(Q)$(PYTHON) scripts/boot-time $(addprefix --arch ,$(BENCH_ARCH)) --build-prefix $(BUILD)/boot
	@echo

.PHONY: bench bench-monitor bench-gdbserver bench-boot

# The soaks below run on each arch's default build in build/check/ARCH
# (configured if new): both arches, or the one given as ARCH= on the
# command line. A failure prints the seed (and case) that replays it.
FUZZ_ARCHES = $(if $(filter command line,$(origin ARCH)),$(or $(filter x86_64 aarch64,$(ARCH)),$(error ARCH must be x86_64 or aarch64, not '$(ARCH)')),x86_64 aarch64)
# $(call fuzz_each,COMMAND): COMMAND for each arch, $$d its build directory.
fuzz_each = $(Q)set -e; for a in $(FUZZ_ARCHES); do \
		d=$(BUILD)/check/$$a; \
		test -f $$d/.config || $(MAKE) --no-print-directory O=$$d $${a}_defconfig >/dev/null; \
		$(MAKE) --no-print-directory -s O=$$d; \
		$(1); done

# rinit's shell under random and hostile lines (tests/boot/test_shell_fuzz.py).
LINES ?= 20000
fuzz-shell:
	$(call fuzz_each,$(PYTHON) tests/boot/test_shell_fuzz.py $$d/cairn.elf --lines $(LINES) $(if $(SEED),--seed $(SEED)))

# kdbg on corrupted cores (tests/fuzz-kdbg, docs/RELIABILITY.md): COUNT
# cores per arch from seed SEED (default: from the clock, printed), every
# kdbg command on each in one GDB.
COUNT ?= 1000
fuzz-kdbg:
	$(call fuzz_each,$(PYTHON) tests/fuzz-kdbg/fuzz.py --build $$d --count $(COUNT) $(if $(SEED),--seed $(SEED)))

.PHONY: fuzz-shell fuzz-kdbg

# ------------------------------------------------------------------ misc ---
deps:
	$(Q)scripts/install-deps

clean:
	$(Q)rm -rf $(BUILD)/obj $(BUILD)/host $(BUILD)/check $(BUILD)/cairn.elf $(BUILD)/*.gdb

distclean:
	$(Q)rm -rf $(BUILD) .config .config.old

help:
	@echo "Cairn $(CAIRN_VERSION) - make targets"
	@echo
	@echo "Configuration (kconfiglib):"
	@echo "  menuconfig       edit the configuration in a terminal UI"
	@echo "  defconfig        x86_64 defaults (aarch64_defconfig: AArch64's)"
	@echo "  NAME_defconfig   load configs/NAME_defconfig: $(patsubst %_defconfig,%,$(notdir $(wildcard configs/*_defconfig)))"
	@echo "  olddefconfig     update .config to the current Kconfig, new options at defaults"
	@echo "  savedefconfig    write a minimal config to $(BUILD)/defconfig"
	@echo
	@echo "Build and run:"
	@echo "  all (default)    build $(BUILD)/cairn.elf (ELF64 with debug info; QEMU boots it)"
	@echo "  run              boot under QEMU, serial on stdio (QEMU_ARGS='...' adds options; Ctrl-A X quits;"
	@echo "                   MONITOR=1: shared RAM and QMP sockets in a run directory for 'kdbg top')"
	@echo "  debug            boot stopped at the kernel entry with gdb-multiarch attached"
	@echo
	@echo "Tests:"
	@echo "  check            every test layer, both arches; ends with 'N passed, N failed'"
	@echo "                   (ONLY='guest shell' some layers, CHECK_ARCH=aarch64 one arch,"
	@echo "                   ONLY=gdb TEST='kdbg_graph cli' some GDB tests)"
	@echo "  host-tests       build the host unit tests of the capability core"
	@echo "  fuzz             run the capability-core fuzzer until stopped"
	@echo "  monitor-fuzz     F=memmap|regs|qmp: fuzz a kdbg-top parser until stopped"
	@echo "  gdbserver-fuzz   fuzz kdbg-gdbserver's packet parser until stopped"
	@echo "  gdbserver-test   kdbg-gdbserver against fake gdbstubs (part of check)"
	@echo "  fuzz-guest       random system calls from several tasks in the guest, both arches"
	@echo "                   (ARCH=x86_64 one arch; CALLS=1000000 SEED=1 by default)"
	@echo "  fuzz-shell       LINES=20000 random and hostile lines at rinit's shell, both arches"
	@echo "  fuzz-kdbg        every kdbg command on COUNT=1000 corrupted cores per arch"
	@echo "                   (fuzz-*: ARCH=x86_64 one arch; SEED=S replays a printed seed)"
	@echo "  bench            benchmarks under QEMU (TCG -icount: instruction counts);"
	@echo "                   BENCH_ARCH=x86_64 or aarch64 for one arch"
	@echo "  bench-monitor    kdbg-top under the demo load (part of bench)"
	@echo "  bench-gdbserver  the gdbserver under the demo load (part of bench)"
	@echo "  bench-boot       wall time from starting QEMU to the rinit> prompt (part of bench)"
	@echo
	@echo "Other: deps (install Debian packages), clean, distclean"
	@echo "Variables: O=DIR (out-of-tree build), V=1 (show commands), QEMU_ARGS"

.PHONY: deps clean distclean help

# Anything else is a mistake: say so instead of make's terse default.
.DEFAULT:
	@echo "make: unknown target or missing file '$@' (see 'make help')" >&2
	@exit 1
