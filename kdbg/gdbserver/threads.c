/*
 * threads.c - Cairn's tasks as the debugger's threads: a snapshot of the
 * kernel at each stop (through upstream.c's physical reads), thread ids
 * that stay with a task for its lifetime, the thread list, names and
 * states (qXfer:threads, qThreadExtraInfo), and stop replies naming the
 * task that was running.
 */
#define _GNU_SOURCE
#include "gdbserver.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

void threads_invalidate(struct server *s)
{
	kr_snapshot_free(s->snap);
	kr_snapshot_free(s->full);
	s->snap = s->full = NULL;
	s->snap_valid = s->full_valid = false;
	s->xfer_name[0] = 0;
	s->vcpu_g.len = 0;
	upstream_invalidate(s);
}

/* Give every task in the snapshot an id; forget the ones that are gone. */
static void update_tids(struct server *s)
{
	int i, j;

	for (i = 0; i < s->ntids; i++)
		s->tids[i].seen = false;
	for (i = 0; i < s->snap->ntasks; i++) {
		uint64_t a = s->snap->tasks[i].addr;
		for (j = 0; j < s->ntids && s->tids[j].task != a; j++)
			;
		if (j == s->ntids) {
			if (s->ntids == s->captids) {
				int cap = s->captids ? 2 * s->captids : 64;
				struct tid_entry *n = realloc(s->tids, (size_t)cap * sizeof *n);
				if (!n)
					return;
				s->tids = n;
				s->captids = cap;
			}
			s->tids[j].task = a;
			s->tids[j].tid = s->next_tid++;
			s->ntids++;
		}
		s->tids[j].seen = true;
	}
	for (i = j = 0; i < s->ntids; i++)
		if (s->tids[i].seen)
			s->tids[j++] = s->tids[i];
	s->ntids = j;
}

static struct kr_snapshot *take(struct server *s, bool caps)
{
	struct kr_snapshot_opts opts = { .caps = caps, .check_seq = false, .log_max = 0 };
	struct kr_snapshot *snap = NULL;
	int rc;

	if (s->running || s->qemu_gone) {
		snprintf(s->snap_error, sizeof s->snap_error, "%s",
			 s->qemu_gone ? s->qemu_error : "the target is running");
		return NULL;
	}
	if (!s->reader) {
		/* Guest RAM when we have it (the VM is stopped, so it holds
		 * still), else QEMU's physical-memory mode: 2 KiB a packet. */
		if ((!s->ram && kr_mem_open_callback(upstream_read_phys, s, "gdbstub", &s->mem) < 0) ||
		    kr_reader_new(s->elf, s->ram ? s->ram : s->mem, &s->reader) < 0) {
			snprintf(s->snap_error, sizeof s->snap_error, "out of memory");
			return NULL;
		}
	}
	struct timespec t0, t1;
	int pages = s->ncache;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	rc = kr_snapshot_read(s->reader, &opts, &snap);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	if (s->verbose && rc == 0)
		fprintf(stderr, "snapshot%s: %d tasks, %d caps; %llu bytes in %llu reads, "
			"%d pages from QEMU, %.2f ms\n", caps ? " with caps" : "",
			snap->ntasks, snap->ncaps, (unsigned long long)snap->bytes_read,
			(unsigned long long)snap->read_calls, s->ncache - pages,
			(t1.tv_sec - t0.tv_sec) * 1e3 + (t1.tv_nsec - t0.tv_nsec) / 1e6);
	if (rc == KR_ENOTREADY)
		snprintf(s->snap_error, sizeof s->snap_error, "kernel not initialised yet");
	else if (rc < 0)
		snprintf(s->snap_error, sizeof s->snap_error, "%s",
			 s->qemu_gone ? s->qemu_error : kr_error(s->reader));
	return rc < 0 ? NULL : snap;
}

const struct kr_snapshot *threads_snapshot(struct server *s)
{
	if (!s->snap_valid) {
		s->snap = take(s, false);
		s->snap_valid = !s->running;
		if (s->snap)
			update_tids(s);
	}
	return s->snap;
}

const struct kr_snapshot *threads_full_snapshot(struct server *s)
{
	if (!s->full_valid) {
		s->full = take(s, true);
		s->full_valid = !s->running;
	}
	return s->full;
}

static int tid_of(struct server *s, uint64_t task)
{
	for (int i = 0; i < s->ntids; i++)
		if (s->tids[i].task == task)
			return s->tids[i].tid;
	return 0;
}

int threads_current_tid(struct server *s)
{
	const struct kr_snapshot *snap = threads_snapshot(s);
	int tid;

	if (!snap || !snap->current)
		return CPU_TID;
	tid = tid_of(s, snap->current);
	return tid ? tid : CPU_TID;
}

const struct kr_task *threads_task(struct server *s, int tid)
{
	const struct kr_snapshot *snap = threads_snapshot(s);

	if (!snap || tid == CPU_TID)
		return NULL;
	for (int i = 0; i < s->ntids; i++)
		if (s->tids[i].tid == tid)
			return kr_snap_task(snap, s->tids[i].task);
	return NULL;
}

/* The vCPU is a thread of its own while no task is current. */
static bool cpu_listed(struct server *s)
{
	return threads_current_tid(s) == CPU_TID;
}

bool threads_alive(struct server *s, int tid)
{
	if (tid == CPU_TID)
		return cpu_listed(s);
	return threads_task(s, tid) != NULL;
}

void threads_list(struct server *s, struct buf *out)
{
	const struct kr_snapshot *snap = threads_snapshot(s);
	const char *sep = "m";

	if (cpu_listed(s)) {
		buf_printf(out, "m%x", CPU_TID);
		sep = ",";
	}
	for (int i = 0; snap && i < snap->ntasks; i++) {
		int tid = tid_of(s, snap->tasks[i].addr);
		if (tid) {
			buf_printf(out, "%s%x", sep, tid);
			sep = ",";
		}
	}
}

static void task_name(const struct kr_task *t, char *out, size_t len)
{
	if (t->name[0])
		snprintf(out, len, "%.*s", KR_NAME_LEN, t->name);
	else
		snprintf(out, len, "task@%llx", (unsigned long long)t->addr);
}

void threads_extra_info(struct server *s, int tid, struct buf *out)
{
	const struct kr_task *t = threads_task(s, tid);

	if (tid == CPU_TID) {
		const struct kr_snapshot *snap = threads_snapshot(s);
		if (!snap)
			buf_printf(out, "vCPU 0: %s", s->snap_error);
		else
			buf_str(out, "vCPU 0: kernel idle");
		return;
	}
	if (!t)
		return;
	buf_str(out, t->current ? "Running" : t->state_name);
	if (t->waits[0])
		buf_printf(out, " (%s)", t->waits);
	buf_printf(out, ", prio %u", t->priority);
}

void threads_xml(struct server *s, struct buf *out)
{
	const struct kr_snapshot *snap = threads_snapshot(s);
	struct buf extra = { 0 };
	char name[64];

	buf_str(out, "<?xml version=\"1.0\"?>\n<threads>\n");
	if (cpu_listed(s)) {
		threads_extra_info(s, CPU_TID, &extra);
		buf_printf(out, "<thread id=\"%x\" core=\"0\" name=\"cpu0\">", CPU_TID);
		buf_xml(out, extra.p ? extra.p : "");
		buf_str(out, "</thread>\n");
	}
	for (int i = 0; snap && i < snap->ntasks; i++) {
		const struct kr_task *t = &snap->tasks[i];
		int tid = tid_of(s, t->addr);
		if (!tid)
			continue;
		extra.len = 0;
		threads_extra_info(s, tid, &extra);
		task_name(t, name, sizeof name);
		buf_printf(out, "<thread id=\"%x\" core=\"0\" name=\"", tid);
		buf_xml(out, name);
		buf_str(out, "\">");
		buf_xml(out, extra.p ? extra.p : "");
		buf_str(out, "</thread>\n");
	}
	buf_str(out, "</threads>\n");
	buf_free(&extra);
}

void threads_stop_reply(struct server *s, const char *reply, size_t len, struct buf *out)
{
	int tid;

	if (len < 3 || (reply[0] != 'T' && reply[0] != 'S')) {
		buf_add(out, reply, len);    /* W, X, O, errors: as they are */
		return;
	}
	tid = threads_current_tid(s);
	buf_add(out, "T", 1);
	buf_add(out, reply + 1, 2);      /* the signal */
	if (reply[0] == 'T') {
		/* n:r; pairs; every one kept except thread. */
		const char *p = reply + 3, *end = reply + len;
		while (p < end) {
			const char *semi = memchr(p, ';', (size_t)(end - p));
			size_t n = semi ? (size_t)(semi - p) + 1 : (size_t)(end - p);
			if (!(n >= 7 && !memcmp(p, "thread:", 7)))
				buf_add(out, p, n);
			p += n;
		}
		if (out->len && out->p[out->len - 1] != ';' && out->len > 3)
			buf_add(out, ";", 1);
	}
	buf_printf(out, "thread:%x;", tid);
}
