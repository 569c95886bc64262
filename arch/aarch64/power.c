/*
 * power.c - interrupt masking, idling and leaving the machine. Under
 * QEMU with -semihosting, SYS_EXIT ends QEMU with our status; without
 * it the semihosting call is an undefined instruction, which trap.c
 * steps over, and we fall back to PSCI SYSTEM_OFF (status lost), then
 * halt.
 */
#include "kernel.h"
#include "arch.h"
#include "aarch64.h"

#define SEMIHOST_SYS_EXIT 0x18
#define ADP_STOPPED_APPLICATION_EXIT 0x20026
#define PSCI_SYSTEM_OFF 0x84000008u

const char arch_name[] = "aarch64";

void arch_irq_enable(void)
{
	__asm__ volatile("msr daifclr, #2" ::: "memory");
}

void arch_irq_disable(void)
{
	__asm__ volatile("msr daifset, #2" ::: "memory");
}

bool arch_irq_enabled(void)
{
	return !(read_sysreg(daif) & PSR_I);
}

void arch_panic_notify(void)
{
	/* QEMU's virt machine has no pvpanic device unless one is added as
	 * PCI (pvpanic-pci), which this kernel does not enumerate: host
	 * tools see the panic in kernel_debug instead. */
}

/*
 * Sleep until an interrupt is pending, take it, and return with
 * interrupts masked. WFI wakes on a pending interrupt even while
 * PSTATE.I masks it, so nothing that arrives just before it is missed.
 */
void arch_wait_for_interrupt(void)
{
	__asm__ volatile("msr daifset, #2\n\t"
			 "wfi\n\t"
			 "msr daifclr, #2\n\t"
			 "isb\n\t"
			 "msr daifset, #2" ::: "memory");
}

void arch_halt(void)
{
	for (;;)
		__asm__ volatile("msr daifset, #0xf\n\twfi");
}

/* CurrentEL at entry (boot.S): PSCI calls go to EL3 or EL2 by SMC
 * when QEMU emulates EL2, else by HVC. */
uint64_t boot_current_el;

/* noinline: the label inside must exist exactly once. trap.c steps over
 * it when it is an undefined instruction (no -semihosting). */
__attribute__((noinline)) void arch_shutdown(int status)
{
	arch_irq_disable();
	static volatile uint64_t block[2];
	block[0] = ADP_STOPPED_APPLICATION_EXIT;
	block[1] = (uint64_t)(uint32_t)status;
	register uint64_t x0 __asm__("x0") = SEMIHOST_SYS_EXIT;
	register uint64_t x1 __asm__("x1") = (uint64_t)block;
	__asm__ volatile(".global semihost_insn\n"
			 "semihost_insn: hlt #0xf000"
			 : "+r"(x0) : "r"(x1) : "memory");
	/* Still here: PSCI, which QEMU virt emulates without firmware. */
	register uint64_t fn __asm__("x0") = PSCI_SYSTEM_OFF;
	if (boot_current_el >> 2 >= 2)
		__asm__ volatile("smc #0" : "+r"(fn) : : "x1", "x2", "x3", "memory");
	else
		__asm__ volatile("hvc #0" : "+r"(fn) : : "x1", "x2", "x3", "memory");
	arch_halt();
}
