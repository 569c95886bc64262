/*
 * fuzz_rsp.c - libFuzzer target for kdbg-gdbserver's RSP framing
 * (kdbg/gdbserver/rsp.c) and its socket reader (peer.c): the input is
 * what a debugger or QEMU sends.
 *
 *   byte 0    the decoder limit of the first pass: 1..4081 bytes, or
 *             PACKET_MAX when it is 0xff (small limits reach the
 *             overflow path, which at 1 MiB needs longer inputs)
 *   byte 1    the size of the pieces of the second pass (1..256)
 *   the rest  the byte stream
 *
 * Pass 1 feeds the stream byte by byte to a decoder with the chosen
 * limit. Every event keeps the decoder within its limit; every packet
 * (and notification) is NUL-terminated, and re-framed with rsp_frame()
 * and decoded again gives the same payload, with RSP_NONE for every byte
 * but the last. The hex helpers are checked against simple models on
 * each payload: parse_hex_u64, hex_decode, buf_hex (which hex_decode
 * must undo) and buf_xml (printable ASCII, no markup left).
 * Pass 2 writes the stream in pieces through a SOCK_SEQPACKET socketpair
 * (each piece one read()) to a struct peer (peer_fill/peer_next, as the
 * server reads both sides) and must see the same events and payloads as
 * a decoder at PACKET_MAX fed byte by byte.
 * Seeds: tests/gdbserver/fuzz-corpus/rsp/ (a GDB session through the
 * server, both directions, and hand-made RLE, escapes and bad frames).
 */
#define _GNU_SOURCE
#include "gdbserver.h"

#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define MAX_PIECES 32      /* pieces per input (each a few syscalls) */
#define MAX_EVENTS 4096

#define CHECK(c) do { if (!(c)) { \
	fprintf(stderr, "fuzz_rsp: %s:%d: check failed: %s\n", __FILE__, __LINE__, #c); \
	abort(); } } while (0)

static int model_hex(int c)
{
	static const char lower[] = "0123456789abcdef", upper[] = "0123456789ABCDEF";
	for (int i = 0; i < 16; i++)
		if (c == lower[i] || c == upper[i])
			return i;
	return -1;
}

/* The hex helpers on one payload, against the models above. */
static void check_hex(const char *p, size_t len)
{
	/* parse_hex_u64: digits up to the first non-digit (a NUL inside the
	 * payload is one); none, or more than 16: NULL. */
	size_t n = 0;
	uint64_t want = 0, got = 0xdead;
	while (n < len && model_hex((unsigned char)p[n]) >= 0) {
		if (n < 16)
			want = want << 4 | (uint64_t)model_hex((unsigned char)p[n]);
		n++;
	}
	const char *end = parse_hex_u64(p, &got);
	if (n == 0 || n > 16)
		CHECK(end == NULL);
	else
		CHECK(end == p + n && got == want);

	/* hex_decode: len/2 bytes, -1 at the first bad digit. */
	size_t nb = len / 2;
	unsigned char *out = malloc(nb ? nb : 1), *ref = malloc(nb ? nb : 1);
	int ok = 0;
	CHECK(out && ref);
	for (size_t i = 0; i < nb; i++) {
		int hi = model_hex((unsigned char)p[2 * i]), lo = model_hex((unsigned char)p[2 * i + 1]);
		if (hi < 0 || lo < 0) {
			ok = -1;
			break;
		}
		ref[i] = (unsigned char)(hi << 4 | lo);
	}
	CHECK(hex_decode(p, out, nb) == ok);
	if (ok == 0)
		CHECK(!nb || !memcmp(out, ref, nb));

	/* buf_hex, then hex_decode: the bytes again. */
	struct buf h = { 0 };
	buf_hex(&h, p, len);
	CHECK(!h.failed && h.len == 2 * len);
	if (len) {
		unsigned char *back = malloc(len);
		CHECK(back);
		CHECK(hex_decode(h.p, back, len) == 0 && !memcmp(back, p, len));
		free(back);
	}
	buf_free(&h);
	free(out);
	free(ref);

	/* buf_xml: what guest memory gives it must leave valid XML 1.0 text
	 * in UTF-8: markup as entities, no control characters, DEL, broken
	 * or overlong UTF-8, surrogates or non-characters U+FFFE/U+FFFF. */
	struct buf x = { 0 };
	buf_xml(&x, p);
	CHECK(!x.failed);
	for (size_t i = 0; i < x.len;) {
		unsigned char c = (unsigned char)x.p[i];
		if (c < 0x80) {
			CHECK(c >= 0x20 && c < 0x7f && c != '<' && c != '>' && c != '"' && c != '\'');
			if (c == '&')
				CHECK(!strncmp(x.p + i, "&lt;", 4) || !strncmp(x.p + i, "&gt;", 4) ||
				      !strncmp(x.p + i, "&amp;", 5) || !strncmp(x.p + i, "&quot;", 6) ||
				      !strncmp(x.p + i, "&apos;", 6));
			i++;
			continue;
		}
		size_t n = c >= 0xf0 ? 4 : c >= 0xe0 ? 3 : 2;
		uint32_t cp = c & (0x7f >> n);
		CHECK(c >= 0xc0 && c < 0xf8 && i + n <= x.len);
		for (size_t k = 1; k < n; k++) {
			CHECK(((unsigned char)x.p[i + k] & 0xc0) == 0x80);
			cp = cp << 6 | ((unsigned char)x.p[i + k] & 0x3f);
		}
		CHECK(cp >= (n == 2 ? 0x80u : n == 3 ? 0x800u : 0x10000u) && cp <= 0x10ffff &&
		      (cp < 0xd800 || cp > 0xdfff) && cp != 0xfffe && cp != 0xffff);
		i += n;
	}
	buf_free(&x);
}

/* A decoded payload framed again and decoded again: the same payload. */
static void check_roundtrip(const char *p, size_t len, size_t max)
{
	struct buf f = { 0 };
	struct rsp_decoder r;
	unsigned sum = 0;

	rsp_frame(&f, p, len);
	CHECK(!f.failed && f.len >= 4 && f.p[0] == '$' && f.p[f.len - 3] == '#');
	for (size_t i = 1; i < f.len - 3; i++) {
		sum += (unsigned char)f.p[i];
		/* Nothing that ends, restarts or expands a frame is left bare. */
		CHECK(f.p[i] != '$' && f.p[i] != '#' && f.p[i] != '*');
	}
	CHECK(hex_value(f.p[f.len - 2]) == (int)((sum >> 4) & 15) &&
	      hex_value(f.p[f.len - 1]) == (int)(sum & 15));
	rsp_decoder_init(&r, max);
	for (size_t i = 0; i < f.len; i++) {
		enum rsp_event ev = rsp_feed(&r, (unsigned char)f.p[i]);
		CHECK(ev == (i + 1 < f.len ? RSP_NONE : RSP_PACKET));
	}
	CHECK(r.len == len && (!len || !memcmp(r.buf, p, len)) && r.buf[len] == 0);
	rsp_decoder_free(&r);
	buf_free(&f);
}

struct event {
	enum rsp_event ev;
	size_t len;
	uint64_t hash;
};

static uint64_t hash(const char *p, size_t len)
{
	uint64_t h = 1469598103934665603ull;
	for (size_t i = 0; i < len; i++)
		h = (h ^ (unsigned char)p[i]) * 1099511628211ull;
	return h;
}

static struct event record(const struct rsp_decoder *d, enum rsp_event ev)
{
	struct event e = { ev, 0, 0 };
	if (ev == RSP_PACKET || ev == RSP_NOTIFY) {
		e.len = d->len;
		e.hash = hash(d->buf, d->len);
	}
	return e;
}

static struct event events[MAX_EVENTS];
static struct peer peer;    /* 64 KiB of receive buffer: not on the stack */

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct rsp_decoder d;
	size_t max, piece, nev = 0, seen = 0;
	int sv[2];

	if (size < 2)
		return 0;
	max = data[0] == 0xff ? PACKET_MAX : 1 + (size_t)data[0] * 16;
	piece = 1 + (size_t)data[1];
	data += 2;
	size -= 2;

	/* Pass 1: a limit of the input's choosing, byte by byte. */
	rsp_decoder_init(&d, max);
	for (size_t i = 0; i < size; i++) {
		enum rsp_event ev = rsp_feed(&d, data[i]);
		CHECK(d.len < d.max && (d.cap <= d.max || d.len == 0));
		if (ev == RSP_PACKET || ev == RSP_NOTIFY) {
			CHECK(d.buf && d.buf[d.len] == 0 && d.len + 1 <= d.max);
			check_roundtrip(d.buf, d.len, d.max);
			check_hex(d.buf, d.len);
		}
		if (ev == RSP_BAD) {
			/* Back between packets, or in the packet whose '$' cut
			 * the refused one off. */
			CHECK(d.state == 0 || ((data[i] == '$' || data[i] == '%') && d.len == 0));
		}
	}
	rsp_decoder_reset(&d);
	CHECK(d.len == 0);
	rsp_decoder_free(&d);

	/* Pass 2: the server's reader, the input in pieces, against a
	 * decoder at the server's limit. */
	rsp_decoder_init(&d, PACKET_MAX);
	for (size_t i = 0; i < size && nev < MAX_EVENTS; i++) {
		enum rsp_event ev = rsp_feed(&d, data[i]);
		if (ev != RSP_NONE)
			events[nev++] = record(&d, ev);
	}
	rsp_decoder_free(&d);
	if (nev == MAX_EVENTS)
		return 0;   /* (too many to compare; pass 1 has checked them) */

	if (piece < (size + MAX_PIECES - 1) / MAX_PIECES)
		piece = (size + MAX_PIECES - 1) / MAX_PIECES;
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0)
		abort();
	fcntl(sv[0], F_SETFL, fcntl(sv[0], F_GETFL) | O_NONBLOCK);
	peer_init(&peer, sv[0], "fuzz");
	for (size_t off = 0; off < size; off += piece) {
		size_t n = size - off < piece ? size - off : piece;
		int rc;
		CHECK(send(sv[1], data + off, n, MSG_DONTWAIT | MSG_NOSIGNAL) == (ssize_t)n);
		/* Everything there is, then nothing: peer_fill says 0 (EAGAIN). */
		while ((rc = peer_fill(&peer)) > 0) {
			enum rsp_event ev;
			while ((ev = peer_next(&peer)) != RSP_NONE) {
				struct event e = record(&peer.dec, ev);
				CHECK(seen < nev);
				CHECK(e.ev == events[seen].ev && e.len == events[seen].len &&
				      e.hash == events[seen].hash);
				seen++;
			}
		}
		CHECK(rc == 0);
	}
	CHECK(seen == nev);
	/* The other side goes: -1 from now on, not a spin on 0. */
	close(sv[1]);
	CHECK(peer_fill(&peer) == -1 && peer.eof && peer_fill(&peer) == -1);
	peer_close(&peer);
	CHECK(peer.fd == -1);
	return 0;
}
