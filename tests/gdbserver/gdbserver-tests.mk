# tests/gdbserver/gdbserver-tests.mk - kdbg-gdbserver's sturdiness: a
# libFuzzer target for its packet framing, and a TAP test of the real
# server against a fake QEMU gdbstub (tests/gdbserver/fake_qemu.py).
# Include after kdbg/gdbserver/gdbserver.mk and tests/host/host.mk
# (FUZZ_SAN, HOSTCC, host-tests).
#
#   $(GDBSERVER_FUZZ_BINS)  the fuzzers (built by host-tests); `make check`
#                           runs each with FUZZ_CHECK_ARGS_<its name>
#   make gdbserver-fuzz     fuzz the RSP framing (fuzz_rsp) until stopped
#   make gdbserver-test     tests/gdbserver/test_sturdy.py on
#                           $(KDBG_GDBSERVER) and $(BUILD)/cairn.elf

# ---- fuzzers -------------------------------------------------------------
# fuzz_rsp  bytes from a debugger or QEMU into rsp_feed(), byte by byte and
#           through peer.c over a socketpair; every packet re-framed with
#           rsp_frame() and decoded again; the hex helpers on each payload.
# Built with clang, libFuzzer, ASan and UBSan. Seeds, and every input that
# once found a bug: tests/gdbserver/fuzz-corpus/NAME/.
GDBSERVER_FUZZ_NAMES := rsp
GDBSERVER_FUZZ_DIR := $(BUILD)/host/gdbserver-fuzz
GDBSERVER_FUZZ_BINS := $(addprefix $(GDBSERVER_FUZZ_DIR)/fuzz_,$(GDBSERVER_FUZZ_NAMES))
GDBSERVER_FUZZ_CFLAGS := -std=gnu11 -g -O1 -Wall -Wextra -Werror -MMD -MP \
	-Ikdbg/lib -Ikdbg/gdbserver $(KREAD_CFLAGS) $(FUZZ_SAN) -fno-omit-frame-pointer
GDBSERVER_FUZZ_SRCS_rsp := kdbg/gdbserver/rsp.c kdbg/gdbserver/peer.c
# make check's bounded pass: a fixed seed, the seed corpus read (not
# written), a few seconds on the reference machine.
GDBSERVER_FUZZ_RUNS_rsp := 6000
GDBSERVER_FUZZ_MAXLEN_rsp := 8192
$(foreach n,$(GDBSERVER_FUZZ_NAMES),$(eval FUZZ_CHECK_ARGS_fuzz_$(n) = $$(call fuzz_check_args,\
	$$(GDBSERVER_FUZZ_RUNS_$(n)),$$(GDBSERVER_FUZZ_MAXLEN_$(n)),tests/gdbserver/fuzz-corpus/$(n))))

gdbserver_fuzz_obj = $(patsubst %.c,$(GDBSERVER_FUZZ_DIR)/obj/%.o,$(1))

$(GDBSERVER_FUZZ_DIR)/obj/%.o: %.c tests/gdbserver/gdbserver-tests.mk
	$(call msg,FUZZCC,$@)
	$(Q)mkdir -p $(dir $@)
	$(Q)$(HOSTCC) $(GDBSERVER_FUZZ_CFLAGS) -c -o $@ $<

define gdbserver_fuzz_rule
$(GDBSERVER_FUZZ_DIR)/fuzz_$(1): $(call gdbserver_fuzz_obj,tests/gdbserver/fuzz_$(1).c \
		$(GDBSERVER_FUZZ_SRCS_$(1)))
	$$(call msg,FUZZLD,$$@)
	$$(Q)$$(HOSTCC) -fsanitize=fuzzer,address,undefined -o $$@ $$(filter %.o,$$^)
endef
$(foreach n,$(GDBSERVER_FUZZ_NAMES),$(eval $(call gdbserver_fuzz_rule,$(n))))

host-tests: $(GDBSERVER_FUZZ_BINS)

gdbserver-fuzz: $(GDBSERVER_FUZZ_DIR)/fuzz_rsp
	$(Q)mkdir -p $(GDBSERVER_FUZZ_DIR)/corpus-rsp
	$(GDBSERVER_FUZZ_DIR)/fuzz_rsp -max_len=$(GDBSERVER_FUZZ_MAXLEN_rsp) \
		$(GDBSERVER_FUZZ_DIR)/corpus-rsp tests/gdbserver/fuzz-corpus/rsp

# ---- the server against a fake QEMU ------------------------------------------
gdbserver-test: $(KDBG_GDBSERVER) $(BUILD)/cairn.elf
	$(Q)$(PYTHON) tests/gdbserver/test_sturdy.py $(BUILD)
.PHONY: gdbserver-fuzz gdbserver-test

-include $(wildcard $(GDBSERVER_FUZZ_DIR)/obj/*/*/*.d)
