/*
 * paging.c - user address spaces on AArch64: TTBR0, 48-bit virtual
 * addresses, 4 KiB granule, four levels (kernel/pagetable.c walks them;
 * arch_pte.h encodes the entries).
 *
 * A VSpace is a level-0 table page. The kernel lives in TTBR1, so a
 * VSpace holds user mappings only. Levels are numbered as in pagetable.h
 * and on x86_64: 4 = the root (ARM level 0) ... 1 = the last level,
 * holding pages (ARM level 3). All user entries use ASID 0 (see
 * arch_inline.h).
 */
#include "kernel.h"
#include "arch.h"
#include "mem.h"
#include "aarch64.h"
#include "aarch64_internal.h"
#include "arch_pte.h"

#define PTE_USER (PTE_VALID | PTE_PAGE | PTE_AP_EL0 | PTE_AF | PTE_NG | PTE_PXN)

void arch_vspace_init(paddr_t root)
{
	memset(phys_to_virt(root), 0, PAGE_SIZE); /* no kernel half to copy */
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

uint64_t arch_pte_page(uint64_t frame, unsigned attrs)
{
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
	return v;
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
