/*
 * arch_context.h - a task's saved user-mode registers on x86_64.
 *
 * The layout is exactly what an entry from user mode pushes: the CPU's
 * interrupt frame (rip..ss) below fs_base, then the vector and error code
 * the stubs push, then the general registers. While a task runs, the
 * TSS's rsp0 and the syscall entry's stack point just past `ss` of its
 * context, so registers are saved straight into the task (as seL4 does)
 * and the kernel itself runs on one kernel stack.
 */
#ifndef CAIRN_ARCH_CONTEXT_H
#define CAIRN_ARCH_CONTEXT_H

#include <stdint.h>

struct arch_context {
	/* Saved on every entry but a system call's, which leaves them in
	 * the CPU (C code preserves them) and stores them here only when it
	 * switches to another task (trapentry.S). */
	uint64_t r15, r14, r13, r12, rbx;
	uint64_t r11, rcx; /* a system call clobbers them: not saved by one */
	/* The arguments in their ABI order, so that handlers read them in
	 * place (arch_syscall_args). */
	uint64_t rbp, rdi, rsi, rdx, r10, r8, r9, rax;
	uint64_t vector, error;            /* the last fault or interrupt
					      (system calls leave them) */
	uint64_t rip, cs, rflags, rsp, ss; /* the CPU's interrupt frame */
	uint64_t fs_base;
} __attribute__((aligned(16))); /* the CPU 16-aligns rsp0 on entry: the
				   frame must end at &fs_base exactly */

/*
 * Register accessors for generic code (syscall arguments, results,
 * setting up a new task). x86_64 convention: number in rax, arguments in
 * rdi, rsi, rdx, r10, r8, r9; results in rax (error), rdi, rsi, rdx, r10,
 * r8, r9 (returned words).
 */
#define ARCH_SYSCALL_ARGS 6
#define ARCH_IRQ_LINES 16
#define ARCH_IRQ_CONSOLE 4 /* COM1 */
#define ARCH_BOOTINFO_ID 1 /* CAIRN_ARCH_X86_64 in the boot info */
/* What arch_trigger_test_exception raises (#UD) and the handler sees. */
#define ARCH_TEST_EXCEPTION_VECTOR 6
/* Back from a return address into its call instruction (backtrace()). */
#define ARCH_CALL_BACKUP 1
/*
 * End of user space: one page below the first non-canonical address
 * (0x0000800000000000), as in Linux. Nothing can be mapped in that last
 * page, so the address after a `syscall` instruction (the return rip)
 * is always canonical and iretq never faults in the kernel.
 */
#define ARCH_USER_TOP 0x00007FFFFFFFF000ull

static inline uint64_t arch_syscall_number(const struct arch_context *c)
{
	return c->rax;
}

static inline uint64_t *arch_syscall_arg_slot(struct arch_context *c, unsigned i)
{
	switch (i) {
	case 0: return &c->rdi;
	case 1: return &c->rsi;
	case 2: return &c->rdx;
	case 3: return &c->r10;
	case 4: return &c->r8;
	default: return &c->r9;
	}
}

/* Result word i: the results come back in the argument registers. */
static inline uint64_t *arch_syscall_result_slot(struct arch_context *c, unsigned i)
{
	return arch_syscall_arg_slot(c, i);
}

/* The argument words, in place: rdi, rsi, rdx, r10, r8, r9 follow each
 * other in the context (static asserts in user.c). */
static inline const uint64_t *arch_syscall_args(const struct arch_context *c)
{
	return &c->rdi;
}

/* Set a message's result registers: error, badge, info, words 0..3. */
static inline void arch_set_message_result(struct arch_context *c, uint64_t badge,
					   uint64_t info, const uint64_t *w)
{
	c->rax = 0;
	c->rdi = badge;
	c->rsi = info;
	c->rdx = w[0];
	c->r10 = w[1];
	c->r8 = w[2];
	c->r9 = w[3];
}

static inline uint64_t arch_syscall_arg(const struct arch_context *c, unsigned i)
{
	return *arch_syscall_arg_slot((struct arch_context *)c, i);
}

static inline void arch_syscall_set_error(struct arch_context *c, uint64_t err)
{
	c->rax = err;
}

static inline uint64_t arch_context_ip(const struct arch_context *c)
{
	return c->rip;
}

static inline uint64_t arch_context_sp(const struct arch_context *c)
{
	return c->rsp;
}

static inline void arch_context_set_ip(struct arch_context *c, uint64_t v)
{
	c->rip = v;
}

static inline void arch_context_set_sp(struct arch_context *c, uint64_t v)
{
	c->rsp = v;
}

/* Argument registers of a task's entry: rdi, rsi. */
static inline uint64_t arch_context_arg(const struct arch_context *c, unsigned i)
{
	return i == 0 ? c->rdi : c->rsi;
}

static inline void arch_context_set_arg(struct arch_context *c, unsigned i, uint64_t v)
{
	if (i == 0)
		c->rdi = v;
	else
		c->rsi = v;
}

#endif
