/*
 * uart_16550.c - the PC's COM1 through the IOPort cap boot info lists.
 */
#include <cairn/bootinfo.h>
#include "syscall.h"
#include "uart.h"

#define UART_16550_IRQ 4 /* COM1 on the PC's ISA interrupt controller */
#define UART_RBR 0       /* receive buffer */
#define UART_IER 1       /* interrupt enable */
#define UART_LSR 5       /* line status */
#define IER_RX_AVAILABLE 1
#define LSR_DATA_READY 1

static uint64_t ports, ports_base;

static int enable_rx(void)
{
	return cairn_ioport_out(ports, ports_base + UART_IER, 1, IER_RX_AVAILABLE);
}

static int read_byte(uint32_t *ch, bool *got)
{
	uint32_t lsr;
	int err = cairn_ioport_in(ports, ports_base + UART_LSR, 1, &lsr);
	*got = !err && (lsr & LSR_DATA_READY);
	if (*got)
		err = cairn_ioport_in(ports, ports_base + UART_RBR, 1, ch);
	return err;
}

int uart_16550_probe(const struct cairn_bootinfo *bi, struct ut_alloc *ua, struct uart *u)
{
	(void)ua;
	ports = uart_boot_cap(bi, CAIRN_OBJ_IO_PORT, 0, &ports_base);
	if (ports == CAIRN_NO_SLOT)
		return CAIRN_ERR_MISSING_CAP;
	*u = (struct uart){ .name = "16550", .irq = UART_16550_IRQ,
			    .enable_rx = enable_rx, .read = read_byte,
			    .own = { ports }, .own_count = 1 };
	return CAIRN_ERR_OK;
}
