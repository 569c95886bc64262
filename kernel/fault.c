/*
 * fault.c - a user task faulted: record why, report it on the console,
 * stop the task (Faulted), and send a fault message to its fault
 * channel if it has one. The kernel itself carries on.
 */
#include "kernel.h"
#include "arch.h"
#include "channel.h"
#include "sched.h"

void kernel_user_fault(struct arch_context *ctx, const struct user_fault *f)
{
	struct task *t = sched.current;
	kassert(t && &t->ctx == ctx);
	t->fault = (struct task_fault){
		.kind = f->kind, .exception = (uint32_t)f->exception,
		.ip = f->ip, .addr = f->addr, .code = f->code,
	};
	kprintf("[kernel] task '%s' faulted: %s at ip 0x%lx (address 0x%lx, "
		"code 0x%lx)\n", t->hdr.name, cairn_fault_name(f->kind), f->ip,
		f->addr, f->code);
	sched_block(t, CAIRN_TASK_FAULTED, NULL);

	const struct cap *fc = &t->slots[TASK_SLOT_FAULT].cap;
	if (fc->type == CAIRN_OBJ_CHANNEL) {
		uint64_t words[CAIRN_MSG_INLINE_WORDS] = { f->kind, f->ip, f->addr, f->code };
		uint64_t badge = (fc->flags & CAP_FLAG_BADGED) ? fc->data : 0;
		if (channel_send_kernel(channel_from_object(cap_object(fc)), badge,
					words, CAIRN_MSG_INLINE_WORDS))
			kprintf("[kernel] fault message for '%s' dropped: its fault "
				"channel is full\n", t->hdr.name);
	}
	sched_schedule();
}

void kernel_resume_user(void)
{
	sched_schedule();
}
