/*
 * model.c - one refresh of kdbg-top's picture of the guest: poll the VM,
 * take a consistent snapshot (target.h does the seqlock retries and the
 * pause fallback), and turn the kernel's monotonic counters into rates.
 *
 * Rates compare the new snapshot with the one about RATE_WINDOW seconds
 * older, not with the previous refresh: at 30 refreshes a second a 100 Hz
 * tick gives a task 0..3 ticks per refresh, which would make CPU% jump
 * between 0 and 100.
 */
#include "monitor.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

const char *const view_names[NVIEWS] = {
	"overview", "tasks", "cpool", "cdt", "channels", "untyped", "log",
};

int view_by_name(const char *name)
{
	for (int i = 0; i < NVIEWS; i++)
		if (!strcmp(name, view_names[i]))
			return i;
	if (name[0] >= '1' && name[0] < '1' + NVIEWS && !name[1])
		return name[0] - '1';
	return -1;
}

double wall_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

const char *kr_status_name(int rc)
{
	switch (rc) {
	case KR_OK: return "ok";
	case KR_EIO: return "memory unreadable";
	case KR_TORN: return "torn read";
	case KR_ECORRUPT: return "kernel state makes no sense";
	case KR_EELF: return "bad kernel ELF";
	case KR_ENOTREADY: return "kernel not initialised yet";
	case KR_EINVAL: return "bad argument";
	case KR_ENOMEM: return "out of memory";
	}
	return "error";
}

void model_init(struct app *a)
{
	a->busy = a->msg_rate = -1;
	a->last_poll = -1e9;
}

static void sample_clear(struct sample *s)
{
	free(s->tasks);
	free(s->chans);
	memset(s, 0, sizeof(*s));
}

static void ring_clear(struct app *a)
{
	for (int i = 0; i < RATE_RING; i++)
		sample_clear(&a->ring[i]);
	a->ring_n = a->ring_head = 0;
}

void model_free(struct app *a)
{
	ring_clear(a);
	hist_free(&a->hist);
	kr_snapshot_free(a->snap);
	a->snap = NULL;
	free(a->task_cpu);
	free(a->task_ipc);
	free(a->chan_rate);
}

static int counter_cmp(const void *x, const void *y)
{
	const struct counter *p = x, *q = y;

	return p->addr < q->addr ? -1 : p->addr > q->addr;
}

static const struct counter *counter_find(const struct counter *c, int n, uint64_t addr)
{
	struct counter key = { .addr = addr };

	return bsearch(&key, c, n, sizeof(*c), counter_cmp);
}

static void sample_take(struct sample *s, const struct kr_snapshot *snap, double t)
{
	sample_clear(s);
	s->time = t;
	s->ticks = snap->ticks;
	s->idle = snap->idle_ticks;
	s->tasks = calloc(snap->ntasks ? snap->ntasks : 1, sizeof(*s->tasks));
	s->chans = calloc(snap->nchannels ? snap->nchannels : 1, sizeof(*s->chans));
	if (!s->tasks || !s->chans) {
		sample_clear(s);
		return;
	}
	for (int i = 0; i < snap->ntasks; i++)
		s->tasks[i] = (struct counter){ snap->tasks[i].addr, snap->tasks[i].cpu_ticks,
						snap->tasks[i].ipc_sent };
	for (int i = 0; i < snap->nchannels; i++)
		s->chans[i] = (struct counter){ snap->channels[i].addr, snap->channels[i].sent, 0 };
	s->ntasks = snap->ntasks;
	s->nchans = snap->nchannels;
	qsort(s->tasks, s->ntasks, sizeof(*s->tasks), counter_cmp);
	qsort(s->chans, s->nchans, sizeof(*s->chans), counter_cmp);
}

/* The newest sample at least RATE_WINDOW old, else the oldest one. */
static const struct sample *reference(const struct app *a, double t)
{
	const struct sample *best = NULL;

	for (int k = 1; k <= a->ring_n; k++) {
		const struct sample *s = &a->ring[(a->ring_head - k + RATE_RING) % RATE_RING];

		best = s;
		if (t - s->time >= RATE_WINDOW)
			break;
	}
	return best && best->time < t ? best : NULL;
}

static double *realloc_rates(double *p, int n)
{
	double *q = realloc(p, (n ? n : 1) * sizeof(*q));

	if (!q) {
		free(p);
		return NULL;
	}
	for (int i = 0; i < n; i++)
		q[i] = -1;
	return q;
}

static void update_rates(struct app *a, double t)
{
	const struct kr_snapshot *s = a->snap;
	const struct sample *ref;

	/* A guest that was reset starts its counters again. */
	if (a->ring_n) {
		const struct sample *last = &a->ring[(a->ring_head - 1 + RATE_RING) % RATE_RING];
		if (s->ticks < last->ticks)
			ring_clear(a);
	}
	a->task_cpu = realloc_rates(a->task_cpu, s->ntasks);
	a->task_ipc = realloc_rates(a->task_ipc, s->ntasks);
	a->chan_rate = realloc_rates(a->chan_rate, s->nchannels);
	a->busy = a->msg_rate = -1;
	ref = reference(a, t);
	if (ref && a->task_cpu && a->task_ipc && a->chan_rate) {
		double dt = t - ref->time;
		uint64_t dticks = s->ticks - ref->ticks;
		double total = 0;
		bool have_total = false;

		if (dticks)
			a->busy = 1.0 - (double)(s->idle_ticks - ref->idle) / dticks;
		for (int i = 0; i < s->ntasks; i++) {
			const struct counter *c = counter_find(ref->tasks, ref->ntasks, s->tasks[i].addr);

			if (!c || s->tasks[i].cpu_ticks < c->a || s->tasks[i].ipc_sent < c->b)
				continue;
			if (dticks)
				a->task_cpu[i] = (double)(s->tasks[i].cpu_ticks - c->a) / dticks;
			a->task_ipc[i] = (s->tasks[i].ipc_sent - c->b) / dt;
		}
		for (int i = 0; i < s->nchannels; i++) {
			const struct counter *c = counter_find(ref->chans, ref->nchans, s->channels[i].addr);

			if (!c || s->channels[i].sent < c->a)
				continue;
			a->chan_rate[i] = (s->channels[i].sent - c->a) / dt;
			total += a->chan_rate[i];
			have_total = true;
		}
		if (have_total || !s->nchannels)
			a->msg_rate = total;
	}
	/* Keep samples RATE_SAMPLE_GAP apart so the ring spans the window even
	 * at 1 ms refreshes. */
	if (!a->ring_n ||
	    t - a->ring[(a->ring_head - 1 + RATE_RING) % RATE_RING].time >= RATE_SAMPLE_GAP) {
		sample_take(&a->ring[a->ring_head], s, t);
		a->ring_head = (a->ring_head + 1) % RATE_RING;
		if (a->ring_n < RATE_RING)
			a->ring_n++;
	}
}

static void update_history(struct app *a, double t)
{
	const struct kr_snapshot *s = a->snap;

	if (t - a->hist.last_sample < HIST_PERIOD)
		return;
	a->hist.last_sample = t;
	if (a->msg_rate >= 0)
		hist_push(&a->hist, H_MSG_RATE, 0, a->msg_rate, t);
	if (a->busy >= 0)
		hist_push(&a->hist, H_BUSY, 0, a->busy, t);
	for (int i = 0; i < s->ntasks; i++)
		if (a->task_cpu && a->task_cpu[i] >= 0)
			hist_push(&a->hist, H_TASK_CPU, s->tasks[i].addr, a->task_cpu[i], t);
	for (int i = 0; i < s->nchannels; i++) {
		hist_push(&a->hist, H_CHAN_DEPTH, s->channels[i].addr, s->channels[i].count, t);
		if (a->chan_rate && a->chan_rate[i] >= 0)
			hist_push(&a->hist, H_CHAN_RATE, s->channels[i].addr, a->chan_rate[i], t);
	}
	hist_prune(&a->hist, t);
}

/* Once per panic: the core, written the way `kdbg dump` writes it. */
static void post_mortem(struct app *a)
{
	char path[512];

	if (a->panic_seen || !target_panicked(a->t))
		return;
	a->panic_seen = true;
	if (target_dump(a->t, path, sizeof(path)) == 0)
		snprintf(a->core_msg, sizeof(a->core_msg),
			 "core written to %s — open with: kdbg attach core:%s", path, path);
	else
		snprintf(a->core_msg, sizeof(a->core_msg), "no core written: %s",
			 target_message(a->t));
}

int model_refresh(struct app *a)
{
	double t = now_s();
	struct kr_snapshot_opts o = { .log_max = 16384, .caps = true, .check_seq = true };
	struct kr_snapshot *s = NULL;
	int rc;

	/* Reconnecting costs a connect() and maybe a QMP handshake: twice a
	 * second is enough while the VM is away. */
	if (!a->connected && t - a->last_poll < 0.5)
		return KR_EIO;
	a->last_poll = t;
	a->connected = target_poll(a->t);
	if (!a->connected) {
		a->stale = true;
		snprintf(a->stale_why, sizeof(a->stale_why), "%s", target_message(a->t));
		return KR_EIO;
	}
	a->ever_connected = true;
	rc = target_snapshot(a->t, &o, &s);
	if (rc == KR_OK) {
		kr_snapshot_free(a->snap);
		a->snap = s;
		a->snap_time = t;
		a->stale = a->not_ready = false;
		a->stale_why[0] = '\0';
		update_rates(a, t);
		update_history(a, t);
	} else {
		a->not_ready = rc == KR_ENOTREADY;
		a->stale = true;
		snprintf(a->stale_why, sizeof(a->stale_why), "%s%s%s", kr_status_name(rc),
			 target_message(a->t)[0] ? ": " : "", target_message(a->t));
	}
	post_mortem(a);
	return rc;
}

int model_wait_snapshot(struct app *a, double timeout_s, char *why, size_t whylen)
{
	double deadline = now_s() + timeout_s;
	int rc;

	for (;;) {
		struct timespec pause = { 0, 50 * 1000 * 1000 };

		a->last_poll = -1e9;   /* no reconnect throttling here */
		rc = model_refresh(a);
		if (rc == KR_OK)
			return rc;
		/* Only a VM that is not there yet or a kernel still booting is
		 * worth waiting for; anything else will not get better. */
		if ((a->connected && rc != KR_ENOTREADY && rc != KR_TORN) || now_s() > deadline)
			break;
		nanosleep(&pause, NULL);
	}
	if (!a->connected && strstr(target_message(a->t), "cannot connect"))
		snprintf(why, whylen, "%s", target_message(a->t));   /* says it already */
	else if (!a->connected)
		snprintf(why, whylen, "cannot connect to %s: %s", a->spec, target_message(a->t));
	else if (rc == KR_ENOTREADY)
		snprintf(why, whylen, "kernel not initialised yet (waited %.0f s)", timeout_s);
	else
		snprintf(why, whylen, "snapshot failed: %s", a->stale_why);
	return rc == KR_OK ? KR_EIO : rc;
}

void refresh_mark(struct app *a, double t)
{
	a->refresh_t[a->refresh_head] = t;
	a->refresh_head = (a->refresh_head + 1) % 128;
	if (a->refresh_n < 128)
		a->refresh_n++;
}

/* Refreshes in the last second (the ring holds 128: enough for a count
 * up to 128/s, and beyond that the span of the ring gives the rate). */
double refresh_rate(const struct app *a)
{
	double t = now_s(), oldest = t;
	int k;

	for (k = 1; k <= a->refresh_n; k++) {
		double r = a->refresh_t[(a->refresh_head - k + 128) % 128];

		if (t - r > 1.0)
			break;
		oldest = r;
	}
	k--;
	if (k == 128 && t > oldest)
		return k / (t - oldest);
	return k;
}

int task_index(const struct app *a, uint64_t addr)
{
	if (!a->snap)
		return -1;
	for (int i = 0; i < a->snap->ntasks; i++)
		if (a->snap->tasks[i].addr == addr)
			return i;
	return -1;
}

const char *task_label(const struct app *a, uint64_t addr, char *buf, size_t len)
{
	int i = task_index(a, addr);

	if (i >= 0 && a->snap->tasks[i].name[0])
		snprintf(buf, len, "%s", a->snap->tasks[i].name);
	else
		snprintf(buf, len, "%#llx", (unsigned long long)addr);
	return buf;
}
