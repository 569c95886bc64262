/*
 * cdt.c - link surgery on the capability derivation tree.
 *
 * Each slot has a parent and a list of children (list.h): it starts at
 * first_child, runs through next_sibling/prev_sibling and keeps no tail.
 * Roots (caps with no parent) are not linked to each other.
 */
#include "cdt.h"
#include "list.h"

void cdt_insert_child(struct slot *parent, struct slot *child)
{
	dassert(!child->parent && !child->first_child);
	dassert(!child->next_sibling && !child->prev_sibling);

	child->parent = parent;
	list_insert_head(parent->first_child, LIST_NO_TAIL, child, next_sibling,
			 prev_sibling);
}

void cdt_remove(struct slot *s)
{
	struct slot *parent = s->parent;
	struct slot *first = s->first_child;
	struct slot *last = NULL;

	/* Children move up one level; that costs one store each. */
	for (struct slot *c = first; c; c = c->next_sibling) {
		c->parent = parent;
		last = c;
	}

	if (!parent) {
		/* Roots are not linked to each other: unlink the children. */
		dassert(!s->next_sibling && !s->prev_sibling);
		struct slot *c = first;
		while (c) {
			struct slot *next = c->next_sibling;
			c->next_sibling = c->prev_sibling = NULL;
			c = next;
		}
	} else if (first) {
		/* The children, in order, take s's place among its siblings. */
		list_replace(parent->first_child, LIST_NO_TAIL, s, first, last,
			     next_sibling, prev_sibling);
	} else {
		list_remove(parent->first_child, LIST_NO_TAIL, s, next_sibling,
			    prev_sibling);
	}

	s->parent = s->first_child = s->next_sibling = s->prev_sibling = NULL;
}

void cdt_replace(struct slot *from, struct slot *to)
{
	dassert(!to->parent && !to->first_child);
	dassert(!to->next_sibling && !to->prev_sibling);

	to->parent = from->parent;
	to->first_child = from->first_child;
	if (to->parent)
		list_replace(to->parent->first_child, LIST_NO_TAIL, from, to, to,
			     next_sibling, prev_sibling);
	for (struct slot *c = to->first_child; c; c = c->next_sibling)
		c->parent = to;

	from->parent = from->first_child = NULL;
}

struct slot *cdt_first_leaf(struct slot *s)
{
	while (s->first_child)
		s = s->first_child;
	return s;
}
