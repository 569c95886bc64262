/*
 * peer.c - one side of the server (the debugger or QEMU): a socket read
 * into a buffer and decoded into RSP events, and framed packets written.
 */
#include "gdbserver.h"

#include <errno.h>
#include <poll.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

void peer_init(struct peer *p, int fd, const char *name)
{
	memset(p, 0, sizeof *p);
	p->fd = fd;
	p->name = name;
	rsp_decoder_init(&p->dec, PACKET_MAX);
}

void peer_close(struct peer *p)
{
	if (p->fd >= 0)
		close(p->fd);
	p->fd = -1;
	rsp_decoder_free(&p->dec);
	buf_free(&p->last);
}

int peer_fill(struct peer *p)
{
	ssize_t n;

	if (p->fd < 0 || p->eof)
		return -1;
	if (p->rxpos < p->rxlen)
		return (int)(p->rxlen - p->rxpos);
	do
		n = read(p->fd, p->rx, sizeof p->rx);
	while (n < 0 && errno == EINTR);
	if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
		return 0;
	if (n <= 0) {
		p->eof = true;
		return -1;
	}
	p->rxpos = 0;
	p->rxlen = (size_t)n;
	return (int)n;
}

enum rsp_event peer_next(struct peer *p)
{
	while (p->rxpos < p->rxlen) {
		enum rsp_event ev = rsp_feed(&p->dec, p->rx[p->rxpos++]);
		if (ev != RSP_NONE)
			return ev;
	}
	return RSP_NONE;
}

long long now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
}

int peer_wait(struct peer *p, int timeout_ms, enum rsp_event *ev)
{
	long long deadline = now_ms() + timeout_ms;

	for (;;) {
		struct pollfd pfd = { .fd = p->fd, .events = POLLIN };
		long long left;
		int rc;

		*ev = peer_next(p);
		if (*ev != RSP_NONE)
			return 1;
		rc = peer_fill(p);
		if (rc < 0)
			return -1;
		left = deadline - now_ms();
		/* The deadline holds also for a peer
		 * that keeps sending bytes that are no event (noise). */
		if (rc > 0 && left > 0)
			continue;
		if (left <= 0)
			return 0;
		rc = poll(&pfd, 1, (int)left);
		if (rc < 0 && errno != EINTR)
			return -1;
	}
}

int peer_write(struct peer *p, const void *bytes, size_t len)
{
	const char *c = bytes;

	while (len && p->fd >= 0) {
		ssize_t n = write(p->fd, c, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
			/* The peer reads slowly: wait for room, a little. */
			struct pollfd pfd = { .fd = p->fd, .events = POLLOUT };
			if (poll(&pfd, 1, QEMU_TIMEOUT_MS) <= 0)
				return -1;
			continue;
		}
		if (n <= 0)
			return -1;
		c += n;
		len -= (size_t)n;
	}
	return p->fd >= 0 ? 0 : -1;
}

int peer_send(struct peer *p, const char *payload, size_t len)
{
	p->last.len = 0;
	rsp_frame(&p->last, payload, len);
	if (p->last.failed)
		return -1;
	return peer_write(p, p->last.p, p->last.len);
}

int peer_send_str(struct peer *p, const char *payload)
{
	return peer_send(p, payload, strlen(payload));
}

int peer_ack(struct peer *p, char ack)
{
	if (p->noack)
		return 0;
	return peer_write(p, &ack, 1);
}
