/*
 * capsummary.c - one-line descriptions of caps for `list` and `caps`,
 * from the CAP_IDENTIFY result (summary[] meanings: cairn/syscalls.h).
 */
#include "shell.h"

typedef unsigned long long ull;

static void badge_suffix(struct shell *sh, const struct cairn_cap_info *c)
{
	if (c->flags & CAIRN_CAPINFO_BADGED)
		sh_printf(sh, ", badge %llu", (ull)c->badge);
}

static void mapping(struct shell *sh, const struct cairn_cap_info *c)
{
	sh_printf(sh, "frame 0x%llx, ", (ull)c->paddr);
	if (c->flags & CAIRN_CAPINFO_MAPPED)
		sh_printf(sh, "mapped at 0x%llx", (ull)c->summary[0]);
	else
		sh_printf(sh, "not mapped");
}

void sh_cap_summary(struct shell *sh, const struct cairn_cap_info *c)
{
	const uint64_t *s = c->summary;

	switch (c->type) {
	case CAIRN_OBJ_UNTYPED:
		sh_printf(sh, "%s2^%u bytes at 0x%llx, %llu used, %llu free",
			  c->flags & CAIRN_CAPINFO_DEVICE ? "device, " : "", c->size_bits,
			  (ull)c->paddr, (ull)s[0], (ull)s[1]);
		break;
	case CAIRN_OBJ_CPOOL:
		sh_printf(sh, "%llu slots, %llu used", s[0] < 64 ? 1ull << s[0] : 0ull, (ull)s[1]);
		if (s[2])
			sh_printf(sh, ", guard %llu/%llu bits", (ull)s[3], (ull)s[2]);
		break;
	case CAIRN_OBJ_TASK:
		sh_printf(sh, "\"%.*s\" %s, priority %llu, ip 0x%llx, sp 0x%llx",
			  CAIRN_NAME_LEN, c->name, cairn_task_state_name((int)s[0]), (ull)s[1],
			  (ull)s[2], (ull)s[3]);
		return;
	case CAIRN_OBJ_CHANNEL:
		sh_printf(sh, "%llu/%llu queued, %llu senders and %llu receivers waiting",
			  (ull)s[0], (ull)s[1], (ull)s[2], (ull)s[3]);
		badge_suffix(sh, c);
		break;
	case CAIRN_OBJ_NOTIFICATION:
		sh_printf(sh, "word 0x%llx, %llu waiting", (ull)s[0], (ull)s[1]);
		badge_suffix(sh, c);
		break;
	case CAIRN_OBJ_PAGE:
	case CAIRN_OBJ_PAGE_TABLE:
		mapping(sh, c);
		if (c->flags & CAIRN_CAPINFO_DEVICE)
			sh_printf(sh, ", device");
		break;
	case CAIRN_OBJ_VSPACE:
		sh_printf(sh, "top-level table at 0x%llx", (ull)c->paddr);
		break;
	case CAIRN_OBJ_IRQ_CONTROL:
		sh_printf(sh, "may claim any interrupt line");
		break;
	case CAIRN_OBJ_IRQ_HANDLER:
		sh_printf(sh, "line %llu, %s", (ull)s[0], s[1] ? "bound" : "no notification");
		break;
	case CAIRN_OBJ_IO_PORT:
		if (s[1])
			sh_printf(sh, "ports 0x%llx-0x%llx", (ull)s[0], (ull)(s[0] + s[1] - 1));
		else
			sh_printf(sh, "no ports");
		break;
	default:
		sh_printf(sh, "unknown type %u", c->type);
		return;
	}
	if (c->name[0] && c->type != CAIRN_OBJ_TASK)
		sh_printf(sh, ", \"%.*s\"", CAIRN_NAME_LEN, c->name);
}
