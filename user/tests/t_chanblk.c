/*
 * t_chanblk.c - channel IPC between tasks: blocking receive and send,
 * call/reply, reply-recv, a full queue, and what deleting a channel or
 * a waiting task does to the queues.
 */
#include "child.h"
#include "harness.h"

/* arg0 = channel: one blocking receive; out: err, badge, w0, info. */
static void receiver(struct child *c)
{
	struct cairn_msg m = { 0 };

	c->out[0] = cairn_chan_recv(c->arg[0], CAIRN_NO_SLOT, &m);
	c->out[1] = m.badge;
	c->out[2] = m.words[0];
	c->out[3] = m.info;
}

static void recv_blocks_until_send(void)
{
	static struct child c;
	uint64_t ch = new_obj(CAIRN_OBJ_CHANNEL, 0), b = new_slot();
	struct cairn_task_info ti;

	CHECK_OK(cairn_cap_mint(b, ch, CAIRN_RIGHT_WRITE, 0xabc));
	CHECK_OK(child_start(&c, receiver, 100));
	c.arg[0] = ch;
	settle();
	CHECK(!c.finished);
	CHECK_OK(cairn_task_read_state(c.task, &ti));
	CHECK_EQ(ti.state, CAIRN_TASK_BLOCKED_RECV);
	CHECK_EQ(ident(ch).summary[3], 1);
	struct cairn_msg m = msg4(1, 4242, 0, 0, 0);
	CHECK_OK(cairn_chan_send(b, &m)); /* straight to the waiter */
	CHECK_EQ(ident(ch).summary[0], 0);
	CHECK_EQ(ident(ch).summary[3], 0);
	settle();
	CHECK(c.finished);
	CHECK_EQ(c.out[0], 0);
	CHECK_EQ(c.out[1], 0xabc);
	CHECK_EQ(c.out[2], 4242);
}

/* arg0 = channel, arg1 = how many: blocking sends of 1000 + i. */
static void sender(struct child *c)
{
	for (uint64_t i = 0; i < c->arg[1]; i++) {
		struct cairn_msg m = msg4(1, 1000 + i, 0, 0, 0);
		c->out[0] = cairn_chan_send(c->arg[0], &m);
		if (c->out[0])
			return;
		c->out[1] = i + 1;
	}
}

static void full_queue_blocks_sender(void)
{
	static struct child c;
	uint64_t ch = new_obj(CAIRN_OBJ_CHANNEL, 0);
	uint64_t depth = ident(ch).summary[1];
	struct cairn_task_info ti;
	struct cairn_msg r;

	CHECK_OK(child_start(&c, sender, 100));
	c.arg[0] = ch;
	c.arg[1] = depth + 2;
	settle();
	CHECK_EQ(c.out[1], depth); /* the ring took depth, the next blocks */
	CHECK_OK(cairn_task_read_state(c.task, &ti));
	CHECK_EQ(ti.state, CAIRN_TASK_BLOCKED_SEND);
	CHECK_EQ(ident(ch).summary[2], 1);
	CHECK_OK(cairn_chan_recv(ch, CAIRN_NO_SLOT, &r));
	CHECK_EQ(r.words[0], 1000);
	/* the receive moved the blocked message into the ring and woke it */
	CHECK_EQ(ident(ch).summary[0], depth);
	settle();
	CHECK_EQ(c.out[1], depth + 1);
	CHECK_OK(cairn_task_read_state(c.task, &ti));
	CHECK_EQ(ti.state, CAIRN_TASK_BLOCKED_SEND);
	for (uint64_t i = 1; i < depth + 2; i++) {
		CHECK_OK(cairn_chan_recv(ch, CAIRN_NO_SLOT, &r));
		CHECK_EQ(r.words[0], 1000 + i); /* order kept */
	}
	settle();
	CHECK(c.finished);
	CHECK_EQ(c.out[0], 0);
}

/* arg0 = channel: serve arg1 calls with reply-recv, answering w0 * 2. */
static void server(struct child *c)
{
	struct cairn_msg in, out = msg4(2, 0, 0, 0x5e5e, 0x6e6e); /* junk past len */
	int err = cairn_chan_recv(c->arg[0], CAIRN_NO_SLOT, &in);

	for (uint64_t n = 0; !err; n++) {
		c->out[1] = in.info;
		c->out[2] = in.badge;
		c->out[4] |= in.words[1] | in.words[2] | in.words[3];
		out.words[0] = in.words[0] * 2;
		out.words[1] = n;
		if (n + 1 == c->arg[1]) {
			c->out[0] = cairn_chan_reply(&out);
			c->out[3] = cairn_chan_reply(&out); /* nothing owed now */
			return;
		}
		err = cairn_chan_reply_recv(c->arg[0], &out, CAIRN_NO_SLOT, &in);
	}
	c->out[0] = 100 + err;
}

static void call_and_reply(void)
{
	static struct child c;
	uint64_t ch = new_obj(CAIRN_OBJ_CHANNEL, 0), b = new_slot();
	struct cairn_msg m = msg4(1, 21, 0x7777, 0x8888, 0x9999), r; /* junk past len */

	CHECK_OK(cairn_cap_mint(b, ch, CAIRN_RIGHT_WRITE, 0x5a));
	CHECK_OK(child_start(&c, server, 100));
	c.arg[0] = ch;
	c.arg[1] = 3;
	settle();
	for (uint64_t i = 0; i < 3; i++) {
		m.words[0] = 21 + i;
		CHECK_OK(cairn_chan_call(b, &m, CAIRN_NO_SLOT, &r));
		CHECK_EQ(r.words[0], 2 * (21 + i));
		CHECK_EQ(r.words[1], i);
		CHECK_EQ(r.words[2], 0); /* past len reads as 0 */
		CHECK_EQ(r.words[3], 0);
		CHECK_EQ(c.out[4], 0);
		CHECK_EQ(r.badge, 0); /* replies carry no badge */
		CHECK(!(r.info & CAIRN_MSG_CALL));
		CHECK(c.out[1] & CAIRN_MSG_CALL); /* the server saw a call */
		CHECK_EQ(c.out[2], 0x5a);
	}
	settle();
	CHECK(c.finished);
	CHECK_EQ(c.out[0], 0);
	CHECK_EQ(c.out[3], CAIRN_ERR_ILLEGAL_OPERATION);
}

static void reply_without_call(void)
{
	struct cairn_msg m = msg4(0, 0, 0, 0, 0), r;
	uint64_t ch = new_obj(CAIRN_OBJ_CHANNEL, 0);

	CHECK_ERR(cairn_chan_reply(&m), CAIRN_ERR_ILLEGAL_OPERATION);
	/* reply-recv with nothing owed just receives */
	struct cairn_msg s = msg4(1, 9, 0, 0, 0);
	CHECK_OK(cairn_chan_try_send(ch, &s));
	CHECK_OK(cairn_chan_reply_recv(ch, &m, CAIRN_NO_SLOT, &r));
	CHECK_EQ(r.words[0], 9);
}

/* Calls arg0 once; out: err, reply w0. */
static void caller(struct child *c)
{
	struct cairn_msg m = msg4(1, 5, 0, 0, 0), r = { 0 };

	c->out[0] = cairn_chan_call(c->arg[0], &m, CAIRN_NO_SLOT, &r);
	c->out[1] = r.words[0];
}

static void call_from_child_blocks_in_reply(void)
{
	static struct child c;
	uint64_t ch = new_obj(CAIRN_OBJ_CHANNEL, 0);
	struct cairn_task_info ti;
	struct cairn_msg in, out = msg4(1, 55, 0, 0, 0);

	CHECK_OK(child_start(&c, caller, 100));
	c.arg[0] = ch;
	settle();
	CHECK_OK(cairn_task_read_state(c.task, &ti));
	CHECK_EQ(ti.state, CAIRN_TASK_BLOCKED_REPLY); /* queued call waits for its reply */
	CHECK_OK(cairn_chan_recv(ch, CAIRN_NO_SLOT, &in));
	CHECK(in.info & CAIRN_MSG_CALL);
	CHECK_EQ(in.words[0], 5);
	CHECK_OK(cairn_task_read_state(c.task, &ti));
	CHECK_EQ(ti.state, CAIRN_TASK_BLOCKED_REPLY);
	CHECK_OK(cairn_chan_reply(&out));
	settle();
	CHECK(c.finished);
	CHECK_EQ(c.out[0], 0);
	CHECK_EQ(c.out[1], 55);
}

static void delete_channel_wakes_waiters(void)
{
	static struct child r1, r2, s;
	uint64_t ch = new_obj(CAIRN_OBJ_CHANNEL, 0), full = new_obj(CAIRN_OBJ_CHANNEL, 0);

	CHECK_OK(child_start(&r1, receiver, 100));
	CHECK_OK(child_start(&r2, receiver, 100));
	r1.arg[0] = r2.arg[0] = ch;
	CHECK_OK(child_start(&s, sender, 100));
	s.arg[0] = full;
	s.arg[1] = ident(full).summary[1] + 1;
	settle();
	CHECK_EQ(ident(ch).summary[3], 2);
	CHECK_EQ(ident(full).summary[2], 1);
	CHECK_OK(cairn_cap_delete(ch));
	CHECK_OK(cairn_cap_delete(full));
	settle();
	CHECK(r1.finished && r2.finished && s.finished);
	CHECK_EQ(r1.out[0], CAIRN_ERR_OBJECT_DESTROYED);
	CHECK_EQ(r2.out[0], CAIRN_ERR_OBJECT_DESTROYED);
	CHECK_EQ(s.out[0], CAIRN_ERR_OBJECT_DESTROYED);
}

static void delete_channel_wakes_caller(void)
{
	static struct child c;
	uint64_t ch = new_obj(CAIRN_OBJ_CHANNEL, 0);

	CHECK_OK(child_start(&c, caller, 100));
	c.arg[0] = ch;
	settle(); /* its call sits in the ring */
	CHECK_OK(cairn_cap_delete(ch));
	settle();
	CHECK(c.finished);
	CHECK_EQ(c.out[0], CAIRN_ERR_OBJECT_DESTROYED);
}

static void delete_task_leaves_queues(void)
{
	static struct child r, s;
	uint64_t ch = new_obj(CAIRN_OBJ_CHANNEL, 0), full = new_obj(CAIRN_OBJ_CHANNEL, 0);
	struct cairn_msg m = msg4(1, 8, 0, 0, 0), got;

	CHECK_OK(child_start(&r, receiver, 100));
	r.arg[0] = ch;
	CHECK_OK(child_start(&s, sender, 100));
	s.arg[0] = full;
	s.arg[1] = ident(full).summary[1] + 1;
	settle();
	CHECK_EQ(ident(ch).summary[3], 1);
	CHECK_EQ(ident(full).summary[2], 1);
	CHECK_OK(cairn_cap_delete(r.task));
	CHECK_OK(cairn_cap_delete(s.task));
	CHECK_EQ(ident(ch).summary[3], 0);
	CHECK_EQ(ident(full).summary[2], 0);
	/* a send now queues instead of going to the dead receiver */
	CHECK_OK(cairn_chan_try_send(ch, &m));
	CHECK_EQ(ident(ch).summary[0], 1);
	CHECK_OK(cairn_chan_try_recv(ch, CAIRN_NO_SLOT, &got));
	CHECK_EQ(got.words[0], 8);
	/* the full ring is intact and drains without the dead sender */
	for (uint64_t i = 0; i < ident(full).summary[1]; i++)
		CHECK_OK(cairn_chan_try_recv(full, CAIRN_NO_SLOT, &got));
	CHECK_ERR(cairn_chan_try_recv(full, CAIRN_NO_SLOT, &got), CAIRN_ERR_WOULD_BLOCK);
}

/* Takes one call on arg0, then waits on the notification arg1. */
static void server_hold(struct child *c)
{
	struct cairn_msg m;
	uint64_t bits;

	c->out[0] = cairn_chan_recv(c->arg[0], CAIRN_NO_SLOT, &m);
	c->out[1] = m.info;
	c->out[2] = cairn_ntfn_wait(c->arg[1], &bits);
}

static void delete_server_wakes_caller(void)
{
	static struct child srv, cl;
	uint64_t ch = new_obj(CAIRN_OBJ_CHANNEL, 0), n = new_obj(CAIRN_OBJ_NOTIFICATION, 0);
	struct cairn_task_info ti;

	/* the server takes the call, then we delete it before it replies */
	CHECK_OK(child_start(&srv, server_hold, 150));
	srv.arg[0] = ch;
	srv.arg[1] = n;
	CHECK_OK(child_start(&cl, caller, 100));
	cl.arg[0] = ch;
	settle();
	CHECK(srv.out[1] & CAIRN_MSG_CALL);
	CHECK_OK(cairn_task_read_state(cl.task, &ti));
	CHECK_EQ(ti.state, CAIRN_TASK_BLOCKED_REPLY);
	CHECK_OK(cairn_cap_delete(srv.task));
	settle();
	CHECK(cl.finished);
	CHECK_EQ(cl.out[0], CAIRN_ERR_OBJECT_DESTROYED);
}

/* Calls arg0 twice, a received cap going to slot arg1; out: err, info. */
static void cap_caller(struct child *c)
{
	struct cairn_msg m = msg4(0, 0, 0, 0, 0), r = { 0 };

	for (int i = 0; i < 2; i++) {
		c->out[2 * i] = cairn_chan_call(c->arg[0], &m, c->arg[1], &r);
		c->out[2 * i + 1] = r.info;
	}
}

static void reply_cap_needs_grant_reply(void)
{
	static struct child c;
	uint64_t ch = new_obj(CAIRN_OBJ_CHANNEL, 0), plain = new_slot(), gr = new_slot();
	uint64_t dest = new_slot(), n = new_obj(CAIRN_OBJ_NOTIFICATION, 0);
	struct cairn_msg in, out = msg4(0, 0, 0, 0, 0);

	CHECK_OK(cairn_cap_copy(plain, ch, CAIRN_RIGHT_READ | CAIRN_RIGHT_GRANT));
	CHECK_OK(cairn_cap_copy(gr, ch, CAIRN_RIGHT_READ | CAIRN_RIGHT_GRANT_REPLY));
	CHECK_OK(child_start(&c, cap_caller, 100));
	c.arg[0] = ch;
	c.arg[1] = dest;
	settle();
	/* received through a cap without GRANT_REPLY: no cap in the reply */
	CHECK_OK(cairn_chan_recv(plain, CAIRN_NO_SLOT, &in));
	out.info = CAIRN_MSG_CAP;
	out.cap = n;
	CHECK_ERR(cairn_chan_reply(&out), CAIRN_ERR_INSUFFICIENT_RIGHTS);
	out.info = 0;
	CHECK_OK(cairn_chan_reply(&out));
	settle();
	CHECK_EQ(c.out[0], 0);
	CHECK(!(c.out[1] & CAIRN_MSG_CAP));
	/* with GRANT_REPLY the cap goes to the caller's receive slot */
	CHECK_OK(cairn_chan_recv(gr, CAIRN_NO_SLOT, &in));
	out.info = CAIRN_MSG_CAP;
	CHECK_OK(cairn_chan_reply(&out));
	settle();
	CHECK(c.finished);
	CHECK_EQ(c.out[2], 0);
	CHECK(c.out[3] & CAIRN_MSG_CAP);
	CHECK_EQ(ident(dest).type, CAIRN_OBJ_NOTIFICATION);
	CHECK_EQ(ident(dest).object, ident(n).object);
}

const struct test tests_chanblk[] = {
	{ "chan: recv blocks (BlockedRecv) until a send wakes it", recv_blocks_until_send },
	{ "chan: full queue blocks the sender (BlockedSend); recv wakes it",
	  full_queue_blocks_sender },
	{ "chan: call / reply-recv / reply, badges, CALL flag", call_and_reply },
	{ "chan: reply with no call owed; reply-recv just receives", reply_without_call },
	{ "chan: a cap in a reply needs GRANT_REPLY", reply_cap_needs_grant_reply },
	{ "chan: a queued call waits in BlockedReply until replied",
	  call_from_child_blocks_in_reply },
	{ "chan: deleting a channel wakes receivers and senders (OBJECT_DESTROYED)",
	  delete_channel_wakes_waiters },
	{ "chan: deleting a channel wakes a caller whose call is queued",
	  delete_channel_wakes_caller },
	{ "chan: deleting a task takes it off send and receive queues",
	  delete_task_leaves_queues },
	{ "chan: deleting the server wakes its caller", delete_server_wakes_caller },
	{ 0, 0 },
};
