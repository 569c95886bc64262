/* sys_debug.c - debug print, console input and shutdown system calls. */
#include "syscall.h"
#include "capcheck.h"
#include "console.h"
#include "log.h"
#include "root_task.h"
#include "sched.h"

int sys_debug_print(struct task *caller, const struct cairn_sys_debug_print_args *arg)
{
	struct task_buffer *tb = task_buffer_of(caller);
	uint64_t len = arg->len, flags = arg->flags;
	if (!tb)
		return CAIRN_ERR_ILLEGAL_OPERATION;
	if (len > CAIRN_DEBUG_PRINT_MAX)
		return CAIRN_ERR_RANGE;
	if (flags & ~(uint64_t)CAIRN_PRINT_TAGGED)
		return CAIRN_ERR_INVALID_ARGUMENT;
	/* Copy first: the task (or another sharing the page) may change it. */
	char text[CAIRN_DEBUG_PRINT_MAX];
	memcpy(text, tb->print, len);
	/* A tagged print is its own log line, even after a prompt that did
	 * not end its line. */
	bool line_start = true;
	if ((flags & CAIRN_PRINT_TAGGED) && len && kernel_log.head &&
	    kernel_log.buf[(kernel_log.head - 1) % LOG_BUF_SIZE] != '\n')
		log_putc('\n');
	for (uint64_t i = 0; i < len; i++) {
		if ((flags & CAIRN_PRINT_TAGGED) && line_start)
			kprintf("%s", CAIRN_DEBUG_PRINT_TAG);
		log_putc(text[i]);
		line_start = text[i] == '\n';
	}
	return CAIRN_ERR_OK;
}

int sys_debug_getc(struct task *caller, const struct cairn_sys_debug_getc_args *arg)
{
	uint64_t flags = arg->flags;
	if (flags & ~(uint64_t)CAIRN_GETC_NONBLOCK)
		return CAIRN_ERR_INVALID_ARGUMENT;
	int c = console_input_take();
	if (c >= 0) {
		sys_result_debug_getc_ch(caller, (uint64_t)c);
		return CAIRN_ERR_OK;
	}
	if (flags & CAIRN_GETC_NONBLOCK)
		return CAIRN_ERR_WOULD_BLOCK;
	/* Waiting for an interrupt-driven event: shown as BlockedNotification. */
	sched_block(caller, CAIRN_TASK_BLOCKED_NOTIFICATION, NULL);
	task_queue_append(&console_input.waiters, caller);
	return SYSCALL_BLOCKED;
}

int sys_debug_shutdown(struct task *caller, const struct cairn_sys_debug_shutdown_args *arg)
{
#ifdef CONFIG_ROOT_TASK_FUZZ
	/* The guest fuzzer's workers run with registers other workers set
	 * at random, so one can land on a system-call instruction with this
	 * call's number in place: only the root task (the coordinator) may
	 * end the run. Elsewhere any task may, as the tests rely on. */
	if (caller != root_task)
		return CAIRN_ERR_ILLEGAL_OPERATION;
#endif
	kprintf("[kernel] shutdown requested by task '%s' with status %lu\n",
		caller->hdr.name, arg->status);
	arch_shutdown((int)(arg->status & 0x7fffffff));
}

/* The name of the last checkpoint, for debuggers that stop later. */
char kdbg_checkpoint_name[CAIRN_CHECKPOINT_NAME_MAX + 1];

__attribute__((noinline)) void kdbg_checkpoint(const char *name)
{
	/* Nothing to do: this is where a debugger's breakpoint sits. */
	__asm__ volatile("" : : "r"(name) : "memory");
}

#ifdef CONFIG_DEBUG_ASSERTS
static void report_violation(void *arg, const char *msg)
{
	(void)arg;
	kprintf("[kernel] capcheck: %s\n", msg);
}
#endif

int sys_debug_checkpoint(struct task *caller, const struct cairn_sys_debug_checkpoint_args *arg)
{
	struct task_buffer *tb = task_buffer_of(caller);
	uint64_t len = arg->len;
	if (!tb)
		return CAIRN_ERR_ILLEGAL_OPERATION;
	if (len == 0 || len > CAIRN_CHECKPOINT_NAME_MAX)
		return CAIRN_ERR_RANGE;
	char name[CAIRN_CHECKPOINT_NAME_MAX + 1];
	memcpy(name, tb->print, len);
	name[len] = '\0';
	for (uint64_t i = 0; i < len; i++)
		if (name[i] < 0x21 || name[i] > 0x7e)
			return CAIRN_ERR_INVALID_ARGUMENT;
	memcpy(kdbg_checkpoint_name, name, len + 1);
#ifdef CONFIG_DEBUG_ASSERTS
	/* A deliberate stop is a good moment to check every invariant. */
	struct capcheck check = { .report = report_violation };
	if (capcheck_run(&check))
		kprintf("[kernel] checkpoint %s: %u capability invariant violations\n",
			name, check.violations);
	sys_result_debug_checkpoint_violations(caller, check.violations);
#else
	sys_result_debug_checkpoint_violations(caller, 0);
#endif
	kdbg_checkpoint(kdbg_checkpoint_name);
	return CAIRN_ERR_OK;
}
