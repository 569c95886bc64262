/*
 * cmd_caps.c - shell commands on capabilities: list, caps, retype,
 * copy, mint, move, delete, revoke, name.
 */
#include "shell.h"
#include "syscall.h"
#include "ustring.h"

typedef unsigned long long ull;

/* Walk the root CPool, calling fn for every used slot. */
static int for_each_cap(struct shell *sh, const char *cmd,
			void (*fn)(struct shell *, uint64_t, const struct cairn_cap_info *))
{
	unsigned used = 0;

	for (uint64_t slot = 0; slot < sh->slots->count; slot++) {
		struct cairn_cap_info info;
		int err = cairn_cap_identify(slot, &info);

		if (err)
			return sh_syserr(sh, cmd, err);
		if (info.type == CAIRN_OBJ_NULL)
			continue;
		fn(sh, slot, &info);
		used++;
	}
	sh_printf(sh, "%u of %u slots used\n", used, (unsigned)sh->slots->count);
	return 0;
}

static void list_line(struct shell *sh, uint64_t slot, const struct cairn_cap_info *c)
{
	char r[5];

	sh_printf(sh, "%4llu  %-12s %s  ", (ull)slot, cairn_obj_type_name(c->type),
		  sh_rights_str(c->rights, r));
	sh_cap_summary(sh, c);
	sh_printf(sh, "\n");
}

static int cmd_list(struct shell *sh, int argc, char **argv)
{
	(void)argc;
	sh_printf(sh, "slot  type         rghts summary\n");
	return for_each_cap(sh, argv[0], list_line);
}

static void caps_line(struct shell *sh, uint64_t slot, const struct cairn_cap_info *c)
{
	char r[5];

	sh_printf(sh, "%4llu  %-12s %s  %-6llu 0x%-16llx 0x%-16llx %s%s\n", (ull)slot,
		  cairn_obj_type_name(c->type), sh_rights_str(c->rights, r), (ull)c->badge,
		  (ull)c->paddr, (ull)c->object,
		  c->flags & CAIRN_CAPINFO_ORIGINAL ? "original" : "derived",
		  c->flags & CAIRN_CAPINFO_HAS_CHILDREN ? ",parent" : "");
}

static int cmd_caps(struct shell *sh, int argc, char **argv)
{
	struct cairn_cap_info c;
	uint64_t slot;
	char r[5];

	if (argc == 1) {
		sh_printf(sh, "slot  type         rghts  badge  paddr              object             cdt\n");
		return for_each_cap(sh, argv[0], caps_line);
	}
	if (sh_slot(sh, argv[0], argv[1], &slot) || sh_cap(sh, argv[0], slot, CAIRN_OBJ_NULL, &c))
		return -1;
	sh_printf(sh, "slot %llu: %s cap, rights %s, size 2^%u\n", (ull)slot,
		  cairn_obj_type_name(c.type), sh_rights_str(c.rights, r), c.size_bits);
	sh_printf(sh, "  badge/guard %llu, paddr 0x%llx, object 0x%llx, flags 0x%x\n",
		  (ull)c.badge, (ull)c.paddr, (ull)c.object, c.flags);
	sh_printf(sh, "  summary 0x%llx 0x%llx 0x%llx 0x%llx\n  ", (ull)c.summary[0],
		  (ull)c.summary[1], (ull)c.summary[2], (ull)c.summary[3]);
	sh_cap_summary(sh, &c);
	sh_printf(sh, "\n");
	return 0;
}

/* An object type that retype can make, by name. */
static int retype_type(struct shell *sh, const char *arg, unsigned *type)
{
	for (unsigned t = 1; t < CAIRN_OBJ_TYPE_COUNT; t++) {
		if (strcmp(arg, cairn_obj_type_name((int)t)) != 0)
			continue;
		if (t == CAIRN_OBJ_IRQ_CONTROL || t == CAIRN_OBJ_IRQ_HANDLER || t == CAIRN_OBJ_IO_PORT)
			break;
		*type = t;
		return 0;
	}
	sh_printf(sh, "retype: '%s' is not a type retype can make (untyped cpool task "
		      "channel notification vspace pagetable page)\n", arg);
	return -1;
}

#define RETYPE_CPOOL_DEFAULT_BITS 4

static int cmd_retype(struct shell *sh, int argc, char **argv)
{
	unsigned type;
	uint64_t src, dst, bits = 0;
	int err;

	if (retype_type(sh, argv[1], &type) || sh_slot(sh, argv[0], argv[2], &src) ||
	    sh_slot(sh, argv[0], argv[3], &dst))
		return -1;
	if (argc == 5) {
		if (sh_number(sh, argv[0], "size bits", argv[4], 63, &bits))
			return -1;
	} else if (type == CAIRN_OBJ_CPOOL) {
		bits = RETYPE_CPOOL_DEFAULT_BITS;
	} else if (type == CAIRN_OBJ_UNTYPED) {
		sh_printf(sh, "retype: untyped needs SIZE_BITS (log2 bytes)\n");
		return -1;
	}
	if (cairn_object_size_bits((int)type, (unsigned)bits) < 0) {
		sh_printf(sh, "retype: size bits %llu not valid for %s\n", (ull)bits, argv[1]);
		return -1;
	}
	err = cairn_untyped_retype(src, type, (unsigned)bits, CAIRN_SLOT_ROOT_CPOOL, dst, 1);
	if (err)
		return sh_syserr(sh, argv[0], err);
	slot_alloc_set(sh->slots, dst, true);
	sh_printf(sh, "retype: %s in slot %llu\n", argv[1], (ull)dst);
	return 0;
}

static int two_slots(struct shell *sh, char **argv, uint64_t *src, uint64_t *dst)
{
	return sh_slot(sh, argv[0], argv[1], src) || sh_slot(sh, argv[0], argv[2], dst) ? -1 : 0;
}

static int cmd_copy(struct shell *sh, int argc, char **argv)
{
	uint64_t src, dst;
	unsigned rights = CAIRN_RIGHTS_ALL;
	int err;

	if (two_slots(sh, argv, &src, &dst) || (argc == 4 && sh_rights(sh, argv[0], argv[3], &rights)))
		return -1;
	err = cairn_cap_copy(dst, src, rights);
	if (err)
		return sh_syserr(sh, argv[0], err);
	slot_alloc_set(sh->slots, dst, true);
	return 0;
}

static int cmd_mint(struct shell *sh, int argc, char **argv)
{
	uint64_t src, dst, data;
	unsigned rights;
	int err;

	(void)argc;
	if (two_slots(sh, argv, &src, &dst) || sh_rights(sh, argv[0], argv[3], &rights) ||
	    sh_number(sh, argv[0], "badge", argv[4], UINT64_MAX, &data))
		return -1;
	err = cairn_cap_mint(dst, src, rights, data);
	if (err)
		return sh_syserr(sh, argv[0], err);
	slot_alloc_set(sh->slots, dst, true);
	return 0;
}

static int cmd_move(struct shell *sh, int argc, char **argv)
{
	uint64_t src, dst;
	int err;

	(void)argc;
	if (two_slots(sh, argv, &src, &dst) || sh_refuse_vital(sh, argv[0], src))
		return -1;
	err = cairn_cap_move(dst, src);
	if (err)
		return sh_syserr(sh, argv[0], err);
	slot_alloc_set(sh->slots, dst, true);
	slot_alloc_set(sh->slots, src, false);
	return 0;
}

static int cmd_delete(struct shell *sh, int argc, char **argv)
{
	uint64_t slot;
	int err;

	(void)argc;
	if (sh_slot(sh, argv[0], argv[1], &slot) || sh_refuse_vital(sh, argv[0], slot))
		return -1;
	err = cairn_cap_delete(slot);
	if (err)
		return sh_syserr(sh, argv[0], err);
	if (slot != CAIRN_SLOT_SPARE_BUFFER && slot != CAIRN_SLOT_CHANNEL)
		slot_alloc_set(sh->slots, slot, false);
	return 0;
}

static int cmd_revoke(struct shell *sh, int argc, char **argv)
{
	uint64_t slot;
	int err;

	(void)argc;
	if (sh_slot(sh, argv[0], argv[1], &slot) || sh_refuse_vital(sh, argv[0], slot))
		return -1;
	err = cairn_cap_revoke(slot);
	if (err)
		return sh_syserr(sh, argv[0], err);
	/* Descendants may have been in any slot: re-learn which are used. */
	for (uint64_t s = 0; s < sh->slots->count; s++) {
		struct cairn_cap_info c;

		if (cairn_cap_identify(s, &c) == 0 && c.type == CAIRN_OBJ_NULL &&
		    s != CAIRN_SLOT_SPARE_BUFFER && s != CAIRN_SLOT_CHANNEL &&
		    s != RINIT_CHILD_RECV_SLOT)
			slot_alloc_set(sh->slots, s, false);
	}
	return 0;
}

static int cmd_name(struct shell *sh, int argc, char **argv)
{
	uint64_t slot;
	int err;

	(void)argc;
	if (sh_slot(sh, argv[0], argv[1], &slot))
		return -1;
	if (strlen(argv[2]) >= CAIRN_NAME_LEN) {
		sh_printf(sh, "name: '%s' is longer than %d characters\n", argv[2],
			  CAIRN_NAME_LEN - 1);
		return -1;
	}
	err = cairn_set_name(slot, argv[2]);
	return err ? sh_syserr(sh, argv[0], err) : 0;
}

const struct command commands_caps[] = {
	{ "list", "", "the root CPool's used slots: type, rights, summary", 0, 0, cmd_list },
	{ "caps", "[SLOT]", "caps with badge, object and CDT role; or one cap in detail", 0, 1,
	  cmd_caps },
	{ "retype", "TYPE SRC DST [SIZE_BITS]",
	  "make a TYPE object from the untyped in SRC into slot DST (cpool bits default 4)", 3,
	  4, cmd_retype },
	{ "copy", "SRC DST [RIGHTS]", "copy a cap, keeping RIGHTS (letters rwgG, default all)", 2,
	  3, cmd_copy },
	{ "mint", "SRC DST RIGHTS BADGE", "copy with reduced rights and a badge (or CPool guard)",
	  4, 4, cmd_mint },
	{ "move", "SRC DST", "move a cap to another slot", 2, 2, cmd_move },
	{ "delete", "SLOT", "delete the cap in SLOT", 1, 1, cmd_delete },
	{ "revoke", "SLOT", "delete every cap derived from the cap in SLOT", 1, 1, cmd_revoke },
	{ "name", "SLOT NAME", "set the debug name of a task, channel, notification or cpool", 2,
	  2, cmd_name },
	{ 0 },
};
