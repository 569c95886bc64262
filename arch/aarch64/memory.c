/*
 * memory.c - the physical memory map from the device tree, and the
 * direct map: all RAM (up to 4 GiB physical for now) at DIRECT_MAP_BASE
 * + phys, in 2 MiB blocks; physical 0..1 GiB (QEMU virt's devices) as one
 * device block. The boot identity map is dropped once we run high.
 *
 * For an ELF kernel QEMU puts the DTB at the start of RAM (x0 may point
 * at it too). Without one we assume FALLBACK_RAM_SIZE of RAM at
 * 0x40000000, QEMU virt's smallest sensible size.
 */
#include "kernel.h"
#include "arch.h"
#include "mem.h"
#include "aarch64.h"
#include "aarch64_internal.h"

#define MIB (1ull << 20)
#define GIB (1ull << 30)
#define BLOCK_2M (2 * MIB)
#define DIRECT_MAP_TOP (4 * GIB)          /* RAM above this is ignored */
#define BOOT_MAPPED_TOP (VIRT_RAM_PHYS + GIB) /* what boot.S maps */
#define FALLBACK_RAM_SIZE (128 * MIB)

extern uint64_t boot_l1_high[512], boot_l2_ram[512];
extern char _kernel_start[], _kernel_end[];

/* Level-2 tables for RAM in physical GiB 2 and 3 (boot.S maps GiB 1). */
static uint64_t direct_l2_extra[2][512] __attribute__((aligned(4096)));

/* RAM as the device tree describes it (for phys_is_ram). */
static struct fdt_range ram[8];
static unsigned ram_count;

void *phys_to_virt(paddr_t pa)
{
	return (void *)(pa + DIRECT_MAP_BASE);
}

paddr_t virt_to_phys(const void *va)
{
	return (uint64_t)va - DIRECT_MAP_BASE; /* the image is in the direct map */
}

bool phys_is_ram(paddr_t pa)
{
	for (unsigned i = 0; i < ram_count; i++)
		if (pa >= ram[i].base && pa - ram[i].base < ram[i].size)
			return true;
	return false;
}

/* The DTB: where x0 says, else at the start of RAM; 0 if neither. */
static paddr_t find_dtb(uint64_t boot_arg)
{
	const paddr_t candidates[2] = { boot_arg, VIRT_RAM_PHYS };
	for (unsigned i = 0; i < 2; i++) {
		paddr_t pa = candidates[i];
		if (pa < VIRT_RAM_PHYS || pa >= BOOT_MAPPED_TOP - PAGE_SIZE || (pa & 7))
			continue;
		uint32_t size = fdt_total_size(phys_to_virt(pa));
		if (size && size <= BOOT_MAPPED_TOP - pa)
			return pa;
	}
	return 0;
}

/*
 * Split the RAM ranges around the reserved ones (each widened to whole
 * pages) and list both in info->mem.
 */
static void build_memory_map(const struct fdt_memory *fm, struct boot_info_raw *info)
{
	struct fdt_range pieces[BOOT_MEM_MAX_REGIONS];
	unsigned n = 0;
	for (unsigned i = 0; i < fm->ram_count && n < ARRAY_SIZE(pieces); i++) {
		uint64_t base = fm->ram[i].base, end = base + fm->ram[i].size;
		if (end > DIRECT_MAP_TOP) {
			kprintf("[kernel] ignoring RAM above 4 GiB\n");
			end = DIRECT_MAP_TOP;
		}
		if (base < VIRT_RAM_PHYS) /* that is the device window */
			base = VIRT_RAM_PHYS;
		if (base >= end)
			continue;
		pieces[n++] = (struct fdt_range){ base, end - base };
		if (ram_count < ARRAY_SIZE(ram))
			ram[ram_count++] = pieces[n - 1];
	}
	for (unsigned r = 0; r < fm->reserved_count; r++) {
		uint64_t hole = ALIGN_DOWN(fm->reserved[r].base, PAGE_SIZE);
		uint64_t hole_end = ALIGN_UP(fm->reserved[r].base + fm->reserved[r].size, PAGE_SIZE);
		for (unsigned i = 0; i < n; i++) {
			uint64_t base = pieces[i].base, end = base + pieces[i].size;
			if (hole >= end || hole_end <= base)
				continue;
			/* Keep the part below the hole here, the part above as a
			 * new piece (when there is room for it). */
			pieces[i].size = hole > base ? hole - base : 0;
			if (hole_end < end && n < ARRAY_SIZE(pieces))
				pieces[n++] = (struct fdt_range){ hole_end, end - hole_end };
		}
		if (info->mem_count < BOOT_MEM_MAX_REGIONS)
			info->mem[info->mem_count++] = (struct boot_mem_region){
				.base = hole, .size = hole_end - hole, .type = BOOT_MEM_RESERVED,
			};
	}
	for (unsigned i = 0; i < n && info->mem_count < BOOT_MEM_MAX_REGIONS; i++)
		if (pieces[i].size)
			info->mem[info->mem_count++] = (struct boot_mem_region){
				.base = pieces[i].base, .size = pieces[i].size, .type = BOOT_MEM_RAM,
			};
}

/* Map [1 GiB, top) at DIRECT_MAP_BASE and no RAM above it. */
static void direct_map_build(uint64_t top)
{
	top = ALIGN_UP(top, BLOCK_2M);
	for (unsigned gib = 1; gib < 4; gib++) {
		uint64_t *l2 = gib == 1 ? boot_l2_ram : direct_l2_extra[gib - 2];
		for (unsigned i = 0; i < 512; i++) {
			uint64_t pa = gib * GIB + (uint64_t)i * BLOCK_2M;
			l2[i] = pa < top ? pa | PTE_KERNEL_RAM : 0;
		}
		if (gib > 1)
			boot_l1_high[gib] = gib * GIB < top ?
				virt_to_phys(l2) | PTE_VALID | PTE_TABLE : 0;
	}
	/* The identity map was only for the jump: TTBR0 maps nothing now. */
	write_sysreg(ttbr0_el1, virt_to_phys(empty_user_table));
	__asm__ volatile("dsb ishst\n\t"
			 "tlbi vmalle1is\n\t"
			 "dsb ish\n\t"
			 "isb" ::: "memory");
}

void memory_init(void *boot_arg, struct boot_info_raw *info)
{
	struct fdt_memory fm;
	paddr_t dtb = find_dtb((uint64_t)(uintptr_t)boot_arg);
	info->mem_count = 0;
	if (!dtb || !fdt_read(phys_to_virt(dtb), BOOT_MAPPED_TOP - dtb, &fm)) {
		kprintf("[kernel] no usable device tree: assuming %llu MiB of RAM at 0x%x\n",
			FALLBACK_RAM_SIZE / MIB, VIRT_RAM_PHYS);
		memset(&fm, 0, sizeof(fm));
		fm.ram[0] = (struct fdt_range){ VIRT_RAM_PHYS, FALLBACK_RAM_SIZE };
		fm.ram_count = 1;
		dtb = 0;
	}
	/* The tree stays where it is (bootargs point into it). */
	if (dtb && fm.reserved_count < ARRAY_SIZE(fm.reserved))
		fm.reserved[fm.reserved_count++] =
			(struct fdt_range){ dtb, fdt_total_size(phys_to_virt(dtb)) };
	build_memory_map(&fm, info);

	uint64_t top = 0;
	for (unsigned i = 0; i < ram_count; i++)
		if (ram[i].base + ram[i].size > top)
			top = ram[i].base + ram[i].size;
	info->kernel_phys_start = virt_to_phys(_kernel_start);
	info->kernel_phys_end = virt_to_phys(_kernel_end);
	info->cmdline = fm.bootargs ? fm.bootargs : "";
	direct_map_build(top);
}

/*
 * Whole pages of zeros: DC ZVA, which zeroes one block of DCZID_EL0's
 * size (4 << BS bytes; 64 on Cortex-A57 and A53) an instruction. The
 * block size is read each time (one MRS: cheaper than a variable), and
 * when DC ZVA is prohibited (DZP; a hypervisor may trap it) or its
 * block is larger than 256 bytes, 16-byte pair stores do it. Sixteen
 * blocks a loop: DC ZVA takes no offset, so each block costs the
 * instruction and an add (a 4 KiB page of 64-byte blocks: 4 loops of 34).
 */
#define DCZID_BS_MASK 0xf   /* log2 of the block size in 4-byte words */
#define DCZID_DZP (1u << 4)  /* DC ZVA prohibited */

void *arch_clear_pages(void *va, size_t n)
{
	uint64_t dczid;
	char *p = va, *end = p + n;
	__asm__ volatile("mrs %0, dczid_el0" : "=r"(dczid));
	uint64_t b = 4ull << (dczid & DCZID_BS_MASK);
	if (likely(!(dczid & DCZID_DZP) && b <= PAGE_SIZE / 16)) {
		__asm__ volatile("1:\n\t"
				 ".rept 16\n\t"
				 "dc zva, %0\n\t"
				 "add %0, %0, %2\n\t"
				 ".endr\n\t"
				 "cmp %0, %1\n\t"
				 "b.lo 1b"
				 : "+r"(p) : "r"(end), "r"(b) : "memory", "cc");
		return va;
	}
	do {
		__asm__ volatile("stp xzr, xzr, [%0]\n\tstp xzr, xzr, [%0, #16]\n\t"
				 "stp xzr, xzr, [%0, #32]\n\tstp xzr, xzr, [%0, #48]"
				 : : "r"(p) : "memory");
		p += 64;
	} while (p < end);
	return va;
}
