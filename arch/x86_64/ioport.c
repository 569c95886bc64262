/* ioport.c - port I/O for I/O port capabilities (kernel/ioport.c). */
#include "kernel.h"
#include "arch.h"
#include "x86.h"

bool arch_ioport_in(uint16_t port, unsigned width, uint32_t *value)
{
	switch (width) {
	case 1:
		*value = inb(port);
		return true;
	case 2:
		__asm__ volatile("inw %1, %w0" : "=a"(*value) : "Nd"(port));
		*value &= 0xFFFF;
		return true;
	case 4:
		__asm__ volatile("inl %1, %0" : "=a"(*value) : "Nd"(port));
		return true;
	}
	return false;
}

bool arch_ioport_out(uint16_t port, unsigned width, uint32_t value)
{
	switch (width) {
	case 1:
		outb(port, (uint8_t)value);
		return true;
	case 2:
		__asm__ volatile("outw %w0, %1" : : "a"(value), "Nd"(port));
		return true;
	case 4:
		outl(port, value);
		return true;
	}
	return false;
}

bool arch_console_ioports(uint16_t *first, uint16_t *last)
{
	*first = 0x3F8; /* COM1, the console (serial.c) */
	*last = 0x3FF;
	return true;
}

/* The console is on I/O ports here: no MMIO page for rinit. */
bool arch_console_mmio(paddr_t *base)
{
	(void)base;
	return false;
}
