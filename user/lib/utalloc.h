/*
 * utalloc.h - make kernel objects from untyped memory into free slots
 * of the root CPool: picks a slot, tries each known Untyped in turn
 * until one has room.
 */
#ifndef ULIB_UTALLOC_H
#define ULIB_UTALLOC_H

#include <stdint.h>
#include "slotalloc.h"

#define UT_ALLOC_MAX 32

struct cairn_bootinfo;

struct ut_alloc {
	struct slot_alloc *slots; /* free slots of the root CPool */
	uint64_t root_pool;       /* CAddr of the root CPool cap (slot 0) */
	unsigned count;
	uint64_t untyped[UT_ALLOC_MAX]; /* slots of usable Untyped caps */
};

/* Use the non-device Untyped caps boot info lists, slot 2 first. */
void ut_alloc_init_bootinfo(struct ut_alloc *ua, struct slot_alloc *slots,
			    const struct cairn_bootinfo *bi);

/*
 * Create one object of `type` (size_bits as cairn_object_size_bits) in
 * a newly allocated slot, returned in *slot. Errors: NO_MEMORY when no
 * slot is free or no untyped has room, else the kernel's.
 */
int ut_alloc_object(struct ut_alloc *ua, unsigned type, unsigned size_bits, uint64_t *slot);

/* Delete the object's cap and free its slot. */
int ut_free_object(struct ut_alloc *ua, uint64_t slot);

#endif
