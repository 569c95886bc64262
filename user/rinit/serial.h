/*
 * serial.h - rinit's console input, from a user-space serial driver.
 */
#ifndef RINIT_SERIAL_H
#define RINIT_SERIAL_H

#include "utalloc.h"

struct cairn_bootinfo;

/*
 * Start the driver thread, from an untyped region it takes out of `ua`
 * (its slot in *own_untyped): it claims the UART's interrupt line through
 * IRQControl, binds it to a notification, reads received bytes through
 * the IOPort cap boot info lists, and sends each to the shell over a
 * channel. Returns an error when this machine has no such UART cap (the
 * shell then reads with DEBUG_GETC).
 */
int serial_start(const struct cairn_bootinfo *bi, struct ut_alloc *ua,
		 uint64_t *own_untyped);
/* The next console byte (blocks), or -1 if the driver failed. */
int serial_getc(void);

#endif
