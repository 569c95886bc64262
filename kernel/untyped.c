/*
 * untyped.c - untyped memory regions and retype.
 *
 * The whole region state lives in its cap (see untyped.h), and untyped
 * caps are never copied, so each region has one watermark. Every cap to
 * an object made from a region stays in the region cap's CDT subtree
 * (copies are children, deletes splice upwards), so "the untyped cap
 * has no children" means "nothing uses this memory" and the watermark
 * can go back to 0.
 */
#include "untyped.h"
#include "cpool.h"
#include "mem.h"
#include "object.h"
#include "vspace.h"

int untyped_cap_make(struct cap *out, paddr_t base, unsigned size_bits, bool device)
{
	if (size_bits < CAIRN_UNTYPED_MIN_BITS || size_bits > CAIRN_UNTYPED_MAX_BITS)
		return CAIRN_ERR_RANGE;
	if (!IS_ALIGNED(base, 1ull << size_bits))
		return CAIRN_ERR_ALIGNMENT;
	memset(out, 0, sizeof(*out));
	out->type = CAIRN_OBJ_UNTYPED;
	out->rights = CAIRN_RIGHTS_ALL;
	out->bits = (uint8_t)size_bits;
	out->flags = device ? CAP_FLAG_DEVICE : 0;
	out->paddr = base;
	out->data = 0;
	return CAIRN_ERR_OK;
}

void untyped_reset(struct slot *ut)
{
	kassert(ut->cap.type == CAIRN_OBJ_UNTYPED && !ut->first_child);
	ut->cap.data = 0;
	vspace_memory_reset(ut->cap.paddr, untyped_size(&ut->cap));
}

static bool type_made_from_memory(enum cairn_obj_type type)
{
	switch (type) {
	case CAIRN_OBJ_UNTYPED:
	case CAIRN_OBJ_CPOOL:
	case CAIRN_OBJ_TASK:
	case CAIRN_OBJ_CHANNEL:
	case CAIRN_OBJ_NOTIFICATION:
	case CAIRN_OBJ_VSPACE:
	case CAIRN_OBJ_PAGE_TABLE:
	case CAIRN_OBJ_PAGE:
		return true;
	default:
		return false;
	}
}

/* The cap for one new object at `pa`, its memory already prepared. */
static struct cap new_object_cap(const struct cap *ut, enum cairn_obj_type type,
				 unsigned user_bits, paddr_t pa)
{
	struct cap cap = { .type = type, .rights = CAIRN_RIGHTS_ALL };

	if (object_type_has_header(type)) {
		struct object *o = phys_to_virt(pa);
		object_init(o, type, user_bits);
		cap.obj = o;
		return cap;
	}
	cap.paddr = pa;
	if (type == CAIRN_OBJ_UNTYPED) {
		cap.bits = (uint8_t)user_bits;
		cap.flags = ut->flags & CAP_FLAG_DEVICE;
	} else if (ut->flags & CAP_FLAG_DEVICE) {
		cap.flags = CAP_FLAG_DEVICE;
	}
	return cap;
}

int untyped_retype(struct slot *ut, enum cairn_obj_type type, unsigned user_bits,
		   struct cpool *dest, uint64_t dest_index, uint64_t count)
{
	struct cap *u = &ut->cap;
	uint64_t size, obj_size, start, need, watermark;
	bool device;
	int obj_bits;

	if (slot_is_empty(ut))
		return CAIRN_ERR_SLOT_EMPTY;
	if (u->type != CAIRN_OBJ_UNTYPED)
		return CAIRN_ERR_INVALID_CAP;
	if (type <= CAIRN_OBJ_NULL || type >= CAIRN_OBJ_TYPE_COUNT || count == 0 || !dest)
		return CAIRN_ERR_INVALID_ARGUMENT;
	device = u->flags & CAP_FLAG_DEVICE;
	if (!type_made_from_memory(type) ||
	    (device && type != CAIRN_OBJ_PAGE && type != CAIRN_OBJ_UNTYPED))
		return CAIRN_ERR_ILLEGAL_OPERATION;
	obj_bits = cairn_object_size_bits(type, user_bits);
	if (obj_bits < 0)
		return CAIRN_ERR_RANGE;
	if (count > CONFIG_RETYPE_FANOUT_MAX)
		return CAIRN_ERR_FANOUT_LIMIT;
	if (dest_index >= cpool_slot_count(dest) || count > cpool_slot_count(dest) - dest_index)
		return CAIRN_ERR_RANGE;
	for (uint64_t i = 0; i < count; i++)
		if (!slot_is_empty(&dest->slots[dest_index + i]))
			return CAIRN_ERR_SLOT_OCCUPIED;

	/* Fit check, overflow-free: sizes are at most 2^47. */
	size = untyped_size(u);
	obj_size = 1ull << obj_bits;
	watermark = ut->first_child ? u->data : 0;
	start = ALIGN_UP(watermark, obj_size);
	if ((unsigned)obj_bits > u->bits || start > size || count > (size - start) / obj_size)
		return CAIRN_ERR_NO_MEMORY;
	need = count * obj_size;
	if (type == CAIRN_OBJ_VSPACE && !vspace_roots_available(count))
		return CAIRN_ERR_NO_MEMORY;

	/* Zero whole objects; an untyped child is zeroed by its own retypes. */
	if (!device && type != CAIRN_OBJ_UNTYPED)
		memset(phys_to_virt(u->paddr + start), 0, need);

	for (uint64_t i = 0; i < count; i++) {
		struct cap cap = new_object_cap(u, type, user_bits, u->paddr + start + i * obj_size);
		int err = cap_install_child(ut, &dest->slots[dest_index + i], &cap);
		kassert(err == CAIRN_ERR_OK);
		if (type == CAIRN_OBJ_VSPACE)
			vspace_root_created(cap.paddr);
	}
	u->data = start + need;
	return CAIRN_ERR_OK;
}
