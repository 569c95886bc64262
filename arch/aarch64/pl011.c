/*
 * pl011.c - the PL011 UART at 0x09000000: the kernel console. Output is
 * polled. Input raises SPI 1 (INTID 33), which the kernel takes until
 * user space claims that line for its own driver (kernel/irq.c); the
 * root task gets the register page as device memory (arch_console_mmio).
 */
#include "kernel.h"
#include "arch.h"
#include "aarch64.h"
#include "aarch64_internal.h"

#define UART_DR 0x00
#define UART_FR 0x18
#define UART_LCRH 0x2C
#define UART_CR 0x30
#define UART_IMSC 0x38
#define UART_ICR 0x44
#define FR_RXFE (1 << 4) /* receive FIFO empty */
#define FR_TXFF (1 << 5) /* transmit FIFO full */
#define LCRH_FEN (1 << 4)
#define LCRH_WLEN8 (3 << 5)
#define CR_UARTEN (1 << 0)
#define CR_TXE (1 << 8)
#define CR_RXE (1 << 9)
#define INT_RX (1 << 4)
#define INT_RT (1 << 6)  /* receive timeout: a byte waits below the level */

static uintptr_t uart(unsigned reg)
{
	return device_va(VIRT_UART_PHYS) + reg;
}

void pl011_init(void)
{
	/* QEMU needs no baud rate; on hardware the firmware sets it. */
	mmio_write32(uart(UART_CR), 0);
	mmio_write32(uart(UART_IMSC), 0);
	mmio_write32(uart(UART_ICR), 0x7FF);
	mmio_write32(uart(UART_LCRH), LCRH_FEN | LCRH_WLEN8);
	mmio_write32(uart(UART_CR), CR_UARTEN | CR_TXE | CR_RXE);
}

/* Input interrupts on (the GIC line stays masked until arch_timer_init). */
void pl011_enable_rx_irq(void)
{
	mmio_write32(uart(UART_IMSC), INT_RX | INT_RT);
}

static void pl011_putc_raw(char c)
{
	while (mmio_read32(uart(UART_FR)) & FR_TXFF)
		;
	mmio_write32(uart(UART_DR), (uint8_t)c);
}

void arch_console_putc(char c)
{
	if (c == '\n')
		pl011_putc_raw('\r');
	pl011_putc_raw(c);
}

int arch_console_getc(void)
{
	if (mmio_read32(uart(UART_FR)) & FR_RXFE)
		return -1;
	return (int)(mmio_read32(uart(UART_DR)) & 0xFF);
}

/* The UART's register page, for rinit's user-space driver. */
bool arch_console_mmio(paddr_t *base)
{
	*base = VIRT_UART_PHYS;
	return true;
}
