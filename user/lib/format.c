/*
 * format.c - the printf engine (see format.h).
 */
#include <stdint.h>
#include "format.h"

struct out {
	format_sink sink;
	void *arg;
	int count;
};

static void emit(struct out *o, const char *s, size_t n)
{
	o->sink(o->arg, s, n);
	o->count += (int)n;
}

static void pad(struct out *o, char c, int n)
{
	char buf[16];
	int i;

	for (i = 0; i < (int)sizeof(buf); i++)
		buf[i] = c;
	while (n > 0) {
		int k = n < (int)sizeof(buf) ? n : (int)sizeof(buf);

		emit(o, buf, (size_t)k);
		n -= k;
	}
}

struct spec {
	int left;      /* '-' */
	int zero;      /* '0' */
	int alt;       /* '#' */
	char sign;     /* '+', ' ' or 0 */
	int width;
	int precision; /* -1: none */
};

/* Digits of v in base, most significant first, into the end of buf. */
static int to_digits(uint64_t v, unsigned base, int upper, char *buf, int size)
{
	const char *digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
	int n = 0;

	do {
		buf[size - 1 - n] = digits[v % base];
		v /= base;
		n++;
	} while (v);
	return n;
}

static void put_number(struct out *o, const struct spec *sp, uint64_t v, int negative,
		       unsigned base, int upper, const char *prefix)
{
	char digits[64];
	int nd = to_digits(v, base, upper, digits, sizeof(digits));
	int plen = 0, zeros = 0, total;
	char sign = negative ? '-' : sp->sign;

	if (sp->precision == 0 && v == 0)
		nd = 0; /* printf("%.0d", 0) prints nothing */
	if (sp->precision > nd)
		zeros = sp->precision - nd;
	while (prefix && prefix[plen])
		plen++;
	total = (sign ? 1 : 0) + plen + zeros + nd;
	if (sp->zero && !sp->left && sp->precision < 0 && sp->width > total) {
		zeros += sp->width - total;
		total = sp->width;
	}
	if (!sp->left && sp->width > total)
		pad(o, ' ', sp->width - total);
	if (sign)
		emit(o, &sign, 1);
	if (plen)
		emit(o, prefix, (size_t)plen);
	pad(o, '0', zeros);
	emit(o, digits + sizeof(digits) - nd, (size_t)nd);
	if (sp->left && sp->width > total)
		pad(o, ' ', sp->width - total);
}

static void put_string(struct out *o, const struct spec *sp, const char *s)
{
	int n = 0;

	if (!s)
		s = "(null)";
	while (s[n] && (sp->precision < 0 || n < sp->precision))
		n++;
	if (!sp->left && sp->width > n)
		pad(o, ' ', sp->width - n);
	emit(o, s, (size_t)n);
	if (sp->left && sp->width > n)
		pad(o, ' ', sp->width - n);
}

enum length { LEN_INT, LEN_CHAR, LEN_SHORT, LEN_LONG, LEN_LLONG, LEN_SIZE };

static enum length parse_length(const char **fmt)
{
	const char *f = *fmt;
	enum length len = LEN_INT;

	if (f[0] == 'h' && f[1] == 'h') {
		len = LEN_CHAR;
		f += 2;
	} else if (f[0] == 'h') {
		len = LEN_SHORT;
		f++;
	} else if (f[0] == 'l' && f[1] == 'l') {
		len = LEN_LLONG;
		f += 2;
	} else if (f[0] == 'l' || f[0] == 'j') {
		len = LEN_LONG;
		f++;
	} else if (f[0] == 'z' || f[0] == 't') {
		len = LEN_SIZE;
		f++;
	}
	*fmt = f;
	return len;
}

static int64_t take_signed(va_list *ap, enum length len)
{
	switch (len) {
	case LEN_CHAR: return (signed char)va_arg(*ap, int);
	case LEN_SHORT: return (short)va_arg(*ap, int);
	case LEN_LONG: return va_arg(*ap, long);
	case LEN_LLONG: return va_arg(*ap, long long);
	case LEN_SIZE: return (int64_t)va_arg(*ap, size_t);
	default: return va_arg(*ap, int);
	}
}

static uint64_t take_unsigned(va_list *ap, enum length len)
{
	switch (len) {
	case LEN_CHAR: return (unsigned char)va_arg(*ap, unsigned);
	case LEN_SHORT: return (unsigned short)va_arg(*ap, unsigned);
	case LEN_LONG: return va_arg(*ap, unsigned long);
	case LEN_LLONG: return va_arg(*ap, unsigned long long);
	case LEN_SIZE: return va_arg(*ap, size_t);
	default: return va_arg(*ap, unsigned);
	}
}

/* Flags, width and precision after '%'. */
static void parse_spec(const char **fmt, va_list *ap, struct spec *sp)
{
	const char *f = *fmt;

	sp->left = sp->zero = sp->alt = 0;
	sp->sign = 0;
	sp->width = 0;
	sp->precision = -1;
	for (;; f++) {
		if (*f == '-')
			sp->left = 1;
		else if (*f == '0')
			sp->zero = 1;
		else if (*f == '#')
			sp->alt = 1;
		else if (*f == '+')
			sp->sign = '+';
		else if (*f == ' ' && sp->sign != '+')
			sp->sign = ' ';
		else
			break;
	}
	if (*f == '*') {
		sp->width = va_arg(*ap, int);
		if (sp->width < 0) {
			sp->left = 1;
			sp->width = -sp->width;
		}
		f++;
	} else {
		while (*f >= '0' && *f <= '9' && sp->width < 100000)
			sp->width = sp->width * 10 + (*f++ - '0');
	}
	if (*f == '.') {
		f++;
		sp->precision = 0;
		if (*f == '*') {
			sp->precision = va_arg(*ap, int);
			if (sp->precision < 0)
				sp->precision = -1;
			f++;
		} else {
			while (*f >= '0' && *f <= '9' && sp->precision < 100000)
				sp->precision = sp->precision * 10 + (*f++ - '0');
		}
	}
	*fmt = f;
}

static void convert(struct out *o, const char **fmtp, va_list *ap)
{
	const char *start = *fmtp - 1; /* the '%' */
	struct spec sp;
	enum length len;
	char c;

	parse_spec(fmtp, ap, &sp);
	len = parse_length(fmtp);
	c = **fmtp;
	if (c)
		(*fmtp)++;
	switch (c) {
	case 'd':
	case 'i': {
		int64_t v = take_signed(ap, len);
		uint64_t mag = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;

		put_number(o, &sp, mag, v < 0, 10, 0, NULL);
		break;
	}
	case 'u':
		put_number(o, &sp, take_unsigned(ap, len), 0, 10, 0, NULL);
		break;
	case 'x':
	case 'X': {
		uint64_t v = take_unsigned(ap, len);

		sp.sign = 0;
		put_number(o, &sp, v, 0, 16, c == 'X', sp.alt && v ? (c == 'X' ? "0X" : "0x") : NULL);
		break;
	}
	case 'o': {
		uint64_t v = take_unsigned(ap, len);

		sp.sign = 0;
		put_number(o, &sp, v, 0, 8, 0, sp.alt && v ? "0" : NULL);
		break;
	}
	case 'p':
		sp.sign = 0;
		sp.precision = 16;
		put_number(o, &sp, (uintptr_t)va_arg(*ap, void *), 0, 16, 0, "0x");
		break;
	case 's':
		put_string(o, &sp, va_arg(*ap, const char *));
		break;
	case 'c': {
		char ch = (char)va_arg(*ap, int);
		struct spec cs = sp;

		cs.precision = -1;
		if (!cs.left && cs.width > 1)
			pad(o, ' ', cs.width - 1);
		emit(o, &ch, 1);
		if (cs.left && cs.width > 1)
			pad(o, ' ', cs.width - 1);
		break;
	}
	case '%':
		emit(o, "%", 1);
		break;
	default: /* unknown or truncated: show the text */
		emit(o, start, (size_t)(*fmtp - start));
		break;
	}
}

int vformat(format_sink sink, void *arg, const char *fmt, va_list ap)
{
	struct out o = { sink, arg, 0 };
	va_list aq;

	va_copy(aq, ap);
	while (*fmt) {
		const char *lit = fmt;

		while (*fmt && *fmt != '%')
			fmt++;
		if (fmt > lit)
			emit(&o, lit, (size_t)(fmt - lit));
		if (*fmt == '%') {
			fmt++;
			convert(&o, &fmt, &aq);
		}
	}
	va_end(aq);
	return o.count;
}

int format(format_sink sink, void *arg, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vformat(sink, arg, fmt, ap);
	va_end(ap);
	return n;
}

struct strbuf {
	char *buf;
	size_t size;
	size_t len; /* bytes produced, may exceed size */
};

static void strbuf_sink(void *arg, const char *s, size_t n)
{
	struct strbuf *b = arg;

	for (size_t i = 0; i < n; i++, b->len++)
		if (b->size && b->len < b->size - 1)
			b->buf[b->len] = s[i];
}

int fmt_vsnprintf(char *buf, size_t size, const char *fmt, va_list ap)
{
	struct strbuf b = { buf, size, 0 };
	int n = vformat(strbuf_sink, &b, fmt, ap);

	if (size)
		buf[b.len < size ? b.len : size - 1] = '\0';
	return n;
}

int fmt_snprintf(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = fmt_vsnprintf(buf, size, fmt, ap);
	va_end(ap);
	return n;
}
