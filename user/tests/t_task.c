/*
 * t_task.c - task configure, registers, resume, suspend, priority and
 * TASK_READ_STATE.
 */
#include "child.h"
#include "harness.h"

static void set_flag(struct child *c)
{
	c->out[0] = 0xc0ffee;
	c->out[1] = c->arg[0] * 2;
}

static void child_runs_and_finishes(void)
{
	static struct child c;
	struct cairn_task_info t;

	CHECK_OK(child_create(&c, set_flag, 100));
	c.arg[0] = 21;
	CHECK_OK(cairn_task_read_state(c.task, &t));
	CHECK_EQ(t.state, CAIRN_TASK_INACTIVE);
	CHECK_EQ(t.fields_set, 7); /* cpool, vspace, buffer */
	CHECK_EQ(t.ip, child_entry_ip());
	CHECK_EQ(t.sp, child_entry_sp(&c));
	CHECK_EQ(t.arg0, (uintptr_t)&c);
	CHECK_EQ(t.priority, 100);
	CHECK_EQ(t.buffer_vaddr, (uintptr_t)c.tb);
	CHECK_OK(cairn_task_resume(c.task));
	CHECK_OK(cairn_task_read_state(c.task, &t));
	CHECK_EQ(t.state, CAIRN_TASK_READY); /* lower priority: not run yet */
	CHECK(!c.started);
	settle();
	CHECK(c.finished);
	CHECK_EQ(c.out[0], 0xc0ffee);
	CHECK_EQ(c.out[1], 42);
	CHECK_OK(cairn_task_read_state(c.task, &t));
	CHECK_EQ(t.state, CAIRN_TASK_INACTIVE); /* it suspended itself */
}

static void configure_errors(void)
{
	uint64_t t = new_obj(CAIRN_OBJ_TASK, 0), pg = new_obj(CAIRN_OBJ_PAGE, 0);
	uint64_t ch = new_obj(CAIRN_OBJ_CHANNEL, 0), ro = new_slot();

	CHECK_ERR(cairn_task_configure(t, CAIRN_TASK_FIELD_COUNT, 0, 0), CAIRN_ERR_INVALID_ARGUMENT);
	CHECK_ERR(cairn_task_configure(t, CAIRN_TASK_FIELD_CPOOL, CAIRN_SLOT_VSPACE, 0),
		  CAIRN_ERR_INVALID_CAP);
	CHECK_ERR(cairn_task_configure(t, CAIRN_TASK_FIELD_VSPACE, CAIRN_SLOT_ROOT_CPOOL, 0),
		  CAIRN_ERR_INVALID_CAP);
	CHECK_ERR(cairn_task_configure(t, CAIRN_TASK_FIELD_FAULT, pg, 0), CAIRN_ERR_INVALID_CAP);
	CHECK_ERR(cairn_task_configure(t, CAIRN_TASK_FIELD_CPOOL, 0, 0x1000),
		  CAIRN_ERR_INVALID_ARGUMENT);
	CHECK_ERR(cairn_task_configure(t, CAIRN_TASK_FIELD_BUFFER, pg, 0x123),
		  CAIRN_ERR_ALIGNMENT);
	CHECK_ERR(cairn_task_configure(t, CAIRN_TASK_FIELD_BUFFER, pg, UINT64_C(0xffff800000000000)),
		  CAIRN_ERR_RANGE);
	CHECK_ERR(cairn_task_configure(t, CAIRN_TASK_FIELD_CPOOL, new_slot(), 0),
		  CAIRN_ERR_SLOT_EMPTY);
	CHECK_ERR(cairn_task_configure(ch, CAIRN_TASK_FIELD_CPOOL, 0, 0), CAIRN_ERR_INVALID_CAP);
	CHECK_OK(cairn_cap_copy(ro, t, CAIRN_RIGHT_READ));
	CHECK_ERR(cairn_task_configure(ro, CAIRN_TASK_FIELD_CPOOL, 0, 0),
		  CAIRN_ERR_INSUFFICIENT_RIGHTS);
	/* set, then clear with CAIRN_NO_SLOT */
	CHECK_OK(cairn_task_configure(t, CAIRN_TASK_FIELD_FAULT, ch, 0));
	struct cairn_task_info ti;
	CHECK_OK(cairn_task_read_state(t, &ti));
	CHECK_EQ(ti.fields_set, 1u << CAIRN_TASK_FIELD_FAULT);
	CHECK(ident(ch).flags & CAIRN_CAPINFO_HAS_CHILDREN); /* the task holds a copy */
	CHECK_OK(cairn_task_configure(t, CAIRN_TASK_FIELD_FAULT, CAIRN_NO_SLOT, 0));
	CHECK_OK(cairn_task_read_state(t, &ti));
	CHECK_EQ(ti.fields_set, 0);
	CHECK(!(ident(ch).flags & CAIRN_CAPINFO_HAS_CHILDREN));
}

static void resume_needs_configuration(void)
{
	uint64_t t = new_obj(CAIRN_OBJ_TASK, 0);
	struct cairn_task_info ti;

	CHECK_ERR(cairn_task_resume(t), CAIRN_ERR_ILLEGAL_OPERATION);
	CHECK_OK(cairn_task_configure(t, CAIRN_TASK_FIELD_CPOOL, 0, 0));
	CHECK_OK(cairn_task_configure(t, CAIRN_TASK_FIELD_VSPACE, CAIRN_SLOT_VSPACE, 0));
	CHECK_ERR(cairn_task_resume(t), CAIRN_ERR_ILLEGAL_OPERATION); /* no buffer */
	CHECK_OK(cairn_task_read_state(t, &ti));
	CHECK_EQ(ti.state, CAIRN_TASK_INACTIVE);
	CHECK_ERR(cairn_task_resume(new_slot()), CAIRN_ERR_SLOT_EMPTY);
	CHECK_ERR(cairn_task_resume(CAIRN_SLOT_CHANNEL), CAIRN_ERR_INVALID_CAP);
	CHECK_ERR(cairn_task_suspend(CAIRN_SLOT_VSPACE), CAIRN_ERR_INVALID_CAP);
}

static void set_regs_checks(void)
{
	uint64_t t = new_obj(CAIRN_OBJ_TASK, 0);
	struct cairn_task_info ti;

	CHECK_OK(cairn_task_set_regs(t, CAIRN_REG_ALL, 0x401000, 0x7000, 11, 22));
	CHECK_OK(cairn_task_set_regs(t, CAIRN_REG_ARG1, 0, 0, 0, 33));
	CHECK_OK(cairn_task_read_state(t, &ti));
	CHECK_EQ(ti.ip, 0x401000);
	CHECK_EQ(ti.sp, 0x7000);
	CHECK_EQ(ti.arg0, 11);
	CHECK_EQ(ti.arg1, 33);
	CHECK_ERR(cairn_task_set_regs(t, 0x10, 0, 0, 0, 0), CAIRN_ERR_INVALID_ARGUMENT);
	/* non-canonical and kernel addresses */
	CHECK_ERR(cairn_task_set_regs(t, CAIRN_REG_IP, UINT64_C(0x0000800000000000), 0, 0, 0),
		  CAIRN_ERR_RANGE);
	CHECK_ERR(cairn_task_set_regs(t, CAIRN_REG_SP, 0, UINT64_C(0x8000000000000000), 0, 0),
		  CAIRN_ERR_RANGE);
	CHECK_ERR(cairn_task_set_regs(t, CAIRN_REG_IP, UINT64_C(0xffffffff80000000), 0, 0, 0),
		  CAIRN_ERR_RANGE);
	CHECK_OK(cairn_task_read_state(t, &ti));
	CHECK_EQ(ti.ip, 0x401000); /* unchanged */
	CHECK_EQ(ti.sp, 0x7000);
}

static void block_forever(struct child *c)
{
	struct cairn_msg m;

	c->out[0] = cairn_chan_recv(c->arg[0], CAIRN_NO_SLOT, &m);
	c->out[1] = 1;
}

static void suspend_and_resume_blocked(void)
{
	static struct child c;
	uint64_t ch = new_obj(CAIRN_OBJ_CHANNEL, 0);
	struct cairn_task_info ti;

	CHECK_OK(child_create(&c, block_forever, 100));
	c.arg[0] = ch;
	CHECK_OK(cairn_task_resume(c.task));
	settle();
	CHECK_OK(cairn_task_read_state(c.task, &ti));
	CHECK_EQ(ti.state, CAIRN_TASK_BLOCKED_RECV);
	CHECK_EQ(ti.blocked_type, CAIRN_OBJ_CHANNEL);
	CHECK_EQ(ident(ch).summary[3], 1);
	/* configuring a task that is not stopped */
	CHECK_ERR(cairn_task_configure(c.task, CAIRN_TASK_FIELD_CPOOL, 0, 0),
		  CAIRN_ERR_ILLEGAL_OPERATION);
	CHECK_OK(cairn_task_suspend(c.task));
	CHECK_OK(cairn_task_read_state(c.task, &ti));
	CHECK_EQ(ti.state, CAIRN_TASK_INACTIVE);
	CHECK_EQ(ident(ch).summary[3], 0); /* off the receive queue */
	settle();
	CHECK_EQ(c.out[1], 0); /* did not run while suspended */
	CHECK_OK(cairn_task_resume(c.task));
	settle();
	/* the cancelled receive returns an error rather than a message */
	CHECK_EQ(c.out[1], 1);
	CHECK_EQ(c.out[0], CAIRN_ERR_OBJECT_DESTROYED);
}

static void priority_rules(void)
{
	uint64_t t = new_obj(CAIRN_OBJ_TASK, 0);
	struct cairn_task_info ti;

	CHECK_OK(cairn_task_set_priority(t, ROOT_PRIO));
	CHECK_ERR(cairn_task_set_priority(t, ROOT_PRIO + 1), CAIRN_ERR_RANGE);
	CHECK_ERR(cairn_task_set_priority(t, 256), CAIRN_ERR_RANGE);
	CHECK_ERR(raw_syscall(CAIRN_SYS_TASK_SET_PRIORITY, t, UINT64_C(1) << 32, 0, 0, 0, 0, NULL),
		  CAIRN_ERR_RANGE);
	CHECK_OK(cairn_task_set_priority(t, 0));
	CHECK_OK(cairn_task_read_state(t, &ti));
	CHECK_EQ(ti.priority, 0);
	CHECK_OK(cairn_task_read_state(CAIRN_SLOT_ROOT_TASK, &ti));
	CHECK_EQ(ti.priority, ROOT_PRIO);
	CHECK_EQ(ti.state, CAIRN_TASK_RUNNING);
}

static void read_state_rights(void)
{
	uint64_t t = new_obj(CAIRN_OBJ_TASK, 0), w = new_slot(), r = new_slot();
	struct cairn_task_info ti;

	CHECK_OK(cairn_cap_copy(w, t, CAIRN_RIGHT_WRITE));
	CHECK_OK(cairn_cap_copy(r, t, CAIRN_RIGHT_READ));
	CHECK_ERR(cairn_task_read_state(w, &ti), CAIRN_ERR_INSUFFICIENT_RIGHTS);
	CHECK_OK(cairn_task_read_state(r, &ti));
	CHECK_ERR(cairn_task_set_priority(r, 1), CAIRN_ERR_INSUFFICIENT_RIGHTS);
	CHECK_ERR(cairn_task_resume(r), CAIRN_ERR_INSUFFICIENT_RIGHTS);
	CHECK_ERR(cairn_task_read_state(CAIRN_SLOT_CHANNEL, &ti), CAIRN_ERR_INVALID_CAP);
	CHECK_OK(cairn_set_name(t, "worker"));
	CHECK_OK(cairn_task_read_state(r, &ti));
	CHECK(ti.name[0] == 'w' && ti.name[5] == 'r' && ti.name[6] == 0);
}

static void delete_self(struct child *c)
{
	c->out[0] = 1;
	c->out[1] = cairn_cap_delete(c->task); /* its only cap: never returns */
	c->out[2] = 1;
}

static void task_deletes_itself(void)
{
	static struct child c;

	CHECK_OK(child_start(&c, delete_self, 100));
	settle();
	CHECK_EQ(c.out[0], 1);
	CHECK_EQ(c.out[2], 0); /* it did not run on after its own deletion */
	CHECK_EQ(ident(c.task).type, CAIRN_OBJ_NULL);
	CHECK_OK(cairn_null()); /* and the kernel is fine */
}

const struct test tests_task[] = {
	{ "task: a child runs only once resumed, at its priority", child_runs_and_finishes },
	{ "task configure: field, type, vaddr, rights errors; clear", configure_errors },
	{ "task resume: needs cpool, vspace and buffer", resume_needs_configuration },
	{ "task set regs: values read back; non-canonical is RANGE", set_regs_checks },
	{ "task suspend: takes a blocked task off its queue", suspend_and_resume_blocked },
	{ "task priority: not above the caller's, read back", priority_rules },
	{ "task rights: READ to read state, WRITE to change", read_state_rights },
	{ "task: deleting its own last cap ends it cleanly", task_deletes_itself },
	{ 0, 0 },
};
