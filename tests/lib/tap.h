/*
 * tap.h - the one TAP producer of the C tests (tests/host, tests/host/user,
 * tests/lib-kread, tests/monitor, tests/ide). Include it by its path
 * relative to the test ("../lib/tap.h"), so no build needs a flag for it.
 *
 * Output: "ok N - what" or "not ok N - what", one line a check, flushed
 * at once (several tests fork or run under a timeout); diagnostics follow
 * their line as "#   ..."; tap_done() ends with the plan "1..N" and
 * "# P passed, F failed" and returns the exit status, 1 on any failure.
 * scripts/check.py reads the ok lines, and so do the scripts that run
 * some of these programs (tests/lib-kread/test_kread.py, test_target.sh),
 * which need the numbers.
 *
 * Two styles, mixed freely:
 *  - a line a check: tap_ok(cond, fmt, ...), tap_streq(), tap_contains();
 *  - a line a test function: TAP_RUN(fn) runs fn(), whose CHECK()s print
 *    diagnostics and mark it failed, then reports it by fn's name
 *    (tap_result() reports such a test by hand).
 */
#ifndef CAIRN_TESTS_TAP_H
#define CAIRN_TESTS_TAP_H

#include <inttypes.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

static int tap_count __attribute__((unused));  /* lines so far */
static int tap_failed __attribute__((unused)); /* of which "not ok" */
/* The running TAP_RUN test has failed a CHECK. */
static bool tap_current_failed __attribute__((unused));

/* A diagnostic line: "#   " and the text. */
__attribute__((format(printf, 1, 2))) static inline void tap_diag(const char *fmt, ...)
{
	va_list ap;

	printf("#   ");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	fflush(stdout);
}

static inline void tap_vline(bool ok, const char *fmt, va_list ap)
{
	printf("%sok %d - ", ok ? "" : "not ", ++tap_count);
	vprintf(fmt, ap);
	printf("\n");
	fflush(stdout);
	if (!ok)
		tap_failed++;
}

/* One check, one line; returns cond (so a caller can add diagnostics). */
__attribute__((format(printf, 2, 3))) static inline int tap_ok(int cond, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	tap_vline(cond, fmt, ap);
	va_end(ap);
	return cond;
}

/* Equal strings, showing both on failure. */
static inline int tap_streq(const char *got, const char *want, const char *what)
{
	int same = got && want && strcmp(got, want) == 0;

	if (!tap_ok(same, "%s", what)) {
		tap_diag("got:  \"%s\"", got ? got : "(null)");
		tap_diag("want: \"%s\"", want);
	}
	return same;
}

/* hay contains needle, showing both on failure. */
static inline int tap_contains(const char *hay, const char *needle, const char *what)
{
	int has = strstr(hay, needle) != NULL;

	if (!tap_ok(has, "%s", what)) {
		tap_diag("output: \"%s\"", hay);
		tap_diag("lacks:  \"%s\"", needle);
	}
	return has;
}

/* ---- a line a test function ---- */

/* A CHECK failed at file:line: say so, and fail the current test. */
static inline void tap_diag_fail(const char *file, int line, const char *what)
{
	tap_diag("%s:%d: %s", file, line, what);
	tap_current_failed = true;
}

#define CHECK(cond)                                                           \
	do {                                                                  \
		if (!(cond))                                                  \
			tap_diag_fail(__FILE__, __LINE__, #cond);             \
	} while (0)

#define CHECK_EQ(a, b)                                                        \
	do {                                                                  \
		uint64_t a_ = (uint64_t)(a), b_ = (uint64_t)(b);              \
		if (a_ != b_) {                                               \
			tap_diag("%s:%d: %s == %s: got %#" PRIx64             \
				 ", want %#" PRIx64,                          \
				 __FILE__, __LINE__, #a, #b, a_, b_);         \
			tap_current_failed = true;                            \
		}                                                             \
	} while (0)

/* Report the current test (its CHECKs decided) and start the next. */
static inline void tap_result(const char *name)
{
	tap_ok(!tap_current_failed, "%s", name);
	tap_current_failed = false;
}

#define TAP_RUN(fn)                                                           \
	do {                                                                  \
		tap_current_failed = false;                                   \
		fn();                                                         \
		tap_result(#fn);                                              \
	} while (0)

/* The plan and the tally; the exit status: 1 if anything failed. */
static inline int tap_done(void)
{
	printf("1..%d\n", tap_count);
	printf("# %d passed, %d failed\n", tap_count - tap_failed, tap_failed);
	fflush(stdout);
	return tap_failed ? 1 : 0;
}

#endif
