/*
 * slotalloc.h - which slots of the root CPool are free. A bitmap, as
 * the pool is at most 2^SLOT_ALLOC_MAX_BITS slots; allocation scans
 * from a rotating hint so a freed slot is not reused at once (a stale
 * slot number then finds an empty slot instead of an unrelated cap).
 */
#ifndef ULIB_SLOTALLOC_H
#define ULIB_SLOTALLOC_H

#include <stdbool.h>
#include <stdint.h>

#define SLOT_ALLOC_MAX_BITS 12

struct cairn_bootinfo;

struct slot_alloc {
	uint32_t count; /* slots in the pool */
	uint32_t hint;  /* where the next search starts */
	uint64_t used[(1u << SLOT_ALLOC_MAX_BITS) / 64];
};

/* All slots free; false if bits is 0 or above SLOT_ALLOC_MAX_BITS. */
bool slot_alloc_init(struct slot_alloc *sa, unsigned bits);

/*
 * For the root task: every slot that boot info lists, every slot below
 * first_free_slot and the fixed slots (250, 255) are used. The boot
 * info must have passed bootinfo_check().
 */
bool slot_alloc_init_bootinfo(struct slot_alloc *sa, const struct cairn_bootinfo *bi);

/* A free slot, now marked used; false when the pool is full. */
bool slot_alloc_get(struct slot_alloc *sa, uint64_t *slot);

/* Mark a slot used or free (out-of-range slots are ignored). */
void slot_alloc_set(struct slot_alloc *sa, uint64_t slot, bool used);
bool slot_alloc_is_used(const struct slot_alloc *sa, uint64_t slot);
uint32_t slot_alloc_free_count(const struct slot_alloc *sa);

#endif
