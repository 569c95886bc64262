/*
 * test_user_printf.c - user/lib's printf engine (format.c) against
 * expected strings, including truncation and odd formats.
 */
#include <stdint.h>
#include <string.h>
#include "format.h"
#include "../../lib/tap.h"

static char buf[256];

/* Formats the compiler would reject as literals. */
static const char *odd_hh = "%hhd %hu";
static const char *odd_unknown = "%y";
static const char *odd_truncated = "tail %";

#define CHECK_FMT(want, ...)                                                  \
	do {                                                              \
		fmt_snprintf(buf, sizeof(buf), __VA_ARGS__);              \
		tap_streq(buf, want, "format " #__VA_ARGS__);             \
	} while (0)

static void collect(void *arg, const char *s, size_t n)
{
	strncat(arg, s, n);
}

int main(void)
{
	char small[6];
	int n;

	CHECK_FMT("42", "%d", 42);
	CHECK_FMT("-42", "%d", -42);
	CHECK_FMT("-9223372036854775808", "%lld", (long long)INT64_MIN);
	CHECK_FMT("18446744073709551615", "%llu", (unsigned long long)UINT64_MAX);
	CHECK_FMT("ffffffff", "%x", 0xffffffffu);
	CHECK_FMT("0XDEAD", "%#X", 0xdeadu);
	CHECK_FMT("0x1f", "%#x", 31u);
	CHECK_FMT("0", "%#x", 0u);
	CHECK_FMT("017", "%#o", 15u);
	CHECK_FMT("   42", "%5d", 42);
	CHECK_FMT("42   |", "%-5d|", 42);
	CHECK_FMT("00042", "%05d", 42);
	CHECK_FMT("-0042", "%05d", -42);
	CHECK_FMT("+7", "%+d", 7);
	CHECK_FMT(" 7", "% d", 7);
	CHECK_FMT("007", "%.3d", 7);
	CHECK_FMT("", "%.0d", 0);
	CHECK_FMT("  abc", "%5s", "abc");
	CHECK_FMT("ab", "%.2s", "abc");
	CHECK_FMT("ab   |", "%-5.2s|", "abc");
	CHECK_FMT("  x", "%*s", 3, "x");
	CHECK_FMT("x  |", "%*s|", -3, "x");
	CHECK_FMT("ab", "%.*s", 2, "abcdef");
	CHECK_FMT("(null)", "%s", (char *)NULL);
	CHECK_FMT("c=Z", "c=%c", 'Z');
	CHECK_FMT("100%", "%d%%", 100);
	CHECK_FMT("0x0000000000001000", "%p", (void *)0x1000);
	CHECK_FMT("-1 255 65535", "%hhd %hhu %hu", (signed char)-1, (unsigned char)255,
	      (unsigned short)65535);
	CHECK_FMT("-1 65535", odd_hh, 255, 0x1ffff); /* values wider than the length */
	CHECK_FMT("123456789012", "%zu", (size_t)123456789012ull);
	CHECK_FMT("5 6", "%lu %ld", 5ul, 6l);
	CHECK_FMT("%y", odd_unknown, 0);       /* unknown conversion shown as is */
	CHECK_FMT("tail %", odd_truncated, 0); /* format ends after '%' */
	CHECK_FMT("0x0000000000000000", "%p", (void *)0);

	/* Truncation: NUL-terminated, return value is the full length. */
	n = fmt_snprintf(small, sizeof(small), "%s", "abcdefgh");
	tap_streq(small, "abcde", "snprintf truncates to size-1");
	tap_ok(n == 8, "snprintf returns full length (got %d)", n);
	n = fmt_snprintf(small, 0, "%d", 12345);
	tap_ok(n == 5, "snprintf with size 0 writes nothing, returns 5 (got %d)", n);
	n = fmt_snprintf(small, 1, "xyz");
	tap_ok(n == 3 && small[0] == '\0', "snprintf with size 1 gives empty string");

	/* Sink interface: pieces arrive in order, count is right. */
	{
		char acc[64] = "";

		n = format(collect, acc, "%s-%d-%x", "a", 1, 255u);
		tap_streq(acc, "a-1-ff", "format() sink receives all pieces");
		tap_ok(n == 6, "format() returns byte count (got %d)", n);
	}
	/* Long padding crosses the internal pad chunk. */
	fmt_snprintf(buf, sizeof(buf), "%40d", 1);
	tap_ok(strlen(buf) == 40 && buf[39] == '1' && buf[0] == ' ', "wide padding");
	return tap_done();
}
