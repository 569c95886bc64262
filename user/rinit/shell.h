/*
 * shell.h - rinit's command shell: the command table, dispatch and the
 * helpers commands use to check arguments and report errors.
 *
 * The shell prints through a sink and reaches the kernel only through
 * user/lib's syscall.h, so the same code runs on the host against a
 * fake kernel (tests/host/user/). Every handler validates its input
 * and prints a reason for any failure; the shell then goes on.
 */
#ifndef RINIT_SHELL_H
#define RINIT_SHELL_H

#include <stdbool.h>
#include <stdint.h>
#include <cairn/bootinfo.h>
#include <cairn/syscalls.h>
#include "format.h"
#include "slotalloc.h"
#include "utalloc.h"

/* Where rinit's child lives (the shell walkthrough: README.md, docs/design.md). */
#define RINIT_CHILD_TASK_SLOT 249
#define RINIT_CHILD_RECV_SLOT 254 /* the child's received caps land here */
/* Task buffers of tasks sharing rinit's VSpace are mapped from here on,
 * in the page table that already covers boot info. */
#define RINIT_BUFFER_WINDOW_START UINT64_C(0x202000)
#define RINIT_BUFFER_WINDOW_END UINT64_C(0x300000)

struct shell {
	format_sink out;
	void *out_arg;
	const struct cairn_bootinfo *bi;
	struct slot_alloc *slots;
	struct ut_alloc *ua;
	uint64_t child_entry;       /* address of child_main */
	uint64_t child_sp;          /* its initial stack pointer */
	uint64_t next_buffer_vaddr; /* next free page of the buffer window */
	/* Slots rinit itself depends on beyond 0, 1 and 3 (its serial
	 * driver's caps and untyped): delete, move and revoke refuse them,
	 * set and suspend refuse their tasks (sh_refuse_vital*). */
	uint64_t own[(1u << 12) / 64];
	bool quit;                  /* set by commands that end the shell */
};

/* What a child started from rinit's image reads at entry. */
struct child_boot {
	volatile uint64_t buffer_vaddr; /* its task buffer, set by `set buffer` */
};
extern struct child_boot rinit_child_boot;

/* Mark a slot as rinit's own (see struct shell.own). */
void shell_mark_own(struct shell *sh, uint64_t slot);
/* If rinit cannot give up the cap in `slot` (its CPool, Task, VSpace or
 * a cap of its serial driver), print "CMD: slot N ...; refusing" and
 * return -1; else 0. */
int sh_refuse_vital(struct shell *sh, const char *cmd, uint64_t slot);
/* The same for a command that would stop or reconfigure the task in
 * `slot` (rinit's or its serial driver's: the shell's input), also when
 * `slot` holds a copy of such a task cap. */
int sh_refuse_vital_task(struct shell *sh, const char *cmd, uint64_t slot);

typedef int (*command_fn)(struct shell *sh, int argc, char **argv);

struct command {
	const char *name;
	const char *usage; /* arguments, after the name */
	const char *help;  /* one line */
	int min_args;      /* argc - 1 bounds */
	int max_args;
	command_fn fn;     /* returns 0, or -1 after printing why */
};

/* The command groups (one file each), each ended by a zero entry. */
extern const struct command commands_caps[];
extern const struct command commands_tasks[];
extern const struct command commands_chan[];
extern const struct command commands_misc[];

void shell_init(struct shell *sh, format_sink out, void *out_arg,
		const struct cairn_bootinfo *bi, struct slot_alloc *slots, struct ut_alloc *ua);

/* Run one line: 0 on success or an empty line, -1 after an error. */
int shell_execute(struct shell *sh, char *line);

const struct command *shell_find(const char *name);
/* Calls fn for every command, in table order. */
void shell_for_each(void (*fn)(void *arg, const struct command *c), void *arg);

void sh_printf(struct shell *sh, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Argument helpers: on failure print "CMD: ..." and return -1. */
int sh_number(struct shell *sh, const char *cmd, const char *what, const char *arg,
	      uint64_t max, uint64_t *out);
int sh_slot(struct shell *sh, const char *cmd, const char *arg, uint64_t *slot);
int sh_rights(struct shell *sh, const char *cmd, const char *arg, unsigned *rights);
/* Identify `slot`; it must hold a cap of `type` (CAIRN_OBJ_NULL: any). */
int sh_cap(struct shell *sh, const char *cmd, uint64_t slot, unsigned type,
	   struct cairn_cap_info *info);
/* Report a failed system call: "CMD: message (NAME)"; returns -1. */
int sh_syserr(struct shell *sh, const char *cmd, int err);

/* "rwgG" style, '-' for a missing right; buf needs 5 bytes. */
const char *sh_rights_str(unsigned rights, char buf[5]);
/* One line about a cap: "task "rinit" Running prio 255 ..." */
void sh_cap_summary(struct shell *sh, const struct cairn_cap_info *info);

/* Shared by `set` and `start child` (cmd_tasks.c). */
int task_set(struct shell *sh, const char *what, uint64_t task, uint64_t value);

#endif
