/*
 * qmp.h - a small QMP client for kdbg-top: one stream socket (unix or
 * TCP), newline-delimited JSON objects parsed with jansson, commands
 * matched to replies by "id", events handed to a callback as they pass.
 *
 * Nothing here waits longer than the timeout it is given. A peer that
 * sends garbage, an oversized line, closes, or lets a command time out
 * leaves the connection "broken" (qmp_broken()): the caller closes it and
 * connects again later. A QMP error reply ({"error": ...}) is only a
 * failed command; the connection stays usable.
 */
#ifndef KDBG_TOP_QMP_H
#define KDBG_TOP_QMP_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

/* A QMP line longer than this is garbage (QEMU's longest replies, `info
 * mtree -f` and xp, are tens of KiB). */
#define QMP_MAX_LINE (4u << 20)

struct qmp;

/* An event: {"event": NAME, "data": {...}, "timestamp": {...}} (borrowed). */
typedef void (*qmp_event_fn)(void *ctx, const json_t *event);

/*
 * Connect to addr ("unix:PATH" or "HOST:PORT", already resolved), read the
 * greeting, send qmp_capabilities. NULL and err on failure; the whole
 * handshake takes at most about 2 x timeout_ms.
 */
struct qmp *qmp_connect(const char *addr, int timeout_ms, qmp_event_fn on_event,
			void *ctx, char *err, size_t errlen);
/*
 * The same handshake over a socket already connected (stream or seqpacket;
 * the fuzzer uses a socketpair): fd becomes the connection's, closed by
 * qmp_close() or here on failure. name stands for the address in messages.
 */
struct qmp *qmp_open_fd(int fd, const char *name, int timeout_ms, qmp_event_fn on_event,
			void *ctx, char *err, size_t errlen);
void qmp_close(struct qmp *q);

/* The greeting's "version" object (borrowed), e.g. {"qemu": {"major": 7, ...}}. */
const json_t *qmp_version(const struct qmp *q);
/* QEMU's pid from SO_PEERCRED (unix sockets), 0 if unknown. */
pid_t qmp_peer_pid(const struct qmp *q);
/* True once the connection is unusable (EOF, garbage, timeout); why in err. */
bool qmp_broken(const struct qmp *q);
const char *qmp_broken_reason(const struct qmp *q);

/*
 * Run a command (args may be NULL; the reference is stolen). On success
 * returns the "return" value (a new reference, any JSON type). On failure
 * NULL and err: the QMP error's class and desc, or a transport problem
 * ("QMP command X timed out after N ms", which also breaks the connection).
 */
json_t *qmp_command(struct qmp *q, const char *cmd, json_t *args, int timeout_ms,
		    char *err, size_t errlen);
/* Convenience: the "return" must be an object/string; NULL and err otherwise. */
json_t *qmp_command_obj(struct qmp *q, const char *cmd, json_t *args, int timeout_ms,
			char *err, size_t errlen);
/* An HMP command through human-monitor-command; malloc'd text or NULL. */
char *qmp_hmp(struct qmp *q, const char *cmdline, int timeout_ms, char *err, size_t errlen);

/* Read whatever has arrived without waiting (events); -1 when broken. */
int qmp_pump(struct qmp *q);

/* Format into a caller's error buffer (err may be NULL): the error
 * convention of the QMP layer and of memmap.c. */
void seterr(char *err, size_t errlen, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

#endif
