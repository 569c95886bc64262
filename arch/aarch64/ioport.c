/* ioport.c - AArch64 has no I/O ports: IOPort caps have nothing to reach. */
#include "kernel.h"
#include "arch.h"

bool arch_ioport_in(uint16_t port, unsigned width, uint32_t *value)
{
	(void)port;
	(void)width;
	(void)value;
	return false;
}

bool arch_ioport_out(uint16_t port, unsigned width, uint32_t value)
{
	(void)port;
	(void)width;
	(void)value;
	return false;
}

/* The console is memory mapped here (arch_console_mmio, pl011.c). */
bool arch_console_ioports(uint16_t *first, uint16_t *last)
{
	(void)first;
	(void)last;
	return false;
}
