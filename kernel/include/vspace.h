/*
 * vspace.h - the capability core's view of VSpaces, page tables and
 * pages: memory objects named by physical address in their caps.
 */
#ifndef CAIRN_VSPACE_H
#define CAIRN_VSPACE_H

#include "cap.h"

/*
 * Hook, implemented by the paging code: a Page, PageTable or VSpace cap
 * is being deleted (`cap` is a copy of it). If the mapping recorded in
 * that cap is live, undo it, so no mapping outlives every cap to the
 * memory and the untyped can be reused safely.
 */
void vspace_cap_deleted(const struct cap *cap);

/*
 * Hooks for retype and reset, implemented by the paging code. A VSpace
 * root must be registered to be usable (and unmapping through old caps
 * only touches registered roots): retype asks for room for `count` new
 * roots before it creates anything, then reports each one.
 */
bool vspace_roots_available(uint64_t count);
void vspace_root_created(paddr_t root);
/* Untyped memory [base, base + size) was reset: roots in it are gone. */
void vspace_memory_reset(paddr_t base, uint64_t size);

#endif
