/*
 * tap.h - a tiny TAP producer for the host tests. Each test function is
 * one TAP line; CHECK* inside it print "# reason" diagnostics and mark
 * it failed. tap_done() prints the plan and returns the exit status.
 */
#ifndef CAIRN_TAP_H
#define CAIRN_TAP_H

#include <inttypes.h>
#include <stdio.h>

#include <cairn/errors.h>

static int tap_count, tap_failures, tap_current_failed;

static inline void tap_diag_fail(const char *file, int line, const char *what)
{
	printf("#   %s:%d: %s\n", file, line, what);
	tap_current_failed = 1;
}

#define CHECK(cond)                                                     \
	do {                                                            \
		if (!(cond))                                            \
			tap_diag_fail(__FILE__, __LINE__, #cond);       \
	} while (0)

#define CHECK_EQ(a, b)                                                          \
	do {                                                                    \
		uint64_t a_ = (uint64_t)(a), b_ = (uint64_t)(b);                \
		if (a_ != b_) {                                                 \
			printf("#   %s:%d: %s == %s: got %#" PRIx64 ", want %#" PRIx64 "\n", \
			       __FILE__, __LINE__, #a, #b, a_, b_);             \
			tap_current_failed = 1;                                 \
		}                                                               \
	} while (0)

/* An expression returning a cairn error must give exactly `want`. */
#define CHECK_ERR(expr, want)                                                   \
	do {                                                                    \
		int got_ = (expr), want_ = (want);                              \
		if (got_ != want_) {                                            \
			printf("#   %s:%d: %s: got %s, want %s\n", __FILE__, __LINE__, \
			       #expr, cairn_error_name(got_), cairn_error_name(want_)); \
			tap_current_failed = 1;                                 \
		}                                                               \
	} while (0)

#define CHECK_OK(expr) CHECK_ERR(expr, CAIRN_ERR_OK)

static inline void tap_result(const char *name)
{
	tap_count++;
	if (tap_current_failed)
		tap_failures++;
	printf("%sok %d - %s\n", tap_current_failed ? "not " : "", tap_count, name);
	fflush(stdout);
	tap_current_failed = 0;
}

#define TAP_RUN(fn)                  \
	do {                         \
		tap_current_failed = 0; \
		fn();                \
		tap_result(#fn);     \
	} while (0)

static inline int tap_done(void)
{
	printf("1..%d\n", tap_count);
	printf("# %d passed, %d failed\n", tap_count - tap_failures, tap_failures);
	return tap_failures ? 1 : 0;
}

#endif
