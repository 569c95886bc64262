/*
 * threads.c - benchmark threads (user/lib's thread_start) in our address
 * space or in a clone of it.
 */
#include <cairn/bootinfo.h>
#include "bench.h"
#include "console.h"
#include "thread.h"
#include "vmap.h"

int bench_new_object(struct bench_env *env, unsigned type, unsigned bits, uint64_t *slot)
{
	return ut_alloc_object(env->ut, type, bits, slot);
}

int bench_thread_start(struct bench_env *env, struct bench_thread *t,
		       struct uthread_stack *stack, uint64_t vspace, unsigned prio,
		       bench_entry fn, uint64_t arg, const char *name)
{
	struct thread_env te = { .ut = env->ut, .root_pool = CAIRN_SLOT_ROOT_CPOOL,
				 .next_buffer_vaddr = env->next_vaddr };
	t->stack = stack;
	int err = thread_start(&te, &t->task, stack, vspace, prio, fn, arg, name);
	env->next_vaddr = te.next_buffer_vaddr;
	return err;
}

int bench_clone_vspace(struct bench_env *env, uint64_t *vspace)
{
	int err = bench_new_object(env, CAIRN_OBJ_VSPACE, 0, vspace);
	if (err)
		return err;
	for (uint32_t i = 0; i < env->bi->slot_count; i++) {
		const struct cairn_bootinfo_slot *s = &env->bi->slots[i];
		struct cairn_cap_info info;
		uint64_t copy;

		if (s->type != CAIRN_OBJ_PAGE || !(s->flags & CAIRN_BI_IMAGE))
			continue;
		if ((err = cairn_cap_identify(s->slot, &info)))
			return err;
		if (!(info.flags & CAIRN_CAPINFO_MAPPED))
			continue;
		if (!slot_alloc_get(env->slots, &copy))
			return CAIRN_ERR_NO_MEMORY;
		if ((err = cairn_cap_copy(copy, s->slot, CAIRN_RIGHTS_ALL)))
			return err;
		/* Code pages are read-only (no WRITE right): map them R+X. */
		unsigned attrs = CAIRN_MAP_READ | ((info.rights & CAIRN_RIGHT_WRITE)
							   ? CAIRN_MAP_WRITE : CAIRN_MAP_EXEC);
		if ((err = vmap_page(env->ut, copy, *vspace, info.summary[0], attrs)))
			return err;
	}
	return CAIRN_ERR_OK;
}
