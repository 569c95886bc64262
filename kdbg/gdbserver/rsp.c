/*
 * rsp.c - GDB Remote Serial Protocol framing (see rsp.h).
 */
#include "rsp.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { IDLE, DATA, ESCAPE, REPEAT, CSUM };

void rsp_decoder_init(struct rsp_decoder *d, size_t max)
{
	memset(d, 0, sizeof *d);
	d->max = max;
	d->prev = -1;
}

void rsp_decoder_reset(struct rsp_decoder *d)
{
	d->state = IDLE;
	d->len = 0;
	d->prev = -1;
}

void rsp_decoder_free(struct rsp_decoder *d)
{
	free(d->buf);
	d->buf = NULL;
	d->len = d->cap = 0;
}

static void start(struct rsp_decoder *d)
{
	d->state = DATA;
	d->len = 0;
	d->sum = 0;
	d->overflow = false;
	d->prev = -1;
}

/* One payload byte; past the limit the packet is only marked too long. */
static void put(struct rsp_decoder *d, unsigned char c)
{
	if (d->len + 1 >= d->max) {
		d->overflow = true;
		return;
	}
	if (d->len + 1 >= d->cap) {
		size_t cap = d->cap ? d->cap * 2 : 1024;
		char *nb;
		if (cap > d->max)
			cap = d->max;
		nb = realloc(d->buf, cap);
		if (!nb) {
			d->overflow = true;
			return;
		}
		d->buf = nb;
		d->cap = cap;
	}
	d->buf[d->len++] = (char)c;
	d->prev = c;
}

enum rsp_event rsp_feed(struct rsp_decoder *d, unsigned char c)
{
	int v;

	switch (d->state) {
	case IDLE:
		if (c == '$' || c == '%') {
			start(d);
			d->notify = c == '%';
			return RSP_NONE;
		}
		if (c == '+')
			return RSP_ACK;
		if (c == '-')
			return RSP_NAK;
		if (c == 0x03)
			return RSP_INTERRUPT;
		return RSP_NONE;    /* line noise between packets */
	case DATA:
		if (c == '#') {
			d->state = CSUM;
			d->got = 0;
			d->digits = 0;
		} else if (c == '$') {
			start(d);   /* a new packet inside one: the first was cut off */
		} else {
			d->sum += c;
			if (c == '}')
				d->state = ESCAPE;
			else if (c == '*' && d->prev >= 0)
				d->state = REPEAT;
			else
				put(d, c);
		}
		return RSP_NONE;
	case ESCAPE:
		d->sum += c;
		put(d, c ^ 0x20);
		d->state = DATA;
		return RSP_NONE;
	case REPEAT:
		/* '*' then a count byte: the previous byte n - 29 more times. */
		d->sum += c;
		d->state = DATA;
		if (c < 29 + 3 || c > 126)
			d->overflow = true;   /* not a valid count: reject the packet */
		else
			for (int i = 0, n = c - 29; i < n && !d->overflow; i++)
				put(d, (unsigned char)d->prev);
		return RSP_NONE;
	case CSUM:
		v = hex_value(c);
		if (v < 0) {
			d->state = IDLE;
			/* A frame cut off in its checksum
			 * by the next one: refuse it, but keep the new one (its
			 * '$' is no checksum digit), or in no-ack mode it is lost. */
			if (c == '$' || c == '%') {
				start(d);
				d->notify = c == '%';
			}
			return RSP_BAD;
		}
		d->got = d->got * 16 + (unsigned)v;
		if (++d->digits < 2)
			return RSP_NONE;
		d->state = IDLE;
		if (d->overflow || d->got != (d->sum & 0xff))
			return RSP_BAD;
		if (d->len + 1 > d->cap) {   /* an empty packet: room for the NUL */
			char *nb = realloc(d->buf, 16);
			if (!nb)
				return RSP_BAD;
			d->buf = nb;
			d->cap = 16;
		}
		d->buf[d->len] = 0;
		return d->notify ? RSP_NOTIFY : RSP_PACKET;
	}
	return RSP_NONE;
}

/* ---- buffers ------------------------------------------------------------- */

static bool reserve(struct buf *b, size_t more)
{
	if (b->failed)
		return false;
	if (b->len + more + 1 > b->cap) {
		size_t cap = b->cap ? b->cap : 256;
		char *np;
		while (cap < b->len + more + 1)
			cap *= 2;
		np = realloc(b->p, cap);
		if (!np) {
			b->failed = true;
			return false;
		}
		b->p = np;
		b->cap = cap;
	}
	return true;
}

void buf_add(struct buf *b, const void *data, size_t len)
{
	if (!reserve(b, len))
		return;
	memcpy(b->p + b->len, data, len);
	b->len += len;
	b->p[b->len] = 0;
}

void buf_str(struct buf *b, const char *s)
{
	buf_add(b, s, strlen(s));
}

void buf_printf(struct buf *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0 || !reserve(b, (size_t)n))
		return;
	va_start(ap, fmt);
	vsnprintf(b->p + b->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	b->len += (size_t)n;
}

void buf_hex(struct buf *b, const void *data, size_t len)
{
	static const char digits[] = "0123456789abcdef";
	const unsigned char *p = data;

	if (!reserve(b, 2 * len))
		return;
	for (size_t i = 0; i < len; i++) {
		b->p[b->len++] = digits[p[i] >> 4];
		b->p[b->len++] = digits[p[i] & 15];
	}
	b->p[b->len] = 0;
}

/* Length of the well-formed UTF-8 sequence at s (n bytes left), 0 if none
 * (overlong forms, surrogates and code points above U+10FFFF are not). */
static size_t utf8_len(const unsigned char *s, size_t n)
{
	unsigned c = s[0];
	size_t len;
	unsigned min, cp;
	if (c >= 0xc2 && c <= 0xdf) { len = 2; cp = c & 0x1f; min = 0x80; }
	else if (c >= 0xe0 && c <= 0xef) { len = 3; cp = c & 0x0f; min = 0x800; }
	else if (c >= 0xf0 && c <= 0xf4) { len = 4; cp = c & 0x07; min = 0x10000; }
	else return 0;
	if (n < len)
		return 0;
	for (size_t i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (s[i] & 0x3f);
	}
	if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff) ||
	    cp == 0xfffe || cp == 0xffff)
		return 0;
	return len;
}

void buf_xml(struct buf *b, const char *str)
{
	const unsigned char *s = (const unsigned char *)str;
	size_t n = strlen(str);
	for (size_t i = 0; i < n;) {
		unsigned c = s[i];
		size_t u;
		char hex[8];
		switch (c) {
		case '&': buf_str(b, "&amp;"); i++; continue;
		case '<': buf_str(b, "&lt;"); i++; continue;
		case '>': buf_str(b, "&gt;"); i++; continue;
		case '"': buf_str(b, "&quot;"); i++; continue;
		case '\'': buf_str(b, "&apos;"); i++; continue;
		}
		if (c >= 0x20 && c < 0x7f) {
			buf_add(b, (const char *)s + i, 1);
			i++;
		} else if (c >= 0x80 && (u = utf8_len(s + i, n - i))) {
			buf_add(b, (const char *)s + i, u);
			i += u;
		} else {
			snprintf(hex, sizeof(hex), "\\x%02x", c);
			buf_str(b, hex);
			i++;
		}
	}
}

void buf_free(struct buf *b)
{
	free(b->p);
	memset(b, 0, sizeof *b);
}

void rsp_frame(struct buf *out, const char *payload, size_t len)
{
	unsigned sum = 0;
	char tail[4];

	buf_add(out, "$", 1);
	if (!reserve(out, 2 * len + 3))
		return;
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)payload[i];
		if (c == '$' || c == '#' || c == '}' || c == '*') {
			out->p[out->len++] = '}';
			sum += '}';
			c ^= 0x20;
		}
		out->p[out->len++] = (char)c;
		sum += c;
	}
	snprintf(tail, sizeof tail, "#%02x", sum & 0xff);
	buf_add(out, tail, 3);
}

/* ---- hex ----------------------------------------------------------------- */

int hex_value(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

int hex_decode(const char *hex, void *out, size_t n)
{
	unsigned char *p = out;

	for (size_t i = 0; i < n; i++) {
		int hi = hex_value(hex[2 * i]), lo;
		if (hi < 0)
			return -1;
		lo = hex_value(hex[2 * i + 1]);
		if (lo < 0)
			return -1;
		p[i] = (unsigned char)(hi << 4 | lo);
	}
	return 0;
}

const char *parse_hex_u64(const char *s, uint64_t *v)
{
	uint64_t x = 0;
	int n = 0, d;

	while ((d = hex_value((unsigned char)*s)) >= 0) {
		if (++n > 16)
			return NULL;
		x = x << 4 | (uint64_t)d;
		s++;
	}
	if (!n)
		return NULL;
	*v = x;
	return s;
}
