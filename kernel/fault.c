/*
 * fault.c - a user task faulted: record why (t->fault, which
 * TASK_READ_STATE and kdbg show while the task is Faulted), stop the
 * task (Faulted), and send a fault message to its fault channel if it
 * has one. The kernel itself carries on.
 *
 * The console hears of a fault only when nobody else will: the task has
 * no fault channel, or its channel's ring is full so the message is
 * lost. A fault that goes to a handler is the handler's business, as in
 * seL4 (which prints nothing then either); printing it cost about 4,000
 * instructions, three quarters of the fault round trip
 * (docs/PERFORMANCE.md, "sel4bench counterparts").
 */
#include "kernel.h"
#include "arch.h"
#include "channel.h"
#include "sched.h"

static void report(const struct task *t, const struct user_fault *f, const char *why)
{
	kprintf("[kernel] task '%s' faulted: %s at ip 0x%lx (address 0x%lx, "
		"code 0x%lx)%s\n", t->hdr.name, cairn_fault_name(f->kind), f->ip,
		f->addr, f->code, why);
}

/*
 * The fault message to a handler already waiting in a receive on the
 * fault channel (the usual case; false when none waits). It gets what
 * channel_send_kernel's delivery would give it: error 0, the badge, a
 * 4-word message (no cap, not a call) in its result registers. The
 * faulting task has just left the CPU, so when the handler outranks
 * every ready task it runs at once, without a trip through its ready
 * queue (seL4's possibleSwitchTo; sched_wake does the same for a
 * running task).
 */
static bool send_to_waiting_handler(struct channel *ch, uint64_t badge,
				    const uint64_t *words)
{
	struct task *r = ch->receivers.head;
	if (!r)
		return false;
	task_queue_remove_head(&ch->receivers, r);
	arch_set_message_result(&r->ctx, badge, CAIRN_MSGINFO(CAIRN_MSG_INLINE_WORDS, 0),
				words);
	ch->sent++;
	if (!sched.ready_count || sched_highest_ready() < (int)r->priority) {
		r->blocked_on = NULL;
		sched_switch_to(r);
		sched.resched = false; /* nothing ready outranks it */
	} else {
		sched_make_ready(r);
	}
	return true;
}

void kernel_user_fault(struct arch_context *ctx, const struct user_fault *f)
{
	struct task *t = sched.current;
	kassert(t && &t->ctx == ctx);
	t->fault = (struct task_fault){
		.kind = f->kind, .exception = (uint32_t)f->exception,
		.ip = f->ip, .addr = f->addr, .code = f->code,
	};
	sched_block(t, CAIRN_TASK_FAULTED, NULL);

	const struct cap *fc = &t->slots[TASK_SLOT_FAULT].cap;
	if (fc->type != CAIRN_OBJ_CHANNEL) {
		report(t, f, "");
	} else {
		uint64_t words[CAIRN_MSG_INLINE_WORDS] = { f->kind, f->ip, f->addr, f->code };
		uint64_t badge = (fc->flags & CAP_FLAG_BADGED) ? fc->data : 0;
		struct channel *ch = channel_from_object(cap_object(fc));
		if (!send_to_waiting_handler(ch, badge, words) &&
		    channel_send_kernel(ch, badge, words, CAIRN_MSG_INLINE_WORDS))
			report(t, f, "; its fault channel is full: no fault message");
	}
	sched_schedule();
}

void kernel_resume_user(void)
{
	sched_schedule();
}
