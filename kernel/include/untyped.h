/*
 * untyped.h - untyped memory and retype.
 *
 * An untyped region is described entirely by its cap (base, size bits,
 * watermark, device flag): untyped caps cannot be copied or minted, only
 * moved, so exactly one watermark governs each region and no memory can
 * be handed out twice. Objects retyped from it are its CDT children;
 * when its last child goes, the watermark returns to 0.
 */
#ifndef CAIRN_UNTYPED_H
#define CAIRN_UNTYPED_H

#include "cap.h"

struct cpool;

/*
 * Make an original untyped cap for [base, base + 2^size_bits) for boot
 * code. Errors: RANGE (size bits), ALIGNMENT (base not size-aligned).
 */
int untyped_cap_make(struct cap *out, paddr_t base, unsigned size_bits, bool device);

static inline uint64_t untyped_size(const struct cap *ut)
{
	return 1ull << ut->bits;
}

static inline uint64_t untyped_free_bytes(const struct cap *ut)
{
	return untyped_size(ut) - ut->data;
}

/*
 * Create `count` objects of `type` (user size argument `user_bits`, see
 * cairn_object_size_bits) from the untyped cap in `ut`, placing caps to
 * them in slots dest_index .. dest_index+count-1 of `dest`. Objects are
 * carved at the watermark aligned up to their size; normal memory is
 * zeroed; device untyped yields only Pages and Untyped.
 * Errors, checked in this order: SLOT_EMPTY / INVALID_CAP (ut),
 * INVALID_ARGUMENT (unknown type, count 0, dest NULL), ILLEGAL_OPERATION
 * (type not made from memory, or not allowed from device memory),
 * RANGE (user_bits), FANOUT_LIMIT (count > CONFIG_RETYPE_FANOUT_MAX),
 * RANGE (destination slots past the pool's end), SLOT_OCCUPIED,
 * NO_MEMORY (does not fit above the watermark). Nothing changes on error.
 */
int untyped_retype(struct slot *ut, enum cairn_obj_type type, unsigned user_bits,
		   struct cpool *dest, uint64_t dest_index, uint64_t count);

/* Called by the cap layer when the untyped cap in `ut` lost its last child. */
void untyped_reset(struct slot *ut);

#endif
