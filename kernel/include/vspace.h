/*
 * vspace.h - VSpaces, page tables and pages (kernel/vspace.c): memory
 * objects named by physical address in their caps, with no kernel
 * object behind them. The capability core sees only the hooks below;
 * the rest is for the system calls and boot.
 *
 * A mapping is recorded in the cap that made it: cap.data holds the
 * virtual address with MAP_LIVE (and, for a page table, its level) in
 * the low bits; cap.spare holds the VSpace root's frame number. Copies
 * of a Page or PageTable cap start unmapped.
 *
 * Every VSpace root is in a registry of live roots. Unmapping through a
 * cap only touches a root that is still registered, and a root leaves
 * the registry when the untyped memory holding it is reset, so a stale
 * cap can never walk reused memory. The page-table walk itself is
 * kernel/pagetable.c (pagetable.h).
 */
#ifndef CAIRN_VSPACE_H
#define CAIRN_VSPACE_H

#include "cap.h"

/* ---- hooks the capability core calls (stubbed by the host build) ---- */

/*
 * A Page, PageTable or VSpace cap is being deleted (`cap` is a copy of
 * it). If the mapping recorded in that cap is live, undo it, so no
 * mapping outlives every cap to the memory and the untyped can be
 * reused safely.
 */
void vspace_cap_deleted(const struct cap *cap);

/*
 * Retype and reset. A VSpace root must be registered to be usable (and
 * unmapping through old caps only touches registered roots): retype asks
 * for room for `count` new roots before it creates anything, then
 * reports each one.
 */
bool vspace_roots_available(uint64_t count);
void vspace_root_created(paddr_t root);
/* Untyped memory [base, base + size) was reset: roots in it are gone. */
void vspace_memory_reset(paddr_t base, uint64_t size);

/* ---- mappings ---- */

#define MAP_LIVE CAP_MAPPING_LIVE
#define MAP_LEVEL_SHIFT 1 /* page tables: level 1..3 in bits 1..2 */
#define MAP_LEVEL_MASK (3ull << MAP_LEVEL_SHIFT)
#define VSPACE_MAX 1024   /* live VSpaces at once */

static inline bool mapping_is_live(const struct cap *c)
{
	return (c->type == CAIRN_OBJ_PAGE || c->type == CAIRN_OBJ_PAGE_TABLE) &&
	       (c->data & MAP_LIVE);
}

static inline uint64_t mapping_vaddr(const struct cap *c)
{
	return c->data & ~0xFFFull;
}

static inline paddr_t mapping_root(const struct cap *c)
{
	return (paddr_t)c->spare << 12;
}

bool vspace_root_is_live(paddr_t root);
/* Note the kernel's own page-table root (before any task runs). */
void vspace_init(void);

/* Map/unmap through caps, recording the mapping in the cap. */
int vspace_map_page(struct slot *page, const struct cap *vspace, vaddr_t va,
		    unsigned attrs);
int vspace_unmap_cap(struct cap *c);
int vspace_map_table(struct slot *pt, const struct cap *vspace, vaddr_t va);

#endif
