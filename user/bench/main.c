/*
 * main.c - the benchmark root task (CONFIG_ROOT_TASK_BENCH). Prints one
 * "bench:" line per figure (median, min, max, samples; timestamp-counter
 * ticks less the cost of reading it) and ends the machine.
 * scripts/bench runs it and formats the table.
 */
#include <cairn/bootinfo.h>
#include "bench.h"
#include "bootinfo.h"
#include "console.h"
#include "start.h"

#define BUFFER_AREA 0x10000000ull /* task buffers of benchmark threads */

static struct slot_alloc slots;
static struct ut_alloc untyped;
static uint64_t samples[BENCH_SAMPLES];

static void measure_tsc_overhead(void)
{
	for (unsigned i = 0; i < BENCH_SAMPLES; i++) {
		uint64_t t0 = bench_tsc();
		uint64_t t1 = bench_tsc();
		samples[i] = t1 - t0;
	}
	bench_report("timestamp read (subtracted)", samples, BENCH_SAMPLES, 0);
	bench_tsc_overhead = samples[BENCH_SAMPLES / 2];
}

static void null_syscall(void)
{
	for (unsigned i = 0; i < BENCH_WARMUP + BENCH_SAMPLES; i++) {
		uint64_t t0 = bench_tsc();
		arch_syscall_lean0(CAIRN_SYS_NULL); /* the minimal stub */
		uint64_t t1 = bench_tsc();
		if (i >= BENCH_WARMUP)
			samples[i - BENCH_WARMUP] = t1 - t0;
	}
	bench_report("null syscall", samples, BENCH_SAMPLES, bench_tsc_overhead);
}

int main(void *arg)
{
	const struct cairn_bootinfo *bi = arg;
	const char *problem = bootinfo_adopt(bi);
	if (problem) {
		printf("bench: %s\n", problem);
		return 1;
	}
	slot_alloc_init_bootinfo(&slots, bi);
	ut_alloc_init_bootinfo(&untyped, &slots, bi);
	struct bench_env env = { .slots = &slots, .ut = &untyped,
				 .next_vaddr = BUFFER_AREA, .bi = bi };

	printf("bench: begin %s\n", bi->kernel_version);
	measure_tsc_overhead();
	null_syscall();
	bench_ipc(&env);
	bench_sched(&env);
	bench_caps(&env);
	bench_vm(&env);
	bench_fault(&env); /* last: the kernel prints a console line per fault */
	printf("bench: end\n");
	return 0;
}
