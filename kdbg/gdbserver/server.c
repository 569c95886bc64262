/*
 * server.c - one debugger session: packets from the debugger are answered
 * here when they are about threads or OS tables, or when they ask for a
 * task's registers or memory; everything else goes to QEMU and its reply
 * comes back unchanged, except stop replies, which name the task that
 * was running. Run control (c, s, vCont) acts on the vCPU.
 */
#define _GNU_SOURCE
#include "gdbserver.h"
#include "osdata.h"
#include "regs.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define USER_END 0x00007ffffffff000ull   /* both arches (arch_context.h) */

static int reply(struct server *s, const char *p, size_t len)
{
	if (s->verbose)
		fprintf(stderr, "-> %.*s\n", len > 200 ? 200 : (int)len, p);
	return peer_send(&s->dbg, p, len);
}

static int reply_str(struct server *s, const char *p)
{
	return reply(s, p, strlen(p));
}

static int reply_buf(struct server *s, struct buf *b)
{
	int rc = b->failed ? reply_str(s, "E0c") : reply(s, b->p ? b->p : "", b->len);
	buf_free(b);
	return rc;
}

/* "E.text": GDB shows the text for packets that allow it. */
static int reply_error(struct server *s, const char *code, const char *text)
{
	if (s->verbose)
		fprintf(stderr, "kdbg-gdbserver: %s\n", text);
	return reply_str(s, code);
}

/* Forward a packet and send QEMU's reply back. */
static int forward(struct server *s, const char *p, size_t len)
{
	if (upstream_virtual_mode(s) < 0 || upstream_exchange(s, p, len) < 0)
		return -1;
	return reply(s, s->qemu.dec.buf, s->qemu.dec.len);
}

/* m/M/X for the vCPU, in pieces QEMU takes (2 KiB reads; writes within
 * its PacketSize). A read that fails part way answers what it got, as
 * the protocol allows; a write stops at the first error. */
static int forward_memory(struct server *s, const char *pkt, size_t len, uint64_t addr,
			  uint64_t n, const char *data)
{
	struct buf out = { 0 }, req = { 0 };
	size_t piece = pkt[0] == 'm' ? s->mem_packet : (s->qemu_packet - 48) / (pkt[0] == 'M' ? 2 : 1);
	size_t dlen = pkt[0] == 'm' ? 0 : len - (size_t)(data - pkt);

	if ((pkt[0] == 'm' && n <= piece) || (pkt[0] != 'm' && len + 8 <= s->qemu_packet))
		return forward(s, pkt, len);
	if (pkt[0] == 'M' && dlen != 2 * n)
		return reply_str(s, "E00");
	if (pkt[0] == 'X' && dlen != n)
		return reply_str(s, "E00");   /* the escapes are undone: one byte each */
	if (upstream_virtual_mode(s) < 0)
		return -1;
	for (uint64_t off = 0; off < n; off += piece) {
		size_t k = n - off < piece ? (size_t)(n - off) : piece;
		req.len = 0;
		buf_printf(&req, "%c%llx,%zx", pkt[0], (unsigned long long)(addr + off), k);
		if (pkt[0] != 'm') {
			buf_add(&req, ":", 1);
			buf_add(&req, data + (pkt[0] == 'M' ? 2 * off : off), pkt[0] == 'M' ? 2 * k : k);
		}
		if (req.failed || upstream_exchange(s, req.p, req.len) < 0) {
			buf_free(&req);
			buf_free(&out);
			return req.failed ? reply_str(s, "E0c") : -1;
		}
		const char *r = s->qemu.dec.buf;
		if (pkt[0] == 'm') {
			if (r[0] == 'E' || s->qemu.dec.len != 2 * k) {
				if (!out.len) {   /* nothing read: QEMU's error */
					buf_free(&req);
					buf_free(&out);
					return reply(s, r, s->qemu.dec.len);
				}
				break;
			}
			buf_add(&out, r, s->qemu.dec.len);
		} else if (strcmp(r, "OK")) {
			buf_free(&req);
			buf_free(&out);
			return reply(s, r, s->qemu.dec.len);
		}
	}
	buf_free(&req);
	if (pkt[0] != 'm')
		buf_str(&out, "OK");
	return reply_buf(s, &out);
}

/* A thread id: hex, or -1 (all) and 0 (any), both 0 here. */
static bool parse_tid(const char *p, int *tid)
{
	uint64_t v;

	if (!strcmp(p, "-1") || !strcmp(p, "0")) {
		*tid = 0;
		return true;
	}
	if (!(p = parse_hex_u64(p, &v)) || *p || v > 0x7fffffff)
		return false;
	*tid = (int)v;
	return true;
}

/* The task whose saved state the debugger's g/p/m mean, or NULL for the
 * vCPU (the running task, the idle loop, or before the kernel is read). */
static const struct kr_task *selected_task(struct server *s)
{
	if (!s->sel_g || s->sel_g == threads_current_tid(s))
		return NULL;
	return threads_task(s, s->sel_g);
}

/* qSupported: no multiprocess ids (thread ids stay plain), and the
 * server's own features added to QEMU's. */
static int handle_supported(struct server *s, const char *p)
{
	struct buf fwd = { 0 }, out = { 0 };
	const char *colon = strchr(p, ':');
	char *features, *tok, *save = NULL;

	buf_str(&fwd, "qSupported");
	if (colon) {
		const char *sep = ":";
		features = strdup(colon + 1);
		for (tok = features ? strtok_r(features, ";", &save) : NULL; tok;
		     tok = strtok_r(NULL, ";", &save)) {
			if (!strncmp(tok, "multiprocess", 12))
				continue;
			buf_printf(&fwd, "%s%s", sep, tok);
			sep = ";";
		}
		free(features);
	}
	if (fwd.failed || upstream_exchange(s, fwd.p, fwd.len) < 0) {
		buf_free(&fwd);
		return -1;
	}
	buf_free(&fwd);
	features = strdup(s->qemu.dec.buf);
	for (tok = features ? strtok_r(features, ";", &save) : NULL; tok;
	     tok = strtok_r(NULL, ";", &save)) {
		/* QEMU offers multiprocess whatever it was told; ids stay plain. */
		if (!strncmp(tok, "qXfer:threads:", 14) || !strncmp(tok, "qXfer:osdata:", 13) ||
		    !strncmp(tok, "multiprocess", 12))
			continue;
		if (!strncmp(tok, "PacketSize=", 11)) {
			uint64_t v;
			const char *e = parse_hex_u64(tok + 11, &v);
			if (e && !*e && v >= 256 && v <= PACKET_MAX)
				s->qemu_packet = v;
			buf_printf(&out, "PacketSize=%x;", OUR_PACKET);
			continue;
		}
		buf_printf(&out, "%s;", tok);
	}
	free(features);
	buf_str(&out, "qXfer:threads:read+;qXfer:osdata:read+");
	if (s->libraries.len)
		buf_str(&out, ";qXfer:libraries:read+");
	return reply_buf(s, &out);
}

/* An osdata table that could not be read: one row saying why, so that
 * `info os` shows the reason instead of GDB's "Can not fetch data now". */
static void osdata_error(struct buf *out, const char *table, const char *why)
{
	buf_str(out, "<?xml version=\"1.0\"?>\n<!DOCTYPE target SYSTEM \"osdata.dtd\">\n<osdata type=\"");
	buf_xml(out, table);
	buf_str(out, "\">\n<item>\n<column name=\"error\">");
	buf_xml(out, why);
	buf_str(out, "</column>\n</item>\n</osdata>\n");
}

/* QEMU's target description with <osabi>none</osabi>: Cairn is not
 * Linux, and GDB's default for AArch64 (GNU/Linux) would look for shared
 * libraries the Linux way and never ask for the user ELFs (--user-elf). */
static int target_xml(struct server *s, struct buf *out)
{
	char cmd[64];
	const char *arch_end;

	if (upstream_virtual_mode(s) < 0)
		return -1;
	for (size_t off = 0;;) {
		snprintf(cmd, sizeof cmd, "qXfer:features:read:target.xml:%zx,ffb", off);
		if (upstream_exchange(s, cmd, strlen(cmd)) < 0)
			return -1;
		const char *r = s->qemu.dec.buf;
		if ((r[0] != 'm' && r[0] != 'l') || s->qemu.dec.len > 0x1000) {
			out->failed = true;   /* QEMU has none: the caller says E0c */
			return 0;
		}
		buf_add(out, r + 1, s->qemu.dec.len - 1);
		off += s->qemu.dec.len - 1;
		if (r[0] == 'l' || out->failed || out->len > 1 << 20)
			break;
	}
	arch_end = out->p ? strstr(out->p, "</architecture>") : NULL;
	if (arch_end && !strstr(out->p, "<osabi>")) {
		struct buf patched = { 0 };
		size_t at = (size_t)(arch_end - out->p) + strlen("</architecture>");
		buf_add(&patched, out->p, at);
		buf_str(&patched, "<osabi>none</osabi>");
		buf_add(&patched, out->p + at, out->len - at);
		buf_free(out);
		*out = patched;
	}
	return 0;
}

/* qXfer:OBJECT:read:ANNEX:OFFSET,LENGTH for threads and osdata. */
static int handle_xfer(struct server *s, const char *object, const char *rest)
{
	char name[64], annex[48];
	const char *colon = strchr(rest, ':'), *p;
	uint64_t off, len;

	if (!colon || (size_t)(colon - rest) >= sizeof annex)
		return reply_str(s, "E00");
	memcpy(annex, rest, (size_t)(colon - rest));
	annex[colon - rest] = 0;
	if (!(p = parse_hex_u64(colon + 1, &off)) || *p != ',' ||
	    !(p = parse_hex_u64(p + 1, &len)) || *p)
		return reply_str(s, "E00");
	snprintf(name, sizeof name, "%s:%s", object, annex);
	/* A new document at offset 0; later pieces from the same one. */
	if (off == 0 || strcmp(name, s->xfer_name)) {
		buf_free(&s->xfer);
		if (!strcmp(object, "features")) {
			if (target_xml(s, &s->xfer) < 0)
				return -1;
		} else if (!strcmp(object, "threads") || !strcmp(object, "libraries")) {
			if (annex[0])
				return reply_str(s, "E00");
			if (object[0] == 't')
				threads_xml(s, &s->xfer);
			else
				buf_add(&s->xfer, s->libraries.p, s->libraries.len);
		} else {
			const struct kr_snapshot *snap = strcmp(annex, "") && strcmp(annex, "tasks")
				? threads_full_snapshot(s) : threads_snapshot(s);
			char *xml = snap ? osdata_xml(snap, annex) : NULL;
			if (!snap)
				osdata_error(&s->xfer, annex, s->snap_error);
			else if (!xml)
				osdata_error(&s->xfer, annex, "no such table: `info os` lists them");
			else
				buf_str(&s->xfer, xml);
			free(xml);
		}
		if (s->xfer.failed)
			return reply_str(s, "E0c");
		snprintf(s->xfer_name, sizeof s->xfer_name, "%s", name);
	}
	if (off >= s->xfer.len)
		return reply_str(s, "l");
	if (len > s->xfer.len - off)
		len = s->xfer.len - off;
	if (len > PACKET_MAX / 4)
		len = PACKET_MAX / 4;
	struct buf out = { 0 };
	buf_add(&out, off + len == s->xfer.len ? "l" : "m", 1);
	buf_add(&out, s->xfer.p + off, len);
	return reply_buf(s, &out);
}

static int handle_g(struct server *s, const struct kr_task *t)
{
	struct kr_context ctx;
	struct buf out = { 0 };

	if (kr_task_context(s->reader, t->addr, &ctx) < 0)
		return reply_error(s, "E0e", kr_error(s->reader));
	/* The vCPU's registers once a stop: GDB asks for every thread's. */
	if (!s->vcpu_g.len) {
		if (upstream_virtual_mode(s) < 0 || upstream_exchange(s, "g", 1) < 0)
			return -1;
		buf_add(&s->vcpu_g, s->qemu.dec.buf, s->qemu.dec.len);
	}
	buf_add(&out, s->vcpu_g.p, s->vcpu_g.len);
	if (out.failed || regs_patch_g(kr_elf_arch(s->elf), &ctx, out.p) < 0) {
		buf_free(&out);
		return reply_str(s, "E0e");
	}
	return reply_buf(s, &out);
}

static int handle_p(struct server *s, const struct kr_task *t, const char *pkt, size_t len)
{
	struct kr_context ctx;
	uint64_t reg;
	char hex[80];
	const char *end = parse_hex_u64(pkt + 1, &reg);

	if (!end || *end || reg > 4096)
		return reply_str(s, "E00");
	if (kr_task_context(s->reader, t->addr, &ctx) < 0)
		return reply_error(s, "E0e", kr_error(s->reader));
	if (regs_task_p(kr_elf_arch(s->elf), &ctx, (int)reg, hex, sizeof hex) < 0)
		return forward(s, pkt, len);   /* not saved per task: the vCPU's */
	return reply_str(s, hex);
}

/* m ADDR,LEN of a task that is not running: through its VSpace. */
static int handle_m(struct server *s, const struct kr_task *t, uint64_t addr, uint64_t len)
{
	struct buf out = { 0 };
	unsigned char *data;

	if (len > PACKET_MAX / 4)
		len = PACKET_MAX / 4;
	data = malloc(len ? len : 1);
	if (!data)
		return reply_str(s, "E0c");
	if (kr_task_user_read(s->reader, t->addr, addr, data, len) < 0) {
		free(data);
		return reply_error(s, "E0e", kr_error(s->reader));
	}
	buf_hex(&out, data, len);
	free(data);
	return reply_buf(s, &out);
}

/* c, s, C, S, vCont: the vCPU runs; its stop reply comes later. */
static int resume(struct server *s, const char *pkt, size_t len)
{
	struct buf fwd = { 0 };

	if (!strncmp(pkt, "vCont;", 6)) {
		/* Actions name the vCPU, whatever task the debugger chose. */
		for (size_t i = 0; i < len; i++) {
			if (pkt[i] == ':') {
				size_t j = i + 1;
				while (j < len && pkt[j] != ';')
					j++;
				buf_str(&fwd, strncmp(pkt + i + 1, "-1", 2) ? ":1" : ":-1");
				i = j - 1;
			} else {
				buf_add(&fwd, pkt + i, 1);
			}
		}
	} else {
		buf_add(&fwd, pkt, len);
	}
	if (fwd.failed || upstream_virtual_mode(s) < 0 || upstream_send(s, fwd.p, fwd.len) < 0) {
		buf_free(&fwd);
		return -1;
	}
	buf_free(&fwd);
	s->running = true;
	s->sel_g = 0;
	threads_invalidate(s);
	return 0;
}

static int send_stop_reply(struct server *s, const char *r, size_t len)
{
	struct buf out = { 0 }, copy = { 0 };

	s->running = false;
	threads_invalidate(s);
	/* r is QEMU's reply buffer, which reading the kernel reuses. */
	buf_add(&copy, r, len);
	threads_stop_reply(s, copy.p ? copy.p : "", copy.len, &out);
	buf_free(&copy);
	if (upstream_virtual_mode(s) < 0) {
		buf_free(&out);
		return -1;
	}
	return reply_buf(s, &out);
}

/* One packet from the debugger. Returns 0, 1 when the session ends, -1
 * when QEMU is gone. */
static int handle(struct server *s, char *pkt, size_t len)
{
	const struct kr_task *t;
	int tid;

	/* While the target runs (a debugger in non-stop mode, or a confused
	 * one), thread and table queries are answered here, saying so;
	 * anything else is QEMU's business. */
	if (s->running && strncmp(pkt, "qXfer:osdata:", 13) && strncmp(pkt, "qXfer:threads:", 14) &&
	    strcmp(pkt, "qfThreadInfo") && strcmp(pkt, "qsThreadInfo") && strcmp(pkt, "qC") &&
	    strncmp(pkt, "qThreadExtraInfo,", 17))
		return upstream_send(s, pkt, len);
	if (!strncmp(pkt, "qSupported", 10))
		return handle_supported(s, pkt);
	if (!strcmp(pkt, "QStartNoAckMode")) {
		if (upstream_exchange(s, pkt, len) < 0)
			return -1;
		if (strcmp(s->qemu.dec.buf, "OK"))
			return reply_str(s, s->qemu.dec.buf);
		s->qemu.noack = true;
		reply_str(s, "OK");
		s->dbg.noack = true;
		return 0;
	}
	if (pkt[0] == 'H' && (pkt[1] == 'g' || pkt[1] == 'c')) {
		if (!parse_tid(pkt + 2, &tid))
			return reply_str(s, "E00");
		if (pkt[1] == 'g') {
			if (tid && !threads_alive(s, tid))
				return reply_str(s, "E01");
			s->sel_g = tid;
		}
		return reply_str(s, "OK");
	}
	if (pkt[0] == 'T') {
		if (!parse_tid(pkt + 1, &tid) || !tid || !threads_alive(s, tid))
			return reply_str(s, "E01");
		return reply_str(s, "OK");
	}
	if (!strcmp(pkt, "qC")) {
		char r[24];
		snprintf(r, sizeof r, "QC%x", threads_current_tid(s));
		return reply_str(s, r);
	}
	if (!strcmp(pkt, "qfThreadInfo")) {
		struct buf out = { 0 };
		threads_list(s, &out);
		return reply_buf(s, &out);
	}
	if (!strcmp(pkt, "qsThreadInfo"))
		return reply_str(s, "l");
	if (!strncmp(pkt, "qThreadExtraInfo,", 17)) {
		struct buf text = { 0 }, out = { 0 };
		if (!parse_tid(pkt + 17, &tid) || !tid || !threads_alive(s, tid))
			return reply_str(s, "E01");
		threads_extra_info(s, tid, &text);
		buf_hex(&out, text.p ? text.p : "", text.len);
		buf_free(&text);
		return reply_buf(s, &out);
	}
	if (!strncmp(pkt, "qXfer:threads:read:", 19))
		return handle_xfer(s, "threads", pkt + 19);
	if (!strncmp(pkt, "qXfer:features:read:target.xml:", 31))
		return handle_xfer(s, "features", pkt + 20);
	if (!strncmp(pkt, "qXfer:libraries:read:", 21) && s->libraries.len)
		return handle_xfer(s, "libraries", pkt + 21);
	if (!strncmp(pkt, "qXfer:osdata:read:", 18))
		return handle_xfer(s, "osdata", pkt + 18);
	if (!strcmp(pkt, "?")) {
		if (upstream_virtual_mode(s) < 0 || upstream_exchange(s, pkt, len) < 0)
			return -1;
		return send_stop_reply(s, s->qemu.dec.buf, s->qemu.dec.len);
	}
	if (pkt[0] == 'c' || pkt[0] == 's' || pkt[0] == 'C' || pkt[0] == 'S' ||
	    (!strncmp(pkt, "vCont;", 6)))
		return resume(s, pkt, len);
	if (pkt[0] == 'D' || pkt[0] == 'k') {
		if (pkt[0] == 'k') {
			upstream_send(s, pkt, len);
			return 1;
		}
		int r = upstream_detach(s);
		if (r < 0)
			return -1;
		reply(s, s->qemu.dec.buf, s->qemu.dec.len);
		s->vm_was_running = false;   /* QEMU resumed it already */
		return 1;
	}

	/* Registers and memory of the thread chosen by Hg. */
	t = (pkt[0] == 'g' || pkt[0] == 'p' || pkt[0] == 'G' || pkt[0] == 'P' ||
	     pkt[0] == 'm' || pkt[0] == 'M' || pkt[0] == 'X') ? selected_task(s) : NULL;
	if (t && (pkt[0] == 'G' || pkt[0] == 'P'))
		return reply_error(s, "E01", "registers of a task that is not running are read-only");
	if (pkt[0] == 'G' || pkt[0] == 'P')
		s->vcpu_g.len = 0;
	if (t && pkt[0] == 'g' && len == 1)
		return handle_g(s, t);
	if (t && pkt[0] == 'p')
		return handle_p(s, t, pkt, len);
	if (pkt[0] == 'm' || pkt[0] == 'M' || pkt[0] == 'X') {
		uint64_t addr, n;
		const char *p = parse_hex_u64(pkt + 1, &addr);
		if (!p || *p != ',' || !(p = parse_hex_u64(p + 1, &n)) ||
		    (pkt[0] == 'm' && *p) || (pkt[0] != 'm' && *p != ':'))
			return reply_str(s, "E00");
		if (t && addr < USER_END) {
			if (pkt[0] != 'm')
				return reply_error(s, "E01", "memory of a task that is not running is read-only");
			return handle_m(s, t, addr, n);
		}
		if (pkt[0] != 'm')
			threads_invalidate(s);   /* the kernel's memory may have changed */
		return forward_memory(s, pkt, len, addr, n, p + 1);
	}
	return forward(s, pkt, len);
}

/* QEMU spoke on its own: a stop reply after a resume, console output. */
static int relay_from_qemu(struct server *s)
{
	enum rsp_event ev;

	while ((ev = peer_next(&s->qemu)) != RSP_NONE) {
		if (ev == RSP_NAK && s->qemu.last.len)
			peer_write(&s->qemu, s->qemu.last.p, s->qemu.last.len);
		if (ev == RSP_BAD)
			peer_ack(&s->qemu, '-');
		if (ev != RSP_PACKET)
			continue;
		peer_ack(&s->qemu, '+');
		const char *r = s->qemu.dec.buf;
		if (s->running && (r[0] == 'T' || r[0] == 'S')) {
			if (send_stop_reply(s, r, s->qemu.dec.len) < 0)
				return -1;
		} else {
			if (r[0] == 'W' || r[0] == 'X')
				s->running = false;
			reply(s, r, s->qemu.dec.len);
		}
	}
	return 0;
}

/* Whether a failure was QEMU's (gone, silent,
 * refusing) rather than the debugger's: every upstream failure sets
 * qemu_error (upstream.c gone(), set_phys_mode()). */
static bool qemu_failed(const struct server *s)
{
	return s->qemu_gone || s->qemu_error[0];
}

/* Closing a socket with unread bytes (the debugger's acks) resets it,
 * and the reset can throw away the 'O' and 'X' packets before the
 * debugger reads them. Send a FIN after them and read what comes until
 * the debugger closes too (1 s at most). */
static void linger_close(struct server *s)
{
	char junk[4096];
	long long deadline = now_ms() + 1000;

	if (s->dbg.fd < 0 || shutdown(s->dbg.fd, SHUT_WR) < 0)
		return;
	for (;;) {
		struct pollfd pfd = { .fd = s->dbg.fd, .events = POLLIN };
		long long ms = deadline - now_ms();
		if (ms <= 0 || poll(&pfd, 1, (int)ms) <= 0 || read(s->dbg.fd, junk, sizeof junk) <= 0)
			break;
	}
}

/* Tell the debugger QEMU is gone (console text, then an exit). */
static void report_qemu_gone(struct server *s)
{
	struct buf out = { 0 };
	char text[400];

	snprintf(text, sizeof text, "kdbg-gdbserver: %s\n",
		 s->qemu_error[0] ? s->qemu_error : "QEMU's gdbstub closed the connection");
	fputs(text, stderr);
	buf_str(&out, "O");
	buf_hex(&out, text, strlen(text));
	reply_buf(s, &out);
	reply_str(s, "X09");
	linger_close(s);
}

int serve(struct server *s, int dbg_fd)
{
	int result = 0;

	fcntl(dbg_fd, F_SETFL, fcntl(dbg_fd, F_GETFL) | O_NONBLOCK);
	peer_init(&s->dbg, dbg_fd, "debugger");
	s->sel_g = 0;
	threads_invalidate(s);
	for (;;) {
		struct pollfd pfd[2] = {
			{ .fd = s->dbg.fd, .events = POLLIN },
			{ .fd = s->qemu.fd, .events = POLLIN },
		};
		enum rsp_event ev;
		int rc;

		if (poll(pfd, 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		if (pfd[1].revents) {
			/* a stop reply that cannot be
			 * sent means the debugger went, not QEMU. */
			bool filled = peer_fill(&s->qemu) >= 0;
			if (filled && relay_from_qemu(s) < 0 && !qemu_failed(s))
				break;
			if (!filled || qemu_failed(s)) {
				s->qemu_gone = true;
				report_qemu_gone(s);
				result = -1;
				break;
			}
		}
		if (!pfd[0].revents)
			continue;
		if (peer_fill(&s->dbg) < 0)
			break;     /* the debugger went (perhaps mid-packet): done */
		rc = 0;
		while (rc == 0 && (ev = peer_next(&s->dbg)) != RSP_NONE) {
			switch (ev) {
			case RSP_PACKET:
				peer_ack(&s->dbg, '+');
				if (s->verbose)
					fprintf(stderr, "<- %.200s\n", s->dbg.dec.buf);
				rc = handle(s, s->dbg.dec.buf, s->dbg.dec.len);
				break;
			case RSP_BAD:
				peer_ack(&s->dbg, '-');
				break;
			case RSP_NAK:
				if (s->dbg.last.len)
					peer_write(&s->dbg, s->dbg.last.p, s->dbg.last.len);
				break;
			case RSP_INTERRUPT:
				if (s->running)
					upstream_send_raw(s, "\003", 1);
				break;
			default:
				break;
			}
		}
		/* a reply the debugger is no longer
		 * there to read (it went right after asking) fails with rc < 0
		 * too; that ends this session, it does not mean QEMU is gone. */
		if (rc < 0 && !qemu_failed(s))
			break;
		if (rc < 0 || s->qemu_gone) {
			report_qemu_gone(s);
			result = -1;
			break;
		}
		if (rc > 0)
			break;
	}
	peer_close(&s->dbg);
	return result;
}
