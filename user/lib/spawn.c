/*
 * spawn.c - ELF spawning (see spawn.h).
 */
#include "spawn.h"
#include "syscall.h"
#include "syscall_arch.h"
#include "ustring.h"
#include "vmap.h"

#define SPAWN_MAX_CAPS 512

/* Caps made so far, deleted in reverse on failure. */
struct made {
	struct ut_alloc *ua;
	unsigned count;
	uint64_t slot[SPAWN_MAX_CAPS];
};

static int make(struct made *m, unsigned type, unsigned bits, uint64_t *slot)
{
	int err;

	if (m->count == SPAWN_MAX_CAPS)
		return CAIRN_ERR_NO_MEMORY;
	err = ut_alloc_object(m->ua, type, bits, slot);
	if (!err)
		m->slot[m->count++] = *slot;
	return err;
}

static void unmake_all(struct made *m)
{
	while (m->count)
		(void)ut_free_object(m->ua, m->slot[--m->count]);
}

static unsigned map_attrs(unsigned pf)
{
	return CAIRN_MAP_READ | (pf & ELF_PF_W ? CAIRN_MAP_WRITE : 0) |
	       (pf & ELF_PF_X ? CAIRN_MAP_EXEC : 0);
}

/* A new Page filled through the scratch mapping, then mapped at vaddr. */
static int load_page(struct made *m, const struct spawn_args *a, uint64_t vspace,
		     const struct elf_segment *s, uint64_t vaddr, unsigned attrs)
{
	uint8_t *scratch = (uint8_t *)(uintptr_t)a->scratch_vaddr;
	uint64_t page, src_off;
	size_t dst_off, n;
	int err = make(m, CAIRN_OBJ_PAGE, 0, &page);

	if (err)
		return err;
	err = vmap_page(m->ua, page, a->self_vspace, a->scratch_vaddr,
			CAIRN_MAP_READ | CAIRN_MAP_WRITE);
	if (err)
		return err;
	memset(scratch, 0, ELF_PAGE_SIZE);
	if (s) {
		n = elf_page_file_bytes(s, vaddr, &dst_off, &src_off);
		if (n)
			memcpy(scratch + dst_off, (const uint8_t *)a->image + src_off, n);
	}
	err = cairn_page_unmap(page);
	if (err)
		return err;
	return vmap_page(m->ua, page, vspace, vaddr, attrs);
}

static int load_segments(struct made *m, const struct spawn_args *a, uint64_t vspace,
			 const struct elf_image *img)
{
	for (unsigned i = 0; i < img->count; i++) {
		const struct elf_segment *s = &img->seg[i];
		uint64_t first = s->vaddr & ~(uint64_t)(ELF_PAGE_SIZE - 1);

		for (uint64_t va = first; va < s->vaddr + s->memsz; va += ELF_PAGE_SIZE) {
			int err = load_page(m, a, vspace, s, va, map_attrs(s->flags));

			if (err)
				return err;
		}
	}
	return 0;
}

static int give_caps(const struct spawn_args *a, uint64_t cpool)
{
	unsigned depth = a->root_bits + SPAWN_CPOOL_BITS;

	for (unsigned i = 0; i < a->give_count; i++) {
		/* Slot i of the new pool, reached through our slot `cpool`. */
		uint64_t dest = CAIRN_SYS_CADDR((cpool << SPAWN_CPOOL_BITS) | i, depth);
		int err = cairn_cap_copy(dest, a->give[i], CAIRN_RIGHTS_ALL);

		if (err)
			return err;
	}
	return 0;
}

static int check_args(const struct spawn_args *a)
{
	if (!a->image || !a->name || a->stack_pages == 0 ||
	    a->stack_pages > SPAWN_STACK_PAGES_MAX || a->give_count > SPAWN_GIVE_MAX ||
	    (a->give_count > (1u << SPAWN_CPOOL_BITS)) || a->priority > CAIRN_PRIO_MAX ||
	    (a->scratch_vaddr % ELF_PAGE_SIZE) || a->root_bits == 0 ||
	    a->root_bits + SPAWN_CPOOL_BITS > CAIRN_CADDR_BITS)
		return CAIRN_ERR_INVALID_ARGUMENT;
	return 0;
}

static int build(struct made *m, const struct spawn_args *a, const struct elf_image *img,
		 struct spawn_result *res)
{
	int err;

	if ((err = make(m, CAIRN_OBJ_VSPACE, 0, &res->vspace)) ||
	    (err = make(m, CAIRN_OBJ_CPOOL, SPAWN_CPOOL_BITS, &res->cpool)) ||
	    (err = make(m, CAIRN_OBJ_TASK, 0, &res->task)))
		return err;
	if ((err = load_segments(m, a, res->vspace, img)))
		return err;
	for (unsigned i = 1; i <= a->stack_pages; i++)
		if ((err = load_page(m, a, res->vspace, NULL, SPAWN_STACK_TOP - i * ELF_PAGE_SIZE,
				     CAIRN_MAP_READ | CAIRN_MAP_WRITE)))
			return err;
	if ((err = load_page(m, a, res->vspace, NULL, SPAWN_BUFFER_VADDR,
			     CAIRN_MAP_READ | CAIRN_MAP_WRITE)))
		return err;
	res->buffer = m->slot[m->count - 1];
	if ((err = give_caps(a, res->cpool)) ||
	    (err = cairn_task_configure(res->task, CAIRN_TASK_FIELD_CPOOL, res->cpool, 0)) ||
	    (err = cairn_task_configure(res->task, CAIRN_TASK_FIELD_VSPACE, res->vspace, 0)) ||
	    (err = cairn_task_configure(res->task, CAIRN_TASK_FIELD_BUFFER, res->buffer,
					SPAWN_BUFFER_VADDR)) ||
	    (err = cairn_task_set_regs(res->task, CAIRN_REG_ALL, img->entry,
				       SPAWN_STACK_TOP - ARCH_ENTRY_SP_BIAS, a->arg,
				       SPAWN_BUFFER_VADDR)) ||
	    (err = cairn_set_name(res->task, a->name)) ||
	    (err = cairn_task_set_priority(res->task, a->priority)))
		return err;
	return cairn_task_resume(res->task);
}

int spawn_elf(struct ut_alloc *ua, const struct spawn_args *a, struct spawn_result *res)
{
	static struct made made; /* large; spawning is not reentrant */
	struct elf_image img;
	int err;

	memset(res, 0, sizeof(*res));
	if ((err = check_args(a)))
		return err;
	res->elf_err = elf_parse(a->image, a->size, ARCH_ELF_MACHINE, SPAWN_USER_LO,
				 SPAWN_USER_HI, &img);
	if (res->elf_err)
		return CAIRN_ERR_INVALID_ARGUMENT;
	res->entry = img.entry;
	made.ua = ua;
	made.count = 0;
	err = build(&made, a, &img, res);
	if (err) {
		/* Deleting a mapped Page's cap also unmaps it (the kernel's
		 * vspace_cap_deleted), so this undoes the scratch mapping too. */
		unmake_all(&made);
		res->task = res->cpool = res->vspace = res->buffer = CAIRN_NO_SLOT;
	}
	return err;
}
