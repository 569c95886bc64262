/*
 * serial.h - rinit's console input, from a user-space serial driver.
 */
#ifndef RINIT_SERIAL_H
#define RINIT_SERIAL_H

#include "utalloc.h"

struct cairn_bootinfo;

/* Boot slots the driver depends on (its untyped and the UART's cap). */
#define SERIAL_MAX_OWN 5

/*
 * Start the driver thread, from an untyped region it takes out of `ua`:
 * it claims the UART's interrupt line through IRQControl, binds it to a
 * notification, reads received bytes through the UART cap boot info
 * lists (an IOPort, or device memory it maps), and sends each to the
 * shell over a channel. own[] gets the boot slots it depends on. Returns
 * an error when this machine has no UART cap it knows (the shell then
 * reads with DEBUG_GETC).
 */
int serial_start(const struct cairn_bootinfo *bi, struct ut_alloc *ua,
		 uint64_t own[SERIAL_MAX_OWN], unsigned *own_count);
/* The next console byte (blocks), or -1 if the driver failed. */
int serial_getc(void);

#endif
