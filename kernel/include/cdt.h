/*
 * cdt.h - the capability derivation tree: explicit parent / first-child
 * / sibling links in every slot, so a debugger can draw it. Pure link
 * surgery; cap.c decides when to call these.
 */
#ifndef CAIRN_CDT_H
#define CAIRN_CDT_H

#include "cap.h"

/* Make the unlinked slot `child` the first child of `parent`. O(1). */
void cdt_insert_child(struct slot *parent, struct slot *child);

/*
 * Unlink `s`. Its children are spliced into its place among its
 * parent's children, in order (or become roots if `s` had no parent).
 * O(number of children). `s` ends with all links NULL.
 */
void cdt_remove(struct slot *s);

/*
 * Let the unlinked slot `to` take over `from`'s place in the tree,
 * children included. O(number of children).
 */
void cdt_replace(struct slot *from, struct slot *to);

/* The deepest first descendant of `s` (s itself if it has no child). */
struct slot *cdt_first_leaf(struct slot *s);

#endif
