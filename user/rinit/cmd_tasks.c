/*
 * cmd_tasks.c - shell commands on tasks: set, tasks, start child,
 * suspend, resume.
 */
#include "shell.h"
#include "syscall.h"
#include "child.h"
#include "ustring.h"
#include "vmap.h"

typedef unsigned long long ull;

struct child_boot rinit_child_boot;

/*
 * Map the Page in `page` (identified as `c`) in rinit's VSpace (shared
 * with the task) if it is not mapped yet, and return where it is.
 */
static int buffer_vaddr(struct shell *sh, const char *cmd, uint64_t page,
			const struct cairn_cap_info *c, uint64_t *vaddr)
{
	int err;

	if (c->flags & CAIRN_CAPINFO_MAPPED) {
		*vaddr = c->summary[0];
		return 0;
	}
	if (sh->next_buffer_vaddr >= RINIT_BUFFER_WINDOW_END) {
		sh_printf(sh, "%s: no room left for task buffers in rinit's address space\n", cmd);
		return -1;
	}
	err = vmap_page(sh->ua, page, CAIRN_SLOT_VSPACE, sh->next_buffer_vaddr,
			CAIRN_MAP_READ | CAIRN_MAP_WRITE);
	if (err)
		return sh_syserr(sh, cmd, err);
	*vaddr = sh->next_buffer_vaddr;
	sh->next_buffer_vaddr += CAIRN_TASK_BUFFER_SIZE;
	return 0;
}

static int set_field(struct shell *sh, uint64_t task, unsigned field, unsigned type,
		     uint64_t slot)
{
	struct cairn_cap_info c;
	uint64_t vaddr = 0;
	int err;

	/* Check the value first, refuse before mapping anything. */
	if (sh_cap(sh, "set", slot, type, &c) || sh_refuse_vital_task(sh, "set", task))
		return -1;
	if (field == CAIRN_TASK_FIELD_BUFFER && buffer_vaddr(sh, "set", slot, &c, &vaddr))
		return -1;
	err = cairn_task_configure(task, field, slot, vaddr);
	if (err)
		return sh_syserr(sh, "set", err);
	if (field == CAIRN_TASK_FIELD_BUFFER) {
		/* A child running rinit's image finds its buffer here. */
		rinit_child_boot.buffer_vaddr = vaddr;
		sh_printf(sh, "set: task buffer of %llu at 0x%llx\n", (ull)task, (ull)vaddr);
	}
	return 0;
}

static int set_regs(struct shell *sh, uint64_t task, unsigned mask, uint64_t value)
{
	int err;

	/* rinit or its driver, running, would jump or lose its stack. */
	if (sh_refuse_vital_task(sh, "set", task))
		return -1;
	err = cairn_task_set_regs(task, mask, mask == CAIRN_REG_IP ? value : 0,
				  mask == CAIRN_REG_SP ? value : 0,
				  mask == CAIRN_REG_ARG0 ? value : 0, 0);
	return err ? sh_syserr(sh, "set", err) : 0;
}

/*
 * Children run rinit's child_main on one static stack (child.c), so two
 * of them at once would overwrite each other's frames. The slot of a
 * live task (not Inactive or Faulted) other than `except` whose stack
 * pointer is on that stack, or CAIRN_NO_SLOT.
 */
static uint64_t child_stack_user(struct shell *sh, uint64_t except)
{
	uint64_t top = sh->child_sp + 64, bottom = sh->child_sp - RINIT_CHILD_STACK_SIZE;

	for (uint64_t s = 0; s < (1ull << sh->bi->root_cpool_bits); s++) {
		struct cairn_cap_info c;

		if (s == except || cairn_cap_identify(s, &c) || c.type != CAIRN_OBJ_TASK)
			continue;
		if (c.summary[0] == CAIRN_TASK_INACTIVE || c.summary[0] == CAIRN_TASK_FAULTED)
			continue;
		if (c.summary[3] >= bottom && c.summary[3] <= top)
			return s;
	}
	return CAIRN_NO_SLOT;
}

/*
 * A lower priority lets any busier task starve rinit or its driver, and
 * rinit could not raise it again (the kernel allows no one above the
 * caller's own): refuse for them.
 */
static int set_priority(struct shell *sh, uint64_t task, uint64_t value)
{
	int err;

	if (value > CAIRN_PRIO_MAX) {
		sh_printf(sh, "set: priority %llu is above %d\n", (ull)value, CAIRN_PRIO_MAX);
		return -1;
	}
	if (sh_refuse_vital_task(sh, "set", task))
		return -1;
	err = cairn_task_set_priority(task, (unsigned)value);
	return err ? sh_syserr(sh, "set", err) : 0;
}

static int set_active(struct shell *sh, uint64_t task, uint64_t value)
{
	int err;

	if (value > 1) {
		sh_printf(sh, "set: active takes 0 or 1\n");
		return -1;
	}
	/* Stopping rinit or its driver ends the shell's input for good. */
	if (sh_refuse_vital_task(sh, "set", task))
		return -1;
	if (value) {
		uint64_t other = child_stack_user(sh, task);
		if (other != CAIRN_NO_SLOT) {
			sh_printf(sh, "set: the child in slot %llu already runs on rinit's "
				      "one child stack; delete or suspend it first\n",
				  (ull)other);
			return -1;
		}
	}
	err = value ? cairn_task_resume(task) : cairn_task_suspend(task);
	return err ? sh_syserr(sh, "set", err) : 0;
}

int task_set(struct shell *sh, const char *what, uint64_t task, uint64_t value)
{
	if (!strcmp(what, "stack"))
		return set_regs(sh, task, CAIRN_REG_SP, value);
	if (!strcmp(what, "instruction"))
		return set_regs(sh, task, CAIRN_REG_IP, value);
	if (!strcmp(what, "arg"))
		return set_regs(sh, task, CAIRN_REG_ARG0, value);
	if (!strcmp(what, "cpool"))
		return set_field(sh, task, CAIRN_TASK_FIELD_CPOOL, CAIRN_OBJ_CPOOL, value);
	if (!strcmp(what, "table"))
		return set_field(sh, task, CAIRN_TASK_FIELD_VSPACE, CAIRN_OBJ_VSPACE, value);
	if (!strcmp(what, "buffer"))
		return set_field(sh, task, CAIRN_TASK_FIELD_BUFFER, CAIRN_OBJ_PAGE, value);
	if (!strcmp(what, "fault"))
		return set_field(sh, task, CAIRN_TASK_FIELD_FAULT, CAIRN_OBJ_CHANNEL, value);
	if (!strcmp(what, "priority"))
		return set_priority(sh, task, value);
	if (!strcmp(what, "active"))
		return set_active(sh, task, value);
	sh_printf(sh, "set: unknown property '%s' (stack instruction arg cpool table "
		      "buffer fault priority active)\n", what);
	return -1;
}

static int cmd_set(struct shell *sh, int argc, char **argv)
{
	struct cairn_cap_info c;
	uint64_t task, value;

	(void)argc;
	if (sh_slot(sh, argv[0], argv[2], &task) ||
	    sh_number(sh, argv[0], "value", argv[3], UINT64_MAX, &value) ||
	    sh_cap(sh, argv[0], task, CAIRN_OBJ_TASK, &c))
		return -1;
	return task_set(sh, argv[1], task, value);
}

static int cmd_tasks(struct shell *sh, int argc, char **argv)
{
	unsigned n = 0;

	(void)argc;
	sh_printf(sh, "slot  name             state                prio  ip                 sp\n");
	for (uint64_t slot = 0; slot < sh->slots->count; slot++) {
		struct cairn_cap_info c;
		struct cairn_task_info t;
		int err = cairn_cap_identify(slot, &c);

		if (err)
			return sh_syserr(sh, argv[0], err);
		if (c.type != CAIRN_OBJ_TASK)
			continue;
		err = cairn_task_read_state(slot, &t);
		if (err) {
			sh_printf(sh, "%4llu  (state unreadable: %s)\n", (ull)slot, cairn_strerror(err));
			continue;
		}
		sh_printf(sh, "%4llu  %-16.*s %-20s %4u  0x%-16llx 0x%llx\n", (ull)slot,
			  CAIRN_NAME_LEN, t.name[0] ? t.name : "-", cairn_task_state_name(t.state),
			  t.priority, (ull)t.ip, (ull)t.sp);
		n++;
	}
	sh_printf(sh, "%u task%s\n", n, n == 1 ? "" : "s");
	return 0;
}

static int cmd_start(struct shell *sh, int argc, char **argv)
{
	uint64_t task = RINIT_CHILD_TASK_SLOT;
	char steps[8][64];
	char line[64];

	if (strcmp(argv[1], "child") != 0) {
		sh_printf(sh, "start: only 'start child [TASK_SLOT]' is known\n");
		return -1;
	}
	if (argc == 3 && sh_slot(sh, argv[0], argv[2], &task))
		return -1;
	/* The walkthrough's commands, run one by one as if typed. */
	fmt_snprintf(steps[0], 64, "retype task %u %llu", CAIRN_SLOT_UNTYPED, (ull)task);
	fmt_snprintf(steps[1], 64, "set stack %llu %llu", (ull)task, (ull)sh->child_sp);
	fmt_snprintf(steps[2], 64, "set instruction %llu %llu", (ull)task, (ull)sh->child_entry);
	fmt_snprintf(steps[3], 64, "set cpool %llu %u", (ull)task, CAIRN_SLOT_ROOT_CPOOL);
	fmt_snprintf(steps[4], 64, "set table %llu %u", (ull)task, CAIRN_SLOT_VSPACE);
	fmt_snprintf(steps[5], 64, "set buffer %llu %u", (ull)task, CAIRN_SLOT_SPARE_BUFFER);
	fmt_snprintf(steps[6], 64, "name %llu child", (ull)task);
	fmt_snprintf(steps[7], 64, "set active %llu 1", (ull)task);
	for (unsigned i = 0; i < 8; i++) {
		sh_printf(sh, "> %s\n", steps[i]);
		memcpy(line, steps[i], sizeof(line));
		if (shell_execute(sh, line)) {
			sh_printf(sh, "start: stopped at '%s'\n", steps[i]);
			return -1;
		}
	}
	sh_printf(sh, "start: child running in slot %llu\n", (ull)task);
	return 0;
}

static int one_task(struct shell *sh, char **argv, uint64_t *task)
{
	struct cairn_cap_info c;

	return sh_slot(sh, argv[0], argv[1], task) || sh_cap(sh, argv[0], *task, CAIRN_OBJ_TASK, &c)
		       ? -1 : 0;
}

static int cmd_suspend(struct shell *sh, int argc, char **argv)
{
	uint64_t task;
	int err;

	(void)argc;
	/* Suspending rinit or its driver ends the shell's input for good. */
	if (one_task(sh, argv, &task) || sh_refuse_vital_task(sh, argv[0], task))
		return -1;
	err = cairn_task_suspend(task);
	return err ? sh_syserr(sh, argv[0], err) : 0;
}

static int cmd_resume(struct shell *sh, int argc, char **argv)
{
	uint64_t task;
	int err;

	(void)argc;
	if (one_task(sh, argv, &task))
		return -1;
	err = cairn_task_resume(task);
	return err ? sh_syserr(sh, argv[0], err) : 0;
}

const struct command commands_tasks[] = {
	{ "set", "stack|instruction|arg|cpool|table|buffer|fault|priority|active TASK VALUE",
	  "configure the task in slot TASK (buffer maps the page if needed)", 3, 3, cmd_set },
	{ "tasks", "", "every task in the root CPool: name, state, priority, ip, sp", 0, 0,
	  cmd_tasks },
	{ "start", "child [TASK_SLOT]", "make and start a child rinit (slot 249 by default)", 1, 2,
	  cmd_start },
	{ "suspend", "TASK", "stop a task (make it Inactive)", 1, 1, cmd_suspend },
	{ "resume", "TASK", "make an Inactive task Ready", 1, 1, cmd_resume },
	{ 0 },
};
