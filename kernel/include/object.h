/*
 * object.h - the header every kernel object starts with, the per-type
 * lists of live objects, and object lifetime (creation, the count of
 * caps that refer to an object, destruction of the last one's object).
 *
 * Two kinds of objects:
 *  - kernel objects (CPool, Task, Channel, Notification, IRQControl,
 *    IRQHandler, IOPort) begin with struct object; their caps point at it.
 *  - memory objects (Untyped, VSpace, PageTable, Page) are named by
 *    physical address in the cap and have no header (their memory
 *    belongs to user space or to hardware page tables). Their lifetime
 *    is bounded by their untyped's CDT subtree.
 */
#ifndef CAIRN_OBJECT_H
#define CAIRN_OBJECT_H

#include "kernel.h"
#include <cairn/objects.h>

struct slot;

enum object_state {
	OBJECT_DEAD = 0,  /* never created, or destroyed */
	OBJECT_LIVE = 1,  /* on its type's list, referenced by caps */
	OBJECT_DYING = 2, /* last cap gone, on the reap work list */
};

struct object {
	enum cairn_obj_type type : 8;
	enum object_state state : 8;
	uint16_t flags;        /* OBJECT_FLAG_* */
	uint32_t cap_count;    /* caps referring to this object */
	struct object *next;   /* live list of this type, NULL-terminated */
	struct object *prev;
	struct object *reap_next; /* work list of dying objects */
	uint32_t check_epoch;  /* scratch for capcheck */
	uint32_t check_count;
	char name[CAIRN_NAME_LEN];
};

#define OBJECT_FLAG_STATIC 1u /* created by the kernel, not from untyped */

/* Live objects of one type; kdbg walks object_lists[type].head. */
struct object_list {
	struct object *head;
	struct object *tail;
	uint64_t count;
};

extern struct object_list object_lists[CAIRN_OBJ_TYPE_COUNT];

/* True for the types whose caps point at a struct object. (Inline: every
 * cap a system call uses asks.) */
static inline bool object_type_has_header(enum cairn_obj_type type)
{
	switch (type) {
	case CAIRN_OBJ_CPOOL:
	case CAIRN_OBJ_TASK:
	case CAIRN_OBJ_CHANNEL:
	case CAIRN_OBJ_NOTIFICATION:
	case CAIRN_OBJ_IRQ_CONTROL:
	case CAIRN_OBJ_IRQ_HANDLER:
	case CAIRN_OBJ_IO_PORT:
		return true;
	default:
		return false;
	}
}

/*
 * Initialise a kernel object in zeroed memory `o` and put it on its live
 * list. `radix_bits` is the CPool slot-count bits (ignored otherwise).
 * The caller then installs the first cap to it.
 */
void object_init(struct object *o, enum cairn_obj_type type, unsigned radix_bits);

/* Copy at most CAIRN_NAME_LEN-1 bytes of `name` into the debug name. */
void object_set_name(struct object *o, const char *name);

/* Bytes the object occupies (for bounds checks and the checker). */
size_t object_size(const struct object *o);

/* The i-th capability slot embedded in an object, or NULL past the end. */
struct slot *object_slot_at(struct object *o, size_t i);

/*
 * Cap accounting, called by the cap layer only. Dropping the last cap
 * queues the object for destruction; object_reap() destroys queued
 * objects iteratively (their slots are deleted, which may queue more).
 */
void object_cap_get(struct object *o);
void object_cap_put(struct object *o);
void object_reap(void);

#endif
