/* console.c - buffered console input and DEBUG_GETC waiters (console.h). */
#include "console.h"
#include "arch.h"
#include "sched.h"
#include "syscall.h"

struct console_input console_input;

int console_input_take(void)
{
	struct console_input *ci = &console_input;
	if (!ci->count) {
		int c = arch_console_getc(); /* polled: works before the IRQ */
		return c;
	}
	int c = ci->ring[ci->head];
	ci->head = (ci->head + 1) % CONSOLE_RING_SIZE;
	ci->count--;
	return c;
}

void console_input_irq(void)
{
	struct console_input *ci = &console_input;
	int c;
	while ((c = arch_console_getc()) >= 0) {
		struct task *t = ci->waiters.head;
		if (t) { /* hand it straight to the oldest waiter */
			task_queue_remove(t);
			task_set_error(t, CAIRN_ERR_OK);
			sys_result_debug_getc_ch(t, (uint64_t)c);
			t->queue = NULL;
			sched_make_ready(t);
			continue;
		}
		if (ci->count == CONSOLE_RING_SIZE)
			continue; /* nobody reading: drop, as a UART would */
		ci->ring[(ci->head + ci->count) % CONSOLE_RING_SIZE] = (uint8_t)c;
		ci->count++;
	}
}
