/*
 * vmap.c - page mapping with page-table creation (see vmap.h).
 */
#include "syscall.h"
#include "vmap.h"

int vmap_page(struct ut_alloc *ua, uint64_t page, uint64_t vspace, uint64_t vaddr,
	      unsigned attrs)
{
	for (int level = 0;; level++) {
		uint64_t pt;
		int err = cairn_page_map(page, vspace, vaddr, attrs);

		if (err != CAIRN_ERR_MISSING_CAP || level == VMAP_MAX_TABLE_LEVELS)
			return err;
		err = ut_alloc_object(ua, CAIRN_OBJ_PAGE_TABLE, 0, &pt);
		if (err)
			return err;
		err = cairn_pt_map(pt, vspace, vaddr);
		if (err) {
			ut_free_object(ua, pt);
			return err;
		}
	}
}
