/*
 * qmp.c - QMP over a stream socket, never blocking past a deadline.
 *
 * The socket is non-blocking; every wait is a poll() bounded by the
 * command's deadline. Incoming bytes collect in one buffer that is split
 * at '\n' and each line parsed with jansson (QEMU ends lines with "\r\n";
 * the '\r' is whitespace to JSON). One read may carry several messages or
 * half of one: both are handled by keeping the unparsed tail. Anything
 * that is not a JSON object, or a line over QMP_MAX_LINE, means we no
 * longer know where messages start, so the connection is marked broken
 * rather than guessed at.
 */
#define _GNU_SOURCE
#include "qmp.h"

#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

struct qmp {
	int fd;
	char *buf;              /* received, not yet parsed */
	size_t len, cap;
	long long next_id;
	bool broken;
	char reason[256];
	json_t *version;
	pid_t pid;
	qmp_event_fn on_event;
	void *ctx;
};

static long long now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void seterr(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;
	if (!err || !errlen)
		return;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}

static void breakq(struct qmp *q, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void breakq(struct qmp *q, const char *fmt, ...)
{
	va_list ap;
	if (q->broken)          /* keep the first reason: it is the cause */
		return;
	q->broken = true;
	va_start(ap, fmt);
	vsnprintf(q->reason, sizeof q->reason, fmt, ap);
	va_end(ap);
}

/* A printable excerpt of bad input for an error message. */
static void excerpt(const char *s, size_t n, char *out, size_t outlen)
{
	size_t j = 0;
	for (size_t i = 0; i < n && j + 4 < outlen && i < 40; i++)
		out[j++] = (s[i] >= 0x20 && s[i] < 0x7f) ? s[i] : '?';
	if (n > 40 && j + 4 < outlen) {
		memcpy(out + j, "...", 3);
		j += 3;
	}
	out[j] = 0;
}

/* ---- connecting ------------------------------------------------------- */

/* Wait for a non-blocking connect(); 0 or -1 with err. */
static int finish_connect(int fd, const char *addr, int timeout_ms, char *err, size_t errlen)
{
	struct pollfd p = { .fd = fd, .events = POLLOUT };
	int r, soerr = 0;
	socklen_t sl = sizeof soerr;

	do
		r = poll(&p, 1, timeout_ms);
	while (r < 0 && errno == EINTR);
	if (r == 0) {
		seterr(err, errlen, "connecting to %s timed out after %d ms", addr, timeout_ms);
		return -1;
	}
	if (r < 0 || getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr, &sl) < 0)
		soerr = errno;
	if (soerr) {
		seterr(err, errlen, "cannot connect to %s: %s", addr, strerror(soerr));
		return -1;
	}
	return 0;
}

static int connect_unix(const char *path, int timeout_ms, pid_t *pid, char *err, size_t errlen)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd;

	if (strlen(path) >= sizeof sa.sun_path) {
		seterr(err, errlen, "socket path too long: %s", path);
		return -1;
	}
	strcpy(sa.sun_path, path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0) {
		seterr(err, errlen, "socket: %s", strerror(errno));
		return -1;
	}
	if (connect(fd, (struct sockaddr *)&sa, sizeof sa) < 0) {
		/* A unix connect only waits when the listener's backlog is full. */
		if (errno != EINPROGRESS && errno != EAGAIN) {
			seterr(err, errlen, "cannot connect to %s: %s", path, strerror(errno));
			close(fd);
			return -1;
		}
		if (finish_connect(fd, path, timeout_ms, err, errlen) < 0) {
			close(fd);
			return -1;
		}
	}
	/* The peer is QEMU itself: its pid is what process_vm_readv needs. */
	struct ucred cred;
	socklen_t cl = sizeof cred;
	*pid = getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &cl) == 0 ? cred.pid : 0;
	return fd;
}

static int connect_tcp(const char *addr, int timeout_ms, char *err, size_t errlen)
{
	char host[256];
	const char *colon = strrchr(addr, ':');
	struct addrinfo hints = { .ai_socktype = SOCK_STREAM }, *res, *ai;
	int fd = -1, rc;

	if (!colon || colon == addr || !colon[1] || (size_t)(colon - addr) >= sizeof host) {
		seterr(err, errlen, "bad QMP address '%s' (want unix:PATH, PATH or HOST:PORT)", addr);
		return -1;
	}
	memcpy(host, addr, colon - addr);
	host[colon - addr] = 0;
	if (host[0] == '[' && host[strlen(host) - 1] == ']') {   /* [::1]:4444 */
		memmove(host, host + 1, strlen(host));
		host[strlen(host) - 1] = 0;
	}
	rc = getaddrinfo(host, colon + 1, &hints, &res);
	if (rc) {
		seterr(err, errlen, "cannot resolve %s: %s", addr, gai_strerror(rc));
		return -1;
	}
	seterr(err, errlen, "cannot connect to %s", addr);
	for (ai = res; ai; ai = ai->ai_next) {
		fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC | SOCK_NONBLOCK,
			    ai->ai_protocol);
		if (fd < 0)
			continue;
		if (connect(fd, ai->ai_addr, ai->ai_addrlen) == 0 ||
		    (errno == EINPROGRESS && finish_connect(fd, addr, timeout_ms, err, errlen) == 0))
			break;
		if (errno != EINPROGRESS)
			seterr(err, errlen, "cannot connect to %s: %s", addr, strerror(errno));
		close(fd);
		fd = -1;
	}
	freeaddrinfo(res);
	return fd;
}

/* ---- receiving -------------------------------------------------------- */

/* Wait until deadline for bytes; 1 got some, 0 timed out, -1 broken. */
static int read_some(struct qmp *q, long long deadline)
{
	for (;;) {
		long long left = deadline - now_ms();
		struct pollfd p = { .fd = q->fd, .events = POLLIN };
		int r = poll(&p, 1, left > 0 ? (int)left : 0);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			breakq(q, "QMP poll: %s", strerror(errno));
			return -1;
		}
		if (r == 0)
			return 0;
		if (q->cap - q->len < 65536) {
			size_t ncap = q->cap ? q->cap * 2 : 131072;
			char *nb = realloc(q->buf, ncap);
			if (!nb) {
				breakq(q, "out of memory reading QMP");
				return -1;
			}
			q->buf = nb;
			q->cap = ncap;
		}
		ssize_t n = recv(q->fd, q->buf + q->len, q->cap - q->len, 0);
		if (n > 0) {
			q->len += n;
			return 1;
		}
		if (n < 0 && (errno == EAGAIN || errno == EINTR))
			continue;
		if (n == 0 || errno == ECONNRESET)   /* QEMU exited (reset: it was killed) */
			breakq(q, q->len ? "QMP connection closed in the middle of a message (VM exited?)"
				       : "QMP connection closed (VM exited?)");
		else
			breakq(q, "QMP connection lost: %s", strerror(errno));
		return -1;
	}
}

/* The next complete message from the buffer: 1 (*out set), 0 need more, -1 broken. */
static int next_message(struct qmp *q, json_t **out)
{
	for (;;) {
		char *nl = q->len ? memchr(q->buf, '\n', q->len) : NULL;
		if (!nl) {
			if (q->len > QMP_MAX_LINE) {
				breakq(q, "garbage from QMP: a line longer than %u bytes", QMP_MAX_LINE);
				return -1;
			}
			return 0;
		}
		size_t linelen = nl - q->buf, rest = q->len - linelen - 1;
		size_t i = 0;
		while (i < linelen && (q->buf[i] == ' ' || q->buf[i] == '\r' || q->buf[i] == '\t'))
			i++;
		json_t *msg = NULL;
		json_error_t jerr;
		if (i < linelen) {
			msg = json_loadb(q->buf, linelen, 0, &jerr);
			if (!msg || !json_is_object(msg)) {
				char ex[64];
				excerpt(q->buf + i, linelen - i, ex, sizeof ex);
				breakq(q, "garbage from QMP: '%s'%s%s", ex, msg ? " (not an object)" : ": ",
				       msg ? "" : jerr.text);
				json_decref(msg);
				return -1;
			}
		}
		memmove(q->buf, nl + 1, rest);
		q->len = rest;
		if (msg) {
			*out = msg;
			return 1;
		}
	}
}

/* Hand an event to the callback; true if msg was one. */
static bool dispatch_event(struct qmp *q, json_t *msg)
{
	if (!json_is_string(json_object_get(msg, "event")))
		return false;
	if (q->on_event)
		q->on_event(q->ctx, msg);
	return true;
}

int qmp_pump(struct qmp *q)
{
	json_t *msg;
	if (q->broken)
		return -1;
	for (;;) {
		int r = next_message(q, &msg);
		if (r < 0)
			return -1;
		if (r == 0) {
			r = read_some(q, now_ms());
			if (r <= 0)
				return r;
			continue;
		}
		/* Outside a command only events are expected; a late reply to a
		 * command we gave up on cannot happen (a timeout breaks the
		 * connection), anything else is dropped. */
		dispatch_event(q, msg);
		json_decref(msg);
	}
}

/* ---- sending ---------------------------------------------------------- */

static int send_all(struct qmp *q, const char *s, size_t n, long long deadline)
{
	while (n) {
		/* MSG_NOSIGNAL: a peer that went away must not SIGPIPE us. */
		ssize_t w = send(q->fd, s, n, MSG_NOSIGNAL);
		if (w > 0) {
			s += w;
			n -= w;
			continue;
		}
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0 && errno == EAGAIN) {
			long long left = deadline - now_ms();
			struct pollfd p = { .fd = q->fd, .events = POLLOUT };
			if (left <= 0 || poll(&p, 1, (int)left) == 0) {
				breakq(q, "QMP peer does not read its socket");
				return -1;
			}
			continue;
		}
		breakq(q, errno == EPIPE || errno == ECONNRESET ? "QMP connection closed (VM exited?)"
								: "QMP send: %s", strerror(errno));
		return -1;
	}
	return 0;
}

/* label names the command in messages ("HMP info mtree -f" for HMP). */
static json_t *command(struct qmp *q, const char *cmd, const char *label, json_t *args,
		       int timeout_ms, char *err, size_t errlen)
{
	long long deadline = now_ms() + timeout_ms;
	long long id;
	json_t *req, *msg, *ret = NULL;
	char *text;
	int rc;

	if (q->broken) {
		json_decref(args);
		seterr(err, errlen, "%s", q->reason);
		return NULL;
	}
	id = ++q->next_id;
	req = json_pack("{s:s, s:I}", "execute", cmd, "id", (json_int_t)id);
	if (args)
		json_object_set_new(req, "arguments", args);
	text = json_dumps(req, JSON_COMPACT);
	json_decref(req);
	if (!text) {
		seterr(err, errlen, "cannot encode QMP command %s", cmd);
		return NULL;
	}
	/* The command, then its line end (QMP reads JSON objects, not lines,
	 * but a newline keeps QEMU's trace readable). */
	rc = send_all(q, text, strlen(text), deadline);
	free(text);
	if (rc < 0 || send_all(q, "\n", 1, deadline) < 0) {
		seterr(err, errlen, "%s", q->reason);
		return NULL;
	}

	for (;;) {
		int r = next_message(q, &msg);
		if (r < 0)
			break;
		if (r == 0) {
			r = read_some(q, deadline);
			if (r < 0)
				break;
			if (r == 0) {
				breakq(q, "%s timed out after %d ms", label, timeout_ms);
				break;
			}
			continue;
		}
		if (dispatch_event(q, msg)) {
			json_decref(msg);
			continue;
		}
		json_t *jid = json_object_get(msg, "id");
		bool mine = !jid || (json_is_integer(jid) && json_integer_value(jid) == id);
		json_t *rv = json_object_get(msg, "return"), *ev = json_object_get(msg, "error");
		if (!mine || (!rv && !ev)) {
			json_decref(msg);   /* not a reply to this command */
			continue;
		}
		if (rv) {
			ret = json_incref(rv);
		} else {
			const char *cls = json_string_value(json_object_get(ev, "class"));
			const char *desc = json_string_value(json_object_get(ev, "desc"));
			if (cls)
				seterr(err, errlen, "%s: %s (%s)", label, desc ? desc : "error", cls);
			else
				seterr(err, errlen, "%s: %s", label, desc ? desc : "error");
		}
		json_decref(msg);
		return ret;
	}
	seterr(err, errlen, "%s", q->reason);
	return NULL;
}

json_t *qmp_command(struct qmp *q, const char *cmd, json_t *args, int timeout_ms,
		    char *err, size_t errlen)
{
	char label[96];
	snprintf(label, sizeof label, "QMP command %.80s", cmd);
	return command(q, cmd, label, args, timeout_ms, err, errlen);
}

json_t *qmp_command_obj(struct qmp *q, const char *cmd, json_t *args, int timeout_ms,
			char *err, size_t errlen)
{
	json_t *r = qmp_command(q, cmd, args, timeout_ms, err, errlen);
	if (r && !json_is_object(r)) {
		seterr(err, errlen, "QMP %s: unexpected reply (not an object)", cmd);
		json_decref(r);
		return NULL;
	}
	return r;
}

char *qmp_hmp(struct qmp *q, const char *cmdline, int timeout_ms, char *err, size_t errlen)
{
	char label[96];
	snprintf(label, sizeof label, "HMP %.80s", cmdline);
	json_t *r = command(q, "human-monitor-command", label,
			    json_pack("{s:s}", "command-line", cmdline), timeout_ms, err, errlen);
	char *s = NULL;
	if (!r)
		return NULL;
	if (json_is_string(r))
		s = strdup(json_string_value(r));
	else
		seterr(err, errlen, "HMP %s: unexpected reply (not a string)", cmdline);
	json_decref(r);
	return s;
}

/* ---- the connection ----------------------------------------------------- */

/* The greeting and qmp_capabilities on a connected non-blocking socket,
 * which is the new connection's (or closed on failure). */
static struct qmp *handshake(int fd, pid_t pid, const char *addr, int timeout_ms,
			     qmp_event_fn on_event, void *ctx, char *err, size_t errlen)
{
	struct qmp *q = calloc(1, sizeof *q);
	json_t *msg = NULL, *r;
	long long deadline;
	int rc;

	if (!q) {
		seterr(err, errlen, "out of memory");
		close(fd);
		return NULL;
	}
	q->on_event = on_event;
	q->ctx = ctx;
	q->fd = fd;
	q->pid = pid;

	/* The greeting: {"QMP": {"version": ..., "capabilities": [...]}}. */
	deadline = now_ms() + timeout_ms;
	while ((rc = next_message(q, &msg)) == 0) {
		rc = read_some(q, deadline);
		if (rc < 0)
			break;
		if (rc == 0) {
			seterr(err, errlen, "no QMP greeting from %s within %d ms (another client on it? "
			       "QMP serves one client per socket)", addr, timeout_ms);
			goto fail;
		}
	}
	if (rc < 0) {
		seterr(err, errlen, "%s", q->reason);
		goto fail;
	}
	json_t *g = json_object_get(msg, "QMP");
	if (!json_is_object(g)) {
		seterr(err, errlen, "%s is not a QMP socket (no QMP greeting)", addr);
		goto fail;
	}
	q->version = json_incref(json_object_get(g, "version"));
	json_decref(msg);
	msg = NULL;

	r = qmp_command(q, "qmp_capabilities", NULL, timeout_ms, err, errlen);
	if (!r)
		goto fail;
	json_decref(r);
	return q;
fail:
	json_decref(msg);
	qmp_close(q);
	return NULL;
}

struct qmp *qmp_connect(const char *addr, int timeout_ms, qmp_event_fn on_event,
			void *ctx, char *err, size_t errlen)
{
	pid_t pid = 0;
	int fd;

	if (!strncmp(addr, "unix:", 5))
		fd = connect_unix(addr + 5, timeout_ms, &pid, err, errlen);
	else
		fd = connect_tcp(addr, timeout_ms, err, errlen);
	if (fd < 0)
		return NULL;
	return handshake(fd, pid, addr, timeout_ms, on_event, ctx, err, errlen);
}

struct qmp *qmp_open_fd(int fd, const char *name, int timeout_ms, qmp_event_fn on_event,
			void *ctx, char *err, size_t errlen)
{
	int fl = fcntl(fd, F_GETFL);
	if (fl < 0 || fcntl(fd, F_SETFL, fl | O_NONBLOCK) < 0) {
		seterr(err, errlen, "%s: %s", name, strerror(errno));
		close(fd);
		return NULL;
	}
	return handshake(fd, 0, name, timeout_ms, on_event, ctx, err, errlen);
}

void qmp_close(struct qmp *q)
{
	if (!q)
		return;
	if (q->fd >= 0)
		close(q->fd);
	json_decref(q->version);
	free(q->buf);
	free(q);
}

const json_t *qmp_version(const struct qmp *q) { return q->version; }
pid_t qmp_peer_pid(const struct qmp *q) { return q->pid; }
bool qmp_broken(const struct qmp *q) { return q->broken; }
const char *qmp_broken_reason(const struct qmp *q) { return q->reason; }
