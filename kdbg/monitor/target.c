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
 * Snapshots, their statistics and cores: target_snapshot.c.
 */
#define _GNU_SOURCE
#include "target_internal.h"
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

void target_msg(struct target *t, const char *fmt, ...)
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

void target_disconnect(struct target *t, const char *why)
{
	close_mem(t);
	if (t->q) {
		if (!why)
			why = qmp_broken_reason(t->q);
		target_msg(t, "%s", why && why[0] ? why : "QMP connection closed (VM exited?)");
		qmp_close(t->q);
		t->q = NULL;
	}
	t->connected = false;
	t->own_stops = t->own_resumes = 0;
	snprintf(t->run_state, sizeof t->run_state, "disconnected");
}

void target_query_status(struct target *t)
{
	char err[256];
	json_t *r = qmp_command_obj(t->q, "query-status", NULL, t->o.qmp_timeout_ms, err, sizeof err);
	const char *s = r ? json_string_value(json_object_get(r, "status")) : NULL;
	snprintf(t->run_state, sizeof t->run_state, "%s", s ? s : "unknown");
	if (s && !strcmp(s, "guest-panicked"))
		t->panicked = true;
	if (!r)
		target_msg(t, "%s", err);
	else if (!s)
		target_msg(t, "QMP query-status: unexpected reply (no status)");
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
			target_msg(t, "%s", err_s);
		else if (p == PREF_PROCESS)
			target_msg(t, "%s", err_p);
		else
			target_msg(t, "no way to read guest memory");
		return;
	}
	if (t->reader) {
		kr_reader_set_mem(t->reader, t->mem);
	} else if (t->elf && kr_reader_new(t->elf, t->mem, &t->reader) < 0) {
		target_msg(t, "cannot create the kernel reader");
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
		target_msg(t, "%s", err);
		t->last_attempt = now_s();
		return false;
	}
	t->q = qmp_connect(t->addr, t->o.qmp_timeout_ms, on_event, t, err, sizeof err);
	if (!t->q) {
		target_msg(t, "%s", err);
		if (t->libvirt)
			t->addr[0] = 0;
		/* A slow failure must not retry at once; a hung QEMU (no greeting)
		 * would cost a whole timeout per attempt: try it every 5 s only. */
		t->last_attempt = now_s() + (now_s() - now >= t->o.qmp_timeout_ms / 2000.0 ?
					     HUNG_RETRY_MS / 1000.0 : 0);
		return false;
	}
	t->pid = qmp_peer_pid(t->q);
	target_query_status(t);
	query_accel(t);
	if (!qmp_broken(t->q))
		discover_mem(t);
	if (qmp_broken(t->q)) {
		target_disconnect(t, NULL);
		t->last_attempt = now_s();
		return false;
	}
	t->connected = true;
	if (t->mem) {
		if (t->ever_connected)
			target_msg(t, "reconnected");
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
	target_disconnect(t, "closed");
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
		target_disconnect(t, NULL);
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
int target_simple_command(struct target *t, const char *cmd, json_t *args, int timeout_ms)
{
	char err[512];
	json_t *r;

	if (!t->connected || !t->q) {
		json_decref(args);
		target_msg(t, "not connected");
		return -1;
	}
	r = qmp_command(t->q, cmd, args, timeout_ms, err, sizeof err);
	if (!r) {
		target_msg(t, "%s", err);
		if (qmp_broken(t->q))
			target_disconnect(t, err);
		return -1;
	}
	json_decref(r);
	return 0;
}

int target_pause(struct target *t)
{
	if (target_simple_command(t, "stop", NULL, t->o.qmp_timeout_ms) < 0)
		return -1;
	snprintf(t->run_state, sizeof t->run_state, "paused");
	return 0;
}

int target_continue(struct target *t)
{
	if (target_simple_command(t, "cont", NULL, t->o.qmp_timeout_ms) < 0)
		return -1;
	snprintf(t->run_state, sizeof t->run_state, "running");
	return 0;
}

int target_reset(struct target *t)
{
	if (target_simple_command(t, "system_reset", NULL, t->o.qmp_timeout_ms) < 0)
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
			target_msg(t, "%s", err);
			if (qmp_broken(t->q))
				target_disconnect(t, err);
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

