/*
 * tap.h - minimal TAP output for the user-space host tests.
 */
#ifndef USER_TEST_TAP_H
#define USER_TEST_TAP_H

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static int tap_count, tap_failed;

__attribute__((format(printf, 2, 3))) static int tap_ok(int cond, const char *fmt, ...)
{
	va_list ap;

	printf("%sok %d - ", cond ? "" : "not ", ++tap_count);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	if (!cond)
		tap_failed++;
	return cond;
}

/* Equal strings, showing both on failure. */
__attribute__((unused)) static int tap_streq(const char *got, const char *want, const char *what)
{
	int same = got && want && strcmp(got, want) == 0;

	if (!tap_ok(same, "%s", what))
		printf("#   got:  \"%s\"\n#   want: \"%s\"\n", got ? got : "(null)", want);
	return same;
}

/* Haystack contains needle. */
__attribute__((unused)) static int tap_contains(const char *hay, const char *needle, const char *what)
{
	int has = strstr(hay, needle) != NULL;

	if (!tap_ok(has, "%s", what))
		printf("#   output: \"%s\"\n#   lacks:  \"%s\"\n", hay, needle);
	return has;
}

static int tap_done(void)
{
	printf("1..%d\n", tap_count);
	if (tap_failed)
		printf("# %d of %d failed\n", tap_failed, tap_count);
	return tap_failed ? 1 : 0;
}

#endif
