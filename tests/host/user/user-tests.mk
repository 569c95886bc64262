# tests/host/user/user-tests.mk - host unit tests of user/lib and rinit,
# built with the host compiler and sanitizers. Defines USER_HOST_TESTS
# (the test binaries) and `user-host-tests` (build and run them).
# Needs BUILD, Q, msg; HOSTCC defaults to clang.

HOSTCC ?= clang
USER_HOST_DIR := $(BUILD)/host/user
USER_HOST_CFLAGS := -std=gnu11 -g -O1 -Wall -Wextra -Werror -Wno-gnu-conditional-omitted-operand \
	-fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer \
	-Iinclude/uapi -Iuser/lib -Iuser/rinit -Itests/host/user -I$(USER_HOST_DIR)/gen \
	-I$(BUILD)/include

# The pure parts of user/lib and rinit, and user/lib's system-call
# functions over the fake kernel: fake_sys.c and fake_syscalls.c, which
# scripts/gen-syscalls.py makes from the ABI.
$(USER_HOST_DIR)/gen/fake_syscalls.c: $(SYSCALLS_H) $(GEN_SYSCALL_TOOL)
	$(call msg,GEN,$@)
	$(Q)$(PYTHON) scripts/gen-syscalls.py fake $(SYSCALLS_H) $@
$(USER_HOST_DIR)/gen/fake_syscalls.h: $(SYSCALLS_H) $(GEN_SYSCALL_TOOL)
	$(call msg,GEN,$@)
	$(Q)$(PYTHON) scripts/gen-syscalls.py fake-h $(SYSCALLS_H) $@
USER_HOST_LIB := user/lib/parse.c user/lib/format.c user/lib/slotalloc.c user/lib/bootinfo.c \
	user/lib/elf.c user/lib/utalloc.c user/lib/vmap.c
USER_HOST_SHELL := user/rinit/shell.c user/rinit/cmd_caps.c user/rinit/cmd_tasks.c \
	user/rinit/cmd_chan.c user/rinit/cmd_misc.c user/rinit/capsummary.c \
	user/rinit/chanmsg.c user/rinit/tokenize.c user/rinit/lineedit.c \
	user/lib/syscall.c $(BUILD)/include/generated/syscall_stubs.c tests/host/user/fake_sys.c \
	$(USER_HOST_DIR)/gen/fake_syscalls.c

USER_HOST_TESTS := $(USER_HOST_DIR)/test_user_parse $(USER_HOST_DIR)/test_user_printf \
	$(USER_HOST_DIR)/test_user_shell

USER_HOST_HEADERS := $(wildcard include/uapi/cairn/*.h user/lib/*.h user/rinit/*.h \
	tests/host/user/*.h) tests/lib/tap.h $(USER_HOST_DIR)/gen/fake_syscalls.h $(GEN_SYSCALL_HEADERS)

$(USER_HOST_DIR)/test_user_parse: tests/host/user/test_user_parse.c user/lib/parse.c \
		user/lib/slotalloc.c user/lib/bootinfo.c user/lib/elf.c user/rinit/tokenize.c user/rinit/lineedit.c $(USER_HOST_HEADERS)
	$(call msg,HOSTCC,$@)
	$(Q)mkdir -p $(dir $@)
	$(Q)$(HOSTCC) $(USER_HOST_CFLAGS) -o $@ $(filter %.c,$^)

$(USER_HOST_DIR)/test_user_printf: tests/host/user/test_user_printf.c user/lib/format.c \
		$(USER_HOST_HEADERS)
	$(call msg,HOSTCC,$@)
	$(Q)mkdir -p $(dir $@)
	$(Q)$(HOSTCC) $(USER_HOST_CFLAGS) -o $@ $(filter %.c,$^)

$(USER_HOST_DIR)/test_user_shell: tests/host/user/test_user_shell.c $(USER_HOST_LIB) \
		$(USER_HOST_SHELL) $(USER_HOST_HEADERS)
	$(call msg,HOSTCC,$@)
	$(Q)mkdir -p $(dir $@)
	$(Q)$(HOSTCC) $(USER_HOST_CFLAGS) -o $@ $(filter %.c,$^)

# Build and run every user host test; fails if any test fails.
user-host-tests: $(USER_HOST_TESTS)
	$(Q)status=0; for t in $(USER_HOST_TESTS); do $$t || status=1; done; exit $$status

.PHONY: user-host-tests
