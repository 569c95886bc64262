/*
 * frame.h - the boot-time physical memory allocator. It keeps free RAM
 * as a short list of ranges: the kernel takes what it needs for boot
 * objects, and the rest becomes untyped memory for the root task.
 * Has no hardware dependency (unit-tested on the host).
 */
#ifndef CAIRN_FRAME_H
#define CAIRN_FRAME_H

#include "kernel.h"

#define FRAME_MAX_RANGES 64

struct phys_range {
	paddr_t base;
	uint64_t size;
};

struct frame_allocator {
	struct phys_range free[FRAME_MAX_RANGES];
	unsigned count; /* sorted by base, non-overlapping, non-adjacent */
};

extern struct frame_allocator kernel_frames;

void frame_allocator_init(struct frame_allocator *fa);
/* Add [base, base+size) as free; returns false if it would overflow. */
bool frame_add(struct frame_allocator *fa, paddr_t base, uint64_t size);
/* Remove [base, base+size) from the free set (e.g. the kernel image). */
void frame_reserve(struct frame_allocator *fa, paddr_t base, uint64_t size);
/* Allocate 2^size_bits bytes aligned to their size; 0 when none fits. */
paddr_t frame_alloc(struct frame_allocator *fa, unsigned size_bits);
void frame_free(struct frame_allocator *fa, paddr_t base, uint64_t size);
uint64_t frame_free_bytes(const struct frame_allocator *fa);

#endif
