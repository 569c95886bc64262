/*
 * paging.c - user address spaces on x86_64 (4-level paging;
 * kernel/pagetable.c walks them, arch_pte.h encodes the entries).
 *
 * A VSpace is a PML4 page. The upper half of every PML4 is copied from
 * the kernel's, so the kernel is mapped in every address space.
 */
#include "kernel.h"
#include "arch.h"
#include "mem.h"
#include "x86.h"

#define ENTRIES 512
#define KERNEL_HALF 256 /* PML4 entries from here up are the kernel's */

extern uint64_t boot_pml4[ENTRIES];

void arch_vspace_init(paddr_t root)
{
	uint64_t *pml4 = phys_to_virt(root);
	memset(pml4, 0, PAGE_SIZE / 2);
	for (unsigned i = KERNEL_HALF; i < ENTRIES; i++)
		pml4[i] = boot_pml4[i];
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
