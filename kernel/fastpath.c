/*
 * fastpath.c - see fastpath.h. The common case, as in seL4:
 *   - the channel cap is a plain slot number in the caller's root CPool
 *     (no guard, depth 0), with the right it needs;
 *   - the message carries no capability and at most CAIRN_MSG_MAX_WORDS
 *     words (words past the fourth go task buffer to task buffer);
 *   - the partner is already waiting: a receiver for a call, the caller
 *     blocked in BlockedReply for a reply-recv, whose channel is empty;
 *   - nothing ready outranks the partner, so it may run at once.
 * The effects are exactly the full path's (deliver, block, switch).
 */
#include "fastpath.h"
#include "channel.h"
#include "cpool.h"
#include "mem.h"
#include "sched.h"
#include "syscall.h"

/* The channel named by a plain slot number, if the cap allows `rights`. */
static inline __attribute__((always_inline)) struct channel *fast_channel(struct task *t, uint64_t arg, unsigned rights,
				    uint64_t *badge, uint8_t *cap_rights)
{
	const struct cap *root = &t->slots[TASK_SLOT_CPOOL].cap;
	if (unlikely(root->type != CAIRN_OBJ_CPOOL || root->bits))
		return NULL;
	struct cpool *p = container_of(root->obj, struct cpool, hdr);
	if (unlikely(arg >> p->radix_bits))
		return NULL; /* a depth, or an address the full path checks */
	const struct cap *c = &p->slots[arg].cap;
	if (unlikely(c->type != CAIRN_OBJ_CHANNEL || (c->rights & rights) != rights))
		return NULL;
	*badge = c->data; /* a Channel cap's data is its badge, 0 if unbadged */
	*cap_rights = c->rights;
	return container_of(c->obj, struct channel, hdr);
}

/* Copy message words 4.. from one task buffer to another, if any. */
static __attribute__((noinline)) bool fast_long_words_copy(struct task *from, struct task *to, unsigned len)
{
	struct task_buffer *src = task_buffer_of(from), *dst = task_buffer_of(to);
	if (unlikely(!src || !dst))
		return false;
	memcpy(dst->msg, src->msg, (len - CAIRN_MSG_INLINE_WORDS) * sizeof(uint64_t));
	return true;
}

/* Words 4.. travel through the task buffers; rare, so out of line. */
static inline bool fast_long_words(struct task *from, struct task *to, unsigned len)
{
	return len <= CAIRN_MSG_INLINE_WORDS || fast_long_words_copy(from, to, len);
}

static inline bool fast_info_ok(uint64_t info)
{
	return !(info & ~(uint64_t)CAIRN_MSG_LEN_MASK) &&
	       CAIRN_MSGINFO_LEN(info) <= CAIRN_MSG_MAX_WORDS;
}

/*
 * Each fastpath has one body, inlined twice: a leaf version for the
 * common case (no task ready, message in registers), which needs no
 * stack frame, and a general version that also checks the ready queues
 * and copies task-buffer words, tail-called when the leaf cannot tell.
 */
static inline __attribute__((always_inline)) bool call_body(struct arch_context *c,
							     bool general)
{
	struct task *t = container_of(c, struct task, ctx);
	uint64_t badge, info = arch_syscall_arg(c, 1);
	uint8_t rights;
	if (general && !fast_info_ok(info))
		return false;
	struct channel *ch = fast_channel(t, arch_syscall_arg(c, 0), CAIRN_RIGHT_WRITE, &badge, &rights);
	if (!ch)
		return false;
	struct task *r = ch->receivers.head;
	if (!r)
		return false;
	if (general && (sched_ready_above(r->priority) ||
			!fast_long_words(t, r, CAIRN_MSGINFO_LEN(info))))
		return false;

	task_queue_remove_head(&ch->receivers, r);
	const uint64_t words[CAIRN_MSG_INLINE_WORDS] = {
		arch_syscall_arg(c, 2), arch_syscall_arg(c, 3),
		arch_syscall_arg(c, 4), arch_syscall_arg(c, 5)
	};
	arch_set_message_result(&r->ctx, badge, info | CAIRN_MSG_CALL, words);
	r->reply_to = t;
	r->reply_grant = r->recv_grant_reply;
	r->blocked_on = NULL;
	t->ipc_sent++;
	ch->sent++;
	t->reply_from = r;
	t->state = CAIRN_TASK_BLOCKED_REPLY;
	t->blocked_on = &ch->hdr;
	sched_switch_to(r);
	return true;
}

static inline __attribute__((always_inline)) bool reply_recv_body(struct arch_context *c,
								   bool general)
{
	struct task *t = container_of(c, struct task, ctx);
	struct task *client = t->reply_to;
	uint64_t badge, info = arch_syscall_arg(c, 1);
	uint8_t rights;
	if (!client || (general && !fast_info_ok(info)))
		return false;
	struct channel *ch = fast_channel(t, arch_syscall_arg(c, 0), CAIRN_RIGHT_READ, &badge, &rights);
	if (!ch || ch->count)
		return false;
	if (general && (sched_ready_above(client->priority) ||
			!fast_long_words(t, client, CAIRN_MSGINFO_LEN(info))))
		return false;

	const uint64_t words[CAIRN_MSG_INLINE_WORDS] = {
		arch_syscall_arg(c, 2), arch_syscall_arg(c, 3),
		arch_syscall_arg(c, 4), arch_syscall_arg(c, 5)
	};
	arch_set_message_result(&client->ctx, 0, info, words);
	client->reply_from = NULL;
	client->blocked_on = NULL;
	t->reply_to = NULL;
	t->ipc_sent++; /* the reply (the channel counts only sends and calls) */
	/* The server now waits on the channel, as the full path's recv. */
	t->recv_grant_reply = (rights & CAIRN_RIGHT_GRANT_REPLY) != 0;
	t->state = CAIRN_TASK_BLOCKED_RECV;
	t->blocked_on = &ch->hdr;
	task_queue_append(&ch->receivers, t);
	sched_switch_to(client);
	return true;
}

static __attribute__((noinline)) bool fastpath_call_general(struct arch_context *c)
{
	return call_body(c, true);
}

static __attribute__((noinline)) bool fastpath_reply_recv_general(struct arch_context *c)
{
	return reply_recv_body(c, true);
}

/*
 * The leaf needs an info word of at most CAIRN_MSG_INLINE_WORDS: that
 * one comparison rules out flag bits and task-buffer words alike.
 */
bool fastpath_call(struct arch_context *c)
{
	if (unlikely(sched.ready_count | (arch_syscall_arg(c, 1) > CAIRN_MSG_INLINE_WORDS)))
		return fastpath_call_general(c);
	return call_body(c, false);
}

bool fastpath_reply_recv(struct arch_context *c)
{
	if (unlikely(sched.ready_count | (arch_syscall_arg(c, 1) > CAIRN_MSG_INLINE_WORDS)))
		return fastpath_reply_recv_general(c);
	return reply_recv_body(c, false);
}
