/*
 * cpool.h - CPools (arrays of 2^radix slots) and CAddr resolution.
 */
#ifndef CAIRN_CPOOL_H
#define CAIRN_CPOOL_H

#include "cap.h"
#include "object.h"

struct cpool {
	struct object hdr;
	uint32_t radix_bits; /* the pool has 1 << radix_bits slots */
	uint32_t reserved;
	struct slot slots[]; /* must start within 64 bytes, see cpool.c */
};

static inline uint64_t cpool_slot_count(const struct cpool *p)
{
	return 1ull << p->radix_bits;
}

/* Slot `index` of the pool, or NULL when out of range. */
struct slot *cpool_slot(struct cpool *p, uint64_t index);

/* The pool a CPool cap refers to, NULL for any other cap. */
struct cpool *cap_cpool(const struct cap *cap);

/*
 * Initialise a pool of 2^radix_bits slots in zeroed kernel memory of at
 * least 2^cairn_object_size_bits(CPOOL, radix_bits) bytes; for boot
 * code (retype does this itself). Returns NULL on bad arguments.
 */
struct cpool *cpool_init_at(void *mem, size_t mem_size, unsigned radix_bits);

/* Where a lookup ended. On failure bits_left says how far it got. */
struct cpool_lookup {
	struct slot *slot;   /* the slot found (success only) */
	struct cpool *pool;  /* the pool that holds it */
	uint8_t pool_rights; /* rights of the CPool cap used for that pool */
	unsigned bits_left;  /* bits of the address not yet resolved */
};

/*
 * Resolve exactly `depth` bits of `addr` (1..64; higher bits must be 0)
 * starting at the CPool cap `root`. Errors: INVALID_ROOT (root is not a
 * CPool), RANGE (bad depth or stray high bits), GUARD_MISMATCH,
 * DEPTH_MISMATCH (the address ends inside a pool's guard/radix, or
 * continues past a slot that holds a non-CPool cap), MISSING_CAP (it
 * continues past an empty slot). The found slot may be empty.
 */
int cpool_lookup_slot(const struct cap *root, cairn_caddr_t addr, unsigned depth,
		      struct cpool_lookup *out);

/* As cpool_lookup_slot, and the slot must hold a cap (else MISSING_CAP). */
int cpool_lookup_cap(const struct cap *root, cairn_caddr_t addr, unsigned depth,
		     struct cpool_lookup *out);

/*
 * The common case of a lookup, without the walk: `addr` names a slot of
 * root's own pool, one level down (depth = root's guard bits + radix),
 * and the pool was reached with `need_rights`. NULL when that is not so;
 * the walk then says precisely why (or finds the slot another way).
 */
static inline struct slot *cpool_lookup_one_level(const struct cap *root,
						  cairn_caddr_t addr, unsigned need_rights)
{
	if (unlikely(root->type != CAIRN_OBJ_CPOOL))
		return NULL;
	struct cpool *p = container_of(root->obj, struct cpool, hdr);
	unsigned radix = p->radix_bits, depth = root->bits + radix;
	/* As the walk's one step: addr within depth bits, its top guard
	 * bits equal to the guard, then the slot its low radix bits name. */
	if (unlikely(radix == 0 || depth >= 64 || (addr >> depth) != 0 ||
		     (addr >> radix) != root->data ||
		     (root->rights & need_rights) != need_rights))
		return NULL;
	return &p->slots[addr & ((1ull << radix) - 1)];
}

/*
 * As cpool_lookup_slot, and the pool cap used for the last level must
 * carry all of `need_rights` (else INSUFFICIENT_RIGHTS). The cap
 * operations syscalls use: READ to take a cap from a pool (copy, mint
 * and move sources), WRITE to change a pool (destinations, delete,
 * revoke, move source).
 */
int cpool_lookup_for(const struct cap *root, cairn_caddr_t addr, unsigned depth,
		     unsigned need_rights, struct cpool_lookup *out);

#endif
