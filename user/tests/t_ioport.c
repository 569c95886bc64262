/*
 * t_ioport.c - I/O-port capabilities: the boot IOPort covers the console
 * UART's ports only (x86_64); every access is checked for the cap's
 * rights, range and width. AArch64 has no port I/O: boot info lists no
 * IOPort, none can be made, and the calls refuse every other cap.
 */
#include "harness.h"
#include "test_arch.h"

#define UART_LSR 5           /* line status: reading it changes nothing */
#define LSR_TX_EMPTY 0x20    /* the transmitter is idle between prints */

/* The boot IOPort's slot and first port, or CAIRN_NO_SLOT. */
static uint64_t boot_ioport(uint64_t *first, unsigned *count_bits)
{
	for (uint32_t i = 0; i < boot_info->slot_count; i++)
		if (boot_info->slots[i].type == CAIRN_OBJ_IO_PORT) {
			*first = boot_info->slots[i].base;
			*count_bits = boot_info->slots[i].size_bits;
			return boot_info->slots[i].slot;
		}
	return CAIRN_NO_SLOT;
}

static void ioport_access_checks(void)
{
	uint64_t first = 0, n = new_obj(CAIRN_OBJ_NOTIFICATION, 0);
	unsigned bits = 0;
	uint64_t io = boot_ioport(&first, &bits);
	uint32_t v = 0;

#if defined(__x86_64__)
	CHECK(io != CAIRN_NO_SLOT);
	CHECK_EQ(first, 0x3F8);   /* COM1 */
	CHECK_EQ(bits, 3);        /* its 8 ports, nothing else */
	CHECK_OK(cairn_ioport_in(io, first + UART_LSR, 1, &v));
	CHECK(v & LSR_TX_EMPTY);
	CHECK_ERR(cairn_ioport_in(io, first + 8, 1, &v), CAIRN_ERR_RANGE);   /* past the end */
	CHECK_ERR(cairn_ioport_in(io, first - 1, 1, &v), CAIRN_ERR_RANGE);   /* before it */
	CHECK_ERR(cairn_ioport_in(io, first + 7, 2, &v), CAIRN_ERR_RANGE);   /* straddles */
	CHECK_ERR(cairn_ioport_in(io, 0x40, 1, &v), CAIRN_ERR_RANGE);        /* the PIT */
	CHECK_ERR(cairn_ioport_in(io, first, 3, &v), CAIRN_ERR_INVALID_ARGUMENT);
	CHECK_ERR(cairn_ioport_out(io, first + 7, 1, 0x100), CAIRN_ERR_RANGE); /* > a byte */
	CHECK_OK(cairn_ioport_out(io, first + 7, 1, 0x5a)); /* the scratch register */
	CHECK_OK(cairn_ioport_in(io, first + 7, 1, &v));
	CHECK_EQ(v, 0x5a);
	/* rights: a read-only copy reads but does not write */
	uint64_t ro = new_slot();
	CHECK_OK(cairn_cap_copy(ro, io, CAIRN_RIGHT_READ));
	CHECK_OK(cairn_ioport_in(ro, first + UART_LSR, 1, &v));
	CHECK_ERR(cairn_ioport_out(ro, first + 7, 1, 0), CAIRN_ERR_INSUFFICIENT_RIGHTS);
	CHECK_OK(cairn_cap_delete(ro));
#else
	CHECK_EQ(io, CAIRN_NO_SLOT); /* no port I/O on this arch */
	(void)first;
	(void)bits;
#endif
	CHECK_ERR(cairn_ioport_in(n, 0x3F8, 1, &v), CAIRN_ERR_INVALID_CAP);
	CHECK_ERR(cairn_ioport_out(n, 0x3F8, 1, 0), CAIRN_ERR_INVALID_CAP);
	CHECK_ERR(cairn_ioport_in(new_slot(), 0x3F8, 1, &v), CAIRN_ERR_SLOT_EMPTY);
}

const struct test tests_ioport[] = {
	{ "ioport: console UART only; range, width, rights and type checks", ioport_access_checks },
	{ 0, 0 },
};
