/*
 * ipc.c - channel call/reply-recv round trips, measured as sel4bench
 * does: the client takes a timestamp just before its call and the server
 * just after its receive returns (the call); the server just before its
 * reply-recv and the client just after its call returns (the reply).
 * Client and server have the same priority.
 */
#include <cairn/bootinfo.h>
#include "bench.h"
#include "console.h"
#include "format.h"

static struct uthread_stack server_stack;
static uint64_t chan;
static volatile unsigned msg_len;
static volatile uint64_t t_call_end, t_reply_start;
static uint64_t call_samples[BENCH_SAMPLES], reply_samples[BENCH_SAMPLES],
	round_samples[BENCH_SAMPLES];

static void server(uint64_t arg)
{
	(void)arg;
	uint64_t info = CAIRN_MSGINFO(msg_len, 0);
	ipc_sys(CAIRN_SYS_CHAN_RECV, chan, 0, 0, 0, 0, 0);
	for (;;) {
		t_call_end = bench_tsc();
		t_reply_start = bench_tsc();
		ipc_sys(CAIRN_SYS_CHAN_REPLY_RECV, chan, info, 1, 2, 3, 4);
	}
}

static void round_trips(struct bench_env *env, uint64_t vspace, unsigned len,
			const char *where)
{
	struct bench_thread srv;
	char name[64];
	int err;

	msg_len = len;
	if ((err = bench_thread_start(env, &srv, &server_stack, vspace, 255, server, 0,
				      "ipc-server"))) {
		printf("bench: ipc server: %s\n", cairn_strerror(err));
		return;
	}
	uint64_t info = CAIRN_MSGINFO(len, 0);
	for (unsigned i = 0; i < BENCH_WARMUP + BENCH_SAMPLES; i++) {
		uint64_t t0 = bench_tsc();
		err = (int)ipc_sys(CAIRN_SYS_CHAN_CALL, chan, info, 5, 6, 7, 8);
		uint64_t t3 = bench_tsc();
		if (err) {
			printf("bench: call failed: %s\n", cairn_strerror(err));
			break;
		}
		if (i >= BENCH_WARMUP) {
			call_samples[i - BENCH_WARMUP] = t_call_end - t0;
			reply_samples[i - BENCH_WARMUP] = t3 - t_reply_start;
			round_samples[i - BENCH_WARMUP] = t3 - t0;
		}
	}
	cairn_task_suspend(srv.task);
	const char *kinds[3] = { "call", "reply-recv", "round trip" };
	uint64_t *sets[3] = { call_samples, reply_samples, round_samples };
	for (unsigned k = 0; k < 3; k++) {
		fmt_snprintf(name, sizeof(name), "ipc %s %s %u words", kinds[k], where, len);
		/* The round trip spans two timestamps the others split. */
		bench_report(name, sets[k], BENCH_SAMPLES, bench_tsc_overhead);
	}
}

void bench_ipc(struct bench_env *env)
{
	uint64_t clone;
	int err = bench_new_object(env, CAIRN_OBJ_CHANNEL, 0, &chan);
	if (err) {
		printf("bench: no channel: %s\n", cairn_strerror(err));
		return;
	}
	for (unsigned len = 0; len <= 10; len += len < 4 ? 4 : 6)
		round_trips(env, CAIRN_SLOT_VSPACE, len, "same-AS");
	if ((err = bench_clone_vspace(env, &clone))) {
		printf("bench: cannot make a second address space: %s\n", cairn_strerror(err));
		return;
	}
	for (unsigned len = 0; len <= 10; len += len < 4 ? 4 : 6)
		round_trips(env, clone, len, "cross-AS");
}
