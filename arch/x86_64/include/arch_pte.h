/*
 * arch_pte.h - one x86_64 page-table entry, as kernel/pagetable.c
 * builds and reads them for user space.
 */
#ifndef CAIRN_ARCH_PTE_H
#define CAIRN_ARCH_PTE_H

#include <stdint.h>
#include <stdbool.h>
#include <cairn/syscalls.h>
#include "x86.h"

#define PTE_P (1ull << 0)
#define PTE_W (1ull << 1)
#define PTE_U (1ull << 2)
#define PTE_PWT (1ull << 3) /* with PCD and the default PAT: uncached */
#define PTE_PCD (1ull << 4)
#define PTE_PS (1ull << 7)  /* a large page, not a table */
#define PTE_NX (1ull << 63)
#define PTE_ADDR 0x000FFFFFFFFFF000ull

static inline bool arch_pte_present(uint64_t e)
{
	return e & PTE_P;
}

/* Does this entry (above the last level) point to a further table? */
static inline bool arch_pte_is_table(uint64_t e)
{
	return (e & PTE_P) && !(e & PTE_PS);
}

static inline uint64_t arch_pte_address(uint64_t e)
{
	return e & PTE_ADDR;
}

static inline bool arch_pte_writable(uint64_t e)
{
	return e & PTE_W;
}

/* Tables allow everything; the last level decides. */
static inline uint64_t arch_pte_table(uint64_t table)
{
	return table | PTE_P | PTE_W | PTE_U;
}

static inline uint64_t arch_pte_page(uint64_t frame, unsigned attrs)
{
	return frame | PTE_P | PTE_U | (attrs & CAIRN_MAP_WRITE ? PTE_W : 0) |
	       (attrs & CAIRN_MAP_EXEC ? 0 : PTE_NX) |
	       (attrs & CAIRN_MAP_UNCACHED ? PTE_PCD | PTE_PWT : 0);
}

static inline void arch_pte_store(uint64_t *e, uint64_t v)
{
	*e = v;
}

static inline void arch_tlb_flush_user_page(uint64_t va)
{
	__asm__ volatile("invlpg (%0)" : : "r"(va) : "memory");
}

/* Reloading CR3 drops every non-global entry: all of user space. */
static inline void arch_tlb_flush_user(void)
{
	write_cr3(read_cr3());
}

#endif
