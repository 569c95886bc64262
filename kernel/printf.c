/*
 * printf.c - formatted output for the kernel: kvsnprintf and kprintf.
 *
 * Supports the conversions the kernel uses: %d %i %u %x %X %o %p %s %c %%,
 * the l, ll, z and h length modifiers, '-', '0' and ' ' flags, a width and
 * a precision (either may be '*'). Output goes to the log ring and console.
 */
#include "kernel.h"
#include "log.h"

struct out {
	char *buf;
	size_t size, len; /* len counts every byte, even ones that don't fit */
	void (*putc)(char c);
};

static void out_char(struct out *o, char c)
{
	if (o->putc)
		o->putc(c);
	else if (o->len + 1 < o->size)
		o->buf[o->len] = c;
	o->len++;
}

static void out_pad(struct out *o, char c, int n)
{
	while (n-- > 0)
		out_char(o, c);
}

/* Print an unsigned number with width/precision/flag handling. */
static void out_number(struct out *o, uint64_t v, unsigned base, bool upper,
		       bool negative, int width, int prec, bool left,
		       bool zero, const char *prefix)
{
	const char *digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
	char tmp[24];
	int n = 0;

	do {
		tmp[n++] = digits[v % base];
		v /= base;
	} while (v);
	if (prec == 0 && n == 1 && tmp[0] == '0')
		n = 0; /* "%.0d" of 0 prints nothing, as in C */
	int zeros = prec > n ? prec - n : 0;
	int plen = (int)strlen(prefix) + (negative ? 1 : 0);
	int total = plen + zeros + n;
	if (zero && !left && prec < 0 && width > total) {
		zeros += width - total;
		total = width;
	}
	if (!left)
		out_pad(o, ' ', width - total);
	if (negative)
		out_char(o, '-');
	for (const char *p = prefix; *p; p++)
		out_char(o, *p);
	out_pad(o, '0', zeros);
	while (n)
		out_char(o, tmp[--n]);
	if (left)
		out_pad(o, ' ', width - total);
}

static void format(struct out *o, const char *fmt, va_list ap)
{
	for (; *fmt; fmt++) {
		if (*fmt != '%') {
			out_char(o, *fmt);
			continue;
		}
		bool left = false, zero = false, space = false;
		int width = 0, prec = -1, lng = 0;
		for (;; fmt++) {
			if (fmt[1] == '-')
				left = true;
			else if (fmt[1] == '0')
				zero = true;
			else if (fmt[1] == ' ')
				space = true;
			else
				break;
		}
		fmt++;
		if (*fmt == '*') {
			width = va_arg(ap, int);
			if (width < 0) {
				left = true;
				width = -width;
			}
			fmt++;
		}
		while (*fmt >= '0' && *fmt <= '9')
			width = width * 10 + (*fmt++ - '0');
		if (*fmt == '.') {
			fmt++;
			prec = 0;
			if (*fmt == '*') {
				prec = va_arg(ap, int);
				fmt++;
			}
			while (*fmt >= '0' && *fmt <= '9')
				prec = prec * 10 + (*fmt++ - '0');
		}
		while (*fmt == 'l' || *fmt == 'z' || *fmt == 'h') {
			if (*fmt != 'h')
				lng++;
			fmt++;
		}
		switch (*fmt) {
		case 'd':
		case 'i': {
			int64_t v = lng ? va_arg(ap, int64_t) : va_arg(ap, int);
			uint64_t mag = v < 0 ? -(uint64_t)v : (uint64_t)v;
			out_number(o, mag, 10, false, v < 0, width, prec, left,
				   zero, space && v >= 0 ? " " : "");
			break;
		}
		case 'u':
		case 'x':
		case 'X':
		case 'o': {
			uint64_t v = lng ? va_arg(ap, uint64_t)
					 : va_arg(ap, unsigned int);
			unsigned base = *fmt == 'u' ? 10 : *fmt == 'o' ? 8 : 16;
			out_number(o, v, base, *fmt == 'X', false, width, prec,
				   left, zero, "");
			break;
		}
		case 'p':
			out_number(o, (uintptr_t)va_arg(ap, void *), 16, false,
				   false, width, prec, left, zero, "0x");
			break;
		case 'c': {
			char c = (char)va_arg(ap, int);
			if (!left)
				out_pad(o, ' ', width - 1);
			out_char(o, c);
			if (left)
				out_pad(o, ' ', width - 1);
			break;
		}
		case 's': {
			const char *s = va_arg(ap, const char *);
			if (!s)
				s = "(null)";
			int n = (int)(prec >= 0 ? strnlen(s, (size_t)prec)
					       : strlen(s));
			if (!left)
				out_pad(o, ' ', width - n);
			for (int i = 0; i < n; i++)
				out_char(o, s[i]);
			if (left)
				out_pad(o, ' ', width - n);
			break;
		}
		case '%':
			out_char(o, '%');
			break;
		case '\0':
			return; /* a lone '%' at the end */
		default:
			/* Unknown conversion: show it rather than guess. */
			out_char(o, '%');
			out_char(o, *fmt);
			break;
		}
	}
}

int kvsnprintf(char *buf, size_t size, const char *fmt, va_list ap)
{
	struct out o = { .buf = buf, .size = size };
	format(&o, fmt, ap);
	if (size)
		buf[o.len < size ? o.len : size - 1] = '\0';
	return (int)o.len;
}

int ksnprintf(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = kvsnprintf(buf, size, fmt, ap);
	va_end(ap);
	return n;
}

int kvprintf(const char *fmt, va_list ap)
{
	struct out o = { .putc = log_putc };
	format(&o, fmt, ap);
	return (int)o.len;
}

int kprintf(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = kvprintf(fmt, ap);
	va_end(ap);
	return n;
}
