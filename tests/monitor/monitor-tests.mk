# tests/monitor/monitor-tests.mk - kdbg-top's VM connection (target.c):
# fake QMP peers (tests/monitor/fake_qmp.py) and real QEMUs on both arches.
# Include after kdbg/monitor/monitor.mk (it reuses its objects and flags).
#
#   $(TARGET_TEST)           the C driver (target_test fake|real|restart ...)
#   make monitor-target-test runs tests/monitor/test_target.sh with
#                            TARGET_TEST_X86_ELF / TARGET_TEST_ARM_ELF
#                            (an arch whose ELF is missing is skipped)
#
# test_target.sh also builds the driver by itself with cc (BUILD=DIR), so
# it runs without this file.

TARGET_TEST := $(BUILD)/host/tests/monitor/target_test
TARGET_TEST_OBJS := $(BUILD)/host/tests/monitor/target_test.o \
	$(addprefix $(BUILD)/host/kdbg/monitor/,qmp.o memmap.o qmpread.o target.o target_util.o)
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
	$(Q)BUILD=$(BUILD)/host/t-mon tests/monitor/test_target.sh \
		$(TARGET_TEST_X86_ELF) $(TARGET_TEST_ARM_ELF)
.PHONY: monitor-target-test
