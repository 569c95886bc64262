/*
 * cap.h - capabilities, slots and the operations on them.
 *
 * A slot is a capability plus its links in the capability derivation
 * tree (CDT). Slots live inside CPools, tasks (the internal slots),
 * channel messages in flight and IRQ handlers. An empty slot is all
 * zeroes. The operations validate everything and return a cairn_error.
 */
#ifndef CAIRN_CAP_H
#define CAIRN_CAP_H

#include "kernel.h"
#include "object.h"
#include <cairn/errors.h>
#include <cairn/objects.h>

struct object;

#define CAP_FLAG_BADGED 1u /* Channel/Notification: data is a badge */
#define CAP_FLAG_DEVICE 2u /* Untyped/Page: device memory, never zeroed */

/*
 * Page and PageTable caps that mapped something record it (kernel/
 * vspace.c): data = virtual address | CAP_MAPPING_LIVE (| level bits),
 * spare = the VSpace root's frame number. Every other cap has spare 0.
 */
#define CAP_MAPPING_LIVE 1ull

/*
 * 24 bytes. Which fields mean what depends on the type:
 *   Untyped:  paddr = region base, bits = size (log2 bytes),
 *             data = watermark (bytes used from the base)
 *   CPool:    obj, bits = guard size, data = guard value
 *   Channel, Notification: obj, data = badge (CAP_FLAG_BADGED)
 *   Page, PageTable, VSpace: paddr; data free for mapping state
 *   Task, IRQControl, IRQHandler, IOPort: obj
 */
struct cap {
	enum cairn_obj_type type : 8;
	uint8_t rights; /* enum cairn_rights bits */
	uint8_t bits;
	uint8_t flags;  /* CAP_FLAG_* */
	uint32_t spare; /* zero; reserved (e.g. a mapping's ASID) */
	union {
		struct object *obj; /* kernel objects */
		paddr_t paddr;      /* memory objects */
	};
	uint64_t data;
};

struct slot {
	struct cap cap;
	struct slot *parent;       /* the cap this one was derived from */
	struct slot *first_child;
	struct slot *next_sibling; /* children of one parent: a NULL-ended */
	struct slot *prev_sibling; /* doubly linked list */
};

static inline bool slot_is_empty(const struct slot *s)
{
	return s->cap.type == CAIRN_OBJ_NULL;
}

/* The kernel object a cap refers to, or NULL for memory objects. */
static inline struct object *cap_object(const struct cap *cap)
{
	return object_type_has_header(cap->type) ? cap->obj : NULL;
}

/* A fresh cap with all rights to a kernel object. */
struct cap cap_for_object(struct object *o);

/*
 * Put an original cap (no CDT parent) into the empty slot `dest`; for
 * boot code creating the initial objects. Counts the reference.
 */
int cap_install_original(struct slot *dest, const struct cap *cap);

/*
 * Put `cap` into the empty slot `dest` as a CDT child of `parent`;
 * used by retype and by code that derives new objects from a control
 * cap (IRQControl -> IRQHandler). Counts the reference.
 */
int cap_install_child(struct slot *parent, struct slot *dest, const struct cap *cap);

/*
 * Copy the cap in `src` to the empty slot `dest`, keeping only the
 * rights in `rights` (a mask). The copy is a CDT child of `src`.
 * Errors: SLOT_OCCUPIED (dest, checked first), SLOT_EMPTY (src),
 * INVALID_ARGUMENT (unknown right bits), ILLEGAL_OPERATION (Untyped:
 * untyped caps are unique, see docs/capabilities.md).
 */
int cap_copy(struct slot *src, struct slot *dest, unsigned rights);

/*
 * Like copy, and sets `data`: a badge on a Channel/Notification cap
 * (0 = unbadged; minting a badged cap is ILLEGAL_OPERATION), or a guard
 * on a CPool cap (CAIRN_GUARD_DATA; RANGE if it does not fit). Other
 * types take data 0 (INVALID_ARGUMENT otherwise).
 */
int cap_mint(struct slot *src, struct slot *dest, unsigned rights, uint64_t data);

/*
 * Move the cap in `src` to the empty slot `dest`; it keeps its place in
 * the CDT (children follow it). O(number of children).
 */
int cap_move(struct slot *src, struct slot *dest);

/*
 * Delete the cap in `s`. Its children take its place under its parent.
 * If it was the last cap to an object, the object is destroyed.
 */
int cap_delete(struct slot *s);

/*
 * Delete every descendant of the cap in `s` (not `s` itself), in
 * O(descendants) time, iteratively.
 */
int cap_revoke(struct slot *s);

/*
 * Delete the cap in `s` without reaping: for object destruction, which
 * runs inside object_reap(). Everyone else calls cap_delete().
 */
void cap_delete_deferred(struct slot *s);

#endif
