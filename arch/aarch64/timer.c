/*
 * timer.c - the EL1 virtual timer (CNTV, PPI 27) as the periodic tick,
 * and the virtual counter as arch_cycles(). Each tick sets the next
 * compare value one period after the last, so ticks do not drift with
 * interrupt latency.
 */
#include "kernel.h"
#include "arch.h"
#include "aarch64.h"
#include "aarch64_internal.h"

#define CNTV_CTL_ENABLE (1 << 0)

static uint64_t period;     /* counter ticks per timer interrupt */
static uint64_t next_tick;  /* compare value of the next interrupt */

static uint64_t counter(void)
{
	isb(); /* do not read the counter early, out of program order */
	return read_sysreg(cntvct_el0);
}

void timer_start(unsigned hz)
{
	uint64_t freq = read_sysreg(cntfrq_el0);
	period = freq / hz;
	if (period == 0)
		period = 1;
	next_tick = counter() + period;
	write_sysreg(cntv_cval_el0, next_tick);
	write_sysreg(cntv_ctl_el0, CNTV_CTL_ENABLE);
	isb();
	kprintf("  timer: counter %lu Hz, tick every %lu counts\n", freq, period);
}

/* At a tick: program the next one (skipping any we slept through). */
void timer_rearm(void)
{
	uint64_t now = counter();
	next_tick += period;
	if (next_tick <= now)
		next_tick = now + period;
	write_sysreg(cntv_cval_el0, next_tick);
	isb();
}

void arch_timer_init(unsigned hz)
{
	gic_init();
	timer_start(hz);
	arch_irq_unmask(IRQ_VTIMER);
	pl011_enable_rx_irq();
	arch_irq_unmask(ARCH_IRQ_CONSOLE);
}

/* The virtual count: 62.5 MHz under QEMU 7.2, and with -icount shift=4
 * (16 ns an instruction) exactly one count per instruction. */
uint64_t arch_cycles(void)
{
	return counter();
}
