/*
 * shell.c - command dispatch and argument helpers (see shell.h).
 */
#include "parse.h"
#include "shell.h"
#include "syscall.h"
#include "tokenize.h"
#include "ustring.h"

static const struct command *const groups[] = {
	commands_misc, commands_caps, commands_tasks, commands_chan,
};

void shell_init(struct shell *sh, format_sink out, void *out_arg,
		const struct cairn_bootinfo *bi, struct slot_alloc *slots, struct ut_alloc *ua)
{
	memset(sh, 0, sizeof(*sh));
	sh->out = out;
	sh->out_arg = out_arg;
	sh->bi = bi;
	sh->slots = slots;
	sh->ua = ua;
	sh->next_buffer_vaddr = RINIT_BUFFER_WINDOW_START;
}

void sh_printf(struct shell *sh, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vformat(sh->out, sh->out_arg, fmt, ap);
	va_end(ap);
}

void shell_for_each(void (*fn)(void *arg, const struct command *c), void *arg)
{
	for (unsigned g = 0; g < sizeof(groups) / sizeof(groups[0]); g++)
		for (const struct command *c = groups[g]; c->name; c++)
			fn(arg, c);
}

const struct command *shell_find(const char *name)
{
	for (unsigned g = 0; g < sizeof(groups) / sizeof(groups[0]); g++)
		for (const struct command *c = groups[g]; c->name; c++)
			if (strcmp(c->name, name) == 0)
				return c;
	return NULL;
}

int shell_execute(struct shell *sh, char *line)
{
	char *argv[TOKENIZE_MAX_ARGS + 1];
	const char *err;
	const struct command *c;
	int argc = tokenize(line, argv, TOKENIZE_MAX_ARGS, &err);

	if (argc < 0) {
		sh_printf(sh, "error: %s\n", err);
		return -1;
	}
	if (argc == 0)
		return 0;
	c = shell_find(argv[0]);
	if (!c) {
		sh_printf(sh, "%s: unknown command (type 'help' for the list)\n", argv[0]);
		return -1;
	}
	if (argc - 1 < c->min_args || argc - 1 > c->max_args) {
		sh_printf(sh, "%s: %s arguments\nusage: %s %s\n", c->name,
			  argc - 1 < c->min_args ? "missing" : "too many", c->name, c->usage);
		return -1;
	}
	return c->fn(sh, argc, argv) ? -1 : 0;
}

int sh_number(struct shell *sh, const char *cmd, const char *what, const char *arg,
	      uint64_t max, uint64_t *out)
{
	enum parse_status st = parse_u64_max(arg, max, out);

	if (st == PARSE_OK)
		return 0;
	if (st == PARSE_OVERFLOW)
		sh_printf(sh, "%s: %s '%s' is too large (at most %llu)\n", cmd, what, arg,
			  (unsigned long long)max);
	else
		sh_printf(sh, "%s: %s '%s' is %s\n", cmd, what, arg, parse_status_str(st));
	return -1;
}

int sh_slot(struct shell *sh, const char *cmd, const char *arg, uint64_t *slot)
{
	return sh_number(sh, cmd, "slot", arg, sh->slots->count - 1, slot);
}

int sh_rights(struct shell *sh, const char *cmd, const char *arg, unsigned *rights)
{
	static const char letters[] = "rwgG"; /* bit i of enum cairn_rights */
	uint64_t v;
	unsigned r = 0;

	if (strcmp(arg, "all") == 0) {
		*rights = CAIRN_RIGHTS_ALL;
		return 0;
	}
	if (arg[0] >= '0' && arg[0] <= '9') {
		if (sh_number(sh, cmd, "rights", arg, CAIRN_RIGHTS_ALL, &v))
			return -1;
		*rights = (unsigned)v;
		return 0;
	}
	for (const char *p = arg; *p; p++) {
		const char *l = strchr(letters, *p);

		if (*p == '-') /* as printed by list: "rw--" */
			continue;
		if (!l) {
			sh_printf(sh, "%s: rights '%s': use letters r w g G, 'all' or a number\n",
				  cmd, arg);
			return -1;
		}
		r |= 1u << (l - letters);
	}
	*rights = r;
	return 0;
}

const char *sh_rights_str(unsigned rights, char buf[5])
{
	static const char letters[] = "rwgG";

	for (int i = 0; i < 4; i++)
		buf[i] = (rights >> i) & 1 ? letters[i] : '-';
	buf[4] = '\0';
	return buf;
}

int sh_syserr(struct shell *sh, const char *cmd, int err)
{
	sh_printf(sh, "%s: %s (%s)\n", cmd, cairn_strerror(err), cairn_error_name(err));
	return -1;
}

int sh_cap(struct shell *sh, const char *cmd, uint64_t slot, unsigned type,
	   struct cairn_cap_info *info)
{
	int err = cairn_cap_identify(slot, info);

	if (err)
		return sh_syserr(sh, cmd, err);
	if (info->type == CAIRN_OBJ_NULL) {
		sh_printf(sh, "%s: slot %llu is empty\n", cmd, (unsigned long long)slot);
		return -1;
	}
	if (type != CAIRN_OBJ_NULL && info->type != type) {
		sh_printf(sh, "%s: slot %llu holds a %s cap, not a %s\n", cmd,
			  (unsigned long long)slot, cairn_obj_type_name(info->type),
			  cairn_obj_type_name((int)type));
		return -1;
	}
	return 0;
}

void shell_mark_own(struct shell *sh, uint64_t slot)
{
	if (slot < sizeof(sh->own) * 8)
		sh->own[slot / 64] |= 1ull << (slot % 64);
}

/* Why the boot cap in `slot` maps rinit's own memory, or NULL: deleting
 * a mapped Page or PageTable cap unmaps it, and rinit (and its serial
 * driver, in the same address space) would fault on its next access. */
static const char *own_mapping(const struct shell *sh, uint64_t slot)
{
	for (uint32_t i = 0; sh->bi && i < sh->bi->slot_count; i++) {
		const struct cairn_bootinfo_slot *b = &sh->bi->slots[i];

		if (b->slot != slot)
			continue;
		if (b->flags & CAIRN_BI_IMAGE)
			return b->type == CAIRN_OBJ_PAGE ? "maps a page of rinit's own image"
							 : "maps rinit's own image (page table)";
		if (b->flags & CAIRN_BI_TASK_BUFFER)
			return "maps rinit's own task buffer";
		if (b->flags & CAIRN_BI_BOOTINFO)
			return "maps rinit's boot info";
	}
	return NULL;
}

/*
 * Why rinit cannot give up the cap in `slot`, or NULL. Losing its CPool,
 * Task or VSpace (or revoking the copies the kernel holds of them) would
 * leave rinit unable to name anything or to run; losing the pages it runs
 * from would make it fault; losing its serial driver's caps would leave
 * the shell without input.
 */
static const char *vital_slot(const struct shell *sh, uint64_t slot)
{
	const char *mapping;

	switch (slot) {
	case CAIRN_SLOT_ROOT_CPOOL: return "holds rinit's own cpool";
	case CAIRN_SLOT_ROOT_TASK: return "holds rinit's own task";
	case CAIRN_SLOT_VSPACE: return "holds rinit's own vspace";
	}
	mapping = own_mapping(sh, slot);
	if (mapping)
		return mapping;
	if (slot < sizeof(sh->own) * 8 && (sh->own[slot / 64] >> (slot % 64) & 1))
		return "belongs to rinit's serial driver (console input)";
	return NULL;
}

int sh_refuse_vital(struct shell *sh, const char *cmd, uint64_t slot)
{
	const char *why = vital_slot(sh, slot);

	if (why)
		sh_printf(sh, "%s: slot %llu %s; refusing\n", cmd, (unsigned long long)slot, why);
	return why ? -1 : 0;
}

/* A vital slot other than `slot` whose cap names `object`, or CAIRN_NO_SLOT. */
static uint64_t vital_copy_of(const struct shell *sh, uint64_t slot, uint64_t object)
{
	for (uint64_t s = 0; s < sh->slots->count; s++) {
		struct cairn_cap_info c;

		if (s != slot && vital_slot(sh, s) && cairn_cap_identify(s, &c) == 0 &&
		    c.type != CAIRN_OBJ_NULL && c.object == object)
			return s;
	}
	return CAIRN_NO_SLOT;
}

int sh_refuse_vital_task(struct shell *sh, const char *cmd, uint64_t slot)
{
	struct cairn_cap_info c;
	uint64_t vital;

	if (sh_refuse_vital(sh, cmd, slot) || sh_cap(sh, cmd, slot, CAIRN_OBJ_TASK, &c))
		return -1;
	/* A copy of rinit's task cap stops rinit as surely as slot 1 does. */
	vital = vital_copy_of(sh, slot, c.object);
	if (vital == CAIRN_NO_SLOT)
		return 0;
	sh_printf(sh, "%s: slot %llu is the same task as slot %llu, which %s; refusing\n", cmd,
		  (unsigned long long)slot, (unsigned long long)vital, vital_slot(sh, vital));
	return -1;
}
