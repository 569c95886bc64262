/*
 * cpu_local.h - the little per-CPU state AArch64 needs, all in
 * registers: there is one CPU and one kernel stack.
 *
 *   TPIDR_EL1  the context the next return to user mode enters (and, once
 *              in user mode, the one the next entry saves into)
 *   SP_EL1     while in EL0: that same context, so vectors.S can store
 *              registers without a scratch register; in the kernel: the
 *              kernel stack
 */
#ifndef CAIRN_CPU_LOCAL_H
#define CAIRN_CPU_LOCAL_H

#define KERNEL_STACK_SIZE 16384

#ifndef __ASSEMBLY__
#include <stdint.h>
struct arch_context;

/* The one kernel stack (boot.S); its top is page aligned. */
extern char kernel_stack[], kernel_stack_top[];

static inline struct arch_context *cpu_user_context(void)
{
	struct arch_context *c;
	__asm__ volatile("mrs %0, tpidr_el1" : "=r"(c));
	return c;
}
#endif

#endif
