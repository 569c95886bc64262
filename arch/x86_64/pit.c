/* pit.c - the 8254 PIT, channel 0, as the periodic timer on IRQ 0. */
#include "kernel.h"
#include "arch.h"
#include "x86.h"
#include "x86_internal.h"

#define PIT_HZ 1193182u
#define PIT_CH0 0x40
#define PIT_CMD 0x43

void pit_init(unsigned hz)
{
	uint32_t divisor = (PIT_HZ + hz / 2) / hz;
	if (divisor > 0xFFFF)
		divisor = 0xFFFF;
	if (divisor < 1)
		divisor = 1;
	outb(PIT_CMD, 0x34); /* channel 0, lo/hi byte, mode 2 (rate) */
	outb(PIT_CH0, divisor & 0xFF);
	outb(PIT_CH0, divisor >> 8);
}

void arch_timer_init(unsigned hz)
{
	pic_init();
	pit_init(hz);
	pic_unmask(0);
	pic_unmask(ARCH_IRQ_CONSOLE);
}
