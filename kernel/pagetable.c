/*
 * pagetable.c - see pagetable.h. The walk, and the rules for installing
 * and removing tables and pages, are the same on every arch; arch_pte.h
 * says how an entry is encoded, written and dropped from the TLB.
 *
 * PageTable objects become whichever level is missing highest up where
 * user space installs them (as seL4 does with its paging structures);
 * pages are 4 KiB frames.
 */
#include "pagetable.h"
#include "arch.h"
#include "arch_pte.h" /* the one arch header outside arch.h (see there) */
#include "mem.h"

#define ENTRIES 512

static uint64_t *table_at(paddr_t pa)
{
	return phys_to_virt(pa);
}

/* Index of va in the table at `level` (4 = root ... 1 = last). */
static unsigned index_at(vaddr_t va, unsigned level)
{
	return (va >> (PAGE_BITS + 9 * (level - 1))) & (ENTRIES - 1);
}

static bool user_page_ok(vaddr_t va)
{
	return IS_ALIGNED(va, PAGE_SIZE) && va < ARCH_USER_TOP;
}

/*
 * Walk from the root towards va. Returns the entry at the lowest level
 * reached: stops at `stop_level`, or earlier where no table continues
 * the walk (*level_out says which level's table holds the entry).
 */
static uint64_t *walk(paddr_t root, vaddr_t va, unsigned stop_level, unsigned *level_out)
{
	uint64_t *table = table_at(root);
	unsigned level = PT_LEVELS;
	for (;;) {
		uint64_t *e = &table[index_at(va, level)];
		if (level == stop_level || !arch_pte_is_table(*e)) {
			*level_out = level;
			return e;
		}
		table = table_at(arch_pte_address(*e));
		level--;
	}
}

enum pt_result pt_map_table(paddr_t root, vaddr_t va, paddr_t table, unsigned *level)
{
	if (va >= ARCH_USER_TOP)
		return PT_BAD_ADDR;
	unsigned at;
	uint64_t *e = walk(root, va, 2, &at);
	if (arch_pte_present(*e))
		return PT_EXISTS; /* every level down to the last exists */
	memset(table_at(table), 0, PAGE_SIZE);
	arch_pte_store(e, arch_pte_table(table));
	*level = at - 1;
	return PT_OK;
}

enum pt_result pt_unmap_table(paddr_t root, vaddr_t va, paddr_t table, unsigned level)
{
	if (va >= ARCH_USER_TOP || level < 1 || level > PT_TABLES_BELOW_ROOT)
		return PT_BAD_ADDR;
	unsigned at;
	uint64_t *e = walk(root, va, level + 1, &at);
	if (at != level + 1 || !arch_pte_present(*e) || arch_pte_address(*e) != table)
		return PT_NOT_MAPPED;
	arch_pte_store(e, 0);
	arch_tlb_flush_user(); /* the table may have held many mappings */
	return PT_OK;
}

enum pt_result pt_map_page(paddr_t root, vaddr_t va, paddr_t frame, unsigned attrs)
{
	if (!user_page_ok(va) || !IS_ALIGNED(frame, PAGE_SIZE))
		return PT_BAD_ADDR;
	unsigned at;
	uint64_t *e = walk(root, va, 1, &at);
	if (at != 1)
		return PT_NEED_TABLE;
	if (arch_pte_present(*e))
		return PT_EXISTS;
	arch_pte_store(e, arch_pte_page(frame, attrs));
	return PT_OK;
}

enum pt_result pt_unmap_page(paddr_t root, vaddr_t va, paddr_t frame)
{
	if (!user_page_ok(va))
		return PT_BAD_ADDR;
	unsigned at;
	uint64_t *e = walk(root, va, 1, &at);
	if (at != 1 || !arch_pte_present(*e) || arch_pte_address(*e) != frame)
		return PT_NOT_MAPPED;
	arch_pte_store(e, 0);
	arch_tlb_flush_user_page(va);
	return PT_OK;
}

paddr_t pt_lookup(paddr_t root, vaddr_t va, bool *writable)
{
	if (va >= ARCH_USER_TOP)
		return 0;
	unsigned at;
	uint64_t *e = walk(root, ALIGN_DOWN(va, PAGE_SIZE), 1, &at);
	if (at != 1 || !arch_pte_present(*e))
		return 0;
	if (writable)
		*writable = arch_pte_writable(*e);
	return arch_pte_address(*e) + (va & (PAGE_SIZE - 1));
}
