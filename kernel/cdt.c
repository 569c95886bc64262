/*
 * cdt.c - link surgery on the capability derivation tree.
 *
 * Each slot has parent, first_child and a doubly linked sibling list.
 * Roots (caps with no parent) are not linked to each other.
 */
#include "cdt.h"

void cdt_insert_child(struct slot *parent, struct slot *child)
{
	dassert(!child->parent && !child->first_child);
	dassert(!child->next_sibling && !child->prev_sibling);

	child->parent = parent;
	child->prev_sibling = NULL;
	child->next_sibling = parent->first_child;
	if (parent->first_child)
		parent->first_child->prev_sibling = child;
	parent->first_child = child;
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
		struct slot *c = first;
		while (c) {
			struct slot *next = c->next_sibling;
			c->next_sibling = c->prev_sibling = NULL;
			c = next;
		}
	} else if (first) {
		/* Splice [first..last] where s was. */
		first->prev_sibling = s->prev_sibling;
		last->next_sibling = s->next_sibling;
		if (s->prev_sibling)
			s->prev_sibling->next_sibling = first;
		else
			parent->first_child = first;
		if (s->next_sibling)
			s->next_sibling->prev_sibling = last;
	} else {
		if (s->prev_sibling)
			s->prev_sibling->next_sibling = s->next_sibling;
		else
			parent->first_child = s->next_sibling;
		if (s->next_sibling)
			s->next_sibling->prev_sibling = s->prev_sibling;
	}

	s->parent = s->first_child = s->next_sibling = s->prev_sibling = NULL;
}

void cdt_replace(struct slot *from, struct slot *to)
{
	dassert(!to->parent && !to->first_child);
	dassert(!to->next_sibling && !to->prev_sibling);

	to->parent = from->parent;
	to->first_child = from->first_child;
	to->next_sibling = from->next_sibling;
	to->prev_sibling = from->prev_sibling;

	if (to->prev_sibling)
		to->prev_sibling->next_sibling = to;
	else if (to->parent)
		to->parent->first_child = to;
	if (to->next_sibling)
		to->next_sibling->prev_sibling = to;
	for (struct slot *c = to->first_child; c; c = c->next_sibling)
		c->parent = to;

	from->parent = from->first_child = from->next_sibling = from->prev_sibling = NULL;
}

struct slot *cdt_first_leaf(struct slot *s)
{
	while (s->first_child)
		s = s->first_child;
	return s;
}
