/*
 * list.h - intrusive doubly-linked lists, the one implementation behind
 * every list in the kernel:
 *
 *   run and wait queues     ends: struct task_queue (head, tail)
 *                           links: task.queue_next, task.queue_prev
 *   live objects of a type  ends: struct object_list (head, tail)
 *                           links: object.next, object.prev
 *   a slot's CDT children   ends: slot.first_child, no tail
 *                           links: slot.next_sibling, slot.prev_sibling
 *
 * As in Linux's <linux/list.h> the links live in the elements, so linking
 * never allocates and unlinking is O(1). Unlike Linux's lists these are
 * NULL-terminated rather than circular (the first element's prev and the
 * last one's next are NULL), the links point at the elements themselves
 * rather than at a node inside them, and each structure names its links
 * after what they link, so the macros take the field names.
 *
 * That layout is an interface: kdbg (kdbg/python/kdbg/model.py, check.py)
 * and kread (kdbg/lib/decode.c, snapshot.c; kdbg-top and the gdbserver
 * use it) find these fields by name in the DWARF and walk a list from its
 * head through `next` until NULL, checking every `prev` on the way.
 *
 * Arguments: `head` and `tail` are lvalues holding the first and the last
 * element (plain fields such as q->head: they are evaluated more than
 * once); a list that keeps no tail passes LIST_NO_TAIL. `e` (evaluated
 * once) is an element; `next` and `prev` name its link fields.
 */
#ifndef CAIRN_LIST_H
#define CAIRN_LIST_H

#include <stddef.h>

/*
 * The `tail` of a list that keeps none: a throwaway lvalue (a compound
 * literal), so the stores the macros make to it are dead and vanish.
 */
#define LIST_NO_TAIL ((void *){ NULL })

/* Link the unlinked element e in before the first element. */
#define list_insert_head(head, tail, e, next, prev)                           \
	do {                                                                  \
		__typeof__(e) list_e_ = (e);                                  \
		list_e_->prev = NULL;                                         \
		list_e_->next = (head);                                       \
		if (list_e_->next)                                            \
			list_e_->next->prev = list_e_;                        \
		else                                                          \
			(tail) = list_e_;                                     \
		(head) = list_e_;                                             \
	} while (0)

/* Link the unlinked element e in after the last element. */
#define list_insert_tail(head, tail, e, next, prev)                           \
	do {                                                                  \
		__typeof__(e) list_e_ = (e);                                  \
		list_e_->next = NULL;                                         \
		list_e_->prev = (tail);                                       \
		if (list_e_->prev)                                            \
			list_e_->prev->next = list_e_;                        \
		else                                                          \
			(head) = list_e_;                                     \
		(tail) = list_e_;                                             \
	} while (0)

/*
 * Put the chain first..last where e is and unlink e, whose links end
 * NULL. The chain's elements are linked to each other already; first's
 * prev and last's next are overwritten. first == last replaces e by one
 * element.
 */
#define list_replace(head, tail, e, first, last, next, prev)                  \
	do {                                                                  \
		__typeof__(e) list_e_ = (e);                                  \
		__typeof__(e) list_f_ = (first), list_l_ = (last);            \
		list_f_->prev = list_e_->prev;                                \
		list_l_->next = list_e_->next;                                \
		if (list_e_->prev)                                            \
			list_e_->prev->next = list_f_;                        \
		else                                                          \
			(head) = list_f_;                                     \
		if (list_e_->next)                                            \
			list_e_->next->prev = list_l_;                        \
		else                                                          \
			(tail) = list_l_;                                     \
		list_e_->next = list_e_->prev = NULL;                         \
	} while (0)

/* Unlink e; its links end NULL. */
#define list_remove(head, tail, e, next, prev)                                \
	do {                                                                  \
		__typeof__(e) list_e_ = (e);                                  \
		if (list_e_->prev)                                            \
			list_e_->prev->next = list_e_->next;                  \
		else                                                          \
			(head) = list_e_->next;                               \
		if (list_e_->next)                                            \
			list_e_->next->prev = list_e_->prev;                  \
		else                                                          \
			(tail) = list_e_->prev;                               \
		list_e_->next = list_e_->prev = NULL;                         \
	} while (0)

/*
 * Unlink e, the first element: what list_remove does, less the test of
 * e's prev, which is NULL (the IPC fastpath counts every instruction).
 */
#define list_remove_head(head, tail, e, next, prev)                           \
	do {                                                                  \
		__typeof__(e) list_e_ = (e);                                  \
		(head) = list_e_->next;                                       \
		if (list_e_->next)                                            \
			list_e_->next->prev = NULL;                           \
		else                                                          \
			(tail) = NULL;                                        \
		list_e_->next = NULL;                                         \
	} while (0)

#endif
