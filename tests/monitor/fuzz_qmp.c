/*
 * fuzz_qmp.c - libFuzzer target: the input is what a QMP peer sends
 * (greeting, replies, events), read by kdbg/monitor/qmp.c's client over
 * a socketpair. The first byte sets the size of the pieces the rest is
 * written in: a SOCK_SEQPACKET socket hands each piece to one recv(), so
 * messages arrive split and joined at chosen places. Then the peer's end
 * is shut down, so the client sees EOF instead of waiting: nothing may
 * take long, crash, leak or break an invariant (a broken connection has
 * a reason, an error has a message). The commands are kdbg-top's: the
 * handshake, query-status, qom-list, HMP `info registers`, and HMP `xp`
 * for a read in QMP mode (qmpread.c parses its text), then events.
 * Seeds: tests/monitor/fuzz-corpus/qmp/ (QEMU 7.2 answering them).
 */
#define _GNU_SOURCE
#include "memmap.h"
#include "qmp.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define TIMEOUT_MS 2000     /* never reached: the peer's EOF comes first */
#define MAX_PIECES 128      /* socket buffer space for the pieces */

struct events {
	unsigned n;
	size_t chars;
};

/* What target.c's on_event reads of an event. */
static void on_event(void *ctx, const json_t *ev)
{
	struct events *e = ctx;
	const char *name = json_string_value(json_object_get(ev, "event"));
	json_t *data = json_object_get(ev, "data");
	json_t *ts = json_object_get(ev, "timestamp");

	if (!name)
		abort();   /* qmp.c passes on only events with a name */
	e->n++;
	e->chars += strlen(name);
	e->chars += json_integer_value(json_object_get(ts, "seconds")) & 1;
	e->chars += json_string_value(json_object_get(data, "reason")) != NULL;
	if (json_is_object(data) && json_object_size(data)) {
		char *text = json_dumps(data, JSON_COMPACT);
		if (text)
			e->chars += strlen(text);
		free(text);
	}
}

/* A command's outcome: a value, or an error message. */
static void check_reply(struct qmp *q, json_t *r, const char *err)
{
	if (!r && !err[0])
		abort();
	if (qmp_broken(q) && !qmp_broken_reason(q)[0])
		abort();
	json_decref(r);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct events ev = { 0, 0 };
	char err[256];
	struct qmp *q;
	size_t piece;
	int sv[2];

	if (!size)
		return 0;
	piece = 1 + data[0];
	data++;
	size--;
	if (piece < (size + MAX_PIECES - 1) / MAX_PIECES)
		piece = (size + MAX_PIECES - 1) / MAX_PIECES;
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0)
		abort();
	for (size_t off = 0; off < size; off += piece) {
		size_t n = size - off < piece ? size - off : piece;
		/* MAX_PIECES fit the default socket buffer; a smaller one cuts the input. */
		if (send(sv[1], data + off, n, MSG_DONTWAIT | MSG_NOSIGNAL) != (ssize_t)n)
			break;
	}
	shutdown(sv[1], SHUT_WR);

	err[0] = 0;
	q = qmp_open_fd(sv[0], "fuzz", TIMEOUT_MS, on_event, &ev, err, sizeof err);
	if (!q) {
		if (!err[0])
			abort();
	} else {
		/* What kdbg-top asks after connecting (target.c, memmap.c). */
		const json_t *v = qmp_version(q);
		char *s;
		if (v) {
			s = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
			free(s);
		}
		err[0] = 0;
		check_reply(q, qmp_command_obj(q, "query-status", NULL, TIMEOUT_MS, err, sizeof err), err);
		err[0] = 0;
		check_reply(q, qmp_command(q, "qom-list", json_pack("{s:s}", "path", "/objects"),
					   TIMEOUT_MS, err, sizeof err), err);
		err[0] = 0;
		s = qmp_hmp(q, "info registers", TIMEOUT_MS, err, sizeof err);
		if (!s && !err[0])
			abort();
		free(s);
		/* A QMP-mode read by HMP `xp` (qmpread.c parses its text): three
		 * words from 0x100000, of which 16 bytes from 0x100004. Only on a
		 * live connection (a broken one fails before parsing anything):
		 * qmpread_new() costs a 2 MiB cache and a temp file. */
		struct qmpread *rd = qmp_broken(q) ? NULL : qmpread_new(q, TIMEOUT_MS);
		unsigned char buf[16];
		if (rd) {
			int rc = qmpread_raw(rd, 0x100004, buf, sizeof buf, true);
			if (rc != 0 && rc != KR_EIO)
				abort();
			qmpread_free(rd);
		}
		if (qmp_pump(q) < 0 && !qmp_broken(q))
			abort();
		qmp_close(q);
	}
	close(sv[1]);
	return 0;
}
