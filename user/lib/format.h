/*
 * format.h - printf-style formatting to any byte sink. Pure code (no
 * system calls), so it also builds and is tested on the host.
 *
 * Conversions: %d %i %u %x %X %o %p %s %c %%, length modifiers hh h l
 * ll z j t, flags - 0 # + space, width and precision (numbers or *).
 * %p prints 0x and 16 hex digits. A NULL %s prints "(null)". An unknown
 * conversion is printed as is, so a bad format shows rather than hides.
 */
#ifndef ULIB_FORMAT_H
#define ULIB_FORMAT_H

#include <stdarg.h>
#include <stddef.h>

/* Receives output in pieces; n may be 0. */
typedef void (*format_sink)(void *arg, const char *s, size_t n);

/* Format to a sink; returns the number of bytes produced. */
int vformat(format_sink sink, void *arg, const char *fmt, va_list ap);
int format(format_sink sink, void *arg, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* snprintf semantics: always NUL-terminates (if size > 0), returns the
 * length the full output would have had. */
int fmt_vsnprintf(char *buf, size_t size, const char *fmt, va_list ap);
int fmt_snprintf(char *buf, size_t size, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

#endif
