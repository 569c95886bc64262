/*
 * vmap.h - map a Page, creating the page tables the walk lacks.
 */
#ifndef ULIB_VMAP_H
#define ULIB_VMAP_H

#include <stdint.h>
#include "utalloc.h"

/* Levels of page table below the VSpace root that may be missing. */
#define VMAP_MAX_TABLE_LEVELS 3

/*
 * cairn_page_map, and while it answers MISSING_CAP (a table is
 * missing), make a PageTable from untyped, map it for vaddr and retry.
 * Tables made stay in their slots (they are part of the VSpace now).
 */
int vmap_page(struct ut_alloc *ua, uint64_t page, uint64_t vspace, uint64_t vaddr,
	      unsigned attrs);

#endif
