/*
 * console.c - line-buffered console output over DEBUG_PRINT.
 */
#include <cairn/syscalls.h>
#include "console.h"
#include "syscall.h"
#include "uthread.h"

void console_flush(void)
{
	struct uthread *t = uthread_current();

	if (t->line_len) {
		/* Nowhere to report a failure to print; the line is dropped. */
		(void)cairn_debug_print(t->line, t->line_len, t->print_flags);
		t->line_len = 0;
	}
}

void console_write(const char *s, size_t n)
{
	struct uthread *t = uthread_current();

	for (size_t i = 0; i < n; i++) {
		t->line[t->line_len++] = s[i];
		if (s[i] == '\n' || t->line_len == sizeof(t->line))
			console_flush();
	}
}

void console_sink(void *arg, const char *s, size_t n)
{
	(void)arg;
	console_write(s, n);
}

void console_set_tagged(int tagged)
{
	console_flush();
	uthread_current()->print_flags = tagged ? CAIRN_PRINT_TAGGED : 0;
}

int vprintf(const char *fmt, va_list ap)
{
	return vformat(console_sink, NULL, fmt, ap);
}

int printf(const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vprintf(fmt, ap);
	va_end(ap);
	return n;
}

int puts(const char *s)
{
	size_t n = 0;

	while (s[n])
		n++;
	console_write(s, n);
	console_write("\n", 1);
	return (int)n + 1;
}

int putchar(int c)
{
	char ch = (char)c;

	console_write(&ch, 1);
	return (unsigned char)ch;
}
