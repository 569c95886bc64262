/*
 * gdt.c - the long-mode GDT (kernel and user segments, one TSS) and the
 * TSS's stacks: rsp0 for traps from user mode, IST1 for double faults so
 * a kernel stack overflow still prints a dump.
 */
#include "kernel.h"
#include "x86.h"
#include "x86_internal.h"
#include "arch_inline.h"

struct tss {
	uint32_t reserved0;
	uint64_t rsp[3];
	uint64_t reserved1;
	uint64_t ist[7];
	uint64_t reserved2;
	uint16_t reserved3;
	uint16_t iomap_base;
} __attribute__((packed));

static struct tss tss;
struct unaligned_u64 *const tss_rsp0 =
	(struct unaligned_u64 *)(void *)((char *)&tss + offsetof(struct tss, rsp));
static uint64_t gdt[7];
static uint8_t double_fault_stack[4096] __attribute__((aligned(16)));

void gdt_init(void)
{
	gdt[0] = 0;
	gdt[1] = 0x00AF9A000000FFFF; /* 0x08 kernel code, 64-bit */
	gdt[2] = 0x00CF92000000FFFF; /* 0x10 kernel data */
	gdt[3] = 0x00CFF2000000FFFF; /* 0x18 user data (sysret wants it first) */
	gdt[4] = 0x00AFFA000000FFFF; /* 0x20 user code, 64-bit */

	uint64_t base = (uint64_t)&tss, limit = sizeof(tss) - 1;
	gdt[5] = (limit & 0xFFFF) | ((base & 0xFFFFFF) << 16) |
		 (0x89ull << 40) | (((limit >> 16) & 0xF) << 48) |
		 (((base >> 24) & 0xFF) << 56);
	gdt[6] = base >> 32;

	tss.rsp[0] = (uint64_t)boot_stack_top;
	tss.ist[0] = (uint64_t)(double_fault_stack + sizeof(double_fault_stack));
	tss.iomap_base = sizeof(tss); /* no I/O permission bitmap */

	struct {
		uint16_t limit;
		uint64_t base;
	} __attribute__((packed)) gdtr = { sizeof(gdt) - 1, (uint64_t)gdt };

	__asm__ volatile("lgdt %0\n\t"
			 "mov %1, %%ds\n\t"
			 "mov %1, %%es\n\t"
			 "mov %1, %%ss\n\t"
			 "pushq %2\n\t"
			 "lea 1f(%%rip), %%rax\n\t"
			 "pushq %%rax\n\t"
			 "lretq\n"
			 "1:\n\t"
			 "ltr %w3"
			 :
			 : "m"(gdtr), "r"((uint64_t)GDT_KERNEL_DATA),
			   "i"(GDT_KERNEL_CODE), "r"((uint16_t)GDT_TSS)
			 : "rax", "memory");
}
