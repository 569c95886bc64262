/*
 * target_snapshot.c - kdbg-top's snapshots of one VM, their statistics,
 * and cores (see target.h; the connection is target.c's).
 *
 * Snapshots of a running guest are taken without stopping it: the
 * library's seqlock check says when a copy was torn; a few quick retries
 * almost always succeed, and only then is the VM paused for one read.
 */
#define _GNU_SOURCE
#include "target_internal.h"
#include "target_util.h"

#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

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
			target_msg(t, "cannot pause for a consistent snapshot: %s", err);
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
			target_msg(t, "could not continue the VM after a snapshot: %s", err);
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
			target_msg(t, "not connected");
		return KR_EIO;
	}
	if (!t->elf) {
		target_msg(t, "no kernel ELF given");
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
			target_query_status(t);
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
		target_disconnect(t, NULL);
		return KR_EIO;
	}
	if (rc == KR_OK && (*out)->panicked)
		t->panicked = true;
	if (rc != KR_OK && rc != KR_TORN) {
		const char *e = kr_error(t->reader);
		if (e && e[0]) {
			target_msg(t, "%s", e);
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
	if (target_simple_command(t, "dump-guest-memory",
			   json_pack("{s:b, s:s, s:b}", "paging", 1, "protocol", proto, "detach", 0),
			   DUMP_TIMEOUT_MS) < 0)
		return -1;
	target_msg(t, "core written to %s", path);
	return 0;
}
