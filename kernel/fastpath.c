/*
 * fastpath.c - see fastpath.h. The common case, as in seL4:
 *   - the channel cap is a plain slot number in the caller's root CPool
 *     (no guard, depth 0), with the right it needs;
 *   - the message carries no capability and at most CAIRN_MSG_MAX_WORDS
 *     words (words past the fourth go task buffer to task buffer);
 *   - the partner is already waiting: a receiver for a call, the caller
 *     blocked in BlockedReply for a reply-recv, whose channel is empty;
 *   - nothing ready outranks the partner, so it may run at once.
 * The effects are the full path's (deliver, block, switch), words past
 * the length included (they read as 0). As in seL4, a ready task of the
 * partner's own priority does not stop the switch: the partner runs
 * first, where the full path would queue it behind that task.
 *
 * Written for the instruction count (make bench counts every one): each
 * condition is tested once, each object loaded once, and the common
 * case (nothing ready: sched.ready_count is 0) needs no call, so the
 * compiler keeps it in registers without a stack frame. Only when a
 * task is ready does the general version, a second copy of the same
 * body, ask the scheduler's bitmap whether it outranks the partner.
 */
#include "fastpath.h"
#include "channel.h"
#include "cpool.h"
#include "sched.h"
#include "syscall.h"

#define ALWAYS_INLINE inline __attribute__((always_inline))

/*
 * &p->slots[i] with one multiply, where the compiler would shift and
 * subtract (a slot is 56 bytes): x86_64 multiplies by the immediate;
 * AArch64 multiplies-adds, the size and the sum hidden from the folding
 * that would undo it, and the offset of `slots` goes in the loads.
 * fast_lookup forms it before the range check (the multiply must read
 * the slot number before the check's shift consumes it, and the
 * compiler keeps it so), and dereferences it only after.
 */
static ALWAYS_INLINE const struct slot *fast_slot(const struct cpool *p, uint64_t i)
{
	const char *q;
#if defined(__x86_64__)
	uint64_t off;
	__asm__("imul %2, %1, %0" : "=r"(off) : "rm"(i), "i"((int)sizeof(struct slot)));
	q = (const char *)p + off;
#else
	uint64_t size = sizeof(struct slot);
	__asm__("" : "+r"(size));
	q = (const char *)p + i * size;
	__asm__("" : "+r"(q));
#endif
	return (const struct slot *)(q + offsetof(struct cpool, slots));
}

/*
 * The cap named by a plain slot number of t's root CPool when that pool
 * has no guard (so the number is all there is to the CAddr: a depth, a
 * guard or a number past the pool all fail the one shift), else NULL;
 * the full path resolves the rest. As cpool_lookup_one_level for the
 * guardless pools the fastpath serves, with a third of its tests.
 */
static ALWAYS_INLINE const struct cap *fast_lookup(const struct task *t, uint64_t arg)
{
	const struct cap *root = &t->slots[TASK_SLOT_CPOOL].cap;
	/* type (byte 0) and guard bits (byte 2) in one 32-bit test: the
	 * type, rights, bits and flags bytes, little-endian */
	_Static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__ &&
		       offsetof(struct cap, spare) == 4, "struct cap's first word");
	uint32_t head;
	__builtin_memcpy(&head, root, sizeof(head));
	if (unlikely((head & 0x00ff00ffu) != CAIRN_OBJ_CPOOL))
		return NULL;
	const struct cpool *p = container_of(root->obj, struct cpool, hdr);
	const struct slot *s = fast_slot(p, arg);
	if (unlikely(arg >> p->radix_bits))
		return NULL;
	return &s->cap;
}

static ALWAYS_INLINE bool fast_channel_cap(const struct cap *c, unsigned rights)
{
	return c->type == CAIRN_OBJ_CHANNEL && (c->rights & rights) == rights;
}

/*
 * May `to` run at once instead of the caller t? Not if a ready task
 * outranks it: the full path would run that one first. Nothing ready
 * outranks the caller (every exit to user mode preempts it otherwise),
 * so only a partner below the caller needs the bitmap. `general`: the
 * caller saw a task ready (else none is, and this is no test at all).
 */
static ALWAYS_INLINE bool fast_may_run(const struct task *t, const struct task *to,
				       bool general)
{
	dassert(!sched_ready_above(t->priority));
	if (!general)
		return true;
	return to->priority >= t->priority || !sched_ready_above(to->priority);
}

/* A task buffer cap the kernel can reach, as task_buffer_of (syscall.c). */
static ALWAYS_INLINE bool fast_buffer_ok(const struct cap *b)
{
	return b->type == CAIRN_OBJ_PAGE && !(b->flags & CAP_FLAG_DEVICE);
}

static ALWAYS_INLINE struct task_buffer *fast_buffer(const struct cap *b)
{
	return (struct task_buffer *)(uintptr_t)(b->paddr + DIRECT_MAP_BASE);
}

/*
 * Words 4..len-1 of a message of len > 4 words, task buffer to task
 * buffer; false, having changed nothing, if either task has none. One
 * load and one store per word: the switch enters an unrolled copy at
 * its length (the words it does not copy are the receiver's to keep).
 */
static ALWAYS_INLINE bool fast_long_words(struct task *from, struct task *to, uint64_t len)
{
	const struct cap *sb = &from->slots[TASK_SLOT_BUFFER].cap;
	const struct cap *db = &to->slots[TASK_SLOT_BUFFER].cap;
	if (unlikely(!fast_buffer_ok(sb) || !fast_buffer_ok(db)))
		return false;
	uint64_t *d = fast_buffer(db)->msg;
	const uint64_t *s = fast_buffer(sb)->msg;
	dassert(fast_buffer(sb) == task_buffer_of(from) && fast_buffer(db) == task_buffer_of(to));
	_Static_assert(CAIRN_MSG_MAX_WORDS - CAIRN_MSG_INLINE_WORDS == 8,
		       "the copy below is unrolled for 8 task-buffer words");
	switch (len - CAIRN_MSG_INLINE_WORDS) { /* the number of words */
	case 8: d[7] = s[7]; /* fallthrough */
	case 7: d[6] = s[6]; /* fallthrough */
	case 6: d[5] = s[5]; /* fallthrough */
	case 5: d[4] = s[4]; /* fallthrough */
	case 4: d[3] = s[3]; /* fallthrough */
	case 3: d[2] = s[2]; /* fallthrough */
	case 2: d[1] = s[1]; /* fallthrough */
	case 1: d[0] = s[0];
		break;
	default:
		__builtin_unreachable(); /* 4 < len <= CAIRN_MSG_MAX_WORDS */
	}
	return true;
}

/*
 * The result registers of a message: error 0, badge, info, and words
 * 0..3 from the sender's argument words 2..5, those past len as 0 (the
 * ABI: "payload words past len read as 0"; the full path's deliver).
 * Where len is a constant (the common case) these are straight stores.
 */
static ALWAYS_INLINE void fast_deliver(struct arch_context *to, const struct arch_context *from,
				       uint64_t badge, uint64_t info, unsigned len)
{
	uint64_t w[CAIRN_MSG_INLINE_WORDS];
	for (unsigned i = 0; i < CAIRN_MSG_INLINE_WORDS; i++)
		w[i] = i < len ? arch_syscall_arg(from, 2 + i) : 0;
	arch_set_message_result(to, badge, info, w);
}

/*
 * Calls `commit(..., n)` with n = min(length, 4) a constant, so that
 * each length gets its own straight-line copy of the result registers;
 * longer messages first move words 4.. (or decline). The caller checked
 * info <= CAIRN_MSG_MAX_WORDS: no flag bit, a length in range. x86_64
 * picks the copy with one indirect jump through a table, with a case
 * per length (the task-buffer words copied straight, then a commit all
 * long messages share); AArch64 pays six instructions for a table, so
 * it tests the likely lengths in turn. The general version (a task is
 * ready: not the case worth the code) has one commit for every length.
 */
#if defined(__x86_64__)
#define FAST_LONG_CASE(n, from, to)                                           \
	case n:                                                               \
		if (!fast_long_words(from, to, n))                            \
			return false;                                         \
		goto long_message
_Static_assert(CAIRN_MSG_MAX_WORDS == 12, "FAST_BY_LENGTH has a case per length");
#define FAST_BY_LENGTH_ARCH(info, from, to, commit, ...)                      \
	do {                                                                  \
		switch (info) {                                               \
		case 0: return commit(__VA_ARGS__, 0);                        \
		case 1: return commit(__VA_ARGS__, 1);                        \
		case 2: return commit(__VA_ARGS__, 2);                        \
		case 3: return commit(__VA_ARGS__, 3);                        \
		case 4: return commit(__VA_ARGS__, 4);                        \
		FAST_LONG_CASE(5, from, to);                                  \
		FAST_LONG_CASE(6, from, to);                                  \
		FAST_LONG_CASE(7, from, to);                                  \
		FAST_LONG_CASE(8, from, to);                                  \
		FAST_LONG_CASE(9, from, to);                                  \
		FAST_LONG_CASE(10, from, to);                                 \
		FAST_LONG_CASE(11, from, to);                                 \
		FAST_LONG_CASE(12, from, to);                                 \
		default:                                                      \
			__builtin_unreachable();                              \
		}                                                             \
	long_message:                                                         \
		return commit(__VA_ARGS__, 4);                                \
	} while (0)
#else
#define FAST_BY_LENGTH_ARCH(info, from, to, commit, ...)                      \
	do {                                                                  \
		if (info == 0)                                                \
			return commit(__VA_ARGS__, 0);                        \
		if (info == CAIRN_MSG_INLINE_WORDS)                           \
			return commit(__VA_ARGS__, 4);                        \
		if (info > CAIRN_MSG_INLINE_WORDS) {                          \
			if (!fast_long_words(from, to, info))                 \
				return false;                                 \
			return commit(__VA_ARGS__, 4);                        \
		}                                                             \
		if (info == 1)                                                \
			return commit(__VA_ARGS__, 1);                        \
		if (info == 2)                                                \
			return commit(__VA_ARGS__, 2);                        \
		return commit(__VA_ARGS__, 3);                                \
	} while (0)
#endif

#define FAST_BY_LENGTH(general, info, from, to, commit, ...)                  \
	do {                                                                  \
		if (general) {                                                \
			if (info > CAIRN_MSG_INLINE_WORDS &&                  \
			    !fast_long_words(from, to, info))                 \
				return false;                                 \
			return commit(__VA_ARGS__, info);                     \
		}                                                             \
		FAST_BY_LENGTH_ARCH(info, from, to, commit, __VA_ARGS__);     \
	} while (0)

/*
 * Run `to` now: sched_switch_to, with its VSpace checked before the
 * commit (fast_vspace_ok), so that there is no other case to select.
 */
static ALWAYS_INLINE bool fast_vspace_ok(const struct task *to)
{
	return to->slots[TASK_SLOT_VSPACE].cap.type == CAIRN_OBJ_VSPACE;
}

static ALWAYS_INLINE void fast_switch_to(struct task *to)
{
	to->state = CAIRN_TASK_RUNNING;
	sched.current = to;
	sched.switches++;
	arch_vspace_activate(to->slots[TASK_SLOT_VSPACE].cap.paddr);
	arch_set_user_context(&to->ctx);
}

/* CHAN_CALL, committed: the receiver r gets the message and owes t a
 * reply; t blocks in BlockedReply; r runs. */
static ALWAYS_INLINE bool call_commit(struct arch_context *c, struct task *t,
				      struct channel *ch, struct task *r,
				      const struct cap *cap, uint64_t info, unsigned len)
{
	/* r leaves the channel's queue. Usually it is the only waiter:
	 * then its links are NULL already and only the ends change (what
	 * list_remove_head does, less its stores of the NULLs it finds). */
	if (likely(!r->queue_next)) {
		dassert(!r->queue_prev && ch->receivers.tail == r);
		ch->receivers.head = NULL;
		ch->receivers.tail = NULL;
		r->queue = NULL;
	} else {
		task_queue_remove_head(&ch->receivers, r);
	}
	fast_deliver(&r->ctx, c, cap->data /* the badge, 0 if unbadged */,
		     info | CAIRN_MSG_CALL, len);
	r->reply_to = t;
	r->reply_grant = r->recv_grant_reply;
	r->blocked_on = NULL;
	t->reply_from = r;
	t->ipc_sent++;
	ch->sent++;
	t->state = CAIRN_TASK_BLOCKED_REPLY;
	t->blocked_on = &ch->hdr;
	fast_switch_to(r);
	return true;
}

static ALWAYS_INLINE bool call_body(struct arch_context *c, bool general)
{
	struct task *t = container_of(c, struct task, ctx);
	uint64_t info = arch_syscall_arg(c, 1);
	/* One test for both: no flag bit (each is above the length's
	 * bits), and a length the full path would not refuse. */
	if (unlikely(info > CAIRN_MSG_MAX_WORDS))
		return false;
	const struct cap *cap = fast_lookup(t, arch_syscall_arg(c, 0));
	if (unlikely(!cap || !fast_channel_cap(cap, CAIRN_RIGHT_WRITE)))
		return false;
	struct channel *ch = channel_from_object(cap->obj);
	struct task *r = ch->receivers.head;
	if (unlikely(!r) || unlikely(!fast_vspace_ok(r)) || !fast_may_run(t, r, general))
		return false;
	FAST_BY_LENGTH(general, info, t, r, call_commit, c, t, ch, r, cap, info);
}

/* CHAN_REPLY_RECV, committed: the client gets the reply and runs; t
 * waits on the channel as the full path's receive leaves it. */
static ALWAYS_INLINE bool reply_recv_commit(struct arch_context *c, struct task *t,
					    struct channel *ch, struct task *client,
					    const struct cap *cap, uint64_t info, unsigned len)
{
	fast_deliver(&client->ctx, c, 0, info, len);
	client->reply_from = NULL;
	client->blocked_on = NULL;
	t->reply_to = NULL;
	t->ipc_sent++; /* the reply (the channel counts only sends and calls) */
	t->recv_grant_reply = (cap->rights & CAIRN_RIGHT_GRANT_REPLY) != 0;
	t->state = CAIRN_TASK_BLOCKED_RECV;
	t->blocked_on = &ch->hdr;
	/* t joins the channel's receivers. Usually it is the only one:
	 * then, as a task on no queue, its links are NULL already and only
	 * the ends change (what list_insert_tail does, less its stores of
	 * NULLs). */
	dassert(!t->queue && !t->queue_next && !t->queue_prev);
	if (likely(!ch->receivers.tail)) {
		ch->receivers.head = t;
		ch->receivers.tail = t;
		t->queue = &ch->receivers;
	} else {
		task_queue_append(&ch->receivers, t);
	}
	fast_switch_to(client);
	return true;
}

static ALWAYS_INLINE bool reply_recv_body(struct arch_context *c, bool general)
{
	struct task *t = container_of(c, struct task, ctx);
	struct task *client = t->reply_to;
	uint64_t info = arch_syscall_arg(c, 1);
	if (unlikely(!client))
		return false;
	if (unlikely(info > CAIRN_MSG_MAX_WORDS))
		return false;
	const struct cap *cap = fast_lookup(t, arch_syscall_arg(c, 0));
	if (unlikely(!cap || !fast_channel_cap(cap, CAIRN_RIGHT_READ)))
		return false;
	struct channel *ch = channel_from_object(cap->obj);
	/* A queued message is received at once: the full path's. (No
	 * sender waits on an empty channel: senders block only when it is
	 * full.) */
	if (unlikely(ch->count) || unlikely(!fast_vspace_ok(client)) ||
	    !fast_may_run(t, client, general))
		return false;
	FAST_BY_LENGTH(general, info, t, client, reply_recv_commit, c, t, ch, client, cap, info);
}

static __attribute__((noinline)) bool fastpath_call_general(struct arch_context *c)
{
	return call_body(c, true);
}

static __attribute__((noinline)) bool fastpath_reply_recv_general(struct arch_context *c)
{
	return reply_recv_body(c, true);
}

bool fastpath_call(struct arch_context *c)
{
	if (unlikely(sched.ready_count))
		return fastpath_call_general(c);
	return call_body(c, false);
}

bool fastpath_reply_recv(struct arch_context *c)
{
	if (unlikely(sched.ready_count))
		return fastpath_reply_recv_general(c);
	return reply_recv_body(c, false);
}
