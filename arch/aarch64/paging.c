/*
 * paging.c - user address spaces on AArch64: TTBR0, 48-bit virtual
 * addresses, 4 KiB granule, four levels.
 *
 * A VSpace is a level-0 table page; PageTable objects become level-1, 2
 * or 3 tables depending on where user space installs them (the highest
 * missing level, as on x86_64); Pages are 4 KiB frames. The kernel lives
 * in TTBR1, so a VSpace holds user mappings only. Levels are numbered as
 * in arch.h and on x86_64: 4 = the root (ARM level 0) ... 1 = the last
 * level, holding pages (ARM level 3).
 *
 * Entries are written with a barrier so the table walker sees them
 * before we return to user mode; removing one also drops it from the
 * TLB (all user entries use ASID 0; see arch_inline.h).
 */
#include "kernel.h"
#include "arch.h"
#include "mem.h"
#include "aarch64.h"
#include "aarch64_internal.h"

#define ENTRIES 512
#define PTE_TABLE_DESC (PTE_VALID | PTE_TABLE)
/* Every user page: accessible at EL0, never executable at EL1 (the
 * kernel never runs user code), tagged with the ASID. */
#define PTE_USER (PTE_VALID | PTE_PAGE | PTE_AP_EL0 | PTE_AF | PTE_NG | PTE_PXN)

static uint64_t *table_at(paddr_t pa)
{
	return phys_to_virt(pa);
}

/* Index of va in the table at `level` (4 = root ... 1 = last). */
static unsigned index_at(vaddr_t va, unsigned level)
{
	return (va >> (12 + 9 * (level - 1))) & (ENTRIES - 1);
}

static bool user_page_ok(vaddr_t va)
{
	return IS_ALIGNED(va, PAGE_SIZE) && va < ARCH_USER_TOP;
}

/* Make a table entry visible to the walker before anything else. */
static void publish(uint64_t *e, uint64_t v)
{
	*(volatile uint64_t *)e = v;
	__asm__ volatile("dsb ishst" ::: "memory");
}

void arch_vspace_init(paddr_t root)
{
	memset(table_at(root), 0, PAGE_SIZE); /* no kernel half to copy */
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
		if (level == stop_level || !(*e & PTE_VALID)) {
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
	if (*e & PTE_VALID)
		return ARCH_MAP_EXISTS; /* every level down to the last exists */
	memset(table_at(table), 0, PAGE_SIZE);
	publish(e, table | PTE_TABLE_DESC);
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
	if (at != level + 1 || !(*e & PTE_VALID) || (*e & PTE_ADDR) != table)
		return ARCH_MAP_NOT_MAPPED;
	publish(e, 0);
	tlb_flush_user(); /* the table may have held many mappings */
	return ARCH_MAP_OK;
}

/*
 * Code written through the direct map must reach the instruction side
 * before user space executes it: clean the data cache to the point of
 * unification, then invalidate the instruction cache.
 */
static void sync_icache(paddr_t frame)
{
	uint64_t ctr = read_sysreg(ctr_el0);
	uint64_t line = 4ull << ((ctr >> 16) & 0xF); /* DminLine, in bytes */
	uintptr_t p = (uintptr_t)phys_to_virt(frame);
	for (uintptr_t a = p; a < p + PAGE_SIZE; a += line)
		__asm__ volatile("dc cvau, %0" : : "r"(a) : "memory");
	__asm__ volatile("dsb ish\n\t"
			 "ic ialluis\n\t"
			 "dsb ish\n\t"
			 "isb" ::: "memory");
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
	if (*e & PTE_VALID)
		return ARCH_MAP_EXISTS;
	/* Memory outside RAM is a device's: Device-nGnRE, never executed
	 * (so CAIRN_MAP_UNCACHED, which device pages need, is implied).
	 * RAM mapped uncached is Normal Non-cacheable, not Device, so that
	 * unaligned accesses and the kernel's cached alias stay legal. */
	bool ram = phys_is_ram(frame);
	uint64_t v = frame | PTE_USER | (attrs & CAIRN_MAP_WRITE ? 0 : PTE_AP_RO);
	if (!ram)
		v |= PTE_ATTR(MT_DEVICE_nGnRE);
	else if (attrs & CAIRN_MAP_UNCACHED)
		v |= PTE_ATTR(MT_NORMAL_NC) | PTE_SH_INNER;
	else
		v |= PTE_ATTR(MT_NORMAL) | PTE_SH_INNER;
	if (!(attrs & CAIRN_MAP_EXEC) || !ram)
		v |= PTE_UXN;
	else
		sync_icache(frame);
	publish(e, v);
	return ARCH_MAP_OK;
}

enum arch_map_result arch_vspace_unmap_page(paddr_t root, vaddr_t va,
					    paddr_t frame)
{
	if (!user_page_ok(va))
		return ARCH_MAP_BAD_ADDR;
	unsigned at;
	uint64_t *e = walk(root, va, 1, &at);
	if (at != 1 || !(*e & PTE_VALID) || (*e & PTE_ADDR) != frame)
		return ARCH_MAP_NOT_MAPPED;
	publish(e, 0);
	tlb_flush_user_page(va);
	return ARCH_MAP_OK;
}

paddr_t arch_vspace_lookup(paddr_t root, vaddr_t va, bool *writable)
{
	if (va >= ARCH_USER_TOP)
		return 0;
	unsigned at;
	uint64_t *e = walk(root, ALIGN_DOWN(va, PAGE_SIZE), 1, &at);
	if (at != 1 || !(*e & PTE_VALID))
		return 0;
	if (writable)
		*writable = !(*e & PTE_AP_RO);
	return (*e & PTE_ADDR) + (va & (PAGE_SIZE - 1));
}

void arch_vspace_activate_if_current(paddr_t root, paddr_t fallback)
{
	if ((read_sysreg(ttbr0_el1) & PTE_ADDR) == root)
		arch_vspace_activate(fallback);
}

/* User space (TTBR0) maps nothing while no task's VSpace is active. */
paddr_t arch_kernel_vspace_root(void)
{
	return virt_to_phys(empty_user_table);
}
