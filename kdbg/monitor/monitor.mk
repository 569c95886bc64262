# kdbg/monitor/monitor.mk - kdbg-top, a host tool.
#
#   $(BUILD)/kdbg-top   the ncurses monitor (also --batch, --json, --bench)
#
# Built with the host compiler whatever the kernel's ARCH: one binary
# monitors guests of both arches (the ELF says which). Needs kdbg/lib's
# $(KREAD_LIB), ncursesw and jansson. The top-level Makefile includes
# this after kdbg/lib/lib.mk and adds $(KDBG_TOP) to `all`.

KDBG_TOP := $(BUILD)/kdbg-top
KDBG_TOP_CC := cc
KDBG_TOP_SRCS := $(wildcard kdbg/monitor/*.c)
KDBG_TOP_OBJS := $(patsubst %.c,$(BUILD)/host/%.o,$(KDBG_TOP_SRCS))
KDBG_TOP_PKGS := ncursesw jansson
# Messages are built with snprintf into fixed buffers on purpose (a long
# path is cut, never overflows): GCC's -O2 truncation guesses are noise.
KDBG_TOP_CFLAGS := -std=gnu11 -O2 -g -Wall -Wextra -Werror -MMD -MP \
	-Ikdbg/lib -Ikdbg/monitor $(KREAD_CFLAGS) \
	$(shell pkg-config --cflags $(KDBG_TOP_PKGS))
KDBG_TOP_LDLIBS := $(KREAD_LIB) $(KREAD_LDLIBS) $(shell pkg-config --libs $(KDBG_TOP_PKGS))

$(BUILD)/host/kdbg/monitor/%.o: kdbg/monitor/%.c kdbg/monitor/monitor.mk
	$(call msg,HOSTCC,$@)
	$(Q)mkdir -p $(dir $@)
	$(Q)$(KDBG_TOP_CC) $(KDBG_TOP_CFLAGS) -c -o $@ $<

$(KDBG_TOP): $(KDBG_TOP_OBJS) $(KREAD_LIB)
	$(call msg,HOSTLD,$@)
	$(Q)$(KDBG_TOP_CC) -o $@ $(KDBG_TOP_OBJS) $(KDBG_TOP_LDLIBS)

-include $(wildcard $(KDBG_TOP_OBJS:.o=.d))
