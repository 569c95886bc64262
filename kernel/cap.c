/*
 * cap.c - copy, mint, move, delete and revoke.
 *
 * Deleting a cap never destroys an object on the spot: the last cap's
 * object goes on a work list (object.c) that object_reap() empties at
 * the end of the operation. So revoke can walk the tree while slots
 * inside dying objects stay valid, and destruction needs no recursion.
 */
#include "cap.h"
#include "cdt.h"
#include "cpool.h"
#include "object.h"
#include "untyped.h"
#include "vspace.h"

static bool cap_is_memory(enum cairn_obj_type t)
{
	return t == CAIRN_OBJ_PAGE || t == CAIRN_OBJ_PAGE_TABLE || t == CAIRN_OBJ_VSPACE;
}

struct cap cap_for_object(struct object *o)
{
	struct cap cap = { .type = o->type, .rights = CAIRN_RIGHTS_ALL };

	cap.obj = o;
	return cap;
}

/* Store `cap` in the empty `dest` and count the reference. */
static void slot_fill(struct slot *dest, const struct cap *cap)
{
	struct object *o;

	dest->cap = *cap;
	o = cap_object(cap);
	if (o)
		object_cap_get(o);
}

static int install_check(const struct slot *dest, const struct cap *cap)
{
	if (!slot_is_empty(dest))
		return CAIRN_ERR_SLOT_OCCUPIED;
	if (cap->type == CAIRN_OBJ_NULL || cap->type >= CAIRN_OBJ_TYPE_COUNT)
		return CAIRN_ERR_INVALID_CAP;
	if (object_type_has_header(cap->type) &&
	    (!cap->obj || cap->obj->state != OBJECT_LIVE || cap->obj->type != cap->type))
		return CAIRN_ERR_INVALID_CAP;
	return CAIRN_ERR_OK;
}

int cap_install_original(struct slot *dest, const struct cap *cap)
{
	int err = install_check(dest, cap);

	if (err)
		return err;
	slot_fill(dest, cap);
	return CAIRN_ERR_OK;
}

int cap_install_child(struct slot *parent, struct slot *dest, const struct cap *cap)
{
	int err;

	if (slot_is_empty(parent))
		return CAIRN_ERR_SLOT_EMPTY;
	err = install_check(dest, cap);
	if (err)
		return err;
	slot_fill(dest, cap);
	cdt_insert_child(parent, dest);
	return CAIRN_ERR_OK;
}

/* Checks shared by copy and mint. */
static int derive_check(const struct slot *src, const struct slot *dest, unsigned rights)
{
	if (!slot_is_empty(dest))
		return CAIRN_ERR_SLOT_OCCUPIED;
	if (slot_is_empty(src))
		return CAIRN_ERR_SLOT_EMPTY;
	if (rights & ~(unsigned)CAIRN_RIGHTS_ALL)
		return CAIRN_ERR_INVALID_ARGUMENT;
	if (src->cap.type == CAIRN_OBJ_UNTYPED)
		return CAIRN_ERR_ILLEGAL_OPERATION;
	return CAIRN_ERR_OK;
}

static void derive(struct slot *src, struct slot *dest, const struct cap *cap)
{
	struct cap c = *cap;
	/* A mapping belongs to the cap that made it: copies start unmapped. */
	if (c.type == CAIRN_OBJ_PAGE || c.type == CAIRN_OBJ_PAGE_TABLE) {
		c.data = 0;
		c.spare = 0;
	}
	slot_fill(dest, &c);
	cdt_insert_child(src, dest);
}

int cap_copy(struct slot *src, struct slot *dest, unsigned rights)
{
	struct cap cap;
	int err = derive_check(src, dest, rights);

	if (err)
		return err;
	cap = src->cap;
	cap.rights &= rights;
	derive(src, dest, &cap);
	return CAIRN_ERR_OK;
}

int cap_mint(struct slot *src, struct slot *dest, unsigned rights, uint64_t data)
{
	struct cap cap;
	int err = derive_check(src, dest, rights);

	if (err)
		return err;
	cap = src->cap;
	cap.rights &= rights;

	switch (cap.type) {
	case CAIRN_OBJ_CHANNEL:
	case CAIRN_OBJ_NOTIFICATION:
		if (cap.flags & CAP_FLAG_BADGED)
			return CAIRN_ERR_ILLEGAL_OPERATION;
		if (data) {
			cap.data = data;
			cap.flags |= CAP_FLAG_BADGED;
		}
		break;
	case CAIRN_OBJ_CPOOL: {
		unsigned gbits = CAIRN_GUARD_DATA_BITS(data);
		uint64_t guard = CAIRN_GUARD_DATA_VALUE(data);
		struct cpool *p = cap_cpool(&cap);

		if (gbits + p->radix_bits > CAIRN_CADDR_BITS)
			return CAIRN_ERR_RANGE;
		if (gbits < 64 && (guard >> gbits) != 0)
			return CAIRN_ERR_RANGE;
		cap.bits = (uint8_t)gbits;
		cap.data = guard;
		break;
	}
	default:
		if (data)
			return CAIRN_ERR_INVALID_ARGUMENT;
		break;
	}
	derive(src, dest, &cap);
	return CAIRN_ERR_OK;
}

int cap_move(struct slot *src, struct slot *dest)
{
	if (!slot_is_empty(dest))
		return CAIRN_ERR_SLOT_OCCUPIED;
	if (slot_is_empty(src))
		return CAIRN_ERR_SLOT_EMPTY;

	/* The reference just changes slot: counts stay as they are. */
	dest->cap = src->cap;
	cdt_replace(src, dest);
	memset(&src->cap, 0, sizeof(src->cap));
	return CAIRN_ERR_OK;
}

void cap_delete_deferred(struct slot *s)
{
	struct cap old = s->cap;
	struct slot *parent = s->parent;
	struct object *o = cap_object(&old);

	kassert(!slot_is_empty(s));
	cdt_remove(s);
	memset(&s->cap, 0, sizeof(s->cap));

	if (cap_is_memory(old.type))
		vspace_cap_deleted(&old);
	if (o)
		object_cap_put(o);
	if (parent && parent->cap.type == CAIRN_OBJ_UNTYPED && !parent->first_child)
		untyped_reset(parent);
}

int cap_delete(struct slot *s)
{
	if (slot_is_empty(s))
		return CAIRN_ERR_SLOT_EMPTY;
	cap_delete_deferred(s);
	object_reap();
	return CAIRN_ERR_OK;
}

int cap_revoke(struct slot *s)
{
	struct slot *n;

	if (slot_is_empty(s))
		return CAIRN_ERR_SLOT_EMPTY;

	/*
	 * Post-order walk without a stack: go down to a leaf, delete it,
	 * continue from its parent. Each edge is walked down once and up
	 * once, so N descendants cost O(N). Objects whose last cap goes
	 * are only queued, so every slot we hold stays valid.
	 */
	n = s->first_child;
	while (n) {
		struct slot *parent;

		n = cdt_first_leaf(n);
		parent = n->parent;
		cap_delete_deferred(n);
		n = parent == s ? s->first_child : parent;
	}
	object_reap();
	return CAIRN_ERR_OK;
}
