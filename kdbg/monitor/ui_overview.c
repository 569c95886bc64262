/*
 * ui_overview.c - view 1: the VM (run state, accelerator, memory mode),
 * the kernel's counters and current task, sparklines of the message rate
 * and CPU busy share, the vCPU registers and the QMP events timeline.
 */
#include "ui.h"
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <time.h>

static void spark_row(struct app *a, int y, int w, const char *label, enum hist_kind kind,
		      double max, const char *now)
{
	char spark[1024];
	int sw = w - 30 < HIST_LEN ? w - 30 : HIST_LEN;   /* no wider than a minute */

	ui_put(y, 0, w, A_NORMAL, " %-10s %10s", label, now);
	if (sw < 8)
		return;
	spark_render(hist_get(&a->hist, kind, 0), sw, max, a->utf8, spark, sizeof(spark));
	ui_put(y, 24, sw, ui_attr(a, C_SPARK), "%s", spark);
	ui_put(y, 24 + sw + 1, w - sw - 25, ui_attr(a, C_DIM), "60s");
}

static int draw_registers(struct app *a, int y, int rows, int w)
{
	int per = w / 25 > 0 ? w / 25 : 1, used;

	if (!a->nregs) {
		ui_put(y, 1, w - 1, ui_attr(a, C_DIM), "(no registers: %s)",
		       a->connected ? target_message(a->t) : "VM not connected");
		return 1;
	}
	used = (a->nregs + per - 1) / per;
	if (used > rows)
		used = rows;
	for (int i = 0; i < a->nregs && i / per < used; i++)
		ui_put(y + i / per, 1 + (i % per) * 25, 24, A_NORMAL, "%-6.6s %016llx",
		       a->regs[i].name, (unsigned long long)a->regs[i].value);
	return used;
}

static void draw_events(struct app *a, int y, int rows, int w)
{
	const struct target_event *ev;
	int n = target_events(a->t, &ev), first = n > rows ? n - rows : 0;

	if (!n)
		ui_put(y, 1, w - 1, ui_attr(a, C_DIM), "(no QMP events yet)");
	/* Newest last, like a log. */
	for (int i = first; i < n; i++) {
		time_t sec = (time_t)ev[i].time;
		struct tm tm;
		char when[16];
		bool bad = !strcmp(ev[i].name, "GUEST_PANICKED") || !strcmp(ev[i].name, "SHUTDOWN");

		localtime_r(&sec, &tm);
		strftime(when, sizeof(when), "%H:%M:%S", &tm);
		ui_put(y + i - first, 1, w - 1, bad ? ui_attr(a, C_WARN) : A_NORMAL, "%s.%03d  %-16s %s",
		       when, (int)((ev[i].time - sec) * 1000), ev[i].name, ev[i].detail);
	}
}

static void draw(struct app *a, int y, int h, int w)
{
	const struct kr_snapshot *s = a->snap;
	char b1[64], b2[200];
	int row = y, end = y + h, used;

	ui_title(a, row++, w, "overview");
	ui_put(row++, 0, w, A_NORMAL, " VM         %-10s accel %-6s memory %s   arch %s",
	       target_run_state(a->t), target_accel(a->t), target_mem_mode_name(a->t),
	       target_arch(a->t));
	if (s) {
		ui_put(row++, 0, w, A_NORMAL,
		       " kernel     ticks %llu  idle %llu  switches %llu  seq %llu%s",
		       (unsigned long long)s->ticks, (unsigned long long)s->idle_ticks,
		       (unsigned long long)s->switches, (unsigned long long)s->seq,
		       a->stale ? "  (stale)" : "");
		ui_put(row++, 0, w, A_NORMAL,
		       " objects    %d tasks  %d pools  %d caps  %d channels  %d notifications  %d untyped",
		       s->ntasks, s->npools, s->ncaps, s->nchannels, s->nnotifications, s->nuntyped);
		int ti = task_index(a, s->current);
		if (ti >= 0) {
			const struct kr_task *t = &s->tasks[ti];

			ui_put(row++, 0, w, A_NORMAL, " current    %-16.16s %-12s ip %s",
			       t->name[0] ? t->name : "(unnamed)", t->state_name ? t->state_name : "?",
			       fmt_ip(a, t->ip, b2, sizeof(b2)));
		} else {
			/* Idle (or in the kernel between tasks): where the vCPU is. */
			uint64_t pc = 0;

			for (int i = 0; i < a->nregs; i++)
				if (!strcasecmp(a->regs[i].name, "rip") || !strcasecmp(a->regs[i].name, "pc"))
					pc = a->regs[i].value;
			if (pc)
				ui_put(row++, 0, w, A_NORMAL, " current    (idle)   vCPU at %s",
				       fmt_ip(a, pc, b2, sizeof(b2)));
			else
				ui_put(row++, 0, w, A_NORMAL, " current    (idle)");
		}
	} else {
		row += 3;
	}
	fmt_rate(a->msg_rate, b1, sizeof(b1));
	strcat(b1, "/s");
	spark_row(a, row++, w, "messages", H_MSG_RATE, 0, b1);
	if (a->busy >= 0)
		snprintf(b1, sizeof(b1), "%.0f%%", a->busy * 100);
	else
		snprintf(b1, sizeof(b1), "-");
	spark_row(a, row++, w, "cpu busy", H_BUSY, 1.0, b1);

	/* Registers get what is left after keeping 4 rows of events. */
	if (row + 2 < end) {
		ui_title(a, row++, w, "registers");
		used = draw_registers(a, row, end - row - 6 > 1 ? end - row - 6 : 1, w);
		row += used;
	}
	if (row + 1 < end) {
		ui_title(a, row++, w, "QMP events (newest last)");
		draw_events(a, row, end - row, w);
	}
}

const struct view view_overview = { .name = "overview", .draw = draw };
