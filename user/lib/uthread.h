/*
 * uthread.h - per-thread state of a user program, found from the stack
 * pointer.
 *
 * Several threads may share one address space and one program image
 * (rinit's child runs rinit's own code), so per-thread state cannot be
 * a plain global. Every thread runs on a struct uthread_stack, aligned
 * to its size, with its struct uthread at the bottom: masking the
 * stack pointer finds it (as Linux once found thread_info). Overflowing
 * the stack would reach the struct first; its magic word catches that.
 */
#ifndef ULIB_UTHREAD_H
#define ULIB_UTHREAD_H

#define ULIB_STACK_BITS 14
#define ULIB_STACK_SIZE (1 << ULIB_STACK_BITS)

#ifndef __ASSEMBLER__

#include <stddef.h>
#include <stdint.h>
#include <cairn/syscalls.h>
#include "syscall_arch.h"

#define UTHREAD_MAGIC UINT64_C(0x6461657268747563) /* "cuthread" */
#define UTHREAD_LINE_MAX 256

struct uthread {
	uint64_t magic;
	struct task_buffer *tb; /* this thread's task buffer, NULL until known */
	unsigned print_flags;   /* DEBUG_PRINT flags for its console output */
	size_t line_len;        /* console output buffered until a newline */
	char line[UTHREAD_LINE_MAX];
};

struct uthread_stack {
	union {
		struct uthread thread;
		unsigned char bytes[ULIB_STACK_SIZE];
	};
} __attribute__((aligned(ULIB_STACK_SIZE)));

static inline struct uthread *uthread_self(void)
{
	return (struct uthread *)(arch_stack_pointer() & ~((uintptr_t)ULIB_STACK_SIZE - 1));
}

/*
 * The initial stack pointer for a thread entered directly at a C
 * function that never returns, on `st`: the stack top less
 * ARCH_ENTRY_SP_BIAS, which gives the alignment a function expects on
 * entry (x86_64: rsp = 8 mod 16, as if a call had pushed a return
 * address, here a zero word; AArch64: sp 16-aligned).
 */
static inline uintptr_t uthread_stack_entry_sp(struct uthread_stack *st)
{
	return (uintptr_t)(st + 1) - ARCH_ENTRY_SP_BIAS;
}

/* Prepare the struct at the bottom of `st` for a new thread. */
void uthread_init(struct uthread *t, struct task_buffer *tb);

/* The calling thread, checked (a smashed stack ends the task). */
struct uthread *uthread_current(void);

#endif /* __ASSEMBLER__ */
#endif
