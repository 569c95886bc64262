# user/bench/bench.mk - the benchmark root task, $(BENCH_ELF).
# Included by the top-level Makefile after user/user.mk (whose rules
# and libuser.a it uses).
BENCH_SRCS := $(wildcard user/bench/*.c)
BENCH_OBJS := $(patsubst user/%.c,$(USER_OBJ)/%.o,$(BENCH_SRCS))
BENCH_ELF := $(BUILD)/user/bench.elf

$(BENCH_ELF): $(USER_CRT0) $(BENCH_OBJS) $(USER_LIB) user/lib/user.ld
	$(call msg,LD,$@)
	$(Q)$(USER_CC) $(USER_CFLAGS) $(USER_LDFLAGS) -o $@ $(USER_CRT0) $(BENCH_OBJS) \
		$(USER_LIB) -lgcc
