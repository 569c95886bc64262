/*
 * child.c - a child rinit: waits on the channel in slot 255 and prints
 * every message, tagged as a kernel print line:
 *   [kernel] Userspace print: Received from master: 5
 * A received cap lands in RINIT_CHILD_RECV_SLOT; it is deleted before
 * the next receive so the slot is free again. One child at a time: it
 * runs on the single static stack below.
 */
#include "chanmsg.h"
#include "child.h"
#include "console.h"
#include "shell.h"
#include "syscall.h"
#include "uthread.h"

#define CHILD_MAX_ERRORS 3

static struct uthread_stack child_stack;
_Static_assert(sizeof(child_stack) == RINIT_CHILD_STACK_SIZE, "child.h is out of date");

uintptr_t child_stack_pointer(void)
{
	return uthread_stack_entry_sp(&child_stack);
}

void child_main(void)
{
	struct cairn_msg m;
	int errors = 0;

	/* The parent set rinit_child_boot when it configured the buffer. */
	uthread_init(&child_stack.thread,
		     (struct task_buffer *)(uintptr_t)rinit_child_boot.buffer_vaddr);
	console_set_tagged(1);
	for (;;) {
		struct cairn_cap_info c, *cp = NULL;
		char line[160];
		int err;

		(void)cairn_cap_delete(RINIT_CHILD_RECV_SLOT); /* SLOT_EMPTY is fine */
		err = cairn_chan_recv(CAIRN_SLOT_CHANNEL, RINIT_CHILD_RECV_SLOT, &m);
		if (err) {
			printf("Child: receive failed: %s\n", cairn_strerror(err));
			if (++errors == CHILD_MAX_ERRORS) {
				printf("Child: giving up after %d errors\n", errors);
				for (;;)
					cairn_yield();
			}
			continue;
		}
		errors = 0;
		if ((m.info & CAIRN_MSG_CAP) && cairn_cap_identify(m.cap, &c) == 0)
			cp = &c;
		chanmsg_describe(&m, cp, line, sizeof(line));
		printf("Received from master: %s\n", line);
	}
}
