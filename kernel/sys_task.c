/*
 * sys_task.c - task system calls: configure its CPool / VSpace / buffer /
 * fault channel, set registers, resume, suspend, priority, name, and a
 * state snapshot.
 */
#include "syscall.h"
#include "channel.h"
#include "sched.h"

static const enum cairn_obj_type field_type[CAIRN_TASK_FIELD_COUNT] = {
	[CAIRN_TASK_FIELD_CPOOL] = CAIRN_OBJ_CPOOL,
	[CAIRN_TASK_FIELD_VSPACE] = CAIRN_OBJ_VSPACE,
	[CAIRN_TASK_FIELD_BUFFER] = CAIRN_OBJ_PAGE,
	[CAIRN_TASK_FIELD_FAULT] = CAIRN_OBJ_CHANNEL,
};

/* Inline: TASK_SET_REGS and TASK_RESUME, a fault handler's restart of
 * the faulting task, are on the fault round trip's path. */
static inline __attribute__((always_inline)) int
lookup_task(struct task *caller, uint64_t arg, struct task **out)
{
	struct slot *s;
	int err = sys_lookup_cap(caller, arg, CAIRN_OBJ_TASK,
				 CAIRN_RIGHT_WRITE, &s);
	if (!err)
		*out = task_from_object(cap_object(&s->cap));
	return err;
}

int sys_task_configure(struct task *caller, const struct cairn_sys_task_configure_args *arg)
{
	struct task *t;
	int err = lookup_task(caller, arg->task, &t);
	if (err)
		return err;
	uint64_t field = arg->field, vaddr = arg->vaddr;
	if (field >= CAIRN_TASK_FIELD_COUNT)
		return CAIRN_ERR_INVALID_ARGUMENT;
	if (field == CAIRN_TASK_FIELD_BUFFER) {
		if (!IS_ALIGNED(vaddr, CAIRN_TASK_BUFFER_SIZE))
			return CAIRN_ERR_ALIGNMENT;
		if (!user_range_ok(vaddr, CAIRN_TASK_BUFFER_SIZE))
			return CAIRN_ERR_RANGE;
	} else if (vaddr) {
		return CAIRN_ERR_INVALID_ARGUMENT;
	}
	/* A running task keeps using its CPool/VSpace/buffer: only change
	 * them while it is stopped (it could otherwise lose its own CSpace
	 * in the middle of a call). The fault channel may change any time. */
	if (field != CAIRN_TASK_FIELD_FAULT && t->state != CAIRN_TASK_INACTIVE &&
	    t->state != CAIRN_TASK_FAULTED)
		return CAIRN_ERR_ILLEGAL_OPERATION;

	struct slot *field_slot = &t->slots[field], *src = NULL;
	if (arg->cap != CAIRN_NO_SLOT) {
		err = sys_lookup_cap(caller, arg->cap, CAIRN_OBJ_NULL, 0, &src);
		if (err)
			return err;
		if (src->cap.type != field_type[field])
			return CAIRN_ERR_INVALID_CAP;
		if (field == CAIRN_TASK_FIELD_BUFFER && (src->cap.flags & CAP_FLAG_DEVICE))
			return CAIRN_ERR_ILLEGAL_OPERATION; /* not RAM: no task buffer */
		if (src == field_slot)
			return CAIRN_ERR_OK;
	}
	if (!slot_is_empty(field_slot)) {
		err = cap_delete(field_slot);
		if (err)
			return err;
	}
	if (field == CAIRN_TASK_FIELD_BUFFER)
		t->buffer_vaddr = src ? vaddr : 0;
	return src ? cap_copy(src, field_slot, CAIRN_RIGHTS_ALL) : CAIRN_ERR_OK;
}

int sys_task_set_regs(struct task *caller, const struct cairn_sys_task_set_regs_args *arg)
{
	struct task *t;
	int err = lookup_task(caller, arg->task, &t);
	if (err)
		return err;
	uint64_t mask = arg->mask;
	if (mask & ~(uint64_t)CAIRN_REG_ALL)
		return CAIRN_ERR_INVALID_ARGUMENT;
	/*
	 * Of the registers set here only ip and sp can make the context
	 * unsafe to enter: check the ip and sp it will have, as
	 * arch_context_sanitize does (below ARCH_USER_TOP: canonical user
	 * addresses), before anything changes. The rest of the context
	 * (flags, segments) is not the caller's to write and stays as the
	 * CPU saved it; TASK_RESUME sanitizes the whole context anyway. So
	 * the registers are written in place, not through a copy of the
	 * whole context (304 bytes, twice).
	 */
	struct arch_context *c = &t->ctx;
	uint64_t ip = (mask & CAIRN_REG_IP) ? arg->ip : arch_context_ip(c);
	uint64_t sp = (mask & CAIRN_REG_SP) ? arg->sp : arch_context_sp(c);
	if (ip >= ARCH_USER_TOP || sp >= ARCH_USER_TOP)
		return CAIRN_ERR_RANGE; /* not a canonical user address */
	arch_context_set_ip(c, ip); /* (unchanged unless in the mask) */
	arch_context_set_sp(c, sp);
	if (mask & CAIRN_REG_ARG0)
		arch_context_set_arg(c, 0, arg->arg[0]);
	if (mask & CAIRN_REG_ARG1)
		arch_context_set_arg(c, 1, arg->arg[1]);
	/* The lean system-call exit returns to where its caller entered
	 * (AArch64 keeps ELR, SPSR and SP_EL0 in the CPU): a task that sets
	 * its own registers leaves through the scheduler's exit instead. */
	if (t == caller)
		sched.resched = true;
	return CAIRN_ERR_OK;
}

int sys_task_resume(struct task *caller, const struct cairn_sys_task_resume_args *arg)
{
	struct task *t;
	int err = lookup_task(caller, arg->task, &t);
	if (err)
		return err;
	if (t->state != CAIRN_TASK_INACTIVE && t->state != CAIRN_TASK_FAULTED)
		return CAIRN_ERR_OK; /* already runnable or waiting */
	if (t->slots[TASK_SLOT_CPOOL].cap.type != CAIRN_OBJ_CPOOL ||
	    t->slots[TASK_SLOT_VSPACE].cap.type != CAIRN_OBJ_VSPACE ||
	    t->slots[TASK_SLOT_BUFFER].cap.type != CAIRN_OBJ_PAGE)
		return CAIRN_ERR_ILLEGAL_OPERATION;
	if (!arch_context_sanitize(&t->ctx))
		return CAIRN_ERR_RANGE;
	t->fault = (struct task_fault){ 0 };
	sched_make_ready(t);
	return CAIRN_ERR_OK;
}

int sys_task_suspend(struct task *caller, const struct cairn_sys_task_suspend_args *arg)
{
	struct task *t;
	int err = lookup_task(caller, arg->task, &t);
	if (err)
		return err;
	/* A task blocked in a call is inside the kernel: the call it was
	 * waiting in ends now, with an error, so that resuming the task
	 * does not return a stale register as the result (it held the
	 * call number). A Ready or Running task is in user code: its
	 * registers are left alone. */
	bool in_call = t->state == CAIRN_TASK_BLOCKED_SEND ||
		       t->state == CAIRN_TASK_BLOCKED_RECV ||
		       t->state == CAIRN_TASK_BLOCKED_REPLY ||
		       t->state == CAIRN_TASK_BLOCKED_NOTIFICATION;
	ipc_cancel(t, CAIRN_ERR_OBJECT_DESTROYED);
	sched_block(t, CAIRN_TASK_INACTIVE, NULL);
	if (in_call)
		task_set_error(t, CAIRN_ERR_OBJECT_DESTROYED);
	return CAIRN_ERR_OK;
}

int sys_task_set_priority(struct task *caller, const struct cairn_sys_task_set_priority_args *arg)
{
	struct task *t;
	int err = lookup_task(caller, arg->task, &t);
	if (err)
		return err;
	if (arg->priority > caller->priority)
		return CAIRN_ERR_RANGE; /* no raising anyone above yourself */
	uint8_t old = t->priority;
	t->priority = (uint8_t)arg->priority;
	sched_priority_changed(t, old);
	return CAIRN_ERR_OK;
}

int sys_set_name(struct task *caller, const struct cairn_sys_set_name_args *arg)
{
	struct slot *s;
	int err = sys_lookup_cap(caller, arg->cap, CAIRN_OBJ_NULL,
				 CAIRN_RIGHT_WRITE, &s);
	if (err)
		return err;
	struct object *o = cap_object(&s->cap);
	if (!o || (o->type != CAIRN_OBJ_TASK && o->type != CAIRN_OBJ_CHANNEL &&
		   o->type != CAIRN_OBJ_NOTIFICATION && o->type != CAIRN_OBJ_CPOOL))
		return CAIRN_ERR_INVALID_CAP;
	char name[CAIRN_NAME_LEN] = { 0 };
	bool ended = false;
	for (unsigned i = 0; i < 16; i++) {
		char ch = (char)(arg->name[i / 8] >> (8 * (i % 8)));
		if (i == CAIRN_NAME_LEN - 1 && ch)
			return CAIRN_ERR_RANGE; /* 15 bytes at most */
		if (ended && ch)
			return CAIRN_ERR_INVALID_ARGUMENT;
		if (!ch)
			ended = true;
		else if (ch < 0x20 || ch > 0x7e)
			return CAIRN_ERR_INVALID_ARGUMENT; /* printable ASCII only */
		else
			name[i] = ch;
	}
	object_set_name(o, name);
	return CAIRN_ERR_OK;
}

int sys_task_read_state(struct task *caller, const struct cairn_sys_task_read_state_args *arg)
{
	struct task_buffer *tb = task_buffer_of(caller);
	struct slot *s;
	if (!tb)
		return CAIRN_ERR_ILLEGAL_OPERATION;
	int err = sys_lookup_cap(caller, arg->task, CAIRN_OBJ_TASK,
				 CAIRN_RIGHT_READ, &s);
	if (err)
		return err;
	struct task *t = task_from_object(cap_object(&s->cap));
	struct cairn_task_info info = {
		.state = (uint8_t)t->state,
		.priority = t->priority,
		.blocked_type = t->blocked_on ? t->blocked_on->type : CAIRN_OBJ_NULL,
		.time_slice = t->time_slice,
		.ip = arch_context_ip(&t->ctx),
		.sp = arch_context_sp(&t->ctx),
		.arg0 = arch_context_arg(&t->ctx, 0),
		.arg1 = arch_context_arg(&t->ctx, 1),
		.buffer_vaddr = t->buffer_vaddr,
		.fault_addr = t->fault.addr,
		.fault_code = t->fault.exception,
		.run_ticks = t->run_ticks,
		.ipc_sent = t->ipc_sent,
	};
	for (unsigned f = 0; f < CAIRN_TASK_FIELD_COUNT; f++)
		if (!slot_is_empty(&t->slots[f]))
			info.fields_set |= 1u << f;
	memcpy(info.name, t->hdr.name, sizeof(info.name));
	tb->info.task = info;
	return CAIRN_ERR_OK;
}

int sys_yield(struct task *caller)
{
	(void)caller;
	sched_yield();
	return CAIRN_ERR_OK;
}
