/*
 * notification.c - asynchronous signals: signal ORs the sender's badge
 * into a word, wait takes the word (blocking while it is 0), poll takes
 * it without blocking. IRQs signal notifications too (irq.c).
 */
#include "channel.h"
#include "notification.h"
#include "sched.h"
#include "syscall.h"

static struct notification *lookup_ntfn(struct task *t, uint64_t arg,
					unsigned rights, uint64_t *badge, int *err)
{
	struct slot *s;
	*err = sys_lookup_cap(t, arg, CAIRN_OBJ_NOTIFICATION, rights, &s);
	if (*err)
		return NULL;
	if (badge)
		*badge = (s->cap.flags & CAP_FLAG_BADGED) && s->cap.data ? s->cap.data : 1;
	return notification_from_object(cap_object(&s->cap));
}

void notification_signal(struct notification *n, uint64_t bits)
{
	n->word |= bits;
	struct task *w = n->waiters.head;
	if (w) {
		task_queue_remove(w);
		task_set_error(w, CAIRN_ERR_OK);
		sys_result_ntfn_wait_bits(w, n->word);
		n->word = 0;
		sched_wake(w);
	}
}

int sys_ntfn_signal(struct task *caller, const struct cairn_sys_ntfn_signal_args *arg)
{
	uint64_t badge;
	int err;
	struct notification *n = lookup_ntfn(caller, arg->ntfn, CAIRN_RIGHT_WRITE,
					     &badge, &err);
	if (!err)
		notification_signal(n, badge);
	return err;
}

int sys_ntfn_wait(struct task *caller, const struct cairn_sys_ntfn_wait_args *arg)
{
	int err;
	struct notification *n = lookup_ntfn(caller, arg->ntfn, CAIRN_RIGHT_READ,
					     NULL, &err);
	if (err)
		return err;
	if (n->word) {
		sys_result_ntfn_wait_bits(caller, n->word);
		n->word = 0;
		return CAIRN_ERR_OK;
	}
	sched_block(caller, CAIRN_TASK_BLOCKED_NOTIFICATION, &n->hdr);
	task_queue_append(&n->waiters, caller);
	return SYSCALL_BLOCKED;
}

int sys_ntfn_poll(struct task *caller, const struct cairn_sys_ntfn_poll_args *arg)
{
	int err;
	struct notification *n = lookup_ntfn(caller, arg->ntfn, CAIRN_RIGHT_READ,
					     NULL, &err);
	if (err)
		return err;
	sys_result_ntfn_poll_bits(caller, n->word);
	n->word = 0;
	return CAIRN_ERR_OK;
}

void notification_wake_all(struct notification *n, int error)
{
	struct task *t;
	while ((t = n->waiters.head))
		ipc_wake_with_error(t, error);
}
