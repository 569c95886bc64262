/*
 * paging.c - user address spaces on x86_64 (4-level paging).
 *
 * A VSpace is a PML4 page; PageTable objects become PDPTs, PDs or PTs
 * depending on where user space installs them (the highest missing level,
 * as seL4 does with its paging structures); Pages are 4 KiB frames. The
 * upper half of every PML4 is copied from the kernel's, so the kernel is
 * mapped in every address space.
 */
#include "kernel.h"
#include "arch.h"
#include "mem.h"
#include "x86.h"

#define PTE_P (1ull << 0)
#define PTE_W (1ull << 1)
#define PTE_U (1ull << 2)
#define PTE_PWT (1ull << 3) /* with PCD and the default PAT: uncached */
#define PTE_PCD (1ull << 4)
#define PTE_PS (1ull << 7)
#define PTE_NX (1ull << 63)
#define PTE_ADDR 0x000FFFFFFFFFF000ull
#define ENTRIES 512
#define KERNEL_HALF 256 /* PML4 entries from here up are the kernel's */

extern uint64_t boot_pml4[ENTRIES];

static uint64_t *table_at(paddr_t pa)
{
	return phys_to_virt(pa);
}

/* Index of va in the table at `level` (4 = PML4 ... 1 = PT). */
static unsigned index_at(vaddr_t va, unsigned level)
{
	return (va >> (12 + 9 * (level - 1))) & (ENTRIES - 1);
}

static bool user_page_ok(vaddr_t va)
{
	return IS_ALIGNED(va, PAGE_SIZE) && va < ARCH_USER_TOP;
}

void arch_vspace_init(paddr_t root)
{
	uint64_t *pml4 = table_at(root);
	memset(pml4, 0, PAGE_SIZE / 2);
	for (unsigned i = KERNEL_HALF; i < ENTRIES; i++)
		pml4[i] = boot_pml4[i];
}

/*
 * Walk from the root towards va. Returns the entry at the lowest level
 * reached: stops at `stop_level`, or earlier at a missing table
 * (*level_out says which level's table holds the returned entry).
 */
static uint64_t *walk(paddr_t root, vaddr_t va, unsigned stop_level,
		      unsigned *level_out)
{
	uint64_t *table = table_at(root);
	unsigned level = 4;
	for (;;) {
		uint64_t *e = &table[index_at(va, level)];
		if (level == stop_level || !(*e & PTE_P) || (*e & PTE_PS)) {
			*level_out = level;
			return e;
		}
		table = table_at(*e & PTE_ADDR);
		level--;
	}
}

enum arch_map_result arch_vspace_map_table(paddr_t root, vaddr_t va,
					   paddr_t table, unsigned *level)
{
	if (va >= ARCH_USER_TOP)
		return ARCH_MAP_BAD_ADDR;
	unsigned at;
	uint64_t *e = walk(root, va, 2, &at);
	if (*e & PTE_P)
		return ARCH_MAP_EXISTS; /* every level down to the PT exists */
	memset(table_at(table), 0, PAGE_SIZE);
	*e = table | PTE_P | PTE_W | PTE_U;
	*level = at - 1;
	return ARCH_MAP_OK;
}

enum arch_map_result arch_vspace_unmap_table(paddr_t root, vaddr_t va,
					     paddr_t table, unsigned level)
{
	if (va >= ARCH_USER_TOP || level < 1 || level > 3)
		return ARCH_MAP_BAD_ADDR;
	unsigned at;
	uint64_t *e = walk(root, va, level + 1, &at);
	if (at != level + 1 || !(*e & PTE_P) || (*e & PTE_ADDR) != table)
		return ARCH_MAP_NOT_MAPPED;
	*e = 0;
	write_cr3(read_cr3()); /* flush: the table may have held mappings */
	return ARCH_MAP_OK;
}

enum arch_map_result arch_vspace_map_page(paddr_t root, vaddr_t va,
					  paddr_t frame, unsigned attrs)
{
	if (!user_page_ok(va) || !IS_ALIGNED(frame, PAGE_SIZE))
		return ARCH_MAP_BAD_ADDR;
	unsigned at;
	uint64_t *e = walk(root, va, 1, &at);
	if (at != 1)
		return ARCH_MAP_NEED_TABLE;
	if (*e & PTE_P)
		return ARCH_MAP_EXISTS;
	*e = frame | PTE_P | PTE_U | (attrs & CAIRN_MAP_WRITE ? PTE_W : 0) |
	     (attrs & CAIRN_MAP_EXEC ? 0 : PTE_NX) |
	     (attrs & CAIRN_MAP_UNCACHED ? PTE_PCD | PTE_PWT : 0);
	return ARCH_MAP_OK;
}

enum arch_map_result arch_vspace_unmap_page(paddr_t root, vaddr_t va,
					    paddr_t frame)
{
	if (!user_page_ok(va))
		return ARCH_MAP_BAD_ADDR;
	unsigned at;
	uint64_t *e = walk(root, va, 1, &at);
	if (at != 1 || !(*e & PTE_P) || (*e & PTE_ADDR) != frame)
		return ARCH_MAP_NOT_MAPPED;
	*e = 0;
	__asm__ volatile("invlpg (%0)" : : "r"(va) : "memory");
	return ARCH_MAP_OK;
}

paddr_t arch_vspace_lookup(paddr_t root, vaddr_t va, bool *writable)
{
	if (va >= ARCH_USER_TOP)
		return 0;
	unsigned at;
	uint64_t *e = walk(root, ALIGN_DOWN(va, PAGE_SIZE), 1, &at);
	if (at != 1 || !(*e & PTE_P))
		return 0;
	if (writable)
		*writable = *e & PTE_W;
	return (*e & PTE_ADDR) + (va & (PAGE_SIZE - 1));
}

void arch_vspace_activate_if_current(paddr_t root, paddr_t fallback)
{
	if (read_cr3() == root)
		write_cr3(fallback);
}

paddr_t arch_kernel_vspace_root(void)
{
	return virt_to_phys(boot_pml4);
}
