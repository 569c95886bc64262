/*
 * tasks.c - what each demo task does (demo.h). Each waits in a
 * different way, so that a monitor sees every blocking state; the work
 * between waits is spinning on the clock in user mode.
 */
#include "console.h"
#include "demo.h"

static struct cairn_msg msg_of(unsigned len, uint64_t w0, uint64_t w1)
{
	struct cairn_msg m = { .info = CAIRN_MSGINFO(len, 0) };
	m.words[0] = w0;
	m.words[1] = w1;
	return m;
}

/* A server answers calls on "jobs-N": reply-recv in a loop. A request's
 * words: a sequence number and the milliseconds of work it asks for. */
void demo_server(uint64_t index)
{
	struct cairn_msg reply = msg_of(0, 0, 0), req;
	uint64_t served = 0;
	for (;;) {
		int err = cairn_chan_reply_recv(demo.jobs[index], &reply, CAIRN_NO_SLOT, &req);
		if (err) {
			printf("demo: server-%lu: reply-recv failed (%d)\n", index, err);
			reply = msg_of(0, 0, 0);
			continue;
		}
		demo_spin_ms(req.words[1]);
		/* The answer proves the server saw this client's badge. */
		reply = msg_of(2, req.words[0] + 1, req.badge);
		if (++served % 64 == 0) {
			struct cairn_msg note = msg_of(2, index, served);
			cairn_chan_try_send(demo.log, &note); /* the logger may lag: drop */
		}
	}
}

/* A client waits for its turn (its server's tick notification, which
 * wakes one waiting client a signal), then calls with its badged cap. */
void demo_client(uint64_t server_and_index)
{
	unsigned s = (unsigned)(server_and_index >> 8), c = server_and_index & 0xff;
	uint64_t badge = 1 + s * DEMO_CLIENTS_PER_SERVER + c;
	for (uint64_t n = 0;; n++) {
		uint64_t bits;
		cairn_ntfn_wait(demo.client_tick[s], &bits);
		struct cairn_msg req = msg_of(2, n, 1 + (n + c) % 4), reply;
		int err = cairn_chan_call(demo.client_jobs[s][c], &req, CAIRN_NO_SLOT, &reply);
		if (err || reply.words[0] != n + 1 || reply.words[1] != badge)
			printf("demo: client-%u-%u: bad answer (error %d, %lu, badge %lu)\n",
			       s, c, err, reply.words[0], reply.words[1]);
	}
}

/* Producers send to "shared" as fast as it takes messages: most of the
 * time the ring is full and they wait in BlockedSend. */
void demo_producer(uint64_t index)
{
	for (uint64_t n = 0;; n++) {
		struct cairn_msg m = msg_of(2, index, n);
		int err = cairn_chan_send(demo.producer_shared[index], &m);
		if (err)
			printf("demo: producer-%lu: send failed (%d)\n", index, err);
		demo_spin_ms(1);
	}
}

/* The consumer takes one message a "drain" signal; now and then it
 * empties the ring, letting every producer run at once. */
void demo_consumer(uint64_t unused)
{
	(void)unused;
	for (uint64_t n = 1;; n++) {
		uint64_t bits;
		struct cairn_msg m;
		cairn_ntfn_wait(demo.drain, &bits);
		if (n % 40 == 0) {
			while (cairn_chan_try_recv(demo.shared, CAIRN_NO_SLOT, &m) == CAIRN_ERR_OK)
				;
		} else if (cairn_chan_recv(demo.shared, CAIRN_NO_SLOT, &m) == CAIRN_ERR_OK) {
			demo_spin_ms(1);
		}
	}
}

/* The logger receives what servers and waiters report (BlockedRecv). */
void demo_logger(uint64_t unused)
{
	(void)unused;
	for (;;) {
		struct cairn_msg m;
		if (cairn_chan_recv(demo.log, CAIRN_NO_SLOT, &m) == CAIRN_ERR_OK)
			demo_spin_ms(1);
	}
}

/* Waiters queue on the "bell"; each signal wakes the first of them. */
void demo_waiter(uint64_t index)
{
	for (uint64_t n = 0;; n++) {
		uint64_t bits;
		cairn_ntfn_wait(demo.bell, &bits);
		demo_spin_ms(2);
		struct cairn_msg m = msg_of(2, 100 + index, n);
		cairn_chan_try_send(demo.log, &m);
	}
}

/* Sleepers wake on their own slow alarm and crunch for a while at a low
 * priority (each at its own), so that the CPU share shifts. */
void demo_sleeper(uint64_t index)
{
	for (;;) {
		uint64_t bits;
		cairn_ntfn_wait(demo.alarm[index], &bits);
		demo_spin_ms(40 + 20 * index);
	}
}

/* The watchdog prints a line every heartbeat (5 s) with the kernel's
 * accounting of a few tasks, and every 30 s asks the kernel to check
 * its capability invariants (DEBUG_ASSERTS builds). */
void demo_watchdog(uint64_t unused)
{
	(void)unused;
	static const char *const watched_names[] = { "server-0", "client-0-0", "producer-0",
						     "sleeper-3" };
	for (uint64_t beat = 1;; beat++) {
		uint64_t bits;
		cairn_ntfn_wait(demo.heartbeat, &bits);
		printf("demo: %lus:", beat * 5);
		for (unsigned i = 0; i < 4; i++) {
			struct cairn_task_info info;
			if (cairn_task_read_state(demo.watched[i], &info) == CAIRN_ERR_OK)
				printf(" %s %lu ticks %lu sent;", watched_names[i], info.run_ticks,
				       info.ipc_sent);
		}
		struct cairn_cap_info ch;
		if (cairn_cap_identify(demo.shared, &ch) == CAIRN_ERR_OK)
			printf(" shared %lu msgs", ch.sent);
		printf("\n");
		if (beat % 6 == 0) {
			uint64_t violations = 0;
			int err = cairn_debug_checkpoint("demo", &violations);
			printf("demo: checkpoint: error %d, %lu invariant violations\n", err,
			       violations);
		}
	}
}

/* The crasher stores to an unmapped address (the root task passes 0)
 * once: Faulted for good. (An argument, so the compiler cannot see a
 * null store and replace it with a trap instruction.) */
void demo_crasher(uint64_t address)
{
	demo_spin_ms(5);
	*(volatile uint64_t *)(uintptr_t)address = 0xdead;
}

/* The toggler waits on a notification nobody signals; the pacer
 * suspends and resumes it (Inactive <-> BlockedNotification). */
void demo_toggler(uint64_t unused)
{
	(void)unused;
	for (;;) {
		uint64_t bits;
		cairn_ntfn_wait(demo.never, &bits); /* a resume ends it with an error */
	}
}
