/*
 * syscall.c - system call dispatch: check the number and that unused
 * argument words are zero, run the handler, store its error, and go back
 * to user mode through the scheduler.
 */
#include "syscall.h"
#include "mem.h"
#include "sched.h"
#include "fastpath.h"

struct syscall_entry {
	int (*handler)(struct syscall_ctx *sc);
	uint8_t nargs; /* argument words used; the rest must be 0 */
};

static int sys_null(struct syscall_ctx *sc)
{
	(void)sc;
	return CAIRN_ERR_OK;
}

static const struct syscall_entry syscall_table[CAIRN_SYS_COUNT] = {
	[CAIRN_SYS_NULL] = { sys_null, 0 },
	[CAIRN_SYS_CAP_COPY] = { sys_cap_copy, 3 },
	[CAIRN_SYS_CAP_MINT] = { sys_cap_mint, 4 },
	[CAIRN_SYS_CAP_MOVE] = { sys_cap_move, 2 },
	[CAIRN_SYS_CAP_DELETE] = { sys_cap_delete, 1 },
	[CAIRN_SYS_CAP_REVOKE] = { sys_cap_revoke, 1 },
	[CAIRN_SYS_CAP_IDENTIFY] = { sys_cap_identify, 1 },
	[CAIRN_SYS_UNTYPED_RETYPE] = { sys_untyped_retype, 6 },
	[CAIRN_SYS_TASK_CONFIGURE] = { sys_task_configure, 4 },
	[CAIRN_SYS_TASK_SET_REGS] = { sys_task_set_regs, 6 },
	[CAIRN_SYS_TASK_RESUME] = { sys_task_resume, 1 },
	[CAIRN_SYS_TASK_SUSPEND] = { sys_task_suspend, 1 },
	[CAIRN_SYS_TASK_SET_PRIORITY] = { sys_task_set_priority, 2 },
	[CAIRN_SYS_SET_NAME] = { sys_set_name, 3 },
	[CAIRN_SYS_TASK_READ_STATE] = { sys_task_read_state, 1 },
	[CAIRN_SYS_CHAN_SEND] = { sys_chan_send, 6 },
	[CAIRN_SYS_CHAN_TRY_SEND] = { sys_chan_try_send, 6 },
	[CAIRN_SYS_CHAN_RECV] = { sys_chan_recv, 1 },
	[CAIRN_SYS_CHAN_TRY_RECV] = { sys_chan_try_recv, 1 },
	[CAIRN_SYS_CHAN_CALL] = { sys_chan_call, 6 },
	[CAIRN_SYS_CHAN_REPLY] = { sys_chan_reply, 5 },
	[CAIRN_SYS_CHAN_REPLY_RECV] = { sys_chan_reply_recv, 6 },
	[CAIRN_SYS_NTFN_SIGNAL] = { sys_ntfn_signal, 1 },
	[CAIRN_SYS_NTFN_WAIT] = { sys_ntfn_wait, 1 },
	[CAIRN_SYS_NTFN_POLL] = { sys_ntfn_poll, 1 },
	[CAIRN_SYS_PAGE_MAP] = { sys_page_map, 4 },
	[CAIRN_SYS_PAGE_UNMAP] = { sys_page_unmap, 1 },
	[CAIRN_SYS_PT_MAP] = { sys_pt_map, 3 },
	[CAIRN_SYS_PT_UNMAP] = { sys_pt_unmap, 1 },
	[CAIRN_SYS_IRQ_CLAIM] = { sys_irq_claim, 4 },
	[CAIRN_SYS_IRQ_ACK] = { sys_irq_ack, 1 },
	[CAIRN_SYS_YIELD] = { sys_yield, 0 },
	[CAIRN_SYS_DEBUG_PRINT] = { sys_debug_print, 2 },
	[CAIRN_SYS_DEBUG_GETC] = { sys_debug_getc, 1 },
	[CAIRN_SYS_DEBUG_SHUTDOWN] = { sys_debug_shutdown, 1 },
	[CAIRN_SYS_DEBUG_CHECKPOINT] = { sys_debug_checkpoint, 1 },
	[CAIRN_SYS_IOPORT_IN] = { sys_ioport_in, 3 },
	[CAIRN_SYS_IOPORT_OUT] = { sys_ioport_out, 4 },
};

/* Are the argument words a call does not use all zero (ABI rule)? */
static bool unused_args_zero(const uint64_t *a, unsigned nargs)
{
	uint64_t any = 0;
	switch (nargs) {
	case 0: any |= a[0]; /* fall through */
	case 1: any |= a[1]; /* fall through */
	case 2: any |= a[2]; /* fall through */
	case 3: any |= a[3]; /* fall through */
	case 4: any |= a[4]; /* fall through */
	case 5: any |= a[5]; /* fall through */
	default: break;
	}
	return any == 0;
}

void kernel_syscall(struct arch_context *ctx)
{
	struct task *t = sched.current;
	dassert(t && &t->ctx == ctx);
	uint64_t nr = arch_syscall_number(ctx);

	/* (CHAN_CALL and CHAN_REPLY_RECV were offered to the fastpath by
	 * the entry code first; here they take the full path.) */
	struct syscall_ctx sc = { .caller = t };
	arch_syscall_args(ctx, sc.a);
	int err = CAIRN_ERR_INVALID_ARGUMENT;
	if (likely(nr < CAIRN_SYS_COUNT && syscall_table[nr].handler)) {
		const struct syscall_entry *e = &syscall_table[nr];
		if (likely(unused_args_zero(sc.a, e->nargs)))
			err = e->handler(&sc);
	}
	/* The call may have destroyed the caller (deleting its last cap). */
	if (err != SYSCALL_BLOCKED && likely(t->hdr.state == OBJECT_LIVE))
		task_set_error(t, err);
	sched_schedule();
}

/* Depth 0 means "one level of the root pool": its guard plus radix. */
static unsigned default_depth(const struct cap *root)
{
	struct cpool *p = cap_cpool(root);
	return p ? root->bits + p->radix_bits : 0;
}

int sys_lookup_slot(struct task *t, uint64_t arg, unsigned need_rights,
		    struct slot **out)
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

int sys_lookup_cap(struct task *t, uint64_t arg, enum cairn_obj_type type,
		   unsigned cap_rights, struct slot **out)
{
	struct slot *s;
	int err = sys_lookup_slot(t, arg, 0, &s);
	if (err)
		return err;
	if (slot_is_empty(s))
		return CAIRN_ERR_SLOT_EMPTY;
	if (type != CAIRN_OBJ_NULL && s->cap.type != type)
		return CAIRN_ERR_INVALID_CAP;
	if ((s->cap.rights & cap_rights) != cap_rights)
		return CAIRN_ERR_INSUFFICIENT_RIGHTS;
	*out = s;
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
