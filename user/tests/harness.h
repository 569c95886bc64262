/*
 * harness.h - the in-guest test suite's framework.
 *
 * A test is a function; the CHECK macros record the first failure with
 * its place and return from the test. The harness prints one TAP line
 * per test ("ok N - name" / "not ok N - name # where: why"), then
 * "N passed, N failed", and ends the machine with status 0 or 1.
 *
 * Resources a test makes through new_slot()/new_obj()/child_*() are
 * released after it, whether it passed or not, so a failing test does
 * not disturb the next ones.
 */
#ifndef TESTS_HARNESS_H
#define TESTS_HARNESS_H

#include <stdbool.h>
#include <stdint.h>
#include <cairn/bootinfo.h>
#include "syscall.h"
#include "syscall_arch.h"
#include "utalloc.h"

struct test {
	const char *name;
	void (*fn)(void);
};

/* Test groups, one per file (NULL-name terminated). */
extern const struct test tests_sys[], tests_cap[], tests_retype[], tests_cpool[],
	tests_task[], tests_sched[], tests_chan[], tests_chanblk[], tests_ntfn[],
	tests_fault[], tests_mem[], tests_xas[], tests_ioport[], tests_fuzz[], tests_stats[],
	tests_exhaust[], tests_isolation[];

/* Record a failure of the running test (first one wins). */
void test_fail(const char *file, int line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

#define CHECK(cond)                                                       \
	do {                                                              \
		if (!(cond)) {                                            \
			test_fail(__FILE__, __LINE__, "%s", #cond);       \
			return;                                           \
		}                                                         \
	} while (0)

#define CHECK_ERR(expr, want)                                             \
	do {                                                              \
		int e_ = (expr), w_ = (want);                             \
		if (e_ != w_) {                                           \
			test_fail(__FILE__, __LINE__, "%s = %s, want %s", \
				  #expr, cairn_error_name(e_),            \
				  cairn_error_name(w_));                  \
			return;                                           \
		}                                                         \
	} while (0)

#define CHECK_OK(expr) CHECK_ERR(expr, CAIRN_ERR_OK)

#define CHECK_EQ(a, b)                                                    \
	do {                                                              \
		uint64_t a_ = (uint64_t)(a), b_ = (uint64_t)(b);          \
		if (a_ != b_) {                                           \
			test_fail(__FILE__, __LINE__, "%s = 0x%llx, want 0x%llx", \
				  #a, (unsigned long long)a_,             \
				  (unsigned long long)b_);                \
			return;                                           \
		}                                                         \
	} while (0)

/* ---- the environment ------------------------------------------------- */

/* Priority the suite's main task runs at; children use lower ones. */
#define ROOT_PRIO 200

extern const struct cairn_bootinfo *boot_info;
/* The running test's short name, "topic-N" with N its TAP number (NULL
 * between tests): its child tasks carry it, so that kdbg-top shows which
 * test a task belongs to. */
extern const char *test_current;
extern struct slot_alloc test_slots;
extern struct ut_alloc test_ut;
extern uint64_t irq_control_slot; /* CAIRN_NO_SLOT if none */

/* A free root-pool slot, deleted and freed after the test. */
uint64_t new_slot(void);
/* n consecutive free slots (the first returned), freed after the test. */
uint64_t new_slots(unsigned n);
/* new_slot() holding a new object made from slot 2 (fails the test
 * through *err when retype fails; returns the slot). */
uint64_t new_obj(unsigned type, unsigned size_bits);
/* The cap in slot, or an info with type NULL when identify fails. */
struct cairn_cap_info ident(uint64_t slot);

/* A system call with raw argument words; results in r (may be NULL). */
int raw_syscall(uint64_t nr, uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3,
		uint64_t a4, uint64_t a5, uint64_t *r);

/* Map a Page read-write into our VSpace, making page tables as needed. */
int map_rw(uint64_t page, uint64_t vaddr);

/* Run fn at cleanup of the current test (reverse order of registration). */
void on_cleanup(void (*fn)(void *), void *arg);

/* Messages. */
static inline struct cairn_msg msg4(uint64_t len, uint64_t w0, uint64_t w1, uint64_t w2,
				    uint64_t w3)
{
	struct cairn_msg m = { .info = CAIRN_MSGINFO(len, 0), .words = { w0, w1, w2, w3 },
			       .cap = CAIRN_NO_SLOT };
	return m;
}

/* The cycle counter (syscall_arch.h): instructions under -icount. */
static inline uint64_t rdtsc(void)
{
	return arch_cycles();
}

#endif
