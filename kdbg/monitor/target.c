/*
 * target.c - kdbg-top's connection to one VM (see target.h).
 *
 * The life of a target: target_new opens the ELF; target_poll connects
 * (resolve the spec, QMP handshake, run state, accelerator, then find
 * guest RAM: shared file, else QEMU's address space, else QMP reads) and
 * afterwards only drains events. Anything that breaks the QMP connection
 * (EOF, garbage, a timeout) drops the connection and the memory source
 * together; target_poll tries again at most every 500 ms and, on success,
 * discovers RAM afresh (a restarted QEMU has a new file, pid and layout).
 *
 * Snapshots of a running guest are taken without stopping it: the
 * library's seqlock check says when a copy was torn; a few quick retries
 * almost always succeed, and only then is the VM paused for one read.
 */
#define _GNU_SOURCE
#include "target.h"
#include "memmap.h"
#include "qmp.h"
#include "target_util.h"

#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <sched.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define RECONNECT_MS    500     /* at most two connection attempts a second */
#define PAUSE_TRIES     6       /* stops that find the kernel mid-update, then take it */
#define HUNG_RETRY_MS   4500    /* plus RECONNECT_MS: 5 s between attempts on a hung QEMU */
#define REGS_MS         250     /* `info registers` at most four times a second */
#define DUMP_TIMEOUT_MS 60000   /* dump-guest-memory of a few hundred MiB */
#define NREGS           64
#define HIST            512     /* snapshots remembered for the per-second stats */

struct snap_rec {
	double t, ms;
	int retries;
	bool paused;
};

struct target {
	char *spec, *elf_path, *core_dir;
	struct target_opts o;
	char addr[600];              /* the spec resolved: "unix:PATH" or "HOST:PORT" */
	bool libvirt;
	struct kr_elf *elf;
	struct kr_reader *reader;

	struct qmp *q;
	pid_t pid;
	bool connected, ever_connected;
	double last_attempt;
	char run_state[32], accel[16], message[512];

	struct kr_mem *mem;
	struct qmpread *qr;
	enum target_mem_mode mode;
	char mode_name[48];
	struct memmap_info mi;

	struct target_event events[TARGET_EVENTS];
	int nevents;
	int own_stops, own_resumes;  /* STOP/RESUME events our own pauses will echo */
	bool panicked;

	struct target_reg regs[NREGS];
	int nregs;
	double regs_time;

	struct snap_rec hist[HIST];
	int hist_head, hist_n;
	uint64_t snapshots, retries, pauses;
	bool message_from_snapshot;  /* message[] says why a snapshot failed */
};

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void msg(struct target *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void msg(struct target *t, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(t->message, sizeof t->message, fmt, ap);
	va_end(ap);
	t->message_from_snapshot = false;
}

/* ---- events ------------------------------------------------------------- */

static void add_event(struct target *t, double when, const char *name, const char *detail)
{
	struct target_event *e;
	if (t->nevents == TARGET_EVENTS) {   /* drop the oldest; keep the array in order */
		memmove(t->events, t->events + 1, sizeof t->events[0] * (TARGET_EVENTS - 1));
		t->nevents--;
	}
	e = &t->events[t->nevents++];
	e->time = when;
	snprintf(e->name, sizeof e->name, "%s", name);
	snprintf(e->detail, sizeof e->detail, "%s", detail);
}

static void on_event(void *ctx, const json_t *ev)
{
	struct target *t = ctx;
	const char *name = json_string_value(json_object_get(ev, "event"));
	json_t *data = json_object_get(ev, "data");
	json_t *ts = json_object_get(ev, "timestamp");
	double when = json_integer_value(json_object_get(ts, "seconds")) +
		      json_integer_value(json_object_get(ts, "microseconds")) / 1e6;
	char detail[96] = "";
	const char *s;

	if (!when) {
		struct timespec rt;
		clock_gettime(CLOCK_REALTIME, &rt);
		when = rt.tv_sec + rt.tv_nsec / 1e9;
	}
	/* Our own pause for a snapshot is not news. */
	if (!strcmp(name, "STOP") && t->own_stops > 0) {
		t->own_stops--;
		return;
	}
	if (!strcmp(name, "RESUME") && t->own_resumes > 0) {
		t->own_resumes--;
		return;
	}
	if (!strcmp(name, "STOP"))
		snprintf(t->run_state, sizeof t->run_state, "paused");
	else if (!strcmp(name, "RESUME"))
		snprintf(t->run_state, sizeof t->run_state, "running");
	else if (!strcmp(name, "SHUTDOWN"))
		snprintf(t->run_state, sizeof t->run_state, "shutdown");
	else if (!strcmp(name, "GUEST_PANICKED")) {
		snprintf(t->run_state, sizeof t->run_state, "guest-panicked");
		t->panicked = true;
	}
	if ((s = json_string_value(json_object_get(data, "reason"))))
		snprintf(detail, sizeof detail, "reason: %s", s);
	else if ((s = json_string_value(json_object_get(data, "action"))))
		snprintf(detail, sizeof detail, "action: %s", s);
	else if (json_is_object(data) && json_object_size(data)) {
		char *text = json_dumps(data, JSON_COMPACT);
		if (text)
			snprintf(detail, sizeof detail, "%s", text);
		free(text);
	}
	add_event(t, when, name, detail);
}

/* ---- connecting ------------------------------------------------------------- */

static void close_mem(struct target *t)
{
	if (t->reader)
		kr_reader_set_mem(t->reader, NULL);
	kr_mem_close(t->mem);
	t->mem = NULL;
	qmpread_free(t->qr);
	t->qr = NULL;
	t->mode = MEM_NONE;
	snprintf(t->mode_name, sizeof t->mode_name, "none");
}

static void disconnect(struct target *t, const char *why)
{
	close_mem(t);
	if (t->q) {
		if (!why)
			why = qmp_broken_reason(t->q);
		msg(t, "%s", why && why[0] ? why : "QMP connection closed (VM exited?)");
		qmp_close(t->q);
		t->q = NULL;
	}
	t->connected = false;
	t->own_stops = t->own_resumes = 0;
	snprintf(t->run_state, sizeof t->run_state, "disconnected");
}

static void query_status(struct target *t)
{
	char err[256];
	json_t *r = qmp_command_obj(t->q, "query-status", NULL, t->o.qmp_timeout_ms, err, sizeof err);
	const char *s = r ? json_string_value(json_object_get(r, "status")) : NULL;
	snprintf(t->run_state, sizeof t->run_state, "%s", s ? s : "unknown");
	if (s && !strcmp(s, "guest-panicked"))
		t->panicked = true;
	if (!r)
		msg(t, "%s", err);
	else if (!s)
		msg(t, "QMP query-status: unexpected reply (no status)");
	json_decref(r);
}

/* QEMU 7.2 has no query-accelerators; query-kvm says whether KVM is on. */
static void query_accel(struct target *t)
{
	char err[256];
	json_t *r = qmp_command_obj(t->q, "query-kvm", NULL, t->o.qmp_timeout_ms, err, sizeof err);
	snprintf(t->accel, sizeof t->accel, "%s",
		 !r ? "?" : json_is_true(json_object_get(r, "enabled")) ? "kvm" : "tcg");
	json_decref(r);
}

/* Where a snapshot's seq reads land: they must bypass the QMP read cache. */
static void set_nocache(struct target *t)
{
	uint64_t va, pa;
	if (!t->qr || !t->reader || !t->elf)
		return;
	va = kr_elf_symbol(t->elf, "kernel_debug");
	if (va && kr_virt_to_phys(t->reader, va, &pa))
		qmpread_nocache(t->qr, pa, 64);
}

/* Find guest RAM the best way allowed; leaves the reason in the message on failure. */
static void discover_mem(struct target *t)
{
	enum target_mem_pref p = t->o.mem;
	char err_s[512] = "", err_p[512] = "";
	int to = t->o.qmp_timeout_ms;

	close_mem(t);
	memset(&t->mi, 0, sizeof t->mi);
	if ((p == PREF_AUTO || p == PREF_SHARED) &&
	    memmap_open_shared(t->q, t->pid, to, &t->mem, &t->mi, err_s, sizeof err_s) == 0) {
		t->mode = MEM_SHARED;
		snprintf(t->mode_name, sizeof t->mode_name, "shared memory");
	} else if (qmp_broken(t->q)) {
		return;
	} else if ((p == PREF_AUTO || p == PREF_PROCESS) &&
		   memmap_open_process(t->q, t->pid, to, &t->mem, &t->mi, err_p, sizeof err_p) == 0) {
		t->mode = MEM_PROCESS;
		snprintf(t->mode_name, sizeof t->mode_name, "process_vm_readv");
	} else if (qmp_broken(t->q)) {
		return;
	} else if (p == PREF_AUTO || p == PREF_QMP) {
		t->qr = qmpread_new(t->q, to);
		if (t->qr && qmpread_open(t->qr, &t->mem) == 0) {
			t->mode = MEM_QMP;
			/* Probe once so the screen names the method really used. */
			uint64_t probe;
			kr_mem_read_phys(t->mem, t->elf && !strcmp(kr_elf_arch(t->elf), "aarch64") ?
					 0x40000000 : 0x100000, &probe, sizeof probe);
			snprintf(t->mode_name, sizeof t->mode_name, "QMP %s", qmpread_method(t->qr));
		} else {
			qmpread_free(t->qr);
			t->qr = NULL;
		}
	}
	if (!t->mem) {
		if (p == PREF_SHARED)
			msg(t, "%s", err_s);
		else if (p == PREF_PROCESS)
			msg(t, "%s", err_p);
		else
			msg(t, "no way to read guest memory");
		return;
	}
	if (t->reader) {
		kr_reader_set_mem(t->reader, t->mem);
	} else if (t->elf && kr_reader_new(t->elf, t->mem, &t->reader) < 0) {
		msg(t, "cannot create the kernel reader");
		t->reader = NULL;
	}
	set_nocache(t);
}

static bool try_connect(struct target *t)
{
	char err[512];
	double now = now_s();

	if (now - t->last_attempt < RECONNECT_MS / 1000.0)
		return false;
	t->last_attempt = now;
	/* libvirt: resolve once and again only when the old socket fails. */
	if (t->libvirt && !t->addr[0] &&
	    target_resolve_libvirt(t->spec + 8, t->addr, sizeof t->addr, err, sizeof err) < 0) {
		msg(t, "%s", err);
		t->last_attempt = now_s();
		return false;
	}
	t->q = qmp_connect(t->addr, t->o.qmp_timeout_ms, on_event, t, err, sizeof err);
	if (!t->q) {
		msg(t, "%s", err);
		if (t->libvirt)
			t->addr[0] = 0;
		/* A slow failure must not retry at once; a hung QEMU (no greeting)
		 * would cost a whole timeout per attempt: try it every 5 s only. */
		t->last_attempt = now_s() + (now_s() - now >= t->o.qmp_timeout_ms / 2000.0 ?
					     HUNG_RETRY_MS / 1000.0 : 0);
		return false;
	}
	t->pid = qmp_peer_pid(t->q);
	query_status(t);
	query_accel(t);
	if (!qmp_broken(t->q))
		discover_mem(t);
	if (qmp_broken(t->q)) {
		disconnect(t, NULL);
		t->last_attempt = now_s();
		return false;
	}
	t->connected = true;
	if (t->mem) {
		if (t->ever_connected)
			msg(t, "reconnected");
		else
			t->message[0] = 0;
	}
	t->ever_connected = true;
	t->regs_time = 0;
	return true;
}

/* ---- the public face ----------------------------------------------------------- */

struct target *target_new(const struct target_opts *o, char *err, size_t errlen)
{
	struct target *t;

	if (!o || !o->spec || !o->spec[0]) {
		snprintf(err, errlen, "no target given (unix:PATH, HOST:PORT or libvirt:DOMAIN)");
		return NULL;
	}
	t = calloc(1, sizeof *t);
	if (!t) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	t->o = *o;
	t->spec = strdup(o->spec);
	t->elf_path = o->elf_path ? strdup(o->elf_path) : NULL;
	t->core_dir = o->core_dir ? strdup(o->core_dir) : NULL;
	t->o.spec = t->spec;
	t->o.elf_path = t->elf_path;
	t->o.core_dir = t->core_dir;
	if (t->o.max_retries <= 0)
		t->o.max_retries = 8;
	if (t->o.qmp_timeout_ms <= 0)
		t->o.qmp_timeout_ms = 2000;
	snprintf(t->run_state, sizeof t->run_state, "disconnected");
	snprintf(t->accel, sizeof t->accel, "?");
	snprintf(t->mode_name, sizeof t->mode_name, "none");
	t->last_attempt = -1e9;
	if (!strncmp(t->spec, "libvirt:", 8)) {
		if (!t->spec[8]) {
			snprintf(err, errlen, "libvirt: needs a domain name (libvirt:DOMAIN)");
			target_free(t);
			return NULL;
		}
		t->libvirt = true;
	} else {
		target_resolve_plain(t->spec, t->addr, sizeof t->addr);
	}
	if (t->elf_path && kr_elf_open(t->elf_path, &t->elf, err, errlen) < 0) {
		target_free(t);
		return NULL;
	}
	return t;
}

void target_free(struct target *t)
{
	if (!t)
		return;
	disconnect(t, "closed");
	kr_reader_free(t->reader);
	kr_elf_close(t->elf);
	free(t->spec);
	free(t->elf_path);
	free(t->core_dir);
	free(t);
}

bool target_poll(struct target *t)
{
	if (!t->connected)
		return try_connect(t);
	if (qmp_pump(t->q) < 0 || qmp_broken(t->q)) {
		disconnect(t, NULL);
		return false;
	}
	return true;
}

bool target_connected(const struct target *t) { return t->connected; }
const char *target_message(const struct target *t) { return t->message; }
const char *target_run_state(const struct target *t) { return t->run_state; }
const char *target_accel(const struct target *t) { return t->accel; }
const char *target_arch(const struct target *t) { return t->elf ? kr_elf_arch(t->elf) : "?"; }
const char *target_name(const struct target *t) { return t->spec; }
enum target_mem_mode target_mem_mode(const struct target *t) { return t->mode; }
const char *target_mem_mode_name(const struct target *t)
{
	return t->mode == MEM_QMP && t->qr ? (strcmp(qmpread_method(t->qr), "xp") ? "QMP pmemsave"
									       : "QMP xp")
					   : t->mode_name;
}
const struct kr_elf *target_elf(const struct target *t) { return t->elf; }
bool target_panicked(const struct target *t) { return t->panicked; }
pid_t target_qemu_pid(const struct target *t) { return t->connected ? t->pid : 0; }
struct kr_mem *target_mem(const struct target *t) { return t->mem; }
const char *target_mem_source(const struct target *t) { return t->mi.path[0] ? t->mi.path : t->mi.backend; }

int target_events(const struct target *t, const struct target_event **events)
{
	*events = t->events;
	return t->nevents;
}

/* A QMP command whose failure is only reported; -1 if it failed. */
static int simple_command(struct target *t, const char *cmd, json_t *args, int timeout_ms)
{
	char err[512];
	json_t *r;

	if (!t->connected || !t->q) {
		json_decref(args);
		msg(t, "not connected");
		return -1;
	}
	r = qmp_command(t->q, cmd, args, timeout_ms, err, sizeof err);
	if (!r) {
		msg(t, "%s", err);
		if (qmp_broken(t->q))
			disconnect(t, err);
		return -1;
	}
	json_decref(r);
	return 0;
}

int target_pause(struct target *t)
{
	if (simple_command(t, "stop", NULL, t->o.qmp_timeout_ms) < 0)
		return -1;
	snprintf(t->run_state, sizeof t->run_state, "paused");
	return 0;
}

int target_continue(struct target *t)
{
	if (simple_command(t, "cont", NULL, t->o.qmp_timeout_ms) < 0)
		return -1;
	snprintf(t->run_state, sizeof t->run_state, "running");
	return 0;
}

int target_reset(struct target *t)
{
	if (simple_command(t, "system_reset", NULL, t->o.qmp_timeout_ms) < 0)
		return -1;
	t->panicked = false;   /* a new boot: a new panic will be a new core */
	return 0;
}

/* ---- registers -------------------------------------------------------------------- */

int target_registers(struct target *t, struct target_reg *regs, int max)
{
	char err[512];
	double now = now_s();

	if (!t->connected)
		return 0;
	if (now - t->regs_time >= REGS_MS / 1000.0) {
		char *text = qmp_hmp(t->q, "info registers", t->o.qmp_timeout_ms, err, sizeof err);
		t->regs_time = now;
		if (!text) {
			msg(t, "%s", err);
			if (qmp_broken(t->q))
				disconnect(t, err);
			return 0;
		}
		t->nregs = target_parse_regs(text, t->regs, NREGS);
		free(text);
	}
	if (max > t->nregs)
		max = t->nregs;
	memcpy(regs, t->regs, sizeof *regs * (max > 0 ? max : 0));
	return max > 0 ? max : 0;
}

/* ---- snapshots ----------------------------------------------------------------------- */

static int read_once(struct target *t, const struct kr_snapshot_opts *o, bool check_seq,
		     struct kr_snapshot **out)
{
	struct kr_snapshot_opts so = *o;
	so.check_seq = check_seq;
	if (t->qr)
		qmpread_invalidate(t->qr);
	return kr_snapshot_read(t->reader, &so, out);
}

/* Stop the VM, read, continue it if it ran. */
static int stop_read_cont(struct target *t, const struct kr_snapshot_opts *o, bool was_running,
			  bool check_seq, struct kr_snapshot **out)
{
	char err[512];
	json_t *r;
	int rc;

	/* QEMU sends the STOP/RESUME event before the command's reply: count
	 * it as ours before sending, and take it back if the command fails. */
	if (was_running) {
		t->own_stops++;
		r = qmp_command(t->q, "stop", NULL, t->o.qmp_timeout_ms, err, sizeof err);
		if (!r) {
			t->own_stops--;
			msg(t, "cannot pause for a consistent snapshot: %s", err);
			return KR_TORN;
		}
		json_decref(r);
		t->pauses++;
	}
	rc = read_once(t, o, check_seq, out);
	if (was_running) {
		t->own_resumes++;
		r = qmp_command(t->q, "cont", NULL, t->o.qmp_timeout_ms, err, sizeof err);
		if (!r) {
			t->own_resumes--;
			msg(t, "could not continue the VM after a snapshot: %s", err);
		}
		json_decref(r);
	}
	return rc;
}

/* A snapshot with the VM paused. The vCPU may stop inside the kernel, in
 * the middle of an update (seq odd): then let it run on for a moment and
 * stop it again, a few times, before taking what is there. */
static int paused_read(struct target *t, const struct kr_snapshot_opts *o, struct kr_snapshot **out)
{
	bool was_running = !strcmp(t->run_state, "running");
	int rc;

	for (int attempt = 0;; attempt++) {
		bool last = !was_running || attempt >= PAUSE_TRIES - 1;

		uint64_t pauses = t->pauses;

		rc = stop_read_cont(t, o, was_running, !last, out);
		if (rc != KR_TORN || last || qmp_broken(t->q) || t->pauses == pauses)
			return rc;   /* read, or the stop itself failed */
		struct timespec ts = { 0, (20 * 1000L) << attempt };
		nanosleep(&ts, NULL);
	}
}

static void record(struct target *t, double t0, int retries, bool paused)
{
	struct snap_rec *h = &t->hist[t->hist_head];
	double t1 = now_s();
	h->t = t1;
	h->ms = (t1 - t0) * 1000;
	h->retries = retries;
	h->paused = paused;
	t->hist_head = (t->hist_head + 1) % HIST;
	if (t->hist_n < HIST)
		t->hist_n++;
	t->snapshots++;
}

int target_snapshot(struct target *t, const struct kr_snapshot_opts *o, struct kr_snapshot **out)
{
	double t0 = now_s();
	int rc, retries = 0;
	bool paused = false;
	uint64_t pauses0 = t->pauses;

	*out = NULL;
	if (!t->connected) {
		if (!t->message[0])
			msg(t, "not connected");
		return KR_EIO;
	}
	if (!t->elf) {
		msg(t, "no kernel ELF given");
		return KR_EELF;
	}
	if (!t->mem || !t->reader)
		return KR_EIO;   /* the message says why (from discovery) */

	rc = KR_TORN;
	if (strcmp(t->run_state, "running")) {
		/* Stopped (paused, debug, shutdown, panicked...): nothing moves.
		 * An odd seq says the vCPU stopped inside the kernel -- or that
		 * the VM runs again (another tool's pause ended before its
		 * RESUME event reached us): ask QEMU which. */
		rc = read_once(t, o, true, out);
		if (rc == KR_TORN) {
			query_status(t);
			if (strcmp(t->run_state, "running"))   /* stopped mid-update: as it is */
				rc = read_once(t, o, false, out);
		}
	}
	if (rc != KR_TORN || qmp_broken(t->q)) {
		/* read above */
	} else if (t->o.always_pause || t->mode == MEM_QMP) {
		/* QMP reads take tens of milliseconds a snapshot: the timer
		 * alone enters the kernel meanwhile, so a copy of a running
		 * guest is always torn and retrying only wastes round trips. */
		rc = paused_read(t, o, out);
	} else {
		for (;;) {
			rc = read_once(t, o, true, out);
			if (rc != KR_TORN || retries >= t->o.max_retries || qmp_broken(t->q))
				break;
			/* Let the guest leave the kernel: 50 us, doubling, so that 8
			 * retries span about 13 ms -- a busy stretch of system calls
			 * usually ends within that, and a pause is the last resort. */
			struct timespec ts = { 0, (50 * 1000L) << retries };
			retries++;
			nanosleep(&ts, NULL);
		}
		if (rc == KR_TORN && !qmp_broken(t->q))
			rc = paused_read(t, o, out);
	}
	paused = t->pauses != pauses0;
	t->retries += retries;
	record(t, t0, retries, paused);

	if (qmp_broken(t->q)) {
		/* The QMP reader or a pause lost the connection mid-snapshot. */
		if (*out) {
			kr_snapshot_free(*out);
			*out = NULL;
		}
		disconnect(t, NULL);
		return KR_EIO;
	}
	if (rc == KR_OK && (*out)->panicked)
		t->panicked = true;
	if (rc != KR_OK && rc != KR_TORN) {
		const char *e = kr_error(t->reader);
		if (e && e[0]) {
			msg(t, "%s", e);
			t->message_from_snapshot = true;
		}
	} else if (rc == KR_OK && t->message[0] &&
		   (t->message_from_snapshot || strstr(t->message, "consistent snapshot"))) {
		/* A snapshot worked: what a failed one said is over. */
		t->message[0] = 0;
		t->message_from_snapshot = false;
	}
	return rc;
}

void target_stats(const struct target *t, struct target_stats *s)
{
	double now = now_s(), ms = 0;
	int n = 0, retries = 0, pauses = 0;

	memset(s, 0, sizeof *s);
	for (int i = 0; i < t->hist_n; i++) {
		const struct snap_rec *h = &t->hist[(t->hist_head - 1 - i + HIST) % HIST];
		if (now - h->t > 1.0)
			break;
		n++;
		ms += h->ms;
		retries += h->retries;
		pauses += h->paused;
	}
	s->snapshots_per_s = n;
	s->retries_per_s = retries;
	s->pauses_per_s = pauses;
	s->snapshot_ms = n ? ms / n : 0;
	s->snapshots = t->snapshots;
	s->retries = t->retries;
	s->pauses = t->pauses;
}

/* ---- cores --------------------------------------------------------------------------- */

int target_dump(struct target *t, char *path, size_t pathlen)
{
	char dir[PATH_MAX], stamp[32];
	struct tm tm;
	time_t now = time(NULL);

	if (t->core_dir && t->core_dir[0]) {
		snprintf(dir, sizeof dir, "%s", t->core_dir);
	} else if (!strncmp(t->addr, "unix:", 5) && strrchr(t->addr, '/')) {
		/* Next to the socket: kdbg run's run directory. */
		snprintf(dir, sizeof dir, "%.*s", (int)(strrchr(t->addr, '/') - t->addr - 5),
			 t->addr + 5);
	} else {
		snprintf(dir, sizeof dir, "/tmp");
	}
	if (dir[0] != '/') {   /* QEMU resolves relative paths against its own cwd */
		char cwd[PATH_MAX / 2], rel[PATH_MAX / 2];
		if (getcwd(cwd, sizeof cwd)) {
			snprintf(rel, sizeof rel, "%.2000s", dir);
			snprintf(dir, sizeof dir, "%s/%s", cwd, rel);
		}
	}
	localtime_r(&now, &tm);
	strftime(stamp, sizeof stamp, "%Y%m%d-%H%M%S", &tm);
	snprintf(path, pathlen, "%s/kdbg-top-panic-%s.core", dir, stamp);

	char proto[PATH_MAX + 8];
	snprintf(proto, sizeof proto, "file:%s", path);
	if (simple_command(t, "dump-guest-memory",
			   json_pack("{s:b, s:s, s:b}", "paging", 1, "protocol", proto, "detach", 0),
			   DUMP_TIMEOUT_MS) < 0)
		return -1;
	msg(t, "core written to %s", path);
	return 0;
}
