/*
 * power.c - leaving the machine. Under QEMU, isa-debug-exit (port 0xf4)
 * ends QEMU with status (value << 1) | 1; without it we try ACPI
 * power-off and finally halt.
 */
#include "kernel.h"
#include "arch.h"
#include "x86.h"

#define DEBUG_EXIT_PORT 0xf4
/* QEMU's pvpanic ISA device (-device pvpanic): reading its port gives
 * the events it supports, writing PVPANIC_PANICKED reports a panic
 * (QMP GUEST_PANICKED; QEMU then does its -action panic=...). */
#define PVPANIC_PORT 0x505
#define PVPANIC_PANICKED 1

const char arch_name[] = "x86_64";

void arch_irq_enable(void)
{
	__asm__ volatile("sti" ::: "memory");
}

void arch_irq_disable(void)
{
	__asm__ volatile("cli" ::: "memory");
}

bool arch_irq_enabled(void)
{
	uint64_t flags;
	__asm__ volatile("pushfq; pop %0" : "=r"(flags));
	return flags & (1 << 9);
}

void arch_wait_for_interrupt(void)
{
	__asm__ volatile("sti; hlt; cli" ::: "memory");
}

void arch_panic_notify(void)
{
	/* Without the device the port is unassigned and reads as 0xff. */
	uint8_t events = inb(PVPANIC_PORT);
	if (events != 0xff && (events & PVPANIC_PANICKED))
		outb(PVPANIC_PORT, PVPANIC_PANICKED);
}

uint64_t arch_cycles(void)
{
	return rdtsc();
}

void arch_halt(void)
{
	for (;;)
		__asm__ volatile("cli; hlt");
}

void arch_shutdown(int status)
{
	arch_irq_disable();
	outl(DEBUG_EXIT_PORT, (uint32_t)status);
	/* ACPI PM1a control, SLP_EN | S5, on QEMU's PIIX4 and ICH9. */
	__asm__ volatile("outw %0, %1" : : "a"((uint16_t)0x2000), "Nd"((uint16_t)0x604));
	__asm__ volatile("outw %0, %1" : : "a"((uint16_t)0x2000), "Nd"((uint16_t)0xB004));
	arch_halt();
}
