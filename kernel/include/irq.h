/*
 * irq.h - IRQControl (authority over all lines) and IRQHandler (one
 * claimed line bound to a notification). Both are static kernel
 * objects created by boot/IRQ code with object_init(), not by retype.
 */
#ifndef CAIRN_IRQ_H
#define CAIRN_IRQ_H

#include "cap.h"
#include "object.h"

struct irq_control {
	struct object hdr;
};

struct irq_handler {
	struct object hdr;
	uint32_t irq;             /* the line */
	uint32_t reserved;
	struct slot notification; /* notification the line signals */
};

static inline struct irq_handler *irq_handler_from_object(struct object *o)
{
	return container_of(o, struct irq_handler, hdr);
}

/*
 * Hook, implemented by the IRQ code: the handler's last cap is gone;
 * mask the line and make it claimable again. The core then deletes the
 * handler's notification slot.
 */
void irq_handler_release(struct irq_handler *h);

#endif
