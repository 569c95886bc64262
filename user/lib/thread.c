/* thread.c - see thread.h. */
#include <cairn/bootinfo.h>
#include "console.h"
#include "syscall.h"
#include "thread.h"
#include "vmap.h"

struct start_record {
	thread_fn fn;
	uint64_t arg;
	uint64_t task;
	struct uthread_stack *stack;
};

static struct start_record records[THREAD_MAX];
static unsigned record_count;

/* Where every thread begins: set up its uthread, run, then stop. */
static void trampoline(struct start_record *r, struct task_buffer *tb)
{
	uthread_init(&r->stack->thread, tb);
	r->fn(r->arg);
	console_flush();
	for (;;)
		cairn_task_suspend(r->task);
}

int thread_start(struct thread_env *env, uint64_t *task, struct uthread_stack *stack,
		 uint64_t vspace, unsigned priority, thread_fn fn, uint64_t arg,
		 const char *name)
{
	uint64_t page, vaddr = env->next_buffer_vaddr;
	int err;

	if (record_count == THREAD_MAX)
		return CAIRN_ERR_NO_MEMORY;
	if ((err = ut_alloc_object(env->ut, CAIRN_OBJ_TASK, 0, task)) ||
	    (err = ut_alloc_object(env->ut, CAIRN_OBJ_PAGE, 0, &page)) ||
	    (err = vmap_page(env->ut, page, vspace, vaddr, CAIRN_MAP_READ | CAIRN_MAP_WRITE)))
		return err;
	env->next_buffer_vaddr += 0x1000;
	struct start_record *r = &records[record_count++];
	*r = (struct start_record){ fn, arg, *task, stack };
	if ((err = cairn_task_configure(*task, CAIRN_TASK_FIELD_CPOOL, env->root_pool, 0)) ||
	    (err = cairn_task_configure(*task, CAIRN_TASK_FIELD_VSPACE, vspace, 0)) ||
	    (err = cairn_task_configure(*task, CAIRN_TASK_FIELD_BUFFER, page, vaddr)) ||
	    (err = cairn_task_set_regs(*task, CAIRN_REG_ALL, (uint64_t)(uintptr_t)trampoline,
				       uthread_stack_entry_sp(stack), (uint64_t)(uintptr_t)r,
				       vaddr)) ||
	    (err = cairn_task_set_priority(*task, priority)) ||
	    (err = cairn_set_name(*task, name)))
		return err;
	return cairn_task_resume(*task);
}
