/*
 * harness.c - running tests, TAP output, per-test cleanup and the
 * helpers every test file uses (see harness.h).
 */
#include <stdarg.h>
#include "console.h"
#include "format.h"
#include "harness.h"
#include "syscall_arch.h"
#include "ustring.h"
#include "vmap.h"

#define MAX_CLEANUPS 256

const struct cairn_bootinfo *boot_info;
struct slot_alloc test_slots;
struct ut_alloc test_ut;
uint64_t irq_control_slot = CAIRN_NO_SLOT;

static struct {
	void (*fn)(void *);
	void *arg;
} cleanups[MAX_CLEANUPS];
static unsigned cleanup_count;

static bool failed;
static char fail_msg[200];

void test_fail(const char *file, int line, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (failed)
		return;
	failed = true;
	n = fmt_snprintf(fail_msg, sizeof(fail_msg), "%s:%d: ", file, line);
	va_start(ap, fmt);
	fmt_vsnprintf(fail_msg + n, sizeof(fail_msg) - (size_t)n, fmt, ap);
	va_end(ap);
}

void on_cleanup(void (*fn)(void *), void *arg)
{
	if (cleanup_count == MAX_CLEANUPS) {
		test_fail(__FILE__, __LINE__, "too many resources in one test");
		return;
	}
	cleanups[cleanup_count].fn = fn;
	cleanups[cleanup_count].arg = arg;
	cleanup_count++;
}

static void release_slot(void *arg)
{
	uint64_t slot = (uintptr_t)arg;

	(void)cairn_cap_revoke(slot);
	(void)cairn_cap_delete(slot);
	slot_alloc_set(&test_slots, slot, false);
}

uint64_t new_slot(void)
{
	uint64_t slot;

	if (!slot_alloc_get(&test_slots, &slot)) {
		test_fail(__FILE__, __LINE__, "root CPool full");
		return CAIRN_NO_SLOT;
	}
	on_cleanup(release_slot, (void *)(uintptr_t)slot);
	return slot;
}

uint64_t new_slots(unsigned n)
{
	for (uint64_t first = 0; first + n <= test_slots.count; first++) {
		unsigned k = 0;

		while (k < n && !slot_alloc_is_used(&test_slots, first + k))
			k++;
		if (k < n)
			continue;
		for (k = 0; k < n; k++) {
			slot_alloc_set(&test_slots, first + k, true);
			on_cleanup(release_slot, (void *)(uintptr_t)(first + k));
		}
		return first;
	}
	test_fail(__FILE__, __LINE__, "no %u consecutive free slots", n);
	return CAIRN_NO_SLOT;
}

uint64_t new_obj(unsigned type, unsigned size_bits)
{
	uint64_t slot = new_slot();
	int err;

	if (slot == CAIRN_NO_SLOT)
		return slot;
	err = cairn_untyped_retype(CAIRN_SLOT_UNTYPED, type, size_bits, CAIRN_SLOT_ROOT_CPOOL,
				   slot, 1);
	if (err) {
		test_fail(__FILE__, __LINE__, "retype %s: %s", cairn_obj_type_name((int)type),
			  cairn_error_name(err));
		return CAIRN_NO_SLOT;
	}
	return slot;
}

struct cairn_cap_info ident(uint64_t slot)
{
	struct cairn_cap_info info;

	if (cairn_cap_identify(slot, &info))
		memset(&info, 0, sizeof(info));
	return info;
}

int raw_syscall(uint64_t nr, uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3, uint64_t a4,
		uint64_t a5, uint64_t *r)
{
	const uint64_t a[6] = { a0, a1, a2, a3, a4, a5 };
	uint64_t scratch[6];

	return (int)arch_syscall(nr, a, r ? r : scratch);
}

/* ---- running --------------------------------------------------------- */

static unsigned passed, failures, number;
const char *test_current;

/* "stats-96": the test's topic (its name up to the ':') and its TAP
 * number, short enough for a debug name (CAIRN_NAME_LEN). */
static const char *short_name(const char *name, unsigned n)
{
	static char buf[CAIRN_NAME_LEN];
	int topic = 0;

	while (name[topic] && name[topic] != ':' && topic < 9)
		topic++;
	fmt_snprintf(buf, sizeof(buf), "%.*s-%u", topic, name, n);
	return buf;
}

static void run_cleanups(void)
{
	while (cleanup_count) {
		cleanup_count--;
		cleanups[cleanup_count].fn(cleanups[cleanup_count].arg);
	}
}

void run_tests(const struct test *tests)
{
	for (const struct test *t = tests; t->name; t++) {
		failed = false;
		fail_msg[0] = '\0';
		test_current = short_name(t->name, number + 1);
		t->fn();
		run_cleanups();
		test_current = NULL;
		number++;
		if (failed) {
			failures++;
			printf("not ok %u - %s # %s\n", number, t->name, fail_msg);
		} else {
			passed++;
			printf("ok %u - %s\n", number, t->name);
		}
	}
}

/*
 * After each round of a repeated run: the counts so far, as a TAP
 * comment, and what the suite holds, which must not grow from round to
 * round (every test cleans up after itself).
 */
void tests_round_summary(unsigned round)
{
	uint64_t free = ident(CAIRN_SLOT_UNTYPED).summary[1];
	for (unsigned i = 0; i < test_ut.count; i++)
		if (test_ut.untyped[i] != CAIRN_SLOT_UNTYPED)
			free += ident(test_ut.untyped[i]).summary[1];
	printf("# round %u: %u passed, %u failed; %u free slots, %lu KiB untyped free\n",
	       round, passed, failures, slot_alloc_free_count(&test_slots), free / 1024);
}

int tests_summary(void)
{
	printf("1..%u\n", number);
	printf("%u passed, %u failed\n", passed, failures);
	return failures ? 1 : 0;
}

int map_rw(uint64_t page, uint64_t vaddr)
{
	return vmap_page(&test_ut, page, CAIRN_SLOT_VSPACE, vaddr, CAIRN_MAP_READ | CAIRN_MAP_WRITE);
}
