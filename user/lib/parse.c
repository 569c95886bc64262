/*
 * parse.c - strict unsigned number parsing (see parse.h).
 */
#include "parse.h"

static int digit_value(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Skip a base prefix when base is 0 or matches it; returns the base. */
static unsigned take_prefix(const char **s, unsigned base)
{
	const char *p = *s;

	if (p[0] == '0' && (p[1] == 'x' || p[1] == 'X') && (base == 0 || base == 16)) {
		*s = p + 2;
		return 16;
	}
	if (p[0] == '0' && (p[1] == 'b' || p[1] == 'B') && (base == 0 || base == 2)) {
		*s = p + 2;
		return 2;
	}
	return base ? base : 10;
}

uint64_t parse_strtou64(const char *s, const char **end, unsigned base, int *overflow)
{
	const char *start = s, *p;
	uint64_t v = 0;
	int any = 0;

	*overflow = 0;
	if (base == 1 || base > 16) {
		*end = start;
		return 0;
	}
	base = take_prefix(&s, base);
	for (p = s;; p++) {
		int d;

		if (*p == '_' && any && digit_value(p[1]) >= 0 && (unsigned)digit_value(p[1]) < base)
			continue;
		d = digit_value(*p);
		if (d < 0 || (unsigned)d >= base)
			break;
		any = 1;
		if (v > (UINT64_MAX - (unsigned)d) / base)
			*overflow = 1;
		else
			v = v * base + (unsigned)d;
	}
	if (!any) {
		*end = start; /* "0x" alone: no number */
		return 0;
	}
	*end = p;
	return *overflow ? UINT64_MAX : v;
}

enum parse_status parse_u64_max(const char *s, uint64_t max, uint64_t *out)
{
	const char *end;
	int overflow;
	uint64_t v;

	if (!s || !*s)
		return PARSE_EMPTY;
	v = parse_strtou64(s, &end, 0, &overflow);
	if (end == s || *end) /* no digits ("0x", "-1") or junk after them */
		return PARSE_JUNK;
	if (overflow || v > max)
		return PARSE_OVERFLOW;
	*out = v;
	return PARSE_OK;
}

enum parse_status parse_u64(const char *s, uint64_t *out)
{
	return parse_u64_max(s, UINT64_MAX, out);
}

const char *parse_status_str(enum parse_status st)
{
	switch (st) {
	case PARSE_OK: return "ok";
	case PARSE_EMPTY: return "empty number";
	case PARSE_JUNK: return "not a number";
	case PARSE_OVERFLOW: return "number too large";
	}
	return "?";
}
