# user/user.mk - user space: user/lib (libuser.a + crt0), rinit and the
# in-guest test suite (user/tests, with its cross-address-space peer
# program carried inside it).
# Included by the top-level Makefile, which provides BUILD, Q, msg,
# ARCH and the CONFIG_* variables of $(BUILD)/auto.conf.
#
#   make user        build $(RINIT_ELF)
#   make user-tests  build $(TESTS_ELF)
#
# User code is freestanding: only the compiler's own headers (stdint,
# stddef, stdarg, stdbool) and include/uapi, no libc.

USER_CC ?= $(if $(filter aarch64,$(ARCH)),aarch64-linux-gnu-gcc,gcc)
USER_OBJ := $(BUILD)/user
RINIT_ELF := $(BUILD)/user/rinit.elf

USER_OPT := $(patsubst "%",%,$(CONFIG_OPT_FLAG))
ifeq ($(USER_OPT),)
USER_OPT := -O2
endif

# -fno-tree-loop-distribute-patterns: GCC would otherwise turn the loop
# in memset() into a call to memset(). -mgeneral-regs-only: the kernel
# does not save FPU/SIMD state across context switches (yet).
USER_ARCH_CFLAGS_x86_64 := -m64 -mno-red-zone -mgeneral-regs-only
USER_ARCH_CFLAGS_aarch64 := -mgeneral-regs-only
USER_CFLAGS := -std=gnu11 -g $(USER_OPT) -Wall -Wextra -Werror \
	-ffreestanding -fno-builtin -fno-tree-loop-distribute-patterns \
	-fno-stack-protector -fno-pie -fno-pic -fno-common -fno-omit-frame-pointer \
	-fno-asynchronous-unwind-tables \
	-nostdinc -isystem $(shell $(USER_CC) -print-file-name=include) \
	$(USER_ARCH_CFLAGS_$(ARCH)) \
	-Iinclude/uapi -Iuser/lib -Iuser/lib/arch/$(ARCH) -I$(BUILD)/include \
	$(USER_EXTRA_CFLAGS)
USER_LDFLAGS := -nostdlib -static -no-pie -Wl,-T,user/lib/user.ld -Wl,--build-id=none \
	-Wl,-z,max-page-size=0x1000 -Wl,-z,noexecstack

USER_LIB_SRCS := $(wildcard user/lib/*.c)
USER_CRT0 := $(USER_OBJ)/lib/arch/$(ARCH)/crt0.o
# ... and the system-call stubs generated from the ABI (see the Makefile).
USER_LIB_OBJS := $(patsubst user/%.c,$(USER_OBJ)/%.o,$(USER_LIB_SRCS)) \
	$(USER_OBJ)/lib/syscall_stubs.o
USER_LIB := $(USER_OBJ)/libuser.a
RINIT_SRCS := $(wildcard user/rinit/*.c)
RINIT_OBJS := $(patsubst user/%.c,$(USER_OBJ)/%.o,$(RINIT_SRCS))
TESTS_ELF := $(BUILD)/user/tests.elf
TESTS_SRCS := $(wildcard user/tests/*.c)
TESTS_OBJS := $(patsubst user/%.c,$(USER_OBJ)/%.o,$(TESTS_SRCS))
TESTS_PEER_ELF := $(USER_OBJ)/tests/peer.elf
TESTS_PEER_SRCS := $(wildcard user/tests/peer/*.c)
TESTS_PEER_OBJS := $(patsubst user/%.c,$(USER_OBJ)/%.o,$(TESTS_PEER_SRCS))
TESTS_PEER_IMAGE := $(USER_OBJ)/tests/peer_image.o

# The compiler and flags user objects are built with, as a file that is
# rewritten only when they change (as Linux's kbuild does): every object
# depends on it, so that `make USER_EXTRA_CFLAGS=...` in an existing
# build directory rebuilds what it must, and going back rebuilds again.
USER_CFLAGS_FILE := $(USER_OBJ)/cflags
$(USER_CFLAGS_FILE): FORCE_USER_CFLAGS
	$(Q)mkdir -p $(dir $@)
	$(Q)printf '%s\n' '$(subst ','\'',$(USER_CC) $(USER_CFLAGS))' > $@.tmp; \
		if cmp -s $@.tmp $@; then rm -f $@.tmp; else mv -f $@.tmp $@; fi
FORCE_USER_CFLAGS:
.PHONY: FORCE_USER_CFLAGS

$(USER_OBJ)/%.o: user/%.c $(FLAG_CONFIG_DEPS) $(USER_CFLAGS_FILE) | $(GEN_SYSCALL_HEADERS)
	$(call msg,CC,$<)
	$(Q)mkdir -p $(dir $@)
	$(Q)$(USER_CC) $(USER_CFLAGS) -MMD -MP -c $< -o $@

$(USER_OBJ)/lib/syscall_stubs.o: $(GEN_DIR)/syscall_stubs.c $(FLAG_CONFIG_DEPS) \
		$(USER_CFLAGS_FILE) | $(GEN_SYSCALL_HEADERS)
	$(call msg,CC,$<)
	$(Q)mkdir -p $(dir $@)
	$(Q)$(USER_CC) $(USER_CFLAGS) -MMD -MP -c $< -o $@

$(USER_OBJ)/%.o: user/%.S $(FLAG_CONFIG_DEPS) $(USER_CFLAGS_FILE) | $(GEN_SYSCALL_HEADERS)
	$(call msg,AS,$<)
	$(Q)mkdir -p $(dir $@)
	$(Q)$(USER_CC) $(USER_CFLAGS) -D__ASSEMBLER__ -MMD -MP -c $< -o $@

$(USER_LIB): $(USER_LIB_OBJS)
	$(call msg,AR,$@)
	$(Q)rm -f $@
	$(Q)ar rcs $@ $^

$(RINIT_ELF): $(USER_CRT0) $(RINIT_OBJS) $(USER_LIB) user/lib/user.ld
	$(call msg,LD,$@)
	$(Q)$(USER_CC) $(USER_CFLAGS) $(USER_LDFLAGS) -o $@ $(USER_CRT0) $(RINIT_OBJS) \
		$(USER_LIB) -lgcc

$(TESTS_PEER_ELF): $(USER_CRT0) $(TESTS_PEER_OBJS) $(USER_LIB) user/lib/user.ld
	$(call msg,LD,$@)
	$(Q)$(USER_CC) $(USER_CFLAGS) $(USER_LDFLAGS) -o $@ $(USER_CRT0) $(TESTS_PEER_OBJS) \
		$(USER_LIB) -lgcc

# The peer program's ELF file, as bytes in the suite's read-only data.
$(TESTS_PEER_IMAGE): user/tests/peer/peer_image.S $(TESTS_PEER_ELF)
	$(call msg,AS,$<)
	$(Q)mkdir -p $(dir $@)
	$(Q)$(USER_CC) $(USER_CFLAGS) -D__ASSEMBLER__ -DPEER_ELF='"$(TESTS_PEER_ELF)"' -c $< -o $@

$(TESTS_ELF): $(USER_CRT0) $(TESTS_OBJS) $(TESTS_PEER_IMAGE) $(USER_LIB) user/lib/user.ld
	$(call msg,LD,$@)
	$(Q)$(USER_CC) $(USER_CFLAGS) $(USER_LDFLAGS) -o $@ $(USER_CRT0) $(TESTS_OBJS) \
		$(TESTS_PEER_IMAGE) $(USER_LIB) -lgcc

user: $(RINIT_ELF)
user-tests: $(TESTS_ELF)
.PHONY: user user-tests

-include $(wildcard $(USER_OBJ)/lib/*.d $(USER_OBJ)/lib/arch/$(ARCH)/*.d $(USER_OBJ)/rinit/*.d \
	$(USER_OBJ)/tests/*.d $(USER_OBJ)/tests/peer/*.d)
