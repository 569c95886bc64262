/*
 * rsp.h - GDB Remote Serial Protocol framing: $payload#cs packets, acks,
 * the interrupt byte, escapes ('}' then byte ^ 0x20) and run-length
 * encoding ('*' then a count). The decoder takes bytes one at a time, so
 * a peer may split or join packets anywhere; it never trusts a length or
 * a checksum, and bounds every packet (see gdb/doc "Overview" of the
 * remote protocol).
 */
#ifndef RSP_H
#define RSP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum rsp_event {
	RSP_NONE,       /* byte taken, nothing complete yet */
	RSP_PACKET,     /* a packet with a good checksum: d->buf, d->len */
	RSP_NOTIFY,     /* a %notification packet (non-stop mode): d->buf */
	RSP_ACK,        /* '+' */
	RSP_NAK,        /* '-' */
	RSP_INTERRUPT,  /* 0x03 outside a packet */
	RSP_BAD,        /* a packet with a bad checksum or over the limit */
};

struct rsp_decoder {
	int state;
	bool notify;
	char *buf;            /* payload, unescaped, NUL-terminated */
	size_t len, cap, max;
	unsigned sum;         /* of the raw payload bytes */
	unsigned got;         /* checksum value read so far */
	int digits;           /* checksum digits read */
	bool overflow;
	int prev;             /* last payload byte, for run-length; -1 none */
};

void rsp_decoder_init(struct rsp_decoder *d, size_t max);
void rsp_decoder_reset(struct rsp_decoder *d);
void rsp_decoder_free(struct rsp_decoder *d);
enum rsp_event rsp_feed(struct rsp_decoder *d, unsigned char c);

/* A growing byte buffer (frames, XML documents, replies). */
struct buf {
	char *p;
	size_t len, cap;
	bool failed;          /* out of memory once: contents incomplete */
};
void buf_add(struct buf *b, const void *data, size_t len);
void buf_str(struct buf *b, const char *s);
void buf_printf(struct buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void buf_hex(struct buf *b, const void *data, size_t len);
/* Text for XML character data and attribute values: &, <, >, " and '
 * as entities; bytes that are not well-formed UTF-8, control characters
 * and DEL as the text "\xNN" (names come from guest memory; the document
 * must stay valid XML 1.0 in UTF-8). */
void buf_xml(struct buf *b, const char *text);
void buf_free(struct buf *b);

/* $payload#cs into out (appended), escaping what must be escaped. */
void rsp_frame(struct buf *out, const char *payload, size_t len);

/* Hex helpers. hex_value: 0..15 or -1. hex_decode: bytes from 2*n
 * digits, -1 on a bad digit. parse_hex_u64: digits up to a stop char;
 * returns the end, NULL when there are no digits, a bad one or > 64 bits. */
int hex_value(int c);
int hex_decode(const char *hex, void *out, size_t n);
const char *parse_hex_u64(const char *s, uint64_t *v);

#endif
