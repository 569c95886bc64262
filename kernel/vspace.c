/*
 * vspace.c - address spaces through capabilities (see vspace.h):
 * the registry of live roots, map and unmap of pages and page tables,
 * and the capability core's hook for deleted memory caps.
 */
#include "vspace.h"
#include "arch.h"
#include "mem.h"
#include "pagetable.h"
#include "sched.h"
#include "syscall.h"

static paddr_t live_roots[VSPACE_MAX];

static int find_root(paddr_t root)
{
	for (int i = 0; i < VSPACE_MAX; i++)
		if (live_roots[i] == root)
			return i;
	return -1;
}

bool vspace_root_is_live(paddr_t root)
{
	return root && find_root(root) >= 0;
}

static unsigned live_root_count;

bool vspace_roots_available(uint64_t count)
{
	return count <= VSPACE_MAX - live_root_count;
}

void vspace_root_created(paddr_t root)
{
	int free = find_root(0);
	kassert(free >= 0); /* vspace_roots_available() said there was room */
	live_roots[free] = root;
	live_root_count++;
	arch_vspace_init(root);
}

paddr_t kernel_vspace_root;

static paddr_t kernel_root(void)
{
	if (!kernel_vspace_root)
		kernel_vspace_root = arch_kernel_vspace_root();
	return kernel_vspace_root;
}

void vspace_memory_reset(paddr_t base, uint64_t size)
{
	for (int i = 0; i < VSPACE_MAX; i++) {
		paddr_t r = live_roots[i];
		if (r && r >= base && r - base < size) {
			live_roots[i] = 0;
			live_root_count--;
			/* Never keep running on tables about to be reused. */
			arch_vspace_activate_if_current(r, kernel_root());
		}
	}
}

void vspace_init(void)
{
	kernel_root();
}

static int map_error(enum pt_result r)
{
	switch (r) {
	case PT_OK: return CAIRN_ERR_OK;
	case PT_NEED_TABLE: return CAIRN_ERR_MISSING_CAP;
	case PT_EXISTS: return CAIRN_ERR_SLOT_OCCUPIED;
	case PT_NOT_MAPPED: return CAIRN_ERR_ILLEGAL_OPERATION;
	case PT_BAD_ADDR: return CAIRN_ERR_RANGE;
	}
	return CAIRN_ERR_INVALID_ARGUMENT;
}

static int check_target(const struct cap *vspace, vaddr_t va)
{
	if (vspace->type != CAIRN_OBJ_VSPACE)
		return CAIRN_ERR_INVALID_CAP;
	if (!vspace_root_is_live(vspace->paddr))
		return CAIRN_ERR_INVALID_CAP;
	if (!IS_ALIGNED(va, PAGE_SIZE))
		return CAIRN_ERR_ALIGNMENT;
	if (!user_range_ok(va, PAGE_SIZE))
		return CAIRN_ERR_RANGE;
	return CAIRN_ERR_OK;
}

int vspace_map_page(struct slot *page, const struct cap *vspace, vaddr_t va,
		    unsigned attrs)
{
	struct cap *c = &page->cap;
	if (c->type != CAIRN_OBJ_PAGE)
		return CAIRN_ERR_INVALID_CAP;
	if (attrs & ~(unsigned)(CAIRN_MAP_READ | CAIRN_MAP_WRITE | CAIRN_MAP_EXEC |
				CAIRN_MAP_UNCACHED) || !(attrs & CAIRN_MAP_READ))
		return CAIRN_ERR_INVALID_ARGUMENT;
	if (!(c->rights & CAIRN_RIGHT_READ) ||
	    ((attrs & CAIRN_MAP_WRITE) && !(c->rights & CAIRN_RIGHT_WRITE)))
		return CAIRN_ERR_INSUFFICIENT_RIGHTS;
	int err = check_target(vspace, va);
	if (err)
		return err;
	if (c->data & MAP_LIVE)
		return CAIRN_ERR_SLOT_OCCUPIED; /* a page maps at one place */
	err = map_error(pt_map_page(vspace->paddr, va, c->paddr, attrs));
	if (err)
		return err;
	c->data = va | MAP_LIVE;
	c->spare = (uint32_t)(vspace->paddr >> 12);
	return CAIRN_ERR_OK;
}

int vspace_map_table(struct slot *pt, const struct cap *vspace, vaddr_t va)
{
	struct cap *c = &pt->cap;
	if (c->type != CAIRN_OBJ_PAGE_TABLE)
		return CAIRN_ERR_INVALID_CAP;
	if (c->data & MAP_LIVE)
		return CAIRN_ERR_SLOT_OCCUPIED;
	int err = check_target(vspace, ALIGN_DOWN(va, PAGE_SIZE));
	if (err)
		return err;
	unsigned level;
	enum pt_result r = pt_map_table(vspace->paddr, va, c->paddr, &level);
	if (r == PT_EXISTS)
		return CAIRN_ERR_ILLEGAL_OPERATION; /* no level is missing */
	if (r != PT_OK)
		return map_error(r);
	c->data = ALIGN_DOWN(va, PAGE_SIZE) | ((uint64_t)level << MAP_LEVEL_SHIFT) | MAP_LIVE;
	c->spare = (uint32_t)(vspace->paddr >> 12);
	return CAIRN_ERR_OK;
}

int vspace_unmap_cap(struct cap *c)
{
	if (!mapping_is_live(c))
		return CAIRN_ERR_OK; /* unmapping an unmapped cap is a no-op */
	paddr_t root = mapping_root(c);
	if (vspace_root_is_live(root)) {
		if (c->type == CAIRN_OBJ_PAGE)
			pt_unmap_page(root, mapping_vaddr(c), c->paddr);
		else
			pt_unmap_table(root, mapping_vaddr(c), c->paddr,
						(unsigned)((c->data & MAP_LEVEL_MASK) >> MAP_LEVEL_SHIFT));
	}
	c->data = 0;
	c->spare = 0;
	return CAIRN_ERR_OK;
}

void vspace_cap_deleted(const struct cap *cap)
{
	struct cap c = *cap;
	vspace_unmap_cap(&c);
}

int sys_page_map(struct task *caller, const struct cairn_sys_page_map_args *arg)
{
	struct slot *page, *vs;
	int err = sys_lookup_cap(caller, arg->page, CAIRN_OBJ_PAGE, 0, &page);
	if (!err)
		err = sys_lookup_cap(caller, arg->vspace, CAIRN_OBJ_VSPACE,
				     CAIRN_RIGHT_WRITE, &vs);
	if (!err && arg->attrs > 0xFFFFFFFFu)
		err = CAIRN_ERR_INVALID_ARGUMENT;
	return err ? err : vspace_map_page(page, &vs->cap, arg->vaddr, (unsigned)arg->attrs);
}

int sys_page_unmap(struct task *caller, const struct cairn_sys_page_unmap_args *arg)
{
	struct slot *page;
	int err = sys_lookup_cap(caller, arg->page, CAIRN_OBJ_PAGE, 0, &page);
	return err ? err : vspace_unmap_cap(&page->cap);
}

int sys_pt_map(struct task *caller, const struct cairn_sys_pt_map_args *arg)
{
	struct slot *pt, *vs;
	int err = sys_lookup_cap(caller, arg->pt, CAIRN_OBJ_PAGE_TABLE, 0, &pt);
	if (!err)
		err = sys_lookup_cap(caller, arg->vspace, CAIRN_OBJ_VSPACE,
				     CAIRN_RIGHT_WRITE, &vs);
	return err ? err : vspace_map_table(pt, &vs->cap, arg->vaddr);
}

int sys_pt_unmap(struct task *caller, const struct cairn_sys_pt_unmap_args *arg)
{
	struct slot *pt;
	int err = sys_lookup_cap(caller, arg->pt, CAIRN_OBJ_PAGE_TABLE, 0, &pt);
	return err ? err : vspace_unmap_cap(&pt->cap);
}
