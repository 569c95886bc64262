/*
 * output.c - kdbg-top without a screen: --batch (one snapshot as text)
 * and --json (docs/schema.md through kr_snapshot_to_json, plus the
 * "monitor" object; --count N streams N lines). Neither touches the
 * terminal, so both work in pipes, cron jobs and tests.
 */
#include "monitor.h"
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define FIRST_SNAPSHOT_TIMEOUT 5.0   /* seconds: a VM just started still boots */
#define SNAPSHOT_TIMEOUT 2.0         /* seconds: a kernel busy for longer is news */

static void sleep_until(double t)
{
	double d = t - now_s();

	if (d > 0) {
		struct timespec ts = { (time_t)d, (long)((d - (time_t)d) * 1e9) };
		nanosleep(&ts, NULL);
	}
}

int output_json(struct app *a, int count)
{
	char why[400];
	double next = now_s();
	struct kr_json_stream *js = kr_json_stream_new();
	const char *line;
	size_t len;
	int status = 1;

	if (!js)
		return 1;

	for (int i = 0; i < count; i++) {
		struct target_stats before, after;
		json_t *j;
		int rc;

		sleep_until(next);
		next += a->interval_ms / 1000.0;
		target_stats(a->t, &before);
		/* The first snapshot may wait for a booting kernel; later ones
		 * only for a busy one (a torn read, tried again). */
		rc = model_wait_snapshot(a, i ? SNAPSHOT_TIMEOUT : FIRST_SNAPSHOT_TIMEOUT, why,
					 sizeof(why));
		if (rc != KR_OK) {
			fprintf(stderr, "kdbg-top: %s\n", why);
			goto out;
		}
		target_stats(a->t, &after);
		j = json_pack("{s:{s:s, s:I, s:b, s:f}}", "monitor",
			      "source", target_mem_mode_name(a->t),
			      "retries", (json_int_t)(after.retries - before.retries),
			      "paused", after.pauses != before.pauses,
			      "time", wall_s());
		line = j ? kr_json_stream_line(js, a->snap, j, &len) : NULL;
		json_decref(j);
		if (!line) {
			fprintf(stderr, "kdbg-top: cannot encode the snapshot as JSON\n");
			goto out;
		}
		/* One line per snapshot, flushed, so a reader can follow a stream. */
		if (fwrite(line, 1, len, stdout) != len || fflush(stdout) == EOF)
			goto out;
	}
	status = 0;
out:
	kr_json_stream_free(js);
	return status;
}

static const char *name_or(const char *name, uint64_t addr, char *buf, size_t len)
{
	if (name && name[0])
		snprintf(buf, len, "%.*s", KR_LABEL_LEN, name);
	else
		snprintf(buf, len, "%#llx", (unsigned long long)addr);
	return buf;
}

static void print_tasks(struct app *a, FILE *f)
{
	const struct kr_snapshot *s = a->snap;
	const struct kr_elf *elf = target_elf(a->t);

	fprintf(f, "\ntasks (%d)\n  %-16s %-19s %4s %9s %8s  %-18s %s\n", s->ntasks,
		"NAME", "STATE", "PRIO", "CPU_TICKS", "IPC_SENT", "IP", "WAITS");
	for (int i = 0; i < s->ntasks; i++) {
		const struct kr_task *t = &s->tasks[i];
		char name[KR_LABEL_LEN + 4], ip[160];
		uint64_t off;
		const char *sym = elf ? kr_elf_symbolize(elf, t->ip, &off) : NULL;

		if (sym)
			snprintf(ip, sizeof(ip), "%#llx <%s+%#llx>", (unsigned long long)t->ip, sym,
				 (unsigned long long)off);
		else
			snprintf(ip, sizeof(ip), "%#llx", (unsigned long long)t->ip);
		fprintf(f, "%c %-16s %-19s %4u %9llu %8llu  %-18s %s\n", t->current ? '*' : ' ',
			name_or(t->name, t->addr, name, sizeof(name)), t->state_name ? t->state_name : "?",
			t->priority, (unsigned long long)t->cpu_ticks,
			(unsigned long long)t->ipc_sent, ip, t->waits);
	}
}

static void print_pools(struct app *a, FILE *f)
{
	const struct kr_snapshot *s = a->snap;

	fprintf(f, "\npools (%d), caps (%d)\n", s->npools, s->ncaps);
	for (int p = 0; p < s->npools; p++) {
		const struct kr_pool *pool = &s->pools[p];

		fprintf(f, "  %s  %#llx  %u/%u slots used\n", pool->label,
			(unsigned long long)pool->addr, pool->used, 1u << pool->radix_bits);
		for (int c = pool->first_cap; c < pool->first_cap + pool->ncaps && c < s->ncaps; c++) {
			const struct kr_cap *cap = &s->caps[c];
			char rights[8], badge[24] = "-";

			kr_rights_string(cap->rights, rights);
			if (cap->badged)
				snprintf(badge, sizeof(badge), "%#llx", (unsigned long long)cap->badge);
			fprintf(f, "    %5u %-14s %s %-8s %#-18llx %s\n", cap->slot,
				cap->type_name ? cap->type_name : "?", rights, badge,
				(unsigned long long)cap->object, cap->summary);
		}
	}
}

static void print_channels(struct app *a, FILE *f)
{
	const struct kr_snapshot *s = a->snap;
	char name[64];

	fprintf(f, "\nchannels (%d)\n", s->nchannels);
	for (int i = 0; i < s->nchannels; i++) {
		const struct kr_channel *c = &s->channels[i];

		fprintf(f, "  %-24s %u/%u queued  sent %llu", c->label, c->count, c->depth,
			(unsigned long long)c->sent);
		if (c->nsenders) {
			fprintf(f, "  senders:");
			for (int k = 0; k < c->nsenders; k++)
				fprintf(f, " %s", task_label(a, c->senders[k], name, sizeof(name)));
		}
		if (c->nreceivers) {
			fprintf(f, "  receivers:");
			for (int k = 0; k < c->nreceivers; k++)
				fprintf(f, " %s", task_label(a, c->receivers[k], name, sizeof(name)));
		}
		fputc('\n', f);
		for (unsigned m = 0; m < c->count && c->msgs; m++) {
			const struct kr_msg *msg = &c->msgs[m];

			fprintf(f, "    badge %#llx len %u:", (unsigned long long)msg->badge, msg->length);
			for (unsigned w = 0; w < msg->length && w < 12; w++)
				fprintf(f, " %#llx", (unsigned long long)msg->words[w]);
			fputc('\n', f);
		}
	}
	fprintf(f, "\nnotifications (%d)\n", s->nnotifications);
	for (int i = 0; i < s->nnotifications; i++) {
		const struct kr_notification *n = &s->notifications[i];

		fprintf(f, "  %-24s word %#llx", n->label, (unsigned long long)n->word);
		for (int k = 0; k < n->nwaiters; k++)
			fprintf(f, "%s%s", k ? " " : "  waiters: ",
				task_label(a, n->waiters[k], name, sizeof(name)));
		fputc('\n', f);
	}
}

static void print_untyped(struct app *a, FILE *f)
{
	const struct kr_snapshot *s = a->snap;

	fprintf(f, "\nuntyped (%d)\n", s->nuntyped);
	for (int i = 0; i < s->nuntyped; i++) {
		const struct kr_untyped *u = &s->untyped[i];
		uint64_t size = 1ull << u->size_bits;

		fprintf(f, "  %s:%u  base %#llx  size %#llx  used %#llx (%.0f%%)%s\n",
			u->holder_label, u->slot, (unsigned long long)u->base,
			(unsigned long long)size, (unsigned long long)u->watermark,
			100.0 * u->watermark / size, u->device ? "  device" : "");
	}
}

/* The last lines of the log tail the snapshot copied. */
static void print_log(const struct kr_snapshot *s, FILE *f)
{
	size_t len = s->log ? s->log_len : 0, start;
	int lines = 0;

	while (len && s->log[len - 1] == '\n')
		len--;
	for (start = len; start > 0; start--)
		if (s->log[start - 1] == '\n' && ++lines == 20)
			break;
	fprintf(f, "\nlog (last lines)\n");
	if (len)
		fprintf(f, "%.*s\n", (int)(len - start), s->log + start);
}

int output_batch(struct app *a)
{
	char why[400], cur[64];
	const struct kr_snapshot *s;
	struct target_stats st;

	if (model_wait_snapshot(a, FIRST_SNAPSHOT_TIMEOUT, why, sizeof(why)) != KR_OK) {
		fprintf(stderr, "kdbg-top: %s\n", why);
		return 1;
	}
	s = a->snap;
	target_stats(a->t, &st);
	printf("target %s  arch %s  state %s  accel %s  memory %s\n", target_name(a->t),
	       s->arch ? s->arch : target_arch(a->t), target_run_state(a->t), target_accel(a->t),
	       target_mem_mode_name(a->t));
	printf("kernel seq %llu  ticks %llu  idle %llu  switches %llu  current %s\n",
	       (unsigned long long)s->seq, (unsigned long long)s->ticks,
	       (unsigned long long)s->idle_ticks, (unsigned long long)s->switches,
	       s->current ? task_label(a, s->current, cur, sizeof(cur)) : "(idle)");
	if (s->panicked)
		printf("kernel panicked: %s\n", s->panic_msg);
	print_tasks(a, stdout);
	print_pools(a, stdout);
	print_channels(a, stdout);
	print_untyped(a, stdout);
	print_log(s, stdout);
	if (s->nproblems) {
		printf("\nproblems (%d)\n", s->nproblems);
		for (int i = 0; i < s->nproblems; i++)
			printf("  %s\n", s->problems[i]);
	}
	return fflush(stdout) == EOF;
}
