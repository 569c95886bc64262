/* frame.c - the free-range physical allocator (see frame.h). */
#include "frame.h"

struct frame_allocator kernel_frames;

void frame_allocator_init(struct frame_allocator *fa)
{
	fa->count = 0;
}

static void remove_at(struct frame_allocator *fa, unsigned i)
{
	for (; i + 1 < fa->count; i++)
		fa->free[i] = fa->free[i + 1];
	fa->count--;
}

static bool insert_at(struct frame_allocator *fa, unsigned i, paddr_t base,
		      uint64_t size)
{
	if (fa->count == FRAME_MAX_RANGES)
		return false;
	for (unsigned j = fa->count; j > i; j--)
		fa->free[j] = fa->free[j - 1];
	fa->free[i] = (struct phys_range){ base, size };
	fa->count++;
	return true;
}

/* Merge range i with its neighbours where they touch. */
static void coalesce(struct frame_allocator *fa, unsigned i)
{
	if (i + 1 < fa->count &&
	    fa->free[i].base + fa->free[i].size == fa->free[i + 1].base) {
		fa->free[i].size += fa->free[i + 1].size;
		remove_at(fa, i + 1);
	}
	if (i > 0 && fa->free[i - 1].base + fa->free[i - 1].size ==
			     fa->free[i].base) {
		fa->free[i - 1].size += fa->free[i].size;
		remove_at(fa, i);
	}
}

bool frame_add(struct frame_allocator *fa, paddr_t base, uint64_t size)
{
	if (!size)
		return true;
	/* Drop any part already free so ranges never overlap. */
	frame_reserve(fa, base, size);
	unsigned i = 0;
	while (i < fa->count && fa->free[i].base < base)
		i++;
	if (!insert_at(fa, i, base, size))
		return false;
	coalesce(fa, i);
	return true;
}

void frame_reserve(struct frame_allocator *fa, paddr_t base, uint64_t size)
{
	paddr_t end = base + size;
	for (unsigned i = 0; i < fa->count;) {
		struct phys_range r = fa->free[i];
		paddr_t r_end = r.base + r.size;
		if (r_end <= base || r.base >= end) {
			i++;
			continue;
		}
		remove_at(fa, i);
		if (r.base < base)
			insert_at(fa, i++, r.base, base - r.base);
		if (r_end > end)
			insert_at(fa, i++, end, r_end - end);
	}
}

paddr_t frame_alloc(struct frame_allocator *fa, unsigned size_bits)
{
	if (size_bits >= 63)
		return 0;
	uint64_t size = 1ull << size_bits;
	for (unsigned i = 0; i < fa->count; i++) {
		struct phys_range r = fa->free[i];
		paddr_t start = ALIGN_UP(r.base, size);
		if (start < r.base || start + size > r.base + r.size)
			continue;
		/* Never hand out physical 0: callers use 0 for "none". */
		if (start == 0) {
			start = size;
			if (start + size > r.base + r.size)
				continue;
		}
		frame_reserve(fa, start, size);
		return start;
	}
	return 0;
}

void frame_free(struct frame_allocator *fa, paddr_t base, uint64_t size)
{
	frame_add(fa, base, size);
}

uint64_t frame_free_bytes(const struct frame_allocator *fa)
{
	uint64_t total = 0;
	for (unsigned i = 0; i < fa->count; i++)
		total += fa->free[i].size;
	return total;
}
