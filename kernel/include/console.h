/*
 * console.h - console input for DEBUG_GETC: bytes from the UART's
 * receive interrupt go to a small ring; one task may wait for a byte.
 * (Temporary: a user-space serial driver will take this over.)
 */
#ifndef CAIRN_CONSOLE_H
#define CAIRN_CONSOLE_H

#include "task.h"

#define CONSOLE_RING_SIZE 256

struct console_input {
	uint8_t ring[CONSOLE_RING_SIZE];
	uint32_t head, count;
	struct task_queue waiters; /* tasks blocked in DEBUG_GETC */
};

extern struct console_input console_input;

/* Arch code calls this from the UART interrupt. */
void console_input_irq(void);
/* Next byte, or -1 when none is buffered. */
int console_input_take(void);

#endif
