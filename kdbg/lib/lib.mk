# kdbg/lib/lib.mk - kread, the kernel-state reader for host tools
# (kdbg-top, the gdbserver), and kread-dump, its command-line front end.
#
#   $(KREAD_LIB)        $(BUILD)/host/kread/libkread.a
#   $(KREAD_DUMP)       $(BUILD)/host/kread/kread-dump  (ELF + core/RAM -> JSON)
#   $(KREAD_DUMP_ASAN)  the same with ASan/UBSan (`make kread-asan`)
#
# Users compile with $(KREAD_CFLAGS) and link $(KREAD_LIB) $(KREAD_LDLIBS).
# Host code: built with the host's cc whatever the kernel's ARCH, because
# one library reads both arches' kernels.

KREAD_CC := cc
KREAD_DIR := $(BUILD)/host/kread
KREAD_LIB := $(KREAD_DIR)/libkread.a
KREAD_DUMP := $(KREAD_DIR)/kread-dump
KREAD_DUMP_ASAN := $(KREAD_DIR)/asan/kread-dump
KREAD_CFLAGS := -Ikdbg/lib -Iinclude/uapi
KREAD_LDLIBS := $(or $(shell pkg-config --libs libdw jansson 2>/dev/null),-ldw -lelf -ljansson)
KREAD_HOST_CFLAGS := -std=gnu11 -O2 -g -Wall -Wextra -Werror $(KREAD_CFLAGS) \
	$(shell pkg-config --cflags libdw jansson 2>/dev/null)
KREAD_ASAN_FLAGS := -fsanitize=address,undefined -fno-omit-frame-pointer \
	-fno-sanitize-recover=all

KREAD_SRCS := $(addprefix kdbg/lib/,elf.c dwarf.c mem.c reader.c util.c snapshot.c \
	decode.c json.c context.c)
KREAD_OBJS := $(patsubst kdbg/lib/%.c,$(KREAD_DIR)/obj/%.o,$(KREAD_SRCS))
KREAD_ASAN_OBJS := $(patsubst kdbg/lib/%.c,$(KREAD_DIR)/asan/%.o,$(KREAD_SRCS) \
	kdbg/lib/tools/kread-dump.c)

$(KREAD_DIR)/obj/%.o: kdbg/lib/%.c
	$(call msg,HOSTCC,$@)
	$(Q)mkdir -p $(dir $@)
	$(Q)$(KREAD_CC) $(KREAD_HOST_CFLAGS) -MMD -MP -MF $@.d -c $< -o $@

$(KREAD_LIB): $(KREAD_OBJS)
	$(call msg,AR,$@)
	$(Q)rm -f $@
	$(Q)ar rcs $@ $^

$(KREAD_DUMP): $(KREAD_DIR)/obj/tools/kread-dump.o $(KREAD_LIB)
	$(call msg,HOSTLD,$@)
	$(Q)$(KREAD_CC) -o $@ $^ $(KREAD_LDLIBS)

$(KREAD_DIR)/asan/%.o: kdbg/lib/%.c
	$(call msg,HOSTCC,$@)
	$(Q)mkdir -p $(dir $@)
	$(Q)$(KREAD_CC) $(KREAD_HOST_CFLAGS) $(KREAD_ASAN_FLAGS) -MMD -MP -MF $@.d -c $< -o $@

$(KREAD_DUMP_ASAN): $(KREAD_ASAN_OBJS)
	$(call msg,HOSTLD,$@)
	$(Q)$(KREAD_CC) $(KREAD_ASAN_FLAGS) -o $@ $^ $(KREAD_LDLIBS)

# tests/lib-kread/test_seq.c: the seqlock logic through a callback source.
KREAD_TEST_SEQ := $(KREAD_DIR)/test-seq
$(KREAD_DIR)/obj/test_seq.o: tests/lib-kread/test_seq.c
	$(call msg,HOSTCC,$@)
	$(Q)mkdir -p $(dir $@)
	$(Q)$(KREAD_CC) $(KREAD_HOST_CFLAGS) -MMD -MP -MF $@.d -c $< -o $@

$(KREAD_TEST_SEQ): $(KREAD_DIR)/obj/test_seq.o $(KREAD_LIB)
	$(call msg,HOSTLD,$@)
	$(Q)$(KREAD_CC) -o $@ $^ $(KREAD_LDLIBS)

kread: $(KREAD_LIB) $(KREAD_DUMP) $(KREAD_TEST_SEQ)
kread-asan: $(KREAD_DUMP_ASAN)
.PHONY: kread kread-asan
all: $(KREAD_LIB) $(KREAD_DUMP)

-include $(wildcard $(KREAD_DIR)/obj/*.o.d $(KREAD_DIR)/obj/tools/*.o.d \
	$(KREAD_DIR)/asan/*.o.d $(KREAD_DIR)/asan/tools/*.o.d)
