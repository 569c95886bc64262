/*
 * ioport.h - a range of x86 I/O ports a user-space driver may use;
 * a static kernel object created by boot code with object_init().
 */
#ifndef CAIRN_IOPORT_H
#define CAIRN_IOPORT_H

#include "object.h"

struct io_port {
	struct object hdr;
	uint16_t first; /* first port */
	uint16_t last;  /* last port, inclusive */
};

#endif
