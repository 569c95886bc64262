/*
 * bootinfo.c - boot-info validation: the kernel is trusted, but a
 * mismatch between kernel and rinit versions should stop rinit with a
 * clear message rather than with a wild slot number later.
 */
#include <stddef.h>
#include "bootinfo.h"
#include "slotalloc.h"

const char *bootinfo_check(const struct cairn_bootinfo *bi)
{
	uint64_t slots;

	if (!bi)
		return "no boot info";
	if (bi->magic != CAIRN_BOOTINFO_MAGIC)
		return "bad boot-info magic";
	if (bi->version != CAIRN_BOOTINFO_VERSION)
		return "unsupported boot-info version";
	if (bi->root_cpool_bits < 8 || bi->root_cpool_bits > SLOT_ALLOC_MAX_BITS)
		return "root CPool size out of range";
	if (bi->slot_count > CAIRN_BOOTINFO_MAX_SLOTS)
		return "too many boot-info slots";
	if (bi->size < sizeof(*bi) || bi->size > CAIRN_BOOTINFO_SIZE ||
	    bi->size < sizeof(*bi) + bi->slot_count * sizeof(bi->slots[0]))
		return "boot-info size inconsistent";
	slots = UINT64_C(1) << bi->root_cpool_bits;
	if (bi->first_free_slot > slots)
		return "first free slot out of range";
	for (uint32_t i = 0; i < bi->slot_count; i++) {
		const struct cairn_bootinfo_slot *s = &bi->slots[i];

		if (s->slot >= slots)
			return "boot-info slot number out of range";
		if (s->type == CAIRN_OBJ_NULL || s->type >= CAIRN_OBJ_TYPE_COUNT)
			return "boot-info slot type invalid";
		if (i && s->slot <= bi->slots[i - 1].slot)
			return "boot-info slots not sorted";
	}
	return NULL;
}

const struct cairn_bootinfo_slot *bootinfo_find(const struct cairn_bootinfo *bi, uint64_t slot)
{
	for (uint32_t i = 0; i < bi->slot_count; i++)
		if (bi->slots[i].slot == slot)
			return &bi->slots[i];
	return NULL;
}
