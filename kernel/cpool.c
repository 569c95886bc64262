/*
 * cpool.c - CPools and seL4-style CAddr resolution.
 *
 * Layout: a 64-byte header (struct object + radix) then the slots. A
 * slot is 56 bytes, so 2^n slots and the header fit in 2^(n+6) bytes
 * for n >= 3 (the 8 spare bytes per slot pay for the header); smaller
 * pools take the minimum of 512 bytes. See cairn_object_size_bits().
 */
#include "cpool.h"

_Static_assert(sizeof(struct slot) == 56, "slot size is part of the CPool size rule");
_Static_assert(offsetof(struct cpool, slots) <= 64, "CPool header must fit in 64 bytes");

struct slot *cpool_slot(struct cpool *p, uint64_t index)
{
	return index < cpool_slot_count(p) ? &p->slots[index] : NULL;
}

struct cpool *cap_cpool(const struct cap *cap)
{
	if (cap->type != CAIRN_OBJ_CPOOL)
		return NULL;
	return container_of(cap->obj, struct cpool, hdr);
}

struct cpool *cpool_init_at(void *mem, size_t mem_size, unsigned radix_bits)
{
	int bits = cairn_object_size_bits(CAIRN_OBJ_CPOOL, radix_bits);
	struct cpool *p = mem;

	if (bits < 0 || !mem || mem_size < (1ull << bits) || !IS_ALIGNED((uintptr_t)mem, 64))
		return NULL;
	memset(mem, 0, 1ull << bits);
	object_init(&p->hdr, CAIRN_OBJ_CPOOL, radix_bits);
	return p;
}

static uint64_t low_bits(uint64_t v, unsigned n)
{
	return n == 0 ? 0 : n >= 64 ? v : v & ((1ull << n) - 1);
}

/* The `n` bits of addr just below bit `top` (top - n .. top - 1). */
static uint64_t bits_below(uint64_t addr, unsigned top, unsigned n)
{
	if (n == 0)
		return 0;
	return low_bits(top - n >= 64 ? 0 : addr >> (top - n), n);
}

int cpool_lookup_slot(const struct cap *root, cairn_caddr_t addr, unsigned depth,
		      struct cpool_lookup *out)
{
	const struct cap *node = root;
	unsigned left = depth;

	memset(out, 0, sizeof(*out));
	out->bits_left = depth;
	if (!root || root->type != CAIRN_OBJ_CPOOL)
		return CAIRN_ERR_INVALID_ROOT;
	if (depth == 0 || depth > CAIRN_CADDR_BITS)
		return CAIRN_ERR_RANGE;
	if (depth < 64 && (addr >> depth))
		return CAIRN_ERR_RANGE;

	for (;;) {
		struct cpool *p = cap_cpool(node);
		unsigned guard_bits = node->bits;
		unsigned radix = p->radix_bits;
		struct slot *s;

		out->bits_left = left;
		if (guard_bits > left)
			return CAIRN_ERR_DEPTH_MISMATCH;
		if (bits_below(addr, left, guard_bits) != node->data)
			return CAIRN_ERR_GUARD_MISMATCH;
		if (guard_bits + radix > left)
			return CAIRN_ERR_DEPTH_MISMATCH;

		s = &p->slots[bits_below(addr, left - guard_bits, radix)];
		left -= guard_bits + radix;
		if (left == 0) {
			out->slot = s;
			out->pool = p;
			out->pool_rights = node->rights;
			out->bits_left = 0;
			return CAIRN_ERR_OK;
		}
		out->bits_left = left;
		if (slot_is_empty(s))
			return CAIRN_ERR_MISSING_CAP;
		if (s->cap.type != CAIRN_OBJ_CPOOL)
			return CAIRN_ERR_DEPTH_MISMATCH;
		node = &s->cap;
	}
}

int cpool_lookup_cap(const struct cap *root, cairn_caddr_t addr, unsigned depth,
		     struct cpool_lookup *out)
{
	int err = cpool_lookup_slot(root, addr, depth, out);

	if (err)
		return err;
	if (slot_is_empty(out->slot))
		return CAIRN_ERR_MISSING_CAP;
	return CAIRN_ERR_OK;
}

int cpool_lookup_for(const struct cap *root, cairn_caddr_t addr, unsigned depth,
		     unsigned need_rights, struct cpool_lookup *out)
{
	int err = cpool_lookup_slot(root, addr, depth, out);

	if (err)
		return err;
	if ((out->pool_rights & need_rights) != need_rights)
		return CAIRN_ERR_INSUFFICIENT_RIGHTS;
	return CAIRN_ERR_OK;
}
