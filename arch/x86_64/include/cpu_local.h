/*
 * cpu_local.h - per-CPU data reached through %gs while in the kernel.
 * Offsets are used by entry.S; the static asserts in cpu.c keep them true.
 */
#ifndef CAIRN_CPU_LOCAL_H
#define CAIRN_CPU_LOCAL_H

#define CPU_KERNEL_STACK 0  /* top of the kernel stack */
#define CPU_USER_RSP 8      /* scratch: user rsp during syscall entry */
#define CPU_CONTEXT_TOP 16  /* &current->ctx.ss + 8: where entries save */
#define CPU_CONTEXT_BASE 24 /* &current->ctx: what the exit restores */

#ifndef __ASSEMBLY__
#include <stdint.h>
struct arch_context;

struct cpu_local {
	uint64_t kernel_stack;
	uint64_t user_rsp;
	uint64_t context_top;
	uint64_t context_base;
};

extern struct cpu_local cpu0;
#endif

#endif
