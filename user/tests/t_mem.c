/*
 * t_mem.c - page and page-table mapping in the suite's own VSpace.
 */
#include "harness.h"

#define VA UINT64_C(0x31000000) /* a region used by nothing else */
#define RW (CAIRN_MAP_READ | CAIRN_MAP_WRITE)

static void map_write_read_unmap(void)
{
	uint64_t pg = new_obj(CAIRN_OBJ_PAGE, 0);
	volatile uint64_t *p = (volatile uint64_t *)(uintptr_t)VA;
	struct cairn_cap_info i;

	CHECK_OK(map_rw(pg, VA));
	i = ident(pg);
	CHECK(i.flags & CAIRN_CAPINFO_MAPPED);
	CHECK_EQ(i.summary[0], VA);
	p[3] = 0x1122334455667788;
	CHECK_EQ(p[3], 0x1122334455667788);
	CHECK_OK(cairn_page_unmap(pg));
	CHECK(!(ident(pg).flags & CAIRN_CAPINFO_MAPPED));
	CHECK_OK(cairn_page_unmap(pg)); /* unmapping twice is a no-op */
	CHECK_OK(cairn_page_map(pg, CAIRN_SLOT_VSPACE, VA + 0x1000, RW));
	CHECK_EQ(((volatile uint64_t *)(uintptr_t)(VA + 0x1000))[3], 0x1122334455667788);
}

static void two_caps_share_a_frame(void)
{
	uint64_t pg = new_obj(CAIRN_OBJ_PAGE, 0), cp = new_slot();
	volatile uint64_t *a = (volatile uint64_t *)(uintptr_t)(VA + 0x2000);
	volatile uint64_t *b = (volatile uint64_t *)(uintptr_t)(VA + 0x3000);

	CHECK_OK(map_rw(pg, VA + 0x2000));
	CHECK_OK(cairn_cap_copy(cp, pg, CAIRN_RIGHTS_ALL));
	CHECK(!(ident(cp).flags & CAIRN_CAPINFO_MAPPED)); /* copies start unmapped */
	CHECK_OK(cairn_page_map(cp, CAIRN_SLOT_VSPACE, VA + 0x3000, RW));
	a[0] = 77;
	CHECK_EQ(b[0], 77);
	/* deleting the copy unmaps only its own mapping */
	CHECK_OK(cairn_cap_delete(cp));
	CHECK(ident(pg).flags & CAIRN_CAPINFO_MAPPED);
	CHECK_EQ(a[0], 77);
}

/* Uncached memory (for DMA buffers and the like) is the same frame: what
 * is written through one mapping is read through the cached one. */
static void uncached_alias_of_a_cached_page(void)
{
	uint64_t pg = new_obj(CAIRN_OBJ_PAGE, 0), cp = new_slot();
	volatile uint64_t *cached = (volatile uint64_t *)(uintptr_t)(VA + 0x7000);
	volatile uint64_t *uncached = (volatile uint64_t *)(uintptr_t)(VA + 0x8000);

	CHECK_OK(map_rw(pg, VA + 0x7000));
	CHECK_OK(cairn_cap_copy(cp, pg, CAIRN_RIGHTS_ALL));
	CHECK_OK(cairn_page_map(cp, CAIRN_SLOT_VSPACE, VA + 0x8000, RW | CAIRN_MAP_UNCACHED));
	uncached[5] = 0xdecafbad;
	CHECK_EQ(cached[5], 0xdecafbad);
	cached[6] = 0xfeed;
	CHECK_EQ(uncached[6], 0xfeed);
	CHECK_OK(cairn_cap_delete(cp));
}

static void map_errors(void)
{
	uint64_t pg = new_obj(CAIRN_OBJ_PAGE, 0), ro = new_slot(), pt = new_obj(CAIRN_OBJ_PAGE_TABLE, 0);

	CHECK_ERR(cairn_page_map(pg, CAIRN_SLOT_VSPACE, VA + 0x4001, RW), CAIRN_ERR_ALIGNMENT);
	CHECK_ERR(cairn_page_map(pg, CAIRN_SLOT_VSPACE, UINT64_C(0xffff800000000000), RW),
		  CAIRN_ERR_RANGE);
	/* The last page below the canonical hole stays unmappable, so the
	 * return address of a `syscall` is always canonical. */
	CHECK_ERR(cairn_page_map(pg, CAIRN_SLOT_VSPACE, UINT64_C(0x00007ffffffff000), RW),
		  CAIRN_ERR_RANGE);
	CHECK_ERR(cairn_page_map(pg, CAIRN_SLOT_VSPACE, VA + 0x4000, CAIRN_MAP_WRITE),
		  CAIRN_ERR_INVALID_ARGUMENT);
	CHECK_ERR(cairn_page_map(pg, CAIRN_SLOT_VSPACE, VA + 0x4000, RW | 0x10),
		  CAIRN_ERR_INVALID_ARGUMENT);
	CHECK_ERR(cairn_page_map(pg, CAIRN_SLOT_ROOT_CPOOL, VA + 0x4000, RW), CAIRN_ERR_INVALID_CAP);
	CHECK_ERR(cairn_page_map(CAIRN_SLOT_CHANNEL, CAIRN_SLOT_VSPACE, VA + 0x4000, RW),
		  CAIRN_ERR_INVALID_CAP);
	/* the image's first page is taken */
	CHECK_ERR(cairn_page_map(pg, CAIRN_SLOT_VSPACE, boot_info->image_start, RW),
		  CAIRN_ERR_SLOT_OCCUPIED);
	/* a read-only cap maps read-only only */
	CHECK_OK(cairn_cap_copy(ro, pg, CAIRN_RIGHT_READ));
	CHECK_ERR(cairn_page_map(ro, CAIRN_SLOT_VSPACE, VA + 0x4000, RW),
		  CAIRN_ERR_INSUFFICIENT_RIGHTS);
	CHECK_OK(cairn_page_map(ro, CAIRN_SLOT_VSPACE, VA + 0x4000, CAIRN_MAP_READ));
	CHECK_ERR(cairn_page_map(ro, CAIRN_SLOT_VSPACE, VA + 0x5000, CAIRN_MAP_READ),
		  CAIRN_ERR_SLOT_OCCUPIED); /* one place at a time */
	/* tables: none missing here; and a far address with none */
	CHECK_ERR(cairn_pt_map(pt, CAIRN_SLOT_VSPACE, VA), CAIRN_ERR_ILLEGAL_OPERATION);
	CHECK_ERR(cairn_page_map(pg, CAIRN_SLOT_VSPACE, UINT64_C(0x600000000000), RW),
		  CAIRN_ERR_MISSING_CAP);
	CHECK_ERR(cairn_pt_map(pg, CAIRN_SLOT_VSPACE, VA), CAIRN_ERR_INVALID_CAP);
}

static void page_tables_by_hand(void)
{
	uint64_t far = UINT64_C(0x610000000000), pg = new_obj(CAIRN_OBJ_PAGE, 0);
	uint64_t pts[3];
	int maps = 0, err;

	/* map tables until the page fits: at most three levels missing */
	while ((err = cairn_page_map(pg, CAIRN_SLOT_VSPACE, far, RW)) == CAIRN_ERR_MISSING_CAP &&
	       maps < 3) {
		pts[maps] = new_obj(CAIRN_OBJ_PAGE_TABLE, 0);
		CHECK_OK(cairn_pt_map(pts[maps], CAIRN_SLOT_VSPACE, far));
		CHECK(ident(pts[maps]).flags & CAIRN_CAPINFO_MAPPED);
		maps++;
	}
	CHECK_OK(err);
	CHECK(maps >= 1);
	*(volatile uint64_t *)(uintptr_t)far = 5;
	CHECK_EQ(*(volatile uint64_t *)(uintptr_t)far, 5);
	/* unmapping the lowest table takes the page's mapping with it */
	CHECK_OK(cairn_pt_unmap(pts[maps - 1]));
	CHECK(!(ident(pts[maps - 1]).flags & CAIRN_CAPINFO_MAPPED));
	CHECK_ERR(cairn_page_map(new_obj(CAIRN_OBJ_PAGE, 0), CAIRN_SLOT_VSPACE, far + 0x1000, RW),
		  CAIRN_ERR_MISSING_CAP);
}

const struct test tests_mem[] = {
	{ "page: map, write, read, unmap, map elsewhere", map_write_read_unmap },
	{ "page: two caps to one frame at two addresses", two_caps_share_a_frame },
	{ "page: an uncached mapping of a frame shares its contents", uncached_alias_of_a_cached_page },
	{ "page map: ALIGNMENT, RANGE, attrs, types, taken, rights, tables",
	  map_errors },
	{ "page tables: map each missing level by hand, unmap", page_tables_by_hand },
	{ 0, 0 },
};
