/*
 * cpu_local.h - per-CPU data reached through %gs while in the kernel.
 * Offsets are used by trapentry.S; the static asserts in user.c keep them true.
 */
#ifndef CAIRN_CPU_LOCAL_H
#define CAIRN_CPU_LOCAL_H

#define CPU_KERNEL_STACK 0  /* top of the kernel stack */
#define CPU_USER_RSP 8      /* scratch: user rsp during syscall entry */
#define CPU_CONTEXT_TOP 16  /* &current->ctx.ss + 8: where entries save */
#define CPU_CONTEXT_BASE 24 /* &current->ctx: what the exit restores */
#define CPU_SYSCALL_CALLER 32 /* the task whose system call is running */

#ifndef __ASSEMBLY__
#include <stdint.h>
struct arch_context;

struct cpu_local {
	uint64_t kernel_stack;
	uint64_t user_rsp;
	uint64_t context_top;
	uint64_t context_base;
	uint64_t syscall_caller;
};

extern struct cpu_local cpu0;
#endif

#endif
