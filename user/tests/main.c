/*
 * main.c - the in-guest test suite, run as the root task when Kconfig
 * selects ROOT_TASK_TESTS. Prints one TAP line per test, then
 * "N passed, N failed", and ends the machine with status 0 when all
 * passed, 1 otherwise (QEMU exits with it).
 *
 * CONFIG_TESTS_REPEAT runs the whole suite that many times (0: forever)
 * in one boot, for a monitor to watch; TAP numbers run on across rounds
 * and the summary counts them all.
 */
#include <generated/autoconf.h>
#include "bootinfo.h"
#include "child.h"
#include "console.h"
#include "harness.h"
#include "start.h"
#include "uthread.h"

void run_tests(const struct test *tests);
int tests_summary(void);
void tests_round_summary(unsigned round);

/* Without the option (another boot mode's .config): one round. */
#ifndef CONFIG_TESTS_REPEAT
#define CONFIG_TESTS_REPEAT 1
#endif

static const struct test *const groups[] = {
	tests_sys,  tests_cap,   tests_retype,  tests_cpool, tests_task,  tests_sched,
	tests_chan, tests_chanblk, tests_ntfn, tests_mem,   tests_fault, tests_xas,
	tests_ioport, tests_stats, tests_isolation, tests_exhaust, tests_fuzz,
};

/*
 * Objects that outlive a test (the settle task, page tables, peers)
 * come from test_ut; those of one test from slot 2 (new_obj). Keeping
 * slot 2 out of test_ut means it has no child left after each test, so
 * the kernel resets it to empty and round after round of a repeated run
 * reuses the same memory instead of running its watermark out.
 */
static void keep_main_untyped_per_test(void)
{
	if (test_ut.count < 2 || test_ut.untyped[0] != CAIRN_SLOT_UNTYPED)
		return; /* no other untyped: share it */
	test_ut.count--;
	for (unsigned i = 0; i < test_ut.count; i++)
		test_ut.untyped[i] = test_ut.untyped[i + 1];
}

int main(void *arg)
{
	const struct cairn_bootinfo *bi = arg;
	const char *problem;

	problem = bootinfo_adopt(bi);
	if (problem) {
		printf("Bail out! boot info: %s\n", problem);
		return 1;
	}
	boot_info = bi;
	slot_alloc_init_bootinfo(&test_slots, bi);
	ut_alloc_init_bootinfo(&test_ut, &test_slots, bi);
	keep_main_untyped_per_test();
	for (uint32_t i = 0; i < bi->slot_count; i++)
		if (bi->slots[i].type == CAIRN_OBJ_IRQ_CONTROL)
			irq_control_slot = bi->slots[i].slot;
	printf("# Cairn in-guest tests (kernel %.*s)\n", (int)sizeof(bi->kernel_version),
	       bi->kernel_version);
	if (cairn_task_set_priority(CAIRN_SLOT_ROOT_TASK, ROOT_PRIO) || !settle_init()) {
		printf("Bail out! cannot set up the test environment\n");
		return 1;
	}
	for (unsigned round = 1; CONFIG_TESTS_REPEAT == 0 || round <= CONFIG_TESTS_REPEAT;
	     round++) {
		for (unsigned g = 0; g < sizeof(groups) / sizeof(groups[0]); g++)
			run_tests(groups[g]);
		if (CONFIG_TESTS_REPEAT != 1)
			tests_round_summary(round);
	}
	return tests_summary();
}
