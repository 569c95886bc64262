/*
 * arch_inline.h - the x86_64 side of the hot paths (IPC fastpath and
 * context switch), inline so that a switch costs a handful of moves.
 */
#ifndef CAIRN_ARCH_INLINE_H
#define CAIRN_ARCH_INLINE_H

#include <stdint.h>
#include "arch_context.h"
#include "cpu_local.h"

/* The TSS's rsp0 field (gdt.c); the TSS layout leaves it unaligned. */
struct unaligned_u64 {
	uint64_t v;
} __attribute__((packed));
extern struct unaligned_u64 *const tss_rsp0;

/* Make c the context the next return to user mode enters. */
static inline void arch_set_user_context(struct arch_context *c)
{
	uint64_t top = (uint64_t)&c->fs_base; /* just past ss */
	cpu0.context_top = top;
	cpu0.context_base = (uint64_t)c;
	tss_rsp0->v = top;
}

/* Switch to the page tables at root, unless they are already active. */
static inline void arch_vspace_activate(uint64_t root)
{
	uint64_t cur;
	__asm__ volatile("mov %%cr3, %0" : "=r"(cur));
	if (cur != root)
		__asm__ volatile("mov %0, %%cr3" : : "r"(root) : "memory");
}

/*
 * Ordering for kernel_debug's seqlock (kernel/include/debug_state.h),
 * against a reader outside the guest. x86 keeps stores in program order
 * (TSO), so only the compiler has to be kept from moving them.
 */
static inline void arch_store_barrier(void)
{
	__asm__ volatile("" ::: "memory");
}

static inline void arch_store_release_u64(uint64_t *p, uint64_t v)
{
	__asm__ volatile("" ::: "memory");
	*(volatile uint64_t *)p = v;
}

#endif
