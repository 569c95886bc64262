/*
 * notification.c - asynchronous signals: signal ORs the sender's badge
 * into a word, wait takes the word (blocking while it is 0), poll takes
 * it without blocking. IRQs signal notifications too (irq.c).
 */
#include "channel.h"
#include "notification.h"
#include "sched.h"
#include "syscall.h"

/* The notification a checked cap names (lookups check the type, so the
 * cap's object needs no second look), inlined into each call. */
static inline __attribute__((always_inline)) int
lookup_ntfn(struct task *t, uint64_t arg, unsigned rights, struct slot **s)
{
	return sys_lookup_cap(t, arg, CAIRN_OBJ_NOTIFICATION, rights, s);
}

static inline struct notification *ntfn_of(const struct slot *s)
{
	return notification_from_object(s->cap.obj);
}

/* What a signal through this cap ORs in: its badge, 1 when unbadged. */
static inline uint64_t signal_bits(const struct cap *c)
{
	return (c->flags & CAP_FLAG_BADGED) && c->data ? c->data : 1;
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
	struct slot *s;
	int err = lookup_ntfn(caller, arg->ntfn, CAIRN_RIGHT_WRITE, &s);
	if (err)
		return err;
	notification_signal(ntfn_of(s), signal_bits(&s->cap));
	return CAIRN_ERR_OK;
}

int sys_ntfn_wait(struct task *caller, const struct cairn_sys_ntfn_wait_args *arg)
{
	struct slot *s;
	int err = lookup_ntfn(caller, arg->ntfn, CAIRN_RIGHT_READ, &s);
	if (err)
		return err;
	struct notification *n = ntfn_of(s);
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
	struct slot *s;
	int err = lookup_ntfn(caller, arg->ntfn, CAIRN_RIGHT_READ, &s);
	if (err)
		return err;
	struct notification *n = ntfn_of(s);
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
