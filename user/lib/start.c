/*
 * start.c - C side of crt0: the main thread's stack and state, and the
 * call to main(). main returns the program's exit status; as there is
 * no process to return to, the status ends the machine through
 * DEBUG_SHUTDOWN (the in-guest tests rely on that), or, if the kernel
 * refuses, the task suspends itself forever.
 */
#include <cairn/bootinfo.h>
#include "bootinfo.h"
#include "console.h"
#include "start.h"
#include "syscall.h"
#include "uthread.h"
#include "ustring.h"

/* Used by crt0.S, which points the stack at its top. */
struct uthread_stack __ulib_main_stack;

void uthread_init(struct uthread *t, struct task_buffer *tb)
{
	memset(t, 0, sizeof(*t));
	t->magic = UTHREAD_MAGIC;
	t->tb = tb;
}

struct uthread *uthread_current(void)
{
	struct uthread *t = uthread_self();

	if (t->magic != UTHREAD_MAGIC) {
		/* Stack overflow or a thread not on a uthread_stack: nothing
		 * below can be trusted, not even printing. */
		cairn_debug_shutdown(UTHREAD_CORRUPT_STATUS);
		for (;;)
			cairn_yield();
	}
	return t;
}

void __ulib_start(void *arg, struct task_buffer *tb) __attribute__((noreturn, used));

void __ulib_start(void *arg, struct task_buffer *tb)
{
	int status;

	uthread_init(&__ulib_main_stack.thread, tb);
	status = main(arg);
	console_flush();
	cairn_debug_shutdown(status);
	for (;;)
		cairn_yield();
}

const char *bootinfo_adopt(const struct cairn_bootinfo *bi)
{
	/* The boot info, not crt0's guess, says where our task buffer is;
	 * set it even for damaged boot info so the complaint can be printed. */
	if (bi && bi->magic == CAIRN_BOOTINFO_MAGIC)
		uthread_current()->tb = (struct task_buffer *)(uintptr_t)bi->task_buffer_vaddr;
	return bootinfo_check(bi);
}
