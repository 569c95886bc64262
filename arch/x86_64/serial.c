/* serial.c - the 16550 UART on COM1: the kernel console. */
#include "kernel.h"
#include "arch.h"
#include "x86.h"

#define COM1 0x3F8
#define UART_DATA 0
#define UART_IER 1
#define UART_FCR 2
#define UART_LCR 3
#define UART_MCR 4
#define UART_LSR 5
#define LSR_DATA_READY 0x01
#define LSR_THR_EMPTY 0x20

void serial_init(void)
{
	outb(COM1 + UART_IER, 0x00);  /* interrupts off while we set up */
	outb(COM1 + UART_LCR, 0x80);  /* divisor latch */
	outb(COM1 + UART_DATA, 0x01); /* 115200 baud */
	outb(COM1 + UART_IER, 0x00);
	outb(COM1 + UART_LCR, 0x03);  /* 8N1 */
	outb(COM1 + UART_FCR, 0xC7);  /* FIFOs on, cleared */
	outb(COM1 + UART_MCR, 0x0B);  /* DTR, RTS, OUT2 (IRQ gate) */
	/* Output is polled; input raises IRQ 4 (the PIC keeps it masked
	 * until arch_timer_init's set-up unmasks the console line). */
	outb(COM1 + UART_IER, 0x01);
}

static void serial_putc_raw(char c)
{
	while (!(inb(COM1 + UART_LSR) & LSR_THR_EMPTY))
		;
	outb(COM1 + UART_DATA, (uint8_t)c);
}

void arch_console_putc(char c)
{
	if (c == '\n')
		serial_putc_raw('\r');
	serial_putc_raw(c);
}

int arch_console_getc(void)
{
	if (inb(COM1 + UART_LSR) & LSR_DATA_READY)
		return inb(COM1 + UART_DATA);
	return -1;
}
