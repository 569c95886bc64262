/* idt.c - the interrupt descriptor table: every vector to its stub. */
#include "kernel.h"
#include "x86.h"
#include "x86_internal.h"

#define STUB_SIZE 16 /* trapentry.S aligns each stub to 16 bytes */
#define VECTOR_DOUBLE_FAULT 8
#define VECTOR_BREAKPOINT 3

struct idt_entry {
	uint16_t offset_low;
	uint16_t selector;
	uint8_t ist;
	uint8_t type_attr;
	uint16_t offset_mid;
	uint32_t offset_high;
	uint32_t zero;
} __attribute__((packed));

static struct idt_entry idt[256];
extern char trap_stubs[];

void idt_init(void)
{
	for (int v = 0; v < 256; v++) {
		uint64_t addr = (uint64_t)trap_stubs + (uint64_t)v * STUB_SIZE;
		bool user_ok = v == VECTOR_BREAKPOINT; /* int3 from user */
		idt[v] = (struct idt_entry){
			.offset_low = addr & 0xFFFF,
			.selector = GDT_KERNEL_CODE,
			.ist = v == VECTOR_DOUBLE_FAULT ? 1 : 0,
			.type_attr = user_ok ? 0xEE : 0x8E, /* interrupt gate */
			.offset_mid = (addr >> 16) & 0xFFFF,
			.offset_high = addr >> 32,
		};
	}
	struct {
		uint16_t limit;
		uint64_t base;
	} __attribute__((packed)) idtr = { sizeof(idt) - 1, (uint64_t)idt };
	__asm__ volatile("lidt %0" : : "m"(idtr));
}
