/*
 * t_stats.c - the kernel's accounting that host tools (kdbg-top) show,
 * as TASK_READ_STATE (run_ticks, ipc_sent) and CAP_IDENTIFY (a
 * channel's sent) report it: ticks are charged to the task they find
 * running; send, call and reply count for the sender, and sends and
 * calls for the channel, once the message is delivered or queued.
 */
#include <generated/autoconf.h>

#include "child.h"
#include "harness.h"

#define TICK_WAIT UINT64_C(20000000000) /* counter budget for a few ticks */

static struct cairn_task_info self_info(void)
{
	struct cairn_task_info t = { 0 };
	int err = cairn_task_read_state(CAIRN_SLOT_ROOT_TASK, &t);
	if (err)
		test_fail(__FILE__, __LINE__, "reading our own state: %s", cairn_error_name(err));
	return t;
}

static void new_objects_start_at_zero(void)
{
	uint64_t task = new_obj(CAIRN_OBJ_TASK, 0), ch = new_obj(CAIRN_OBJ_CHANNEL, 0);
	struct cairn_task_info t;

	CHECK_OK(cairn_task_read_state(task, &t));
	CHECK_EQ(t.run_ticks, 0);
	CHECK_EQ(t.ipc_sent, 0);
	CHECK_EQ(ident(ch).sent, 0);
}

/* arg0 = channel: one blocking receive. */
static void receive_once(struct child *c)
{
	struct cairn_msg m;
	c->out[0] = cairn_chan_recv(c->arg[0], CAIRN_NO_SLOT, &m);
}

static void run_ticks_while_running_only(void)
{
	static struct child c;
	uint64_t ch = new_obj(CAIRN_OBJ_CHANNEL, 0);
	struct cairn_task_info blocked0, blocked1;

	c.arg[0] = ch;
	CHECK_OK(child_start(&c, receive_once, 100));
	settle();
	CHECK_OK(cairn_task_read_state(c.task, &blocked0));
	CHECK_EQ(blocked0.state, CAIRN_TASK_BLOCKED_RECV);
	/* We spin (running) across some ticks: they are ours. */
	uint64_t first = self_info().run_ticks, start = rdtsc(), now = first;
	while (now < first + 3 && rdtsc() - start < TICK_WAIT)
		now = self_info().run_ticks;
	CHECK(now >= first + 3);
	/* ... and none of them the blocked child's. */
	CHECK_OK(cairn_task_read_state(c.task, &blocked1));
	CHECK_EQ(blocked1.run_ticks, blocked0.run_ticks);
	struct cairn_msg m = msg4(0, 0, 0, 0, 0);
	CHECK_OK(cairn_chan_send(ch, &m));
	settle();
	CHECK(c.finished);
}

/* Three messages wait in a channel named "held" for a quarter of a
 * second, long enough for kdbg-top to show them queued while the suite
 * runs (tests/monitor/test_live.py). The wait spins in user mode and
 * reads the tick count only now and then, so the kernel is entered
 * rarely and a live reader's snapshots are seldom torn. */
static void queued_messages_wait(void)
{
	uint64_t ch = new_obj(CAIRN_OBJ_CHANNEL, 0), want = CONFIG_TIMER_HZ / 4;
	struct cairn_msg r;

	CHECK_OK(cairn_set_name(ch, "held"));
	for (uint64_t i = 0; i < 3; i++) {
		struct cairn_msg m = msg4(2, 0x4e1d0 + i, i, 0, 0);
		CHECK_OK(cairn_chan_try_send(ch, &m));
	}
	uint64_t first = self_info().run_ticks, now = first, start = rdtsc();
	while (now < first + want && rdtsc() - start < TICK_WAIT) {
		for (uint64_t t = rdtsc(); rdtsc() - t < (1u << 16);)
			;
		now = self_info().run_ticks;
	}
	CHECK(now >= first + want);
	CHECK_EQ(ident(ch).summary[0], 3);
	for (uint64_t i = 0; i < 3; i++) {
		CHECK_OK(cairn_chan_try_recv(ch, CAIRN_NO_SLOT, &r));
		CHECK_EQ(r.words[0], 0x4e1d0 + i);
	}
}

static void sends_counted_when_queued(void)
{
	uint64_t ch = new_obj(CAIRN_OBJ_CHANNEL, 0), b = new_slot();
	uint64_t depth = ident(ch).summary[1];
	uint64_t sent0 = self_info().ipc_sent;
	struct cairn_msg m = msg4(1, 7, 0, 0, 0);

	CHECK_OK(cairn_cap_mint(b, ch, CAIRN_RIGHT_WRITE | CAIRN_RIGHT_READ, 0x77));
	for (uint64_t i = 0; i < depth; i++)
		CHECK_OK(cairn_chan_try_send(b, &m));
	CHECK_ERR(cairn_chan_try_send(b, &m), CAIRN_ERR_WOULD_BLOCK); /* not sent */
	CHECK_EQ(self_info().ipc_sent, sent0 + depth);
	CHECK_EQ(ident(ch).sent, depth);
	CHECK_EQ(ident(b).sent, depth); /* every cap to the channel says the same */
	for (uint64_t i = 0; i < depth; i++)
		CHECK_OK(cairn_chan_recv(ch, CAIRN_NO_SLOT, &m)); /* receiving counts nothing */
	CHECK_EQ(self_info().ipc_sent, sent0 + depth);
	CHECK_EQ(ident(ch).sent, depth);
}

/* arg0 = channel, arg1 = calls to serve: reply-recv, then a last reply. */
static void serve(struct child *c)
{
	struct cairn_msg in, out = msg4(1, 0, 0, 0, 0);
	int err = cairn_chan_recv(c->arg[0], CAIRN_NO_SLOT, &in);
	for (uint64_t n = 1; !err && n < c->arg[1]; n++)
		err = cairn_chan_reply_recv(c->arg[0], &out, CAIRN_NO_SLOT, &in);
	c->out[0] = err ? (uint64_t)err : (uint64_t)cairn_chan_reply(&out);
}

static void calls_and_replies_counted(void)
{
	static struct child c;
	uint64_t ch = new_obj(CAIRN_OBJ_CHANNEL, 0);
	uint64_t sent0 = self_info().ipc_sent;
	struct cairn_msg m = msg4(1, 1, 0, 0, 0), r;
	struct cairn_task_info server;

	c.arg[0] = ch;
	c.arg[1] = 3;
	CHECK_OK(child_start(&c, serve, 100));
	settle();
	for (int i = 0; i < 3; i++)
		CHECK_OK(cairn_chan_call(ch, &m, CAIRN_NO_SLOT, &r));
	settle();
	CHECK(c.finished);
	CHECK_EQ(c.out[0], 0);
	CHECK_EQ(self_info().ipc_sent, sent0 + 3); /* three calls */
	CHECK_EQ(ident(ch).sent, 3);               /* replies are not the channel's */
	CHECK_OK(cairn_task_read_state(c.task, &server));
	CHECK_EQ(server.ipc_sent, 3);              /* two reply-recvs and a reply */
}

const struct test tests_stats[] = {
	{ "stats: a new task and channel have counted nothing", new_objects_start_at_zero },
	{ "stats: run_ticks grows while a task runs, not while it waits",
	  run_ticks_while_running_only },
	{ "stats: sends count for the sender and the channel when queued",
	  sends_counted_when_queued },
	{ "stats: calls count for caller and channel, replies for the server",
	  calls_and_replies_counted },
	{ "stats: queued messages wait, in order, while nobody receives",
	  queued_messages_wait },
	{ NULL, NULL },
};
