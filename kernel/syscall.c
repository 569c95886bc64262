/*
 * syscall.c - system call dispatch: run the handler the generated
 * dispatcher picks (it checks the number and that unused argument words
 * are zero), store its error, and go back to user mode through the
 * scheduler. Also the lookups handlers share.
 */
#include "syscall.h"
#include "mem.h"
#include "sched.h"
#include "fastpath.h"

int sys_null(struct task *caller)
{
	(void)caller;
	return CAIRN_ERR_OK;
}

uint64_t kernel_syscall(struct arch_context *ctx)
{
	struct task *t = sched.current;
	dassert(t && &t->ctx == ctx);

	/*
	 * (CHAN_CALL and CHAN_REPLY_RECV were offered to the fastpath by the
	 * entry code first; here they take the full path.) The handler reads
	 * the argument words where the entry code saved them. Results go to
	 * the same registers (x86_64) or the next ones (AArch64), so a
	 * handler reads its arguments before it sets a result.
	 */
	int err = syscall_dispatch(arch_syscall_number(ctx), t, arch_syscall_args(ctx));
	/* The call may have destroyed the caller (deleting its last cap). */
	if (err != SYSCALL_BLOCKED && likely(t->hdr.state == OBJECT_LIVE))
		task_set_error(t, err);
	sched_schedule();
	/* A destroyed caller's context may take its registers too: no other
	 * object uses that memory before a later retype, which zeroes it. */
	return likely(sched.current == t) ? 0 : (uint64_t)(uintptr_t)ctx;
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
