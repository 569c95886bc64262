/*
 * irq.c - interrupt lines as capabilities. IRQControl claims a line and
 * yields an IRQHandler bound to a notification; when the line fires, it
 * is masked and the notification signalled; IRQ_ACK unmasks it. A line
 * nobody claimed goes to its kernel user (the console's UART), if any.
 */
#include "irq.h"
#include "arch.h"
#include "console.h"
#include "notification.h"
#include "syscall.h"

static struct irq_handler handlers[ARCH_IRQ_LINES];

static bool claimed(unsigned irq)
{
	return handlers[irq].hdr.state == OBJECT_LIVE;
}

void irq_deliver(unsigned irq)
{
	if (irq < ARCH_IRQ_LINES && claimed(irq)) {
		struct irq_handler *h = &handlers[irq];
		arch_irq_mask(irq); /* until the driver acknowledges it */
		const struct cap *n = &h->notification.cap;
		if (n->type == CAIRN_OBJ_NOTIFICATION)
			notification_signal(notification_from_object(cap_object(n)),
					    (n->flags & CAP_FLAG_BADGED) && n->data ? n->data : 1);
		return;
	}
	if (irq == ARCH_IRQ_CONSOLE) {
		console_input_irq();
		return;
	}
	arch_irq_mask(irq); /* nobody wants it */
}

int sys_irq_claim(struct task *caller, const struct cairn_sys_irq_claim_args *arg)
{
	struct slot *control, *dest, *ntfn;
	int err = sys_lookup_cap(caller, arg->irqcontrol, CAIRN_OBJ_IRQ_CONTROL, 0, &control);
	if (err)
		return err;
	uint64_t irq = arg->irq;
	if (irq >= ARCH_IRQ_LINES || !arch_irq_claimable((unsigned)irq))
		return CAIRN_ERR_RANGE;
	if (claimed((unsigned)irq))
		return CAIRN_ERR_ILLEGAL_OPERATION;
	err = sys_lookup_slot(caller, arg->dest, CAIRN_RIGHT_WRITE, &dest);
	if (err)
		return err;
	if (!slot_is_empty(dest))
		return CAIRN_ERR_SLOT_OCCUPIED;
	err = sys_lookup_cap(caller, arg->ntfn, CAIRN_OBJ_NOTIFICATION,
			     CAIRN_RIGHT_WRITE, &ntfn);
	if (err)
		return err;

	struct irq_handler *h = &handlers[irq];
	memset(h, 0, sizeof(*h));
	object_init(&h->hdr, CAIRN_OBJ_IRQ_HANDLER, 0);
	h->hdr.flags |= OBJECT_FLAG_STATIC;
	h->irq = (uint32_t)irq;
	ksnprintf(h->hdr.name, sizeof(h->hdr.name), "irq%lu", irq);
	/* Every precondition is checked above: these cannot fail. */
	struct cap c = cap_for_object(&h->hdr);
	err = cap_install_child(control, dest, &c);
	kassert(err == CAIRN_ERR_OK);
	err = cap_copy(ntfn, &h->notification, CAIRN_RIGHTS_ALL);
	kassert(err == CAIRN_ERR_OK);
	arch_irq_unmask((unsigned)irq);
	return CAIRN_ERR_OK;
}

int sys_irq_ack(struct task *caller, const struct cairn_sys_irq_ack_args *arg)
{
	struct slot *s;
	int err = sys_lookup_cap(caller, arg->handler, CAIRN_OBJ_IRQ_HANDLER, 0, &s);
	if (err)
		return err;
	arch_irq_unmask(irq_handler_from_object(cap_object(&s->cap))->irq);
	return CAIRN_ERR_OK;
}

void irq_handler_release(struct irq_handler *h)
{
	arch_irq_mask(h->irq);
	if (h->irq == ARCH_IRQ_CONSOLE)
		arch_irq_unmask(h->irq); /* back to the kernel console */
}
