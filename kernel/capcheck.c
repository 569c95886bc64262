/*
 * capcheck.c - verify the capability core's invariants.
 *
 *  1. object lists: well linked, bounded, each object live and typed;
 *  2. every slot of every live object: empty slots all zero; caps well
 *     formed; CDT links locally consistent (parent/child/sibling);
 *     every referenced object is on a live list;
 *  3. every object's cap_count equals the caps that refer to it, > 0;
 *  4. untyped: watermark within the region, 0 without children, each
 *     child's memory inside [base, base + watermark);
 *  5. the CDT is a forest: walking down from the roots reaches every
 *     used slot exactly once (catches cycles), with a bounded walk.
 *
 * Pointers read from slots are followed only after checking they point
 * into the memory of a listed object, so corrupt data gives a report,
 * not a fault. Runs in O(slots + objects).
 */
#include "capcheck.h"
#include "cap.h"
#include "cpool.h"
#include "mem.h"
#include "object.h"

struct checker {
	struct capcheck *c;
	uintptr_t lo, hi;   /* span of listed object memory */
	uint32_t epoch;
	uint64_t roots;
	bool links_bad;     /* skip the tree walk: it could go astray */
};

static uint32_t check_epoch;

__attribute__((format(printf, 2, 3)))
static void violation(struct checker *k, const char *fmt, ...)
{
	char msg[160];
	va_list ap;

	va_start(ap, fmt);
	kvsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (k->c->violations++ == 0)
		memcpy(k->c->first, msg, sizeof(msg));
	if (k->c->report)
		k->c->report(k->c->arg, msg);
}

static bool in_span(const struct checker *k, const void *p, size_t size)
{
	uintptr_t a = (uintptr_t)p;

	return a && IS_ALIGNED(a, 8) && a >= k->lo && a < k->hi && size <= k->hi - a;
}

static bool slot_ptr_ok(const struct checker *k, const struct slot *s)
{
	return in_span(k, s, sizeof(*s));
}

static bool obj_ptr_ok(const struct checker *k, const struct object *o)
{
	return in_span(k, o, sizeof(*o)) && o->check_epoch == k->epoch;
}

/* Pass 1: the lists; marks each listed object with this epoch. */
static void check_lists(struct checker *k)
{
	k->lo = UINTPTR_MAX;
	k->hi = 0;
	for (int t = 0; t < CAIRN_OBJ_TYPE_COUNT; t++) {
		struct object_list *l = &object_lists[t];
		struct object *prev = NULL;
		uint64_t n = 0;

		for (struct object *o = l->head; o; prev = o, o = o->next) {
			if (!IS_ALIGNED((uintptr_t)o, 8) || n > l->count) {
				violation(k, "list %s: walk passes its count %llu",
					  cairn_obj_type_name(t), (unsigned long long)l->count);
				break;
			}
			n++;
			if (o->prev != prev)
				violation(k, "list %s: object %p has prev %p, expected %p",
					  cairn_obj_type_name(t), (void *)o, (void *)o->prev, (void *)prev);
			if ((int)o->type != t || o->state != OBJECT_LIVE)
				violation(k, "list %s: object %p has type %d state %d",
					  cairn_obj_type_name(t), (void *)o, o->type, o->state);
			o->check_epoch = k->epoch;
			o->check_count = 0;
			if ((uintptr_t)o < k->lo)
				k->lo = (uintptr_t)o;
			if ((uintptr_t)o + object_size(o) > k->hi)
				k->hi = (uintptr_t)o + object_size(o);
			k->c->objects++;
		}
		if (n != l->count || l->tail != prev)
			violation(k, "list %s: %llu objects linked, count %llu, tail %s",
				  cairn_obj_type_name(t), (unsigned long long)n,
				  (unsigned long long)l->count, l->tail == prev ? "ok" : "wrong");
	}
}

static bool empty_slot_clean(const struct slot *s)
{
	static const struct slot zero;

	return memcmp(s, &zero, sizeof(zero)) == 0;
}

static void check_links(struct checker *k, struct slot *s)
{
	struct slot *p = s->parent, *fc = s->first_child;
	struct slot *nx = s->next_sibling, *pv = s->prev_sibling;

	if ((p && !slot_ptr_ok(k, p)) || (fc && !slot_ptr_ok(k, fc)) ||
	    (nx && !slot_ptr_ok(k, nx)) || (pv && !slot_ptr_ok(k, pv))) {
		violation(k, "slot %p: a CDT link points outside live objects", (void *)s);
		k->links_bad = true;
		return;
	}
	if (p && slot_is_empty(p)) {
		violation(k, "slot %p: parent %p is empty", (void *)s, (void *)p);
		k->links_bad = true;
	}
	if (!p && (nx || pv)) {
		violation(k, "slot %p: root with siblings", (void *)s);
		k->links_bad = true;
	}
	if (p && !pv && p->first_child != s) {
		violation(k, "slot %p: first sibling but parent's first child is %p",
			  (void *)s, (void *)p->first_child);
		k->links_bad = true;
	}
	if (pv && (pv->next_sibling != s || pv->parent != p)) {
		violation(k, "slot %p: prev sibling %p does not link back", (void *)s, (void *)pv);
		k->links_bad = true;
	}
	if (nx && (nx->prev_sibling != s || nx->parent != p)) {
		violation(k, "slot %p: next sibling %p does not link back", (void *)s, (void *)nx);
		k->links_bad = true;
	}
	if (fc && (fc->parent != s || fc->prev_sibling)) {
		violation(k, "slot %p: first child %p does not link back", (void *)s, (void *)fc);
		k->links_bad = true;
	}
	if (!p)
		k->roots++;
}

/* Where an untyped's child lives: [*pa, *pa + *size). */
static bool child_memory(const struct checker *k, const struct cap *c, paddr_t *pa, uint64_t *size)
{
	switch (c->type) {
	case CAIRN_OBJ_UNTYPED:
		*pa = c->paddr;
		*size = 1ull << c->bits;
		return true;
	case CAIRN_OBJ_PAGE:
	case CAIRN_OBJ_PAGE_TABLE:
	case CAIRN_OBJ_VSPACE:
		*pa = c->paddr;
		*size = PAGE_SIZE;
		return true;
	default:
		if (!object_type_has_header(c->type) || !obj_ptr_ok(k, c->obj))
			return false;
		*pa = virt_to_phys(c->obj);
		*size = object_size(c->obj);
		return true;
	}
}

static void check_untyped(struct checker *k, struct slot *s)
{
	const struct cap *u = &s->cap;
	uint64_t size;
	unsigned n = 0;

	if (u->bits < CAIRN_UNTYPED_MIN_BITS || u->bits > CAIRN_UNTYPED_MAX_BITS) {
		violation(k, "untyped %p: size bits %u", (void *)s, u->bits);
		return;
	}
	size = 1ull << u->bits;
	if (!IS_ALIGNED(u->paddr, size))
		violation(k, "untyped %p: base %#llx not aligned", (void *)s, (unsigned long long)u->paddr);
	if (u->data > size)
		violation(k, "untyped %p: watermark %#llx past size", (void *)s, (unsigned long long)u->data);
	if (!s->first_child && u->data)
		violation(k, "untyped %p: no children but watermark %#llx", (void *)s,
			  (unsigned long long)u->data);
	if (k->links_bad)
		return;
	for (struct slot *c = s->first_child; c; c = c->next_sibling) {
		paddr_t pa;
		uint64_t csize;

		if (++n > k->c->slots_used + 1 || !slot_ptr_ok(k, c))
			return; /* the tree walk reports this */
		if (!child_memory(k, &c->cap, &pa, &csize) || pa < u->paddr ||
		    pa - u->paddr > u->data || csize > u->data - (pa - u->paddr))
			violation(k, "untyped %p: child %p (%s) outside [base, watermark)",
				  (void *)s, (void *)c, cairn_obj_type_name(c->cap.type));
		if ((u->flags & CAP_FLAG_DEVICE) && c->cap.type != CAIRN_OBJ_PAGE &&
		    c->cap.type != CAIRN_OBJ_UNTYPED)
			violation(k, "device untyped %p: child of type %s", (void *)s,
				  cairn_obj_type_name(c->cap.type));
	}
}

static void check_cap(struct checker *k, struct slot *s)
{
	const struct cap *c = &s->cap;

	if (c->type >= CAIRN_OBJ_TYPE_COUNT) {
		violation(k, "slot %p: bad type %d", (void *)s, c->type);
		return;
	}
	bool mapping = (c->type == CAIRN_OBJ_PAGE || c->type == CAIRN_OBJ_PAGE_TABLE) &&
		       (c->data & CAP_MAPPING_LIVE);
	if (c->rights & ~CAIRN_RIGHTS_ALL || (c->spare && !mapping))
		violation(k, "slot %p: bad rights %#x or spare %#x", (void *)s, c->rights, c->spare);
	if (object_type_has_header(c->type)) {
		if (!obj_ptr_ok(k, c->obj) || c->obj->type != c->type) {
			violation(k, "slot %p: %s cap refers to %p, not a live object of its type",
				  (void *)s, cairn_obj_type_name(c->type), (void *)c->obj);
			return;
		}
		c->obj->check_count++;
	}
	if ((c->flags & CAP_FLAG_BADGED) &&
	    c->type != CAIRN_OBJ_CHANNEL && c->type != CAIRN_OBJ_NOTIFICATION)
		violation(k, "slot %p: badge on a %s cap", (void *)s, cairn_obj_type_name(c->type));
	if ((c->type == CAIRN_OBJ_CHANNEL || c->type == CAIRN_OBJ_NOTIFICATION) &&
	    !(c->flags & CAP_FLAG_BADGED) && c->data)
		violation(k, "slot %p: unbadged cap with data %#llx", (void *)s,
			  (unsigned long long)c->data);
	if (c->type == CAIRN_OBJ_CPOOL) {
		const struct cpool *p = cap_cpool(c);
		if (c->bits + p->radix_bits > 64 || (c->data >> c->bits) != 0)
			violation(k, "slot %p: guard %#llx/%u does not fit", (void *)s,
				  (unsigned long long)c->data, c->bits);
	}
}

/* Pass 2: every slot of every listed object. */
static void check_slots(struct checker *k, bool second_half)
{
	for (int t = 0; t < CAIRN_OBJ_TYPE_COUNT; t++) {
		uint64_t n = 0;
		for (struct object *o = object_lists[t].head; o && n++ < object_lists[t].count;
		     o = o->next) {
			struct slot *s;
			for (size_t i = 0; (s = object_slot_at(o, i)); i++) {
				if (second_half) {
					if (s->cap.type == CAIRN_OBJ_UNTYPED)
						check_untyped(k, s);
					continue;
				}
				if (slot_is_empty(s)) {
					if (!empty_slot_clean(s)) {
						violation(k, "slot %p: empty but not clean", (void *)s);
						k->links_bad = true;
					}
					continue;
				}
				k->c->slots_used++;
				check_cap(k, s);
				check_links(k, s);
			}
		}
	}
}

/* Pass 3: counts. */
static void check_counts(struct checker *k)
{
	for (int t = 0; t < CAIRN_OBJ_TYPE_COUNT; t++) {
		uint64_t n = 0;
		for (struct object *o = object_lists[t].head; o && n++ < object_lists[t].count;
		     o = o->next) {
			if (o->check_count != o->cap_count)
				violation(k, "%s %p '%.*s': cap_count %u but %u caps refer to it",
					  cairn_obj_type_name(t), (void *)o, CAIRN_NAME_LEN, o->name,
					  o->cap_count, o->check_count);
			if (o->cap_count == 0)
				violation(k, "%s %p: live without caps", cairn_obj_type_name(t), (void *)o);
		}
	}
}

/* Pass 4: from each root, a bounded pre-order walk of its subtree. */
static uint64_t walk_tree(struct slot *root, uint64_t budget)
{
	struct slot *n = root;
	uint64_t seen = 0;

	for (;;) {
		if (++seen > budget)
			return seen;
		if (n->first_child) {
			n = n->first_child;
			continue;
		}
		while (n != root && !n->next_sibling)
			n = n->parent;
		if (n == root)
			return seen;
		n = n->next_sibling;
	}
}

static void check_forest(struct checker *k)
{
	uint64_t used = k->c->slots_used, seen = 0;

	for (int t = 0; t < CAIRN_OBJ_TYPE_COUNT && seen <= used; t++) {
		uint64_t n = 0;
		for (struct object *o = object_lists[t].head; o && n++ < object_lists[t].count;
		     o = o->next) {
			struct slot *s;
			for (size_t i = 0; (s = object_slot_at(o, i)) && seen <= used; i++)
				if (!slot_is_empty(s) && !s->parent)
					seen += walk_tree(s, used - seen + 1);
		}
	}
	if (seen != used)
		violation(k, "CDT: walking from %llu roots reaches %llu%s of %llu used slots (a cycle?)",
			  (unsigned long long)k->roots, (unsigned long long)seen,
			  seen > used ? "+" : "", (unsigned long long)used);
}

unsigned capcheck_run(struct capcheck *c)
{
	struct checker k = { .c = c };

	c->violations = 0;
	c->slots_used = 0;
	c->objects = 0;
	c->first[0] = '\0';
	k.epoch = ++check_epoch;
	if (k.epoch == 0)
		k.epoch = ++check_epoch;

	check_lists(&k);
	check_slots(&k, false);
	check_counts(&k);
	check_slots(&k, true);
	if (!k.links_bad)
		check_forest(&k);
	return c->violations;
}
