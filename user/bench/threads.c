/*
 * threads.c - tasks running functions of this program, in our address
 * space or in a clone of it, each with its own stack and task buffer.
 */
#include <cairn/bootinfo.h>
#include "bench.h"
#include "console.h"
#include "vmap.h"

#define MAX_THREADS 16

struct start_record {
	bench_entry fn;
	uint64_t arg;
	uint64_t task;
	struct uthread_stack *stack;
};

static struct start_record records[MAX_THREADS];
static unsigned record_count;

int bench_new_object(struct bench_env *env, unsigned type, unsigned bits, uint64_t *slot)
{
	return ut_alloc_object(env->ut, type, bits, slot);
}

/* Where every thread begins: set up its uthread, run, then stop. */
static void trampoline(struct start_record *r, struct task_buffer *tb)
{
	uthread_init(&r->stack->thread, tb);
	r->fn(r->arg);
	console_flush();
	for (;;)
		cairn_task_suspend(r->task);
}

/* Map a fresh task buffer at the next free address in `vspace`. */
static int new_buffer(struct bench_env *env, uint64_t vspace, uint64_t *page,
		      uint64_t *vaddr)
{
	int err = bench_new_object(env, CAIRN_OBJ_PAGE, 0, page);
	if (err)
		return err;
	*vaddr = env->next_vaddr;
	env->next_vaddr += 0x1000;
	return vmap_page(env->ut, *page, vspace, *vaddr, CAIRN_MAP_READ | CAIRN_MAP_WRITE);
}

int bench_thread_start(struct bench_env *env, struct bench_thread *t,
		       struct uthread_stack *stack, uint64_t vspace, unsigned prio,
		       bench_entry fn, uint64_t arg, const char *name)
{
	uint64_t page, vaddr;
	int err;

	if (record_count == MAX_THREADS)
		return CAIRN_ERR_NO_MEMORY;
	struct start_record *r = &records[record_count++];
	err = bench_new_object(env, CAIRN_OBJ_TASK, 0, &t->task);
	if (!err)
		err = new_buffer(env, vspace, &page, &vaddr);
	if (err)
		return err;
	*r = (struct start_record){ fn, arg, t->task, stack };
	t->stack = stack;
	if ((err = cairn_task_configure(t->task, CAIRN_TASK_FIELD_CPOOL, CAIRN_SLOT_ROOT_CPOOL, 0)) ||
	    (err = cairn_task_configure(t->task, CAIRN_TASK_FIELD_VSPACE, vspace, 0)) ||
	    (err = cairn_task_configure(t->task, CAIRN_TASK_FIELD_BUFFER, page, vaddr)) ||
	    (err = cairn_task_set_regs(t->task, CAIRN_REG_ALL, (uint64_t)(uintptr_t)trampoline,
				       uthread_stack_entry_sp(stack), (uint64_t)(uintptr_t)r,
				       vaddr)) ||
	    (err = cairn_task_set_priority(t->task, prio)) ||
	    (err = cairn_set_name(t->task, name)))
		return err;
	return cairn_task_resume(t->task);
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
