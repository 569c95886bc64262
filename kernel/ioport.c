/*
 * ioport.c - I/O port capabilities: a range of ports a user-space driver
 * may read and write (x86_64), checked access by access.
 */
#include "ioport.h"
#include "arch.h"
#include "syscall.h"

/* IN and OUT: the IOPort cap, the first port, the access width. */
static int lookup_range(struct task *caller, uint64_t ioport, uint64_t p, uint64_t w,
			unsigned rights, uint16_t *port, unsigned *width)
{
	struct slot *s;
	int err = sys_lookup_cap(caller, ioport, CAIRN_OBJ_IO_PORT, rights, &s);
	if (err)
		return err;
	const struct io_port *io = container_of(cap_object(&s->cap), struct io_port, hdr);
	if (w != 1 && w != 2 && w != 4)
		return CAIRN_ERR_INVALID_ARGUMENT;
	if (p < io->first || p > io->last || w - 1 > (uint64_t)io->last - p)
		return CAIRN_ERR_RANGE;
	*port = (uint16_t)p;
	*width = (unsigned)w;
	return CAIRN_ERR_OK;
}

int sys_ioport_in(struct task *caller, const struct cairn_sys_ioport_in_args *arg)
{
	uint16_t port;
	unsigned width;
	uint32_t value;
	int err = lookup_range(caller, arg->ioport, arg->port, arg->width, CAIRN_RIGHT_READ,
			       &port, &width);
	if (err)
		return err;
	if (!arch_ioport_in(port, width, &value))
		return CAIRN_ERR_ILLEGAL_OPERATION;
	sys_result_ioport_in_value(caller, value);
	return CAIRN_ERR_OK;
}

int sys_ioport_out(struct task *caller, const struct cairn_sys_ioport_out_args *arg)
{
	uint16_t port;
	unsigned width;
	int err = lookup_range(caller, arg->ioport, arg->port, arg->width, CAIRN_RIGHT_WRITE,
			       &port, &width);
	if (err)
		return err;
	if (arg->value > (width == 4 ? 0xFFFFFFFFull : (1ull << (8 * width)) - 1))
		return CAIRN_ERR_RANGE;
	if (!arch_ioport_out(port, width, (uint32_t)arg->value))
		return CAIRN_ERR_ILLEGAL_OPERATION;
	return CAIRN_ERR_OK;
}
