# tests/monitor/monitor-tests.mk - kdbg-top's VM connection (target.c):
# fake QMP peers (tests/monitor/fake_qmp.py) and real QEMUs on both arches;
# and libFuzzer targets for kdbg-top's parsers of what QEMU sends.
# Include after kdbg/monitor/monitor.mk (it reuses its objects and flags)
# and tests/host/host.mk (FUZZ_SAN, HOSTCC, host-tests).
#
#   $(TARGET_TEST)           the C driver (target_test fake|real|restart ...)
#   make monitor-target-test runs tests/monitor/test_target.sh with
#                            TARGET_TEST_X86_ELF / TARGET_TEST_ARM_ELF
#                            (an arch whose ELF is missing is skipped)
#   $(MONITOR_FUZZ_BINS)     the fuzzers (built by host-tests); `make check`
#                            runs each with FUZZ_CHECK_ARGS_<its name>
#   make monitor-fuzz F=NAME fuzz one (memmap, regs, qmp) until stopped
#
# test_target.sh also builds the driver by itself with cc (BUILD=DIR), so
# it runs without this file.

TARGET_TEST := $(BUILD)/host/tests/monitor/target_test
TARGET_TEST_OBJS := $(BUILD)/host/tests/monitor/target_test.o \
	$(addprefix $(BUILD)/host/kdbg/monitor/,qmp.o memmap.o qmpread.o target.o target_snapshot.o target_util.o)
TARGET_TEST_X86_ELF ?= build/t-x86/cairn.elf
TARGET_TEST_ARM_ELF ?= build/t-arm/cairn.elf

$(BUILD)/host/tests/monitor/%.o: tests/monitor/%.c kdbg/monitor/target.h
	$(call msg,HOSTCC,$@)
	$(Q)mkdir -p $(dir $@)
	$(Q)$(KDBG_TOP_CC) $(KDBG_TOP_CFLAGS) -c -o $@ $<

$(TARGET_TEST): $(TARGET_TEST_OBJS) $(KREAD_LIB)
	$(call msg,HOSTLD,$@)
	$(Q)$(KDBG_TOP_CC) -o $@ $(TARGET_TEST_OBJS) $(KREAD_LIB) $(KREAD_LDLIBS)

monitor-target-test: $(TARGET_TEST)
	$(Q)TARGET_TEST=$(TARGET_TEST) tests/monitor/test_target.sh \
		$(TARGET_TEST_X86_ELF) $(TARGET_TEST_ARM_ELF)
.PHONY: monitor-target-test

# ---- fuzzers -------------------------------------------------------------
# fuzz_memmap  HMP `info mtree -f` text into memmap_parse() (memmap.c)
# fuzz_regs    HMP `info registers` text into target_parse_regs() (target_util.c)
# fuzz_qmp     a QMP peer's bytes into the QMP client (qmp.c) over a socketpair,
#              with an HMP `xp` read (qmpread.c)
# Their sources and the code under test are built with clang, libFuzzer,
# ASan and UBSan; the kread library (memmap.c, qmpread.c call it) as it is.
# Seeds, and every input that once found a bug: tests/monitor/fuzz-corpus/NAME/.
MONITOR_FUZZ_NAMES := memmap regs qmp
MONITOR_FUZZ_DIR := $(BUILD)/host/monitor-fuzz
MONITOR_FUZZ_BINS := $(addprefix $(MONITOR_FUZZ_DIR)/fuzz_,$(MONITOR_FUZZ_NAMES))
MONITOR_FUZZ_CFLAGS := -std=gnu11 -g -O1 -Wall -Wextra -Werror -MMD -MP \
	-Ikdbg/lib -Ikdbg/monitor $(KREAD_CFLAGS) $(shell pkg-config --cflags jansson) \
	$(FUZZ_SAN) -fno-omit-frame-pointer
MONITOR_FUZZ_SRCS_memmap := kdbg/monitor/memmap.c kdbg/monitor/qmp.c
MONITOR_FUZZ_SRCS_regs := kdbg/monitor/target_util.c
MONITOR_FUZZ_SRCS_qmp := kdbg/monitor/qmp.c kdbg/monitor/qmpread.c
MONITOR_FUZZ_LIBS_memmap := $(KREAD_LIB) $(KREAD_LDLIBS)
MONITOR_FUZZ_LIBS_qmp := $(KREAD_LIB) $(KREAD_LDLIBS)
# make check's bounded pass: a fixed seed, the seed corpus read (not
# written), runs for a few seconds each on the reference machine. -timeout:
# a QMP command waits 2 s at most, and never here (the peer closes).
MONITOR_FUZZ_RUNS_memmap := 40000
MONITOR_FUZZ_RUNS_regs := 60000
MONITOR_FUZZ_RUNS_qmp := 15000
MONITOR_FUZZ_MAXLEN_memmap := 12288
MONITOR_FUZZ_MAXLEN_regs := 4096
MONITOR_FUZZ_MAXLEN_qmp := 16384
$(foreach n,$(MONITOR_FUZZ_NAMES),$(eval FUZZ_CHECK_ARGS_fuzz_$(n) = $$(call fuzz_check_args,\
	$$(MONITOR_FUZZ_RUNS_$(n)),$$(MONITOR_FUZZ_MAXLEN_$(n)),tests/monitor/fuzz-corpus/$(n))))

monitor_fuzz_obj = $(patsubst %.c,$(MONITOR_FUZZ_DIR)/obj/%.o,$(1))

$(MONITOR_FUZZ_DIR)/obj/%.o: %.c tests/monitor/monitor-tests.mk
	$(call msg,FUZZCC,$@)
	$(Q)mkdir -p $(dir $@)
	$(Q)$(HOSTCC) $(MONITOR_FUZZ_CFLAGS) -c -o $@ $<

define monitor_fuzz_rule
$(MONITOR_FUZZ_DIR)/fuzz_$(1): $(call monitor_fuzz_obj,tests/monitor/fuzz_$(1).c \
		$(MONITOR_FUZZ_SRCS_$(1))) $(filter %.a,$(MONITOR_FUZZ_LIBS_$(1)))
	$$(call msg,FUZZLD,$$@)
	$$(Q)$$(HOSTCC) -fsanitize=fuzzer,address,undefined -o $$@ $$(filter %.o,$$^) \
		$(MONITOR_FUZZ_LIBS_$(1))
endef
$(foreach n,$(MONITOR_FUZZ_NAMES),$(eval $(call monitor_fuzz_rule,$(n))))

host-tests: $(MONITOR_FUZZ_BINS)

monitor-fuzz: $(if $(filter $(F),$(MONITOR_FUZZ_NAMES)),$(MONITOR_FUZZ_DIR)/fuzz_$(F),monitor-fuzz-usage)
	$(Q)mkdir -p $(MONITOR_FUZZ_DIR)/corpus-$(F)
	$(MONITOR_FUZZ_DIR)/fuzz_$(F) -max_len=$(MONITOR_FUZZ_MAXLEN_$(F)) \
		$(MONITOR_FUZZ_DIR)/corpus-$(F) tests/monitor/fuzz-corpus/$(F)
monitor-fuzz-usage:
	@echo "make monitor-fuzz F=NAME: NAME is one of $(MONITOR_FUZZ_NAMES)" >&2; exit 2
.PHONY: monitor-fuzz monitor-fuzz-usage

-include $(wildcard $(MONITOR_FUZZ_DIR)/obj/*/*/*.d)
