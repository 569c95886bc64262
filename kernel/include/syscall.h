/*
 * syscall.h - what system call handlers share. A handler gets the calling
 * task and its argument words by name, and returns a cairn_error (0 =
 * success) or SYSCALL_BLOCKED when the caller now waits and will get its
 * results from whoever wakes it.
 */
#ifndef CAIRN_SYSCALL_H
#define CAIRN_SYSCALL_H

#include "kernel.h"
#include "arch.h"
#include "cpool.h"
#include "task.h"
#include <cairn/errors.h>
#include <cairn/syscalls.h>

#define SYSCALL_BLOCKED (-1)

/* Write result word i (0..5) of a task that is entering user mode
 * (x86_64: the argument registers; AArch64: x1..x6, after the error).
 * Handlers use the generated sys_result_NAME_WORD() setters. */
static inline void task_set_result(struct task *t, unsigned i, uint64_t v)
{
	*arch_syscall_result_slot(&t->ctx, i) = v;
}

static inline void task_set_error(struct task *t, int err)
{
	arch_syscall_set_error(&t->ctx, (uint64_t)err);
}

/* The general CAddr lookup behind sys_lookup_slot (syscall.c). */
int sys_lookup_walk(struct task *t, uint64_t arg, unsigned need_rights, struct slot **out);

/*
 * Resolve a CAddr argument word in the caller's CSpace; the slot's pool
 * must have been reached with `need_rights` (READ, WRITE or 0). The slot
 * may be empty. Inline, with a shortcut for a plain slot number of the
 * root pool (most lookups); anything else walks.
 */
static inline int sys_lookup_slot(struct task *t, uint64_t arg, unsigned need_rights,
				  struct slot **out)
{
	if (likely(CAIRN_SYS_CADDR_DEPTH(arg) == 0)) {
		struct slot *s = cpool_lookup_one_level(&t->slots[TASK_SLOT_CPOOL].cap, arg,
							need_rights);
		if (likely(s)) {
			*out = s;
			return CAIRN_ERR_OK;
		}
	}
	return sys_lookup_walk(t, arg, need_rights, out);
}

/* As sys_lookup_slot, and the slot must hold a cap of `type` (any type
 * when type is CAIRN_OBJ_NULL) carrying `cap_rights`. */
static inline int sys_lookup_cap(struct task *t, uint64_t arg, enum cairn_obj_type type,
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
/* The caller's task buffer, or NULL when it has none. */
struct task_buffer *task_buffer_of(struct task *t);

/*
 * The handlers' prototypes, their argument structs (struct
 * cairn_sys_NAME_args: the words by name), result setters
 * (sys_result_NAME_WORD) and the dispatcher, generated from the ABI's
 * CAIRN_SYSCALLS list by scripts/gen-syscalls.py. Each handler lives in
 * the file its section of that list names (the build checks it).
 */
#include <generated/syscall_kernel.h>

/* Where scripted GDB sessions break: a user task reached `name`. */
void kdbg_checkpoint(const char *name);

#endif
