/*
 * sched.c - notification signal-to-wake latency (the waiter has the
 * higher priority) and the context switch of a yield between two tasks of
 * one priority, each between two threads while main waits.
 */
#include <cairn/bootinfo.h>
#include "bench.h"
#include "console.h"

static struct uthread_stack stack_a, stack_b;
static uint64_t ntfn, done;
static volatile uint64_t t_before;
static volatile unsigned taken;
static uint64_t samples[BENCH_SAMPLES];

/* Waiter (higher priority): each signal wakes it at once. */
static void waiter(uint64_t arg)
{
	(void)arg;
	for (unsigned i = 0; i < BENCH_WARMUP + BENCH_SAMPLES; i++) {
		raw_sys(CAIRN_SYS_NTFN_WAIT, ntfn, 0, 0, 0, 0, 0);
		uint64_t t = bench_tsc();
		if (i >= BENCH_WARMUP)
			samples[i - BENCH_WARMUP] = t - t_before;
	}
	cairn_ntfn_signal(done);
}

static void signaller(uint64_t arg)
{
	(void)arg;
	for (;;) {
		t_before = bench_tsc();
		raw_sys(CAIRN_SYS_NTFN_SIGNAL, ntfn, 0, 0, 0, 0, 0);
	}
}

/* Two of these at one priority take turns; each sample is one switch:
 * from the other's timestamp before its yield to ours after ours. */
static void yielder(uint64_t arg)
{
	(void)arg;
	for (;;) {
		t_before = bench_tsc();
		raw_sys(CAIRN_SYS_YIELD, 0, 0, 0, 0, 0, 0);
		uint64_t t = bench_tsc();
		unsigned k = taken++;
		if (k >= BENCH_WARMUP && k < BENCH_WARMUP + BENCH_SAMPLES)
			samples[k - BENCH_WARMUP] = t - t_before;
		if (k == BENCH_WARMUP + BENCH_SAMPLES)
			cairn_ntfn_signal(done);
	}
}

static int pair(struct bench_env *env, bench_entry a, unsigned prio_a, bench_entry b,
		unsigned prio_b, struct bench_thread th[2])
{
	int err = bench_thread_start(env, &th[0], &stack_a, CAIRN_SLOT_VSPACE, prio_a, a, 0,
				     "bench-a");
	if (!err)
		err = bench_thread_start(env, &th[1], &stack_b, CAIRN_SLOT_VSPACE, prio_b, b,
					 0, "bench-b");
	if (!err) { /* main (priority 255) waits until they are done */
		uint64_t bits;
		err = cairn_ntfn_wait(done, &bits);
	}
	cairn_task_suspend(th[0].task);
	cairn_task_suspend(th[1].task);
	return err;
}

void bench_sched(struct bench_env *env)
{
	struct bench_thread th[2];
	int err = bench_new_object(env, CAIRN_OBJ_NOTIFICATION, 0, &ntfn);
	if (!err)
		err = bench_new_object(env, CAIRN_OBJ_NOTIFICATION, 0, &done);
	if (!err)
		err = pair(env, waiter, 200, signaller, 100, th);
	if (err) {
		printf("bench: notification: %s\n", cairn_strerror(err));
		return;
	}
	/* sel4bench's "signal to a waiting higher-priority task": the waiter
	 * (200) outranks the signaller (100), so the signal switches to it. */
	bench_report("notification signal to a waiting higher-priority task", samples,
		     BENCH_SAMPLES, bench_tsc_overhead);
	taken = 0;
	if ((err = pair(env, yielder, 100, yielder, 100, th))) {
		printf("bench: yield: %s\n", cairn_strerror(err));
		return;
	}
	bench_report("context switch (yield)", samples, BENCH_SAMPLES, bench_tsc_overhead);
}
