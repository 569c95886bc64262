/*
 * uart.h - the receive side of a console UART, as rinit's serial driver
 * (serial.c) uses it. One backend per kind of UART; boot info says which
 * this machine has: an IOPort cap (the PC's 16550) or a page of device
 * untyped (QEMU virt's PL011).
 */
#ifndef RINIT_UART_H
#define RINIT_UART_H

#include <stdbool.h>
#include <stdint.h>
#include "utalloc.h"

struct cairn_bootinfo;

/* Boot slots a backend depends on, for the shell to protect. */
#define UART_MAX_OWN_SLOTS 4

struct uart {
	const char *name;
	unsigned irq;      /* its interrupt line, for IRQControl */
	/* Turn on the receive interrupt. */
	int (*enable_rx)(void);
	/* Take one received byte: *got says whether there was one. */
	int (*read)(uint32_t *ch, bool *got);
	uint64_t own[UART_MAX_OWN_SLOTS];
	unsigned own_count;
};

/*
 * Find this backend's caps in boot info and set it up (a backend that
 * maps registers makes its Page and tables from `ua`). CAIRN_ERR_MISSING_CAP
 * when the machine has no such UART.
 */
int uart_16550_probe(const struct cairn_bootinfo *bi, struct ut_alloc *ua, struct uart *u);
int uart_pl011_probe(const struct cairn_bootinfo *bi, struct ut_alloc *ua, struct uart *u);

/* The first initial cap of `type` (and flags), or CAIRN_NO_SLOT. */
uint64_t uart_boot_cap(const struct cairn_bootinfo *bi, unsigned type, unsigned flags,
		       uint64_t *base);

#endif
