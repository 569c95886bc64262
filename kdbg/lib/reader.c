/*
 * reader.c - an ELF plus a memory source: kernel virtual addresses to
 * guest-physical (direct map or kernel image window), virtual reads,
 * kernel_debug.seq, and the scratch arena snapshots copy memory into.
 */
#include "internal.h"

#include <stdio.h>
#include <stdlib.h>

/* Scratch: a list of chunks reused from one snapshot to the next, so a
 * steady refresh loop does no allocation for its copies. */
struct kr_chunk {
	struct kr_chunk *next;
	size_t size, used;
	uint8_t data[];
};

void *kr_scratch(struct kr_reader *r, size_t len)
{
	len = (len + 15) & ~(size_t)15;
	struct kr_chunk *c;
	for (c = r->chunks; c; c = c->next)
		if (c->size - c->used >= len)
			break;
	if (!c) {
		size_t size = len > (1u << 20) ? len : (1u << 20);
		c = malloc(sizeof(*c) + size);
		if (!c)
			return NULL;
		c->size = size;
		c->used = 0;
		c->next = r->chunks;
		r->chunks = c;
	}
	void *p = c->data + c->used;
	c->used += len;
	return p;
}

void kr_scratch_reset(struct kr_reader *r)
{
	for (struct kr_chunk *c = r->chunks; c; c = c->next)
		c->used = 0;
}

void kr_scratch_free(struct kr_reader *r)
{
	while (r->chunks) {
		struct kr_chunk *n = r->chunks->next;
		free(r->chunks);
		r->chunks = n;
	}
}

void kr_seterr(struct kr_reader *r, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(r->err, sizeof(r->err), fmt, ap);
	va_end(ap);
}

int kr_reader_new(struct kr_elf *elf, struct kr_mem *mem, struct kr_reader **out)
{
	*out = NULL;
	if (!elf)
		return KR_EINVAL;
	struct kr_reader *r = calloc(1, sizeof(*r));
	if (!r)
		return KR_ENOMEM;
	r->elf = elf;
	r->mem = mem;
	if (!elf->L.dbg.present)
		kr_fmt(r->note, sizeof(r->note),
		       "kernel has no struct kernel_debug: seq check disabled, ticks unknown");
	*out = r;
	return 0;
}

void kr_reader_free(struct kr_reader *r)
{
	if (!r)
		return;
	kr_scratch_free(r);
	free(r);
}

void kr_reader_set_mem(struct kr_reader *r, struct kr_mem *mem)
{
	r->mem = mem;
}

const char *kr_error(const struct kr_reader *r)
{
	return r->err;
}

const char *kr_reader_note(const struct kr_reader *r)
{
	return r->note;
}

bool kr_virt_to_phys(const struct kr_reader *r, uint64_t va, uint64_t *pa)
{
	const struct kr_elf *e = r->elf;
	/* The image window lies above the direct map on x86_64; on AArch64
	 * both bases are equal and either test gives the same answer. */
	if (va >= e->kernel_vbase) {
		*pa = va - e->kernel_vbase;
		return true;
	}
	if (va >= e->direct_map_base) {
		*pa = va - e->direct_map_base;
		return true;
	}
	return false;
}

int kr_read_virt(struct kr_reader *r, uint64_t va, void *buf, size_t len)
{
	uint64_t pa;
	if (!r->mem) {
		kr_seterr(r, "no memory source");
		return KR_EIO;
	}
	if (!kr_virt_to_phys(r, va, &pa)) {
		kr_seterr(r, "%#lx is not a kernel address", (unsigned long)va);
		return KR_EIO;
	}
	int rc = kr_mem_read_phys(r->mem, pa, buf, len);
	if (rc)
		kr_seterr(r, "reading %#lx: %s", (unsigned long)va, kr_mem_error(r->mem));
	return rc;
}

int kr_read_seq(struct kr_reader *r, uint64_t *seq)
{
	const struct kr_layout *L = &r->elf->L;
	*seq = 0;
	if (!L->dbg.present || !L->dbg.seq.ok || !r->elf->sym_kernel_debug)
		return 0;   /* no seqlock in this kernel: always "consistent" */
	uint8_t buf[8] = { 0 };
	int rc = kr_read_virt(r, r->elf->sym_kernel_debug + L->dbg.seq.off, buf, L->dbg.seq.size);
	if (rc)
		return rc;
	struct kr_fld f = L->dbg.seq;
	f.off = 0;
	*seq = kr_get(buf, &f);
	return 0;
}
