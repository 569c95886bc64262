/*
 * t_chan.c - channel messages within one task (through the ring):
 * try forms, WOULD_BLOCK, lengths, badges, rights, info-word checks
 * and capability transfer.
 */
#include "harness.h"
#include "uthread.h"

static void send_then_receive(void)
{
	uint64_t ch = new_obj(CAIRN_OBJ_CHANNEL, 0);
	struct cairn_msg m = msg4(3, 10, 20, 30, 99), r;

	CHECK_OK(cairn_chan_try_send(ch, &m));
	CHECK_EQ(ident(ch).summary[0], 1);
	CHECK_OK(cairn_chan_try_recv(ch, CAIRN_NO_SLOT, &r));
	CHECK_EQ(CAIRN_MSGINFO_LEN(r.info), 3);
	CHECK_EQ(r.info & ~(uint64_t)CAIRN_MSG_LEN_MASK, 0);
	CHECK_EQ(r.words[0], 10);
	CHECK_EQ(r.words[2], 30);
	CHECK_EQ(r.words[3], 0); /* past len reads as 0 */
	CHECK_EQ(r.badge, 0);
	CHECK_EQ(ident(ch).summary[0], 0);
}

static void empty_would_block(void)
{
	uint64_t ch = new_obj(CAIRN_OBJ_CHANNEL, 0);
	struct cairn_msg r;

	CHECK_ERR(cairn_chan_try_recv(ch, CAIRN_NO_SLOT, &r), CAIRN_ERR_WOULD_BLOCK);
}

static void fifo_and_full(void)
{
	uint64_t ch = new_obj(CAIRN_OBJ_CHANNEL, 0);
	uint64_t depth = ident(ch).summary[1];
	struct cairn_msg r;

	CHECK(depth >= 1 && depth <= 64);
	for (uint64_t i = 0; i < depth; i++) {
		struct cairn_msg m = msg4(1, 100 + i, 0, 0, 0);
		CHECK_OK(cairn_chan_try_send(ch, &m));
	}
	struct cairn_msg extra = msg4(1, 999, 0, 0, 0);
	CHECK_ERR(cairn_chan_try_send(ch, &extra), CAIRN_ERR_WOULD_BLOCK);
	CHECK_EQ(ident(ch).summary[0], depth);
	for (uint64_t i = 0; i < depth; i++) {
		CHECK_OK(cairn_chan_try_recv(ch, CAIRN_NO_SLOT, &r));
		CHECK_EQ(r.words[0], 100 + i);
	}
	CHECK_ERR(cairn_chan_try_recv(ch, CAIRN_NO_SLOT, &r), CAIRN_ERR_WOULD_BLOCK);
}

static void badges_delivered(void)
{
	uint64_t ch = new_obj(CAIRN_OBJ_CHANNEL, 0), b1 = new_slot(), b2 = new_slot();
	struct cairn_msg m = msg4(1, 1, 0, 0, 0), r;

	CHECK_OK(cairn_cap_mint(b1, ch, CAIRN_RIGHT_WRITE, 0xb1));
	CHECK_OK(cairn_cap_mint(b2, ch, CAIRN_RIGHT_WRITE, 0xb2));
	CHECK_OK(cairn_chan_try_send(b2, &m));
	CHECK_OK(cairn_chan_try_send(b1, &m));
	CHECK_OK(cairn_chan_try_send(ch, &m));
	CHECK_OK(cairn_chan_try_recv(ch, CAIRN_NO_SLOT, &r));
	CHECK_EQ(r.badge, 0xb2);
	CHECK_OK(cairn_chan_try_recv(ch, CAIRN_NO_SLOT, &r));
	CHECK_EQ(r.badge, 0xb1);
	CHECK_OK(cairn_chan_try_recv(ch, CAIRN_NO_SLOT, &r));
	CHECK_EQ(r.badge, 0);
}

static void rights_enforced(void)
{
	uint64_t ch = new_obj(CAIRN_OBJ_CHANNEL, 0), ro = new_slot(), wo = new_slot();
	struct cairn_msg m = msg4(1, 5, 0, 0, 0), r;

	CHECK_OK(cairn_cap_copy(ro, ch, CAIRN_RIGHT_READ));
	CHECK_OK(cairn_cap_copy(wo, ch, CAIRN_RIGHT_WRITE));
	CHECK_ERR(cairn_chan_try_send(ro, &m), CAIRN_ERR_INSUFFICIENT_RIGHTS);
	CHECK_ERR(cairn_chan_send(ro, &m), CAIRN_ERR_INSUFFICIENT_RIGHTS);
	CHECK_OK(cairn_chan_try_send(wo, &m));
	CHECK_ERR(cairn_chan_try_recv(wo, CAIRN_NO_SLOT, &r), CAIRN_ERR_INSUFFICIENT_RIGHTS);
	CHECK_ERR(cairn_chan_recv(wo, CAIRN_NO_SLOT, &r), CAIRN_ERR_INSUFFICIENT_RIGHTS);
	CHECK_OK(cairn_chan_try_recv(ro, CAIRN_NO_SLOT, &r));
	CHECK_EQ(r.words[0], 5);
}

static void info_word_checks(void)
{
	uint64_t ch = new_obj(CAIRN_OBJ_CHANNEL, 0), pg = new_obj(CAIRN_OBJ_PAGE, 0);
	struct cairn_msg r;

	/* unknown info bits, output-only bits, a length past the maximum */
	CHECK_ERR(raw_syscall(CAIRN_SYS_CHAN_TRY_SEND, ch, 1u << 12, 0, 0, 0, 0, NULL),
		  CAIRN_ERR_INVALID_ARGUMENT);
	CHECK_ERR(raw_syscall(CAIRN_SYS_CHAN_TRY_SEND, ch, CAIRN_MSG_CALL, 0, 0, 0, 0, NULL),
		  CAIRN_ERR_INVALID_ARGUMENT);
	CHECK_ERR(raw_syscall(CAIRN_SYS_CHAN_TRY_SEND, ch, CAIRN_MSG_CAP_DROPPED, 0, 0, 0, 0, NULL),
		  CAIRN_ERR_INVALID_ARGUMENT);
	CHECK_ERR(raw_syscall(CAIRN_SYS_CHAN_TRY_SEND, ch, CAIRN_MSG_MAX_WORDS + 1, 0, 0, 0, 0,
			      NULL), CAIRN_ERR_RANGE);
	CHECK_ERR(cairn_chan_try_recv(ch, CAIRN_NO_SLOT, &r), CAIRN_ERR_WOULD_BLOCK);
	/* wrong object, empty slot */
	CHECK_ERR(raw_syscall(CAIRN_SYS_CHAN_TRY_SEND, pg, 0, 0, 0, 0, 0, NULL),
		  CAIRN_ERR_INVALID_CAP);
	CHECK_ERR(raw_syscall(CAIRN_SYS_CHAN_TRY_RECV, new_slot(), 0, 0, 0, 0, 0, NULL),
		  CAIRN_ERR_SLOT_EMPTY);
	/* zero-length message */
	CHECK_OK(raw_syscall(CAIRN_SYS_CHAN_TRY_SEND, ch, 0, 7, 7, 7, 7, NULL));
	CHECK_OK(cairn_chan_try_recv(ch, CAIRN_NO_SLOT, &r));
	CHECK_EQ(r.info, 0);
	CHECK_EQ(r.words[0], 0);
}

static void long_message(void)
{
	uint64_t ch = new_obj(CAIRN_OBJ_CHANNEL, 0);
	struct cairn_msg m = { .info = CAIRN_MSGINFO(CAIRN_MSG_MAX_WORDS, 0) }, r;

	for (unsigned i = 0; i < CAIRN_MSG_MAX_WORDS; i++)
		m.words[i] = 0x1000 + i;
	CHECK_OK(cairn_chan_try_send(ch, &m));
	/* the sender's buffer changing later does not change the message */
	uthread_current()->tb->msg[0] = 0;
	CHECK_OK(cairn_chan_try_recv(ch, CAIRN_NO_SLOT, &r));
	CHECK_EQ(CAIRN_MSGINFO_LEN(r.info), CAIRN_MSG_MAX_WORDS);
	for (unsigned i = 0; i < CAIRN_MSG_MAX_WORDS; i++)
		CHECK_EQ(r.words[i], 0x1000 + i);
}

static void cap_transfer(void)
{
	uint64_t ch = new_obj(CAIRN_OBJ_CHANNEL, 0), n = new_obj(CAIRN_OBJ_NOTIFICATION, 0);
	uint64_t dest = new_slot(), badged = new_slot();
	struct cairn_msg m = msg4(1, 1, 0, 0, 0), r;
	struct task_buffer *tb = uthread_current()->tb;

	CHECK_OK(cairn_cap_mint(badged, n, CAIRN_RIGHT_WRITE, 0x77));
	m.info |= CAIRN_MSG_CAP;
	m.cap = badged;
	CHECK_OK(cairn_chan_try_send(ch, &m));
	CHECK_EQ(ident(badged).type, CAIRN_OBJ_NOTIFICATION); /* the sender keeps its cap */
	CHECK_OK(cairn_chan_try_recv(ch, dest, &r));
	CHECK(r.info & CAIRN_MSG_CAP);
	CHECK(!(r.info & CAIRN_MSG_CAP_DROPPED));
	CHECK_EQ(r.cap, dest);
	struct cairn_cap_info i = ident(dest);
	CHECK_EQ(i.type, CAIRN_OBJ_NOTIFICATION);
	CHECK_EQ(i.object, ident(n).object);
	CHECK_EQ(i.badge, 0x77);
	CHECK_EQ(i.rights, CAIRN_RIGHT_WRITE);
	CHECK_EQ(tb->recv_cap_type, CAIRN_OBJ_NOTIFICATION);
	CHECK_EQ(tb->recv_cap_badge, 0x77);
	/* it works: signal through the received cap */
	uint64_t bits;
	CHECK_OK(cairn_ntfn_signal(dest));
	CHECK_OK(cairn_ntfn_poll(n, &bits));
	CHECK_EQ(bits, 0x77);
	/* revoking the original reaches the transferred copy */
	CHECK_OK(cairn_cap_revoke(n));
	CHECK_EQ(ident(dest).type, CAIRN_OBJ_NULL);
}

static void cap_transfer_needs_grant(void)
{
	uint64_t ch = new_obj(CAIRN_OBJ_CHANNEL, 0), nogrant = new_slot();
	struct cairn_msg m = msg4(0, 0, 0, 0, 0), r;

	CHECK_OK(cairn_cap_copy(nogrant, ch, CAIRN_RIGHT_READ | CAIRN_RIGHT_WRITE));
	m.info |= CAIRN_MSG_CAP;
	m.cap = CAIRN_SLOT_CHANNEL;
	CHECK_ERR(cairn_chan_try_send(nogrant, &m), CAIRN_ERR_INSUFFICIENT_RIGHTS);
	CHECK_ERR(cairn_chan_try_recv(ch, CAIRN_NO_SLOT, &r), CAIRN_ERR_WOULD_BLOCK);
	/* the same message without the cap goes */
	m.info = 0;
	CHECK_OK(cairn_chan_try_send(nogrant, &m));
	/* sending an empty slot or an untyped cap */
	m.info = CAIRN_MSG_CAP;
	m.cap = new_slot();
	CHECK_ERR(cairn_chan_try_send(ch, &m), CAIRN_ERR_SLOT_EMPTY);
	m.cap = CAIRN_SLOT_UNTYPED;
	CHECK_ERR(cairn_chan_try_send(ch, &m), CAIRN_ERR_ILLEGAL_OPERATION);
}

static void cap_dropped(void)
{
	uint64_t ch = new_obj(CAIRN_OBJ_CHANNEL, 0), n = new_obj(CAIRN_OBJ_NOTIFICATION, 0);
	struct cairn_msg m = msg4(1, 3, 0, 0, 0), r;

	m.info |= CAIRN_MSG_CAP;
	m.cap = n;
	CHECK_OK(cairn_chan_try_send(ch, &m));
	CHECK(ident(n).flags & CAIRN_CAPINFO_HAS_CHILDREN); /* in flight */
	CHECK_OK(cairn_chan_try_recv(ch, CAIRN_NO_SLOT, &r));
	CHECK_EQ(r.words[0], 3);
	CHECK(!(r.info & CAIRN_MSG_CAP));
	CHECK(r.info & CAIRN_MSG_CAP_DROPPED);
	CHECK(!(ident(n).flags & CAIRN_CAPINFO_HAS_CHILDREN)); /* deleted */
	/* an occupied receive slot drops it too */
	CHECK_OK(cairn_chan_try_send(ch, &m));
	CHECK_OK(cairn_chan_try_recv(ch, CAIRN_SLOT_CHANNEL, &r));
	CHECK(r.info & CAIRN_MSG_CAP_DROPPED);
	CHECK_EQ(ident(CAIRN_SLOT_CHANNEL).type, CAIRN_OBJ_CHANNEL);
}

static void deleting_channel_deletes_queued_caps(void)
{
	uint64_t ch = new_obj(CAIRN_OBJ_CHANNEL, 0), n = new_obj(CAIRN_OBJ_NOTIFICATION, 0);
	struct cairn_msg m = msg4(0, 0, 0, 0, 0);

	m.info |= CAIRN_MSG_CAP;
	m.cap = n;
	CHECK_OK(cairn_chan_try_send(ch, &m));
	CHECK(ident(n).flags & CAIRN_CAPINFO_HAS_CHILDREN);
	CHECK_OK(cairn_cap_delete(ch));
	CHECK(!(ident(n).flags & CAIRN_CAPINFO_HAS_CHILDREN));
}

const struct test tests_chan[] = {
	{ "chan: try send, try recv, length and words", send_then_receive },
	{ "chan: try recv on empty is WOULD_BLOCK", empty_would_block },
	{ "chan: FIFO; a full ring is WOULD_BLOCK for try send", fifo_and_full },
	{ "chan: the sender cap's badge is delivered", badges_delivered },
	{ "chan: WRITE to send, READ to receive", rights_enforced },
	{ "chan: info word, type and slot errors; empty message", info_word_checks },
	{ "chan: a 12-word message through the task buffer", long_message },
	{ "chan: cap transfer with GRANT (badge, rights, CDT)", cap_transfer },
	{ "chan: cap transfer without GRANT; empty or untyped cap", cap_transfer_needs_grant },
	{ "chan: CAP_DROPPED without a usable receive slot", cap_dropped },
	{ "chan: deleting a channel deletes caps queued in it",
	  deleting_channel_deletes_queued_caps },
	{ 0, 0 },
};
