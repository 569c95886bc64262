/*
 * object.c - object headers, the per-type live lists, and object
 * lifetime: counting caps, and destroying an object when its last cap
 * is deleted.
 *
 * Destruction is driven by a work list threaded through the dying
 * objects' headers (reap_next), never by recursion: destroying a CPool
 * deletes its slots, which may queue more objects, which the same loop
 * then destroys. A cycle of pools costs nothing extra: an object is
 * queued once, when its count reaches zero, and never again.
 */
#include "object.h"
#include "cap.h"
#include "channel.h"
#include "cpool.h"
#include "ioport.h"
#include "irq.h"
#include "list.h"
#include "notification.h"
#include "task.h"

struct object_list object_lists[CAIRN_OBJ_TYPE_COUNT];

static struct object *reap_head; /* dying objects, LIFO */
static bool reaping;            /* object_reap() is running */

/* The kernel objects must fit the sizes user space plans with. */
_Static_assert(sizeof(struct object) <= 64, "object header grew");
_Static_assert(sizeof(struct task) <= (1u << CAIRN_TASK_BITS), "task too big");
_Static_assert(sizeof(struct channel) <= (1u << CAIRN_CHANNEL_BITS), "channel too big");
_Static_assert(sizeof(struct notification) <= (1u << CAIRN_NOTIFICATION_BITS),
	       "notification too big");

/* Live lists: linked through object.next/prev (list.h), counted. */
static void object_list_add(struct object *o)
{
	struct object_list *l = &object_lists[o->type];

	list_insert_tail(l->head, l->tail, o, next, prev);
	l->count++;
}

static void object_list_del(struct object *o)
{
	struct object_list *l = &object_lists[o->type];

	list_remove(l->head, l->tail, o, next, prev);
	l->count--;
}

void object_init(struct object *o, enum cairn_obj_type type, unsigned radix_bits)
{
	kassert(object_type_has_header(type));

	o->type = type;
	o->state = OBJECT_LIVE;
	o->cap_count = 0;
	o->reap_next = NULL;

	switch (type) {
	case CAIRN_OBJ_CPOOL:
		container_of(o, struct cpool, hdr)->radix_bits = radix_bits;
		break;
	case CAIRN_OBJ_TASK: {
		struct task *t = task_from_object(o);
		t->state = CAIRN_TASK_INACTIVE;
		t->time_slice = CONFIG_TIME_SLICE_TICKS;
		break;
	}
	default:
		break;
	}
	object_list_add(o);
}

void object_set_name(struct object *o, const char *name)
{
	size_t n = strnlen(name, CAIRN_NAME_LEN - 1);

	memcpy(o->name, name, n);
	memset(o->name + n, 0, CAIRN_NAME_LEN - n);
}

size_t object_size(const struct object *o)
{
	switch (o->type) {
	case CAIRN_OBJ_CPOOL: {
		const struct cpool *p = container_of(o, struct cpool, hdr);
		return offsetof(struct cpool, slots) + cpool_slot_count(p) * sizeof(struct slot);
	}
	case CAIRN_OBJ_TASK: return sizeof(struct task);
	case CAIRN_OBJ_CHANNEL: return sizeof(struct channel);
	case CAIRN_OBJ_NOTIFICATION: return sizeof(struct notification);
	case CAIRN_OBJ_IRQ_CONTROL: return sizeof(struct irq_control);
	case CAIRN_OBJ_IRQ_HANDLER: return sizeof(struct irq_handler);
	case CAIRN_OBJ_IO_PORT: return sizeof(struct io_port);
	default: return sizeof(struct object);
	}
}

struct slot *object_slot_at(struct object *o, size_t i)
{
	switch (o->type) {
	case CAIRN_OBJ_CPOOL:
		return cpool_slot(container_of(o, struct cpool, hdr), i);
	case CAIRN_OBJ_TASK:
		return i < TASK_SLOT_COUNT ? &task_from_object(o)->slots[i] : NULL;
	case CAIRN_OBJ_CHANNEL:
		return i < CONFIG_CHANNEL_QUEUE_DEPTH ? &channel_from_object(o)->ring[i].cap
						      : NULL;
	case CAIRN_OBJ_IRQ_HANDLER:
		return i == 0 ? &irq_handler_from_object(o)->notification : NULL;
	default:
		return NULL;
	}
}

void object_cap_get(struct object *o)
{
	kassert(o->state == OBJECT_LIVE);
	o->cap_count++;
	kassert(o->cap_count != 0);
}

void object_cap_put(struct object *o)
{
	kassert(o->state == OBJECT_LIVE && o->cap_count > 0);
	if (--o->cap_count)
		return;
	o->state = OBJECT_DYING;
	o->reap_next = reap_head;
	reap_head = o;
}

/* Tell the code that owns the object's behaviour before its caps go. */
static void object_destroy_hooks(struct object *o)
{
	switch (o->type) {
	case CAIRN_OBJ_TASK:
		sched_remove_task(task_from_object(o));
		break;
	case CAIRN_OBJ_CHANNEL:
		channel_wake_all(channel_from_object(o), CAIRN_ERR_OBJECT_DESTROYED);
		break;
	case CAIRN_OBJ_NOTIFICATION:
		notification_wake_all(notification_from_object(o), CAIRN_ERR_OBJECT_DESTROYED);
		break;
	case CAIRN_OBJ_IRQ_HANDLER:
		irq_handler_release(irq_handler_from_object(o));
		break;
	default:
		break;
	}
}

static void object_destroy(struct object *o)
{
	struct slot *s;

	object_destroy_hooks(o);
	for (size_t i = 0; (s = object_slot_at(o, i)); i++)
		if (!slot_is_empty(s))
			cap_delete_deferred(s);
	object_list_del(o);
	o->state = OBJECT_DEAD;
	o->reap_next = NULL;
}

void object_reap(void)
{
	/* A hook that deletes caps lands here again: the outer loop will do. */
	if (reaping)
		return;
	reaping = true;
	while (reap_head) {
		struct object *o = reap_head;
		reap_head = o->reap_next;
		object_destroy(o);
	}
	reaping = false;
}
