/*
 * syscall.h - what system call handlers share. Handlers return a
 * cairn_error (0 = success) or SYSCALL_BLOCKED when the caller now waits
 * and will get its results from whoever wakes it.
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

struct syscall_ctx {
	struct task *caller;
	uint64_t a[ARCH_SYSCALL_ARGS]; /* the argument words */
};

/* Write result word i (0..5) of a task that is entering user mode
 * (x86_64: the argument registers; AArch64: x1..x6, after the error). */
static inline void task_set_result(struct task *t, unsigned i, uint64_t v)
{
	*arch_syscall_result_slot(&t->ctx, i) = v;
}

static inline void task_set_error(struct task *t, int err)
{
	arch_syscall_set_error(&t->ctx, (uint64_t)err);
}

/*
 * Resolve a CAddr argument word in the caller's CSpace; the slot's pool
 * must have been reached with `need_rights` (READ, WRITE or 0). The slot
 * may be empty.
 */
int sys_lookup_slot(struct task *t, uint64_t arg, unsigned need_rights,
		    struct slot **out);
/* As sys_lookup_slot, and the slot must hold a cap of `type` (any type
 * when type is CAIRN_OBJ_NULL) carrying `cap_rights`. */
int sys_lookup_cap(struct task *t, uint64_t arg, enum cairn_obj_type type,
		   unsigned cap_rights, struct slot **out);
/* The caller's task buffer, or NULL when it has none. */
struct task_buffer *task_buffer_of(struct task *t);

/* Handlers, by topic (sys_*.c). */
int sys_cap_copy(struct syscall_ctx *sc);
int sys_cap_mint(struct syscall_ctx *sc);
int sys_cap_move(struct syscall_ctx *sc);
int sys_cap_delete(struct syscall_ctx *sc);
int sys_cap_revoke(struct syscall_ctx *sc);
int sys_cap_identify(struct syscall_ctx *sc);
int sys_untyped_retype(struct syscall_ctx *sc);
int sys_task_configure(struct syscall_ctx *sc);
int sys_task_set_regs(struct syscall_ctx *sc);
int sys_task_resume(struct syscall_ctx *sc);
int sys_task_suspend(struct syscall_ctx *sc);
int sys_task_set_priority(struct syscall_ctx *sc);
int sys_set_name(struct syscall_ctx *sc);
int sys_task_read_state(struct syscall_ctx *sc);
int sys_chan_send(struct syscall_ctx *sc);
int sys_chan_try_send(struct syscall_ctx *sc);
int sys_chan_recv(struct syscall_ctx *sc);
int sys_chan_try_recv(struct syscall_ctx *sc);
int sys_chan_call(struct syscall_ctx *sc);
int sys_chan_reply(struct syscall_ctx *sc);
int sys_chan_reply_recv(struct syscall_ctx *sc);
int sys_ntfn_signal(struct syscall_ctx *sc);
int sys_ntfn_wait(struct syscall_ctx *sc);
int sys_ntfn_poll(struct syscall_ctx *sc);
int sys_page_map(struct syscall_ctx *sc);
int sys_page_unmap(struct syscall_ctx *sc);
int sys_pt_map(struct syscall_ctx *sc);
int sys_pt_unmap(struct syscall_ctx *sc);
int sys_irq_claim(struct syscall_ctx *sc);
int sys_irq_ack(struct syscall_ctx *sc);
int sys_yield(struct syscall_ctx *sc);
int sys_debug_print(struct syscall_ctx *sc);
int sys_debug_getc(struct syscall_ctx *sc);
int sys_debug_shutdown(struct syscall_ctx *sc);
int sys_debug_checkpoint(struct syscall_ctx *sc);
int sys_ioport_in(struct syscall_ctx *sc);
int sys_ioport_out(struct syscall_ctx *sc);

/* Where scripted GDB sessions break: a user task reached `name`. */
void kdbg_checkpoint(const char *name);

#endif
