/*
 * gic.c - the GICv2 of QEMU virt: distributor at 0x08000000, CPU
 * interface at 0x08010000. Every line starts disabled; the kernel
 * enables the timer's PPI and the console's SPI (timer.c), and user
 * drivers' SPIs through IRQ caps (arch_irq_mask/unmask, kernel/irq.c).
 * Shared peripheral interrupts are level-triggered and routed to CPU 0.
 */
#include "kernel.h"
#include "arch.h"
#include "aarch64.h"
#include "aarch64_internal.h"

#define GICD_CTLR 0x000
#define GICD_TYPER 0x004
#define GICD_ISENABLER 0x100
#define GICD_ICENABLER 0x180
#define GICD_ICPENDR 0x280
#define GICD_IPRIORITYR 0x400
#define GICD_ITARGETSR 0x800
#define GICD_ICFGR 0xC00

#define GICC_CTLR 0x000
#define GICC_PMR 0x004
#define GICC_BPR 0x008
#define GICC_IAR 0x00C
#define GICC_EOIR 0x010

#define FIRST_SPI 32
#define PRIORITY_BYTES 0xA0A0A0A0u /* one priority for all: no nesting */
#define CPU0_BYTES 0x01010101u

static unsigned gic_lines;

static uintptr_t gicd(unsigned reg)
{
	return device_va(VIRT_GICD_PHYS) + reg;
}

static uintptr_t gicc(unsigned reg)
{
	return device_va(VIRT_GICC_PHYS) + reg;
}

void gic_init(void)
{
	mmio_write32(gicd(GICD_CTLR), 0);
	gic_lines = 32 * ((mmio_read32(gicd(GICD_TYPER)) & 0x1F) + 1);
	if (gic_lines > 1020)
		gic_lines = 1020;
	for (unsigned i = 0; i < gic_lines; i += 32) {
		mmio_write32(gicd(GICD_ICENABLER + i / 8), 0xFFFFFFFFu);
		mmio_write32(gicd(GICD_ICPENDR + i / 8), 0xFFFFFFFFu);
	}
	for (unsigned i = 0; i < gic_lines; i += 4) {
		mmio_write32(gicd(GICD_IPRIORITYR + i), PRIORITY_BYTES);
		if (i >= FIRST_SPI) /* (the banked ones below are read-only) */
			mmio_write32(gicd(GICD_ITARGETSR + i), CPU0_BYTES);
	}
	for (unsigned i = FIRST_SPI; i < gic_lines; i += 16)
		mmio_write32(gicd(GICD_ICFGR + i / 4), 0); /* level-sensitive */
	mmio_write32(gicd(GICD_CTLR), 1);

	mmio_write32(gicc(GICC_PMR), 0xFF); /* let every priority through */
	mmio_write32(gicc(GICC_BPR), 0);
	mmio_write32(gicc(GICC_CTLR), 1);
}

uint32_t gic_ack(void)
{
	return mmio_read32(gicc(GICC_IAR));
}

void gic_eoi(uint32_t iar)
{
	mmio_write32(gicc(GICC_EOIR), iar);
}

static void gic_enable(unsigned irq, bool on)
{
	if (irq >= gic_lines)
		return;
	unsigned reg = (on ? GICD_ISENABLER : GICD_ICENABLER) + (irq / 32) * 4;
	mmio_write32(gicd(reg), 1u << (irq % 32));
}

void arch_irq_mask(unsigned irq)
{
	gic_enable(irq, false);
}

void arch_irq_unmask(unsigned irq)
{
	gic_enable(irq, true);
}

/* Only shared peripheral interrupts: SGIs and PPIs (the timer's among
 * them) belong to the kernel. */
bool arch_irq_claimable(unsigned irq)
{
	return irq >= FIRST_SPI && irq < ARCH_IRQ_LINES && irq < gic_lines;
}
