/*
 * syscall.c - system call dispatch. The entry assembly (trapentry.S,
 * vectors.S) calls the generated table's entry for the number itself,
 * on the argument words where it saved them, and returns to the caller
 * with the handler's answer as its error unless the call changed what
 * runs; then it comes here (kernel_syscall_exit), as do unknown numbers
 * and the calls the IPC fastpath declines (kernel_syscall). Also the
 * lookups handlers share.
 */
#include "syscall.h"
#include "mem.h"
#include "sched.h"
#include "fastpath.h"

const syscall_fn syscall_table[CAIRN_SYS_COUNT] = SYSCALL_TABLE_INIT;

int sys_null(struct task *caller)
{
	(void)caller;
	return CAIRN_ERR_OK;
}

/*
 * After a call by `t`, when sched.resched or sched.switched says it
 * changed what runs (the caller blocked, yielded or was destroyed, or
 * woke a task that outranks it): store the error, if the caller still has a context and
 * is not waiting for its answer, and schedule. 0 = the caller runs on
 * (the lean exit); else its context, where the entry code stores the
 * registers that stayed in the CPU before entering whatever runs now.
 * A destroyed caller's context may take them too: no other object uses
 * that memory before a later retype, which zeroes it.
 */
uint64_t kernel_syscall_exit(struct task *t, int err)
{
	sched.switched = false;
	if (err != SYSCALL_BLOCKED && likely(t->hdr.state == OBJECT_LIVE))
		task_set_error(t, err);
	sched_schedule();
	return likely(sched.current == t) ? 0 : (uint64_t)(uintptr_t)&t->ctx;
}

/* The whole call in C: for numbers the table has no entry for, and for
 * CHAN_CALL and CHAN_REPLY_RECV when the fastpath declines them. */
uint64_t kernel_syscall(struct arch_context *ctx)
{
	struct task *t = sched.current;
	dassert(t && &t->ctx == ctx);
	return kernel_syscall_exit(t, syscall_dispatch(arch_syscall_number(ctx), t,
						       arch_syscall_args(ctx)));
}

/* Depth 0 means "one level of the root pool": its guard plus radix. */
static unsigned default_depth(const struct cap *root)
{
	struct cpool *p = cap_cpool(root);
	return p ? root->bits + p->radix_bits : 0;
}

/* The general lookup (syscall.h): the CPool walk, and its precise
 * errors. Out of line, so that the common case needs no stack frame. */
__attribute__((noinline)) int sys_lookup_walk(struct task *t, uint64_t arg,
					      unsigned need_rights, struct slot **out)
{
	const struct cap *root = &t->slots[TASK_SLOT_CPOOL].cap;
	unsigned depth = CAIRN_SYS_CADDR_DEPTH(arg);
	if (!depth)
		depth = default_depth(root);
	if (!depth)
		return CAIRN_ERR_INVALID_ROOT;
	struct cpool_lookup lk;
	int err = cpool_lookup_for(root, CAIRN_SYS_CADDR_ADDR(arg), depth,
				   need_rights, &lk);
	if (err)
		return err;
	*out = lk.slot;
	return CAIRN_ERR_OK;
}

struct task_buffer *task_buffer_of(struct task *t)
{
	const struct cap *b = &t->slots[TASK_SLOT_BUFFER].cap;
	/* The kernel reaches buffers through its direct map of RAM, which
	 * device memory is not part of (TASK_CONFIGURE refuses those). */
	if (b->type != CAIRN_OBJ_PAGE || (b->flags & CAP_FLAG_DEVICE))
		return NULL;
	return phys_to_virt(b->paddr);
}
