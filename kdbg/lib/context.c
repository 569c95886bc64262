/*
 * context.c - a task's saved user registers (its struct arch_context)
 * and its user memory, read through its VSpace's page tables.
 *
 * Both take a task object's address (from a snapshot) and check it:
 * a task header, an in-RAM table at every level. Page-table formats:
 *   x86_64: 4 levels (PML4, PDPT, PD, PT); present bit 0, PS bit 7 makes
 *           a PDPT/PD entry a 1 GiB / 2 MiB leaf; address bits 51:12.
 *   AArch64: VMSAv8-64, 4 KiB granule, 48-bit TTBR0 (levels 0..3); bit 0
 *           valid, bit 1 table (levels 0..2) or page (level 3); a level
 *           1/2 descriptor with bit 1 clear is a 1 GiB / 2 MiB block;
 *           output address bits 47:12.
 * The field layout of struct task, struct slot and struct arch_context
 * comes from DWARF (dwarf.c); the formats above are the architectures'.
 */
#include "internal.h"

#include <cairn/objects.h>
#include <stdio.h>
#include <stdlib.h>

#define PAGE_SIZE 4096ull
static const unsigned level_shift[4] = { 39, 30, 21, 12 };

/* Read the whole task object at task_addr into a malloc'd buffer and
 * check its header says task; NULL with kr_error() set (*rc the code). */
static uint8_t *read_task(struct kr_reader *r, uint64_t task_addr, int *rc)
{
	const struct kr_layout *L = &r->elf->L;
	if (task_addr % 8 || !L->task.size) {
		kr_seterr(r, "%#lx is not a task address", (unsigned long)task_addr);
		*rc = KR_EINVAL;
		return NULL;
	}
	uint8_t *buf = malloc(L->task.size);
	if (!buf) {
		*rc = KR_ENOMEM;
		return NULL;
	}
	*rc = kr_read_virt(r, task_addr, buf, L->task.size);
	if (*rc) {
		free(buf);
		return NULL;
	}
	uint64_t type = kr_get(buf, &L->obj.type);
	if (type != CAIRN_OBJ_TASK || kr_get(buf, &L->obj.state) != L->object_live) {
		kr_seterr(r, "%#lx is not a live task (type %lu)", (unsigned long)task_addr,
			  (unsigned long)type);
		free(buf);
		*rc = KR_ECORRUPT;
		return NULL;
	}
	return buf;
}

int kr_task_context(struct kr_reader *r, uint64_t task_addr, struct kr_context *out)
{
	const struct kr_layout *L = &r->elf->L;
	memset(out, 0, sizeof(*out));
	out->arch = r->elf->arch;
	out->task = task_addr;
	if (L->task.ctx_off < 0 || !L->ctx.n ||
	    (uint64_t)L->task.ctx_off + L->ctx.size > L->task.size) {
		kr_seterr(r, "the kernel's DWARF has no struct arch_context in struct task");
		return KR_EELF;
	}
	int rc;
	uint8_t *buf = read_task(r, task_addr, &rc);
	if (!buf)
		return rc;
	for (int i = 0; i < L->ctx.n; i++) {
		const struct kr_ctx_reg *d = &L->ctx.reg[i];
		struct kr_fld f = { .off = L->task.ctx_off + d->off, .size = d->size, .ok = true };
		memcpy(out->reg[i].name, d->name, sizeof(out->reg[i].name));
		out->reg[i].value = kr_get(buf, &f);
	}
	out->n = L->ctx.n;
	free(buf);
	return 0;
}

bool kr_context_get(const struct kr_context *c, const char *name, uint64_t *value)
{
	for (int i = 0; i < c->n; i++)
		if (strcmp(c->reg[i].name, name) == 0) {
			*value = c->reg[i].value;
			return true;
		}
	return false;
}

/* The physical root of a task's VSpace (from the cap in its vspace slot). */
static int vspace_root(struct kr_reader *r, uint64_t task_addr, uint64_t *root)
{
	const struct kr_layout *L = &r->elf->L;
	if (L->task.slot_vspace >= L->task.slots.count) {
		kr_seterr(r, "the kernel's DWARF has no TASK_SLOT_VSPACE");
		return KR_EELF;
	}
	int rc;
	uint8_t *buf = read_task(r, task_addr, &rc);
	if (!buf)
		return rc;
	const uint8_t *slot = buf + L->task.slots.off + L->task.slot_vspace * L->slot.size;
	uint64_t type = kr_get(slot, &L->slot.type);
	*root = kr_get(slot, &L->slot.obj);   /* cap.paddr shares cap.obj's place */
	free(buf);
	if (type != CAIRN_OBJ_VSPACE) {
		kr_seterr(r, "task %#lx has no VSpace (its vspace slot holds type %lu)",
			  (unsigned long)task_addr, (unsigned long)type);
		return KR_EINVAL;
	}
	if (*root % PAGE_SIZE) {
		kr_seterr(r, "task %#lx: VSpace root %#lx is not page-aligned",
			  (unsigned long)task_addr, (unsigned long)*root);
		return KR_ECORRUPT;
	}
	return 0;
}

/*
 * Walk from root to the leaf mapping va: *pa its physical address and
 * *leaf the leaf's size (4 KiB, 2 MiB or 1 GiB). Tables are read one
 * entry at a time through kr_mem_read_phys, which refuses what lies
 * outside RAM.
 */
static int walk(struct kr_reader *r, uint64_t root, uint64_t va, uint64_t *pa, uint64_t *leaf)
{
	bool a64 = strcmp(r->elf->arch, "aarch64") == 0;
	uint64_t addr_mask = a64 ? 0x0000fffffffff000ull : 0x000ffffffffff000ull;
	uint64_t table = root;
	for (int level = 0; level < 4; level++) {
		uint64_t idx = (va >> level_shift[level]) & 511, e;
		uint8_t raw[8];
		if (kr_mem_read_phys(r->mem, table + idx * 8, raw, 8)) {
			kr_seterr(r, "reading the level-%d page table at %#lx for %#lx: %s", level,
				  (unsigned long)table, (unsigned long)va, kr_mem_error(r->mem));
			return KR_EIO;
		}
		e = kr_u64(raw);
		uint64_t size = 1ull << level_shift[level];
		bool valid, is_leaf;
		if (a64) {
			/* bits 1:0 = 11 table/page, 01 block (levels 1, 2 only) */
			valid = (e & 1) && (level == 3 ? (e & 2) : (level > 0 || (e & 2)));
			is_leaf = level == 3 || !(e & 2);
		} else {
			valid = e & 1;
			is_leaf = level == 3 || (level > 0 && (e & 0x80));
		}
		if (!valid) {
			kr_seterr(r, "%#lx is not mapped (no valid entry at level %d)",
				  (unsigned long)va, level);
			return KR_EIO;
		}
		if (is_leaf) {
			*pa = (e & addr_mask & ~(size - 1)) | (va & (size - 1));
			*leaf = size;
			return 0;
		}
		table = e & addr_mask;
	}
	return KR_EIO; /* not reached: level 3 is always a leaf */
}

static int check_user(struct kr_reader *r, uint64_t va, uint64_t len)
{
	if (va >= KR_USER_TOP || len > KR_USER_TOP - va) {
		kr_seterr(r, "%#lx..+%#lx is not a user address (user space ends at %#llx)",
			  (unsigned long)va, (unsigned long)len, KR_USER_TOP);
		return KR_EIO;
	}
	if (!r->mem) {
		kr_seterr(r, "no memory source");
		return KR_EIO;
	}
	return 0;
}

int kr_task_user_translate(struct kr_reader *r, uint64_t task_addr, uint64_t va, uint64_t *pa)
{
	uint64_t root, leaf;
	int rc = check_user(r, va, 1);
	if (!rc)
		rc = vspace_root(r, task_addr, &root);
	if (!rc)
		rc = walk(r, root, va, pa, &leaf);
	return rc;
}

int kr_task_user_read(struct kr_reader *r, uint64_t task_addr, uint64_t va, void *buf,
		      size_t len)
{
	uint64_t root = 0;
	int rc = check_user(r, va, len);
	if (!rc && len)
		rc = vspace_root(r, task_addr, &root);
	uint8_t *dst = buf;
	while (!rc && len) {
		uint64_t pa, leaf;
		rc = walk(r, root, va, &pa, &leaf);
		if (rc)
			break;
		/* The rest of this leaf (pages are contiguous inside it). */
		uint64_t n = leaf - (va & (leaf - 1));
		if (n > len)
			n = len;
		if (kr_mem_read_phys(r->mem, pa, dst, n)) {
			kr_seterr(r, "reading user %#lx (physical %#lx): %s", (unsigned long)va,
				  (unsigned long)pa, kr_mem_error(r->mem));
			return KR_EIO;
		}
		va += n;
		dst += n;
		len -= n;
	}
	return rc;
}
