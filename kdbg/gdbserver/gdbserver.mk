# kdbg/gdbserver/gdbserver.mk - kdbg-gdbserver, the task-aware GDB server
# (a host tool, built with the host's cc whatever the kernel's ARCH; one
# binary serves both arches' kernels). Needs kdbg/lib's $(KREAD_LIB).
#
#   $(KDBG_GDBSERVER)   $(BUILD)/kdbg-gdbserver

KDBG_GDBSERVER := $(BUILD)/kdbg-gdbserver
# With kdbg-top's discovery of guest RAM (memmap.c over qmp.c): one way
# of finding it, shared.
KDBG_GDBSERVER_SRCS := $(wildcard kdbg/gdbserver/*.c) kdbg/monitor/memmap.c kdbg/monitor/qmp.c
KDBG_GDBSERVER_OBJS := $(patsubst kdbg/monitor/%.c,$(BUILD)/host/gdbserver-monitor/%.o,\
	$(patsubst kdbg/gdbserver/%.c,$(BUILD)/host/kdbg/gdbserver/%.o,$(KDBG_GDBSERVER_SRCS)))
KDBG_GDBSERVER_CFLAGS := -std=gnu11 -O2 -g -Wall -Wextra -Werror -MMD -MP \
	-Ikdbg/lib -Ikdbg/gdbserver -Ikdbg/monitor $(KREAD_CFLAGS) $(shell pkg-config --cflags libdw jansson)

$(BUILD)/host/kdbg/gdbserver/%.o: kdbg/gdbserver/%.c kdbg/gdbserver/gdbserver.mk
	$(call msg,HOSTCC,$@)
	$(Q)mkdir -p $(dir $@)
	$(Q)cc $(KDBG_GDBSERVER_CFLAGS) -c -o $@ $<

# kdbg-top's objects are built with its own flags; these are the server's.
$(BUILD)/host/gdbserver-monitor/%.o: kdbg/monitor/%.c kdbg/gdbserver/gdbserver.mk
	$(call msg,HOSTCC,$@)
	$(Q)mkdir -p $(dir $@)
	$(Q)cc $(KDBG_GDBSERVER_CFLAGS) -c -o $@ $<

$(KDBG_GDBSERVER): $(KDBG_GDBSERVER_OBJS) $(KREAD_LIB)
	$(call msg,HOSTLD,$@)
	$(Q)cc -o $@ $(KDBG_GDBSERVER_OBJS) $(KREAD_LIB) $(KREAD_LDLIBS)

-include $(wildcard $(KDBG_GDBSERVER_OBJS:.o=.d) $(BUILD)/host/kdbg/gdbserver/test_osdata.d)

# tests/ide/test_osdata.c: the server's tables and register layouts, and
# kread's task contexts and user-memory reads, on a real core
# (tests/lib-kread/test_kread.py runs it on both arches' cores).
GDBSERVER_TEST_OSDATA := $(BUILD)/host/kdbg/gdbserver/test-osdata
GDBSERVER_TEST_OSDATA_OBJS := $(BUILD)/host/kdbg/gdbserver/test_osdata.o \
	$(addprefix $(BUILD)/host/kdbg/gdbserver/,osdata.o regs.o rsp.o)

$(BUILD)/host/kdbg/gdbserver/test_osdata.o: tests/ide/test_osdata.c kdbg/gdbserver/gdbserver.mk
	$(call msg,HOSTCC,$@)
	$(Q)mkdir -p $(dir $@)
	$(Q)cc $(KDBG_GDBSERVER_CFLAGS) -c -o $@ $<

$(GDBSERVER_TEST_OSDATA): $(GDBSERVER_TEST_OSDATA_OBJS) $(KREAD_LIB)
	$(call msg,HOSTLD,$@)
	$(Q)cc -o $@ $(GDBSERVER_TEST_OSDATA_OBJS) $(KREAD_LIB) $(KREAD_LDLIBS)

test-osdata: $(GDBSERVER_TEST_OSDATA)
.PHONY: test-osdata
