/*
 * arch_pte.h - one AArch64 translation-table descriptor (VMSAv8-64,
 * 4 KiB granule), as kernel/pagetable.c builds and reads them for user
 * space (TTBR0).
 */
#ifndef CAIRN_ARCH_PTE_H
#define CAIRN_ARCH_PTE_H

#include <stdint.h>
#include <stdbool.h>
#include "aarch64.h"

#define PTE_TABLE_DESC (PTE_VALID | PTE_TABLE)

static inline bool arch_pte_present(uint64_t e)
{
	return e & PTE_VALID;
}

/* Does this entry (above the last level) point to a further table? */
static inline bool arch_pte_is_table(uint64_t e)
{
	return (e & PTE_TABLE_DESC) == PTE_TABLE_DESC;
}

static inline uint64_t arch_pte_address(uint64_t e)
{
	return e & PTE_ADDR;
}

static inline bool arch_pte_writable(uint64_t e)
{
	return !(e & PTE_AP_RO);
}

static inline uint64_t arch_pte_table(uint64_t table)
{
	return table | PTE_TABLE_DESC;
}

/* A page descriptor for frame (paging.c: it also makes new code visible
 * to instruction fetch). */
uint64_t arch_pte_page(uint64_t frame, unsigned attrs);

/* Make an entry visible to the table walker before anything else. */
static inline void arch_pte_store(uint64_t *e, uint64_t v)
{
	*(volatile uint64_t *)e = v;
	__asm__ volatile("dsb ishst" ::: "memory");
}

static inline void arch_tlb_flush_user_page(uint64_t va)
{
	tlb_flush_user_page(va);
}

static inline void arch_tlb_flush_user(void)
{
	tlb_flush_user();
}

#endif
