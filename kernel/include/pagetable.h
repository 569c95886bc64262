/*
 * pagetable.h - user page tables, arch-neutral: a VSpace is one root
 * table page and four levels of 512-entry tables on both arches
 * (x86_64 4-level paging; AArch64 48-bit VA with a 4 KiB granule).
 * Levels count down: 4 is the root, 1 the last level, holding pages.
 * What an entry looks like is the arch's (arch_pte.h).
 */
#ifndef CAIRN_PAGETABLE_H
#define CAIRN_PAGETABLE_H

#include "kernel.h"

enum pt_result {
	PT_OK,
	PT_NEED_TABLE, /* a page-table level above is missing */
	PT_EXISTS,     /* something is already mapped there */
	PT_NOT_MAPPED, /* nothing (or something else) is mapped there */
	PT_BAD_ADDR,   /* not a user address, or misaligned */
};

#define PT_LEVELS 4
#define PT_TABLES_BELOW_ROOT 3 /* tables below the root a VSpace needs */

/* Install the table page at the highest missing level covering va;
 * *level gets its level (1 = last level, mapping pages). */
enum pt_result pt_map_table(paddr_t root, vaddr_t va, paddr_t table, unsigned *level);
/* Remove the table installed at `level` covering va, if it is `table`. */
enum pt_result pt_unmap_table(paddr_t root, vaddr_t va, paddr_t table, unsigned level);
/* attrs: CAIRN_MAP_READ, _WRITE, _EXEC, _UNCACHED (checked by the caller). */
enum pt_result pt_map_page(paddr_t root, vaddr_t va, paddr_t frame, unsigned attrs);
enum pt_result pt_unmap_page(paddr_t root, vaddr_t va, paddr_t frame);
/* The frame mapped at va (and whether writable), or 0. */
paddr_t pt_lookup(paddr_t root, vaddr_t va, bool *writable);

#endif
