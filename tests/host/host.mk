# tests/host/host.mk - the capability core built for Linux with ASan and
# UBSan: unit tests, the random model test and a libFuzzer target.
#
# Included by the top-level Makefile; also usable alone:
#   make -f tests/host/host.mk BUILD=build srctree=. host-check
#
# Uses $(BUILD), $(srctree), $(Q), $(HOSTCC). Defines HOST_TESTS,
# FUZZ_BIN, FUZZ_CHECK_ARGS and the targets host-tests, host-check,
# fuzz, fuzz-check and capcore-freestanding.

BUILD ?= build
srctree ?= .
Q ?= @
HOSTCC ?= clang
KERNEL_CC ?= gcc

HOST_OUT := $(BUILD)/host
HOST_AUTOCONF := $(BUILD)/include/generated/autoconf.h

CAPCORE_SRCS := kernel/cap.c kernel/cdt.c kernel/cpool.c kernel/untyped.c \
	kernel/object.c kernel/capcheck.c
HOST_SUPPORT_SRCS := tests/host/host_support.c tests/host/fixture.c
HOST_TEST_NAMES := test_cap_ops test_cap_cpool test_cap_retype test_cap_lifetime \
	test_cap_random

HOST_TESTS := $(addprefix $(HOST_OUT)/,$(HOST_TEST_NAMES))
FUZZ_BIN := $(HOST_OUT)/fuzz_cap
FUZZ_CORPUS := $(BUILD)/fuzz-corpus
# make check's bounded run: about 20 s on one core of the reference
# machine, idle (each run allocates and frees a whole fixture, which is
# most of the time). `make fuzz` runs without a bound.
FUZZ_CHECK_ARGS := -runs=60000 -seed=1 -max_len=512

# -iquote: kernel headers such as sched.h must not shadow libc's <sched.h>.
HOST_INCLUDES := -iquote $(srctree)/tests/host/include -iquote $(srctree)/tests/host \
	-iquote $(srctree)/kernel/include -I$(srctree)/include/uapi -I$(BUILD)/include
HOST_WARN := -Wall -Wextra -Werror -Wno-unused-function
HOST_SAN := -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
HOST_CFLAGS := -std=gnu11 -g -O1 $(HOST_WARN) $(HOST_INCLUDES) -MMD -MP
FUZZ_SAN := -fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=all

# The kernel's flags: the core must build freestanding for the kernel.
CAPCORE_KERNEL_CFLAGS := -std=gnu11 -O2 -ffreestanding -fno-builtin -fno-pie -fno-pic -mno-red-zone \
	-mcmodel=kernel -mno-sse -mno-mmx -Wall -Wextra -Werror \
	-I$(srctree)/kernel/include -I$(srctree)/include/uapi -I$(BUILD)/include \
	-I$(srctree)/tests/host/include

host_obj = $(patsubst %.c,$(HOST_OUT)/obj/%.o,$(1))
fuzz_obj = $(patsubst %.c,$(HOST_OUT)/fuzz-obj/%.o,$(1))

HOST_LIB_OBJS := $(call host_obj,$(CAPCORE_SRCS) $(HOST_SUPPORT_SRCS))
FUZZ_LIB_OBJS := $(call fuzz_obj,$(CAPCORE_SRCS) tests/host/host_support.c)
CAPCORE_FREESTANDING_OBJS := $(patsubst %.c,$(HOST_OUT)/freestanding/%.o,$(CAPCORE_SRCS))

.PHONY: host-tests host-check fuzz fuzz-check capcore-freestanding

host-tests: $(HOST_TESTS) $(FUZZ_BIN)

# Run every test; stop at the end with a non-zero status on any failure.
host-check: $(HOST_TESTS)
	$(Q)fail=0; for t in $(HOST_TESTS); do \
		echo "# $$t"; $$t || fail=1; \
	done; exit $$fail

fuzz: $(FUZZ_BIN)
	$(Q)mkdir -p $(FUZZ_CORPUS)
	$(FUZZ_BIN) -max_len=512 $(FUZZ_CORPUS)

fuzz-check: $(FUZZ_BIN)
	$(FUZZ_BIN) $(FUZZ_CHECK_ARGS)

capcore-freestanding: $(CAPCORE_FREESTANDING_OBJS)

$(HOST_OUT)/obj/%.o: $(srctree)/%.c $(HOST_AUTOCONF)
	$(Q)mkdir -p $(dir $@)
	$(if $(Q),@echo "  HOSTCC  $@")
	$(Q)$(HOSTCC) $(HOST_CFLAGS) $(HOST_SAN) -c $< -o $@

$(HOST_OUT)/fuzz-obj/%.o: $(srctree)/%.c $(HOST_AUTOCONF)
	$(Q)mkdir -p $(dir $@)
	$(if $(Q),@echo "  FUZZCC  $@")
	$(Q)$(HOSTCC) $(HOST_CFLAGS) $(FUZZ_SAN) -c $< -o $@

$(HOST_OUT)/freestanding/%.o: $(srctree)/%.c $(HOST_AUTOCONF)
	$(Q)mkdir -p $(dir $@)
	$(if $(Q),@echo "  KCC     $@")
	$(Q)$(KERNEL_CC) $(CAPCORE_KERNEL_CFLAGS) -MMD -MP -c $< -o $@

$(HOST_TESTS): $(HOST_OUT)/%: $(HOST_OUT)/obj/tests/host/%.o $(HOST_LIB_OBJS)
	$(if $(Q),@echo "  HOSTLD  $@")
	$(Q)$(HOSTCC) $(HOST_SAN) $^ -o $@

$(FUZZ_BIN): $(HOST_OUT)/fuzz-obj/tests/host/fuzz_cap.o $(FUZZ_LIB_OBJS)
	$(if $(Q),@echo "  FUZZLD  $@")
	$(Q)$(HOSTCC) -fsanitize=fuzzer,address,undefined $^ -o $@

# Standalone use: make the Kconfig header from the default config.
# (The top-level Makefile has its own rule for it.)
ifeq ($(notdir $(firstword $(MAKEFILE_LIST))),host.mk)
$(HOST_AUTOCONF):
	$(Q)mkdir -p $(dir $@)
	$(Q)cp $(srctree)/configs/x86_64_defconfig $(BUILD)/.config
	$(Q)KCONFIG_CONFIG=$(BUILD)/.config CAIRN_VERSION=0.1 /usr/bin/python3 -m olddefconfig $(srctree)/Kconfig >/dev/null
	$(Q)KCONFIG_CONFIG=$(BUILD)/.config CAIRN_VERSION=0.1 /usr/bin/python3 -m genconfig \
		--header-path $@ $(srctree)/Kconfig
endif

-include $(shell find $(HOST_OUT) -name '*.d' 2>/dev/null)

# Seed corpora and make check's bounded fuzzing runs, for every fuzzer's
# .mk: $(call fuzz_check_args,RUNS,MAX_LEN,CORPUS_DIR) is RUNS runs from
# the corpus's files (read, not written) with a fixed seed.
fuzz_comma := ,
fuzz_empty :=
fuzz_space := $(fuzz_empty) $(fuzz_empty)
fuzz_seed_list = $(subst $(fuzz_space),$(fuzz_comma),$(strip $(sort $(wildcard $(1)/*))))
fuzz_seed_inputs = $(if $(wildcard $(1)/*),-seed_inputs=$(call fuzz_seed_list,$(1)))
fuzz_check_args = -runs=$(strip $(1)) -seed=1 -max_len=$(strip $(2)) -timeout=10 \
	$(call fuzz_seed_inputs,$(strip $(3)))
