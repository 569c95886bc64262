/*
 * slotalloc.c - root CPool slot bitmap (see slotalloc.h).
 */
#include <cairn/bootinfo.h>
#include "slotalloc.h"

bool slot_alloc_init(struct slot_alloc *sa, unsigned bits)
{
	if (bits == 0 || bits > SLOT_ALLOC_MAX_BITS)
		return false;
	sa->count = 1u << bits;
	sa->hint = 0;
	for (unsigned i = 0; i < sizeof(sa->used) / sizeof(sa->used[0]); i++)
		sa->used[i] = 0;
	return true;
}

void slot_alloc_set(struct slot_alloc *sa, uint64_t slot, bool used)
{
	if (slot >= sa->count)
		return;
	if (used)
		sa->used[slot / 64] |= UINT64_C(1) << (slot % 64);
	else
		sa->used[slot / 64] &= ~(UINT64_C(1) << (slot % 64));
}

bool slot_alloc_is_used(const struct slot_alloc *sa, uint64_t slot)
{
	if (slot >= sa->count)
		return true;
	return (sa->used[slot / 64] >> (slot % 64)) & 1;
}

bool slot_alloc_init_bootinfo(struct slot_alloc *sa, const struct cairn_bootinfo *bi)
{
	if (!slot_alloc_init(sa, bi->root_cpool_bits))
		return false;
	for (uint64_t s = 0; s < bi->first_free_slot && s < sa->count; s++)
		slot_alloc_set(sa, s, true);
	for (uint32_t i = 0; i < bi->slot_count; i++)
		slot_alloc_set(sa, bi->slots[i].slot, true);
	slot_alloc_set(sa, CAIRN_SLOT_SPARE_BUFFER, true);
	slot_alloc_set(sa, CAIRN_SLOT_CHANNEL, true);
	sa->hint = bi->first_free_slot < sa->count ? bi->first_free_slot : 0;
	return true;
}

bool slot_alloc_get(struct slot_alloc *sa, uint64_t *slot)
{
	for (uint32_t n = 0; n < sa->count; n++) {
		uint32_t s = (sa->hint + n) % sa->count;

		if (!slot_alloc_is_used(sa, s)) {
			slot_alloc_set(sa, s, true);
			sa->hint = (s + 1) % sa->count;
			*slot = s;
			return true;
		}
	}
	return false;
}

uint32_t slot_alloc_free_count(const struct slot_alloc *sa)
{
	uint32_t n = 0;

	for (uint32_t s = 0; s < sa->count; s++)
		n += !slot_alloc_is_used(sa, s);
	return n;
}
