/*
 * selftest.c - the kernel's built-in tests, run instead of user space
 * when CONFIG_KERNEL_SELFTEST is set. Each test is a function returning
 * NULL on success or a reason on failure.
 */
#include "kernel.h"
#include "arch.h"
#include "frame.h"
#include "log.h"
#include "selftest.h"
#include "timer.h"

static volatile int expected_vector = -1;
static volatile bool exception_seen;

bool selftest_exception_expected(uint64_t vector)
{
	if (expected_vector < 0 || (uint64_t)expected_vector != vector)
		return false;
	expected_vector = -1;
	exception_seen = true;
	return true;
}

static const char *test_printf(void)
{
	char buf[64];
	ksnprintf(buf, sizeof(buf), "%d|%5u|%-4x|%08lx|%s|%c|%%", -42, 7u,
		  0xabu, 0x1234ul, "ok", 'z');
	if (strcmp(buf, "-42|    7|ab  |00001234|ok|z|%"))
		return "ksnprintf formatted wrongly";
	if (ksnprintf(buf, 4, "%s", "truncated") != 9 || strcmp(buf, "tru"))
		return "ksnprintf truncation wrong";
	return NULL;
}

static const char *test_log_ring(void)
{
	char tail[16];
	kprintf("# log-marker-XYZ\n");
	size_t n = log_tail(tail, 15);
	tail[n] = '\0';
	if (n != 15 || strcmp(tail, "log-marker-XYZ\n"))
		return "log ring does not hold what was printed";
	return NULL;
}

static const char *test_frame_alloc(void)
{
	uint64_t before = frame_free_bytes(&kernel_frames);
	paddr_t a = frame_alloc(&kernel_frames, 12);
	paddr_t b = frame_alloc(&kernel_frames, 21);
	if (!a || !b || (a & 0xFFF) || (b & 0x1FFFFF) || a == b)
		return "frame_alloc returned a bad frame";
	if (frame_free_bytes(&kernel_frames) != before - 4096 - (2u << 20))
		return "free byte count wrong after alloc";
	frame_free(&kernel_frames, a, 4096);
	frame_free(&kernel_frames, b, 2u << 20);
	if (frame_free_bytes(&kernel_frames) != before)
		return "free byte count wrong after free";
	return NULL;
}

static const char *test_timer_ticks(void)
{
	uint64_t start = timer_ticks;
	for (int i = 0; i < 1000 && timer_ticks < start + 3; i++)
		arch_wait_for_interrupt();
	if (timer_ticks < start + 3)
		return "the timer did not tick";
	return NULL;
}

static const char *test_exception_dump(void)
{
	exception_seen = false;
	expected_vector = ARCH_TEST_EXCEPTION_VECTOR; /* the handler resumes us */
	arch_trigger_test_exception();
	if (!exception_seen)
		return "the deliberate exception was not caught";
	return NULL;
}

static const struct {
	const char *name;
	const char *(*fn)(void);
} tests[] = {
	{ "printf formats and truncates", test_printf },
	{ "log ring keeps output", test_log_ring },
	{ "frame allocator alloc/free", test_frame_alloc },
	{ "timer interrupts tick", test_timer_ticks },
	{ "exception prints a register dump and is caught", test_exception_dump },
	{ "capability core in the kernel: retype/copy/mint/revoke, checker",
	  selftest_capability_core },
};

void selftest_run_all(void)
{
	unsigned passed = 0, failed = 0;

	kprintf("TAP version 13\n1..%u\n", (unsigned)ARRAY_SIZE(tests));
	for (unsigned i = 0; i < ARRAY_SIZE(tests); i++) {
		const char *why = tests[i].fn();
		if (why) {
			kprintf("# %s\nnot ok %u - %s\n", why, i + 1, tests[i].name);
			failed++;
		} else {
			kprintf("ok %u - %s\n", i + 1, tests[i].name);
			passed++;
		}
	}
	kprintf("%u passed, %u failed\n", passed, failed);
	arch_shutdown(failed ? 1 : 0);
}
