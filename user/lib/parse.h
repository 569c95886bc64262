/*
 * parse.h - strict number parsing for user input (shell arguments).
 * Unlike strtoul, junk after the digits, an empty string, a sign and
 * overflow are all errors, each with its own code for the message.
 */
#ifndef ULIB_PARSE_H
#define ULIB_PARSE_H

#include <stdint.h>

enum parse_status {
	PARSE_OK = 0,
	PARSE_EMPTY,    /* no digits */
	PARSE_JUNK,     /* a character that is not a digit of the base */
	PARSE_OVERFLOW, /* the value does not fit in 64 bits / the limit */
};

/*
 * Parse an unsigned number: decimal, or hexadecimal with 0x/0X, or
 * binary with 0b/0B. Digits may be grouped with '_' (0xffff_8000).
 * On success *out is set; on error it is left unchanged.
 */
enum parse_status parse_u64(const char *s, uint64_t *out);

/* As parse_u64, and the value must be <= max (else PARSE_OVERFLOW). */
enum parse_status parse_u64_max(const char *s, uint64_t max, uint64_t *out);

/*
 * strtoul-style: parse digits of `base` (2..16; 0 = auto prefix as
 * above) from s, stop at the first non-digit, set *end there. Sets
 * *overflow when the value exceeded 64 bits (the result is then
 * UINT64_MAX). No digits: returns 0 and *end = s.
 */
uint64_t parse_strtou64(const char *s, const char **end, unsigned base, int *overflow);

const char *parse_status_str(enum parse_status st);

#endif
