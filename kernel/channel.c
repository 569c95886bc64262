/*
 * channel.c - channel IPC: send, receive, call and reply (see channel.h).
 *
 * A message goes straight to a waiting receiver when there is one;
 * otherwise into the channel's ring; when the ring is full the sender
 * blocks (BlockedSend) with the message still in its registers, and the
 * next receive moves it into the ring. A call leaves the caller in
 * BlockedReply until the task that receives it replies.
 */
#include "channel.h"
#include "sched.h"
#include "syscall.h"

#define MSG_INPUT_FLAGS ((uint64_t)CAIRN_MSG_LEN_MASK | CAIRN_MSG_CAP)

/* Where the cap travelling with a message comes from. */
struct cap_source {
	struct slot *slot; /* NULL: no cap */
	bool in_flight;    /* slot is owned by the channel (move, not copy) */
};

static struct channel *lookup_channel(struct task *t, uint64_t arg,
				      unsigned rights, uint8_t *cap_rights,
				      uint64_t *badge, int *err)
{
	struct slot *s;
	*err = sys_lookup_cap(t, arg, CAIRN_OBJ_CHANNEL, rights, &s);
	if (*err)
		return NULL;
	if (cap_rights)
		*cap_rights = s->cap.rights;
	if (badge)
		*badge = (s->cap.flags & CAP_FLAG_BADGED) ? s->cap.data : 0;
	return channel_from_object(cap_object(&s->cap));
}

/*
 * Check and copy a message from task t: info and words 0..3 as syscall
 * words, the rest from its task buffer.
 */
static int msg_from_words(struct task *t, uint64_t info, const uint64_t *words,
			  struct ipc_msg *m)
{
	if (info & ~MSG_INPUT_FLAGS)
		return CAIRN_ERR_INVALID_ARGUMENT;
	unsigned len = CAIRN_MSGINFO_LEN(info);
	if (len > CAIRN_MSG_MAX_WORDS)
		return CAIRN_ERR_RANGE;
	m->info = info;
	for (unsigned i = 0; i < CAIRN_MSG_INLINE_WORDS; i++)
		m->words[i] = i < len ? words[i] : 0;
	if (len > CAIRN_MSG_INLINE_WORDS) {
		struct task_buffer *tb = task_buffer_of(t);
		if (!tb)
			return CAIRN_ERR_ILLEGAL_OPERATION;
		memcpy(&m->words[CAIRN_MSG_INLINE_WORDS], tb->msg,
		       (len - CAIRN_MSG_INLINE_WORDS) * sizeof(uint64_t));
	}
	return CAIRN_ERR_OK;
}

/* The cap a sender names in its task buffer (it needs `grant`). */
static int sender_cap(struct task *t, bool grant, struct slot **out)
{
	struct task_buffer *tb = task_buffer_of(t);
	if (!grant)
		return CAIRN_ERR_INSUFFICIENT_RIGHTS;
	if (!tb)
		return CAIRN_ERR_ILLEGAL_OPERATION;
	struct slot *s;
	int err = sys_lookup_slot(t, tb->send_cap, CAIRN_RIGHT_READ, &s);
	if (err)
		return err;
	if (slot_is_empty(s))
		return CAIRN_ERR_SLOT_EMPTY;
	if (s->cap.type == CAIRN_OBJ_UNTYPED)
		return CAIRN_ERR_ILLEGAL_OPERATION; /* untyped caps are unique */
	*out = s;
	return CAIRN_ERR_OK;
}

/* Place the travelling cap in the receiver's recv_slot, or drop it. */
static uint64_t transfer_cap(struct task *r, const struct cap_source *src)
{
	struct task_buffer *tb = task_buffer_of(r);
	struct slot *dest = NULL;
	uint64_t flag = CAIRN_MSG_CAP_DROPPED;
	if (tb && tb->recv_slot != CAIRN_NO_SLOT &&
	    sys_lookup_slot(r, tb->recv_slot, CAIRN_RIGHT_WRITE, &dest) == 0 &&
	    slot_is_empty(dest)) {
		uint64_t type = src->slot->cap.type;
		uint64_t badge = (src->slot->cap.flags & CAP_FLAG_BADGED) ? src->slot->cap.data : 0;
		int err = src->in_flight ? cap_move(src->slot, dest)
					 : cap_copy(src->slot, dest, CAIRN_RIGHTS_ALL);
		if (!err) {
			tb->recv_cap_type = type;
			tb->recv_cap_badge = badge;
			flag = CAIRN_MSG_CAP;
		}
	}
	if (flag == CAIRN_MSG_CAP_DROPPED && src->in_flight)
		cap_delete(src->slot);
	return flag;
}

/*
 * Hand a message to receiver r as its system call result. `caller` is
 * the task to reply to when the message came from a call.
 */
static void deliver(struct task *r, struct ipc_msg *m, const struct cap_source *cap,
		    struct task *caller, bool grant_reply)
{
	uint64_t info = m->info & CAIRN_MSG_LEN_MASK;
	if (cap->slot)
		info |= transfer_cap(r, cap);
	if (caller) {
		info |= CAIRN_MSG_CALL;
		r->reply_to = caller;
		r->reply_grant = grant_reply;
		caller->reply_from = r;
	}
	/* RECV, CALL and REPLY_RECV answer with the same words. */
	task_set_error(r, CAIRN_ERR_OK);
	sys_result_chan_recv_badge(r, m->badge);
	sys_result_chan_recv_info(r, info);
	for (unsigned i = 0; i < CAIRN_MSG_INLINE_WORDS; i++)
		sys_result_chan_recv_w(r, i, m->words[i]);
	unsigned len = CAIRN_MSGINFO_LEN(m->info);
	struct task_buffer *tb = task_buffer_of(r);
	if (len > CAIRN_MSG_INLINE_WORDS && tb) /* a running task has one */
		memcpy(tb->msg, &m->words[CAIRN_MSG_INLINE_WORDS],
		       (len - CAIRN_MSG_INLINE_WORDS) * sizeof(uint64_t));
}

/* Append a message to the ring (there is room). */
static int ring_push(struct channel *ch, const struct ipc_msg *m,
		     struct slot *cap, struct task *caller)
{
	struct channel_msg *slot =
		&ch->ring[(ch->head + ch->count) % CONFIG_CHANNEL_QUEUE_DEPTH];
	if (cap) {
		int err = cap_copy(cap, &slot->cap, CAIRN_RIGHTS_ALL);
		if (err)
			return err;
	}
	slot->badge = m->badge;
	slot->info = m->info;
	memcpy(slot->words, m->words, sizeof(slot->words));
	slot->caller = caller;
	ch->count++;
	return CAIRN_ERR_OK;
}

/*
 * Send from task t: deliver, queue, or (when `may_block`) block. Returns
 * SYSCALL_BLOCKED when t now waits (blocked sender, or a call awaiting
 * its reply).
 */
static int send(struct task *t, struct channel *ch, struct ipc_msg *m,
		struct slot *cap, bool is_call, bool may_block)
{
	struct task *r = ch->receivers.head;
	if (r) {
		task_queue_remove(r);
		struct cap_source src = { cap, false };
		deliver(r, m, &src, is_call ? t : NULL,
			r->recv_grant_reply);
		sched_make_ready(r);
	} else if (ch->count < CONFIG_CHANNEL_QUEUE_DEPTH) {
		int err = ring_push(ch, m, cap, is_call ? t : NULL);
		if (err)
			return err;
	} else if (may_block) {
		/* (counted when refill_from_senders queues its message) */
		sched_block(t, CAIRN_TASK_BLOCKED_SEND, &ch->hdr);
		task_queue_append(&ch->senders, t);
		return SYSCALL_BLOCKED;
	} else {
		return CAIRN_ERR_WOULD_BLOCK;
	}
	t->ipc_sent++;
	ch->sent++;
	if (is_call) {
		sched_block(t, CAIRN_TASK_BLOCKED_REPLY, &ch->hdr);
		return SYSCALL_BLOCKED;
	}
	return CAIRN_ERR_OK;
}

/* Resolve the cap a blocked or sending task wants to send, if any. */
static int message_cap(struct task *t, const struct ipc_msg *m, uint8_t rights,
		       struct slot **cap)
{
	*cap = NULL;
	if (!(m->info & CAIRN_MSG_CAP))
		return CAIRN_ERR_OK;
	return sender_cap(t, rights & CAIRN_RIGHT_GRANT, cap);
}

/* The ring has room: move the oldest blocked sender's message into it. */
static void refill_from_senders(struct channel *ch)
{
	struct task *s;
	while ((s = ch->senders.head) && ch->count < CONFIG_CHANNEL_QUEUE_DEPTH) {
		task_queue_remove(s);
		/* Its message is still in its registers: chan, info, w0..w3. */
		uint64_t words[CAIRN_MSG_INLINE_WORDS];
		for (unsigned i = 0; i < CAIRN_MSG_INLINE_WORDS; i++)
			words[i] = arch_syscall_arg(&s->ctx, 2 + i);
		uint8_t rights;
		struct ipc_msg m;
		struct slot *cap = NULL;
		int err;
		lookup_channel(s, arch_syscall_arg(&s->ctx, 0), CAIRN_RIGHT_WRITE,
			       &rights, &m.badge, &err);
		if (!err)
			err = msg_from_words(s, arch_syscall_arg(&s->ctx, 1), words, &m);
		if (!err)
			err = message_cap(s, &m, rights, &cap);
		bool is_call = arch_syscall_number(&s->ctx) == CAIRN_SYS_CHAN_CALL;
		if (!err)
			err = ring_push(ch, &m, cap, is_call ? s : NULL);
		if (!err) {
			s->ipc_sent++;
			ch->sent++;
		}
		if (err) {
			ipc_wake_with_error(s, err);
		} else if (is_call) {
			s->state = CAIRN_TASK_BLOCKED_REPLY; /* still waiting */
		} else {
			task_set_error(s, CAIRN_ERR_OK);
			sched_make_ready(s);
		}
	}
}

/* Receive into t: from the ring, or (when `may_block`) wait. */
static int recv(struct task *t, struct channel *ch, uint8_t rights, bool may_block)
{
	if (ch->count) {
		struct channel_msg *cm = &ch->ring[ch->head];
		ch->head = (ch->head + 1) % CONFIG_CHANNEL_QUEUE_DEPTH;
		ch->count--;
		struct ipc_msg m = { .badge = cm->badge, .info = cm->info };
		memcpy(m.words, cm->words, sizeof(m.words));
		struct cap_source src = { slot_is_empty(&cm->cap) ? NULL : &cm->cap, true };
		struct task *caller = cm->caller;
		cm->caller = NULL;
		deliver(t, &m, &src, caller, rights & CAIRN_RIGHT_GRANT_REPLY);
		refill_from_senders(ch);
		return CAIRN_ERR_OK;
	}
	if (!may_block)
		return CAIRN_ERR_WOULD_BLOCK;
	t->recv_grant_reply = (rights & CAIRN_RIGHT_GRANT_REPLY) != 0;
	sched_block(t, CAIRN_TASK_BLOCKED_RECV, &ch->hdr);
	task_queue_append(&ch->receivers, t);
	return SYSCALL_BLOCKED;
}

/* SEND, TRY_SEND and CALL: their arguments are chan, info, w[4]. */
static int sys_send_common(struct task *t, uint64_t chan, uint64_t info,
			   const uint64_t *words, bool is_call, bool may_block)
{
	uint8_t rights;
	struct ipc_msg m;
	int err;
	struct channel *ch = lookup_channel(t, chan, CAIRN_RIGHT_WRITE,
					    &rights, &m.badge, &err);
	if (err)
		return err;
	err = msg_from_words(t, info, words, &m);
	struct slot *cap = NULL;
	if (!err)
		err = message_cap(t, &m, rights, &cap);
	return err ? err : send(t, ch, &m, cap, is_call, may_block);
}

int sys_chan_send(struct task *caller, const struct cairn_sys_chan_send_args *arg)
{
	return sys_send_common(caller, arg->chan, arg->info, arg->w, false, true);
}

int sys_chan_try_send(struct task *caller, const struct cairn_sys_chan_try_send_args *arg)
{
	return sys_send_common(caller, arg->chan, arg->info, arg->w, false, false);
}

int sys_chan_call(struct task *caller, const struct cairn_sys_chan_call_args *arg)
{
	return sys_send_common(caller, arg->chan, arg->info, arg->w, true, true);
}

static int sys_recv_common(struct task *t, uint64_t chan, bool may_block)
{
	uint8_t rights;
	int err;
	struct channel *ch = lookup_channel(t, chan, CAIRN_RIGHT_READ,
					    &rights, NULL, &err);
	return err ? err : recv(t, ch, rights, may_block);
}

int sys_chan_recv(struct task *caller, const struct cairn_sys_chan_recv_args *arg)
{
	return sys_recv_common(caller, arg->chan, true);
}

int sys_chan_try_recv(struct task *caller, const struct cairn_sys_chan_try_recv_args *arg)
{
	return sys_recv_common(caller, arg->chan, false);
}

/* Reply from t to the call it received; words as syscall arguments. */
static int reply(struct task *t, uint64_t info, const uint64_t *words)
{
	struct task *client = t->reply_to;
	if (!client)
		return CAIRN_ERR_ILLEGAL_OPERATION;
	struct ipc_msg m = { .badge = 0 };
	int err = msg_from_words(t, info, words, &m);
	struct slot *cap = NULL;
	if (!err && (m.info & CAIRN_MSG_CAP))
		err = sender_cap(t, t->reply_grant, &cap);
	if (err)
		return err;
	t->reply_to = NULL;
	t->ipc_sent++;
	client->reply_from = NULL;
	struct cap_source src = { cap, false };
	deliver(client, &m, &src, NULL, false);
	sched_make_ready(client);
	return CAIRN_ERR_OK;
}

int sys_chan_reply(struct task *caller, const struct cairn_sys_chan_reply_args *arg)
{
	return reply(caller, arg->info, arg->w);
}

int sys_chan_reply_recv(struct task *caller, const struct cairn_sys_chan_reply_recv_args *arg)
{
	struct task *t = caller;
	uint8_t rights;
	int err;
	struct channel *ch = lookup_channel(t, arg->chan, CAIRN_RIGHT_READ,
					    &rights, NULL, &err);
	if (err)
		return err;
	if (t->reply_to) {
		err = reply(t, arg->info, arg->w);
		if (err)
			return err;
	}
	return recv(t, ch, rights, true);
}

int channel_send_kernel(struct channel *ch, uint64_t badge, const uint64_t *words,
			unsigned len)
{
	struct ipc_msg m = { .badge = badge, .info = len };
	for (unsigned i = 0; i < CAIRN_MSG_INLINE_WORDS; i++)
		m.words[i] = i < len ? words[i] : 0;
	struct task *r = ch->receivers.head;
	if (r) {
		task_queue_remove(r);
		struct cap_source none = { NULL, false };
		deliver(r, &m, &none, NULL, false);
		sched_make_ready(r);
		ch->sent++;
		return CAIRN_ERR_OK;
	}
	if (ch->count == CONFIG_CHANNEL_QUEUE_DEPTH)
		return CAIRN_ERR_WOULD_BLOCK;
	int err = ring_push(ch, &m, NULL, NULL);
	if (!err)
		ch->sent++;
	return err;
}

void ipc_wake_with_error(struct task *t, int error)
{
	sched_dequeue(t);
	task_set_error(t, error);
	t->blocked_on = NULL;
	sched_make_ready(t);
}

void ipc_cancel(struct task *t, int error)
{
	if (t->state == CAIRN_TASK_BLOCKED_REPLY) {
		if (t->reply_from) {
			t->reply_from->reply_to = NULL;
			t->reply_from = NULL;
		} else if (t->blocked_on && t->blocked_on->type == CAIRN_OBJ_CHANNEL) {
			/* Its call is still queued: the message stays, unanswerable. */
			struct channel *ch = channel_from_object(t->blocked_on);
			for (unsigned i = 0; i < CONFIG_CHANNEL_QUEUE_DEPTH; i++)
				if (ch->ring[i].caller == t)
					ch->ring[i].caller = NULL;
		}
	}
	sched_dequeue(t); /* a wait queue, or the ready queue */
	if (t->reply_to) {   /* it owed a reply: the caller would wait forever */
		struct task *client = t->reply_to;
		t->reply_to = NULL;
		client->reply_from = NULL;
		ipc_wake_with_error(client, error);
	}
}

void channel_wake_all(struct channel *ch, int error)
{
	struct task *t;
	while ((t = ch->senders.head))
		ipc_wake_with_error(t, error);
	while ((t = ch->receivers.head))
		ipc_wake_with_error(t, error);
	for (unsigned i = 0; i < CONFIG_CHANNEL_QUEUE_DEPTH; i++) {
		struct task *caller = ch->ring[i].caller;
		if (caller) {
			ch->ring[i].caller = NULL;
			ipc_wake_with_error(caller, error);
		}
	}
}
