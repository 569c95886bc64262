/*
 * upstream.c - the connection to QEMU's gdbstub: connect, one request and
 * its reply at a time while the target is stopped, and guest-physical
 * reads for kread through QEMU's physical-memory mode
 * (Qqemu.PhyMemMode:1), cached per stop in 4 KiB pages.
 */
#define _GNU_SOURCE
#include "gdbserver.h"

#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#define CACHE_SLOTS 8192        /* 32 MiB of pages at most per stop */

static int connect_addr(const char *addr, char *err, size_t errlen)
{
	int fd = -1;

	if (!strncmp(addr, "unix:", 5)) {
		struct sockaddr_un sa = { .sun_family = AF_UNIX };
		if (strlen(addr + 5) >= sizeof sa.sun_path) {
			snprintf(err, errlen, "%s: socket path too long", addr);
			return -1;
		}
		strcpy(sa.sun_path, addr + 5);
		fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
		if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof sa) < 0) {
			snprintf(err, errlen, "cannot connect to %s: %s", addr, strerror(errno));
			if (fd >= 0)
				close(fd);
			return -1;
		}
	} else {
		char host[256];
		const char *colon = strrchr(addr, ':');
		struct addrinfo hints = { .ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM }, *res, *ai;
		int rc, one = 1;

		if (!colon || colon == addr || !colon[1] || (size_t)(colon - addr) >= sizeof host) {
			snprintf(err, errlen, "%s: expected HOST:PORT or unix:PATH", addr);
			return -1;
		}
		memcpy(host, addr, (size_t)(colon - addr));
		host[colon - addr] = 0;
		rc = getaddrinfo(host, colon + 1, &hints, &res);
		if (rc) {
			snprintf(err, errlen, "%s: %s", addr, gai_strerror(rc));
			return -1;
		}
		errno = 0;
		for (ai = res; ai; ai = ai->ai_next) {
			fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC, ai->ai_protocol);
			if (fd < 0)
				continue;
			if (!connect(fd, ai->ai_addr, ai->ai_addrlen))
				break;
			close(fd);
			fd = -1;
		}
		freeaddrinfo(res);
		if (fd < 0) {
			snprintf(err, errlen, "cannot connect to QEMU's gdbstub at %s: %s", addr,
				 strerror(errno ? errno : ECONNREFUSED));
			return -1;
		}
		setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
	}
	fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
	return fd;
}

static int set_phys_mode(struct server *s, bool on);

int upstream_connect(struct server *s, const char *addr, char *err, size_t errlen)
{
	int fd = connect_addr(addr, err, errlen);

	if (fd < 0)
		return -1;
	peer_init(&s->qemu, fd, "QEMU");
	s->target = addr;
	s->qemu_gone = false;
	s->qemu_error[0] = 0;
	s->phys_mode = false;
	s->running = false;
	s->mem_packet = 2048;
	s->qemu_packet = 4096;   /* until qSupported says */
	upstream_invalidate(s);
	/* QEMU keeps its memory mode across clients: start from virtual, and
	 * find out at once whether this is a gdbstub at all. */
	s->phys_mode = true;
	s->saw_stop_notice = false;
	if (set_phys_mode(s, false) < 0) {
		snprintf(err, errlen, "%s", s->qemu_error);
		peer_close(&s->qemu);
		return -1;
	}
	/* QEMU wrote its "T02" (stopped by the new client) before reading
	 * anything of ours: if there was one, the VM had been running. */
	s->vm_was_running = s->saw_stop_notice;
	return 0;
}

int upstream_detach(struct server *s)
{
	if (upstream_virtual_mode(s) < 0 || upstream_exchange(s, "D", 1) < 0)
		return -1;
	if (s->qemu.dec.buf[0] == 'E' && upstream_exchange(s, "D;1", 3) < 0)
		return -1;
	return (unsigned char)s->qemu.dec.buf[0];
}

void upstream_release(struct server *s)
{
	if (s->qemu.fd < 0)
		return;
	if (!s->qemu_gone) {
		upstream_virtual_mode(s);
		if (s->vm_was_running)
			upstream_detach(s);
	}
	peer_close(&s->qemu);
	s->qemu_gone = true;   /* connect again for the next debugger */
	s->qemu_error[0] = 0;
}

static int gone(struct server *s, const char *why)
{
	if (!s->qemu_gone)
		snprintf(s->qemu_error, sizeof s->qemu_error, "QEMU's gdbstub at %s %s",
			 s->target, why);
	s->qemu_gone = true;
	return -1;
}

int upstream_send(struct server *s, const char *payload, size_t len)
{
	if (s->qemu_gone)
		return -1;
	if (peer_send(&s->qemu, payload, len) < 0)
		return gone(s, "closed the connection");
	return 0;
}

void upstream_send_raw(struct server *s, const char *bytes, size_t len)
{
	if (!s->qemu_gone && peer_write(&s->qemu, bytes, len) < 0)
		gone(s, "closed the connection");
}

/* "T05thread:01;...", "S05": never the reply to anything but '?'. */
static bool is_stop_reply(const char *r)
{
	if ((r[0] != 'T' && r[0] != 'S') || hex_value(r[1]) < 0 || hex_value(r[2]) < 0)
		return false;
	return r[0] == 'S' ? !r[3] : (!r[3] || strchr(r + 3, ':'));
}

int upstream_exchange(struct server *s, const char *payload, size_t len)
{
	enum rsp_event ev;
	int tries = 0, rc;
	/* One deadline for the reply, not one per
	 * event: a peer sending '+' (or stop replies) forever is silent. */
	long long deadline = now_ms() + QEMU_TIMEOUT_MS;

	if (upstream_send(s, payload, len) < 0)
		return -1;
	for (;;) {
		long long left = deadline - now_ms();
		rc = left > 0 ? peer_wait(&s->qemu, (int)left, &ev) : 0;
		if (rc < 0)
			return gone(s, "closed the connection");
		if (rc == 0)
			return gone(s, "did not answer in 5 s");
		switch (ev) {
		case RSP_NAK:       /* it got the packet damaged: again, a few times */
			if (++tries > 3)
				return gone(s, "keeps refusing packets");
			if (peer_write(&s->qemu, s->qemu.last.p, s->qemu.last.len) < 0)
				return gone(s, "closed the connection");
			break;
		case RSP_BAD:
			peer_ack(&s->qemu, '-');
			break;
		case RSP_PACKET:
			peer_ack(&s->qemu, '+');
			/* QEMU announces a stop of its own (a new client stops the
			 * VM: "T02thread:01;") before answering: not the reply. */
			if (is_stop_reply(s->qemu.dec.buf) && strcmp(payload, "?")) {
				s->saw_stop_notice = true;
				break;
			}
			return 0;
		default:            /* acks, notifications: nothing to do */
			break;
		}
	}
}

static int set_phys_mode(struct server *s, bool on)
{
	const char *cmd = on ? "Qqemu.PhyMemMode:1" : "Qqemu.PhyMemMode:0";

	if (s->phys_mode == on)
		return 0;
	if (upstream_exchange(s, cmd, strlen(cmd)) < 0)
		return -1;
	if (strcmp(s->qemu.dec.buf, "OK")) {
		snprintf(s->qemu_error, sizeof s->qemu_error,
			 "QEMU refused %s (\"%s\"): a QEMU older than 4.2?", cmd, s->qemu.dec.buf);
		return -1;
	}
	s->phys_mode = on;
	return 0;
}

int upstream_virtual_mode(struct server *s)
{
	return set_phys_mode(s, false);
}

void upstream_invalidate(struct server *s)
{
	for (int i = 0; s->cache && i < CACHE_SLOTS; i++)
		s->cache[i].gpa = ~0ull;
	s->ncache = 0;
}

/* One page from QEMU into p. */
static int fetch_page(struct server *s, uint64_t gpa, struct page *p)
{
	char cmd[48];

	if (set_phys_mode(s, true) < 0)
		return KR_EIO;
	for (unsigned off = 0; off < sizeof p->data;) {
		unsigned n = sizeof p->data - off;
		if (n > s->mem_packet)
			n = s->mem_packet;
		int len = snprintf(cmd, sizeof cmd, "m%llx,%x", (unsigned long long)(gpa + off), n);
		if (upstream_exchange(s, cmd, (size_t)len) < 0)
			return KR_EIO;
		if (s->qemu.dec.len != 2 * n || hex_decode(s->qemu.dec.buf, p->data + off, n) < 0) {
			/* E22: too long for this QEMU; halve once and again. */
			if (s->qemu.dec.buf[0] == 'E' && n > 256) {
				s->mem_packet = n / 2;
				continue;
			}
			return KR_EIO;
		}
		off += n;
	}
	p->gpa = gpa;
	return 0;
}

int upstream_read_phys(void *ctx, uint64_t gpa, void *buf, size_t len)
{
	struct server *s = ctx;
	unsigned char *out = buf;

	if (s->running || s->qemu_gone)
		return KR_EIO;
	if (!s->cache) {
		s->cache = malloc(CACHE_SLOTS * sizeof *s->cache);
		if (!s->cache)
			return KR_ENOMEM;
		s->ncache = 1;   /* force the clear below */
		upstream_invalidate(s);
	}
	while (len) {
		uint64_t page = gpa & ~4095ull;
		size_t off = gpa - page, n = 4096 - off;
		unsigned slot = (unsigned)((page >> 12) * 2654435761u) % CACHE_SLOTS;
		struct page *p = &s->cache[slot];

		if (n > len)
			n = len;
		if (p->gpa != page) {
			int rc = fetch_page(s, page, p);
			if (rc < 0) {
				p->gpa = ~0ull;
				return rc;
			}
			s->ncache++;
		}
		memcpy(out, p->data + off, n);
		out += n;
		gpa += n;
		len -= n;
	}
	return 0;
}
