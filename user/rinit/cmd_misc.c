/*
 * cmd_misc.c - help, echo, info, shutdown.
 */
#include "shell.h"
#include "syscall.h"
#include "tokenize.h"
#include "ustring.h"

typedef unsigned long long ull;

static void help_line(void *arg, const struct command *c)
{
	struct shell *sh = arg;

	sh_printf(sh, "  %-8s %s\n           %s\n", c->name, c->usage, c->help);
}

static int cmd_help(struct shell *sh, int argc, char **argv)
{
	const struct command *c;

	if (argc == 1) {
		sh_printf(sh, "Commands (slots are root CPool slot numbers; numbers may be "
			      "decimal, 0x hex or 0b binary):\n");
		shell_for_each(help_line, sh);
		return 0;
	}
	c = shell_find(argv[1]);
	if (!c) {
		sh_printf(sh, "help: no command '%s'\n", argv[1]);
		return -1;
	}
	sh_printf(sh, "usage: %s %s\n%s\n", c->name, c->usage, c->help);
	return 0;
}

static int cmd_echo(struct shell *sh, int argc, char **argv)
{
	for (int i = 1; i < argc; i++)
		sh_printf(sh, "%s%s", i > 1 ? " " : "", argv[i]);
	sh_printf(sh, "\n");
	return 0;
}

static int cmd_info(struct shell *sh, int argc, char **argv)
{
	const struct cairn_bootinfo *bi = sh->bi;

	(void)argc;
	(void)argv;
	sh_printf(sh, "kernel %.*s, boot info v%u at 0x%llx, arch %s\n",
		  (int)sizeof(bi->kernel_version), bi->kernel_version, bi->version,
		  (ull)bi->vaddr, bi->arch == CAIRN_ARCH_X86_64 ? "x86_64" :
				  bi->arch == CAIRN_ARCH_AARCH64 ? "aarch64" : "?");
	sh_printf(sh, "root cpool 2^%u slots, first free %u, %u free now; image 0x%llx-0x%llx\n",
		  bi->root_cpool_bits, bi->first_free_slot, slot_alloc_free_count(sh->slots),
		  (ull)bi->image_start, (ull)bi->image_end);
	sh_printf(sh, "child entry 0x%llx, child stack 0x%llx\n", (ull)sh->child_entry,
		  (ull)sh->child_sp);
	sh_printf(sh, "initial slots:\n");
	for (uint32_t i = 0; i < bi->slot_count; i++) {
		const struct cairn_bootinfo_slot *s = &bi->slots[i];

		sh_printf(sh, "%4u  %-12s 2^%-2u at 0x%llx%s%s%s%s\n", s->slot,
			  cairn_obj_type_name(s->type), s->size_bits, (ull)s->base,
			  s->flags & CAIRN_BI_DEVICE ? " device" : "",
			  s->flags & CAIRN_BI_TASK_BUFFER ? " task-buffer" : "",
			  s->flags & CAIRN_BI_BOOTINFO ? " boot-info" : "",
			  s->flags & CAIRN_BI_IMAGE ? " image" : "");
	}
	return 0;
}

static int cmd_shutdown(struct shell *sh, int argc, char **argv)
{
	uint64_t status = 0;
	int err;

	if (argc == 2 && sh_number(sh, argv[0], "status", argv[1], 255, &status))
		return -1;
	err = cairn_debug_shutdown((int)status);
	return sh_syserr(sh, argv[0], err ? err : CAIRN_ERR_ILLEGAL_OPERATION);
}

static int cmd_checkpoint(struct shell *sh, int argc, char **argv)
{
	uint64_t violations;
	int err = cairn_debug_checkpoint(argv[1], &violations);

	(void)argc;
	if (!err && violations)
		sh_printf(sh, "checkpoint: the kernel found %llu capability invariant "
			      "violations\n", (unsigned long long)violations);
	return sh_syserr(sh, argv[0], err);
}

const struct command commands_misc[] = {
	{ "help", "[COMMAND]", "list the commands, or explain one", 0, 1, cmd_help },
	{ "echo", "MESSAGE...", "print MESSAGE back (quote to keep spaces)", 0,
	  TOKENIZE_MAX_ARGS - 1, cmd_echo },
	{ "info", "", "boot info: kernel, root CPool, initial slots", 0, 0, cmd_info },
	{ "checkpoint", "NAME", "stop at kdbg_checkpoint(NAME) if a debugger waits there",
	  1, 1, cmd_checkpoint },
	{ "shutdown", "[STATUS]", "stop the machine with exit STATUS (0-255)", 0, 1,
	  cmd_shutdown },
	{ 0 },
};
