/*
 * memory.c - the physical memory map from the PVH start info, and the
 * direct map: all RAM (up to 4 GiB for now) at DIRECT_MAP_BASE + phys,
 * in 2 MiB pages. The boot identity map is removed once we run high.
 */
#include "kernel.h"
#include "arch.h"
#include "mem.h"
#include "x86.h"
#include "x86_internal.h"

#define HVM_START_MAGIC 0x336ec578
#define E820_RAM 1
#define PTE_P 0x1ull
#define PTE_W 0x2ull
#define PTE_PS 0x80ull
#define GIB (1ull << 30)
#define DIRECT_MAP_MAX (4 * GIB)

struct hvm_start_info {
	uint32_t magic;
	uint32_t version;
	uint32_t flags;
	uint32_t nr_modules;
	uint64_t modlist_paddr;
	uint64_t cmdline_paddr;
	uint64_t rsdp_paddr;
	uint64_t memmap_paddr; /* version >= 1 */
	uint32_t memmap_entries;
	uint32_t reserved;
};

struct hvm_memmap_entry {
	uint64_t addr;
	uint64_t size;
	uint32_t type;
	uint32_t reserved;
};

extern uint64_t boot_pml4[512];
extern uint64_t boot_pdpt_direct[512];
extern uint64_t boot_pd_direct[512];
extern char _kernel_start[], _kernel_end[];

/* Page directories for the direct map beyond the boot table's 1 GiB. */
static uint64_t direct_pd_extra[3][512] __attribute__((aligned(4096)));

void *phys_to_virt(paddr_t pa)
{
	return (void *)(pa + DIRECT_MAP_BASE);
}

paddr_t virt_to_phys(const void *va)
{
	uint64_t v = (uint64_t)va;
	if (v >= KERNEL_VBASE)
		return v - KERNEL_VBASE;
	return v - DIRECT_MAP_BASE;
}

static paddr_t kernel_virt_to_phys(const void *va)
{
	return (uint64_t)va - KERNEL_VBASE;
}

/* Map [0, top) at DIRECT_MAP_BASE and nothing above it. */
static void direct_map_build(uint64_t top)
{
	top = ALIGN_UP(top, 1ull << 21);
	for (unsigned gib = 0; gib < 4; gib++) {
		uint64_t *pd = gib == 0 ? boot_pd_direct : direct_pd_extra[gib - 1];
		for (unsigned i = 0; i < 512; i++) {
			uint64_t pa = gib * GIB + ((uint64_t)i << 21);
			pd[i] = pa < top ? pa | PTE_P | PTE_W | PTE_PS : 0;
		}
		boot_pdpt_direct[gib] =
			gib * GIB < top ? kernel_virt_to_phys(pd) | PTE_P | PTE_W : 0;
	}
	boot_pml4[0] = 0; /* the identity map was only for the jump */
	write_cr3(read_cr3());
}

void memory_init(void *start_info_phys, struct boot_info_raw *info)
{
	/* Still identity-mapped low memory at this point: read via the
	 * direct map, which the boot tables set up for the first 1 GiB. */
	const struct hvm_start_info *si =
		phys_to_virt((paddr_t)(uintptr_t)start_info_phys);
	if ((uint64_t)(uintptr_t)start_info_phys >= GIB ||
	    si->magic != HVM_START_MAGIC)
		panic("no PVH start info (booted other than by QEMU -kernel?)");
	if (si->version < 1 || !si->memmap_paddr || !si->memmap_entries)
		panic("PVH start info has no memory map (version %u)",
		      si->version);

	const struct hvm_memmap_entry *e = phys_to_virt(si->memmap_paddr);
	uint64_t top = 0;
	info->mem_count = 0;
	for (uint32_t i = 0; i < si->memmap_entries; i++) {
		if (info->mem_count == BOOT_MEM_MAX_REGIONS)
			break;
		uint64_t base = e[i].addr, size = e[i].size;
		bool ram = e[i].type == E820_RAM;
		if (ram && base + size > DIRECT_MAP_MAX) {
			kprintf("[kernel] ignoring RAM above 4 GiB\n");
			if (base >= DIRECT_MAP_MAX)
				continue;
			size = DIRECT_MAP_MAX - base;
		}
		info->mem[info->mem_count++] = (struct boot_mem_region){
			.base = base,
			.size = size,
			.type = ram ? BOOT_MEM_RAM : BOOT_MEM_RESERVED,
		};
		if (ram && base + size > top)
			top = base + size;
	}
	info->kernel_phys_start = kernel_virt_to_phys(_kernel_start);
	info->kernel_phys_end = kernel_virt_to_phys(_kernel_end);
	info->cmdline = si->cmdline_paddr ? phys_to_virt(si->cmdline_paddr) : "";
	direct_map_build(top);
}

/*
 * Whole pages of zeros: `rep stosq`, 8 bytes an iteration (the CPU's
 * fast-string path on hardware; under TCG's instruction count each
 * iteration counts as one instruction, 512 for a page). SSE stores
 * would halve that, but tasks and kernel alike run with SSE off
 * (boot.S), so there is no wider store to use. DF is clear in the
 * kernel (the entry paths clear it).
 */
void *arch_clear_pages(void *va, size_t n)
{
	void *d = va;
	uint64_t words = n / 8;
	__asm__ volatile("rep stosq" : "+D"(d), "+c"(words) : "a"(0ull) : "memory");
	return va;
}
