/*
 * arch_inline.h - the AArch64 side of the hot paths (IPC fastpath and
 * context switch), inline so that a switch costs a few instructions.
 */
#ifndef CAIRN_ARCH_INLINE_H
#define CAIRN_ARCH_INLINE_H

#include <stdint.h>
#include "arch_context.h"
#include "cpu_local.h"

/* Make c the context the next return to user mode enters. */
static inline void arch_set_user_context(struct arch_context *c)
{
	__asm__ volatile("msr tpidr_el1, %0" : : "r"(c) : "memory");
}

/*
 * Switch TTBR0 to the tables at root, unless they are already active.
 * Every user mapping is tagged with ASID 0, so the old space's entries
 * are dropped here (kernel mappings are global and stay). Under TCG an
 * ASID change flushes QEMU's TLB anyway, so per-VSpace ASIDs would buy
 * nothing there; on hardware they would save refills.
 */
static inline void arch_vspace_activate(uint64_t root)
{
	uint64_t cur;
	__asm__ volatile("mrs %0, ttbr0_el1" : "=r"(cur));
	if (cur != root)
		__asm__ volatile("msr ttbr0_el1, %0\n\t"
				 "isb\n\t"
				 "tlbi aside1, xzr\n\t"
				 "dsb nsh\n\t"
				 "isb" : : "r"(root) : "memory");
}

/*
 * Ordering for kernel_debug's seqlock (kernel/include/debug_state.h),
 * against a reader outside the guest, as Linux's write_seqcount_begin
 * and _end: a store barrier after the odd value (so no later store is
 * seen before it) and a release store for the even one (so it is seen
 * after every store before it).
 */
static inline void arch_store_barrier(void)
{
	__asm__ volatile("dmb ishst" ::: "memory");
}

static inline void arch_store_release_u64(uint64_t *p, uint64_t v)
{
	__asm__ volatile("stlr %1, %0" : "=Q"(*p) : "r"(v) : "memory");
}

#endif
