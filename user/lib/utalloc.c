/*
 * utalloc.c - objects from untyped memory (see utalloc.h).
 */
#include <cairn/bootinfo.h>
#include "syscall.h"
#include "utalloc.h"

void ut_alloc_init_bootinfo(struct ut_alloc *ua, struct slot_alloc *slots,
			    const struct cairn_bootinfo *bi)
{
	ua->slots = slots;
	ua->root_pool = CAIRN_SLOT_ROOT_CPOOL;
	ua->count = 0;
	ua->untyped[ua->count++] = CAIRN_SLOT_UNTYPED;
	for (uint32_t i = 0; i < bi->slot_count && ua->count < UT_ALLOC_MAX; i++) {
		const struct cairn_bootinfo_slot *s = &bi->slots[i];

		if (s->type == CAIRN_OBJ_UNTYPED && !(s->flags & CAIRN_BI_DEVICE) &&
		    s->slot != CAIRN_SLOT_UNTYPED)
			ua->untyped[ua->count++] = s->slot;
	}
}

int ut_alloc_object(struct ut_alloc *ua, unsigned type, unsigned size_bits, uint64_t *slot)
{
	uint64_t dest;
	int err = CAIRN_ERR_NO_MEMORY;

	if (!slot_alloc_get(ua->slots, &dest))
		return CAIRN_ERR_NO_MEMORY;
	for (unsigned i = 0; i < ua->count; i++) {
		err = cairn_untyped_retype(ua->untyped[i], type, size_bits, ua->root_pool, dest, 1);
		if (err == CAIRN_ERR_OK) {
			*slot = dest;
			return 0;
		}
		if (err != CAIRN_ERR_NO_MEMORY)
			break; /* a bad request fails the same way everywhere */
	}
	slot_alloc_set(ua->slots, dest, false);
	return err;
}

int ut_free_object(struct ut_alloc *ua, uint64_t slot)
{
	int err = cairn_cap_delete(slot);

	if (!err)
		slot_alloc_set(ua->slots, slot, false);
	return err;
}
