# user/demo/demo.mk - the monitor demo root task, $(DEMO_ELF): a load
# that runs forever for kdbg-top to watch (CONFIG_ROOT_TASK_DEMO).
# Included by the top-level Makefile after user/user.mk (whose rules
# and libuser.a it uses).
DEMO_SRCS := $(wildcard user/demo/*.c)
DEMO_OBJS := $(patsubst user/%.c,$(USER_OBJ)/%.o,$(DEMO_SRCS))
DEMO_ELF := $(BUILD)/user/demo.elf

$(DEMO_ELF): $(USER_CRT0) $(DEMO_OBJS) $(USER_LIB) user/lib/user.ld
	$(call msg,LD,$@)
	$(Q)$(USER_CC) $(USER_CFLAGS) $(USER_LDFLAGS) -o $@ $(USER_CRT0) $(DEMO_OBJS) \
		$(USER_LIB) -lgcc

-include $(wildcard $(USER_OBJ)/demo/*.d)
