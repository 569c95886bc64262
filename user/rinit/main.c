/*
 * main.c - rinit, the root task: check boot info, say where a child's
 * entry point and stack are, and run the shell on the console.
 */
#include "bootinfo.h"
#include "child.h"
#include "console.h"
#include "lineedit.h"
#include "serial.h"
#include "shell.h"
#include "start.h"
#include "syscall.h"
#include "uthread.h"

typedef unsigned long long ull;

static struct slot_alloc slots;
static struct ut_alloc untyped;
static struct shell shell;
static struct lineedit editor;

/* Echo typed characters at once: the console buffers up to a newline. */
static void echo_sink(void *arg, const char *s, size_t n)
{
	(void)arg;
	console_write(s, n);
	console_flush();
}

static bool user_driver; /* console input from serial.c's driver */

/* One console byte, or -1 when console input does not work. */
static int read_char(void)
{
	if (user_driver)
		return serial_getc();
	for (;;) {
		int ch, err = cairn_debug_getc(0, &ch);

		if (!err)
			return ch;
		if (err != CAIRN_ERR_WOULD_BLOCK) {
			printf("rinit: console input failed: %s\n", cairn_strerror(err));
			return -1;
		}
		cairn_yield(); /* a kernel that only polls: let others run */
	}
}

static void run_shell(void)
{
	lineedit_init(&editor, echo_sink, NULL);
	while (!shell.quit) {
		enum lineedit_result r;
		int ch;

		printf("rinit> ");
		console_flush();
		lineedit_reset(&editor);
		do {
			ch = read_char();
			if (ch < 0)
				return;
			r = lineedit_feed(&editor, ch);
		} while (r == LINEEDIT_MORE);
		if (r == LINEEDIT_DONE)
			shell_execute(&shell, editor.buf);
	}
}

int main(void *arg)
{
	const struct cairn_bootinfo *bi = arg ? arg : (const void *)(uintptr_t)CAIRN_BOOTINFO_VADDR;
	const char *problem;
	uintptr_t entry = (uintptr_t)child_main, sp = child_stack_pointer();

	problem = bootinfo_adopt(bi);
	if (problem) {
		printf("rinit: %s; stopping\n", problem);
		return 1;
	}
	slot_alloc_init_bootinfo(&slots, bi);
	slot_alloc_set(&slots, RINIT_CHILD_TASK_SLOT, true); /* kept for `start child` */
	slot_alloc_set(&slots, RINIT_CHILD_RECV_SLOT, true);  /* the child's */
	ut_alloc_init_bootinfo(&untyped, &slots, bi);
	shell_init(&shell, console_sink, NULL, bi, &slots, &untyped);
	shell.child_entry = entry;
	shell.child_sp = sp;

	/* The driver's caps are rinit's own: note which slots it takes. */
	struct slot_alloc before = slots;
	uint64_t own[SERIAL_MAX_OWN];
	unsigned own_count = 0;
	int err = serial_start(bi, &untyped, own, &own_count);
	user_driver = !err;
	if (!err) {
		for (unsigned i = 0; i < own_count; i++)
			shell_mark_own(&shell, own[i]);
		for (uint64_t s = 0; s < slots.count; s++)
			if (slot_alloc_is_used(&slots, s) && !slot_alloc_is_used(&before, s))
				shell_mark_own(&shell, s);
	}
	if (err)
		printf("rinit: no user-space serial driver (%s); reading the console "
		       "through the kernel\n", cairn_strerror(err));
	printf("rinit: Cairn %.*s, %u initial caps, root CPool of %u slots\n",
	       (int)sizeof(bi->kernel_version), bi->kernel_version, bi->slot_count,
	       1u << bi->root_cpool_bits);
	printf("Child entry should be at: 0x%llx (%llu)\n", (ull)entry, (ull)entry);
	printf("Child stack pointer should be at: 0x%llx (%llu)\n", (ull)sp, (ull)sp);
	printf("Type 'help' for commands.\n");
	run_shell();
	/* No console input: keep the child (and others) running. */
	cairn_task_suspend(CAIRN_SLOT_ROOT_TASK);
	return 0;
}
