/*
 * sys_cap.c - capability system calls: copy, mint, move, delete, revoke,
 * identify, and untyped retype. The capability core (cap.c, untyped.c)
 * does the work and the checking; these resolve the CAddr arguments.
 */
#include "syscall.h"
#include "channel.h"
#include "irq.h"
#include "ioport.h"
#include "notification.h"
#include "untyped.h"
#include "vspace.h"

/* Copy and mint: dest (WRITE on its pool), src (READ), a rights mask. */
static int derive_args(struct task *caller, uint64_t dest_arg, uint64_t src_arg,
		       uint64_t rights, struct slot **dest, struct slot **src)
{
	int err = sys_lookup_slot(caller, dest_arg, CAIRN_RIGHT_WRITE, dest);
	if (!err)
		err = sys_lookup_slot(caller, src_arg, CAIRN_RIGHT_READ, src);
	if (!err && rights > CAIRN_RIGHTS_ALL)
		err = CAIRN_ERR_INVALID_ARGUMENT;
	return err;
}

int sys_cap_copy(struct task *caller, const struct cairn_sys_cap_copy_args *arg)
{
	struct slot *dest, *src;
	int err = derive_args(caller, arg->dest, arg->src, arg->rights, &dest, &src);
	return err ? err : cap_copy(src, dest, (unsigned)arg->rights);
}

int sys_cap_mint(struct task *caller, const struct cairn_sys_cap_mint_args *arg)
{
	struct slot *dest, *src;
	int err = derive_args(caller, arg->dest, arg->src, arg->rights, &dest, &src);
	return err ? err : cap_mint(src, dest, (unsigned)arg->rights, arg->data);
}

int sys_cap_move(struct task *caller, const struct cairn_sys_cap_move_args *arg)
{
	struct slot *dest, *src;
	int err = sys_lookup_slot(caller, arg->dest, CAIRN_RIGHT_WRITE, &dest);
	if (!err)
		err = sys_lookup_slot(caller, arg->src, CAIRN_RIGHT_WRITE, &src);
	return err ? err : cap_move(src, dest);
}

int sys_cap_delete(struct task *caller, const struct cairn_sys_cap_delete_args *arg)
{
	struct slot *s;
	int err = sys_lookup_slot(caller, arg->slot, CAIRN_RIGHT_WRITE, &s);
	return err ? err : cap_delete(s);
}

int sys_cap_revoke(struct task *caller, const struct cairn_sys_cap_revoke_args *arg)
{
	struct slot *s;
	int err = sys_lookup_slot(caller, arg->slot, CAIRN_RIGHT_WRITE, &s);
	return err ? err : cap_revoke(s);
}

static unsigned pool_slots_used(struct cpool *p)
{
	unsigned used = 0;
	for (uint64_t i = 0; i < cpool_slot_count(p); i++)
		used += !slot_is_empty(&p->slots[i]);
	return used;
}

/* The per-type summary words of struct cairn_cap_info (see syscalls.h). */
static void fill_summary(const struct slot *s, struct cairn_cap_info *info)
{
	const struct cap *c = &s->cap;
	struct object *o = cap_object(c);

	switch (c->type) {
	case CAIRN_OBJ_UNTYPED:
		info->size_bits = c->bits;
		info->paddr = c->paddr;
		info->summary[0] = c->data;
		info->summary[1] = untyped_free_bytes(c);
		break;
	case CAIRN_OBJ_CPOOL: {
		struct cpool *p = cap_cpool(c);
		info->size_bits = (uint8_t)cairn_object_size_bits(CAIRN_OBJ_CPOOL, p->radix_bits);
		info->summary[0] = p->radix_bits;
		info->summary[1] = pool_slots_used(p);
		info->summary[2] = c->bits;
		info->summary[3] = c->data;
		break;
	}
	case CAIRN_OBJ_TASK: {
		struct task *t = task_from_object(o);
		info->size_bits = CAIRN_TASK_BITS;
		info->summary[0] = t->state;
		info->summary[1] = t->priority;
		info->summary[2] = arch_context_ip(&t->ctx);
		info->summary[3] = arch_context_sp(&t->ctx);
		break;
	}
	case CAIRN_OBJ_CHANNEL: {
		struct channel *ch = channel_from_object(o);
		info->size_bits = CAIRN_CHANNEL_BITS;
		info->summary[0] = ch->count;
		info->summary[1] = CONFIG_CHANNEL_QUEUE_DEPTH;
		info->summary[2] = task_queue_length(&ch->senders);
		info->summary[3] = task_queue_length(&ch->receivers);
		info->sent = ch->sent;
		break;
	}
	case CAIRN_OBJ_NOTIFICATION: {
		struct notification *n = notification_from_object(o);
		info->size_bits = CAIRN_NOTIFICATION_BITS;
		info->summary[0] = n->word;
		info->summary[1] = task_queue_length(&n->waiters);
		break;
	}
	case CAIRN_OBJ_VSPACE:
	case CAIRN_OBJ_PAGE_TABLE:
	case CAIRN_OBJ_PAGE:
		info->size_bits = (uint8_t)cairn_object_size_bits(c->type, 0);
		info->paddr = c->paddr;
		if (mapping_is_live(c)) {
			info->flags |= CAIRN_CAPINFO_MAPPED;
			info->summary[0] = mapping_vaddr(c);
		}
		break;
	case CAIRN_OBJ_IRQ_HANDLER: {
		struct irq_handler *h = irq_handler_from_object(o);
		info->summary[0] = h->irq;
		info->summary[1] = !slot_is_empty(&h->notification);
		break;
	}
	case CAIRN_OBJ_IO_PORT: {
		struct io_port *io = container_of(o, struct io_port, hdr);
		info->summary[0] = io->first;
		info->summary[1] = (uint64_t)io->last - io->first + 1;
		break;
	}
	default:
		break;
	}
}

int sys_cap_identify(struct task *caller, const struct cairn_sys_cap_identify_args *arg)
{
	struct task_buffer *tb = task_buffer_of(caller);
	struct slot *s;
	if (!tb)
		return CAIRN_ERR_ILLEGAL_OPERATION;
	int err = sys_lookup_slot(caller, arg->slot, 0, &s);
	if (err)
		return err;
	struct cairn_cap_info info = { .type = CAIRN_OBJ_NULL };
	if (!slot_is_empty(s)) {
		const struct cap *c = &s->cap;
		struct object *o = cap_object(c);
		info.type = c->type;
		info.rights = c->rights;
		if (c->flags & CAP_FLAG_DEVICE)
			info.flags |= CAIRN_CAPINFO_DEVICE;
		if (c->flags & CAP_FLAG_BADGED)
			info.flags |= CAIRN_CAPINFO_BADGED;
		if (!s->parent)
			info.flags |= CAIRN_CAPINFO_ORIGINAL;
		if (s->first_child)
			info.flags |= CAIRN_CAPINFO_HAS_CHILDREN;
		if (c->type == CAIRN_OBJ_CHANNEL || c->type == CAIRN_OBJ_NOTIFICATION ||
		    c->type == CAIRN_OBJ_CPOOL)
			info.badge = c->data;
		info.object = o ? (uint64_t)(uintptr_t)o : c->paddr;
		if (o)
			memcpy(info.name, o->name, sizeof(info.name));
		fill_summary(s, &info);
	}
	tb->info.cap = info;
	return CAIRN_ERR_OK;
}

int sys_untyped_retype(struct task *caller, const struct cairn_sys_untyped_retype_args *arg)
{
	struct slot *ut, *pool;
	int err = sys_lookup_slot(caller, arg->ut, CAIRN_RIGHT_WRITE, &ut);
	if (err)
		return err;
	err = sys_lookup_cap(caller, arg->dest_pool, CAIRN_OBJ_CPOOL,
			     CAIRN_RIGHT_WRITE, &pool);
	if (err)
		return err;
	if (arg->type >= CAIRN_OBJ_TYPE_COUNT || arg->size_bits > 64)
		return CAIRN_ERR_INVALID_ARGUMENT;
	return untyped_retype(ut, (enum cairn_obj_type)arg->type,
			      (unsigned)arg->size_bits, cap_cpool(&pool->cap),
			      arg->dest_index, arg->count);
}
